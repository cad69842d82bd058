import Foundation
import Synchronization
import Testing

@testable import UploadEngine

/// The token bucket alone: time is a number the test moves (pure).
@Suite struct TokenBucketTests {
  /// One piece that went out: when, and how many bytes had gone by then.
  struct Sent {
    var time: Double
    var total: Int
  }

  /// Sends `total` bytes in pieces of `piece`, moving time on by exactly each wait asked for;
  /// `change` may change the rate before a piece, given the time.
  static func send(
    _ bucket: inout TokenBucket, total: Int, piece: Int,
    change: (inout TokenBucket, Double) -> Void = { _, _ in }
  ) -> [Sent] {
    var now = 0.0
    var sent = 0
    var log: [Sent] = []
    while sent < total {
      change(&bucket, now)
      switch bucket.take(min(piece, total - sent), now: now) {
      case .granted(let bytes):
        sent += bytes
        log.append(Sent(time: now, total: sent))
      case .wait(let seconds):
        #expect(seconds > 0)
        now += seconds
      }
    }
    return log
  }

  /// Bytes sent in the window [start, end).
  static func bytes(_ log: [Sent], from start: Double, to end: Double) -> Int {
    let before = log.last { $0.time < start }?.total ?? 0
    let through = log.last { $0.time < end }?.total ?? 0
    return through - before
  }

  @Test func aOneMegabytePerSecondCapSendsTenMegabytesInTenSeconds() {
    var bucket = TokenBucket(rate: 1_000_000, now: 0)
    let log = Self.send(&bucket, total: 25_000_000, piece: 64 << 10)
    let window = Self.bytes(log, from: 5, to: 15)
    #expect(abs(window - 10_000_000) <= 64 << 10, "sent \(window) bytes in 10 s")
    // 25 MB at 1 MB/s, less the first burst.
    #expect(abs((log.last?.time ?? 0) - 24.93) < 0.01)
  }

  @Test func noWindowEverHoldsMoreThanTheRatePlusOneBurst() {
    var bucket = TokenBucket(rate: 300_000, now: 0)
    let log = Self.send(&bucket, total: 3_000_000, piece: 64 << 10)
    #expect(bucket.burst == 30_000)
    for (index, first) in log.enumerated() {
      for last in log[index...] {
        let bytes = last.total - (index == 0 ? 0 : log[index - 1].total)
        let allowed = 300_000 * (last.time - first.time) + 30_000
        #expect(Double(bytes) <= allowed + 1e-3, "\(bytes) bytes in [\(first.time), \(last.time)]")
      }
    }
  }

  @Test func burstsAreATenthOfASecondBetween512BytesAnd64KiB() {
    #expect(TokenBucket.burst(for: 1_000) == 512)
    #expect(TokenBucket.burst(for: 100_000) == 10_000)
    #expect(TokenBucket.burst(for: 1_000_000) == 65_536)
    #expect(TokenBucket.burst(for: nil) == 65_536)
  }

  @Test func aRaisedCapPacesTheVeryNextPiece() {
    var bucket = TokenBucket(rate: 100_000, now: 0)
    #expect(bucket.take(10_000, now: 0) == .granted(10_000))
    #expect(bucket.take(10_000, now: 0) == .wait(seconds: 0.1))
    bucket.setRate(1_000_000, now: 0.05)
    // 5,000 bytes accrued at the old rate; the other 5,000 come at the new one.
    #expect(bucket.take(10_000, now: 0.05) == .wait(seconds: 0.005))
    #expect(bucket.take(10_000, now: 0.055) == .granted(10_000))
  }

  @Test func liftingTheCapGrantsWholePiecesAtOnce() {
    var bucket = TokenBucket(rate: 10_000, now: 0)
    #expect(bucket.take(1_000, now: 0) == .granted(1_000))
    #expect(bucket.take(1_000, now: 0) == .wait(seconds: 0.1))
    bucket.setRate(nil, now: 0)
    #expect(bucket.take(65_536, now: 0) == .granted(65_536))
    bucket.setRate(0, now: 0)
    #expect(bucket.rate == nil)
    // A cap set after a time without one starts with one burst, not with what an hour accrued.
    bucket.setRate(10_000, now: 3600)
    #expect(bucket.take(65_536, now: 3600) == .granted(1_000))
    #expect(bucket.take(1_000, now: 3600) == .wait(seconds: 0.1))
  }
}

