import Foundation
import GraphClient
import GraphModels

/// Creating the session (or the 0-byte attachment) and sending the file through it.
extension UploadStateMachine {
  mutating func createSession() -> Transition {
    begin(.creating(Phase.Creating(emptyAttachment: false)))
  }

  mutating func createEmptyAttachment() -> Transition {
    begin(.creating(Phase.Creating(emptyAttachment: true)))
  }

  mutating func sessionCreationSettled(_ input: UploadInput, now: Date) -> Transition {
    switch input {
    case .answered(let response) where response.status == 200 || response.status == 201:
      guard let created = try? UploadSessionState.parse(response.body), let url = created.uploadUrl
      else {
        return fail("createUploadSession answered without an uploadUrl")
      }
      var actions = adoptSession(url: url, expiration: created.expirationDateTime, now: now)
      actions += nextPut(now: now)
      return actions
    case .answered(let response):
      return httpFailure(response, operation: .createSession, now: now)
    case .transportFailed(let error):
      return transportFailure(error, operation: .createSession, now: now)
    default:
      return unexpected(input)
    }
  }

  /// Records a new session: journal first, then the event (DESIGN.md §6.1).
  mutating func adoptSession(url: String, expiration: Date?, now: Date) -> Transition {
    ledger.startOver(in: Session(url: url, expiration: expiration, createdAt: now))
    budget.sessionAdopted()
    var actions: Transition = [.saveJournal(progress)]
    if let reason = ledger.replacementReason {
      ledger.replacementReason = nil
      actions.append(.emit(.sessionRecreated(id: id, reason: reason)))
    } else {
      actions.append(
        .emit(
          .sessionCreated(
            id: id, name: name, size: size, chunkSize: planner.chunkSize, expiration: expiration)))
    }
    return actions
  }

  mutating func emptyAttachmentSettled(_ input: UploadInput, now: Date) -> Transition {
    switch input {
    case .answered(let response) where response.status == 200 || response.status == 201:
      if let attachment = try? TaskFileAttachment.decodeSingle(from: response.body),
        !attachment.id.isEmpty
      {
        return finish(attachmentID: attachment.id)
      }
      if let location = response.header("Location"),
        let attachmentID = AttachmentLocation.attachmentID(from: location)
      {
        return finish(attachmentID: attachmentID)
      }
      return reconcile()
    case .answered(let response):
      return httpFailure(response, operation: .createEmptyAttachment, now: now)
    case .transportFailed(let error):
      if error.isAmbiguous {
        // The POST may have created the attachment: look before posting again.
        return retryLater(
          reason: Self.reason(for: error), retryAfter: nil,
          detail: GraphError.transport(error).description,
          then: .reconcile)
      }
      return transportFailure(error, operation: .createEmptyAttachment, now: now)
    default:
      return unexpected(input)
    }
  }

  /// Starts the PUT from the acknowledged offset, or settles the upload when nothing is left.
  mutating func nextPut(now: Date) -> Transition {
    guard let session = ledger.session else { return createSession() }
    guard let range = planner.chunk(from: ledger.acknowledged) else { return reconcile() }
    if shouldReplaceBeforeExpiry(now: now) {
      return recreate(
        reason: "the session would expire before the upload could finish", deleting: session.url)
    }
    var actions: Transition = []
    ledger.sentLimit = max(ledger.sentLimit, range.last + 1)
    if planner.isFinal(range) && !ledger.finalChunkSent {
      ledger.finalChunkSent = true
      actions.append(.saveJournal(progress))
    }
    actions += begin(
      .sending(
        Phase.Sending(url: session.url, range: range, startedAt: now, lastMovementAt: now)))
    return actions
  }

  mutating func putSettled(_ sending: Phase.Sending, _ input: UploadInput, now: Date)
    -> Transition
  {
    let range = sending.range
    guard case .answered(let response) = input else {
      if case .transportFailed(let error) = input {
        return transportFailure(
          error, operation: .put(url: ledger.session?.url ?? "", range: range), now: now)
      }
      return unexpected(input)
    }
    switch response.status {
    case 201:
      return complete(response: response, lastChunk: range)
    case 200, 202:
      if let state = try? UploadSessionState.parse(response.body), let next = state.nextOffset {
        if next <= range.first && next <= ledger.acknowledged {
          // The server took nothing: treat like a range error so this can never loop.
          return rangeError(range: range, response: response, now: now)
        }
        sampleThroughput(bytes: next - range.first, since: sending.startedAt, now: now)
        var actions = acknowledge(next: next, sent: range, now: now)
        if next >= size { actions += reconcile() } else { actions += nextPut(now: now) }
        return actions
      }
      if response.header("Location") != nil {
        return complete(response: response, lastChunk: range)
      }
      // A success without ranges: it may have been the end. Ask before sending more.
      return query(now: now)
    case 416:
      return rangeError(range: range, response: response, now: now)
    case 400, 409:
      let code = GraphErrorBody.parse(response.body)?.code.lowercased() ?? ""
      // A 400 at a guessed offset is most likely the service rejecting the guess.
      if code.contains("range") || code.contains("order") || code.contains("overlap")
        || (response.status == 400 && ledger.offsetIsGuess)
      {
        return rangeError(range: range, response: response, now: now)
      }
      return httpFailure(
        response, operation: .put(url: ledger.session?.url ?? "", range: range), now: now)
    case 413:
      return shrinkChunk(after: response, now: now)
    default:
      return httpFailure(
        response, operation: .put(url: ledger.session?.url ?? "", range: range), now: now)
    }
  }

