import Foundation

/// When and how long to wait before trying a request again.
///
/// 429/503/504 honour `Retry-After` (fractional seconds or an HTTP date); otherwise capped
/// exponential backoff with full jitter. The budget bounds the number of retries, and
/// `totalWaitBudget` the seconds spent waiting over one command.
public struct RetryPolicy: Sendable {
  /// Retries after the first attempt.
  public var maxRetries: Int
  public var baseDelay: Double
  public var maxDelay: Double
  /// Upper bound on a server-requested wait we are willing to honour.
  public var maxRetryAfter: Double
  /// Seconds of waiting allowed in all before a command (or an upload) gives up.
  public var totalWaitBudget: Double
  /// Waits at least this long are announced to the user (stderr, status line).
  public static let announceThreshold: Double = 5

  public init(
    maxRetries: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30,
    maxRetryAfter: Double = 120, totalWaitBudget: Double = 600
  ) {
    self.maxRetries = maxRetries
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.maxRetryAfter = maxRetryAfter
    self.totalWaitBudget = totalWaitBudget
  }

  public static let `default` = RetryPolicy()

  /// Statuses worth retrying for any request we may repeat.
  public static func isRetryableStatus(_ status: Int) -> Bool {
    status == 429 || status == 503 || status == 504 || status == 500 || status == 502
  }

  /// The wait before retry number `attempt` (1-based). `retryAfter` is the parsed header;
  /// `random` yields values in 0..<1 (injected so tests are deterministic).
  public func delay(
    attempt: Int, retryAfter: Double?, random: () -> Double = { Double.random(in: 0..<1) }
  )
    -> Double
  {
    if let retryAfter { return min(max(0, retryAfter), maxRetryAfter) }
    let exponent = min(max(attempt - 1, 0), 30)
    let cap = min(maxDelay, baseDelay * pow(2, Double(exponent)))
    return cap * random()
  }
}
