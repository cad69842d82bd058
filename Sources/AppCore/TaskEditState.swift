import Foundation
import GraphModels
import TerminalCore

/// A question that takes typed text (or a yes/no) before a write: new task, rename, due date, …
public struct Prompt: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    case newTask(listID: String)
    case renameTask(listID: String, taskID: String)
    case dueDate(listID: String, taskID: String)
    /// Yes or no, naming the task.
    case deleteTask(listID: String, taskID: String, title: String)
    case newStep(listID: String, taskID: String)
    case renameStep(listID: String, taskID: String, itemID: String)
    case newList
    case renameList(listID: String)
    /// Deleting a list asks for its name, typed.
    case deleteList(listID: String, name: String)
  }

  public var kind: Kind
  public var editor: LineEditor

  public init(_ kind: Kind, text: String = "") {
    self.kind = kind
    self.editor = LineEditor(text)
  }

  /// False for the yes/no question: keys answer it instead of typing.
  public var takesText: Bool {
    if case .deleteTask = kind { return false }
    return true
  }
}

/// A write sent to Graph whose answer has not come: what to put back if it fails.
public struct PendingWrite<Value: Sendable & Hashable>: Sendable, Hashable {
  /// The list the row is in (empty for a list itself).
  public var listID: String
  /// The row as it was; nil for one that is being created.
  public var before: Value?
  /// Where a deleted row stood, to put it back there.
  public var index: Int

  public init(listID: String, before: Value?, index: Int = 0) {
    self.listID = listID
    self.before = before
    self.index = index
  }
}

/// Task, step and list writes (and loading steps), for the runtime to send through GraphSession.
public enum EditEffect: Sendable, Hashable {
  case createTask(listID: String, tempID: String, draft: TaskDraft)
  case updateTask(listID: String, taskID: String, patch: TaskPatch)
  case deleteTask(listID: String, taskID: String)
  case loadSteps(listID: String, taskID: String)
  case createStep(listID: String, taskID: String, tempID: String, name: String)
  case updateStep(listID: String, taskID: String, itemID: String, patch: ChecklistItemPatch)
  case createList(tempID: String, name: String)
  case renameList(listID: String, name: String)
  case deleteList(listID: String)
}

/// Graph's answers to `EditEffect`s.
public enum EditResult: Sendable {
  case taskCreated(listID: String, tempID: String, Result<TodoTask, AppError>)
  case taskUpdated(listID: String, taskID: String, Result<TodoTask, AppError>)
  case taskDeleted(listID: String, taskID: String, Result<Void, AppError>)
  case stepsLoaded(taskID: String, Result<[ChecklistItem], AppError>)
  case stepCreated(taskID: String, tempID: String, Result<ChecklistItem, AppError>)
  case stepUpdated(taskID: String, itemID: String, Result<ChecklistItem, AppError>)
  case listCreated(tempID: String, Result<TodoTaskList, AppError>)
  case listRenamed(listID: String, Result<TodoTaskList, AppError>)
  case listDeleted(listID: String, Result<Void, AppError>)
}

/// The state of editing tasks, steps and lists from the keyboard.
public struct TaskEditState: Sendable {
  /// The open question, if any.
  public var prompt: Prompt?
  /// Writes in flight, by task id (a new task's temporary id until Graph names it).
  public var pending: [String: PendingWrite<TodoTask>] = [:]
  /// Step writes in flight, by step id.
  public var pendingSteps: [String: PendingWrite<ChecklistItem>] = [:]
  /// List writes in flight, by list id.
  public var pendingLists: [String: PendingWrite<TodoTaskList>] = [:]
  /// Whether the "Completed (N)" group is open.
  public var showCompleted = true
  /// Steps by task id.
  public var steps: [String: Loadable<[ChecklistItem]>] = [:]
  public var stepsState = ListState()
  /// The zone "today" is read in (the runtime sets the user's; tests set one).
  public var timeZone = TimeZone(identifier: "UTC") ?? .current
  /// Numbers temporary ids for rows Graph has not named yet.
  public var nextTemporary = 1

  public init() {}

  /// A fresh temporary id.
  mutating func temporaryID(_ kind: String) -> String {
    defer { nextTemporary += 1 }
    return Self.temporaryPrefix + "\(kind)-\(nextTemporary)"
  }

  static let temporaryPrefix = "pending-"

  /// True for the id of a row Graph has not created yet (nothing can be attached to it).
  static func isTemporary(_ id: String) -> Bool { id.hasPrefix(temporaryPrefix) }
}
