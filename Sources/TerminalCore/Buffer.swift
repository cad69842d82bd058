/// A width×height grid of cells that a frame is painted into, then presented or compared as text.
///
/// Writing is width-aware: wide characters take two cells, combining marks join the previous
/// cell, unprintable scalars are dropped, and text that does not fit ends with the glyph set's
/// ellipsis. Overwriting half of a wide character blanks the other half, as a terminal would.
public struct Buffer: Sendable, Hashable {
  public let width: Int
  public let height: Int
  /// The glyphs widgets draw with (and the truncation ellipsis).
  public var glyphs: GlyphSet
  /// Row-major cells, `width * height` of them.
  public private(set) var cells: [Cell]

  /// A blank buffer.
  public init(width: Int, height: Int, glyphs: GlyphSet = .unicode) {
    self.width = max(0, width)
    self.height = max(0, height)
    self.glyphs = glyphs
    self.cells = Array(repeating: .blank, count: self.width * self.height)
  }

  /// A blank buffer of `size`.
  public init(size: Size, glyphs: GlyphSet = .unicode) {
    self.init(width: size.width, height: size.height, glyphs: glyphs)
  }

  /// The whole buffer as a rectangle.
  public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

  /// The size of the buffer.
  public var size: Size { Size(width: width, height: height) }

  /// The cell at column `x`, row `y`.
  public subscript(x: Int, y: Int) -> Cell {
    get { cells[y * width + x] }
    set { cells[y * width + x] = newValue }
  }

  /// Writes `text` at (`x`, `y`) and returns the number of columns used.
  ///
  /// `text` should already be sanitised if untrusted; controls are dropped here regardless.
  /// It is cut to `maxWidth` columns (and to the buffer's right edge) with an ellipsis.
  @discardableResult
  public mutating func write(
    _ text: String, x: Int, y: Int, style: Style = .normal, maxWidth: Int? = nil
  ) -> Int {
    guard y >= 0, y < height, x >= 0, x < width else { return 0 }
    let limit = min(maxWidth ?? (width - x), width - x)
    guard limit > 0 else { return 0 }
    let fitted = DisplayWidth.truncate(text, to: limit, ellipsis: glyphs.ellipsis)
    var column = x
    var lastPlaced: Int?
    for scalar in fitted.unicodeScalars {
      guard let columns = DisplayWidth.of(scalar) else { continue }
      if columns == 0 {
        if let lastPlaced {
          cells[y * width + lastPlaced].text.unicodeScalars.append(scalar)
        }
        continue
      }
      guard column + columns <= x + limit else { break }
      clear(column: column, row: y, columns: columns)
      let index = y * width + column
      cells[index] = Cell(String(scalar), style: style, width: UInt8(columns))
      if columns == 2 { cells[index + 1] = Cell("", style: style, width: 0) }
      lastPlaced = column
      column += columns
    }
    return column - x
  }

  /// Fills `rect` (clipped to the buffer) with `character` in `style`.
  public mutating func fill(_ rect: Rect, with character: String = " ", style: Style = .normal) {
    let clipped = rect.intersection(area)
    guard !clipped.isEmpty else { return }
    for row in clipped.y..<clipped.maxY {
      for column in clipped.x..<clipped.maxX {
        clear(column: column, row: row, columns: 1)
        self[column, row] = Cell(character, style: style)
      }
    }
  }

  /// Gives every cell in `rect` the style `style`, keeping its text.
  public mutating func setStyle(_ style: Style, in rect: Rect) {
    let clipped = rect.intersection(area)
    guard !clipped.isEmpty else { return }
    for row in clipped.y..<clipped.maxY {
      for column in clipped.x..<clipped.maxX {
        cells[row * width + column].style = style
      }
    }
  }

  /// The rows as text, wide characters once; trailing spaces removed unless `trimming` is false.
  public func lines(trimming: Bool = true) -> [String] {
    (0..<height).map { row in
      var line = ""
      for column in 0..<width {
        let cell = self[column, row]
        if !cell.isContinuation { line += cell.text }
      }
      if trimming {
        while line.last == " " { line.removeLast() }
      }
      return line
    }
  }

  /// The rows joined by newlines, trailing spaces trimmed: the form snapshot tests compare.
  public var text: String { lines().joined(separator: "\n") }

  /// One row as runs of consecutive cells sharing a style: what a backend draws in one call.
  public func runs(row: Int) -> [StyledRun] {
    var runs: [StyledRun] = []
    var current: StyledRun?
    for column in 0..<width {
      let cell = self[column, row]
      if cell.isContinuation { continue }
      if var run = current, run.style == cell.style {
        run.text += cell.text
        current = run
      } else {
        if let run = current { runs.append(run) }
        current = StyledRun(x: column, text: cell.text, style: cell.style)
      }
    }
    if let run = current { runs.append(run) }
    return runs
  }

  /// Blanks the other half of any wide character that the columns being written would split.
  private mutating func clear(column: Int, row: Int, columns: Int) {
    let base = row * width
    let first = column
    let last = column + columns - 1
    if cells[base + first].isContinuation, first > 0 {
      cells[base + first - 1] = Cell(" ", style: cells[base + first - 1].style)
    }
    if cells[base + last].width == 2, last + 1 < width {
      cells[base + last + 1] = Cell(" ", style: cells[base + last + 1].style)
    }
  }
}

/// Text on one row that shares a style, starting at column `x`.
public struct StyledRun: Sendable, Hashable {
  public var x: Int
  public var text: String
  public var style: Style
}
