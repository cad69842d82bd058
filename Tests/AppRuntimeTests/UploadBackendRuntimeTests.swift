import AppCore
import Foundation
import GraphClient
import GraphModels
import Synchronization
import TerminalCore
import TerminalTesting
import Testing
import UploadEngine

@testable import AppRuntime

/// The program's engine over a fake `UploadBackend`: what the interface shows when it attaches
/// to uploads that outlive it (the agent's), and what each answer to the quit question does.
@MainActor
struct UploadBackendRuntimeTests {
  /// Records every call; `attached` is what it already held; events are emitted by the test.
  final class FakeUploadBackend: UploadBackend {
    let outlivesProcess: Bool
    let events: AsyncStream<UploadEvent>
    private let feed: AsyncStream<UploadEvent>.Continuation
    private let held: [UploadSummary]
    private let log = Mutex<[String]>([])

    init(outlivesProcess: Bool, attached: [UploadSummary] = []) {
      self.outlivesProcess = outlivesProcess
      self.held = attached
      (events, feed) = AsyncStream.makeStream(of: UploadEvent.self)
    }

    var calls: [String] { log.withLock { $0 } }
    func emit(_ event: UploadEvent) { feed.yield(event) }
    /// The agent went away: its events end.
    func vanish() { feed.finish() }
    private func note(_ call: String) { log.withLock { $0.append(call) } }

    func upload(path: String, to target: UploadTarget, chunkSize: Int64?) async throws -> UploadID {
      note("upload \(path)")
      return "N1"
    }
    func pause(_ id: UploadID) async { note("pause \(id)") }
    func resume(_ id: UploadID) async { note("resume \(id)") }
    func cancel(_ id: UploadID) async { note("cancel \(id)") }
    func resume(journaled entry: UploadJournalEntry) async -> UploadID { entry.id }
    func pauseAll() async { note("pauseAll") }
    func cancelAll() async { note("cancelAll") }
    func waitUntilSettled() async -> [UploadID: UploadOutcome] { [:] }
    var bandwidthLimit: Int? { nil }
    func setBandwidthLimit(_ bytesPerSecond: Int?) { note("bandwidth \(bytesPerSecond ?? 0)") }
    func summaries() async -> [UploadSummary] { held }
    func attached() async -> [UploadSummary] { outlivesProcess ? held : [] }
    func detach() async {
      note("detach")
      feed.finish()
    }
  }

