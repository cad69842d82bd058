import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import TestSupport
import Testing

@testable import UploadEngine

/// An HTTPTransport that records what goes out and how many requests overlap.
final class RecordingTransport: HTTPTransport {
  struct Sent: Sendable {
    var method: String
    var url: String
    var contentRange: String?
    var authorization: Bool
  }

  struct State: Sendable {
    var sent: [Sent] = []
    var inFlight = 0
    var maxInFlight = 0
    var putsInFlight = 0
    var maxPutsInFlight = 0
    var perSession: [String: Int] = [:]
    var maxPerSession = 0
  }

  let inner: any HTTPTransport
  let state = Mutex(State())
  /// Called before each request goes out (e.g. to read the journal at that moment).
  let beforeSend: (@Sendable (HTTPRequest) -> Void)?
  /// Awaited once the request counts as in flight (e.g. to hold it until another arrives).
  let gate: (@Sendable (HTTPRequest) async -> Void)?

  init(
    inner: any HTTPTransport, beforeSend: (@Sendable (HTTPRequest) -> Void)? = nil,
    gate: (@Sendable (HTTPRequest) async -> Void)? = nil
  ) {
    self.inner = inner
    self.beforeSend = beforeSend
    self.gate = gate
  }

  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    beforeSend?(request)
    let isPut = request.method == "PUT"
    let session = request.url.replacingOccurrences(of: "/content", with: "")
    state.withLock { state in
      state.sent.append(
        Sent(
          method: request.method, url: request.url, contentRange: request.header("Content-Range"),
          authorization: request.header("Authorization") != nil))
      state.inFlight += 1
      state.maxInFlight = max(state.maxInFlight, state.inFlight)
      if isPut {
        state.putsInFlight += 1
        state.maxPutsInFlight = max(state.maxPutsInFlight, state.putsInFlight)
        state.perSession[session, default: 0] += 1
        state.maxPerSession = max(state.maxPerSession, state.perSession[session] ?? 0)
      }
    }
    defer {
      state.withLock { state in
        state.inFlight -= 1
        if isPut {
          state.putsInFlight -= 1
          state.perSession[session, default: 1] -= 1
        }
      }
    }
    await gate?(request)
    return try await inner.send(request, progress: progress)
  }

  var sent: [Sent] { state.withLock { $0.sent } }
}

/// Collects a coordinator's events and lets a test wait for one.
actor EventLog {
  private(set) var events: [UploadEvent] = []
  private(set) var times: [Date] = []
  private var waiters:
    [(
      predicate: @Sendable (UploadEvent) -> Bool,
      continuation: CheckedContinuation<UploadEvent?, Never>
    )] = []

  func append(_ event: UploadEvent) {
    events.append(event)
    times.append(Date())
    var remaining:
      [(
        predicate: @Sendable (UploadEvent) -> Bool,
        continuation: CheckedContinuation<UploadEvent?, Never>
      )] = []
    for waiter in waiters {
      if waiter.predicate(event) {
        waiter.continuation.resume(returning: event)
      } else {
        remaining.append(waiter)
      }
    }
    waiters = remaining
  }

  /// The first event (already seen or still to come) matching `predicate`.
  func first(where predicate: @escaping @Sendable (UploadEvent) -> Bool) async -> UploadEvent? {
    if let seen = events.first(where: predicate) { return seen }
    return await withCheckedContinuation { waiters.append((predicate, $0)) }
  }

  func finish() {
    for waiter in waiters { waiter.continuation.resume(returning: nil) }
    waiters = []
  }
}

/// One emulator, one coordinator, a temporary directory and a journal, for one test.
struct UploadRig: Sendable {
  let emulator: GraphEmulator
  let transport: RecordingTransport
  let live: LiveHTTPTransport
  let graph: GraphSession
  let journal: UploadJournal
  let coordinator: UploadCoordinator
  let ids: (list: String, task: String)
  let directory: String
  let log: EventLog
  let configuration: UploadCoordinatorConfiguration

  static func testConfiguration(
    concurrent: Int = 2, chunk: Int64 = 262_144, stallTimeout: Double = 1.5
  ) -> UploadCoordinatorConfiguration {
    UploadCoordinatorConfiguration(
      maxConcurrentUploads: concurrent, chunkSize: chunk,
      machine: UploadStateMachine.Configuration(
        retryPolicy: RetryPolicy(maxRetries: 6, baseDelay: 0.05, maxDelay: 0.5),
        sessionNotFoundRetries: 2, sessionNotFoundDelay: 0.05, maxSessionRecreations: 3,
        stallTimeout: stallTimeout, expiryMargin: 0.3),
      deleteTimeout: .seconds(2))
  }

