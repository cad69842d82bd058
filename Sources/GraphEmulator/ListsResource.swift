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
    default: return call.notAllowed()
    }
  }

  private var context: String { "$metadata#users('\(store.userID)')/todo/lists" }

  private func all(_ call: Call) async -> Answer {
    call.page(
      await store.lists(), options: options, context: "\(call.base)/\(context)",
      fields: Self.field
    ) { list in
      var value = GraphObject.members(list)
      value["@odata.type"] = .string("#microsoft.graph.todoTaskList")
      value["@odata.etag"] = .string("W/\"\(list.id.prefix(12))\"")
      return .object(value)
    }
  }

  private func one(_ listID: String, _ call: Call) async -> Handler.Outcome {
    guard let list = await store.lists().first(where: { $0.id == listID }) else {
      return call.notFound("list")
    }
    return .respond(call.out.encodable(.ok, list, context: "\(call.base)/\(context)/$entity"))
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
