import Foundation
import GraphModels

/// A task's steps: `…/tasks/{task}/checklistItems` and `…/checklistItems/{item}`.
struct ChecklistItemsResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case all(listID: String, taskID: String)
    case one(listID: String, taskID: String, itemID: String)
  }

  static func match(_ path: TodoPath) -> Route? {
    guard path.word(1) == "tasks", path.word(3) == "checklistitems" else { return nil }
    switch path.count {
    case 4: return .all(listID: path[0], taskID: path[2])
    case 5: return .one(listID: path[0], taskID: path[2], itemID: path[4])
    default: return nil
    }
  }

  func respond(_ route: Route, _ call: Call) async -> Handler.Outcome {
    switch (call.method, route) {
    case (.get, .all(let listID, let taskID)): return await all(listID, taskID, call)
    case (.post, .all(let listID, let taskID)): return await create(listID, taskID, call)
    case (.get, .one(let listID, let taskID, let itemID)):
      guard
        let item = await store.taggedChecklistItems(listID: listID, taskID: taskID)?.first(where: {
          $0.value.id == itemID
        })
      else { return call.notFound("checklistItem") }
      return .respond(call.out.json(.ok, entity(item, listID, taskID, call)))
    case (.patch, .one(let listID, let taskID, let itemID)):
      return await update(listID, taskID, itemID, call)
    case (.delete, .one(let listID, let taskID, let itemID)):
      guard
        await store.deleteChecklistItem(
          listID: listID, taskID: taskID, itemID: itemID, now: call.out.now)
      else { return call.notFound("checklistItem") }
      return await call.committed(call.out.empty(.noContent))
    default: return call.notAllowed()
    }
  }

  private func context(_ listID: String, _ taskID: String) -> String {
    "$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks('\(taskID)')/checklistItems"
  }

  private func all(_ listID: String, _ taskID: String, _ call: Call) async -> Handler.Outcome {
    guard let items = await store.taggedChecklistItems(listID: listID, taskID: taskID) else {
      return call.notFound("task")
    }
    return .respond(
      call.page(
        items, options: options, context: "\(call.base)/\(context(listID, taskID))",
        fields: { Self.field($0.value, $1) }
      ) { .object(Self.members($0)) })
  }

  private func create(_ listID: String, _ taskID: String, _ call: Call) async -> Handler.Outcome {
    guard await store.task(listID: listID, taskID: taskID) != nil else {
      return call.notFound("task")
    }
    let patch: ChecklistItemPatch
    do { patch = try await WriteBodies.checklistItem(call, creating: true) } catch {
      return .respond(error.answer)
    }
    guard
      let item = await store.createChecklistItem(
        listID: listID, taskID: taskID, displayName: patch.displayName ?? "",
        isChecked: patch.isChecked ?? false, now: call.out.now)
    else { return call.notFound("task") }
    return await call.committed(call.out.json(.created, entity(item, listID, taskID, call)))
  }

  private func update(_ listID: String, _ taskID: String, _ itemID: String, _ call: Call) async
    -> Handler.Outcome
  {
    guard
      await store.checklistItems(listID: listID, taskID: taskID)?.contains(where: {
        $0.id == itemID
      }) == true
    else { return call.notFound("checklistItem") }
    let patch: ChecklistItemPatch
    do { patch = try await WriteBodies.checklistItem(call, creating: false) } catch {
      return .respond(error.answer)
    }
    guard
      let item = await store.updateChecklistItem(
        listID: listID, taskID: taskID, itemID: itemID, patch: patch, now: call.out.now)
    else { return call.notFound("checklistItem") }
    return await call.committed(call.out.json(.ok, entity(item, listID, taskID, call)))
  }

  private func entity(
    _ item: EmulatorStore.Tagged<ChecklistItem>, _ listID: String, _ taskID: String, _ call: Call
  )
    -> JSONValue
  {
    var value = Self.members(item)
    value["@odata.context"] = .string("\(call.base)/\(context(listID, taskID))/$entity")
    return .object(value)
  }

  /// A step as JSON with its etag.
  static func members(_ item: EmulatorStore.Tagged<ChecklistItem>) -> [String: JSONValue] {
    var value = GraphObject.members(item.value)
    value["@odata.etag"] = .string(item.etag)
    return value
  }

  /// A step's value for `$filter`.
  static func field(_ item: ChecklistItem, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return item.id
    case "displayname": return item.displayName
    case "ischecked": return String(item.isChecked ?? false)
    default: return nil
    }
  }
}
