import Foundation
import GraphModels
import HTTPTypes

/// The delta functions: `me/todo/lists/delta` and `me/todo/lists/{list}/tasks/delta`.
///
/// A round is one or more GETs: the first (no token, or a `$deltatoken`) fixes what the round
/// reports; its pages carry `@odata.nextLink` (`$skiptoken`) and the last one
/// `@odata.deltaLink` (`$deltatoken`). The first round reports every entity; later ones what
/// was added or changed since (in full) and what was deleted (`{"id", "@removed"}`). A stale
/// token answers `deltaExpiredStatus` (410) with the code `syncStateNotFound`.
struct DeltaResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case lists
    case tasks(listID: String)

    var scope: DeltaTracking.Scope {
      switch self {
      case .lists: return .lists
      case .tasks(let listID): return .tasks(listID: listID)
      }
    }
  }

  /// `delta`, `delta()` and the fully qualified `microsoft.graph.delta` the SDKs send.
  static func isDelta(_ word: String) -> Bool {
    ["delta", "delta()", "microsoft.graph.delta", "microsoft.graph.delta()"].contains(word)
  }

  static func match(_ path: TodoPath) -> Route? {
    if path.count == 1, isDelta(path.word(0)) { return .lists }
    if path.count == 3, path.word(1) == "tasks", isDelta(path.word(2)) {
      return .tasks(listID: path[0])
    }
    return nil
  }

  /// Query options a delta round accepts on its first request (the tokens carry them after).
  static let accepted: Set<String> = ["$select", "$top", "$deltatoken", "$skiptoken"]

  func respond(_ route: Route, _ call: Call) async -> Handler.Outcome {
    guard call.method == .get else { return call.notAllowed() }
    let query = call.query
    let now = call.out.now
    var preferenceApplied: Int?
    let skipToken: String
    if let token = query["$skiptoken"] {
      skipToken = token
    } else {
      if let option = query.keys.sorted().first(where: { !Self.accepted.contains($0) }) {
        return .respond(
          call.out.error(400, "BadRequest", "The query option '\(option)' is not supported."))
      }
      let (selection, _) = QueryOptions.parse(query)
      guard let chosen = pageSize(call, query: query) else {
        let top = query["$top"] ?? ""
        return .respond(
          call.out.error(400, "BadRequest", "Invalid value '\(top)' for query option $top."))
      }
      preferenceApplied = chosen.preferred
      switch await store.beginDeltaRound(
        route.scope, deltaToken: query["$deltatoken"], pageSize: chosen.size,
        select: selection.select,
        now: now)
      {
      case .success(let token): skipToken = token
      case .failure(let refusal): return refused(refusal, call)
      }
    }
    switch await store.deltaPage(route.scope, skipToken: skipToken, now: now) {
    case .failure(let refusal): return refused(refusal, call)
    case .success(let slice):
      var extra = HTTPFields()
      if let preferenceApplied {
        extra[Self.preferenceAppliedName] = "odata.maxpagesize=\(preferenceApplied)"
      }
      return .respond(call.out.json(.ok, await page(route, slice, call), extra: extra))
    }
  }

  /// The page as Graph writes it: context, values, and a next or a delta link.
  private func page(_ route: Route, _ slice: EmulatorStore.DeltaPageSlice, _ call: Call) async
    -> JSONValue
  {
    let selection = QueryOptions(terms: [], select: slice.select)
    let values: [JSONValue]
    let type: String
    switch route {
    case .lists:
      type = "todoTaskList"
      values = await store.deltaLists(slice.entries).map {
        Self.render($0, selection, ListsResource.members)
      }
    case .tasks(let listID):
      type = "todoTask"
      values = await store.deltaTasks(listID: listID, slice.entries).map {
        Self.render($0, selection, TasksResource.members)
      }
    }
    var body: [String: JSONValue] = [
      "@odata.context": .string("\(call.base)/$metadata#Collection(\(type))"),
      "value": .array(values),
    ]
    let link = "http://\(call.authority)\(call.request.uri.path)"
    if let next = slice.nextSkipToken {
      body["@odata.nextLink"] = .string("\(link)?$skiptoken=\(next)")
    } else if let token = slice.deltaToken {
      body["@odata.deltaLink"] = .string("\(link)?$deltatoken=\(token)")
    }
    return .object(body)
  }

  /// An entity in full (or its `$select`ed properties), or `{"id", "@removed"}`.
  static func render<Value>(
    _ item: EmulatorStore.DeltaItem<Value>, _ selection: QueryOptions,
    _ members: (EmulatorStore.Tagged<Value>) -> [String: JSONValue]
  ) -> JSONValue {
    switch item {
    case .current(let tagged): return .object(selection.project(members(tagged)))
    case .removed(let id):
      return .object(["id": .string(id), "@removed": .object(["reason": .string("deleted")])])
    }
  }

  /// The page size a round keeps: `Prefer: odata.maxpagesize=N` or `$top`, up to the maximum;
  /// nil for a `$top` that is not a positive number.
  private func pageSize(_ call: Call, query: [String: String]) -> (size: Int, preferred: Int?)? {
    var size = options.defaultPageSize
    var preferred: Int?
    if let prefer = call.request.headers[Self.preferName] {
      for part in prefer.split(separator: ",") {
        let pair = part.split(separator: "=", maxSplits: 1).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        if pair.count == 2, pair[0].lowercased() == "odata.maxpagesize", let value = Int(pair[1]),
          value > 0
        {
          preferred = min(value, options.maxPageSize)
          size = preferred ?? size
        }
      }
    }
    if let top = query["$top"] {
      guard let value = Int(top), value > 0 else { return nil }
      size = min(value, options.maxPageSize)
    }
    return (size, preferred)
  }

  private func refused(_ refusal: EmulatorStore.DeltaRefusal, _ call: Call) -> Handler.Outcome {
    switch refusal {
    case .listNotFound: return call.notFound("list")
    case .badToken(let message): return .respond(call.out.error(400, "BadRequest", message))
    case .syncStateNotFound:
      return .respond(
        call.out.error(
          options.deltaExpiredStatus, "syncStateNotFound",
          "The sync state generation is not found. The delta token is expired and data must be "
            + "synchronized again."))
    }
  }

  // Constant, valid header names: the initialiser cannot fail for them.
  // swift-format-ignore: NeverForceUnwrap
  static let preferName = HTTPField.Name("Prefer")!
  // swift-format-ignore: NeverForceUnwrap
  static let preferenceAppliedName = HTTPField.Name("Preference-Applied")!
}
