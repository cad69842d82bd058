import AgentProtocol
import Foundation
import GraphModels
import Logging
import NIOCore
import UploadEngine

/// What the agent runs with.
public struct AgentSettings: Sendable {
  public var paths: AgentPaths
  /// The Graph base URL every upload of this agent goes to.
  public var graphURL: String
  /// How long the agent stays with nothing uploading and no client connected.
  public var idleExit: Duration

  public init(paths: AgentPaths, graphURL: String, idleExit: Duration = .seconds(60)) {
    self.paths = paths
    self.graphURL = graphURL
    self.idleExit = idleExit
  }
}

/// The agent's state: the one `UploadCoordinator` of this user, its clients and what they were
/// told. Requests come from `AgentServer`; events go to every subscribed client.
public actor AgentCore {
  let coordinator: UploadCoordinator
  let journal: UploadJournal
  let settings: AgentSettings
  let logger: Logger
  /// The path each upload reads (the `file` of its events).
  var files: [UploadID: String] = [:]
  /// The last phase each upload was announced in, so a `settled` frame goes out once per change.
  private var announced: [UploadID: AgentUploadPhase] = [:]
  /// Uploads whose final event (completed, failed, cancelled, paused) was forwarded.
  private var ended: Set<UploadID> = []
  var clients: [Int: AgentClientSink] = [:]
  var subscribers: Set<Int> = []
  private var nextClient = 0
  private var stopRequested = false
  private var quietSince: ContinuousClock.Instant? = ContinuousClock.now

  public init(
    coordinator: UploadCoordinator, journal: UploadJournal, settings: AgentSettings,
    logger: Logger
  ) {
    self.coordinator = coordinator
    self.journal = journal
    self.settings = settings
    self.logger = logger
  }

  // MARK: Clients

  func connect(_ channel: any NIOChannelReference) -> AgentClientSink {
    nextClient += 1
    let sink = AgentClientSink(id: nextClient, channel: channel.channel)
    clients[sink.id] = sink
    quietSince = nil
    return sink
  }

  func disconnect(_ id: Int) {
    clients[id] = nil
    subscribers.remove(id)
  }

  /// The answer to a client's hello: a welcome, or why this agent cannot serve it.
  func welcome(_ hello: AgentHello) -> AgentFrame {
    guard hello.protocolVersion == AgentProtocolVersion.current else {
      return .refused(
        message:
          "the upload agent (pid \(getpid())) speaks protocol \(AgentProtocolVersion.current), "
          + "this tack speaks \(hello.protocolVersion): run `tack agent stop` (uploads are paused "
          + "and kept) and run the command again")
    }
    guard UploadJournalEntry.sameGraphBase(hello.graphURL, settings.graphURL) else {
      return .refused(
        message:
          "the upload agent (pid \(getpid())) uploads to \(settings.graphURL), not "
          + "\(hello.graphURL): run `tack agent stop` first, or pass --no-agent")
    }
    return .welcome(AgentWelcome(pid: getpid(), graphURL: settings.graphURL))
  }

  func broadcast(_ frame: AgentFrame) {
    for id in subscribers {
      guard let sink = clients[id] else { continue }
      if !sink.send(frame) {
        logger.notice("dropped a client that stopped reading", metadata: ["client": "\(id)"])
        disconnect(id)
      }
    }
  }

  // MARK: Events and settled uploads

  /// Forwards the coordinator's events to subscribers until the coordinator finishes them.
  func pumpEvents() async {
    for await event in coordinator.events {
      broadcast(.event(event, file: files[event.uploadID]))
      switch event {
      case .completed, .failed, .cancelled, .paused:
        ended.insert(event.uploadID)
        await announceChanges(only: event.uploadID)
      case .sessionCreated, .resumed:
        ended.remove(event.uploadID)
        announced[event.uploadID] = .running
      default:
        break
      }
    }
  }

  /// Sends a `settled` frame for every upload whose phase changed to a settled one, once its
  /// final event went out (so a client sees `completed` before it stops listening): `only`
  /// that upload, or all of them. Skipped uploads have no event.
  func announceChanges(only: UploadID? = nil) async {
    for summary in await coordinator.summaries() where only == nil || summary.id == only {
      let outcome = await coordinator.outcome(summary.id)
      let state = Self.state(summary, outcome: outcome)
      if state.phase.isSettled, state.phase != .skipped, !ended.contains(summary.id) { continue }
      guard announced[summary.id] != state.phase else { continue }
      announced[summary.id] = state.phase
      if state.phase.isSettled { broadcast(.settled(state)) }
    }
  }

  func snapshot() async -> [AgentUploadState] {
    var states: [AgentUploadState] = []
    for summary in await coordinator.summaries() {
      states.append(Self.state(summary, outcome: await coordinator.outcome(summary.id)))
    }
    return states
  }

  static func state(_ summary: UploadSummary, outcome: UploadOutcome?) -> AgentUploadState {
    var state = AgentUploadState(
      uploadID: summary.id, name: summary.name, file: summary.path, size: summary.size,
      chunkSize: summary.chunkSize, sent: summary.sent, acknowledged: summary.acknowledged,
      phase: .running,
      target: AgentTarget(
        listID: summary.target.listID, taskID: summary.target.taskID,
        listName: summary.target.listName, taskTitle: summary.target.taskTitle))
    switch outcome {
    case nil: state.phase = .running
    case .completed(let attachmentID):
      state.phase = .completed
      state.attachmentID = attachmentID
    case .failed(let reason, let authentication):
      state.phase = .failed
      state.reason = reason
      state.authentication = authentication
    case .paused: state.phase = .paused
    case .cancelled: state.phase = .cancelled
    case .skipped(let reason):
      state.phase = .skipped
      state.reason = reason
    }
    return state
  }

  // MARK: Lifetime

  /// Journaled uploads whose owner died (a lock file nobody holds): resumed at the server's
  /// offset. A paused upload released its lock and stays paused.
  func resumeAbandoned() async {
    for entry in journal.load().entries
    where entry.isJournaled(forGraphBase: settings.graphURL) && journal.wasAbandoned(entry.id) {
      logger.notice("resuming an upload whose owner died", metadata: ["upload": "\(entry.id)"])
      files[entry.id] = entry.filePath
      await coordinator.resume(journaled: entry)
    }
  }

  func requestStop() {
    stopRequested = true
  }

  /// Returns once a stop was asked for, or nothing has run and no client has been connected
  /// for `idleExit`.
  func untilQuietOrStopped() async {
    while !stopRequested {
      await announceChanges()
      let running = (await snapshot()).contains { $0.phase == .running }
      let busy = running || !clients.isEmpty
      let now = ContinuousClock.now
      if busy {
        quietSince = nil
      } else if let since = quietSince {
        if now - since >= settings.idleExit { return }
      } else {
        quietSince = now
      }
      let left = quietSince.map { settings.idleExit - (now - $0) } ?? settings.idleExit
      try? await Task.sleep(for: min(max(left, .milliseconds(50)), .milliseconds(500)))
    }
  }

  /// Pauses every upload (journal kept), tells the clients, and ends the event stream.
  func shutdown() async {
    await coordinator.pauseAll()
    _ = await coordinator.waitUntilSettled()
    await announceChanges()
    await coordinator.finishEvents()
  }

  /// Closes every client after what is queued for it.
  func closeClients() {
    for sink in clients.values { sink.finish() }
  }
}

/// Anything that carries a NIO channel (lets `connect` take the accepted connection).
protocol NIOChannelReference: Sendable {
  var channel: any NIOCore.Channel { get }
}
