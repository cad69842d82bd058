import Foundation
import GraphModels
import TerminalCore

/// A value that is fetched: not asked for yet, on its way, there, or failed with a reason.
public enum Loadable<Value: Sendable & Hashable>: Sendable, Hashable {
  case idle
  case loading
  case loaded(Value)
  case failed(String)

  /// The value when loaded.
  public var value: Value? {
    if case .loaded(let value) = self { return value }
    return nil
  }
}

/// The panes of the main screen, in Tab order.
public enum Pane: Sendable, Hashable, CaseIterable {
  case lists
  case tasks
  case attachments
  /// The selected task's steps (checklist items), beside its attachments.
  case steps
  case uploads
}

/// A one-line message on the status line.
public struct StatusMessage: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case info
    case error
  }

  public var text: String
  public var kind: Kind
  /// When the message goes away by itself (errors stay until the next key).
  public var expires: Date?

  public init(_ text: String, kind: Kind = .info, expires: Date? = nil) {
    self.text = text
    self.kind = kind
    self.expires = expires
  }
}

/// A modal on top of the main screen.
public enum Overlay: Sendable, Hashable {
  /// The key reference generated from the binding table; the value is its scroll offset.
  case help(offset: Int)
  /// `q` while uploads run: quitting pauses them and keeps the journal, or (uploads in the
  /// agent) leaves them running, pauses or cancels them.
  case confirmQuit
  /// `D` on an attachment.
  case confirmDelete(listID: String, taskID: String, attachment: TaskFileAttachment)
  /// Journaled uploads found at start-up.
  case resumeOffer([JournaledUpload])
  /// Device-code sign-in on first use: the code to enter (nil while it is being requested).
  case signIn(SignInState)
  /// `A`: the signed-in accounts, the highlighted row's index (Reducer+Accounts).
  case accounts(selected: Int)
}

/// The sign-in modal: what to show while the user signs in on another device.
public struct SignInState: Sendable, Hashable {
  /// The code and where to enter it; nil until the sign-in service answered.
  public var code: DeviceCodeResponse?
  /// When the code stops working.
  public var expires: Date?
  /// Why the sign-in failed, if it did (the modal then only offers quitting).
  public var failure: String?

  public init(code: DeviceCodeResponse? = nil, expires: Date? = nil, failure: String? = nil) {
    self.code = code
    self.expires = expires
    self.failure = failure
  }
}

/// An unfinished upload found in the journal at start-up.
public struct JournaledUpload: Sendable, Hashable, Identifiable {
  public var id: UploadID
  public var name: String
  public var size: Int64
  public var acknowledged: Int64
  public var taskTitle: String?
  /// When the upload session expires; nil when unknown.
  public var expiration: Date?

  public init(
    id: UploadID, name: String, size: Int64, acknowledged: Int64, taskTitle: String? = nil,
    expiration: Date? = nil
  ) {
    self.id = id
    self.name = name
    self.size = size
    self.acknowledged = acknowledged
    self.taskTitle = taskTitle
    self.expiration = expiration
  }
}

/// A place to attach files to: the task the picker was opened on.
public struct AttachTarget: Sendable, Hashable {
  public var listID: String
  public var taskID: String
  public var listName: String
  public var taskTitle: String

  public init(listID: String, taskID: String, listName: String, taskTitle: String) {
    self.listID = listID
    self.taskID = taskID
    self.listName = listName
    self.taskTitle = taskTitle
  }
}

/// Text typed after `/`: rows are kept when they contain it (`TextFolding`: case- and
/// accent-insensitive).
public struct FilterState: Sendable, Hashable {
  public var text: String {
    didSet { needle = TextFolding.fold(text) }
  }
  /// True while keys go into the text; false once Enter kept it.
  public var editing: Bool
  /// `text` folded once, not once per row.
  public private(set) var needle: String

  public init(text: String = "", editing: Bool = false) {
    self.text = text
    self.editing = editing
    self.needle = TextFolding.fold(text)
  }

  /// True when `candidate` passes the filter.
  public func matches(_ candidate: String) -> Bool {
    TextFolding.matches(candidate, folded: needle)
  }
}

/// The whole state of the interface: one value, changed only by `reduce`.
public struct AppState: Sendable {
  /// The terminal size the screen is laid out for.
  public var size: Size
  public var glyphs: GlyphSet
  /// The latest time the runtime reported (for ETAs, countdowns and message expiry).
  public var now: Date
  /// Shown in the header: `demo`, or the account.
  public var accountLabel: String
  /// The signed-in accounts and the one shown (`A` switches; Reducer+Accounts).
  public var accounts = AccountsState()
  /// Where the file picker starts: the working directory, then the last one used.
  public var pickerDirectory: String
  /// The user's home directory, for `~` in the picker.
  public var homeDirectory: String
  /// Where `d` saves attachments.
  public var downloadDirectory: String

