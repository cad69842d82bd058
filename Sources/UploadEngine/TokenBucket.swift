/// The arithmetic of a bandwidth cap (pure: the caller passes the time).
///
/// Tokens are bytes; they refill at `rate` bytes per second up to `burst`. A piece goes out when
/// the bucket holds it, so over any window the bytes sent stay within `rate × window + burst`.
/// `burst` is a tenth of a second's worth, between 512 bytes and 64 KiB: bursts stay small, and
/// a low cap still sends a piece several times a second (the stall watchdog sees bytes move).
public struct TokenBucket: Sendable, Equatable {
  /// What a request for bytes gets.
  public enum Grant: Sendable, Equatable {
    /// This many bytes may go now (they have been taken from the bucket).
    case granted(Int)
    /// Nothing may go yet: ask again after this many seconds.
    case wait(seconds: Double)
  }

  /// The largest burst: one piece of the transport's body stream.
  public static let maximumBurst = 64 << 10
  /// The smallest burst, so a very low cap does not send byte by byte.
  public static let minimumBurst = 512

  /// Bytes per second; nil when there is no cap.
  public private(set) var rate: Int?
  /// Bytes that may go now without waiting.
  public private(set) var tokens: Double
  private var updatedAt: Double

  /// A bucket capping at `rate` bytes per second (nil: no cap), full at `now`.
  public init(rate: Int?, now: Double) {
    self.rate = Self.normalised(rate)
    self.tokens = Double(Self.burst(for: self.rate))
    self.updatedAt = now
  }

  /// The most bytes one grant gives at `rate`.
  public static func burst(for rate: Int?) -> Int {
    guard let rate else { return maximumBurst }
    return min(maximumBurst, max(minimumBurst, rate / 10))
  }

  /// The burst of the current rate.
  public var burst: Int { Self.burst(for: rate) }

  /// Takes up to `want` bytes (at most one burst) if the bucket holds them at `now`; otherwise
  /// says how long until it will.
  public mutating func take(_ want: Int, now: Double) -> Grant {
    refill(now: now)
    guard let rate else { return .granted(max(want, 1)) }
    let piece = Double(min(max(want, 1), burst))
    // A bucket filled for exactly the computed wait may miss by a rounding error.
    if tokens >= piece - 1e-6 {
      tokens = max(0, tokens - piece)
      return .granted(Int(piece))
    }
    return .wait(seconds: (piece - tokens) / Double(rate))
  }

  /// Changes the cap at `now`: what accrued so far accrued at the old rate; the bucket keeps
  /// its tokens up to the new burst (and starts full after a time without a cap).
  public mutating func setRate(_ newRate: Int?, now: Double) {
    refill(now: now)
    let wasCapped = rate != nil
    rate = Self.normalised(newRate)
    let burst = Double(self.burst)
    tokens = wasCapped ? min(tokens, burst) : burst
  }

  private mutating func refill(now: Double) {
    let elapsed = max(0, now - updatedAt)
    updatedAt = max(updatedAt, now)
    guard let rate else { return }
    tokens = min(Double(burst), tokens + elapsed * Double(rate))
  }

  /// Zero and negative rates mean no cap.
  private static func normalised(_ rate: Int?) -> Int? {
    guard let rate, rate > 0 else { return nil }
    return rate
  }
}
