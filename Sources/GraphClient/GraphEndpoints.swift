import Foundation
import GraphModels

extension GraphSession {
  // MARK: Paths

  /// `/me/todo/lists/{listID}`
  public func listPath(_ listID: String) -> String {
    "/me/todo/lists/\(Self.segment(listID))"
  }

  /// `/me/todo/lists/{listID}/tasks/{taskID}`
  public func taskPath(listID: String, taskID: String) -> String {
    listPath(listID) + "/tasks/\(Self.segment(taskID))"
  }

  /// `/me/todo/lists/{listID}/tasks/{taskID}/attachments/{attachmentID}`
  public func attachmentPath(listID: String, taskID: String, attachmentID: String) -> String {
    taskPath(listID: listID, taskID: taskID) + "/attachments/\(Self.segment(attachmentID))"
  }

  private var topQuery: [(String, String)] { [("$top", String(pageSize))] }

  // MARK: Collections

  /// All lists, with `$top` (without it Graph has been seen to omit `@odata.nextLink`).
  public func lists() -> GraphPages<TodoTaskList> {
    GraphPages(session: self, firstURL: url("/me/todo/lists", query: topQuery))
  }

  /// The tasks of a list.
  public func tasks(listID: String) -> GraphPages<TodoTask> {
    GraphPages(session: self, firstURL: url(listPath(listID) + "/tasks", query: topQuery))
  }

  /// The attachments of a task (without `contentBytes`).
  public func attachments(listID: String, taskID: String) -> GraphPages<TaskFileAttachment> {
    GraphPages(
      session: self, firstURL: url(taskPath(listID: listID, taskID: taskID) + "/attachments"))
  }

  /// Raw Graph objects, exactly as received, for `--json` output.
  public func rawLists() -> GraphPages<JSONValue> {
    GraphPages(session: self, firstURL: url("/me/todo/lists", query: topQuery))
  }

  /// Raw task objects of a list.
  public func rawTasks(listID: String) -> GraphPages<JSONValue> {
    GraphPages(session: self, firstURL: url(listPath(listID) + "/tasks", query: topQuery))
  }

  /// Raw attachment objects of a task.
  public func rawAttachments(listID: String, taskID: String) -> GraphPages<JSONValue> {
    GraphPages(
      session: self, firstURL: url(taskPath(listID: listID, taskID: taskID) + "/attachments"))
  }

  // MARK: Single objects

  /// One task.
  public func task(listID: String, taskID: String) async throws -> TodoTask {
    try await getJSON(TodoTask.self, url: url(taskPath(listID: listID, taskID: taskID)))
  }

  /// One attachment including `contentBytes`; accepts the entity at top level or wrapped in
  /// `{"value": {...}}` (the docs show both).
  public func attachment(listID: String, taskID: String, attachmentID: String) async throws
    -> TaskFileAttachment
  {
    let target = url(attachmentPath(listID: listID, taskID: taskID, attachmentID: attachmentID))
    let response = try await send(HTTPRequest(method: "GET", url: target))
    do {
      return try TaskFileAttachment.decodeSingle(from: response.body)
    } catch {
      throw GraphError.malformed("cannot read the attachment (\(response.body.count) bytes)")
    }
  }

  /// An attachment's raw bytes (`…/$value`); the caller decides where they go (the TUI saves
  /// them through `LiveRuntimeEngine`).
  public func downloadAttachment(
    listID: String, taskID: String, attachmentID: String
  ) async throws -> Data {
    let target =
      url(attachmentPath(listID: listID, taskID: taskID, attachmentID: attachmentID)) + "/$value"
    let response = try await send(
      HTTPRequest(method: "GET", url: target, headers: [(name: "Accept", value: "*/*")]))
    return response.body
  }

  /// Deletes an attachment (204).
  public func deleteAttachment(listID: String, taskID: String, attachmentID: String) async throws {
    let target = url(attachmentPath(listID: listID, taskID: taskID, attachmentID: attachmentID))
    _ = try await send(HTTPRequest(method: "DELETE", url: target))
  }

  /// `POST …/attachments` with a small file attachment (`contentBytes` base64, under 3 MB).
  public func smallAttachmentRequest(
    listID: String, taskID: String, name: String, contentType: String, contentBytes: Data
  ) -> HTTPRequest {
    let object: JSONValue = .object([
      "@odata.type": .string("#microsoft.graph.taskFileAttachment"),
      "name": .string(name), "contentBytes": .string(contentBytes.base64EncodedString()),
      "contentType": .string(contentType),
    ])
    return jsonPost(taskPath(listID: listID, taskID: taskID) + "/attachments", object)
  }

  func jsonPost(_ path: String, _ value: some Encodable) -> HTTPRequest {
    jsonRequest("POST", path, value)
  }
}
