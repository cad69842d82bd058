import Foundation
import GraphClient
import GraphModels

/// Failed answers: retry after a wait, refresh the token, or give up.
extension UploadStateMachine {
  mutating func httpFailure(_ response: HTTPResponse, operation: UploadOperation, now: Date)
    -> Transition
  {
    let detail = describe(response)
    let retryAfter = RetryAfter.seconds(response.header("Retry-After"), now: now)
    switch response.status {
    case 401:
      guard budget.spendTokenRefresh() else {
        failedOnAuthentication = true
        return fail("the access token was rejected again after a refresh: \(detail)")
      }
      return [.emit(.retry(id: id, reason: .unauthorized, afterSeconds: 0, attempt: 1))]
        + refresh(repeating: operation)
    case 403:
      // Forbidden is a permission problem: only signing in again (and consenting) helps.
      failedOnAuthentication = true
      return fail(detail)
    case 404, 410:
      switch operation {
      case .put, .queryStatus:
        return sessionLost(response: response, operation: operation, now: now)
      default:
        return fail(detail)
      }
    case 429:
      // Refused before it was processed: the same request may simply be repeated.
      return retryLater(
        reason: .throttled, retryAfter: retryAfter, detail: detail,
        then: .repeatOperation(operation))
    case 408, 500, 502, 503, 504:
      if case .put = operation {
        return ambiguousFailure(
          reason: response.status == 408 || response.status == 504 ? .timeout : .serverError,
          retryAfter: retryAfter, detail: detail, now: now)
      }
      return retryLater(
        reason: .serverError, retryAfter: retryAfter, detail: detail,
        then: followUpAfterAmbiguity(operation))
    default:
      return fail(detail)
    }
  }

  mutating func transportFailure(_ error: TransportError, operation: UploadOperation, now: Date)
    -> Transition
  {
    let detail = GraphError.transport(error).description
    if case .bodyUnreadable = error { return fail(detail) }
    if case .invalidURL = error { return fail(detail) }
    if case .responseTooLarge = error { return fail(detail) }
    if case .put = operation, error.isAmbiguous {
      return ambiguousFailure(
        reason: Self.reason(for: error), retryAfter: nil, detail: detail, now: now)
    }
    return retryLater(
      reason: Self.reason(for: error), retryAfter: nil, detail: detail,
      then: error.isAmbiguous ? followUpAfterAmbiguity(operation) : .repeatOperation(operation))
  }

  private func followUpAfterAmbiguity(_ operation: UploadOperation) -> FollowUp {
    switch operation {
    case .put: return .query
    case .createEmptyAttachment: return .reconcile
    default: return .repeatOperation(operation)
    }
  }

  /// The PUT may or may not have been committed: wait, then ask before resending.
  mutating func ambiguousFailure(
    reason: RetryReason, retryAfter: Double?, detail: String, now: Date
  ) -> Transition {
    retryLater(reason: reason, retryAfter: retryAfter, detail: detail, then: .query)
  }

  mutating func retryLater(
    reason: RetryReason, retryAfter: Double?, detail: String, then next: FollowUp
  ) -> Transition {
    switch budget.spendFailedAttempt() {
    case .exhausted(let attempts):
      return fail("gave up after \(attempts) attempts: \(detail)")
    case .granted(let attempt):
      let delay = configuration.retryPolicy.delay(
        attempt: attempt, retryAfter: retryAfter, random: configuration.random)
      guard budget.spendWait(delay, within: configuration.retryPolicy.totalWaitBudget) else {
        return fail(
          "gave up: waiting \(Int(delay.rounded(.up))) s more would pass the "
            + "\(Int(configuration.retryPolicy.totalWaitBudget)) s budget of waits (\(detail))")
      }
      return [.emit(.retry(id: id, reason: reason, afterSeconds: delay, attempt: attempt))]
        + begin(.waiting(Phase.Waiting(seconds: delay, then: next)))
    }
  }