/// The shared limiter, driven by a manual clock.
@Suite struct BandwidthLimiterTests {
  @Test func aWaitingPieceGoesTheMomentTheCapIsLifted() async throws {
    let clock = ManualPacingClock()
    let limiter = BandwidthLimiter(bytesPerSecond: 10_000, clock: clock)
    #expect(try await limiter.admit(upTo: 5_000) == 1_000)
    let next = Task { try await limiter.admit(upTo: 5_000) }
    await clock.sleepers(atLeast: 1)
    #expect(clock.asked == [0.1])
    limiter.setBytesPerSecond(nil)
    #expect(try await next.value == 5_000)
    #expect(clock.now() == 0)
    #expect(limiter.waiting == 0)
  }

  @Test func aWaitingPieceFollowsALoweredCap() async throws {
    let clock = ManualPacingClock()
    let limiter = BandwidthLimiter(bytesPerSecond: 100_000, clock: clock)
    #expect(try await limiter.admit(upTo: 65_536) == 10_000)
    let next = Task { try await limiter.admit(upTo: 65_536) }
    await clock.sleepers(atLeast: 1)
    limiter.setBytesPerSecond(10_000)
    // The new pump sleeps for the new cap's burst (1,000 bytes at 10 kB/s).
    await clock.sleepers(atLeast: 1)
    #expect(clock.asked == [0.1, 0.1])
    clock.advance(by: 0.1)
    #expect(try await next.value == 1_000)
    #expect(limiter.bytesPerSecond == 10_000)
  }

  @Test func twoUploadsTakeTurnsAndShareTheCap() async throws {
    let clock = ManualPacingClock()
    let limiter = BandwidthLimiter(bytesPerSecond: 10_000, clock: clock)
    let order = Turns()
    let first = order.take(10, named: "a", from: limiter)
    await clock.sleepers(atLeast: 1)
    let second = order.take(10, named: "b", from: limiter)
    // 20 pieces of one burst each: the first from the full bucket, each other after 0.1 s.
    for _ in 0..<19 {
      await clock.sleepers(atLeast: 1)
      clock.advanceToNextDeadline()
    }
    try await first.value
    try await second.value
    #expect(abs(clock.now() - 1.9) < 1e-6)
    let seen = order.names.withLock { $0 }
    #expect(seen.count == 20)
    // Neither upload gets two turns ahead of the other while both wait.
    var lead = 0
    for name in seen.prefix(18) { lead += name == "a" ? 1 : -1 }
    #expect(abs(lead) <= 2, "\(seen)")
  }

  @Test func aCancelledPieceStopsWaitingAndLeavesTheQueue() async throws {
    let clock = ManualPacingClock()
    let limiter = BandwidthLimiter(bytesPerSecond: 10_000, clock: clock)
    _ = try await limiter.admit(upTo: 1_000)
    let waiting = Task { try await limiter.admit(upTo: 1_000) }
    await clock.sleepers(atLeast: 1)
    waiting.cancel()
    await #expect(throws: CancellationError.self) { try await waiting.value }
    #expect(limiter.waiting == 0)
  }
}

/// The order in which pieces of several uploads were admitted.
final class Turns: Sendable {
  let names = Mutex<[String]>([])

  /// Admits `count` pieces of 1,000 bytes for `name`, one after another, noting each turn.
  func take(_ count: Int, named name: String, from limiter: BandwidthLimiter) -> Task<
    Void, any Error
  > {
    Task {
      for _ in 0..<count {
        let bytes = try await limiter.admit(upTo: 1_000)
        #expect(bytes == 1_000)
        self.names.withLock { $0.append(name) }
      }
    }
  }
}
