import Foundation
import GraphModels

/// Tasks: `me/todo/lists/{list}/tasks` and `…/tasks/{task}`.
struct TasksResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case all(listID: String)
    case one(listID: String, taskID: String)
  }

  static func match(_ path: TodoPath) -> Route? {
    guard path.word(1) == "tasks" else { return nil }
    switch path.count {
    case 2: return .all(listID: path[0])
    case 3: return .one(listID: path[0], taskID: path[2])
    default: return nil
    }
  }

  func respond(_ route: Route, _ call: Call) async -> Handler.Outcome {
    switch (call.method, route) {
    case (.get, .all(let listID)): return await all(listID, call)
    case (.get, .one(let listID, let taskID)): return await one(listID, taskID, call)
    case (.post, .all(let listID)): return await create(listID, call)
    case (.patch, .one(let listID, let taskID)): return await update(listID, taskID, call)
    case (.delete, .one(let listID, let taskID)):
      guard await store.deleteTask(listID: listID, taskID: taskID) else {
        return call.notFound("task")
      }
      return await call.committed(call.out.empty(.noContent))
    default: return call.notAllowed()
    }
  }

  private func context(_ listID: String) -> String {
    "$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks"
  }

  private func all(_ listID: String, _ call: Call) async -> Handler.Outcome {
    guard let records = await store.taskRecords(listID: listID) else {
      return call.notFound("list")
    }
    let tasks = records.lazy.map(EmulatorStore.tagged)
    return .respond(
      call.page(
        tasks, options: options, context: "\(call.base)/\(context(listID))",
        fields: { Self.field($0.value, $1) }
      ) { .object(Self.members($0)) })
  }

  private func one(_ listID: String, _ taskID: String, _ call: Call) async -> Handler.Outcome {
    guard let task = await store.taggedTask(listID: listID, taskID: taskID) else {
      return call.notFound("task")
    }
    return .respond(call.out.json(.ok, entity(task, listID, call)))
  }

  private func create(_ listID: String, _ call: Call) async -> Handler.Outcome {
    guard await store.hasList(listID) else { return call.notFound("list") }
    let changes: TaskChanges
    do { changes = try await WriteBodies.task(call, creating: true) } catch {
      return .respond(error.answer)
    }
    guard let task = await store.createTask(listID: listID, changes: changes, now: call.out.now)
    else { return call.notFound("list") }
    return await call.committed(call.out.json(.created, entity(task, listID, call)))
  }

  private func update(_ listID: String, _ taskID: String, _ call: Call) async -> Handler.Outcome {
    guard await store.task(listID: listID, taskID: taskID) != nil else {
      return call.notFound("task")
    }
    let changes: TaskChanges
    do { changes = try await WriteBodies.task(call, creating: false) } catch {
      return .respond(error.answer)
    }
    guard
      let task = await store.updateTask(
        listID: listID, taskID: taskID, changes: changes, now: call.out.now)
    else { return call.notFound("task") }
    return await call.committed(call.out.json(.ok, entity(task, listID, call)))
  }

  private func entity(_ task: EmulatorStore.Tagged<TodoTask>, _ listID: String, _ call: Call)
    -> JSONValue
  {
    var value = Self.members(task)
    value["@odata.context"] = .string("\(call.base)/\(context(listID))/$entity")
    return .object(value)
  }

  /// A task as JSON with its etag.
  static func members(_ task: EmulatorStore.Tagged<TodoTask>) -> [String: JSONValue] {
    var value = GraphObject.members(task.value)
    value["@odata.etag"] = .string(task.etag)
    return value
  }

  /// A task's value for `$filter`.
  static func field(_ task: TodoTask, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return task.id
    case "title": return task.title
    case "status": return task.status
    case "importance": return task.importance
    case "body/content": return task.body?.content
    case "duedatetime/datetime": return task.dueDateTime?.dateTime
    case "completeddatetime/datetime": return task.completedDateTime?.dateTime
    case "hasattachments": return task.hasAttachments.map(String.init)
    default: return nil
    }
  }
}