  /// What a wait (or a token refresh) was waiting for.
  mutating func runFollowUp(_ next: FollowUp, now: Date) -> Transition {
    switch next {
    case .query: return query(now: now)
    case .reconcile: return reconcile()
    case .refresh(let repeating): return refresh(repeating: repeating)
    case .repeatOperation(let operation):
      switch operation {
      case .put: return nextPut(now: now)
      case .queryStatus: return query(now: now)
      case .createSession: return createSession()
      case .createEmptyAttachment: return createEmptyAttachment()
      case .listAttachments: return reconcile()
      case .deleteSession(let url): return begin(.abandoning(Phase.Abandoning(url: url)))
      case .refreshToken, .wait:
        // A refresh repeats through `.refresh`, and a wait never fails: neither is retried.
        preconditionFailure("UploadStateMachine: cannot repeat \(operation) after a wait")
      }
    }
  }

  private mutating func refresh(repeating operation: UploadOperation?) -> Transition {
    begin(.refreshing(Phase.Refreshing(repeating: operation)))
  }

  mutating func refreshSettled(_ refreshing: Phase.Refreshing, _ input: UploadInput, now: Date)
    -> Transition
  {
    switch input {
    case .tokenRefreshed:
      return runFollowUp(refreshing.repeating.map { .repeatOperation($0) } ?? .query, now: now)
    case .transportFailed(let error):
      // The identity endpoint could not be reached: a network problem, not a sign-in one.
      return retryLater(
        reason: Self.reason(for: error), retryAfter: nil,
        detail: GraphError.transport(error).description,
        then: .refresh(repeating: refreshing.repeating))
    default:
      return unexpected(input)
    }
  }

  /// Gives up; the journal entry stays so `tack resume` can try again later.
  mutating func fail(_ reason: String) -> Transition {
    let clean = Self.sanitize(reason)
    phase = .failed(reason: clean)
    if ledger.session != nil {
      return [.saveJournal(progress), .emit(.failed(id: id, reason: clean))]
    }
    return [.emit(.failed(id: id, reason: clean))]
  }

  /// An input that cannot answer the operation in flight: a bug, but never a hang.
  mutating func unexpected(_ input: UploadInput) -> Transition {
    fail("internal error: unexpected \(input) while \(state)")
  }

  mutating func noteServerClock(_ response: HTTPResponse, now: Date) {
    guard let text = response.header("Date"), let date = RetryAfter.httpDate(text) else { return }
    let skew = date.timeIntervalSince(now)
    // Date headers have one-second resolution: ignore differences that small.
    clockSkew = abs(skew) > 2 ? skew : 0
  }

  func describe(_ response: HTTPResponse) -> String {
    Self.sanitize(GraphSession.serviceError(response).description)
  }

  static func reason(for error: TransportError) -> RetryReason {
    switch error {
    case .timedOut: return .timeout
    default: return .network
    }
  }

  /// Strips control characters from server-provided text before it can reach a terminal.
  static func sanitize(_ text: String) -> String { GraphError.oneLine(text) }

  /// A confirmed offset past every byte this session was sent is a protocol error: the server
  /// claims bytes it never received. The session is deleted and the upload fails; unsent bytes
  /// are never counted as acknowledged.
  mutating func refuseOverclaim(_ operation: UploadOperation, _ input: UploadInput)
    -> Transition?
  {
    guard case .answered(let response) = input, response.status != 201 else { return nil }
    let limit: Int64
    switch operation {
    case .put(_, let range): limit = max(ledger.sentLimit, range.last + 1)
    case .queryStatus: limit = ledger.sentLimit
    default: return nil
    }
    guard let next = try? UploadSessionState.parse(response.body).nextOffset, next > limit
    else { return nil }
    return abandon(
      .fail(
        "the server claims to hold \(next) bytes but was sent only \(limit); "
          + "its upload session was deleted — upload the file again",
        .protocolError))
  }
}
