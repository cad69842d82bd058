import AgentProtocol
import AppRuntime
import Foundation
import GraphModels
import Synchronization
import UploadAgent
import UploadEngine

/// The interface's uploads when the upload agent runs them: one connection, subscribed (a
/// snapshot of every upload the agent holds, then every event), over which the runtime's
/// commands go as requests. The uploads outlive the interface.
final class AgentUploadBackend: UploadBackend {
  let events: AsyncStream<UploadEvent>
  private let feed: AsyncStream<UploadEvent>.Continuation
  private let link: Mutex<Link>
  private let connection = Mutex<Task<Void, Never>?>(nil)

  /// What the connection has learnt, and the requests waiting for their replies.
  private struct Link {
    var sender: AgentSender?
    var waiting: [Int: CheckedContinuation<AgentReply, any Error>] = [:]
    /// Replies read before their request registered to wait.
    var early: [Int: AgentReply] = [:]
    var closed = false
    /// The agent's last snapshot, and the one it sent when this interface subscribed.
    var snapshot: [AgentUploadState] = []
    var attached: [AgentUploadState] = []
    /// Uploads the agent holds: commands for other ids (another account's) are not sent.
    var known: Set<UploadID> = []
    /// Uploads the agent was last known to be running: a connection lost while some are is a
    /// dead agent (a graceful stop pauses them first), worth starting a new one for.
    var running: Set<UploadID> = []
    var bandwidth: Int?
  }

  private init(bandwidth: Int?) {
    (events, feed) = AsyncStream.makeStream(of: UploadEvent.self)
    link = Mutex(Link(bandwidth: bandwidth))
  }

  var outlivesProcess: Bool { true }

  /// Connects to the agent (starting one as `tack upload` does), subscribes, and returns once
  /// the snapshot is in; or why no agent can be reached.
  static func connect(
    _ context: ClientContext, bandwidth: Int?
  ) async -> Result<AgentUploadBackend, AgentUnavailable> {
    let backend = AgentUploadBackend(bandwidth: bandwidth)
    let (outcome, report) = AsyncStream.makeStream(of: String?.self)
    let task = Task {
      await backend.stayConnected(context) { report.yield($0) }
      report.finish()
      backend.close()
    }
    backend.connection.withLock { $0 = task }
    var iterator = outcome.makeAsyncIterator()
    switch await iterator.next() {
    case .some(nil): return .success(backend)
    case .some(.some(let why)): return .failure(AgentUnavailable(description: why))
    case nil: return .failure(AgentUnavailable(description: "the upload agent went away"))
    }
  }

  /// How often in a row a lost agent is looked for (and started) again before giving up.
  static let reconnectAttempts = 5

  /// Connects, reporting nil once subscribed (or why not, then returns). When the agent goes
  /// away later (killed, stopped), connects again, which starts a new agent that resumes the
  /// journaled uploads at the server's offset, and brings the rows up to date from its
  /// snapshot; after `reconnectAttempts` failures in a row it gives up (the event stream ends).
  private func stayConnected(_ context: ClientContext, report: (String?) -> Void) async {
    var why = "no upload agent could be reached"
    var connected = false
    var failures = 0
    while !Task.isCancelled {
      var served = false
      do {
        let done: Void? = try await AgentLink.withAgent(
          context, start: true, explain: !connected, onFallback: { why = $0 }
        ) { connection in
          try await serve(connection, resync: connected) {
            served = true
            if !connected { report(nil) }
          }
        }
        if done == nil, !connected { return report(why) }
      } catch {
        if !connected { return report(Composition.oneLine(String(describing: error))) }
      }
      if served {
        connected = true
        failures = 0
        // Stopped gracefully (everything paused first) or idle: nothing to come back for.
        guard link.withLock({ !$0.running.isEmpty }) else { return }
      } else {
        failures += 1
      }
      guard connected, failures < Self.reconnectAttempts, !Task.isCancelled else { return }
      lost()
      try? await Task.sleep(for: .seconds(1))
    }
  }

