import Foundation

extension UploadStateMachine {
  /// Every retry budget of one upload (async-http-client keeps its backoff beside its state
  /// machine the same way), so what spends and what refills them is visible in one place.
  struct RetryBudget: Sendable, Equatable {
    /// The answer to spending one unit of a budget.
    enum Spend: Sendable, Equatable {
      /// Within budget: this is retry number `attempt` (1-based).
      case granted(attempt: Int)
      /// Over budget after `attempts` tries.
      case exhausted(attempts: Int)
    }

    /// A 416 corrected twice and still rejected means the session cannot be trusted.
    static let maxRangeErrors = 2

    let maxFailedAttempts: Int
    let maxSessionNotFound: Int
    let maxRecreations: Int

    /// Consecutive failed attempts without progress.
    private(set) var failedAttempts = 0
    /// Range errors (416 and equivalents) in the current session without progress.
    private(set) var rangeErrors = 0
    /// 404s for the current session without progress.
    private(set) var sessionNotFound = 0
    /// Session replacements, over the whole upload (a resume does not refill it).
    private(set) var recreations = 0
    /// Seconds spent waiting before retries, over the whole run (progress does not refill it).
    private(set) var waitedSeconds: Double = 0
    /// A token refresh was spent on the current operation: a second 401 ends the attempt.
    private(set) var tokenRefreshSpent = false

    init(maxFailedAttempts: Int, maxSessionNotFound: Int, maxRecreations: Int) {
      self.maxFailedAttempts = maxFailedAttempts
      self.maxSessionNotFound = maxSessionNotFound
      self.maxRecreations = maxRecreations
    }

    init(_ configuration: Configuration) {
      self.init(
        maxFailedAttempts: configuration.retryPolicy.maxRetries,
        maxSessionNotFound: configuration.sessionNotFoundRetries,
        maxRecreations: configuration.maxSessionRecreations)
    }

    mutating func spendFailedAttempt() -> Spend {
      failedAttempts += 1
      return Self.spend(failedAttempts, within: maxFailedAttempts)
    }

    /// Adds a wait of `seconds`; false (and nothing spent) when it would pass `budget`.
    mutating func spendWait(_ seconds: Double, within budget: Double) -> Bool {
      guard waitedSeconds + seconds <= budget else { return false }
      waitedSeconds += seconds
      return true
    }

    mutating func spendRangeError() -> Spend {
      rangeErrors += 1
      return Self.spend(rangeErrors, within: Self.maxRangeErrors)
    }

    mutating func spendSessionNotFound() -> Spend {
      sessionNotFound += 1
      return Self.spend(sessionNotFound, within: maxSessionNotFound)
    }

    mutating func spendRecreation() -> Spend {
      recreations += 1
      return Self.spend(recreations, within: maxRecreations)
    }

    /// True when a refresh may follow this 401 (one per operation).
    mutating func spendTokenRefresh() -> Bool {
      guard !tokenRefreshSpent else { return false }
      tokenRefreshSpent = true
      return true
    }

    /// Any answer but a 401: the refreshed token worked, the next 401 may refresh again.
    mutating func answeredWithoutRejection() {
      tokenRefreshSpent = false
    }

    /// The server confirmed new bytes: failures so far were transient.
    mutating func progressMade() {
      failedAttempts = 0
      rangeErrors = 0
      sessionNotFound = 0
    }

    /// A new session starts with fresh per-session budgets.
    mutating func sessionAdopted() {
      rangeErrors = 0
      sessionNotFound = 0
    }

    /// The user asked to try again: everything but the replacements is refilled.
    mutating func resumedByUser() {
      failedAttempts = 0
      rangeErrors = 0
      sessionNotFound = 0
      tokenRefreshSpent = false
    }

    private static func spend(_ count: Int, within limit: Int) -> Spend {
      count <= limit ? .granted(attempt: count) : .exhausted(attempts: count)
    }
  }
}
