/// The selection and scroll position of a list, kept in app state between frames.
public struct ListState: Sendable, Hashable {
  /// The selected row (0 when the list is empty).
  public var selected: Int
  /// The first visible row.
  public var offset: Int

  /// A state with `selected` selected and `offset` scrolled.
  public init(selected: Int = 0, offset: Int = 0) {
    self.selected = selected
    self.offset = offset
  }

  /// Moves the selection by `delta` rows (clamped to the list) and scrolls it into view.
  public mutating func move(by delta: Int, count: Int, viewport: Int) {
    select(selected + delta, count: count, viewport: viewport)
  }

  /// Selects `index` (clamped to the list) and scrolls it into view.
  public mutating func select(_ index: Int, count: Int, viewport: Int) {
    selected = count == 0 ? 0 : min(max(0, index), count - 1)
    offset = visibleOffset(count: count, viewport: viewport)
  }

  /// Keeps the state valid after the list changed length or the viewport changed height.
  public mutating func clamp(count: Int, viewport: Int) {
    select(selected, count: count, viewport: viewport)
  }

  /// The offset to draw with: the stored one, moved as little as needed to show the selection.
  public func visibleOffset(count: Int, viewport: Int) -> Int {
    guard viewport > 0, count > 0 else { return 0 }
    var first = min(max(0, offset), max(0, count - viewport))
    let current = min(max(0, selected), count - 1)
    if current < first { first = current }
    if current >= first + viewport { first = current - viewport + 1 }
    return first
  }
}
