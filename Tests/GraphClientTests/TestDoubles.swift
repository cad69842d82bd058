import Foundation
import GraphClient
import GraphModels
import Synchronization

/// An instant of `ManualClock`: time since the clock was made.
struct ManualInstant: InstantProtocol {
  var offset: Duration

  func advanced(by duration: Duration) -> ManualInstant { ManualInstant(offset: offset + duration) }
  func duration(to other: ManualInstant) -> Duration { other.offset - offset }
  static func < (lhs: ManualInstant, rhs: ManualInstant) -> Bool { lhs.offset < rhs.offset }
}

/// A clock whose sleeps return at once (still honouring cancellation) and are recorded, so
/// retry and polling waits are asserted without waiting.
final class ManualClock: Clock, Sendable {
  private struct State {
    var now = ManualInstant(offset: .zero)
    var sleeps: [Duration] = []
  }

  private let state = Mutex(State())

  var now: ManualInstant { state.withLock { $0.now } }
  var minimumResolution: Duration { .zero }

  /// Every requested sleep, in order.
  var sleeps: [Duration] { state.withLock { $0.sleeps } }

  func sleep(until deadline: ManualInstant, tolerance: Duration?) async throws {
    try Task.checkCancellation()
    state.withLock { state in
      state.sleeps.append(deadline.offset - state.now.offset)
      if state.now < deadline { state.now = deadline }
    }
    await Task.yield()
  }
}

/// A transport that answers from a script and records what it was asked.
final class ScriptedTransport: HTTPTransport {
  enum Step: Sendable {
    case respond(HTTPResponse)
    case fail(TransportError)
  }

  private struct State {
    var steps: [Step]
    var requests: [HTTPRequest] = []
  }

  private let state: Mutex<State>
  private let fallback: @Sendable (HTTPRequest) -> HTTPResponse

  init(
    _ steps: [Step] = [],
    fallback: @escaping @Sendable (HTTPRequest) -> HTTPResponse = { _ in
      HTTPResponse(status: 200, body: Data(#"{"value":[]}"#.utf8))
    }
  ) {
    state = Mutex(State(steps: steps))
    self.fallback = fallback
  }

  var requests: [HTTPRequest] { state.withLock { $0.requests } }

  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    let step: Step? = state.withLock { state in
      state.requests.append(request)
      return state.steps.isEmpty ? nil : state.steps.removeFirst()
    }
    switch step {
    case .respond(let response): return response
    case .fail(let error): throw error
    case .none: return fallback(request)
    }
  }
}

/// A token provider that counts refreshes and hands out numbered tokens.
actor CountingTokenProvider: AccessTokenProvider {
  private(set) var refreshes = 0
  private var token = "token-0"

  func accessToken() async throws -> String { token }

  func refresh(after rejected: String) async throws -> String {
    refreshes += 1
    token = "token-\(refreshes)"
    return token
  }
}

extension HTTPResponse {
  static func json(_ status: Int, _ text: String, headers: [(name: String, value: String)] = [])
    -> HTTPResponse
  {
    HTTPResponse(
      status: status, headers: [(name: "Content-Type", value: "application/json")] + headers,
      body: Data(text.utf8))
  }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "tack-client-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A loopback port nothing listens on (bound once, then closed).
func closedLoopbackPort() throws -> Int {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw TransportError.other("socket") }
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = 0
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  let bound = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard bound == 0 else { throw TransportError.other("bind") }
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
  }
  return Int(UInt16(bigEndian: address.sin_port))
}

extension GraphSession {
  /// Creates an upload session as the upload engine does: the request builder, one attempt.
  func openUploadSession(listID: String, taskID: String, info: AttachmentInfo) async throws
    -> UploadSessionState
  {
    let attempt = try await sendOnce(
      createUploadSessionRequest(listID: listID, taskID: taskID, info: info))
    let response = try attempt.result.get()
    guard (200..<300).contains(response.status) else { throw GraphSession.serviceError(response) }
    return try UploadSessionState.parse(response.body)
  }
}
