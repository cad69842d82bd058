import Foundation
import GraphModels

/// Task lists: `me/todo/lists` and `me/todo/lists/{list}`.
struct ListsResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case all
    case one(listID: String)
  }

  static func match(_ path: TodoPath) -> Route? {
    switch path.count {
    case 0: return .all
    case 1: return .one(listID: path[0])
    default: return nil
    }
  }

  func respond(_ route: Route, _ call: Call) async -> Handler.Outcome {
    switch (call.method, route) {
    case (.get, .all): return .respond(await all(call))
    case (.get, .one(let listID)): return await one(listID, call)
    case (.post, .all): return await create(call)
    case (.patch, .one(let listID)): return await rename(listID, call)
    case (.delete, .one(let listID)): return await delete(listID, call)
    default: return call.notAllowed()
    }
  }

  private var context: String { "$metadata#users('\(store.userID)')/todo/lists" }

  private func all(_ call: Call) async -> Answer {
    call.page(
      await store.taggedLists(), options: options, context: "\(call.base)/\(context)",
      fields: { Self.field($0.value, $1) }
    ) { .object(Self.members($0)) }
  }

  private func one(_ listID: String, _ call: Call) async -> Handler.Outcome {
    guard let list = await store.taggedLists().first(where: { $0.value.id == listID }) else {
      return call.notFound("list")
    }
    return .respond(call.out.json(.ok, entity(list, call)))
  }

  private func create(_ call: Call) async -> Handler.Outcome {
    let name: String
    do { name = try await WriteBodies.listName(call) } catch { return .respond(error.answer) }
    let list = await store.createList(displayName: name)
    return await call.committed(call.out.json(.created, entity(list, call)))
  }

  private func rename(_ listID: String, _ call: Call) async -> Handler.Outcome {
    guard await store.hasList(listID) else { return call.notFound("list") }
    let name: String
    do { name = try await WriteBodies.listName(call) } catch { return .respond(error.answer) }
    guard let list = await store.renameList(listID: listID, displayName: name) else {
      return call.notFound("list")
    }
    return await call.committed(call.out.json(.ok, entity(list, call)))
  }

  private func delete(_ listID: String, _ call: Call) async -> Handler.Outcome {
    switch await store.deleteList(listID: listID) {
    case .notFound: return call.notFound("list")
    case .wellKnown:
      return .respond(
        call.out.error(
          400, "invalidRequest",
          "The well-known list cannot be deleted (defaultList, flaggedEmails)."))
    case .deleted: return await call.committed(call.out.empty(.noContent))
    }
  }

  private func entity(_ list: EmulatorStore.Tagged<TodoTaskList>, _ call: Call) -> JSONValue {
    var value = Self.members(list)
    value["@odata.context"] = .string("\(call.base)/\(context)/$entity")
    return .object(value)
  }

  /// A list as JSON with its type and etag.
  static func members(_ list: EmulatorStore.Tagged<TodoTaskList>) -> [String: JSONValue] {
    var value = GraphObject.members(list.value)
    value["@odata.type"] = .string("#microsoft.graph.todoTaskList")
    value["@odata.etag"] = .string(list.etag)
    return value
  }

  /// A list's value for `$filter`.
  static func field(_ list: TodoTaskList, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return list.id
    case "displayname": return list.displayName
    case "wellknownlistname": return list.wellknownListName
    case "isowner": return list.isOwner.map(String.init)
    case "isshared": return list.isShared.map(String.init)
    default: return nil
    }
  }
}
