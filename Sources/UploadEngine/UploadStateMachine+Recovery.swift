import Foundation
import GraphClient
import GraphModels

/// Learning where the server stands (status GET, range errors, the attachment list) and
/// replacing a session that is lost or cannot be trusted.
extension UploadStateMachine {
  /// Asks the server where it stands, or falls back when it cannot be asked.
  mutating func query(now: Date) -> Transition {
    guard let session = ledger.session else { return createSession() }
    if statusSupport == .unsupported { return fallBackToJournalOffset(now: now) }
    return begin(.querying(Phase.Querying(url: session.url)))
  }

  mutating func statusSettled(_ input: UploadInput, now: Date) -> Transition {
    guard let url = ledger.session?.url else { return createSession() }
    switch input {
    case .answered(let response) where response.status == 200:
      statusSupport = .supported
      guard let state = try? UploadSessionState.parse(response.body) else {
        statusSupport = .unsupported
        return fallBackToJournalOffset(now: now)
      }
      guard let next = state.nextOffset else {
        // Nothing more expected: the upload may have completed with its answer lost.
        return reconcile()
      }
      var actions = acknowledge(next: next, sent: nil, now: now)
      actions += announceResumption()
      actions += next >= size ? reconcile() : nextPut(now: now)
      return actions
    case .answered(let response)
    where (response.status == 404 || response.status == 410) && statusSupport == .supported:
      return sessionLost(response: response, operation: .queryStatus(url: url), now: now)
    case .answered(let response) where [400, 404, 405, 501].contains(response.status):
      // Status GET is undocumented for To Do: without it, the journal offset is our best
      // knowledge, and a 416 (or a 404 for a dead session) will correct it.
      statusSupport = .unsupported
      return fallBackToJournalOffset(now: now)
    case .answered(let response):
      return httpFailure(response, operation: .queryStatus(url: url), now: now)
    case .transportFailed(let error):
      return transportFailure(error, operation: .queryStatus(url: url), now: now)
    default:
      return unexpected(input)
    }
  }

  private mutating func fallBackToJournalOffset(now: Date) -> Transition {
    ledger.acknowledged = ledger.confirmedOffset
    ledger.offsetIsGuess = false
    return announceResumption() + nextPut(now: now)
  }

  private mutating func announceResumption() -> Transition {
    guard announceResume else { return [] }
    announceResume = false
    return [.emit(.resumed(id: id, from: ledger.acknowledged))]
  }

  /// Lists the task's attachments to settle an upload that may have completed.
  mutating func reconcile() -> Transition {
    begin(.reconciling(Phase.Reconciling()))
  }

  mutating func listSettled(_ input: UploadInput, now: Date) -> Transition {
    switch input {
    case .attachmentsListed(let attachments):
      if let match = matchingAttachment(in: attachments) { return finish(attachmentID: match.id) }
      if planner.isEmpty { return createEmptyAttachment() }
      return recreate(
        reason: ledger.replacementReason
          ?? "the upload session was lost before the file was attached")
    case .answered(let response):
      return httpFailure(response, operation: .listAttachments, now: now)
    case .transportFailed(let error):
      return transportFailure(error, operation: .listAttachments, now: now)
    default:
      return unexpected(input)
    }
  }

  private func matchingAttachment(in attachments: [TaskFileAttachment]) -> TaskFileAttachment? {
    let candidates = attachments.filter { $0.name == name && $0.size == size }
    let earliest = ledger.session?.createdAt.map {
      $0.addingTimeInterval(clockSkew - configuration.reconcileSkew)
    }
    let recent = candidates.filter { attachment in
      guard let earliest, let text = attachment.lastModifiedDateTime,
        let modified = GraphDate.parse(text)
      else { return true }
      return modified >= earliest
    }
    return recent.max { lhs, rhs in
      (lhs.lastModifiedDateTime ?? "") < (rhs.lastModifiedDateTime ?? "")
    }
  }

  /// 416 (or an equivalent 400/409): the server disagrees about the offset.
  mutating func rangeError(range: ContentRange, response: HTTPResponse, now: Date)
    -> Transition
  {
    guard case .granted(let attempt) = budget.spendRangeError() else {
      // Twice corrected and still rejected: this session cannot be trusted.
      return ledger.finalChunkSent
        ? reconcile() : recreate(reason: "the server kept rejecting the byte ranges")
    }
    var actions: Transition = [
      .emit(.retry(id: id, reason: .rangeMismatch, afterSeconds: 0, attempt: attempt))
    ]
    if let state = try? UploadSessionState.parse(response.body), let next = state.nextOffset {
      actions += acknowledge(next: next, sent: nil, now: now)
      actions += next >= size ? reconcile() : nextPut(now: now)
      return actions
    }
    if statusSupport != .unsupported, ledger.session != nil {
      return actions + query(now: now)
    }
    let innerCode = GraphErrorBody.parse(response.body)?.innerCode?.lowercased() ?? ""
    if innerCode == "fragmentoutoforder" || range.first > ledger.lastConfirmedOffset {
      // We are ahead of the server (a wrong guess): guessing further would only drift away.
      ledger.acknowledged = ledger.lastConfirmedOffset
      ledger.offsetIsGuess = false
      return actions + nextPut(now: now)
    }
    // No status GET: we resent from the last confirmed offset, so the overlap means the PUT
    // whose answer was lost did commit. Continue after it; a wrong guess gets another 416 and
    // the bound above. Its chunk_sent waits until the server confirms an offset beyond it.
    ledger.acknowledged = range.last + 1
    ledger.offsetIsGuess = true
    if ledger.acknowledged >= size { return actions + reconcile() }
    return actions + nextPut(now: now)
  }

  /// 404 for the session: bounded retries (it may be a transient lookup miss), then replace it.
  mutating func sessionLost(response: HTTPResponse, operation: UploadOperation, now: Date)
    -> Transition
  {
    let spend = budget.spendSessionNotFound()
    let expired = ledger.session?.expiration.map { $0 <= serverNow(now) } ?? false
    if !expired, case .granted(let retry) = spend {
      let delay = configuration.sessionNotFoundDelay * Double(retry)
      return retryLater(
        reason: .sessionLost, retryAfter: delay, detail: describe(response),
        then: .repeatOperation(operation))
    }
    // Before replacing it: the session may be gone because the upload completed (its answer
    // lost, or another process finished it). The task's attachments settle that.
    ledger.replacementReason =
      expired ? "the upload session expired" : "the upload session was not found"
    return reconcile()
  }

  /// Replaces the session: every later request goes to the new URL, from offset 0.
  mutating func recreate(reason: String, deleting oldURL: String? = nil) -> Transition {
    if case .exhausted(let attempts) = budget.spendRecreation() {
      return fail("gave up after replacing the upload session \(attempts - 1) times: \(reason)")
    }
    ledger.replacementReason = reason
    ledger.startOver(in: nil)
    if let oldURL { return begin(.replacing(Phase.Replacing(url: oldURL))) }
    return createSession()
  }
}
