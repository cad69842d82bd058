import GraphClient
import Synchronization

/// Monotonic time for the bandwidth limiter; a test drives its own.
public protocol PacingClock: Sendable {
  /// Seconds since a fixed origin; never goes back.
  func now() -> Double
  /// Sleeps `seconds`; throws `CancellationError` when the task is cancelled.
  func sleep(seconds: Double) async throws
}

/// The system's monotonic clock.
public struct ContinuousPacingClock: PacingClock {
  private let origin = ContinuousClock.now

  /// The monotonic clock, counted from now.
  public init() {}

  public func now() -> Double {
    let (seconds, attoseconds) = (ContinuousClock.now - origin).components
    return Double(seconds) + Double(attoseconds) / 1e18
  }

  public func sleep(seconds: Double) async throws {
    try await Task.sleep(for: .nanoseconds(Int64((min(seconds, 3600) * 1e9).rounded(.up))))
  }
}

/// One cap on the bytes per second of every upload of a coordinator (a shared token bucket).
///
/// Each PUT body asks before every piece (≤ 64 KiB) goes on the wire; pieces are admitted in
/// the order they asked, so uploads share the cap fairly. Changing the cap wakes the waiting
/// pieces at once and recomputes their wait, so a change reaches the wire on the next piece:
/// well within a second. No polling: the one pump task sleeps exactly until the head piece fits.
public final class BandwidthLimiter: BodyPacer {
  private struct Waiter {
    var id: UInt64
    var want: Int
    var continuation: CheckedContinuation<Int, any Error>
  }

  private struct State {
    var bucket: TokenBucket
    var waiters: [Waiter] = []
    var nextID: UInt64 = 0
    /// The pump sleeping for the head waiter, and its generation (a stale pump stops).
    var pump: Task<Void, Never>?
    var generation: UInt64 = 0
  }

  private let clock: any PacingClock
  private let state: Mutex<State>

  /// A limiter capping at `bytesPerSecond` (nil or ≤ 0: no cap).
  public init(bytesPerSecond: Int?, clock: any PacingClock = ContinuousPacingClock()) {
    self.clock = clock
    self.state = Mutex(State(bucket: TokenBucket(rate: bytesPerSecond, now: clock.now())))
  }

  /// The cap in bytes per second; nil when there is none.
  public var bytesPerSecond: Int? { state.withLock { $0.bucket.rate } }

  public var isUnlimited: Bool { state.withLock { $0.bucket.rate == nil && $0.waiters.isEmpty } }

  /// Pieces waiting for the cap (tests wait for one to be waiting).
  public var waiting: Int { state.withLock { $0.waiters.count } }

  /// Sets the cap (nil or ≤ 0 lifts it); waiting pieces are re-examined at once.
  public func setBytesPerSecond(_ rate: Int?) {
    let now = clock.now()
    let (ready, stale) = state.withLock { state in
      state.bucket.setRate(rate, now: now)
      let stale = state.pump
      state.pump = nil
      return (admitReady(&state, now: now), stale)
    }
    stale?.cancel()
    for (continuation, bytes) in ready { continuation.resume(returning: bytes) }
  }

  public func admit(upTo bytes: Int) async throws -> Int {
    let want = max(bytes, 1)
    let now = clock.now()
    let immediate: Int? = state.withLock { state in
      guard state.waiters.isEmpty, case .granted(let granted) = state.bucket.take(want, now: now)
      else { return nil }
      return granted
    }
    if let immediate { return immediate }
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let cancelled = state.withLock { state -> Bool in
          // Checked under the lock the handler takes: a cancellation is seen here or there.
          guard !Task.isCancelled else { return true }
          state.waiters.append(Waiter(id: id, want: want, continuation: continuation))
          if state.pump == nil { startPump(&state) }
          return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
      }
    } onCancel: {
      let (removed, idle) = state.withLock { state -> (Waiter?, Task<Void, Never>?) in
        guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
          return (nil, nil)
        }
        let removed = state.waiters.remove(at: index)
        guard state.waiters.isEmpty else { return (removed, nil) }
        // Nobody left to wait for: the pump stops now rather than at its deadline.
        let idle = state.pump
        state.pump = nil
        state.generation += 1
        return (removed, idle)
      }
      idle?.cancel()
      removed?.continuation.resume(throwing: CancellationError())
    }
  }

  // MARK: The pump

  /// Admits waiters from the head while the bucket holds them; starts a pump for the rest.
  private func admitReady(_ state: inout State, now: Double)
    -> [(CheckedContinuation<Int, any Error>, Int)]
  {
    var ready: [(CheckedContinuation<Int, any Error>, Int)] = []
    while let head = state.waiters.first {
      guard case .granted(let bytes) = state.bucket.take(head.want, now: now) else {
        startPump(&state)
        break
      }
      state.waiters.removeFirst()
      ready.append((head.continuation, bytes))
    }
    return ready
  }

  private func startPump(_ state: inout State) {
    state.generation += 1
    let generation = state.generation
    state.pump = Task { [weak self] in await self?.pump(generation) }
  }

  /// Sleeps until the head waiter fits, admits what fits, and again, until nobody waits.
  private func pump(_ generation: UInt64) async {
    while true {
      let now = clock.now()
      let (ready, wait) = state.withLock {
        state -> ([(CheckedContinuation<Int, any Error>, Int)], Double?) in
        guard state.generation == generation else { return ([], nil) }
        var ready: [(CheckedContinuation<Int, any Error>, Int)] = []
        while let head = state.waiters.first {
          switch state.bucket.take(head.want, now: now) {
          case .granted(let bytes):
            state.waiters.removeFirst()
            ready.append((head.continuation, bytes))
          case .wait(let seconds):
            return (ready, seconds)
          }
        }
        state.pump = nil
        return (ready, nil)
      }
      for (continuation, bytes) in ready { continuation.resume(returning: bytes) }
      guard let wait else { return }
      do { try await clock.sleep(seconds: wait) } catch { return }
    }
  }
}
