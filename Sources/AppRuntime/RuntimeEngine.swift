import AppCore
import Foundation
import GraphModels

#if canImport(Glibc)
  import Glibc
#endif

/// What the loop needs once it can reach Graph: something that runs the effects that talk to
/// Graph, the file system or the upload engine, and reports back through the bus.
///
/// The program's engine (`LiveRuntimeEngine`) works on detached tasks; a test's engine can
/// answer at once, so a test steps the loop without waiting for anything.
protocol RuntimeEngine: Sendable {
  /// Starts forwarding upload events, and offers journaled uploads, to `bus`.
  func start(reportingTo bus: EventBus)
  /// Runs `effect` (never `repaint`, `suspend`, `forceQuit` or `switchAccount`, which the loop
  /// handles itself);
  /// results come back to `bus` as actions. `quit` ends with `RuntimeEvent.quitReady`.
  func perform(_ effect: Effect, reportingTo bus: EventBus)
  /// Stops forwarding upload events: the loop is ending.
  func stop()
}

/// How the loop reaches an engine: at once, or after a device-code sign-in.
enum EngineConnection: Sendable {
  case ready(any RuntimeEngine)
  case signIn(
    @Sendable (_ show: @escaping @Sendable (DeviceCodeResponse) -> Void) async throws
      -> any RuntimeEngine)
}

extension RuntimeConnection {
  /// The same connection, reaching Graph through the program's engine.
  var live: EngineConnection {
    switch self {
    case .ready(let services):
      return .ready(LiveRuntimeEngine(services))
    case .signIn(let signIn):
      return .signIn { show in LiveRuntimeEngine(try await signIn(show)) }
    }
  }
}

/// Where the loop reads the time: the monotonic clock paces frames, the wall clock stamps ticks.
struct RuntimeClock: Sendable {
  var now: @Sendable () -> ContinuousClock.Instant
  var date: @Sendable () -> Date

  /// The system clocks.
  static let live = RuntimeClock(now: { ContinuousClock.now }, date: { Date() })
}

/// How the loop sleeps until a descriptor is readable or `timeout` milliseconds pass; the
/// program polls, a test that steps the loop does not wait at all.
typealias RuntimeWait = @MainActor (_ descriptors: inout [pollfd], _ timeout: Int32) -> Void

/// `poll(2)`: the main thread sleeps until input, a posted event, or the timeout.
@MainActor
func pollDescriptors(_ descriptors: inout [pollfd], _ timeout: Int32) {
  _ = poll(&descriptors, nfds_t(descriptors.count), timeout)
}