  /// Answers every Graph request with an empty collection.
  struct EmptyGraph: HTTPTransport {
    func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
      -> HTTPResponse
    {
      HTTPResponse(
        status: 200, headers: [("Content-Type", "application/json")],
        body: Data(#"{"value": []}"#.utf8))
    }
  }

  static func summary(_ id: String, _ name: String, acknowledged: Int64 = 0) -> UploadSummary {
    UploadSummary(
      id: id, name: name, path: "/home/ann/" + name, size: 8_000_000, chunkSize: 3_932_160,
      sent: acknowledged, acknowledged: acknowledged, outcome: nil,
      target: UploadTarget(listID: "L1", taskID: "T1", taskTitle: "Quarterly report"))
  }

  /// A runtime on a test terminal whose engine is the program's, over `backend`. The loop
  /// really polls its bus (the engine answers from detached tasks); each turn moves the frame
  /// clock one interval.
  @MainActor
  final class Rig {
    let terminal = TestTerminal(size: Size(width: 100, height: 30))
    let clock = ManualRuntimeClock()
    let runtime: AppRuntime

    init(_ backend: FakeUploadBackend, journal: UploadJournal? = nil) throws {
      let session = try GraphSession(
        baseURL: "http://127.0.0.1:9/v1.0", tokens: StaticTokenProvider(token: "t"),
        transport: EmptyGraph())
      let engine = LiveRuntimeEngine(
        RuntimeServices(session: session, uploads: backend, journal: journal))
      runtime = try AppRuntime(
        terminal: terminal, engine: .ready(engine),
        configuration: RuntimeConfiguration(accountLabel: "test"), clock: clock.clock,
        wait: pollDescriptors)
    }

    var screen: String { terminal.lastFrame?.lines().joined(separator: "\n") ?? "" }

    /// Turns of the loop until `done` (at most 200, each waiting at most a poll interval),
    /// giving the thread back between turns so the runtime's own tasks run.
    func step(until done: () -> Bool) async -> Bool {
      for _ in 0..<200 {
        if done() { return true }
        clock.advance(by: .milliseconds(100))
        runtime.step()
        await Task.yield()
      }
      return done()
    }
  }

  @Test func reattachingShowsTheAgentsUploadsAndTheirProgress() async throws {
    let backend = FakeUploadBackend(
      outlivesProcess: true,
      attached: [
        Self.summary("A1", "one.bin"), Self.summary("A2", "two.bin", acknowledged: 3_932_160),
        Self.summary("A3", "three.bin"),
      ])
    let rig = try Rig(backend)
    rig.runtime.start()
    #expect(await rig.step { rig.screen.contains("3 uploading in background") })
    #expect(rig.screen.contains("two.bin"))
    backend.emit(.progress(id: "A1", sent: 3_932_160, acknowledged: 3_932_160, size: 8_000_000))
    #expect(await rig.step { rig.screen.contains("3.9/8.0 MB") && rig.screen.contains("one.bin") })
  }

  /// Attached to one running agent upload, with the quit question open.
  func askingToQuit() async throws -> (FakeUploadBackend, Rig) {
    let backend = FakeUploadBackend(
      outlivesProcess: true, attached: [Self.summary("A1", "one.bin")])
    let rig = try Rig(backend)
    rig.runtime.start()
    #expect(await rig.step { rig.screen.contains("1 uploading in background") })
    rig.terminal.type("q")
    #expect(await rig.step { rig.screen.contains("keep uploading") })
    return (backend, rig)
  }

  @Test func quittingLeavesTheAgentsUploadsRunningByDefault() async throws {
    let (backend, rig) = try await askingToQuit()
    rig.terminal.send(.enter)
    #expect(await rig.step { rig.runtime.outcome == .quit })
    #expect(backend.calls == ["detach"])
  }

  @Test(arguments: [("p", "pauseAll"), ("x", "cancelAll")])
  func quittingCanPauseOrCancelTheAgentsUploads(key: Character, call: String) async throws {
    let (backend, rig) = try await askingToQuit()
    rig.terminal.type(String(key))
    #expect(await rig.step { rig.runtime.outcome == .quit })
    #expect(backend.calls == [call, "detach"])
  }

  @Test func aHangupLeavesTheAgentsUploadsRunning() async throws {
    let backend = FakeUploadBackend(
      outlivesProcess: true, attached: [Self.summary("A1", "one.bin")])
    let rig = try Rig(backend)
    rig.runtime.start()
    #expect(await rig.step { rig.screen.contains("1 uploading in background") })
    rig.terminal.raise(.hangup)
    #expect(await rig.step { rig.runtime.outcome == .quit })
    #expect(backend.calls == ["detach"])
  }

  @Test func inProcessUploadsArePausedOnAHangup() async throws {
    let backend = FakeUploadBackend(outlivesProcess: false)
    let rig = try Rig(backend)
    rig.runtime.start()
    backend.emit(
      .sessionCreated(
        id: "U1", name: "a.bin", size: 8_000_000, chunkSize: 3_932_160, expiration: nil))
    #expect(await rig.step { rig.screen.contains("1 uploading") })
    #expect(!rig.screen.contains("in background"))
    rig.terminal.raise(.hangup)
    #expect(await rig.step { rig.runtime.outcome == .quit })
    #expect(backend.calls == ["pauseAll", "detach"])
  }

  @Test func theAgentGoingAwayIsSaidOnTheStatusLine() async throws {
    let backend = FakeUploadBackend(
      outlivesProcess: true, attached: [Self.summary("A1", "one.bin")])
    let rig = try Rig(backend)
    rig.runtime.start()
    #expect(await rig.step { rig.screen.contains("1 uploading in background") })
    backend.vanish()
    #expect(await rig.step { rig.screen.contains("The upload agent went away") })
    #expect(rig.runtime.outcome == nil)
  }

  /// A journal holding `names` as unfinished uploads of the rig's Graph, ids `J-<name>`;
  /// `abandoned` ones have the lock file a killed owner leaves.
  static func journal(_ names: [String], abandoned: Set<String> = []) throws -> UploadJournal {
    let directory = NSTemporaryDirectory() + "tack-offer-" + UUID().uuidString
    let journal = UploadJournal(directory: directory)
    for name in names {
      let file = LocalFile(
        path: "/home/ann/" + name, name: name, size: 8_000_000,
        modificationTimeNanoseconds: 1_700_000_000_000_000_000,
        contentType: "application/octet-stream", sha256: String(repeating: "a", count: 64))
      var entry = UploadJournalEntry(
        id: "J-" + name, file: file, listID: "L1", taskID: "T1", taskTitle: "Quarterly report",
        graphBaseURL: "http://127.0.0.1:9/v1.0", chunkSize: 3_932_160, now: Date())
      entry.sessionProgress = SessionProgress(
        uploadUrl: "http://127.0.0.1:9/v1.0/session/" + name,
        expiration: Date().addingTimeInterval(3600), sessionCreatedAt: Date(),
        acknowledgedOffset: 3_932_160, chunkSize: 3_932_160, finalChunkSent: false)
      try journal.save(entry)
      if abandoned.contains(name) {
        _ = FileManager.default.createFile(atPath: directory + "/J-\(name).lock", contents: nil)
      }
    }
    return journal
  }

  @Test func theJournalOfferLeavesOutWhatTheAgentRunsOrWillResume() async throws {
    let journal = try Self.journal(
      ["held.bin", "paused.bin", "orphan.bin"], abandoned: ["orphan.bin"])
    var held = Self.summary("J-held.bin", "held.bin")
    held.acknowledged = 3_932_160
    let rig = try Rig(FakeUploadBackend(outlivesProcess: true, attached: [held]), journal: journal)
    rig.runtime.start()
    #expect(await rig.step { rig.screen.contains("Resume uploads?") })
    #expect(rig.screen.contains("paused.bin"))
    // The agent runs held.bin, and resumes orphan.bin (its owner died) by itself.
    #expect(!rig.screen.contains("orphan.bin"))
    #expect(rig.screen.components(separatedBy: "held.bin").count == 2, "one row, no offer")
    #expect(rig.screen.contains("Attached to 1 upload running in the background"))
  }

  @Test func inProcessTheJournalOffersEveryUnfinishedUpload() async throws {
    let journal = try Self.journal(["paused.bin", "orphan.bin"], abandoned: ["orphan.bin"])
    let rig = try Rig(FakeUploadBackend(outlivesProcess: false), journal: journal)
    rig.runtime.start()
    #expect(await rig.step { rig.screen.contains("Resume uploads?") })
    #expect(rig.screen.contains("paused.bin"))
    #expect(rig.screen.contains("orphan.bin"))
  }
}
