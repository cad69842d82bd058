import AppCore
import Foundation
import GraphModels
import TerminalCore
import Testing

/// Screens rendered at 80×24 and compared with `__Snapshots__/*.txt`.
struct ScreenSnapshotTests {
  @Test func startingUpShowsLoadingLists() {
    var state = AppState(now: t0, accountLabel: "demo", workingDirectory: "/home/ann")
    state.lists = .loading
    assertSnapshot(Screen.render(state), named: "starting")
  }

  @Test func browsingListsTasksAndAttachments() {
    let state = Fixtures.browsing()
    assertSnapshot(Screen.render(state), named: "browsing")
  }

  @Test func attachmentsPaneFocused() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.tab))
    _ = reduce(&state, .key(.char("j")))
    assertSnapshot(Screen.render(state), named: "attachments-focused")
  }

  @Test func uploadsWithPerChunkBars() {
    let state = Fixtures.uploading()
    assertSnapshot(Screen.render(state), named: "uploads")
  }

  @Test func uploadsInASCII() {
    let state = Fixtures.uploading(glyphs: .ascii)
    let buffer = Screen.render(state)
    assertSnapshot(buffer, named: "uploads-ascii")
    for glyph in ["█", "░", "▒", "│", "─", "…", "▶", "●"] {
      #expect(!buffer.text.contains(glyph), "\(glyph) in the ASCII screen")
    }
  }

  @Test func filePickerWithMarksAndUnmarkableFiles() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.char("a")))
    _ = reduce(&state, .directoryListed(path: "/home/ann", .success(Fixtures.directory)))
    for key in [KeyEvent.down, .down, .down, .char(" "), .down, .char(" ")] {
      // notes.txt marked, then slides.key: the cursor ends on video.mov.
      _ = reduce(&state, .key(key))
    }
    assertSnapshot(Screen.render(state), named: "picker")
  }

  @Test func helpOverlayFromTheBindingTable() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.char("?")))
    assertSnapshot(Screen.render(state), named: "help")
  }

  @Test func quitWhileUploadingAsks() {
    var state = Fixtures.uploading()
    _ = reduce(&state, .key(.char("q")))
    assertSnapshot(Screen.render(state), named: "confirm-quit")
  }

  @Test func quitWithUploadsInTheAgentOffersToKeepThemRunning() {
    var state = Fixtures.uploading()
    _ = reduce(&state, .uploadsAttached([], background: true))
    _ = reduce(&state, .key(.char("q")))
    assertSnapshot(Screen.render(state), named: "confirm-quit-background")
  }

  @Test func resumeOfferAtStartUp() {
    var state = Fixtures.browsing()
    _ = reduce(
      &state,
      .journalFound([
        JournaledUpload(
          id: "J1", name: "thesis.pdf", size: 18_000_000, acknowledged: 7_864_320,
          taskTitle: "Quarterly report", expiration: t0.addingTimeInterval(14 * 60 + 5)),
        JournaledUpload(
          id: "J2", name: "old.zip", size: 4_000_000, acknowledged: 0,
          expiration: t0.addingTimeInterval(-10)),
      ]))
    assertSnapshot(Screen.render(state), named: "resume-offer")
  }

  @Test func signInOnFirstUse() throws {
    var state = AppState(now: t0, accountLabel: "graph.microsoft.com")
    _ = reduce(&state, .signInStarted)
    let json =
      #"{"user_code":"FRWQDE7YL","device_code":"d","verification_uri":"https://microsoft.com/devicelogin","expires_in":900,"interval":5}"#
    let code = try JSONDecoder().decode(DeviceCodeResponse.self, from: Data(json.utf8))
    _ = reduce(&state, .signInPrompted(code, at: t0))
    assertSnapshot(Screen.render(state), named: "sign-in")
  }

  @Test func tooSmallTerminalSaysSo() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .resized(Size(width: 60, height: 20)))
    assertSnapshot(Screen.render(state), named: "too-small")
  }

  @Test func largerTerminalUsesTheSpace() {
    var state = Fixtures.uploading()
    _ = reduce(&state, .resized(Size(width: 120, height: 30)))
    assertSnapshot(Screen.render(state), named: "uploads-120x30")
  }

  @Test func errorsShowOnTheStatusLineSanitised() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .listsLoaded(.failure(AppError("server said \u{1B}[2Jno\nway"))))
    let buffer = Screen.render(state)
    #expect(buffer.lines()[22] == " Could not load lists: server said no way")
    #expect(buffer[1, 22].style == .error)
  }

  @Test func untrustedNamesNeverReachTheScreenRaw() {
    var state = Fixtures.browsing()
    state.listsState = ListState(selected: 5)
    let text = Screen.render(state).text
    #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    #expect(text.contains("Evil name"))
  }
}
