import TerminalCore

/// Where each part of the screen goes at a given size; views and the reducer share it, so list
/// scrolling in state matches what is drawn.
public struct Layout: Sendable, Hashable {
  /// The smallest size the main screen is drawn at.
  public static let minimum = Size(width: 80, height: 24)

  public var header: Rect
  public var lists: Rect
  public var tasks: Rect
  public var attachments: Rect
  /// The selected task's steps, right of its attachments; empty while not shown.
  public var steps: Rect
  /// Empty while there are no uploads.
  public var uploads: Rect
  public var status: Rect
  public var footer: Rect
  /// The file picker modal.
  public var picker: Rect
  /// The help overlay.
  public var help: Rect

  /// The layout for `size` with `uploadCount` rows in the uploads pane.
  public init(size: Size, uploadCount: Int, showsSteps: Bool = false) {
    let screen = Rect(x: 0, y: 0, width: size.width, height: size.height)
    var (header, rest) = screen.splitTop(1)
    let footerSplit = rest.splitBottom(1)
    footer = footerSplit.bottom
    let statusSplit = footerSplit.top.splitBottom(1)
    status = statusSplit.bottom
    rest = statusSplit.top
    self.header = header
    if uploadCount > 0 {
      // Frame, column titles, and up to a third of the body for rows.
      let rows = min(uploadCount, max(2, rest.height / 3 - 3))
      let split = rest.splitBottom(rows + 3)
      uploads = split.bottom
      rest = split.top
    } else {
      uploads = Rect(x: 0, y: rest.maxY, width: size.width, height: 0)
    }
    let listsWidth = min(36, max(22, size.width * 3 / 10))
    let (left, right) = rest.splitLeft(listsWidth)
    lists = left
    let attachmentHeight = right.height >= 14 ? 7 : 5
    let split = right.splitBottom(attachmentHeight)
    tasks = split.top
    attachments = split.bottom
    steps = Rect(x: split.bottom.maxX, y: split.bottom.y, width: 0, height: split.bottom.height)
    if showsSteps {
      (attachments, steps) = split.bottom.splitLeft(split.bottom.width * 11 / 20)
    }
    picker = screen.inset(by: 1).centered(
      width: max(60, size.width - 8), height: max(12, size.height - 4))
    help = screen.centered(width: min(size.width - 4, 76), height: size.height - 2)
  }

  /// The layout for `state`.
  public init(_ state: AppState) {
    self.init(size: state.size, uploadCount: state.uploads.count, showsSteps: state.showsSteps)
  }

  /// True when the terminal is too small for the main screen.
  public static func isTooSmall(_ size: Size) -> Bool {
    size.width < minimum.width || size.height < minimum.height
  }

  /// Data rows visible in the lists pane (inside its frame).
  public var listsViewport: Int { max(1, lists.height - 2) }
  /// Data rows visible in the tasks pane (inside its frame, no column titles).
  public var tasksViewport: Int { max(1, tasks.height - 2) }
  /// Data rows visible in the attachments pane (frame and column titles).
  public var attachmentsViewport: Int { max(1, attachments.height - 3) }
  /// Steps visible in the steps pane (inside its frame).
  public var stepsViewport: Int { max(1, steps.height - 2) }
  /// Data rows visible in the uploads pane (frame and column titles).
  public var uploadsViewport: Int { max(1, uploads.height - 3) }
  /// Entries visible in the picker (frame, path row, totals row).
  public var pickerViewport: Int { max(1, picker.height - 4) }
  /// Lines visible in the help overlay (frame).
  public var helpViewport: Int { max(1, help.height - 2) }
}
