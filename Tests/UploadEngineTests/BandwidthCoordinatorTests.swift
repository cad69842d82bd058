import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import TestSupport
import Testing

@testable import UploadEngine

/// The coordinator's live bandwidth cap, over the in-process emulator (its transport asks the
/// cap before every piece, as the live one does) with a manual pacing clock.
@Suite struct BandwidthCoordinatorTests {
  struct Setup {
    var emulator: InProcessEmulator
    var coordinator: UploadCoordinator
    var clock: ManualPacingClock
    var target: UploadTarget
    var directory: String
  }

  /// A coordinator capped at `limit` over a fresh in-process emulator; `gate` holds requests.
  static func withSetup(
    limit: Int?, gate: (@Sendable (HTTPRequest) async -> Void)? = nil,
    _ body: (Setup) async throws -> Void
  ) async throws {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    let emulator = try InProcessEmulator(options, authority: "127.0.0.1")
    let transport = RecordingTransport(inner: InProcessTransport(emulator), gate: gate)
    let graph = try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: EmulatorFixture.token),
      transport: transport)
    var configuration = UploadRig.testConfiguration()
    configuration.bandwidthLimit = limit
    let clock = ManualPacingClock()
    let coordinator = UploadCoordinator(
      graph: graph, journal: nil, configuration: configuration, pacingClock: clock)
    guard let list = await emulator.store.lists().first(where: { $0.displayName == "Tasks" }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else { throw FixtureError.missing("list Tasks") }
    let directory = NSTemporaryDirectory() + "tack-bwlimit-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try await body(
      Setup(
        emulator: emulator, coordinator: coordinator, clock: clock,
        target: UploadTarget(listID: list.id, taskID: task.id), directory: directory))
    await coordinator.finishEvents()
  }

  /// Uploads `bytes`, lets `during` act while it runs, and checks the stored copy.
  static func upload(
    _ setup: Setup, _ bytes: [UInt8], during: (UploadID) async -> Void
  ) async throws {
    let path = setup.directory + "/capped.bin"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let id = try await setup.coordinator.upload(path: path, to: setup.target)
    await during(id)
    let outcome = await setup.coordinator.waitUntilSettled()[id]
    guard case .completed(let attachmentID) = outcome else {
      Issue.record("not completed: \(String(describing: outcome))")
      return
    }
    let stored = await setup.emulator.store.attachmentBytes(
      listID: setup.target.listID, taskID: setup.target.taskID, attachmentID: attachmentID)
    #expect(stored == bytes)
  }

  @Test func liftingTheCapLetsTheNextPieceOfThePutInFlightGoAtOnce() async throws {
    try await Self.withSetup(limit: 10_000) { setup in
      try await Self.upload(setup, EmulatorFixture.bytes(200_000)) { _ in
        // The first burst (1,000 bytes) went; the next piece waits 0.1 s on the cap.
        await setup.clock.sleepers(atLeast: 1)
        #expect(setup.clock.asked == [0.1])
        setup.coordinator.setBandwidthLimit(nil)
      }
      // Everything else went without the pacing clock moving.
      #expect(setup.clock.now() == 0)
      #expect(setup.coordinator.bandwidthLimit == nil)
    }
  }

  @Test func aCapSetWhileAPutIsUnderWayPacesItsNextPiece() async throws {
    let release = AsyncStream.makeStream(of: Void.self)
    let held = AsyncStream.makeStream(of: Void.self)
    let first = Mutex(true)
    try await Self.withSetup(
      limit: nil,
      gate: { request in
        guard request.method == "PUT", first.withLock({ $0 }) else { return }
        first.withLock { $0 = false }
        held.continuation.yield()
        for await _ in release.stream { break }
      }
    ) { setup in
      try await Self.upload(setup, EmulatorFixture.bytes(100_000)) { _ in
        for await _ in held.stream { break }
        setup.coordinator.setBandwidthLimit(20_000)
        #expect(setup.coordinator.bandwidthLimit == 20_000)
        release.continuation.yield()
        // The PUT that started without a cap now waits on it (2,000-byte bursts at 20 kB/s).
        await setup.clock.sleepers(atLeast: 1)
        #expect(setup.clock.asked == [0.1])
        setup.coordinator.setBandwidthLimit(0)
      }
    }
  }
}
