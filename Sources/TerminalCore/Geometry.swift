/// A terminal size in columns and rows.
public struct Size: Sendable, Hashable, CustomStringConvertible {
  public var width: Int
  public var height: Int

  /// A size of `width` columns by `height` rows.
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }

  public var description: String { "\(width)×\(height)" }
}

/// A rectangle of cells; `x`, `y` is the top-left corner.
public struct Rect: Sendable, Hashable, CustomStringConvertible {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  /// A rectangle; negative sizes are stored as 0.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = max(0, width)
    self.height = max(0, height)
  }

  public var description: String { "(\(x),\(y) \(width)×\(height))" }

  /// True when the rectangle holds no cell.
  public var isEmpty: Bool { width == 0 || height == 0 }
  /// One past the last column.
  public var maxX: Int { x + width }
  /// One past the last row.
  public var maxY: Int { y + height }

  /// The rectangle shrunk by `amount` cells on every side.
  public func inset(by amount: Int) -> Rect {
    Rect(x: x + amount, y: y + amount, width: width - 2 * amount, height: height - 2 * amount)
  }

  /// The row `index` (from the top) as a one-row rectangle.
  public func row(_ index: Int) -> Rect {
    Rect(x: x, y: y + index, width: width, height: index < height ? 1 : 0)
  }

  /// Splits into a top part of `height` rows (clamped) and the rest.
  public func splitTop(_ rows: Int) -> (top: Rect, bottom: Rect) {
    let top = min(max(0, rows), height)
    return (
      Rect(x: x, y: y, width: width, height: top),
      Rect(x: x, y: y + top, width: width, height: height - top)
    )
  }

  /// Splits into a bottom part of `rows` rows (clamped) and the rest above it.
  public func splitBottom(_ rows: Int) -> (top: Rect, bottom: Rect) {
    splitTop(height - min(max(0, rows), height))
  }

  /// Splits into a left part of `columns` columns (clamped) and the rest.
  public func splitLeft(_ columns: Int) -> (left: Rect, right: Rect) {
    let left = min(max(0, columns), width)
    return (
      Rect(x: x, y: y, width: left, height: height),
      Rect(x: x + left, y: y, width: width - left, height: height)
    )
  }

  /// A rectangle of at most `width`×`height` centred in this one.
  public func centered(width: Int, height: Int) -> Rect {
    let w = min(width, self.width)
    let h = min(height, self.height)
    return Rect(x: x + (self.width - w) / 2, y: y + (self.height - h) / 2, width: w, height: h)
  }

  /// The overlap of two rectangles (empty when they do not meet).
  public func intersection(_ other: Rect) -> Rect {
    let left = max(x, other.x)
    let top = max(y, other.y)
    return Rect(
      x: left, y: top, width: min(maxX, other.maxX) - left, height: min(maxY, other.maxY) - top)
  }
}