  var target: UploadTarget { UploadTarget(listID: ids.list, taskID: ids.task) }

  /// Writes `bytes` to a new file called `name` in the rig's directory.
  func file(_ name: String, _ bytes: [UInt8]) throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// A second coordinator over the same journal and emulator: a new process, as far as the
  /// engine can tell.
  func restartedCoordinator(log: EventLog) -> UploadCoordinator {
    let coordinator = UploadCoordinator(
      graph: graph, journal: journal, configuration: configuration)
    let events = coordinator.events
    Task { for await event in events { await log.append(event) } }
    return coordinator
  }

  func attachments() async -> [TaskFileAttachment] {
    await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
  }

  func bytes(of attachmentID: String) async -> [UInt8]? {
    await emulator.store.attachmentBytes(
      listID: ids.list, taskID: ids.task, attachmentID: attachmentID)
  }

  func requests() async -> [EmulatorStore.LoggedRequest] { await emulator.store.requestLog() }
}

/// Runs `body` with a fresh rig; stops everything afterwards.
func withRig(
  emulator configure: (inout EmulatorOptions) throws -> Void = { _ in },
  configuration: UploadCoordinatorConfiguration = UploadRig.testConfiguration(),
  tokens: (any AccessTokenProvider)? = nil,
  beforeSend: (@Sendable (HTTPRequest) -> Void)? = nil,
  gate: (@Sendable (HTTPRequest) async -> Void)? = nil,
  _ body: (UploadRig) async throws -> Void
) async throws {
  try await withEmulator(configure) { emulator in
    let directory = NSTemporaryDirectory() + "tack-upload-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let live = LiveHTTPTransport(
      configuration: LiveHTTPTransportConfiguration(
        connectTimeout: .seconds(1), readTimeout: .seconds(20)))
    let transport = RecordingTransport(inner: live, beforeSend: beforeSend, gate: gate)
    let graph = try GraphSession(
      baseURL: emulator.graphBaseURL,
      tokens: tokens ?? StaticTokenProvider(token: EmulatorFixture.token), transport: transport)
    let journal = UploadJournal(directory: directory + "/state/tack/uploads")
    let coordinator = UploadCoordinator(
      graph: graph, journal: journal, configuration: configuration)
    let log = EventLog()
    let events = coordinator.events
    let pump = Task { for await event in events { await log.append(event) } }
    let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
    let rig = UploadRig(
      emulator: emulator, transport: transport, live: live, graph: graph, journal: journal,
      coordinator: coordinator, ids: ids, directory: directory, log: log,
      configuration: configuration)
    do {
      try await body(rig)
    } catch {
      await rig.coordinator.pauseAll()
      await live.shutdown()
      throw error
    }
    await coordinator.finishEvents()
    await pump.value
    await log.finish()
    await live.shutdown()
  }
}

/// A token provider that counts what the engine asks of it.
final class CountingTokenProvider: AccessTokenProvider {
  let counts = Mutex((access: 0, refresh: 0))
  let token: String

  init(token: String = EmulatorFixture.token) { self.token = token }

  func accessToken() async throws -> String {
    counts.withLock { $0.access += 1 }
    return token
  }

  func refresh(after rejected: String) async throws -> String {
    counts.withLock { $0.refresh += 1 }
    return token
  }
}

extension [UploadEvent] {
  func count(where predicate: (UploadEvent) -> Bool) -> Int { filter(predicate).count }
}

func isCompleted(_ event: UploadEvent) -> Bool {
  if case .completed = event { return true }
  return false
}

func isChunkSent(_ event: UploadEvent) -> Bool {
  if case .chunkSent = event { return true }
  return false
}

/// Holds the first PUT until a second one is in flight (or a deadline passes), so a test can
/// see whether two uploads overlap without relying on timing.
actor Rendezvous {
  private var arrived = 0
  private var waiting: [CheckedContinuation<Void, Never>] = []
  private let needed: Int

  init(needed: Int = 2) { self.needed = needed }

  func arrive(timeout: Duration = .seconds(10)) async {
    arrived += 1
    guard arrived < needed else {
      release()
      return
    }
    guard arrived == 1 else { return }
    Task {
      try? await Task.sleep(for: timeout)
      self.release()
    }
    await withCheckedContinuation { waiting.append($0) }
  }

  private func release() {
    for waiter in waiting { waiter.resume() }
    waiting = []
  }
}
