import Foundation
import GraphClient
import GraphModels

/// User commands (pause, resume, cancel), the stall watchdog, a file changed under the upload,
/// and how the operation they stop settles.
extension UploadStateMachine {
  /// Pauses: the operation in flight is stopped; session and journal are kept.
  public mutating func pause() -> PauseAction {
    switch phase {
    case .idle:
      phase = .paused(Phase.Paused(listing: false))
      return .paused(.paused(id: id, acknowledged: ledger.acknowledgedHigh))
    case .creating, .sending, .querying, .reconciling, .refreshing, .waiting, .replacing:
      guard phase.interruption == nil || phase.interruption == .stall else { return .none }
      phase.interruption = .pause
      return .abortInFlight
    case .paused, .abandoning, .completed, .failed, .cancelled:
      return .none
    }
  }

  /// Resumes a paused (or retries a failed) upload from where the server stands.
  public mutating func resume(now: Date) -> ResumeAction {
    switch phase {
    case .paused, .failed:
      if abandonment != nil { return .none }
      budget.resumedByUser()
      failedOnAuthentication = false
      announceResume = true
      if ledger.session != nil { return .proceed(query(now: now)) }
      phase = .idle
      return .proceed(planner.isEmpty ? createEmptyAttachment() : createSession())
    case .idle:
      return .proceed(startTransition(now: now))
    default:
      // Resuming while a pause is still settling cancels the pause.
      if phase.interruption == .pause { phase.interruption = nil }
      return .none
    }
  }

  /// Cancels: the operation in flight is stopped, then the session and journal are deleted.
  public mutating func cancel() -> CancelAction {
    switch phase {
    case .completed, .cancelled, .abandoning:
      return .none
    case .idle, .paused, .failed:
      return .abandon(abandon(.cancel))
    case .creating, .sending, .querying, .reconciling, .refreshing, .waiting, .replacing:
      phase.interruption = .cancel
      return .abortInFlight
    }
  }

  /// Sent by the coordinator instead of starting a PUT whose file no longer matches.
  public mutating func fileChanged(_ reason: String) -> FileChangedAction {
    switch phase {
    case .completed, .cancelled, .abandoning, .failed: return .none
    default:
      // A pause still settling does not outlive the change: the upload fails (it would end
      // paused, and resuming a changed file is refused, so it would be stuck).
      if phase.interruption == .cancel { return .abandon(abandon(.cancel)) }
      return .abandon(abandon(.fail(Self.sanitize(reason), .fileChanged)))
    }
  }

  /// The stall watchdog's sample: `sent` body bytes of the PUT in flight written so far.
  public mutating func tick(sentBytes sent: Int64, now: Date) -> TickAction {
    guard case .sending(var sending) = phase, sending.interruption == nil else { return .none }
    if sent != sending.lastSample {
      sending.lastSample = sent
      sending.lastMovementAt = now
      phase = .sending(sending)
      return .none
    }
    guard now.timeIntervalSince(sending.lastMovementAt) >= configuration.stallTimeout else {
      return .none
    }
    sending.interruption = .stall
    phase = .sending(sending)
    return .abortInFlight
  }

  /// The result of `operation` after `interruption` asked to stop it; nil when it is to be
  /// handled as if nothing had been asked (a stalled PUT that answered after all).
  mutating func settleInterrupted(
    _ operation: UploadOperation, by interruption: Interruption, with input: UploadInput,
    now: Date
  ) -> Transition? {
    switch interruption {
    case .cancel:
      if case .answered(let response) = input, (200..<300).contains(response.status) {
        switch operation {
        case .put where response.status == 201:
          // The last chunk landed before the cancel did: the file is attached.
          return complete(response: response)
        case .createSession:
          if let created = try? UploadSessionState.parse(response.body), let url = created.uploadUrl
          {
            ledger.session = Session(
              url: url, expiration: created.expirationDateTime, createdAt: now)
          }
        default:
          break
        }
      }
      return abandon(.cancel)
    case .pause:
      // A PUT that raced the pause may have been accepted: keep what the server confirmed.
      var actions: Transition = []
      if case .answered(let response) = input, (200..<300).contains(response.status) {
        actions = settleWhilePausing(operation, response: response, now: now)
        if isSettled { return actions }
      }
      phase = .paused(Phase.Paused(listing: actions.perform == .listAttachments))
      return actions + [.emit(.paused(id: id, acknowledged: ledger.acknowledgedHigh))]
    case .stall:
      if case .answered(let response) = input, response.status < 300 { return nil }
      return ambiguousFailure(reason: .stalled, retryAfter: nil, detail: "no bytes moved", now: now)
    }
  }

  /// Applies a successful answer that arrived while a pause was settling; returns its actions.
  private mutating func settleWhilePausing(
    _ operation: UploadOperation, response: HTTPResponse, now: Date
  ) -> Transition {
    switch operation {
    case .createSession:
      guard let created = try? UploadSessionState.parse(response.body), let url = created.uploadUrl
      else { return [] }
      return adoptSession(url: url, expiration: created.expirationDateTime, now: now)
    case .put(_, let range):
      if response.status == 201 || (response.header("Location") != nil && response.status < 300) {
        return complete(response: response, lastChunk: range)
      }
      guard let next = try? UploadSessionState.parse(response.body).nextOffset else { return [] }
      return acknowledge(next: next, sent: range, now: now)
    case .queryStatus:
      guard let next = try? UploadSessionState.parse(response.body).nextOffset else { return [] }
      return acknowledge(next: next, sent: nil, now: now)
    case .createEmptyAttachment:
      if let attachment = try? TaskFileAttachment.decodeSingle(from: response.body) {
        return finish(attachmentID: attachment.id)
      }
      return []
    default:
      return []
    }
  }

  /// Deletes the session (best effort), drops the journal entry, and ends as cancelled or failed.
  mutating func abandon(_ how: Abandonment, keeping interruption: Interruption? = nil)
    -> Transition
  {
    abandonment = how
    // A cancel (or a changed file) is not an authentication failure, whatever came before.
    failedOnAuthentication = false
    if let url = ledger.session?.url {
      return begin(.abandoning(Phase.Abandoning(url: url, interruption: interruption)))
    }
    return finishAbandon()
  }

  mutating func finishAbandon() -> Transition {
    ledger.session = nil
    switch abandonment {
    case .fail(let reason, let code):
      phase = .failed(reason: reason)
      return [.removeJournal, .emit(.failed(id: id, reason: reason, code: code))]
    case .cancel, nil:
      phase = .cancelled
      return [.removeJournal, .emit(.cancelled(id: id))]
    }
  }
}
