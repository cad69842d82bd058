import Foundation
import GraphModels
import TerminalCore

/// A failure shown to the user: one line, never a stack trace, never a token.
public struct AppError: Error, Sendable, Hashable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}

/// Everything that can happen to the interface, in the order it happened.
///
/// Keys, terminal changes, Graph answers, upload events and clock ticks all become actions;
/// `reduce` is the only thing that changes `AppState`.
public enum Action: Sendable {
  /// A key press; the binding table decides what it means in the current context.
  case key(KeyEvent)
  /// A command, as if its key had been pressed.
  case command(Command)
  case resized(Size)
  /// Time passed (frame clock): ETAs, countdowns and message expiry move.
  case tick(Date)
  case signal(TerminalSignal)

  case listsLoaded(Result<[TodoTaskList], AppError>)
  case tasksLoaded(listID: String, Result<[TodoTask], AppError>)
  /// One page of a list's tasks as it arrives (`first`: the load's first page; `more`: pages
  /// follow). A failure after some pages comes as `tasksLoaded(.failure)`.
  case tasksPage(listID: String, [TodoTask], first: Bool, more: Bool)
  /// Lists from the offline cache at start, stored at `savedAt` (Graph's answer replaces them).
  case cachedListsLoaded([TodoTaskList], savedAt: Date)
  /// The last-seen tasks of a list from the offline cache at start.
  case cachedTasksLoaded(listID: String, [TodoTask], savedAt: Date)
  case attachmentsLoaded(listID: String, taskID: String, Result<[TaskFileAttachment], AppError>)
  case directoryListed(path: String, Result<[DirectoryEntry], AppError>)
  case attachmentDownloaded(name: String, Result<String, AppError>)
  case attachmentDeleted(listID: String, taskID: String, name: String, Result<Void, AppError>)

  /// Uploads the engine accepted (new from the picker, or resumed from the journal).
  case uploadsQueued([QueuedUpload])
  /// The uploads the engine holds as the interface attaches to it; `background`: they outlive
  /// this process (the upload agent), so quitting may leave them running.
  case uploadsAttached([QueuedUpload], background: Bool)
  /// Files the engine refused before starting (too large, unreadable, …).
  case uploadsRejected([AppError])
  case upload(UploadEvent, at: Date)
  /// The engine's cap on upload bytes per second (nil: none), reported when it starts.
  case bandwidthLimit(Int?)
  /// Unfinished uploads in the journal at start-up.
  case journalFound([JournaledUpload])
  /// Nobody is signed in: the runtime is asking for a device code.
  case signInStarted
  /// The code to show, received at `at`.
  case signInPrompted(DeviceCodeResponse, at: Date)
  case signInFinished(Result<Void, AppError>)
  /// Something the user should know though nothing failed (a long wait for Graph, items of a
  /// listing left out); shown until `until` (a wait's end), or for a few seconds.
  case notice(String, until: Date?)
  /// Graph answered a task, step or list write (Reducer+Tasks).
  case edited(EditResult)
  /// An answer to an effect issued while account switch `generation` was current: reduced
  /// only while it still is (Reducer+Accounts).
  indirect case fromAccount(generation: Int, Action)
}

/// Work for the runtime to do; its results come back as actions.
public enum Effect: Sendable, Hashable {
  case loadLists
  /// Load a list's tasks; the answer is `tasksPage`s (or one `tasksLoaded`).
  case loadTasks(listID: String)
  /// The user left the list while its tasks were loading: stop fetching its pages.
  case stopLoadingTasks(listID: String)
  case loadAttachments(listID: String, taskID: String)
  /// List `path`; the answer is `directoryListed`.
  case listDirectory(path: String)
  /// Queue these files for `target`; the answer is `uploadsQueued` and/or `uploadsRejected`.
  case startUploads(paths: [String], target: AttachTarget)
  case pauseUpload(UploadID)
  case resumeUpload(UploadID)
  case cancelUpload(UploadID)
  case retryUpload(UploadID)
  case resumeJournaled([UploadID])
  case discardJournaled([UploadID])
  /// Cap the bytes per second of every upload together (nil: no cap), from the next piece on.
  case setBandwidthLimit(Int?)
  /// Save an attachment into `directory`; the answer is `attachmentDownloaded`.
  case downloadAttachment(
    listID: String, taskID: String, attachmentID: String, name: String,
    directory: String)
  case deleteAttachment(listID: String, taskID: String, attachmentID: String, name: String)
  /// Write a task, step or list (or load steps); the answer is `edited`.
  case edit(EditEffect)
  /// Show account `id` from now on: its lists load under switch `generation`.
  case switchAccount(id: String, generation: Int)
  /// Redraw every cell on the next frame (Ctrl-L).
  case repaint
  /// Give the terminal back to the shell until continued (Ctrl-Z).
  case suspend
  /// Restore the terminal and exit, doing `uploads` with the uploads first.
  case quit(QuitUploads)
  /// Exit now; the journal lets the next start resume.
  case forceQuit
}

/// What quitting does with the uploads.
public enum QuitUploads: Sendable, Hashable {
  /// Keep them safe: uploads that outlive this process (the agent's) go on in the background;
  /// in-process ones pause and stay journaled. A lost terminal (SIGHUP, SIGTERM) does this.
  case keep
  /// Pause them all (journal kept).
  case pause
  /// Cancel them all (sessions deleted, journal entries gone).
  case cancel
}
