import AgentProtocol
import Foundation
import GraphModels
import Synchronization
import UploadAgent
import UploadEngine

/// `tack upload` and `tack resume` through the agent: the uploads are the agent's; this command
/// follows them with the same terminal progress, NDJSON events and exit codes as in-process.
struct AgentFollow {
  let json: Bool
  /// Return once every upload has its session, leaving them to the agent (`--detach`).
  let detach: Bool

  /// Subscribes, asks the agent to start the uploads with `operation`, and follows them to
  /// the end. Ctrl-C pauses them (unless detached).
  func run(
    _ connection: AgentConnection, _ operation: AgentOperation,
    configure: @escaping (inout AgentRequest) -> Void
  ) async throws -> Int32 {
    let display = UploadDisplay(json: json, terminal: !json && isatty(STDERR_FILENO) == 1)
    let (events, feed) = AsyncStream.makeStream(of: UploadEvent.self)
    let printer = Task { await display.consume(events) }
    var tracker = Tracker()
    _ = try await connection.request(.subscribe, other: { tracker.note($0, feed: feed, mine: nil) })
    let reply = try await connection.request(operation, configure: configure) {
      tracker.note($0, feed: feed, mine: nil)
    }
    guard reply.ok else {
      feed.finish()
      await printer.value
      throw TackFailure(
        code: reply.code ?? TackExit.uploadFailed,
        message: Composition.oneLine(reply.message ?? "the upload agent refused"))
    }
    let started = reply.started ?? []
    let mine = Set(started.map(\.uploadID))
    tracker.keepOnly(mine, feed: feed)
    for upload in started { await display.register(upload.uploadID, path: upload.file) }
    let sender = connection.sender
    let ids = Array(mine)
    let signals = SignalWatcher {
      _ = try? await sender.send(.pause) { $0.uploads = ids }
    }
    defer { signals.stop() }
    while !tracker.done(mine, detach: detach && !signals.interrupted) {
      guard let frame = try? await connection.next() else {
        TackMain.printError(
          "tack: the upload agent went away; its uploads stay journaled and the next "
            + "`tack uploads` or `tack resume` continues them")
        tracker.agentVanished(mine)
        break
      }
      tracker.note(frame, feed: feed, mine: mine)
    }
    feed.finish()
    await printer.value
    await display.finish(outcomes: tracker.outcomes)
    if detach, !signals.interrupted, tracker.outcomes.count < mine.count {
      Output.status(
        "uploading in the background: `tack uploads` shows them, `tack pause --all` pauses them")
    }
    return UploadRun.exitCode(
      started.map { tracker.outcomes[$0.uploadID] ?? .completed(attachmentID: "") },
      interrupted: signals.interrupted)
  }

  /// What the command has learnt about its uploads from the agent's frames.
  struct Tracker {
    var outcomes: [UploadID: UploadOutcome] = [:]
    /// Uploads with a session (created, resumed, or a chunk acknowledged).
    var sessions: Set<UploadID> = []
    /// Frames seen before the command knew which uploads are its own.
    var early: [AgentFrame] = []

    mutating func note(
      _ frame: AgentFrame, feed: AsyncStream<UploadEvent>.Continuation, mine: Set<UploadID>?
    ) {
      guard let mine else {
        early.append(frame)
        return
      }
      switch frame {
      case .event(let event, _) where mine.contains(event.uploadID):
        switch event {
        case .sessionCreated, .resumed, .chunkSent: sessions.insert(event.uploadID)
        default: break
        }
        feed.yield(event)
      case .settled(let state) where mine.contains(state.uploadID):
        outcomes[state.uploadID] = Self.outcome(state)
      default:
        break
      }
    }

    mutating func keepOnly(_ mine: Set<UploadID>, feed: AsyncStream<UploadEvent>.Continuation) {
      let held = early
      early = []
      for frame in held { note(frame, feed: feed, mine: mine) }
    }

    func done(_ mine: Set<UploadID>, detach: Bool) -> Bool {
      mine.allSatisfy { outcomes[$0] != nil || (detach && sessions.contains($0)) }
    }

    mutating func agentVanished(_ mine: Set<UploadID>) {
      for id in mine where outcomes[id] == nil {
        outcomes[id] = .failed(
          reason: "the upload agent went away; `tack uploads` shows where it stopped",
          authentication: false)
      }
    }

    static func outcome(_ state: AgentUploadState) -> UploadOutcome? {
      switch state.phase {
      case .running: return nil
      case .completed: return .completed(attachmentID: state.attachmentID ?? "")
      case .failed:
        return .failed(
          reason: state.reason ?? "failed", authentication: state.authentication == true)
      case .paused: return .paused
      case .cancelled: return .cancelled
      case .skipped: return .skipped(reason: state.reason ?? "")
      }
    }
  }
}
