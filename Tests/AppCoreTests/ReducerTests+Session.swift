import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

extension ReducerTests {
  // MARK: Quitting

  @Test func qQuitsAtOnceWithoutUploads() {
    var state = Fixtures.browsing()
    #expect(press(&state, .char("q")) == [.quit(.keep)])
    #expect(state.isQuitting)
  }

  @Test func qWhileUploadingAsksFirst() {
    var state = Fixtures.uploading()
    #expect(press(&state, .char("q")).isEmpty)
    #expect(state.overlay == .confirmQuit)
    #expect(press(&state, .escape).isEmpty)
    #expect(state.overlay == nil)
    _ = press(&state, .char("q"))
    #expect(press(&state, .char("y")) == [.quit(.keep)])
  }

  @Test func ctrlCTwiceForces() {
    var state = Fixtures.uploading()
    #expect(press(&state, .ctrl("c")).isEmpty)
    #expect(state.overlay == .confirmQuit)
    #expect(press(&state, .ctrl("c")) == [.forceQuit])
  }

  @Test func ctrlCCountResetsOnOtherKeys() {
    var state = Fixtures.uploading()
    _ = press(&state, .ctrl("c"), .char("n"))
    #expect(press(&state, .ctrl("c")).isEmpty)
  }

  @Test func ctrlCWorksWhileTypingAFilter() {
    var state = Fixtures.browsing()
    _ = press(&state, .char("/"), .char("x"))
    #expect(press(&state, .ctrl("c")) == [.quit(.keep)])
  }

  @Test func hangupAndTerminateQuitWithoutAsking() {
    var state = Fixtures.uploading()
    #expect(reduce(&state, .signal(.hangup)) == [.quit(.keep)])
    var other = Fixtures.uploading()
    #expect(reduce(&other, .signal(.terminate)) == [.quit(.keep)])
    var third = Fixtures.uploading()
    #expect(reduce(&third, .signal(.interrupt)).isEmpty)
    #expect(third.overlay == .confirmQuit)
  }

  // MARK: Resume offer

  @Test func resumeOfferEnterResumesXDiscardsEscKeeps() {
    let journal = [JournaledUpload(id: "J1", name: "a", size: 10, acknowledged: 5)]
    var state = Fixtures.browsing()
    _ = reduce(&state, .journalFound(journal))
    #expect(KeyBindings.contexts(in: state) == [.resume])
    #expect(press(&state, .enter) == [.resumeJournaled(["J1"])])
    _ = reduce(&state, .journalFound(journal))
    #expect(press(&state, .char("X")) == [.discardJournaled(["J1"])])
    _ = reduce(&state, .journalFound(journal))
    #expect(press(&state, .escape).isEmpty)
    #expect(state.overlay == nil)
    #expect(state.status?.text.contains("tack resume") == true)
    _ = reduce(&state, .journalFound([]))
    #expect(state.overlay == nil)
  }

  // MARK: Sign-in

  @Test func signInShowsTheCodeAndOnlyOffersQuitting() throws {
    var state = AppState(now: t0)
    _ = reduce(&state, .signInStarted)
    #expect(state.overlay == .signIn(SignInState()))
    #expect(KeyBindings.contexts(in: state) == [.signIn])
    let json =
      #"{"user_code":"ABCD-EFGH","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5}"#
    let code = try JSONDecoder().decode(DeviceCodeResponse.self, from: Data(json.utf8))
    _ = reduce(&state, .signInPrompted(code, at: t0))
    #expect(state.overlay == .signIn(SignInState(code: code, expires: t0.addingTimeInterval(900))))
    #expect(press(&state, .char("j"), .char("a"), .tab).isEmpty)
    _ = reduce(&state, .signInFinished(.failure(AppError("the code expired"))))
    guard case .signIn(let failed) = state.overlay else {
      Issue.record("the sign-in modal went away")
      return
    }
    #expect(failed.failure == "the code expired")
    #expect(failed.code == code)
    #expect(press(&state, .escape) == [.quit(.keep)])
  }

  @Test func signingInClosesTheModal() {
    var state = AppState(now: t0)
    _ = reduce(&state, .signInStarted)
    _ = reduce(&state, .signInFinished(.success(())))
    #expect(state.overlay == nil)
    #expect(state.status?.text == "Signed in")
  }

  // MARK: Size and time

  @Test func resizeKeepsSelectionsVisible() {
    var state = AppState(now: t0)
    let many = (0..<100).map { TodoTaskList(id: "L\($0)", displayName: "List \($0)") }
    _ = reduce(&state, .listsLoaded(.success(many)))
    _ = press(&state, .char("G"))
    _ = reduce(&state, .resized(Size(width: 100, height: 40)))
    #expect(state.size == Size(width: 100, height: 40))
    let viewport = Layout(state).listsViewport
    #expect(state.listsState.offset == 100 - viewport)
  }

  @Test func infoMessagesExpireErrorsStay() {
    var state = Fixtures.browsing()
    _ = press(&state, .char("x"))
    #expect(state.status != nil)
    _ = reduce(&state, .tick(t0.addingTimeInterval(6)))
    #expect(state.status == nil)
    _ = reduce(&state, .listsLoaded(.failure(AppError("boom"))))
    _ = reduce(&state, .tick(t0.addingTimeInterval(600)))
    #expect(state.status?.kind == .error)
  }
}
