import Foundation
import Synchronization
import UploadEngine

/// An instant of `InstantClock`.
struct FuzzInstant: InstantProtocol {
  var offset: Duration

  func advanced(by duration: Duration) -> FuzzInstant { FuzzInstant(offset: offset + duration) }
  func duration(to other: FuzzInstant) -> Duration { other.offset - offset }
  static func < (lhs: FuzzInstant, rhs: FuzzInstant) -> Bool { lhs.offset < rhs.offset }
}

/// `GraphSession`'s retry clock for the fuzzer: sleeps return at once (honouring cancellation),
/// and the longest one asked for is kept.
final class InstantClock: Clock, Sendable {
  private let state = Mutex((now: FuzzInstant(offset: .zero), longest: Duration.zero))

  var now: FuzzInstant { state.withLock { $0.now } }
  var minimumResolution: Duration { .zero }
  var longestSleep: Duration { state.withLock { $0.longest } }

  func sleep(until deadline: FuzzInstant, tolerance: Duration?) async throws {
    try Task.checkCancellation()
    state.withLock { state in
      state.longest = max(state.longest, deadline.offset - state.now.offset)
      if state.now < deadline { state.now = deadline }
    }
    await Task.yield()
  }
}

/// The upload engine's clock for the fuzzer: the wall clock's time, but every sleep lasts at most
/// a millisecond. A wait the real clock could not take (not finite, or too long for its
/// nanosecond count) is recorded, since `SystemUploadClock` would trap on it.
final class FastUploadClock: UploadClock {
  private let state = Mutex((longest: 0.0, untakeable: [Double]()))

  var longestSleep: Double { state.withLock { $0.longest } }
  var untakeable: [Double] { state.withLock { $0.untakeable } }

  func now() -> Date { Date() }

  func sleep(seconds: Double) async throws {
    state.withLock { state in
      if seconds.isNaN || (seconds * 1_000_000_000).rounded(.up) >= Double(Int64.max) {
        state.untakeable.append(seconds)
      } else {
        state.longest = max(state.longest, seconds)
      }
    }
    guard seconds > 0 else {
      try Task.checkCancellation()
      return
    }
    try await Task.sleep(for: .milliseconds(1))
  }
}
