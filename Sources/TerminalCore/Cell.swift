/// One column of the screen: a printable scalar with any zero-width scalars that follow it.
///
/// A wide character is stored in its first column with `width == 2`; the column after it is a
/// continuation cell (`width == 0`, empty text) that the backend skips.
public struct Cell: Sendable, Hashable {
  /// The scalar and the combining marks, joiners or selectors attached to it.
  public var text: String
  public var style: Style
  /// 1 for a normal cell, 2 for the first column of a wide character, 0 for its second column.
  public var width: UInt8

  /// A cell holding `text` (one column unless `width` says otherwise).
  public init(_ text: String, style: Style = .normal, width: UInt8 = 1) {
    self.text = text
    self.style = style
    self.width = width
  }

  /// A space in the normal style.
  public static let blank = Cell(" ")

  /// True for the second column of a wide character.
  public var isContinuation: Bool { width == 0 }
}
