/// The role of a piece of text; the backend maps each role to colours or attributes.
///
/// Roles, not colours, so that `NO_COLOR` and colourless terminals get an attribute-only theme and
/// every state stays readable through glyphs and text as well.
public enum Style: UInt8, Sendable, Hashable, CaseIterable {
  case normal
  /// The highlighted row of the focused list (reverse video).
  case selected
  /// The highlighted row of a list without focus.
  case selectedInactive
  case dim
  case header
  case accent
  case error
  case ok
  case warn
  /// A chunk the server acknowledged.
  case barAcked
  /// The part of a chunk being sent.
  case barSending
  /// A chunk not sent yet.
  case barPending
  /// A chunk waiting to be retried.
  case barRetrying
}
