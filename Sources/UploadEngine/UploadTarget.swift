/// Where an upload goes: a task of a list (names are for display only).
public struct UploadTarget: Sendable, Hashable {
  public var listID: String
  public var taskID: String
  public var listName: String?
  public var taskTitle: String?

  /// A target by ids; the names only label journal entries.
  public init(listID: String, taskID: String, listName: String? = nil, taskTitle: String? = nil) {
    self.listID = listID
    self.taskID = taskID
    self.listName = listName
    self.taskTitle = taskTitle
  }
}
