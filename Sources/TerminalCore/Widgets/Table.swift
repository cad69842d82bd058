/// How wide a table column is.
public enum ColumnWidth: Sendable, Hashable {
  /// Exactly this many columns.
  case fixed(Int)
  /// A share of what the fixed columns leave, at least `minimum` columns.
  case flexible(minimum: Int)
}

/// A column of a `Table`.
public struct TableColumn: Sendable, Hashable {
  public var title: String
  public var width: ColumnWidth
  public var alignment: Alignment

  /// A column titled `title`.
  public init(_ title: String, width: ColumnWidth, alignment: Alignment = .leading) {
    self.title = title
    self.width = width
    self.alignment = alignment
  }
}

/// What one table cell shows.
public enum TableCell: Sendable, Hashable {
  /// Text in the row's style, or in `style` when given.
  case text(String, style: Style? = nil)
  /// A segmented gauge filling the cell.
  case gauge(SegmentedGauge)
}

/// One row of a `Table`.
public struct TableRow: Sendable, Hashable {
  public var cells: [TableCell]
  public var style: Style

  /// A row of `cells` in `style`.
  public init(_ cells: [TableCell], style: Style = .normal) {
    self.cells = cells
    self.style = style
  }
}

/// A table with a header row, fixed and flexible columns, a selection and scrolling.
public struct Table: Sendable {
  public var columns: [TableColumn]
  public var rows: [TableRow]
  public var focused: Bool
  /// Draw the column titles on the first row.
  public var showHeader: Bool
  /// Shown dimmed when there are no rows.
  public var emptyText: String

  /// A table of `rows` under `columns`.
  public init(
    columns: [TableColumn], rows: [TableRow], focused: Bool = true, showHeader: Bool = true,
    emptyText: String = ""
  ) {
    self.columns = columns
    self.rows = rows
    self.focused = focused
    self.showHeader = showHeader
    self.emptyText = emptyText
  }

  /// The widths of `columns` in `total` columns, with one space between columns.
  ///
  /// Fixed columns come first and keep their width while they fit; flexible columns get their
  /// minimum from what is left, then share the rest evenly (the first ones get the remainder).
  /// Columns that no longer fit get width 0.
  public static func resolveWidths(_ columns: [TableColumn], total: Int) -> [Int] {
    guard !columns.isEmpty else { return [] }
    let gaps = columns.count - 1
    var available = max(0, total - gaps)
    var widths = Array(repeating: 0, count: columns.count)
    var flexible: [(index: Int, minimum: Int)] = []
    for (index, column) in columns.enumerated() {
      switch column.width {
      case .fixed(let width):
        widths[index] = min(width, available)
        available -= widths[index]
      case .flexible(let minimum):
        flexible.append((index, minimum))
      }
    }
    for (index, minimum) in flexible {
      widths[index] = min(minimum, available)
      available -= widths[index]
    }
    if !flexible.isEmpty && available > 0 {
      let share = available / flexible.count
      var extra = available % flexible.count
      for (index, _) in flexible {
        widths[index] += share + (extra > 0 ? 1 : 0)
        extra -= 1
      }
    }
    return widths
  }

  /// The number of body rows that fit in `height` rows.
  public func viewport(height: Int) -> Int {
    max(0, height - (showHeader ? 1 : 0))
  }

  /// Paints the header and the visible rows into `area`, scrolled to show `state.selected`.
  public func render(into buffer: inout Buffer, area: Rect, state: ListState) {
    guard !area.isEmpty else { return }
    buffer.fill(area)
    // One column on the left for the selection pointer.
    let inner = Rect(x: area.x + 1, y: area.y, width: area.width - 1, height: area.height)
    let widths = Self.resolveWidths(columns, total: inner.width)
    var body = inner
    if showHeader {
      var x = inner.x
      for (column, width) in zip(columns, widths) {
        if width > 0 {
          let title = DisplayWidth.pad(
            column.title, to: width, alignment: column.alignment, ellipsis: buffer.glyphs.ellipsis)
          buffer.write(title, x: x, y: inner.y, style: .header)
        }
        x += width + 1
      }
      body = inner.splitTop(1).bottom
    }
    if rows.isEmpty {
      buffer.write(emptyText, x: body.x, y: body.y, style: .dim, maxWidth: body.width)
      return
    }
    let offset = state.visibleOffset(count: rows.count, viewport: body.height)
    for line in 0..<min(body.height, rows.count - offset) {
      let index = offset + line
      let row = rows[index]
      let y = body.y + line
      var x = body.x
      for (column, (cell, width)) in zip(columns, zip(row.cells, widths)) {
        defer { x += width + 1 }
        guard width > 0 else { continue }
        switch cell {
        case .text(let text, let style):
          let padded = DisplayWidth.pad(
            text, to: width, alignment: column.alignment, ellipsis: buffer.glyphs.ellipsis)
          buffer.write(padded, x: x, y: y, style: style ?? row.style)
        case .gauge(let gauge):
          gauge.render(into: &buffer, area: Rect(x: x, y: y, width: width, height: 1))
        }
      }
      if index == state.selected {
        if focused {
          buffer.write(buffer.glyphs.pointer, x: area.x, y: y, style: .accent)
        }
        // The gauge keeps its colours: they carry the chunk states.
        var x = body.x
        for (cell, width) in zip(row.cells, widths) {
          if case .text = cell {
            buffer.setStyle(
              focused ? .selected : .selectedInactive,
              in: Rect(x: x, y: y, width: width + 1, height: 1))
          }
          x += width + 1
        }
      }
    }
    if offset > 0 {
      buffer.write(buffer.glyphs.moreAbove, x: area.x, y: body.y, style: .dim)
    }
    if offset + body.height < rows.count {
      buffer.write(buffer.glyphs.moreBelow, x: area.x, y: body.maxY - 1, style: .dim)
    }
  }
}
