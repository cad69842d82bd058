/// Whether a row can be marked for a multi-selection, and whether it is.
public enum RowMark: Sendable, Hashable {
  case marked
  case unmarked
  /// Shown but not markable (too large, not a regular file, …).
  case unmarkable
}

/// One row of a `ListView`.
public struct ListRow: Sendable, Hashable {
  /// The row text (sanitise untrusted text first).
  public var text: String
  public var style: Style
  /// A multi-selection mark drawn before the text, or nil for none.
  public var mark: RowMark?
  /// Right-aligned text such as a size or a count.
  public var trailing: String
  public var trailingStyle: Style

  /// A row; `trailing` is drawn right-aligned.
  public init(
    _ text: String, style: Style = .normal, mark: RowMark? = nil, trailing: String = "",
    trailingStyle: Style = .dim
  ) {
    self.text = text
    self.style = style
    self.mark = mark
    self.trailing = trailing
    self.trailingStyle = trailingStyle
  }
}

/// A scrolling list with one selected row and scroll markers.
public struct ListView: Sendable {
  public var rows: [ListRow]
  /// A focused list highlights its selection in reverse video; others dimmer.
  public var focused: Bool
  /// Shown dimmed when there are no rows.
  public var emptyText: String

  /// A list of `rows`.
  public init(rows: [ListRow], focused: Bool = true, emptyText: String = "") {
    self.rows = rows
    self.focused = focused
    self.emptyText = emptyText
  }

  /// Paints the visible rows into `area`, scrolled so that `state.selected` shows.
  public func render(into buffer: inout Buffer, area: Rect, state: ListState) {
    guard !area.isEmpty else { return }
    buffer.fill(area)
    if rows.isEmpty {
      buffer.write(emptyText, x: area.x + 1, y: area.y, style: .dim, maxWidth: area.width - 1)
      return
    }
    let glyphs = buffer.glyphs
    let offset = state.visibleOffset(count: rows.count, viewport: area.height)
    for line in 0..<min(area.height, rows.count - offset) {
      let index = offset + line
      let row = rows[index]
      let y = area.y + line
      let isSelected = index == state.selected
      var x = area.x
      let pointer = isSelected && focused ? glyphs.pointer : " "
      x += buffer.write(pointer, x: x, y: y, style: .accent, maxWidth: area.maxX - x)
      if let mark = row.mark {
        let symbol: String
        switch mark {
        case .marked: symbol = glyphs.marked
        case .unmarked: symbol = glyphs.unmarked
        case .unmarkable: symbol = glyphs.unmarkable
        }
        x += buffer.write(symbol, x: x, y: y, style: mark == .marked ? .accent : .dim)
        x += buffer.write(" ", x: x, y: y)
      }
      var trailingWidth = DisplayWidth.of(row.trailing)
      // Keep at least a few columns for the text itself.
      if trailingWidth > 0 && area.maxX - x - trailingWidth - 1 < 4 { trailingWidth = 0 }
      let textLimit = area.maxX - x - 1 - (trailingWidth > 0 ? trailingWidth + 1 : 0)
      buffer.write(row.text, x: x, y: y, style: row.style, maxWidth: textLimit)
      if trailingWidth > 0 {
        buffer.write(
          row.trailing, x: area.maxX - 1 - trailingWidth, y: y, style: row.trailingStyle)
      }
      if isSelected {
        buffer.setStyle(focused ? .selected : .selectedInactive, in: area.row(line))
      }
    }
    if offset > 0 {
      buffer.write(glyphs.moreAbove, x: area.maxX - 1, y: area.y, style: .dim)
    }
    if offset + area.height < rows.count {
      buffer.write(glyphs.moreBelow, x: area.maxX - 1, y: area.maxY - 1, style: .dim)
    }
  }
}
