import HTTPTypes

/// A request's route, from its URL-decoded path segments. Each resource matches its own paths
/// (`ListsResource.match` and its siblings), so a new route is added beside its answer.
enum Route: Equatable {
  case identity(IdentityResource.Route)
  case me
  case lists(ListsResource.Route)
  case tasks(TasksResource.Route)
  case attachments(AttachmentsResource.Route)
  case checklistItems(ChecklistItemsResource.Route)
  case uploadSessions(UploadSessionsResource.Route)
  case delta(DeltaResource.Route)
  case unknown(String)

  static func parse(_ raw: [String], userID: String) -> Route {
    parse(raw, userIDs: [userID])
  }

  /// `userIDs`: the users a `users/{id}/…` path may name (the handler checks it is the token's).
  static func parse(_ raw: [String], userIDs: [String]) -> Route {
    let segments = expandKeys(raw)
    // Graph's path segments are case-insensitive (the final PUT's Location says `Attachments`);
    // ids are compared exactly.
    if let identity = IdentityResource.match(segments) { return .identity(identity) }
    if segments.first?.lowercased() == "_emulator" { return .unknown("_emulator") }
    guard let first = segments.first?.lowercased(), first == "v1.0" || first == "beta" else {
      return .unknown(segments.first ?? "")
    }
    var rest = Array(segments.dropFirst())
    // `users/{id}/…` (the form upload URLs use) is the same mailbox as `me/…`.
    if rest.count >= 2, rest[0].lowercased() == "users",
      userIDs.contains(where: { $0.lowercased() == rest[1].lowercased() })
    {
      rest.removeFirst(2)
    } else if rest.first?.lowercased() == "me" {
      rest.removeFirst()
    } else {
      return .unknown(rest.first ?? "")
    }
    if rest.isEmpty { return .me }
    guard rest.count >= 2, rest[0].lowercased() == "todo", rest[1].lowercased() == "lists" else {
      return .unknown(rest[0])
    }
    return todo(TodoPath(Array(rest.dropFirst(2))))
  }

  /// The route below `me/todo/lists`: the first resource that owns the path.
  static func todo(_ path: TodoPath) -> Route {
    if let route = DeltaResource.match(path) { return .delta(route) }
    if let route = ListsResource.match(path) { return .lists(route) }
    if let route = TasksResource.match(path) { return .tasks(route) }
    if let route = AttachmentsResource.match(path) { return .attachments(route) }
    if let route = ChecklistItemsResource.match(path) { return .checklistItems(route) }
    if let route = UploadSessionsResource.match(path) { return .uploadSessions(route) }
    return .unknown(path.segments.last ?? "")
  }

  /// Splits OData key segments (`Attachments('id')`, `lists('id')`) into a name and the key.
  static func expandKeys(_ segments: [String]) -> [String] {
    segments.flatMap { segment -> [String] in
      guard segment.hasSuffix("')"), let open = segment.range(of: "('") else { return [segment] }
      let name = String(segment[..<open.lowerBound])
      let key = String(segment[open.upperBound..<segment.index(segment.endIndex, offsetBy: -2)])
      guard !name.isEmpty, !key.isEmpty else { return [segment] }
      return [name, key.replacingOccurrences(of: "''", with: "'")]
    }
  }

  /// The fault-plan selectors a request counts under.
  static func selectors(method: HTTPRequest.Method, route: Route) -> [FaultPlan.Selector] {
    var selectors: [FaultPlan.Selector] = [.any]
    if method != .get, let resource = writeSelector(route) { selectors.append(resource) }
    if method == .get, case .delta = route { selectors.append(.delta) }
    switch (method, route) {
    case (.post, .identity(.token)): selectors.append(.token)
    case (.post, .identity(.deviceCode)): selectors.append(.devicecode)
    case (.post, .uploadSessions(.create)): selectors.append(.create)
    case (.get, .uploadSessions(.session)): selectors.append(.status)
    case (.put, _): selectors.append(.put)
    case (.patch, _): selectors.append(.patch)
    case (.delete, _): selectors.append(.delete)
    case (.get, _): selectors.append(.get)
    case (.post, _): selectors.append(.post)
    default: break
    }
    return selectors
  }

  /// The per-resource selector of a write (POST, PATCH, DELETE) to a list, task or step.
  static func writeSelector(_ route: Route) -> FaultPlan.Selector? {
    switch route {
    case .lists: return .list
    case .tasks: return .task
    case .checklistItems: return .step
    default: return nil
    }
  }
}

/// The URL-decoded segments after `me/todo/lists`, with case-insensitive names.
struct TodoPath {
  let segments: [String]

  init(_ segments: [String]) { self.segments = segments }

  var count: Int { segments.count }

  subscript(_ index: Int) -> String { segments[index] }

  /// The segment at `index`, lowercased, or "" past the end.
  func word(_ index: Int) -> String {
    segments.indices.contains(index) ? segments[index].lowercased() : ""
  }
}
