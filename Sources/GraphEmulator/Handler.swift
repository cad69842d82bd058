import Foundation
import GraphModels
import HTTPTypes
import HummingbirdCore
import NIOCore

/// Answers one HTTP request: routing, authentication, faults and the Graph semantics.
struct Handler: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  /// What became of a request.
  enum Outcome {
    case respond(Response)
    /// The connection was closed on purpose (a reset or commit-then-drop fault).
    case dropped
  }

  /// A request's route, from its URL-decoded path segments.
  enum Route: Equatable {
    case me
    case lists
    case list(String)
    case tasks(String)
    case task(String, String)
    case attachments(String, String)
    case createSession(String, String)
    case attachment(String, String, String)
    case attachmentValue(String, String, String)
    case session(String)
    case sessionContent(String)
    case deviceCode
    case token
    case approveHook
    /// The emulator's stand-in for the verification page a device code names.
    case devicePage
    case unknown(String)
  }

  static func route(_ raw: [String], userID: String) -> Route {
    let segments = expandKeys(raw)
    // Graph's path segments are case-insensitive (the final PUT's Location says `Attachments`);
    // ids are compared exactly.
    func named(_ index: Int, _ name: String) -> Bool {
      segments.indices.contains(index) && segments[index].lowercased() == name.lowercased()
    }
    if named(0, "_emulator") {
      if segments.count == 2, named(1, "device") { return .devicePage }
      if segments.count == 3, named(1, "device"), named(2, "approve") { return .approveHook }
      return .unknown("_emulator")
    }
    if segments.count == 4, named(1, "oauth2"), named(2, "v2.0") {
      if named(3, "devicecode") { return .deviceCode }
      if named(3, "token") { return .token }
    }
    guard named(0, "v1.0") || named(0, "beta") else { return .unknown(segments.first ?? "") }
    var rest = Array(segments.dropFirst())
    // `users/{id}/…` (the form upload URLs use) is the same mailbox as `me/…`.
    if rest.count >= 2, rest[0].lowercased() == "users", rest[1].lowercased() == userID.lowercased()
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
    let r = Array(rest.dropFirst(2))
    func word(_ index: Int) -> String { r.indices.contains(index) ? r[index].lowercased() : "" }
    switch r.count {
    case 0: return .lists
    case 1: return .list(r[0])
    case 2 where word(1) == "tasks": return .tasks(r[0])
    case 3 where word(1) == "tasks": return .task(r[0], r[2])
    case 4 where word(1) == "tasks" && word(3) == "attachments": return .attachments(r[0], r[2])
    case 5 where word(1) == "tasks" && word(3) == "attachments":
      if word(4) == "createuploadsession" { return .createSession(r[0], r[2]) }
      return .attachment(r[0], r[2], r[4])
    case 5 where word(1) == "tasks" && word(3) == "attachmentsessions": return .session(r[4])
    case 6 where word(1) == "tasks" && word(3) == "attachments" && word(5) == "$value":
      return .attachmentValue(r[0], r[2], r[4])
    case 6 where word(1) == "tasks" && word(3) == "attachmentsessions" && word(5) == "content":
      return .sessionContent(r[4])
    default: return .unknown(r.last ?? "")
    }
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

  static func selectors(method: HTTPRequest.Method, route: Route) -> [FaultPlan.Selector] {
    var selectors: [FaultPlan.Selector] = [.any]
    switch (method, route) {
    case (.post, .token): selectors.append(.token)
    case (.post, .deviceCode): selectors.append(.devicecode)
    case (.post, .createSession): selectors.append(.create)
    case (.get, .session): selectors.append(.status)
    case (.put, _): selectors.append(.put)
    case (.delete, _): selectors.append(.delete)
    case (.get, _): selectors.append(.get)
    case (.post, _): selectors.append(.post)
    default: break
    }
    return selectors
  }

  // MARK: Entry point

  func handle(_ request: Request, writer: borrowing ResponseWriter, channel: any Channel) async
    -> Outcome
  {
    let now = Date()
    let requestID = UUID().uuidString.lowercased()
    let clientRequestID = request.headers[Responses.clientRequestIDName] ?? requestID
    let out = Responses(requestID: requestID, clientRequestID: clientRequestID, now: now)
    let rawPath = request.uri.path
    let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true).map {
      String($0).removingPercentEncoding ?? String($0)
    }
    let route = Self.route(segments, userID: store.userID)
    let faults = await store.faults(for: Self.selectors(method: request.method, route: route))
    let outcome = await respond(
      request, route: route, faults: faults, out: out, writer: writer, channel: channel)
    let status: Int
    if case .respond(let response) = outcome { status = response.status.code } else { status = 0 }
    await store.record(
      EmulatorStore.LoggedRequest(
        method: request.method.rawValue, path: rawPath, status: status,
        contentRange: request.headers[Responses.contentRangeName],
        hadAuthorization: request.headers[.authorization] != nil))
    return outcome
  }

  private func respond(
    _ request: Request, route: Route, faults: [FaultPlan.Kind], out: Responses,
    writer: borrowing ResponseWriter, channel: any Channel
  ) async -> Outcome {
    var body = BodyFaults()
    for fault in faults {
      switch fault {
      case .latency(let ms): try? await Task.sleep(for: .milliseconds(ms))
      case .status(let code, let retryAfter):
        if code == 401 {
          return .respond(
            out.error(
              401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid."))
        }
        let (code, message) = Self.faultError(code)
        return .respond(
          out.error(code == 0 ? 500 : code, message.0, message.1, retryAfter: retryAfter))
      case .reset(let after): body.resetAfter = after
      case .commitThenDrop: body.commitThenDrop = true
      case .expireSession:
        if case .sessionContent(let id) = route { await store.expireSession(id) }
        if case .session(let id) = route { await store.expireSession(id) }
      case .stall(let ms): body.stallMilliseconds = ms
      case .bandwidth(let bps): body.bytesPerSecond = bps
      case .oauthError(let name):
        return .respond(out.oauthError(name, "Injected by the emulator's fault plan."))
      }
    }
    switch route {
    case .deviceCode, .token, .approveHook, .devicePage:
      guard request.method == .post || route == .approveHook || route == .devicePage else {
        return .respond(
          out.oauthError(
            "invalid_request", "AADSTS900561: The endpoint only accepts POST requests."))
      }
      return await identity(request, route: route, out: out, body: body, channel: channel)
    case .unknown(let segment):
      return .respond(
        out.error(400, "BadRequest", "Resource not found for the segment '\(segment)'."))
    default:
      break
    }
    guard await store.isAuthorized(request.headers[.authorization], now: out.now) else {
      let missing = request.headers[.authorization] == nil
      return .respond(
        out.error(
          401, "InvalidAuthenticationToken",
          missing ? "Access token is empty." : "Access token validation failure. Invalid audience.")
      )
    }
    return await graph(
      request, route: route, out: out, body: body, writer: writer, channel: channel)
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

  // MARK: Bodies

  /// Body-reading faults gathered from the plan.
  struct BodyFaults {
    var resetAfter: Int?
    var commitThenDrop = false
    var stallMilliseconds: Int?
    var bytesPerSecond: Int?
  }

  enum BodyRead {
    case bytes([UInt8])
    case tooLarge
    case dropped
    case failed
  }

  /// Reads the request body, honouring bandwidth, stall and reset faults.
  func readBody(_ request: Request, limit: Int, faults: BodyFaults, channel: any Channel) async
    -> BodyRead
  {
    var bytes: [UInt8] = []
    let clock = ContinuousClock()
    let start = clock.now
    var stalled = false
    do {
      for try await buffer in request.body {
        bytes.append(contentsOf: buffer.readableBytesView)
        if bytes.count > limit { return .tooLarge }
        if let after = faults.resetAfter, bytes.count >= after {
          try? await channel.close()
          return .dropped
        }
        if let ms = faults.stallMilliseconds, !stalled {
          stalled = true
          try? await Task.sleep(for: .milliseconds(ms))
        }
        if let bps = faults.bytesPerSecond {
          let due = start + .milliseconds(Int64(Double(bytes.count) / Double(bps) * 1000))
          if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
        }
      }
    } catch {
      return .failed
    }
    if let after = faults.resetAfter, bytes.count >= after {
      try? await channel.close()
      return .dropped
    }
    return .bytes(bytes)
  }

  static func query(_ request: Request) -> [String: String] {
    guard let query = request.uri.query else { return [:] }
    var result: [String: String] = [:]
    for pair in query.split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      result[kv[0]] = kv.count > 1 ? kv[1] : ""
    }
    return result
  }

  static func form(_ bytes: [UInt8]) -> [String: String] {
    var result: [String: String] = [:]
    for pair in String(decoding: bytes, as: UTF8.self).split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      result[kv[0]] = kv.count > 1 ? kv[1] : ""
    }
    return result
  }
}
