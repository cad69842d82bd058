import Foundation

/// The body of `POST …/lists/{id}/tasks`: a new task. Absent values are left to Graph's defaults.
public struct TaskDraft: Codable, Sendable, Hashable {
  public var title: String
  /// `low`, `normal` or `high`.
  public var importance: String?
  public var body: ItemBody?
  public var dueDateTime: DateTimeTimeZone?
  public var status: String?

  public init(
    title: String, importance: String? = nil, body: ItemBody? = nil,
    dueDateTime: DateTimeTimeZone? = nil, status: String? = nil
  ) {
    self.title = title
    self.importance = importance
    self.body = body
    self.dueDateTime = dueDateTime
    self.status = status
  }
}

/// The body of `PATCH …/tasks/{id}`: only the members set here are sent; `clearDueDate` sends
/// `"dueDateTime": null`, which removes the due date.
public struct TaskPatch: Encodable, Sendable, Hashable {
  public var title: String?
  /// `notStarted`, `inProgress`, `completed`, `waitingOnOthers` or `deferred`.
  public var status: String?
  public var importance: String?
  public var body: ItemBody?
  public var dueDateTime: DateTimeTimeZone?
  public var clearDueDate: Bool

  public init(
    title: String? = nil, status: String? = nil, importance: String? = nil, body: ItemBody? = nil,
    dueDateTime: DateTimeTimeZone? = nil, clearDueDate: Bool = false
  ) {
    self.title = title
    self.status = status
    self.importance = importance
    self.body = body
    self.dueDateTime = dueDateTime
    self.clearDueDate = clearDueDate
  }

  enum CodingKeys: String, CodingKey {
    case title, status, importance, body, dueDateTime
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encodeIfPresent(title, forKey: .title)
    try container.encodeIfPresent(status, forKey: .status)
    try container.encodeIfPresent(importance, forKey: .importance)
    try container.encodeIfPresent(body, forKey: .body)
    if let dueDateTime {
      try container.encode(dueDateTime, forKey: .dueDateTime)
    } else if clearDueDate {
      try container.encodeNil(forKey: .dueDateTime)
    }
  }
}

/// A step of a task (`checklistItem`).
public struct ChecklistItem: Codable, Sendable, Hashable, Identifiable {
  public var id: String
  public var displayName: String
  public var isChecked: Bool?
  public var createdDateTime: String?
  /// Set by Graph when the step is checked.
  public var checkedDateTime: String?

  public init(
    id: String, displayName: String, isChecked: Bool? = false, createdDateTime: String? = nil,
    checkedDateTime: String? = nil
  ) {
    self.id = id
    self.displayName = displayName
    self.isChecked = isChecked
    self.createdDateTime = createdDateTime
    self.checkedDateTime = checkedDateTime
  }
}

/// The body of `POST` or `PATCH …/checklistItems[/{id}]`; only the members set are sent
/// (a POST needs `displayName`).
public struct ChecklistItemPatch: Codable, Sendable, Hashable {
  public var displayName: String?
  public var isChecked: Bool?

  public init(displayName: String? = nil, isChecked: Bool? = nil) {
    self.displayName = displayName
    self.isChecked = isChecked
  }
}

/// The body of `POST /me/todo/lists` and `PATCH …/lists/{id}`.
public struct TaskListPatch: Codable, Sendable, Hashable {
  public var displayName: String

  public init(displayName: String) { self.displayName = displayName }
}

/// Task field values Graph accepts, in one place for the client and the emulator.
public enum TodoValues {
  public static let statuses = [
    "notStarted", "inProgress", "completed", "waitingOnOthers", "deferred",
  ]
  public static let importances = ["low", "normal", "high"]
  /// Lists Graph keeps whatever the user does (they cannot be deleted).
  public static let wellKnownLists = ["defaultList", "flaggedEmails"]
}
