import Foundation
import GraphModels

/// Writes to lists, tasks and steps. PATCH and DELETE are idempotent and retried by the
/// session's policy; a POST is never repeated blindly: a task POST whose answer was lost is
/// reconciled by listing the list's tasks.
extension GraphSession {
  /// How far the server's clock may lag ours when looking for a task a lost POST created.
  public static let reconcileClockSkew: TimeInterval = 120

  // MARK: Tasks

  /// `POST …/lists/{id}/tasks` (201). When the answer is lost (transport error, 429 or a 5xx),
  /// the list is searched for a task with the same title created after the request started; if
  /// one is there it is the result, otherwise the POST is sent again (at most the policy's
  /// retries, after its back-off).
  public func createTask(listID: String, draft: TaskDraft) async throws -> TodoTask {
    try await createTaskObject(listID: listID, draft: draft).decode(as: TodoTask.self)
  }

  /// `createTask`, returning the Graph object exactly as received (for `--json`).
  public func createTaskObject(listID: String, draft: TaskDraft) async throws -> JSONValue {
    let request = jsonRequest("POST", listPath(listID) + "/tasks", draft)
    var attempts = 0
    while true {
      let started = now()
      do {
        let response = try await send(request, options: RequestOptions(retry: .never))
        let object = try Self.decode(JSONValue.self, from: response.body, what: "task")
        guard (try? object.decode(as: TodoTask.self)) != nil else {
          throw GraphError.malformed("cannot read the created task")
        }
        return object
      } catch let error as GraphError where Self.answerMayBeLost(error) {
        logger.notice(
          "task POST answer lost; reconciling by listing", metadata: ["error": "\(error)"])
        if let created = try await findCreatedTask(
          listID: listID, title: draft.title, since: started)
        {
          return created
        }
        attempts += 1
        guard attempts <= retryPolicy.maxRetries else { throw error }
        let delay = retryPolicy.delay(attempt: attempts, retryAfter: nil, random: random)
        try await clock.sleep(
          for: .milliseconds(Int64((delay * 1000).rounded(.up))), tolerance: nil)
      }
    }
  }

  /// `PATCH …/tasks/{id}` (200 with the task); retried on 429/503/504 and transport errors.
  public func updateTask(listID: String, taskID: String, patch: TaskPatch) async throws -> TodoTask
  {
    try await patchJSON(TodoTask.self, taskPath(listID: listID, taskID: taskID), patch)
  }

  /// `DELETE …/tasks/{id}` (204).
  public func deleteTask(listID: String, taskID: String) async throws {
    try await idempotentDelete(taskPath(listID: listID, taskID: taskID))
  }

  /// The newest task titled `title` created at or after `since` (less the clock skew allowance).
  func findCreatedTask(listID: String, title: String, since: Date) async throws -> JSONValue? {
    let earliest = since.addingTimeInterval(-Self.reconcileClockSkew)
    var best: (object: JSONValue, created: Date)?
    for object in try await rawTasks(listID: listID).all() {
      guard let task = try? object.decode(as: TodoTask.self), task.title == title,
        let created = task.createdDateTime.flatMap(GraphDate.parse), created >= earliest
      else { continue }
      if best.map({ created > $0.created }) ?? true { best = (object, created) }
    }
    return best?.object
  }

  /// Whether a failed write may still have happened: no answer, or a server-side failure.
  static func answerMayBeLost(_ error: GraphError) -> Bool {
    switch error {
    case .transport(let transport): return isRetryable(transport)
    case .service(let status, _, _, _): return status == 429 || status >= 500
    default: return false
    }
  }

  // MARK: Lists

  /// `POST /me/todo/lists` (201). Not retried: a lost answer surfaces as an error.
  public func createList(displayName: String) async throws -> TodoTaskList {
    let request = jsonRequest("POST", "/me/todo/lists", TaskListPatch(displayName: displayName))
    let response = try await send(request, options: RequestOptions(retry: .never))
    return try Self.decode(TodoTaskList.self, from: response.body, what: "list")
  }

  /// `PATCH /me/todo/lists/{id}` with a new name.
  public func renameList(listID: String, displayName: String) async throws -> TodoTaskList {
    try await patchJSON(
      TodoTaskList.self, listPath(listID), TaskListPatch(displayName: displayName))
  }

  /// `DELETE /me/todo/lists/{id}` (Graph refuses the well-known lists with 400).
  public func deleteList(listID: String) async throws {
    try await idempotentDelete(listPath(listID))
  }

  // MARK: Steps

  /// `…/tasks/{id}/checklistItems`
  public func checklistPath(listID: String, taskID: String) -> String {
    taskPath(listID: listID, taskID: taskID) + "/checklistItems"
  }

  /// Every step of a task.
  public func checklistItems(listID: String, taskID: String) -> GraphPages<ChecklistItem> {
    GraphPages(session: self, firstURL: url(checklistPath(listID: listID, taskID: taskID)))
  }

  /// `POST …/checklistItems` (201). Not retried.
  public func createChecklistItem(
    listID: String, taskID: String, displayName: String, isChecked: Bool = false
  ) async throws -> ChecklistItem {
    let body = ChecklistItemPatch(displayName: displayName, isChecked: isChecked ? true : nil)
    let request = jsonRequest("POST", checklistPath(listID: listID, taskID: taskID), body)
    let response = try await send(request, options: RequestOptions(retry: .never))
    return try Self.decode(ChecklistItem.self, from: response.body, what: "checklistItem")
  }

  /// `PATCH …/checklistItems/{id}`.
  public func updateChecklistItem(
    listID: String, taskID: String, itemID: String, patch: ChecklistItemPatch
  ) async throws -> ChecklistItem {
    try await patchJSON(
      ChecklistItem.self,
      checklistPath(listID: listID, taskID: taskID) + "/\(Self.segment(itemID))", patch)
  }

  /// `DELETE …/checklistItems/{id}`.
  public func deleteChecklistItem(listID: String, taskID: String, itemID: String) async throws {
    try await idempotentDelete(
      checklistPath(listID: listID, taskID: taskID) + "/\(Self.segment(itemID))")
  }

  // MARK: Building and sending

  /// A request with a JSON body.
  func jsonRequest(_ method: String, _ path: String, _ value: some Encodable) -> HTTPRequest {
    // Encoding these plain value types cannot fail.
    let body = (try? GraphJSON.encoder().encode(value)) ?? Data()
    return HTTPRequest(
      method: method, url: url(path),
      headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
      body: .bytes(body))
  }

  /// PATCH is idempotent (the same members set twice): retried like GET.
  func patchJSON<T: Decodable>(_ type: T.Type, _ path: String, _ value: some Encodable)
    async throws -> T
  {
    let response = try await send(
      jsonRequest("PATCH", path, value), options: RequestOptions(retry: .always))
    return try Self.decode(T.self, from: response.body, what: path)
  }

  /// DELETE, retried by the session's policy. A 404 after a lost first answer means the first
  /// attempt did the work, so it counts as done.
  func idempotentDelete(_ path: String) async throws {
    let request = HTTPRequest(method: "DELETE", url: url(path))
    do {
      _ = try await send(request, options: RequestOptions(retry: .never))
    } catch let error as GraphError where Self.answerMayBeLost(error) {
      do {
        _ = try await send(request)
      } catch GraphError.service(404, _, _, _) {
        return
      }
    }
  }
}
