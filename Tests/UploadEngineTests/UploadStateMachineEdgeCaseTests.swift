import Foundation
import GraphClient
import GraphModels
import Testing

@testable import UploadEngine

/// Edge cases of `UploadStateMachine`: empty files, permanent errors, offset guesses, and the
/// invariants of its typed phases.
@Suite struct UploadStateMachineEdgeCaseTests {
  typealias H = MachineHarness

  // MARK: Edge cases

  @Test func emptyFileIsAttachedWithOnePost() throws {
    var h = try H(size: 0, chunk: 8, name: "empty.txt")
    #expect(h.send(.start).operation == .createEmptyAttachment)
    let body =
      ##"{"@odata.type":"#microsoft.graph.taskFileAttachment","id":"E1","name":"empty.txt","size":0}"##
    let actions = h.send(.answered(HTTPResponse(status: 201, body: Data(body.utf8))))
    #expect(actions.events.last == .completed(id: "u1", attachmentID: "E1", size: 0))
  }

  @Test func emptyFileAfterAnAmbiguousFailureLooksBeforePostingAgain() throws {
    var h = try H(size: 0, chunk: 8, name: "empty.txt")
    h.send(.start)
    h.send(.transportFailed(.connectionClosed))
    #expect(h.send(.timerFired).operation == .listAttachments)
    #expect(h.send(.attachmentsListed([])).operation == .createEmptyAttachment)
  }

  @Test func payloadTooLargeShrinksTheChunk() throws {
    var h = try H(size: 4_000_000, chunk: 4_000_000)
    h.startWithSession()
    let actions = h.send(.answered(H.error(413, code: "RequestEntityTooLarge")))
    #expect(actions.putRange == "bytes 0-1966079/4000000")
  }

  @Test func permanentErrorsFailWithTheServiceCode() throws {
    var h = try H(size: 10, chunk: 8)
    h.send(.start)
    h.send(.answered(H.error(403, code: "ErrorAccessDenied")))
    guard case .failed(let reason, _) = h.machine.outcome else {
      Issue.record("expected failure")
      return
    }
    #expect(reason.contains("403 ErrorAccessDenied"))
  }

  // MARK: Review fixes: 403, chunk_sent coverage, offset guesses

  @Test(arguments: [false, true])
  func forbiddenDuringAnUploadIsAnAuthenticationFailure(duringPut: Bool) throws {
    var h = try H(size: 10, chunk: 8)
    if duringPut { h.startWithSession() } else { h.send(.start) }
    h.send(.answered(H.error(403, code: "ErrorAccessDenied")))
    guard case .failed(let reason, let authentication) = h.machine.outcome else {
      Issue.record("expected a failure")
      return
    }
    #expect(authentication)
    #expect(reason.contains("403"))
  }

  /// Drives a 32-byte upload (8-byte chunks, no status GET) to a guessed offset of 16: the PUT
  /// of 8-15 lost its answer, its resend got a 416, and 16-23 is in flight.
  static func guessing() throws -> H {
    var h = try H(size: 32, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8-"])))
    h.send(.transportFailed(.timedOut))
    h.send(.timerFired)
    #expect(h.send(.answered(H.error(405, code: "methodNotAllowed"))).putRange == "bytes 8-15/32")
    let actions = h.send(.answered(H.rangeError(inner: "fragmentOverlap")))
    #expect(actions.putRange == "bytes 16-23/32")
    #expect(!actions.events.contains(where: isChunkSent))
    return h
  }

  @Test func guessedSpanIsReportedAsChunkSentOnceTheServerConfirmsIt() throws {
    var h = try Self.guessing()
    let actions = h.send(.answered(H.next(["24-"])))
    #expect(
      actions.events.filter(isChunkSent) == [
        .chunkSent(id: "u1", start: 8, end: 15, next: 16),
        .chunkSent(id: "u1", start: 16, end: 23, next: 24),
      ])
    #expect(h.machine.progress.acknowledgedOffset == 24)
    h.send(.answered(H.created()))
    #expect(h.machine.outcome == .completed(attachmentID: "ATT1"))
    expectContiguousChunks(h.log, size: 32)
  }