  public var focus: Pane = .lists
  public var lists: Loadable<[TodoTaskList]> = .idle
  public var listsState = ListState()
  public var listsFilter = FilterState()
  /// The list whose tasks the tasks pane shows.
  public var openListID: String?
  public var tasks: [String: Loadable<[TodoTask]>] = [:] {
    // No `oldValue`: a page appended to a list is changed in place, not copied.
    didSet { tasksGeneration &+= 1 }
  }
  /// Moves on every change to `tasks`: `taskRows` are current while their key holds it.
  var tasksGeneration = 0
  /// The tasks pane's rows, kept in step with the list (TaskRows.swift).
  public internal(set) var taskRows = TaskRows()
  /// Lists whose tasks are arriving page by page (Reducer+Paging).
  public var taskLoads: [String: TaskLoad] = [:]
  public var tasksState = ListState()
  public var tasksFilter = FilterState()
  /// Panes showing the offline cache until Graph answers, and how old it is.
  public var cached = CachedPanes()
  /// Attachments by task id.
  public var attachments: [String: Loadable<[TaskFileAttachment]>] = [:]
  public var attachmentsState = ListState()
  /// Prompts, writes in flight, steps and the Completed group (Reducer+Tasks).
  public var edit = TaskEditState()
  public var uploads: [UploadRow] = []
  public var uploadsState = ListState()
  /// True when the shown account's uploads run in the upload agent and outlive the interface
  /// (each row says so for itself: another account's may run in this process).
  public var uploadsInBackground = false
  /// The engine's cap on upload bytes per second (`b` steps it, the uploads pane shows it).
  public var bandwidthCap: BandwidthCap = .unknown
  public var picker: FilePickerState?
  /// The global search (`F`), while open.
  public var search: SearchState?
  public var overlay: Overlay?
  public var status: StatusMessage?
  /// Ctrl-C presses since the last other key: the second one forces the quit.
  public var interrupts = 0
  /// Set once a quit effect was issued; the runtime stops after it.
  public var isQuitting = false

  /// The state at start-up, before anything is loaded.
  public init(
    size: Size = Size(width: 80, height: 24), glyphs: GlyphSet = .unicode,
    now: Date = Date(timeIntervalSince1970: 0), accountLabel: String = "",
    workingDirectory: String = "/", homeDirectory: String = "/"
  ) {
    self.size = size
    self.glyphs = glyphs
    self.now = now
    self.accountLabel = accountLabel
    self.pickerDirectory = workingDirectory
    self.homeDirectory = homeDirectory
    self.downloadDirectory = workingDirectory
  }

  // MARK: Derived values views and the reducer share

  /// Lists that pass the lists filter.
  public var visibleLists: [TodoTaskList] {
    (lists.value ?? []).filter { listsFilter.matches($0.displayName) }
  }

  /// The highlighted list.
  public var selectedList: TodoTaskList? {
    let visible = visibleLists
    return visible.indices.contains(listsState.selected) ? visible[listsState.selected] : nil
  }

  /// The list whose tasks are shown.
  public var openList: TodoTaskList? {
    guard let openListID else { return nil }
    return lists.value?.first { $0.id == openListID }
  }

  /// The open list's tasks, if loaded.
  public var openTasks: Loadable<[TodoTask]> {
    guard let openListID else { return .idle }
    return tasks[openListID] ?? .idle
  }

  /// The highlighted task.
  public var selectedTask: TodoTask? {
    let visible = visibleTasks
    return visible.indices.contains(tasksState.selected) ? visible[tasksState.selected] : nil
  }

  /// The selected task's attachments.
  public var selectedAttachments: Loadable<[TaskFileAttachment]> {
    guard let task = selectedTask else { return .idle }
    return attachments[task.id] ?? .idle
  }

  /// The highlighted attachment.
  public var selectedAttachment: TaskFileAttachment? {
    let all = selectedAttachments.value ?? []
    return all.indices.contains(attachmentsState.selected) ? all[attachmentsState.selected] : nil
  }

  /// The highlighted upload.
  public var selectedUpload: UploadRow? {
    uploads.indices.contains(uploadsState.selected) ? uploads[uploadsState.selected] : nil
  }

  /// Uploads that are still moving (queued, sending or waiting to retry).
  public var activeUploads: [UploadRow] {
    uploads.filter(\.phase.isActive)
  }

  /// Running uploads the agent will finish after the interface quits: the header says "in
  /// background" and `q` offers to leave them running.
  public var backgroundUploads: [UploadRow] {
    uploads.filter { $0.inBackground && $0.phase.isActive }
  }

  /// The filter being edited on the main screen, if any.
  public var editingFilter: FilterState? {
    switch focus {
    case .lists where listsFilter.editing: return listsFilter
    case .tasks where tasksFilter.editing: return tasksFilter
    default: return nil
    }
  }
}
