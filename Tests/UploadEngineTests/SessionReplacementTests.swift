import Foundation
import GraphClient
import GraphModels
import Testing

@testable import UploadEngine

/// A session that vanished or is being replaced, and a cancel whose DELETE goes wrong.
@Suite struct SessionReplacementTests {
  typealias H = MachineHarness

  @Test(arguments: [
    UploadInput.answered(HTTPResponse(status: 503)), .answered(HTTPResponse(status: 429)),
    .answered(HTTPResponse(status: 404)), .transportFailed(.connectionClosed),
  ])
  func replacementGoesOnWhateverTheOldSessionsDeleteAnswers(answer: UploadInput) throws {
    var h = try H(size: 100, chunk: 10, configuration: H.configuration(expiryMargin: 5))
    h.startWithSession(lifetime: 100)
    h.advance(5)
    h.send(.answered(H.next(["10"])))
    h.advance(5)
    h.send(.answered(H.next(["20"])))
    h.advance(5)
    h.send(.answered(H.error(429, code: "TooManyRequests", headers: [("Retry-After", "70")])))
    h.advance(70)
    #expect(h.send(.timerFired).operation == .deleteSession(url: H.url1))
    let actions = h.send(answer)
    #expect(actions.operation == .createSession)
    #expect(h.machine.outcome == nil)
  }

  @Test func cancelEndsCancelledEvenWhenItsDeleteCannotGetAToken() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    h.send(.cancel)
    #expect(h.send(.transportFailed(.cancelled)).operation == .deleteSession(url: H.url1))
    h.send(.tokenRefreshFailed("the sign-in has expired"))
    #expect(h.machine.outcome == .cancelled)
    #expect(!h.machine.failedOnAuthentication)
  }

  @Test func vanishedSessionFinishedByAnotherProcessIsNotReplaced() throws {
    // Another process completed the journaled session: its 404 is settled by the task's
    // attachments (same name and size, created after the session), never by a new session.
    var h = try H(size: 20, chunk: 8, name: "race.bin")
    h.startWithSession()
    h.send(.answered(H.next(["8"])))
    for _ in 0..<2 {
      h.send(.answered(H.error(404, code: "ErrorItemNotFound")))
      h.send(.timerFired)
    }
    #expect(
      h.send(.answered(H.error(404, code: "ErrorItemNotFound"))).operation == .listAttachments)
    let theirs = TaskFileAttachment(
      id: "THEIRS", name: "race.bin", contentType: nil, size: 20,
      lastModifiedDateTime: GraphDate.format(h.now))
    let actions = h.send(.attachmentsListed([theirs]))
    #expect(actions.events.last == .completed(id: "u1", attachmentID: "THEIRS", size: 20))
    #expect(h.log.filter { $0 == .perform(.createSession) }.count == 1, "only the first")
  }
}
