/// The characters the interface draws with: Unicode in a UTF-8 locale, ASCII otherwise.
///
/// Every glyph here is one column wide in both sets, so layouts do not depend on the set.
public struct GlyphSet: Sendable, Hashable {
  /// True for the Unicode set.
  public var isUnicode: Bool
  /// Ends text truncated to fit.
  public var ellipsis: String
  public var horizontal: String
  public var vertical: String
  public var topLeft: String
  public var topRight: String
  public var bottomLeft: String
  public var bottomRight: String
  /// Points at the selected row.
  public var pointer: String
  /// A row marked for a multi-selection.
  public var marked: String
  /// A row that could be marked but is not.
  public var unmarked: String
  /// A row that cannot be marked.
  public var unmarkable: String
  /// Shown where more rows exist above or below.
  public var moreAbove: String
  public var moreBelow: String
  /// A task that has attachments.
  public var attachment: String
  /// A completed task.
  public var done: String
  /// A task of high importance.
  public var important: String
  /// A gauge cell fully filled.
  public var gaugeFull: String
  /// Partial fills from 1/8 to 7/8 of a cell (empty in ASCII: cells round instead).
  public var gaugeEighths: [String]
  /// The filled part of a chunk being sent, in ASCII (Unicode uses `gaugeFull`).
  public var gaugeSending: String
  /// A chunk not sent yet.
  public var gaugePending: String
  /// A chunk waiting to be retried.
  public var gaugeRetrying: String
  /// Separates breadcrumb parts.
  public var separator: String
  /// Separates short facts on one line (`2 marked · 4 MB`).
  public var dot: String
  /// A directory in the file picker.
  public var directory: String

  /// Box drawing, eighth blocks and symbols from the BMP (no emoji: their widths disagree between
  /// glibc and modern terminals).
  public static let unicode = GlyphSet(
    isUnicode: true, ellipsis: "…", horizontal: "─", vertical: "│", topLeft: "┌",
    topRight: "┐", bottomLeft: "└", bottomRight: "┘", pointer: "▶", marked: "●",
    unmarked: "○", unmarkable: "✗", moreAbove: "▲", moreBelow: "▼", attachment: "⎘",
    done: "✓", important: "!", gaugeFull: "█",
    gaugeEighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉"], gaugeSending: "█", gaugePending: "░",
    gaugeRetrying: "▒", separator: "›", dot: "·", directory: "/")

  /// Printable ASCII only, for terminals whose locale is not UTF-8.
  public static let ascii = GlyphSet(
    isUnicode: false, ellipsis: "~", horizontal: "-", vertical: "|", topLeft: "+",
    topRight: "+", bottomLeft: "+", bottomRight: "+", pointer: ">", marked: "*",
    unmarked: " ", unmarkable: "x", moreAbove: "^", moreBelow: "v", attachment: "@",
    done: "x", important: "!", gaugeFull: "#", gaugeEighths: [], gaugeSending: "=",
    gaugePending: ".", gaugeRetrying: "!", separator: ">", dot: "-", directory: "/")
}
