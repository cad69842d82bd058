/// Terminal column widths with glibc `wcwidth` semantics, the rule ncurses and tmux place text by.
///
/// Widths are per Unicode scalar: CJK and emoji-presentation scalars take 2 columns, combining
/// marks, joiners and variation selectors 0, everything else printable 1. A cluster's width is
/// the sum of its scalars, which is what the terminal will advance, even where a modern terminal
/// would draw a ZWJ sequence narrower (research/tui.md §1.5).
public enum DisplayWidth {
  /// The columns `scalar` occupies, or nil when it is not printable (controls, unassigned).
  public static func of(_ scalar: Unicode.Scalar) -> Int? {
    let value = scalar.value
    if value < 0x20 || (value >= 0x7F && value < 0xA0) { return nil }
    if value < 0x300 { return 1 }
    if contains(DisplayWidthTables.zeroWidth, value) { return 0 }
    if contains(DisplayWidthTables.doubleWidth, value) { return 2 }
    if contains(DisplayWidthTables.unprintable, value) { return nil }
    return 1
  }

  /// The columns `text` occupies; unprintable scalars count 0 (`Buffer` drops them).
  public static func of(_ text: some StringProtocol) -> Int {
    var total = 0
    for scalar in text.unicodeScalars { total += of(scalar) ?? 0 }
    return total
  }

  /// The columns one character (grapheme cluster) occupies.
  public static func of(_ character: Character) -> Int {
    var total = 0
    for scalar in character.unicodeScalars { total += of(scalar) ?? 0 }
    return total
  }

  /// `text` cut to at most `width` columns; when it does not fit, it ends with `ellipsis`.
  ///
  /// Never splits a wide character: the result may be one column narrower than `width`.
  public static func truncate(_ text: String, to width: Int, ellipsis: String = "…") -> String {
    guard width > 0 else { return "" }
    if of(text) <= width { return text }
    let ellipsisWidth = of(ellipsis)
    guard ellipsisWidth <= width else { return "" }
    let budget = width - ellipsisWidth
    var used = 0
    var result = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      let columns = of(scalar) ?? 0
      if used + columns > budget { break }
      used += columns
      result.append(scalar)
    }
    // A joiner left dangling before the ellipsis could fuse with it on some terminals.
    while let last = result.last, last.value == 0x200D { result.removeLast() }
    return String(result) + ellipsis
  }

  /// `text` padded with spaces (or truncated with `ellipsis`) to exactly `width` columns.
  public static func pad(
    _ text: String, to width: Int, alignment: Alignment = .leading, ellipsis: String = "…"
  ) -> String {
    let fitted = truncate(text, to: width, ellipsis: ellipsis)
    let gap = max(0, width - of(fitted))
    switch alignment {
    case .leading: return fitted + String(repeating: " ", count: gap)
    case .trailing: return String(repeating: " ", count: gap) + fitted
    case .center:
      let left = gap / 2
      return String(repeating: " ", count: left) + fitted
        + String(repeating: " ", count: gap - left)
    }
  }

  private static func contains(_ ranges: [UInt32], _ value: UInt32) -> Bool {
    var low = 0
    var high = ranges.count / 2 - 1
    while low <= high {
      let mid = (low + high) / 2
      if value < ranges[mid * 2] {
        high = mid - 1
      } else if value > ranges[mid * 2 + 1] {
        low = mid + 1
      } else {
        return true
      }
    }
    return false
  }
}

/// Horizontal placement of text inside a wider column.
public enum Alignment: Sendable, Hashable {
  case leading
  case center
  case trailing
}
