import Foundation
import GraphModels
import HTTPTypes
import HummingbirdCore

/// Answers one HTTP request: routing, faults and authentication here; the Graph semantics in
/// one resource each (`ListsResource`, `TasksResource`, `ChecklistItemsResource`,
/// `AttachmentsResource`, `UploadSessionsResource`, `IdentityResource`, `DeltaResource`).
struct Handler: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  /// What became of a request.
  enum Outcome {
    case respond(Answer)
    /// Close the connection without an answer (a reset or commit-then-drop fault).
    case dropped
  }

  var lists: ListsResource { ListsResource(store: store, options: options) }
  var tasks: TasksResource { TasksResource(store: store, options: options) }
  var attachments: AttachmentsResource { AttachmentsResource(store: store, options: options) }
  var checklistItems: ChecklistItemsResource {
    ChecklistItemsResource(store: store, options: options)
  }
  var uploadSessions: UploadSessionsResource {
    UploadSessionsResource(store: store, options: options)
  }
  var identity: IdentityResource { IdentityResource(store: store, options: options) }
  var delta: DeltaResource { DeltaResource(store: store, options: options) }

  // MARK: Entry point

  /// Answers `request`. `wire` is the connection it came on (for `100 Continue`); `close` ends
  /// that connection at once (reset and commit-then-drop faults).
  func handle<W: Wire & ~Copyable>(
    _ request: Request, wire: borrowing W, close: @escaping @Sendable () async -> Void
  ) async -> Outcome {
    let now = Date()
    let requestID = UUID().uuidString.lowercased()
    let clientRequestID = request.headers[Responses.clientRequestIDName] ?? requestID
    let out = Responses(requestID: requestID, clientRequestID: clientRequestID, now: now)
    let rawPath = request.uri.path
    let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map {
      String($0).removingPercentEncoding ?? String($0)
    }
    let route = Route.parse(segments, userIDs: store.userIDs)
    let faults = await store.faults(for: Route.selectors(method: request.method, route: route))
    let call = Call(request: request, out: out, host: options.host, close: close)
    let outcome = await respond(call, route: route, faults: faults, wire: wire)
    let status: Int
    if case .respond(let answer) = outcome { status = answer.status.code } else { status = 0 }
    await store.record(
      EmulatorStore.LoggedRequest(
        method: request.method.rawValue, path: rawPath, status: status,
        contentRange: request.headers[Responses.contentRangeName],
        hadAuthorization: request.headers[.authorization] != nil))
    return outcome
  }

  private func respond<W: Wire & ~Copyable>(
    _ plain: Call, route: Route, faults: [FaultPlan.Kind], wire: borrowing W
  ) async -> Outcome {
    let (request, out) = (plain.request, plain.out)
    var call = plain
    switch await apply(faults, route: route, out: out) {
    case .answer(let answer): return .respond(answer)
    case .proceed(let body): call.body = body
    }
    switch route {
    case .identity(let identityRoute):
      return await identity.respond(identityRoute, call)
    case .unknown(let segment):
      return .respond(
        out.error(400, "BadRequest", "Resource not found for the segment '\(segment)'."))
    default:
      break
    }
    guard
      let userID = await store.authorizedUser(request.headers[.authorization], now: out.now),
      let user = store.user(userID)
    else {
      let missing = request.headers[.authorization] == nil
      return .respond(
        out.error(
          401, "InvalidAuthenticationToken",
          missing ? "Access token is empty." : "Access token validation failure. Invalid audience.")
      )
    }
    // `users/{id}/…` of another user than the token's: To Do items are not shared that way.
    let segments = request.uri.path.split(separator: "/").map {
      String($0).removingPercentEncoding ?? String($0)
    }
    if segments.count >= 3, segments[1].lowercased() == "users",
      segments[2].lowercased() != user.userID.lowercased()
    {
      return .respond(out.error(403, "accessDenied", "Access is denied to the requested resource."))
    }
    // Each user's lists, tasks and sessions live in their own store.
    return await Handler(store: user, options: options).graph(route, call, wire: wire)
  }

  /// Hands an authorised Graph request to the resource that owns its route.
  private func graph<W: Wire & ~Copyable>(_ route: Route, _ call: Call, wire: borrowing W) async
    -> Outcome
  {
    switch route {
    case .me: return identity.me(call)
    case .lists(let route): return await lists.respond(route, call)
    case .tasks(let route): return await tasks.respond(route, call)
    case .attachments(let route): return await attachments.respond(route, call)
    case .checklistItems(let route): return await checklistItems.respond(route, call)
    case .uploadSessions(let route): return await uploadSessions.respond(route, call, wire: wire)
    case .delta(let route): return await delta.respond(route, call)
    case .identity, .unknown:
      return .respond(call.out.error(400, "BadRequest", "Unsupported request."))
    }
  }

  // MARK: Faults

  /// What the fault plan leaves of a request: an answer now, or body faults to honour.
  enum FaultResult {
    case answer(Answer)
    case proceed(BodyFaults)
  }

  /// Applies the request's faults in rule order; the first that answers wins.
  private func apply(_ faults: [FaultPlan.Kind], route: Route, out: Responses) async
    -> FaultResult
  {
    var body = BodyFaults()
    for fault in faults {
      switch fault {
      case .latency(let ms): try? await Task.sleep(for: .milliseconds(ms))
      case .status(let code, let retryAfter):
        if code == 401 {
          return .answer(
            out.error(
              401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."))
        }
        let (code, message) = Self.faultError(code)
        return .answer(
          out.error(code == 0 ? 500 : code, message.0, message.1, retryAfter: retryAfter))
      case .reset(let after): body.resetAfter = after
      case .commitThenDrop: body.commitThenDrop = true
      case .overclaim: body.overclaim = true
      case .expireSession:
        if case .uploadSessions(let sessionRoute) = route, let id = sessionRoute.sessionID {
          await store.expireSession(id)
        } else if case .delta = route {
          await store.expireDeltaTokens()
        }
      case .stall(let ms): body.stallMilliseconds = ms
      case .bandwidth(let bps): body.bytesPerSecond = bps
      case .oauthError(let name):
        return .answer(out.oauthError(name, "Injected by the emulator's fault plan."))
      }
    }
    return .proceed(body)
  }

  static func faultError(_ code: Int) -> (Int, (String, String)) {
    switch code {
    case 429: return (429, ("TooManyRequests", "Please retry again later."))
    case 503: return (503, ("serviceNotAvailable", "The service is temporarily unavailable."))
    case 504: return (504, ("gatewayTimeout", "The gateway timed out."))
    case 502: return (502, ("badGateway", "Bad gateway."))
    default: return (500, ("generalException", "An internal server error occurred."))
    }
  }
}

/// One request on its way through a resource: what it asked and how to answer it.
struct Call: Sendable {
  let request: Request
  let out: Responses
  /// The configured host, for requests that name no authority.
  let host: String
  /// Closes the connection without an answer.
  let close: @Sendable () async -> Void
  /// Body-reading faults the plan chose for this request.
  var body = BodyFaults()

  var method: HTTPRequest.Method { request.method }

  /// The authority the client used, so links in answers lead back to it.
  var authority: String { request.head.authority ?? host }

  /// `http://{authority}/{version}`: answers name the version the request used.
  var base: String {
    let version = request.uri.path.split(separator: "/").first.map(String.init) ?? "v1.0"
    return "http://\(request.head.authority ?? "\(host)")/\(version)"
  }

  /// The decoded query string.
  var query: [String: String] { RequestParsing.query(request) }

  func notAllowed() -> Handler.Outcome {
    .respond(
      out.error(
        405, "MethodNotAllowed",
        "The HTTP method '\(method.rawValue)' is not supported for this resource."))
  }

  func notFound(_ what: String) -> Handler.Outcome {
    .respond(
      out.error(
        404, "ErrorItemNotFound", "The specified object was not found in the store. (\(what))"))
  }

  /// Reads the body with this request's body faults; a reset closes the connection.
  func readBody(limit: Int) async -> RequestParsing.BodyRead {
    await RequestParsing.readBody(request, limit: limit, faults: body, close: close)
  }

  /// Reads the body ignoring the plan's body faults (JSON requests).
  func readPlainBody(limit: Int) async -> RequestParsing.BodyRead {
    await RequestParsing.readBody(request, limit: limit, faults: BodyFaults(), close: close)
  }
}
