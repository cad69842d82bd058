import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

extension ReducerTests {
  // MARK: Uploads in the agent

  /// The interface attached to the agent: the uploads outlive it.
  private func inBackground() -> AppState {
    var state = Fixtures.uploading()
    _ = reduce(&state, .uploadsAttached([], background: true))
    return state
  }

  @Test func qWithUploadsInTheAgentOffersKeepPauseOrCancel() {
    var state = inBackground()
    #expect(press(&state, .char("q")).isEmpty)
    #expect(state.overlay == .confirmQuit)
    #expect(KeyBindings.contexts(in: state) == [.confirmQuitBackground])
    #expect(
      KeyBindings.dialogHints(in: state).map(\.command) == [
        .confirm, .quitPausing, .quitCancelling, .deny,
      ])
    let screen = Screen.render(state).text
    #expect(screen.contains("The upload agent can finish them after you quit"))
    #expect(screen.contains("Enter keep uploading   p pause them   x cancel them   Esc stay"))
    #expect(press(&state, .enter) == [.quit(.keep)])
    #expect(state.isQuitting)
  }

  @Test(arguments: [
    (KeyEvent.char("k"), [Effect.quit(.keep)]), (.char("p"), [.quit(.pause)]),
    (.char("x"), [.quit(.cancel)]),
  ])
  func eachAnswerOfTheQuitQuestionSaysWhatHappensToTheUploads(key: KeyEvent, effects: [Effect]) {
    var state = inBackground()
    _ = press(&state, .char("q"))
    #expect(press(&state, key) == effects)
    #expect(state.overlay == nil)
  }

  @Test func escapeStaysAndTheQuestionIsAskedOnce() {
    var state = inBackground()
    _ = press(&state, .char("q"))
    #expect(press(&state, .escape).isEmpty)
    #expect(state.overlay == nil)
    #expect(!state.isQuitting)
    // `p` and `x` outside the question are the upload keys again, not a quit.
    #expect(!press(&state, .char("p")).contains { if case .quit = $0 { true } else { false } })
  }

  @Test func onlyAnotherAccountsInProcessUploadsRunningGetTodaysQuestion() {
    // The agent holds nothing running; a row queued in this process (another account) runs.
    var state = AppState(now: t0)
    _ = reduce(&state, .uploadsAttached([], background: true))
    var here = Fixtures.queued("H1", "here.bin", size: 10_000_000)
    here.inBackground = false
    _ = reduce(&state, .uploadsQueued([here]))
    _ = reduce(
      &state,
      .upload(
        .sessionCreated(
          id: "H1", name: "here.bin", size: 10_000_000, chunkSize: 3_932_160, expiration: nil),
        at: t0))
    #expect(state.backgroundUploads.isEmpty)
    #expect(!Screen.render(state).text.contains("in background"))
    _ = press(&state, .char("q"))
    #expect(KeyBindings.contexts(in: state) == [.confirmQuit])

    // With an agent upload running too, the question says which of them pause.
    _ = press(&state, .escape)
    var agent = Fixtures.queued("A1", "agent.bin", size: 10_000_000)
    agent.inBackground = true
    agent.phase = .sending
    _ = reduce(&state, .uploadsQueued([agent]))
    _ = press(&state, .char("q"))
    #expect(KeyBindings.contexts(in: state) == [.confirmQuitBackground])
    #expect(Screen.render(state).text.contains("1 of them run in this process"))
  }

  @Test func inProcessUploadsKeepTodaysQuestion() {
    var state = Fixtures.uploading()
    _ = press(&state, .char("q"))
    #expect(KeyBindings.contexts(in: state) == [.confirmQuit])
    #expect(Screen.render(state).text.contains("Quitting pauses them"))
    #expect(press(&state, .char("p")).isEmpty)
    #expect(press(&state, .char("y")) == [.quit(.keep)])
  }

  @Test func hangupWithTheAgentLeavesWithoutAsking() {
    var state = inBackground()
    #expect(reduce(&state, .signal(.hangup)) == [.quit(.keep)])
    var other = inBackground()
    #expect(reduce(&other, .signal(.terminate)) == [.quit(.keep)])
  }

  @Test func reattachingToRunningWorkSaysSoInTheTitle() {
    var state = Fixtures.browsing()
    var done = Fixtures.queued("A4", "old.pdf", size: 100)
    done.phase = .completed
    _ = reduce(
      &state,
      .uploadsAttached(
        [
          Fixtures.queued("A1", "one.bin", size: 4_000_000),
          Fixtures.queued("A2", "two.bin", size: 4_000_000),
          Fixtures.queued("A3", "three.bin", size: 4_000_000), done,
        ], background: true))
    #expect(state.uploads.map(\.id) == ["A1", "A2", "A3", "A4"])
    #expect(state.uploads.last?.phase == .completed)
    let header = Screen.render(state).lines()[0]
    #expect(header.contains("3 uploading in background"))
    #expect(state.status?.text == "Attached to 3 uploads running in the background")
    // Attaching again (a second snapshot) replaces the rows, never duplicates them.
    _ = reduce(
      &state,
      .uploadsAttached([Fixtures.queued("A1", "one.bin", size: 4_000_000)], background: true))
    #expect(state.uploads.count == 4)
  }

  @Test func inProcessUploadsAreNotInTheBackground() {
    let state = Fixtures.uploading()
    let header = Screen.render(state).lines()[0]
    #expect(header.contains("uploading"))
    #expect(!header.contains("in background"))
  }
}
