import Synchronization
import UploadEngine

/// A pacing clock that moves only when the test says: sleepers wait until `advance` passes
/// their deadline, and a test can wait (without sleeping) until someone sleeps.
final class ManualPacingClock: PacingClock {
  private struct Sleeper {
    var id: Int
    var deadline: Double
    var continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    var now = 0.0
    var sleepers: [Sleeper] = []
    var nextID = 0
    var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// Every sleep asked for, in seconds.
    var asked: [Double] = []
  }

  private let state = Mutex(State())

  func now() -> Double { state.withLock { $0.now } }

  /// The sleeps asked for so far.
  var asked: [Double] { state.withLock { $0.asked } }

  func sleep(seconds: Double) async throws {
    let id = state.withLock { state in
      defer { state.nextID += 1 }
      return state.nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<Void, any Error>) in
        let (cancelled, woken) = state.withLock {
          state -> (Bool, [CheckedContinuation<Void, Never>]) in
          guard !Task.isCancelled else { return (true, []) }
          state.asked.append(seconds)
          state.sleepers.append(
            Sleeper(id: id, deadline: state.now + seconds, continuation: continuation))
          let count = state.sleepers.count
          let woken = state.watchers.filter { $0.count <= count }.map(\.continuation)
          state.watchers.removeAll { $0.count <= count }
          return (false, woken)
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        for watcher in woken { watcher.resume() }
      }
    } onCancel: {
      let removed = state.withLock { state -> Sleeper? in
        guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
        return state.sleepers.remove(at: index)
      }
      removed?.continuation.resume(throwing: CancellationError())
    }
  }

  /// Returns once at least `count` sleepers are waiting.
  func sleepers(atLeast count: Int) async {
    await withCheckedContinuation { continuation in
      let ready = state.withLock { state -> Bool in
        guard state.sleepers.count < count else { return true }
        state.watchers.append((count, continuation))
        return false
      }
      if ready { continuation.resume() }
    }
  }

  /// Moves time on by `seconds`, waking every sleeper whose deadline passed.
  func advance(by seconds: Double) {
    let due = state.withLock { state -> [Sleeper] in
      state.now += seconds
      let now = state.now
      let due = state.sleepers.filter { $0.deadline <= now + 1e-9 }
      state.sleepers.removeAll { $0.deadline <= now + 1e-9 }
      return due
    }
    for sleeper in due { sleeper.continuation.resume() }
  }

  /// Moves time to the earliest sleeper's deadline and wakes it (and any due with it).
  func advanceToNextDeadline() {
    let next = state.withLock { state in
      state.sleepers.map(\.deadline).min().map { $0 - state.now }
    }
    if let next { advance(by: max(0, next)) }
  }
}