  /// Subscribes, reports `connected`, then reads the agent's frames until it closes. `resync`:
  /// a new connection after a lost one, so the rows learn from the snapshot what happened since.
  private func serve(
    _ connection: AgentConnection, resync: Bool = false, connected: () -> Void
  ) async throws {
    let reply = try await connection.request(.subscribe, other: { handle($0) })
    guard reply.ok else {
      throw AgentClientError.disconnected(reply.message ?? "the subscription was refused")
    }
    // The cap the agent holds (another client may have set it) is the one the pane shows.
    let status = try await connection.request(.status, other: { handle($0) }).status
    link.withLock { link in
      link.sender = connection.sender
      link.attached = link.snapshot
      if let status { link.bandwidth = status.bytesPerSecond.map { Int(clamping: $0) } }
    }
    if resync {
      let (snapshot, known) = link.withLock { ($0.snapshot, $0.known) }
      for state in snapshot where known.contains(state.uploadID) {
        if let event = Self.event(state) { feed.yield(event) }
      }
    }
    connected()
    while !Task.isCancelled, let frame = try await connection.next() {
      handle(frame)
    }
  }

  private func handle(_ frame: AgentFrame) {
    switch frame {
    case .event(let event, _):
      link.withLock { link in
        link.known.insert(event.uploadID)
        switch event {
        case .completed, .failed, .cancelled, .paused: link.running.remove(event.uploadID)
        default: link.running.insert(event.uploadID)
        }
      }
      feed.yield(event)
    case .snapshot(let states):
      link.withLock { link in
        link.snapshot = states
        link.known.formUnion(states.map(\.uploadID))
        link.running = Set(states.filter { $0.phase == .running }.map(\.uploadID))
      }
    case .reply(let reply):
      let waiter = link.withLock { link -> CheckedContinuation<AgentReply, any Error>? in
        if let waiter = link.waiting.removeValue(forKey: reply.id) { return waiter }
        link.early[reply.id] = reply
        return nil
      }
      waiter?.resume(returning: reply)
    default:
      break
    }
  }

  /// The connection is gone but another may follow: waiting requests fail, commands wait for it.
  private func lost() {
    let waiters = link.withLock { link -> [CheckedContinuation<AgentReply, any Error>] in
      link.sender = nil
      defer { link.waiting = [:] }
      return Array(link.waiting.values)
    }
    for waiter in waiters {
      waiter.resume(throwing: AgentClientError.disconnected("the upload agent went away"))
    }
  }

  /// Ends the link: waiting requests fail, the event stream finishes.
  private func close() {
    let waiters = link.withLock { link -> [CheckedContinuation<AgentReply, any Error>] in
      link.closed = true
      link.sender = nil
      defer { link.waiting = [:] }
      return Array(link.waiting.values)
    }
    for waiter in waiters {
      waiter.resume(throwing: AgentClientError.disconnected("the connection closed"))
    }
    feed.finish()
  }

  private func request(
    _ operation: AgentOperation, configure: (inout AgentRequest) -> Void = { _ in }
  ) async throws -> AgentReply {
    guard let sender = link.withLock({ $0.closed ? nil : $0.sender }) else {
      throw AgentClientError.disconnected("not connected")
    }
    let id = try await sender.send(operation, configure: configure)
    return try await withCheckedThrowingContinuation { continuation in
      let ready = link.withLock { link -> Result<AgentReply, any Error>? in
        if let reply = link.early.removeValue(forKey: id) { return .success(reply) }
        if link.closed { return .failure(AgentClientError.disconnected("the connection closed")) }
        link.waiting[id] = continuation
        return nil
      }
      if let ready { continuation.resume(with: ready) }
    }
  }

  /// Sends `operation` for `id` when the agent holds that upload.
  private func control(_ operation: AgentOperation, _ id: UploadID) async {
    guard link.withLock({ $0.known.contains(id) }) else { return }
    _ = try? await request(operation) { $0.uploads = [id] }
  }

  // MARK: UploadBackend

  func upload(path: String, to target: UploadTarget, chunkSize: Int64?) async throws -> UploadID {
    let reply = try await request(.enqueue) {
      $0.files = [FileInspector.absolutePath(path)]
      $0.target = AgentTarget(target)
      $0.chunkSize = chunkSize
    }
    guard reply.ok, let id = reply.started?.first?.uploadID else {
      throw AgentUnavailable(description: reply.message ?? "the upload agent refused \(path)")
    }
    link.withLock { _ = $0.known.insert(id) }
    return id
  }

