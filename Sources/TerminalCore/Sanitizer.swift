/// Makes untrusted text (from the server or the file system) safe to put on the screen.
///
/// Escape sequences (CSI, OSC, DCS, SOS, PM, APC, and two-byte ESC sequences, in their 7-bit and
/// C1 forms) are removed whole; other C0/C1 controls and DEL are dropped; tabs, newlines and line
/// separators become one space each; unassigned scalars become U+FFFD; bidirectional overrides
/// and isolates are removed unless `keepBidiControls` is set, so a name cannot reorder the text
/// around it.
///
/// With `normalizeEmoji` (the default), emoji variation selectors (U+FE0F) and the joiners
/// between emoji (U+200D) are removed: glibc and tmux count `❤️` as 1 column and a ZWJ family as
/// 6, while modern terminals draw both 2 wide, which shifts everything after them. Without the
/// selector and joiner every terminal agrees with the width table (research/tui.md §1.5).
public struct Sanitizer: Sendable, Hashable {
  /// Keep U+202A–U+202E and U+2066–U+2069 (off by default).
  public var keepBidiControls: Bool
  /// Remove U+FE0F, and U+200D after an emoji (on by default).
  public var normalizeEmoji: Bool

  /// A sanitizer; the default strips bidirectional controls and emoji selectors and joiners.
  public init(keepBidiControls: Bool = false, normalizeEmoji: Bool = true) {
    self.keepBidiControls = keepBidiControls
    self.normalizeEmoji = normalizeEmoji
  }

  /// The shared default sanitizer.
  public static let standard = Sanitizer()

  /// `text` cleaned with the default rules.
  public static func clean(_ text: String) -> String {
    standard.clean(text)
  }

  private enum State {
    case text
    /// After ESC: the next scalar decides the kind of sequence.
    case escape
    /// ESC followed by intermediates (0x20–0x2F): ends at a final byte.
    case escapeIntermediate
    /// Control Sequence: parameters and intermediates, ends at 0x40–0x7E.
    case csi
    /// OSC, DCS, SOS, PM or APC: ends at BEL (OSC), ST (ESC \) or C1 ST.
    case string
    /// ESC seen inside a string: a backslash ends the string.
    case stringEscape
  }

  /// `text` with every control and escape sequence removed (see the type's summary).
  public func clean(_ text: String) -> String {
    // Fast path: most names are plain printable text.
    if text.unicodeScalars.allSatisfy({ isPlain($0) }) { return text }
    var output = String.UnicodeScalarView()
    var state = State.text
    for scalar in text.unicodeScalars {
      let value = scalar.value
      switch state {
      case .text:
        switch value {
        case 0x1B: state = .escape
        case 0x9B: state = .csi
        case 0x90, 0x98, 0x9D, 0x9E, 0x9F: state = .string
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029: output.append(" ")
        case 0x00..<0x20, 0x7F..<0xA0: break
        case 0x202A...0x202E, 0x2066...0x2069:
          if keepBidiControls { output.append(scalar) }
        case 0xFE0F where normalizeEmoji:
          break
        case 0x200D where normalizeEmoji && (output.last.map(Self.isEmoji) ?? false):
          break
        default:
          if DisplayWidth.of(scalar) == nil {
            output.append("\u{FFFD}")
          } else {
            output.append(scalar)
          }
        }
      case .escape:
        switch value {
        case 0x5B: state = .csi  // [
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string  // ] P X ^ _
        case 0x20...0x2F: state = .escapeIntermediate
        case 0x1B: state = .escape
        default: state = .text  // a two-byte sequence such as ESC c or ESC 7
        }
      case .escapeIntermediate:
        if !(0x20...0x2F).contains(value) { state = .text }
      case .csi:
        if value == 0x1B {
          state = .escape
        } else if (0x40...0x7E).contains(value) {
          state = .text
        }
      case .string:
        if value == 0x07 || value == 0x9C {
          state = .text
        } else if value == 0x1B {
          state = .stringEscape
        }
      case .stringEscape:
        state = value == 0x5C ? .text : (value == 0x1B ? .stringEscape : .string)
      }
    }
    return String(output)
  }

  private static func isEmoji(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value > 0xFF && scalar.properties.isEmoji
  }

  private func isPlain(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    if value >= 0x20 && value < 0x7F { return true }
    if value < 0xA0 { return false }
    if normalizeEmoji && (value == 0xFE0F || value == 0x200D) { return false }
    if value == 0x2028 || value == 0x2029 || (0x202A...0x202E).contains(value)
      || (0x2066...0x2069).contains(value)
    {
      return false
    }
    return DisplayWidth.of(scalar) != nil
  }
}
