/// A box with an optional title on its top border, used for panes and modal dialogs.
public struct Frame: Sendable {
  public var title: String
  /// Style of the border (a focused pane uses `.accent`).
  public var borderStyle: Style
  public var titleStyle: Style

  /// A frame titled `title` (may be empty).
  public init(title: String = "", borderStyle: Style = .dim, titleStyle: Style = .header) {
    self.title = title
    self.borderStyle = borderStyle
    self.titleStyle = titleStyle
  }

  /// Draws the border, blanks the inside, and returns the inside rectangle.
  @discardableResult
  public func render(into buffer: inout Buffer, area: Rect) -> Rect {
    guard area.width >= 2, area.height >= 2 else {
      buffer.fill(area)
      return Rect(x: area.x, y: area.y, width: 0, height: 0)
    }
    let g = buffer.glyphs
    let horizontal = String(repeating: g.horizontal, count: area.width - 2)
    buffer.write(g.topLeft + horizontal + g.topRight, x: area.x, y: area.y, style: borderStyle)
    for y in (area.y + 1)..<(area.maxY - 1) {
      buffer.write(g.vertical, x: area.x, y: y, style: borderStyle)
      buffer.fill(Rect(x: area.x + 1, y: y, width: area.width - 2, height: 1))
      buffer.write(g.vertical, x: area.maxX - 1, y: y, style: borderStyle)
    }
    buffer.write(
      g.bottomLeft + horizontal + g.bottomRight, x: area.x, y: area.maxY - 1, style: borderStyle)
    if !title.isEmpty && area.width > 4 {
      buffer.write(
        " " + title + " ", x: area.x + 1, y: area.y, style: titleStyle,
        maxWidth: area.width - 2)
    }
    return area.inset(by: 1)
  }
}

/// Word wrapping and multi-line text by display width.
public enum TextBox {
  /// `text` broken into lines of at most `width` columns, at spaces where possible.
  public static func wrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let linesBefore = lines.count
      var line = ""
      var lineWidth = 0
      for word in paragraph.split(separator: " ", omittingEmptySubsequences: true) {
        var piece = String(word)
        var pieceWidth = DisplayWidth.of(piece)
        if lineWidth > 0 && lineWidth + 1 + pieceWidth <= width {
          line += " " + piece
          lineWidth += 1 + pieceWidth
          continue
        }
        if lineWidth > 0 {
          lines.append(line)
          line = ""
          lineWidth = 0
        }
        // A word longer than the line is cut into line-sized pieces.
        while pieceWidth > width {
          let (head, rest) = split(piece, at: width)
          lines.append(head)
          piece = rest
          pieceWidth = DisplayWidth.of(piece)
        }
        line = piece
        lineWidth = pieceWidth
      }
      // An empty paragraph is an empty line; a long word's pieces leave no empty tail.
      if !line.isEmpty || lines.count == linesBefore { lines.append(line) }
    }
    return lines
  }

  /// Paints `lines` into `area` from the top, one per row, each cut to the width.
  public static func render(
    _ lines: [String], into buffer: inout Buffer, area: Rect, style: Style = .normal
  ) {
    for (index, line) in lines.prefix(area.height).enumerated() {
      buffer.write(line, x: area.x, y: area.y + index, style: style, maxWidth: area.width)
    }
  }

  private static func split(_ text: String, at width: Int) -> (String, String) {
    var used = 0
    var head = String.UnicodeScalarView()
    var rest = String.UnicodeScalarView()
    var full = false
    for scalar in text.unicodeScalars {
      let columns = DisplayWidth.of(scalar) ?? 0
      if !full && used + columns <= width {
        head.append(scalar)
        used += columns
      } else {
        full = true
        rest.append(scalar)
      }
    }
    // A wide character that cannot fit on an empty line would loop forever; drop it.
    if head.isEmpty, let first = rest.first {
      rest.removeFirst()
      head.append(first)
      return (String(head), String(rest))
    }
    return (String(head), String(rest))
  }
}