  func pause(_ id: UploadID) async { await control(.pause, id) }
  func resume(_ id: UploadID) async { await control(.resume, id) }
  func cancel(_ id: UploadID) async { await control(.cancel, id) }

  @discardableResult
  func resume(journaled entry: UploadJournalEntry) async -> UploadID {
    link.withLock { _ = $0.known.insert(entry.id) }
    // The agent picks up a journaled upload it does not hold yet.
    _ = try? await request(.resume) { $0.uploads = [entry.id] }
    return entry.id
  }

  func pauseAll() async { _ = try? await request(.pause) { $0.all = true } }
  func cancelAll() async { _ = try? await request(.cancel) { $0.all = true } }

  /// The agent's reply comes after it paused or cancelled; what is in flight is its business.
  @discardableResult
  func waitUntilSettled() async -> [UploadID: UploadOutcome] { [:] }

  var bandwidthLimit: Int? { link.withLock { $0.bandwidth } }

  func setBandwidthLimit(_ bytesPerSecond: Int?) {
    link.withLock { $0.bandwidth = bytesPerSecond }
    Task {
      _ = try? await request(.setBandwidth) { $0.bytesPerSecond = Int64(bytesPerSecond ?? 0) }
    }
  }

  func summaries() async -> [UploadSummary] {
    _ = try? await request(.snapshot)
    return link.withLock { $0.snapshot }.map(Self.summary)
  }

  func attached() async -> [UploadSummary] {
    // A skipped upload is another process's (or finished): not a row.
    link.withLock { $0.attached }.filter { $0.phase != .skipped }.map(Self.summary)
  }

  func detach() async {
    connection.withLock { $0?.cancel() }
    close()
  }

  /// The event that brings a row to where `state` stands (after a reconnection).
  static func event(_ state: AgentUploadState) -> UploadEvent? {
    let id = state.uploadID
    switch state.phase {
    case .running:
      return .progress(id: id, sent: state.sent, acknowledged: state.acknowledged, size: state.size)
    case .completed:
      return .completed(id: id, attachmentID: state.attachmentID ?? "", size: state.size)
    case .failed: return .failed(id: id, reason: state.reason ?? "failed")
    case .paused: return .paused(id: id, acknowledged: state.acknowledged)
    case .cancelled: return .cancelled(id: id)
    case .skipped: return nil
    }
  }

  static func summary(_ state: AgentUploadState) -> UploadSummary {
    let outcome: UploadOutcome?
    switch state.phase {
    case .running: outcome = nil
    case .completed: outcome = .completed(attachmentID: state.attachmentID ?? "")
    case .failed:
      outcome = .failed(
        reason: state.reason ?? "failed", authentication: state.authentication == true)
    case .paused: outcome = .paused
    case .cancelled: outcome = .cancelled
    case .skipped: outcome = .skipped(reason: state.reason ?? "")
    }
    return UploadSummary(
      id: state.uploadID, name: state.name, path: state.file, size: state.size,
      chunkSize: state.chunkSize, sent: state.sent, acknowledged: state.acknowledged,
      outcome: outcome,
      target: UploadTarget(
        listID: state.target.listID, taskID: state.target.taskID,
        listName: state.target.listName, taskTitle: state.target.taskTitle))
  }
}

/// Why the interface uploads in its own process, or why the agent refused a file.
struct AgentUnavailable: Error, CustomStringConvertible {
  var description: String
}

extension RuntimeServices {
  /// Hands these services' uploads to the agent, unless `--no-agent`, `TACK_NO_AGENT` or an
  /// explicit account (the agent uploads with the default account's token) says not to. With
  /// no agent reachable they stay in this process and the status line says why, once.
  mutating func useAgent(_ context: ClientContext, noAgent: Bool) async {
    guard !AgentLink.disabled(context, noAgent: noAgent) else { return }
    switch await AgentUploadBackend.connect(context, bandwidth: uploads.bandwidthLimit) {
    case .success(let backend):
      uploads = backend
    case .failure(let why):
      uploadNotice = "Uploading in this process (as with --no-agent): \(why.description)"
      // The status line may cut a long reason (a socket path); the log keeps all of it.
      Composition.makeLogger(context).notice(
        "the interface uploads in its own process", metadata: ["why": "\(why.description)"])
    }
  }
}