  /// Takes the server's `next` offset as the truth, journals it and reports it.
  mutating func acknowledge(next: Int64, sent range: ContentRange?, now: Date) -> Transition {
    let clamped = min(max(next, 0), size)
    // Reported as far as the last confirmation: a guessed span is reported once confirmed.
    let previous = ledger.lastConfirmedOffset
    ledger.acknowledged = clamped
    ledger.lastConfirmedOffset = clamped
    ledger.offsetIsGuess = false
    if clamped > previous { budget.progressMade() }
    // Journal first: anyone who sees the event may rely on the entry being on disk.
    var actions: Transition = [.saveJournal(progress)]
    if let range {
      if range.first > previous && clamped >= range.first {
        actions.append(
          .emit(.chunkSent(id: id, start: previous, end: range.first - 1, next: range.first)))
      }
      actions.append(.emit(.chunkSent(id: id, start: range.first, end: range.last, next: clamped)))
    } else if clamped > previous {
      actions.append(.emit(.chunkSent(id: id, start: previous, end: clamped - 1, next: clamped)))
    }
    ledger.acknowledgedHigh = max(ledger.acknowledgedHigh, clamped)
    actions.append(
      .emit(.progress(id: id, sent: clamped, acknowledged: ledger.acknowledgedHigh, size: size)))
    return actions
  }

  /// A 201 (or a success carrying `Location`): the attachment exists. `lastChunk` is the PUT
  /// that completed it, reported as `chunk_sent` like every other chunk.
  mutating func complete(response: HTTPResponse, lastChunk: ContentRange? = nil) -> Transition {
    if let location = response.header("Location"),
      let attachmentID = AttachmentLocation.attachmentID(from: location)
    {
      return finish(attachmentID: attachmentID, lastChunk: lastChunk)
    }
    if let attachment = try? TaskFileAttachment.decodeSingle(from: response.body) {
      return finish(attachmentID: attachment.id, lastChunk: lastChunk)
    }
    // Attached, but the answer does not say as what: find it by name and size.
    return reconcile()
  }

  mutating func finish(attachmentID: String, lastChunk: ContentRange? = nil) -> Transition {
    // Everything past the last confirmation is reported now, so chunk_sent ends at the size
    // even when the final answer was lost (reconcile) or followed a guessed offset.
    let reported = min(ledger.lastConfirmedOffset, size)
    phase = .completed(attachmentID: attachmentID)
    ledger.acknowledged = size
    ledger.acknowledgedHigh = size
    ledger.lastConfirmedOffset = size
    var actions: Transition = [.removeJournal]
    if let lastChunk, lastChunk.last == size - 1, lastChunk.first >= reported {
      if lastChunk.first > reported {
        actions.append(
          .emit(
            .chunkSent(id: id, start: reported, end: lastChunk.first - 1, next: lastChunk.first))
        )
      }
      actions.append(
        .emit(.chunkSent(id: id, start: lastChunk.first, end: lastChunk.last, next: size)))
    } else if reported < size {
      actions.append(.emit(.chunkSent(id: id, start: reported, end: size - 1, next: size)))
    }
    return actions + [
      .emit(.progress(id: id, sent: size, acknowledged: size, size: size)),
      .emit(.completed(id: id, attachmentID: attachmentID, size: size)),
    ]
  }

  /// 413: the server wants smaller PUTs. Halve (keeping 320 KiB multiples) and carry on.
  mutating func shrinkChunk(after response: HTTPResponse, now: Date) -> Transition {
    let multiple = UploadLimits.fragmentMultiple
    let half = planner.chunkSize / 2
    let smaller = half >= multiple ? half / multiple * multiple : half
    guard smaller >= 1, smaller < planner.chunkSize,
      let planner = try? ChunkPlanner(size: size, chunkSize: smaller)
    else { return fail(describe(response)) }
    self.planner = planner
    return nextPut(now: now)
  }

  private mutating func sampleThroughput(bytes: Int64, since started: Date, now: Date) {
    guard bytes > 0 else { return }
    let seconds = max(now.timeIntervalSince(started), 0.001)
    let sample = Double(bytes) / seconds
    throughput = throughput.map { 0.5 * $0 + 0.5 * sample } ?? sample
  }

  func serverNow(_ now: Date) -> Date { now.addingTimeInterval(clockSkew) }

  /// True when the session would expire before the rest of the file can be sent, and a new
  /// session could finish the whole file in its lifetime (otherwise replacing it cannot help).
  private func shouldReplaceBeforeExpiry(now: Date) -> Bool {
    guard let session = ledger.session, let expiration = session.expiration else { return false }
    let left = expiration.timeIntervalSince(serverNow(now))
    let remaining = Double(size - ledger.acknowledged)
    let lifetime = session.createdAt.map { expiration.timeIntervalSince(serverNow($0)) }
    guard let rate = throughput, rate > 0 else {
      // No measurement yet: only a session already inside the margin is replaced.
      return left <= configuration.expiryMargin && (lifetime ?? 0) > 2 * configuration.expiryMargin
    }
    let needed = remaining / rate * 1.2 + configuration.expiryMargin
    guard needed > left else { return false }
    let wholeFile = Double(size) / rate * 1.2 + configuration.expiryMargin
    return lifetime.map { wholeFile < $0 } ?? true
  }
}
