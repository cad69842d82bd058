import Foundation
import GraphClient
import GraphModels
import Testing

@testable import UploadEngine

@Suite struct UploadStateMachineTests {
  typealias H = MachineHarness

  // MARK: Happy path and journal order (§6.1, §6.2)

  @Test func journalIsWrittenBeforeTheFirstPut() throws {
    var h = try H(size: 10, chunk: 4)
    #expect(h.send(.start).operation == .createSession)
    let actions = h.send(.answered(H.session(url: H.url1, expires: h.now.addingTimeInterval(900))))
    let saveIndex = try #require(
      actions.firstIndex { if case .saveJournal = $0 { true } else { false } })
    let putIndex = try #require(
      actions.firstIndex { if case .perform(.put) = $0 { true } else { false } })
    #expect(saveIndex < putIndex)
    #expect(actions.journalSaves.first?.uploadUrl == H.url1)
    #expect(actions.journalSaves.first?.acknowledgedOffset == 0)
    #expect(actions.putRange == "bytes 0-3/10")
    #expect(actions.putURL == H.url1)
    #expect(actions.events.contains { if case .sessionCreated = $0 { true } else { false } })
  }

  @Test func acceptsCreateAnswer201() throws {
    var h = try H(size: 10, chunk: 4)
    h.send(.start)
    let actions = h.send(.answered(H.session(url: H.url1, expires: h.now + 900, status: 201)))
    #expect(actions.putRange == "bytes 0-3/10")
  }

  @Test func everyAcknowledgementIsJournaledAndTheUploadCompletes() throws {
    var h = try H(size: 10, chunk: 4)
    h.startWithSession()
    var actions = h.send(.answered(H.next(["4"])))
    #expect(actions.journalSaves.last?.acknowledgedOffset == 4)
    #expect(actions.putRange == "bytes 4-7/10")
    #expect(actions.events.contains(.chunkSent(id: "u1", start: 0, end: 3, next: 4)))
    actions = h.send(.answered(H.next(["8-"], pascal: false)))
    #expect(actions.journalSaves.map(\.acknowledgedOffset).contains(8))
    // The PUT carrying the last byte is journaled as such before it goes out.
    #expect(actions.journalSaves.last?.finalChunkSent == true)
    #expect(actions.putRange == "bytes 8-9/10")
    actions = h.send(.answered(H.created(id: "AAMk%3D")))
    #expect(actions.removesJournal)
    // The last chunk is reported like every other, then the completion.
    #expect(actions.events.contains(.chunkSent(id: "u1", start: 8, end: 9, next: 10)))
    #expect(actions.events.last == .completed(id: "u1", attachmentID: "AAMk=", size: 10))
    #expect(h.machine.outcome == .completed(attachmentID: "AAMk="))
  }

  @Test func acceptsODataKeyLocation() throws {
    var h = try H(size: 3, chunk: 4)
    h.startWithSession()
    let response = HTTPResponse(
      status: 201, headers: [("location", "https://outlook.example/api/Attachments('AbC=')")])
    #expect(
      h.send(.answered(response)).events.last == .completed(id: "u1", attachmentID: "AbC=", size: 3)
    )
  }

  @Test func nextOffsetAlwaysComesFromTheServerNotTheChunkEnd() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    // The server kept only part of the chunk: the next PUT starts where it says.
    var actions = h.send(.answered(H.next(["5-19"])))
    #expect(actions.putRange == "bytes 5-12/20")
    // Several ranges: the earliest start wins.
    actions = h.send(.answered(H.next(["15-", "13-14"])))
    #expect(actions.putRange == "bytes 13-19/20")
  }

  // MARK: Ambiguous failures (§6.4)

  @Test func ambiguousFailureAsksTheServerBeforeResending() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    var actions = h.send(.transportFailed(.connectionClosed))
    #expect(
      actions.events.contains { if case .retry(_, .network, _, 1) = $0 { true } else { false } })
    #expect(actions.waitSeconds != nil)
    actions = h.send(.timerFired)
    #expect(actions.operation == .queryStatus(url: H.url1))
    // The lost answer was a commit: the server is at 8 already.
    actions = h.send(.answered(H.next(["8-"])))
    #expect(actions.putRange == "bytes 8-15/20")
    #expect(actions.journalSaves.last?.acknowledgedOffset == 8)
  }

  @Test(arguments: [500, 502, 503, 504])
  func serverErrorsOnPutAreAmbiguous(_ status: Int) throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.error(status, code: "serviceNotAvailable")))
    #expect(h.send(.timerFired).operation == .queryStatus(url: H.url1))
  }

  @Test func withoutStatusGetFallsBackToTheJournalOffsetAndA416Corrects() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8"])))  // acknowledged 8
    h.send(.transportFailed(.timedOut))  // the PUT 8-15 committed, answer lost
    #expect(h.send(.timerFired).operation == .queryStatus(url: H.url1))
    var actions = h.send(.answered(H.error(405, code: "methodNotAllowed")))
    #expect(actions.putRange == "bytes 8-15/20")
    // Overlap: the lost PUT did commit, so continue after it — no loop.
    actions = h.send(.answered(H.error(416, code: "invalidRange")))
    #expect(actions.putRange == "bytes 16-19/20")
    // The guess is not journaled as acknowledged; only the server's word is.
    #expect(h.machine.progress.acknowledgedOffset == 8)
    actions = h.send(.answered(H.created()))
    #expect(h.machine.outcome == .completed(attachmentID: "ATT1"))
    // Status GET is not tried again once known unsupported.
    #expect(
      !h.log.contains(.perform(.queryStatus(url: H.url1)))
        || h.log.filter { $0 == .perform(.queryStatus(url: H.url1)) }.count == 1)
  }

  @Test func rangeErrorResynchronisesFromStatusAndSkipsExactlyTheReceivedBytes() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    var actions = h.send(.answered(H.error(416, code: "invalidRange")))
    #expect(actions.operation == .queryStatus(url: H.url1))
    actions = h.send(.answered(H.next(["3-"])))
    #expect(actions.putRange == "bytes 3-10/20")
  }

  @Test func repeatedRangeErrorsNeverLoop() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    var puts = 0
    for _ in 0..<3 {
      let actions = h.send(.answered(H.error(416, code: "invalidRange")))
      if actions.operation == .queryStatus(url: H.url1) {
        // The server insists on 0 each time.
        if h.send(.answered(H.next(["0-"]))).putRange != nil { puts += 1 }
      }
    }
    // After two corrections the session is replaced instead of trying again.
    #expect(h.machine.operationInFlight == .createSession)
    #expect(puts == 2)
  }

  @Test func putAnswerThatTakesNothingCountsAsARangeError() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8"])))
    for _ in 0..<2 { #expect(h.send(.answered(H.next(["8"]))).putRange == "bytes 8-15/20") }
    #expect(h.send(.answered(H.next(["8"]))).operation == .createSession)
  }

  // MARK: Lost sessions and expiry (§6.5)

  @Test func lostSessionGetsBoundedRetriesThenANewSessionAndEveryLaterRequestUsesIt() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8"])))
    for attempt in 1...2 {
      let actions = h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
      #expect(
        actions.events.contains {
          if case .retry(_, .sessionLost, _, attempt) = $0 { true } else { false }
        })
      #expect(h.send(.timerFired).putURL == H.url1)
    }
    #expect(h.send(.answered(H.error(404, code: "x"))).operation == .listAttachments)
    var actions = h.send(.attachmentsListed([]))
    #expect(actions.operation == .createSession)
    actions = h.send(.answered(H.session(url: H.url2, expires: h.now + 900)))
    #expect(actions.journalSaves.first?.uploadUrl == H.url2)
    #expect(actions.journalSaves.first?.acknowledgedOffset == 0)
    #expect(actions.events.contains { if case .sessionRecreated = $0 { true } else { false } })
    #expect(actions.putRange == "bytes 0-7/20")
    #expect(actions.putURL == H.url2)
    // Ambiguity later on asks the new session, not the old one.
    h.send(.transportFailed(.connectionClosed))
    #expect(h.send(.timerFired).operation == .queryStatus(url: H.url2))
  }

  @Test func sessionPastItsExpiryIsReplacedWithoutRetries() throws {
    var h = try H(size: 20, chunk: 8, configuration: H.configuration(expiryMargin: 1))
    h.startWithSession(lifetime: 60)
    h.advance(61)
    #expect(h.send(.answered(H.error(404, code: "x"))).operation == .listAttachments)
    #expect(h.send(.attachmentsListed([])).operation == .createSession)
  }

  @Test func sessionIsReplacedBeforeItWouldExpireWhenAFreshOneCanFinish() throws {
    // 10 chunks of 10 bytes, 5 s each: 50 s for the whole file, sessions live 100 s.
    var h = try H(size: 100, chunk: 10, configuration: H.configuration(expiryMargin: 5))
    h.startWithSession(lifetime: 100)
    h.advance(5)
    h.send(.answered(H.next(["10"])))
    h.advance(5)
    h.send(.answered(H.next(["20"])))
    // Throttled for 70 s: 25 s left, 80 bytes need 40 s + margin.
    h.advance(5)
    h.send(.answered(H.error(429, code: "TooManyRequests", headers: [("Retry-After", "70")])))
    h.advance(70)
    var actions = h.send(.timerFired)
    #expect(actions.operation == .deleteSession(url: H.url1))
    actions = h.send(.answered(HTTPResponse(status: 204)))
    #expect(actions.operation == .createSession)
    actions = h.send(.answered(H.session(url: H.url2, expires: h.now + 100)))
    #expect(actions.putRange == "bytes 0-9/100")
    #expect(actions.putURL == H.url2)
    #expect(actions.events.contains { if case .sessionRecreated = $0 { true } else { false } })
  }

  @Test func sessionIsKeptWhenEvenAFreshOneCouldNotFinish() throws {
    // 10 s per chunk: the whole file needs 100 s, longer than a 60 s session.
    var h = try H(size: 100, chunk: 10, configuration: H.configuration(expiryMargin: 5))
    h.startWithSession(lifetime: 60)
    h.advance(10)
    let actions = h.send(.answered(H.next(["10"])))
    #expect(actions.putRange == "bytes 10-19/100")
  }

  // MARK: Lost final answer (§6.6)

  @Test func lostFinalAnswerIsSettledByListingAttachmentsWithoutADuplicate() throws {
    var h = try H(size: 10, chunk: 8, name: "résumé 東京.pdf")
    h.startWithSession()
    h.send(.answered(H.next(["8"])))
    h.send(.transportFailed(.connectionClosed))  // the final PUT committed; answer lost
    #expect(h.send(.timerFired).operation == .queryStatus(url: H.url1))
    // The session is gone (it completed): bounded retries, then look, don't re-upload.
    h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
    var actions: [UploadAction] = []
    for _ in 0..<6 {
      if h.machine.operationInFlight == .listAttachments { break }
      if case .wait = h.machine.operationInFlight {
        actions = h.send(.timerFired)
      } else {
        actions = h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
      }
    }
    #expect(h.machine.operationInFlight == .listAttachments)
    let other = TaskFileAttachment(id: "OLD", name: "résumé 東京.pdf", contentType: nil, size: 9)
    let ours = TaskFileAttachment(id: "NEW", name: "résumé 東京.pdf", contentType: nil, size: 10)
    actions = h.send(.attachmentsListed([other, ours]))
    #expect(actions.events.last == .completed(id: "u1", attachmentID: "NEW", size: 10))
    #expect(
      !h.log.contains(.perform(.createSession))
        || h.log.filter { $0 == .perform(.createSession) }.count == 1)
  }

  @Test func lostSessionWithoutAMatchingAttachmentUploadsAgain() throws {
    var h = try H(size: 10, chunk: 16)
    h.startWithSession()
    h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
    h.send(.timerFired)
    h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
    h.send(.timerFired)
    #expect(h.send(.answered(H.error(404, code: "x"))).operation == .listAttachments)
    #expect(h.send(.attachmentsListed([])).operation == .createSession)
  }

  // MARK: Authentication (§6.7)

  @Test func unauthorizedRefreshesOnceAndRetries() throws {
    var h = try H(size: 10, chunk: 16)
    h.startWithSession()
    #expect(
      h.send(.answered(H.error(401, code: "InvalidAuthenticationToken"))).operation == .refreshToken
    )
    #expect(h.send(.tokenRefreshed).putRange == "bytes 0-9/10")
    let actions = h.send(.answered(H.error(401, code: "InvalidAuthenticationToken")))
    #expect(actions.operation == nil)
    guard case .failed(_, let authentication) = h.machine.outcome else {
      Issue.record("expected a failure")
      return
    }
    #expect(authentication)
  }

  @Test func refreshFailureIsAnAuthenticationFailure() throws {
    var h = try H(size: 10, chunk: 16)
    h.startWithSession()
    h.send(.answered(H.error(401, code: "InvalidAuthenticationToken")))
    h.send(.tokenRefreshFailed("sign in again"))
    #expect(h.machine.outcome == .failed(reason: "sign in again", authentication: true))
  }

  @Test func unreachableIdentityServiceIsRetriedNotAnAuthenticationFailure() throws {
    var h = try H(size: 10, chunk: 16)
    h.startWithSession()
    h.send(.answered(H.error(401, code: "InvalidAuthenticationToken")))
    let actions = h.send(.transportFailed(.connectionRefused(host: "login.example")))
    #expect(actions.waitSeconds != nil)
    #expect(h.send(.timerFired).operation == .refreshToken)
    #expect(h.send(.tokenRefreshed).putRange == "bytes 0-9/10")
  }

  @Test func refreshAllowanceIsPerRequest() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.error(401, code: "InvalidAuthenticationToken")))
    h.send(.tokenRefreshed)
    h.send(.answered(H.next(["8"])))
    // A later, separate 401 may refresh again.
    #expect(
      h.send(.answered(H.error(401, code: "InvalidAuthenticationToken"))).operation == .refreshToken
    )
  }

  // MARK: Throttling

  @Test(arguments: [("7", 7.0), ("2.128", 2.128), ("Thu, 14 Jan 2027 08:00:07 GMT", 7.0)])
  func throttlingWaitsAsToldAndResendsTheSameRange(_ header: String, _ expected: Double) throws {
    var h = try H(size: 20, chunk: 8)
    h.now = RetryAfter.httpDate("Thu, 14 Jan 2027 08:00:00 GMT")!
    h.startWithSession()
    let actions = h.send(
      .answered(H.error(429, code: "TooManyRequests", headers: [("Retry-After", header)])))
    #expect(abs((actions.waitSeconds ?? -1) - expected) < 0.001)
    #expect(
      actions.events.contains {
        if case .retry(_, .throttled, let after, _) = $0 {
          abs(after - expected) < 0.001
        } else {
          false
        }
      })
    #expect(h.send(.timerFired).putRange == "bytes 0-7/20")
  }

  @Test func retryBudgetIsBoundedAndResetByProgress() throws {
    var h = try H(size: 20, chunk: 8, configuration: H.configuration(maxRetries: 2))
    h.startWithSession()
    for _ in 0..<2 {
      h.send(.answered(H.error(429, code: "TooManyRequests")))
      h.send(.timerFired)
    }
    h.send(.answered(H.next(["8"])))  // progress resets the budget
    for _ in 0..<2 {
      h.send(.answered(H.error(429, code: "TooManyRequests")))
      h.send(.timerFired)
    }
    #expect(h.machine.outcome == nil)
    let actions = h.send(.answered(H.error(429, code: "TooManyRequests")))
    guard case .failed(let reason, false) = h.machine.outcome else {
      Issue.record("expected failure")
      return
    }
    #expect(reason.contains("429"))
    // The session is kept for a later `tack resume`.
    #expect(!actions.removesJournal)
    #expect(actions.journalSaves.last?.acknowledgedOffset == 8)
  }

  // MARK: Stall watchdog (§6.8)

  @Test func stallAbortsTheAttemptAndRetriesFromTheServerOffset() throws {
    var h = try H(size: 20, chunk: 8, configuration: H.configuration(stallTimeout: 10))
    h.startWithSession()
    h.advance(1)
    #expect(h.send(.tick(sentBytes: 3)).isEmpty)
    h.advance(9)
    #expect(h.send(.tick(sentBytes: 5)).isEmpty)  // still moving
    h.advance(9)
    #expect(h.send(.tick(sentBytes: 5)).isEmpty)
    h.advance(1)
    #expect(h.send(.tick(sentBytes: 5)).aborts)
    let actions = h.send(.transportFailed(.cancelled))
    #expect(
      actions.events.contains { if case .retry(_, .stalled, _, _) = $0 { true } else { false } })
    #expect(h.send(.timerFired).operation == .queryStatus(url: H.url1))
    #expect(h.send(.answered(H.next(["0-"]))).putRange == "bytes 0-7/20")
  }

  // MARK: Pause, resume, cancel (§6.9)

  @Test func pauseAbortsTheInFlightPutAndKeepsSessionAndJournal() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    #expect(h.send(.pause).aborts)
    let actions = h.send(.transportFailed(.cancelled))
    #expect(actions.events == [.paused(id: "u1", acknowledged: 0)])
    #expect(!actions.removesJournal)
    #expect(h.machine.outcome == .paused)
    // Resume asks the server first: the aborted chunk may have been committed.
    #expect(h.send(.resume).operation == .queryStatus(url: H.url1))
    let resumed = h.send(.answered(H.next(["8"])))
    #expect(resumed.events.contains(.resumed(id: "u1", from: 8)))
    #expect(resumed.putRange == "bytes 8-15/20")
  }

  @Test func pauseRacingAnAcceptedPutKeepsTheAcknowledgement() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.pause)
    let actions = h.send(.answered(H.next(["8"])))
    #expect(actions.journalSaves.last?.acknowledgedOffset == 8)
    #expect(actions.events.last == .paused(id: "u1", acknowledged: 8))
    #expect(actions.operation == nil)
  }

  @Test func pauseDuringABackoffStopsTheTimer() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.error(503, code: "serviceNotAvailable")))
    #expect(h.send(.pause).aborts)
    #expect(h.send(.timerFired).events == [.paused(id: "u1", acknowledged: 0)])
  }

  @Test func cancelAbortsDeletesTheSessionAndTheJournalEntry() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    #expect(h.send(.cancel).aborts)
    #expect(h.send(.transportFailed(.cancelled)).operation == .deleteSession(url: H.url1))
    // Best effort: even a failed DELETE ends the upload as cancelled.
    let actions = h.send(.transportFailed(.timedOut))
    #expect(actions.removesJournal)
    #expect(actions.events == [.cancelled(id: "u1")])
    #expect(h.machine.outcome == .cancelled)
  }

  @Test func cancelWhilePausedDeletesTheSession() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.pause)
    h.send(.transportFailed(.cancelled))
    #expect(h.send(.cancel).operation == .deleteSession(url: H.url1))
    #expect(h.send(.answered(HTTPResponse(status: 204))).removesJournal)
  }

  @Test func cancelLosingTheRaceToTheLastChunkReportsTheAttachment() throws {
    var h = try H(size: 5, chunk: 8)
    h.startWithSession()
    h.send(.cancel)
    #expect(
      h.send(.answered(H.created(id: "X"))).events.last
        == .completed(id: "u1", attachmentID: "X", size: 5))
  }

  // MARK: Resume from the journal and changed files (§6.10)

  @Test func journaledUploadResumesFromTheServerOffset() throws {
    let progress = SessionProgress(
      uploadUrl: H.url1, expiration: Date(timeIntervalSince1970: 1_800_000_900),
      sessionCreatedAt: Date(timeIntervalSince1970: 1_800_000_000), acknowledgedOffset: 8,
      chunkSize: 8, finalChunkSent: false)
    var h = try H(size: 20, chunk: 4, resumingFrom: progress)
    #expect(h.send(.start).operation == .queryStatus(url: H.url1))
    let actions = h.send(.answered(H.next(["16"])))
    #expect(actions.events.contains(.resumed(id: "u1", from: 16)))
    // The journaled chunk size wins over the new default.
    #expect(actions.putRange == "bytes 16-19/20")
  }

  @Test func fileChangeAbandonsTheSession() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8"])))
    #expect(h.send(.fileChanged("it was modified")).operation == .deleteSession(url: H.url1))
    let actions = h.send(.answered(HTTPResponse(status: 204)))
    #expect(actions.removesJournal)
    #expect(actions.events == [.failed(id: "u1", reason: "it was modified", code: .fileChanged)])
    #expect(h.send(.resume).isEmpty)
  }

  // MARK: Progress channels (§6.11)

  @Test func acknowledgedProgressIsMonotonicAndEndsExactlyAtTheSize() throws {
    var h = try H(size: 30, chunk: 8)
    h.startWithSession()
    h.send(.answered(H.next(["8"])))
    h.send(.answered(H.next(["16"])))
    // The session is lost and replaced: the new one starts from 0.
    for _ in 0..<2 {
      h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
      h.send(.timerFired)
    }
    #expect(h.send(.answered(H.error(404, code: "x"))).operation == .listAttachments)
    #expect(h.send(.attachmentsListed([])).operation == .createSession)
    h.send(.answered(H.session(url: H.url2, expires: h.now + 900)))
    for next in ["8", "16", "24"] { h.send(.answered(H.next([next]))) }
    h.send(.answered(H.created()))
    #expect(h.machine.outcome == .completed(attachmentID: "ATT1"))
    let progress = h.log.events.compactMap { event -> (Int64, Int64)? in
      if case .progress(_, let sent, let acknowledged, _) = event { return (sent, acknowledged) }
      return nil
    }
    let acknowledged = progress.map(\.1)
    #expect(acknowledged == acknowledged.sorted())
    #expect(acknowledged.last == 30)
    // The sent channel rewound when the session was replaced.
    #expect(progress.map(\.0) == [8, 16, 8, 16, 24, 30])
    #expect(progress.last?.0 == 30)
  }
}