  @Test func guessedSpanBeforeTheFinalChunkIsReported() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8-"])))
    h.send(.transportFailed(.timedOut))
    h.send(.timerFired)
    h.send(.answered(H.error(405, code: "methodNotAllowed")))
    #expect(h.send(.answered(H.rangeError(inner: nil))).putRange == "bytes 16-19/20")
    h.send(.answered(H.created()))
    #expect(h.machine.outcome == .completed(attachmentID: "ATT1"))
    expectContiguousChunks(h.log, size: 20)
  }

  @Test func finalAnswerSettledByReconcileReportsTheRemainingRange() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8-"])))
    h.send(.answered(H.next(["16-"])))
    h.send(.transportFailed(.connectionClosed))  // the final PUT committed; answer lost
    h.send(.timerFired)
    #expect(h.send(.answered(H.next([]))).operation == .listAttachments)
    let ours = TaskFileAttachment(id: "NEW", name: "report.pdf", contentType: nil, size: 20)
    let actions = h.send(.attachmentsListed([ours]))
    #expect(
      actions.events.filter(isChunkSent) == [.chunkSent(id: "u1", start: 16, end: 19, next: 20)])
    expectContiguousChunks(h.log, size: 20)
  }

  @Test func fragmentOutOfOrderAtAGuessFallsBackToTheLastConfirmedOffset() throws {
    var h = try Self.guessing()
    let actions = h.send(.answered(H.rangeError(inner: "fragmentOutOfOrder")))
    #expect(actions.putRange == "bytes 8-15/32")
    #expect(h.machine.progress.acknowledgedOffset == 8)
  }

  @Test func rangeErrorAheadOfTheLastConfirmedOffsetFallsBackToIt() throws {
    var h = try Self.guessing()
    #expect(h.send(.answered(H.rangeError(inner: nil))).putRange == "bytes 8-15/32")
  }

  @Test func fragmentOutOfOrderAtAConfirmedOffsetDoesNotGuessFurtherAhead() throws {
    var h = try H(size: 32, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8-"])))
    h.send(.transportFailed(.timedOut))
    h.send(.timerFired)
    h.send(.answered(H.error(405, code: "methodNotAllowed")))
    let actions = h.send(.answered(H.rangeError(inner: "fragmentOutOfOrder")))
    #expect(actions.putRange == "bytes 8-15/32")
  }

  @Test func badRequestAtAGuessedOffsetIsARangeError() throws {
    var h = try Self.guessing()
    let actions = h.send(.answered(H.error(400, code: "invalidRequest")))
    #expect(
      actions.events.contains {
        if case .retry(_, .rangeMismatch, _, _) = $0 { true } else { false }
      })
    #expect(actions.putRange == "bytes 8-15/32")
    #expect(h.machine.outcome == nil)
  }

  @Test func badRequestAtAConfirmedOffsetStillFails() throws {
    var h = try H(size: 32, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.error(400, code: "invalidRequest")))
    guard case .failed = h.machine.outcome else {
      Issue.record("expected a failure")
      return
    }
  }

  @Test func serverTextIsStrippedOfControlCharacters() {
    #expect(UploadStateMachine.sanitize("a\u{1B}[2Jb\nc\u{9B}d") == "a [2Jb c d")
  }

  // MARK: Typed phases

  @Test func stateAndOperationInFlightAreDerivedFromOnePhase() throws {
    var h = try H(size: 20, chunk: 8)
    #expect(h.machine.state == .idle)
    #expect(h.machine.operationInFlight == nil)
    h.send(.start)
    #expect(h.machine.state == .creating)
    #expect(h.machine.operationInFlight == .createSession)
    h.send(.answered(H.session(url: H.url1, expires: h.now.addingTimeInterval(900))))
    let range = ContentRange(first: 0, last: 7, total: 20)
    #expect(h.machine.state == .sending(range))
    #expect(h.machine.operationInFlight == .put(url: H.url1, range: range))
    let wait = try #require(
      h.send(.answered(H.error(503, code: "serviceNotAvailable"))).waitSeconds)
    #expect(h.machine.state == .waiting)
    #expect(h.machine.operationInFlight == .wait(seconds: wait))
    h.send(.timerFired)
    #expect(h.machine.state == .querying)
    #expect(h.machine.operationInFlight == .queryStatus(url: H.url1))
    h.send(.answered(H.error(401, code: "InvalidAuthenticationToken")))
    #expect(h.machine.state == .refreshing)
    #expect(h.machine.operationInFlight == .refreshToken)
    h.send(.tokenRefreshed)
    #expect(h.machine.operationInFlight == .queryStatus(url: H.url1))
    h.send(.cancel)
    h.send(.transportFailed(.cancelled))
    #expect(h.machine.state == .abandoning)
    #expect(h.machine.operationInFlight == .deleteSession(url: H.url1))
    h.send(.answered(HTTPResponse(status: 204)))
    #expect(h.machine.state == .cancelled)
    #expect(h.machine.operationInFlight == nil)
  }

  @Test func answersWithNothingInFlightAreIgnored() throws {
    var h = try H(size: 20, chunk: 8)
    let answered = h.send(.answered(H.next(["8"])))
    let fired = h.send(.timerFired)
    #expect(answered.isEmpty && fired.isEmpty)
    #expect(h.machine.state == .idle)
    h.send(.pause)
    let listed = h.send(.attachmentsListed([]))
    #expect(listed.isEmpty)
    #expect(h.machine.outcome == .paused)
  }

  @Test func pauseRacingACompletionThatNamesNoAttachmentLetsTheListingSettleIt() throws {
    var h = try H(size: 8, chunk: 8)
    h.startWithSession()
    #expect(h.send(.pause).aborts)
    // The last PUT landed (201) but its answer does not say as what: the listing still runs.
    let actions = h.send(.answered(HTTPResponse(status: 201)))
    #expect(actions.operation == .listAttachments)
    #expect(actions.events.last == .paused(id: "u1", acknowledged: 0))
    #expect(h.machine.outcome == .paused)
    #expect(h.machine.operationInFlight == .listAttachments)
    let ours = TaskFileAttachment(id: "ATT1", name: "report.pdf", contentType: nil, size: 8)
    #expect(h.send(.attachmentsListed([ours])).removesJournal)
    #expect(h.machine.outcome == .completed(attachmentID: "ATT1"))
  }
}
