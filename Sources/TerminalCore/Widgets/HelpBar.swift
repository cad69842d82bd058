/// A key and what it does, as the footer shows it.
public struct HelpItem: Sendable, Hashable {
  public var key: String
  public var label: String
  /// A hint the bar leaves out, without an ellipsis, when the row is too full for it (the key
  /// is still in the help overlay).
  public var optional: Bool

  /// `key` (drawn in the accent style) followed by `label`.
  public init(key: String, label: String, optional: Bool = false) {
    self.key = key
    self.label = label
    self.optional = optional
  }

  /// The columns the item takes after `separator`.
  func width(after separator: String) -> Int {
    DisplayWidth.of(separator) + DisplayWidth.of(key) + 1 + DisplayWidth.of(label)
  }
}

/// The one-line footer: key hints on the left, a status on the right, cut with an ellipsis.
public struct HelpBar: Sendable {
  public var items: [HelpItem]
  /// Right-aligned state (selection count, filter, totals); it takes at most half the row.
  public var trailing: String
  public var trailingStyle: Style

  /// A footer of `items` and `trailing` text.
  public init(items: [HelpItem], trailing: String = "", trailingStyle: Style = .dim) {
    self.items = items
    self.trailing = trailing
    self.trailingStyle = trailingStyle
  }

  /// Paints the footer into the first row of `area`.
  public func render(into buffer: inout Buffer, area: Rect) {
    guard !area.isEmpty else { return }
    let row = area.row(0)
    buffer.fill(row)
    var right = row.maxX
    if !trailing.isEmpty {
      let fitted = DisplayWidth.truncate(
        trailing, to: row.width / 2, ellipsis: buffer.glyphs.ellipsis)
      let width = DisplayWidth.of(fitted)
      right = row.maxX - width
      buffer.write(fitted, x: right, y: row.y, style: trailingStyle)
      right -= 1
    }
    var x = row.x
    let ellipsis = buffer.glyphs.ellipsis
    let ellipsisWidth = DisplayWidth.of(ellipsis)
    let items = fitting(right - x)
    for (index, item) in items.enumerated() {
      let separator = index == 0 ? "" : "  "
      let itemWidth = item.width(after: separator)
      let isLast = index == items.count - 1
      let room = right - x - (isLast ? 0 : ellipsisWidth + 2)
      if itemWidth > room {
        // Say that hints were cut rather than dropping them silently.
        let spaceLeft = right - x
        if spaceLeft >= ellipsisWidth + DisplayWidth.of(separator) {
          x += buffer.write(separator, x: x, y: row.y)
          buffer.write(ellipsis, x: x, y: row.y, style: .dim)
        }
        return
      }
      x += buffer.write(separator, x: x, y: row.y)
      x += buffer.write(item.key, x: x, y: row.y, style: .accent)
      x += buffer.write(" ", x: x, y: row.y)
      x += buffer.write(item.label, x: x, y: row.y)
    }
  }

  /// The items without optional ones, dropped from the end, until they fit in `width` columns.
  func fitting(_ width: Int) -> [HelpItem] {
    var items = self.items
    func total() -> Int {
      items.enumerated().reduce(0) { $0 + $1.element.width(after: $1.offset == 0 ? "" : "  ") }
    }
    while total() > width, let last = items.lastIndex(where: \.optional) {
      items.remove(at: last)
    }
    return items
  }
}
