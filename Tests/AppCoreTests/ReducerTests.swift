import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// One test (at least) per binding of `KeyBindings.table`, driving `reduce` with keys.
struct ReducerTests {
  func press(_ state: inout AppState, _ keys: KeyEvent...) -> [Effect] {
    keys.flatMap { reduce(&state, .key($0)) }
  }

  // MARK: The table itself

  @Test func everyBindingIsReachableInItsContext() {
    // No key of a binding is shadowed by an earlier binding of the same context.
    for binding in KeyBindings.table {
      for key in binding.keys {
        let first = KeyBindings.table.first {
          $0.context == binding.context && $0.keys.contains(key)
        }
        #expect(first == binding, "\(key) in \(binding.context) is shadowed")
      }
    }
  }

  @Test func everyCommandHasAKey() {
    let bound = Set(KeyBindings.table.map(\.command))
    for command in Command.allCases {
      #expect(bound.contains(command), "\(command) has no key")
    }
  }

  @Test func startUpLoadsTheFirstListsTasks() {
    var state = AppState(now: t0)
    let effects = reduce(&state, .listsLoaded(.success(Fixtures.lists)))
    #expect(effects == [.loadTasks(listID: "L1")])
    #expect(state.openListID == "L1")
    #expect(state.focus == .lists)
  }

  // MARK: Moving

  @Test func arrowsAndJKMoveInTheFocusedPane() {
    var state = Fixtures.browsing()
    state.focus = .lists
    _ = press(&state, .up)
    #expect(state.listsState.selected == 1)
    _ = press(&state, .char("k"), .char("j"), .char("j"), .down)
    #expect(state.listsState.selected == 3)
  }

  @Test func movingToATaskLoadsItsAttachmentsOnlyWhenItHasSome() {
    var state = Fixtures.browsing()
    #expect(state.focus == .tasks)
    // T2 says hasAttachments false: no request.
    #expect(press(&state, .char("j")).isEmpty)
    #expect(state.selectedAttachments == .loaded([]))
    // T4 does not say: ask. (T3 is completed: it comes last, in the Completed group.)
    #expect(press(&state, .char("j")) == [.loadAttachments(listID: "L3", taskID: "T4")])
    #expect(state.selectedAttachments == .loading)
    // Back on T1: cached.
    #expect(press(&state, .char("g")).isEmpty)
    #expect(state.selectedAttachments.value?.count == 2)
  }

  @Test func pageAndEndKeysMoveByViewport() {
    var state = AppState(now: t0)
    let many = (0..<100).map { TodoTaskList(id: "L\($0)", displayName: "List \($0)") }
    _ = reduce(&state, .listsLoaded(.success(many)))
    let viewport = Layout(state).listsViewport
    _ = press(&state, .pageDown)
    #expect(state.listsState.selected == viewport)
    _ = press(&state, .ctrl("d"))
    #expect(state.listsState.selected == 2 * viewport)
    _ = press(&state, .pageUp, .ctrl("u"))
    #expect(state.listsState.selected == 0)
    _ = press(&state, .char("G"))
    #expect(state.listsState.selected == 99)
    #expect(state.listsState.offset == 100 - viewport)
    _ = press(&state, .end, .home)
    #expect(state.listsState == ListState())
  }

  @Test func tabCyclesPanesAndSkipsUploadsWhileThereAreNone() {
    var state = Fixtures.browsing()
    state.focus = .lists
    _ = press(&state, .tab)
    #expect(state.focus == .tasks)
    _ = press(&state, .tab)
    #expect(state.focus == .attachments)
    _ = press(&state, .tab)
    #expect(state.focus == .steps)
    _ = press(&state, .tab)
    #expect(state.focus == .lists)
    _ = press(&state, .backTab)
    #expect(state.focus == .steps)
    _ = reduce(&state, .uploadsQueued([Fixtures.queued("U1", "a", size: 1)]))
    _ = press(&state, .tab)
    #expect(state.focus == .uploads)
  }

  // MARK: Opening and going back

  @Test func enterOnAListOpensItAndFocusesTasks() {
    var state = Fixtures.browsing()
    state.focus = .lists
    _ = press(&state, .up)
    #expect(press(&state, .enter) == [.loadTasks(listID: "L2")])
    #expect(state.focus == .tasks)
    #expect(state.openListID == "L2")
    #expect(state.openTasks == .loading)
    // Going back and opening the cached list again asks nothing.
    _ = reduce(&state, .tasksLoaded(listID: "L2", .success([])))
    _ = press(&state, .escape, .down)
    #expect(press(&state, .char("l")) == [])
    #expect(state.openListID == "L3")
  }

  @Test func enterOnATaskFocusesItsAttachments() {
    var state = Fixtures.browsing()
    _ = press(&state, .right)
    #expect(state.focus == .attachments)
    _ = press(&state, .char("h"))
    #expect(state.focus == .tasks)
    _ = press(&state, .left)
    #expect(state.focus == .lists)
  }

  @Test func enterWithNothingSelectedSaysWhy() {
    var state = AppState(now: t0)
    _ = reduce(&state, .listsLoaded(.success([])))
    #expect(press(&state, .enter).isEmpty)
    #expect(state.status?.text == "no list selected")
  }

  // MARK: Filters

  @Test func slashFiltersAsYouTypeEnterKeepsEscClears() {
    var state = Fixtures.browsing()
    state.focus = .lists
    _ = press(&state, .char("/"), .char("G"), .char("r"), .char("x"), .backspace)
    #expect(state.listsFilter == FilterState(text: "Gr", editing: true))
    #expect(state.visibleLists.map(\.id) == ["L2"])
    #expect(KeyBindings.contexts(in: state) == [.filter])
    _ = press(&state, .enter)
    #expect(state.listsFilter == FilterState(text: "Gr", editing: false))
    // Keys act normally again; the filter stays.
    _ = press(&state, .char("j"))
    #expect(state.visibleLists.count == 1)
    _ = press(&state, .char("/"), .escape)
    #expect(state.listsFilter == FilterState())
    #expect(state.visibleLists.count == Fixtures.lists.count)
  }

  @Test func taskFilterIsClearedByEscBeforeLeavingThePane() {
    var state = Fixtures.browsing()
    _ = press(&state, .char("/"), .char("b"), .char("a"), .char("n"), .char("k"), .enter)
    #expect(state.visibleTasks.map(\.id) == ["T4"])
    _ = press(&state, .escape)
    #expect(state.visibleTasks.count == 4)
    #expect(state.focus == .tasks)
  }

  // MARK: Attaching through the picker

  @Test func attachNeedsATask() {
    var state = AppState(now: t0)
    #expect(press(&state, .char("a")).isEmpty)
    #expect(state.picker == nil)
    #expect(state.status?.text.hasPrefix("select a task first") == true)
  }

  @Test func attachOpensThePickerInTheRememberedDirectory() {
    var state = Fixtures.browsing()
    #expect(press(&state, .char("a")) == [.listDirectory(path: "/home/ann")])
    #expect(state.picker?.target.taskID == "T1")
    #expect(KeyBindings.contexts(in: state) == [.picker, .navigation, .global])
  }

  private func picking() -> AppState {
    var state = Fixtures.browsing()
    _ = press(&state, .char("a"))
    _ = reduce(&state, .directoryListed(path: "/home/ann", .success(Fixtures.directory)))
    return state
  }

  @Test func pickerHidesDotFilesUntilDotIsPressed() {
    var state = picking()
    let names = { (state: AppState) in state.picker?.visibleEntries.map(\.name) ?? [] }
    #expect(
      names(state) == [
        "..", "photos", "fifo", "notes.txt", "secret.key", "slides.key", "video.mov",
      ])
    _ = press(&state, .char("."))
    #expect(names(state).contains(".hidden"))
    #expect(names(state).contains(".config"))
  }

  @Test func spaceMarksAcrossDirectoriesAndRefusesUnmarkable() {
    var state = picking()
    _ = press(&state, .down, .down)  // fifo
    _ = press(&state, .char(" "))
    #expect(state.picker?.marked.isEmpty == true)
    #expect(state.status?.text == "fifo: not a regular file")
    _ = press(&state, .down, .char(" "))  // notes.txt, then moves to secret.key
    #expect(state.picker?.marked.map(\.name) == ["notes.txt"])
    _ = press(&state, .char(" "))
    #expect(state.status?.text == "secret.key: cannot be read")
    _ = press(&state, .down, .down, .char(" "))  // video.mov
    #expect(state.status?.text == "video.mov: over the 25 MB limit")
    // Marks survive changing directory.
    #expect(press(&state, .home, .down, .enter) == [.listDirectory(path: "/home/ann/photos")])
    #expect(state.picker?.marked.map(\.name) == ["notes.txt"])
    // Unmarking.
    _ = press(&state, .backspace)
    _ = reduce(&state, .directoryListed(path: "/home/ann", .success(Fixtures.directory)))
    #expect(state.picker?.selectedEntry?.name == "photos")
    _ = press(&state, .down, .down, .char(" "))
    #expect(state.picker?.marked.isEmpty == true)
  }

  @Test func enterWithMarksQueuesThemAndRemembersTheDirectory() {
    var state = picking()
    _ = press(&state, .down, .down, .down, .char(" "), .down, .char(" "))
    let effects = press(&state, .enter)
    let target = AttachTarget(
      listID: "L3", taskID: "T1", listName: "仕事 (Work)", taskTitle: "Quarterly report")
    #expect(
      effects == [
        .startUploads(paths: ["/home/ann/notes.txt", "/home/ann/slides.key"], target: target)
      ])
    #expect(state.picker == nil)
    #expect(state.pickerDirectory == "/home/ann")
  }

  @Test func enterOnAFileWithoutMarksQueuesJustThatFile() {
    var state = picking()
    _ = press(&state, .down, .down, .down)
    #expect(press(&state, .enter).count == 1)
    #expect(state.picker == nil)
  }

  @Test func parentHomeAndEscape() {
    var state = picking()
    #expect(press(&state, .char("h")) == [.listDirectory(path: "/home")])
    #expect(press(&state, .left) == [.listDirectory(path: "/")])
    #expect(press(&state, .backspace).isEmpty)  // already at the root
    #expect(press(&state, .char("~")) == [.listDirectory(path: "/home/ann")])
    _ = press(&state, .escape)
    #expect(state.picker == nil)
    #expect(state.status?.text == "Nothing attached")
  }

  @Test func pickerFilterNarrowsAndEscClearsItFirst() {
    var state = picking()
    _ = press(&state, .char("/"), .char("k"), .char("e"), .char("y"))
    // `..` is left out while filtering, so the first match is what Space acts on.
    #expect(state.picker?.visibleEntries.map(\.name) == ["secret.key", "slides.key"])
    _ = press(&state, .enter)
    #expect(state.picker?.selectedEntry?.name == "secret.key")
    _ = press(&state, .down, .char(" "))
    #expect(state.picker?.marked.map(\.name) == ["slides.key"])
    _ = press(&state, .escape)
    #expect(state.picker?.filter == FilterState())
    #expect(state.picker != nil)
  }

  @Test func directoryListingFailureIsShownInThePicker() {
    var state = Fixtures.browsing()
    _ = press(&state, .char("a"))
    _ = reduce(&state, .directoryListed(path: "/home/ann", .failure(AppError("permission denied"))))
    #expect(state.picker?.entries == .failed("permission denied"))
    // A late answer for another directory is ignored.
    _ = reduce(&state, .directoryListed(path: "/elsewhere", .success([])))
    #expect(state.picker?.entries == .failed("permission denied"))
  }

  // MARK: Uploads

  @Test func pTogglesPauseOfTheSelectedUpload() {
    var state = Fixtures.uploading()
    #expect(press(&state, .char("p")) == [.pauseUpload("U1")])
    state.uploadsState.selected = 3
    #expect(press(&state, .char("p")) == [.resumeUpload("U4")])
    state.uploadsState.selected = 2
    #expect(press(&state, .char("p")).isEmpty)
    #expect(state.status?.text == "that upload is finished")
  }

  @Test func capitalPPausesAllActiveThenResumesAllPaused() {
    var state = Fixtures.uploading()
    #expect(press(&state, .char("P")) == [.pauseUpload("U1"), .pauseUpload("U2")])
    _ = reduce(&state, .upload(.paused(id: "U1", acknowledged: 3_932_160), at: t0))
    _ = reduce(&state, .upload(.paused(id: "U2", acknowledged: 7_864_320), at: t0))
    #expect(
      press(&state, .char("P")) == [.resumeUpload("U1"), .resumeUpload("U2"), .resumeUpload("U4")])
  }

  @Test func xCancelsAndROnlyRetriesFailedUploads() {
    var state = Fixtures.uploading()
    #expect(press(&state, .char("x")) == [.cancelUpload("U1")])
    #expect(press(&state, .char("r")).isEmpty)
    #expect(state.status?.text == "only a failed upload can be retried")
    state.uploadsState.selected = 4
    #expect(press(&state, .char("r")) == [.retryUpload("U5")])
    #expect(state.uploads[4].phase == .queued)
  }

  @Test func uploadKeysWithoutUploadsSayWhy() {
    var state = Fixtures.browsing()
    for key in ["p", "x", "r"] {
      #expect(press(&state, .char(Character(key))).isEmpty)
      #expect(state.status?.text == "no uploads")
    }
    #expect(press(&state, .char("P")).isEmpty)
  }

  @Test func uploadEventsDriveTheRow() {
    var state = Fixtures.browsing()
    _ = reduce(
      &state, .uploadsQueued([Fixtures.queued("U", "f.bin", size: 10_000_000, chunk: 4_000_000)]))
    #expect(state.uploads[0].phase == .queued)
    _ = reduce(
      &state,
      .upload(
        .sessionCreated(
          id: "U", name: "f.bin", size: 10_000_000, chunkSize: 4_000_000, expiration: nil), at: t0))
    #expect(state.uploads[0].phase == .sending)
    _ = reduce(
      &state,
      .upload(.progress(id: "U", sent: 2_000_000, acknowledged: 0, size: 10_000_000), at: t0))
    _ = reduce(
      &state,
      .upload(
        .progress(id: "U", sent: 4_000_000, acknowledged: 0, size: 10_000_000),
        at: t0.addingTimeInterval(1)))
    // Bytes in socket buffers are not a rate: only acknowledged bytes count.
    #expect(state.uploads[0].rate == nil)
    #expect(state.uploads[0].segments == [.sending(fraction: 1), .pending, .pending])
    _ = reduce(
      &state,
      .upload(
        .chunkSent(id: "U", start: 0, end: 3_999_999, next: 4_000_000), at: t0.addingTimeInterval(2)
      ))
    #expect(state.uploads[0].rate == 2_000_000)
    #expect(state.uploads[0].secondsLeft == 3)
    #expect(state.uploads[0].segments == [.acknowledged, .pending, .pending])
    _ = reduce(
      &state,
      .upload(
        .retry(id: "U", reason: .serverError, afterSeconds: 2, attempt: 1),
        at: t0.addingTimeInterval(2)))
    #expect(state.uploads[0].segments == [.acknowledged, .retrying, .pending])
    _ = reduce(&state, .tick(t0.addingTimeInterval(2.5)))
    #expect(Screen.describe(state.uploads[0], state).0 == "retry 1 in 2s")
    // Acknowledged bytes never go back, even if an event says less.
    _ = reduce(
      &state,
      .upload(
        .progress(id: "U", sent: 4_100_000, acknowledged: 0, size: 10_000_000),
        at: t0.addingTimeInterval(5)))
    #expect(state.uploads[0].acknowledged == 4_000_000)
    #expect(state.uploads[0].phase == .sending)
    let effects = reduce(
      &state, .upload(.completed(id: "U", attachmentID: "A9", size: 10_000_000), at: t0))
    #expect(state.uploads[0].phase == .completed)
    #expect(state.uploads[0].segments == [.acknowledged, .acknowledged, .acknowledged])
    // The task's attachments were shown: reload them to show the new one.
    #expect(effects == [.loadAttachments(listID: "L3", taskID: "T1")])
    #expect(state.status?.text == "Attached f.bin to Quarterly report")
  }

  @Test func failedAndRejectedUploadsShowOneLineErrors() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .uploadsRejected([AppError("big.iso: over the limit"), AppError("x")]))
    #expect(state.status == StatusMessage("big.iso: over the limit (and 1 more)", kind: .error))
    _ = press(&state, .char("j"))
    #expect(state.status == nil)
  }

  @Test func eventsForUnknownUploadsAreIgnoredUnlessTheyCreateASession() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .upload(.progress(id: "Z", sent: 1, acknowledged: 0, size: 2), at: t0))
    #expect(state.uploads.isEmpty)
    _ = reduce(
      &state,
      .upload(.sessionCreated(id: "Z", name: "z", size: 2, chunkSize: 1, expiration: nil), at: t0))
    #expect(state.uploads.map(\.id) == ["Z"])
  }

  // MARK: Attachments

  @Test func dDownloadsTheSelectedAttachment() {
    var state = Fixtures.browsing()
    _ = press(&state, .enter, .down)
    #expect(
      press(&state, .char("d")) == [
        .downloadAttachment(
          listID: "L3", taskID: "T1", attachmentID: "A2", name: "figures 数字.xlsx",
          directory: "/home/ann")
      ])
    _ = reduce(
      &state, .attachmentDownloaded(name: "figures 数字.xlsx", .success("/home/ann/figures 数字.xlsx")))
    #expect(state.status?.text == "Saved figures 数字.xlsx to /home/ann/figures 数字.xlsx")
  }

  @Test func capitalDAsksThenDeletes() {
    var state = Fixtures.browsing()
    _ = press(&state, .enter)
    #expect(press(&state, .char("D")).isEmpty)
    guard case .confirmDelete(_, _, let attachment) = state.overlay else {
      Issue.record("no confirmation")
      return
    }
    #expect(attachment.id == "A1")
    #expect(KeyBindings.contexts(in: state) == [.confirmDelete])
    // Other keys do nothing while asking.
    #expect(press(&state, .char("j"), .char("q")).isEmpty)
    #expect(press(&state, .char("n")).isEmpty)
    #expect(state.overlay == nil)
    _ = press(&state, .char("D"))
    #expect(
      press(&state, .char("y")) == [
        .deleteAttachment(listID: "L3", taskID: "T1", attachmentID: "A1", name: "report-draft.pdf")
      ])
    let effects = reduce(
      &state, .attachmentDeleted(listID: "L3", taskID: "T1", name: "report-draft.pdf", .success(()))
    )
    #expect(effects == [.loadAttachments(listID: "L3", taskID: "T1")])
  }

  @Test func attachmentKeysNeedAnAttachment() {
    var state = Fixtures.browsing()
    _ = press(&state, .down, .tab)
    #expect(press(&state, .char("d")).isEmpty)
    #expect(state.status?.text == "no attachment selected")
    #expect(press(&state, .char("D")).isEmpty)
    #expect(state.overlay == nil)
  }

  // MARK: Help, refresh, terminal keys

  @Test func questionMarkOpensHelpThatScrollsAndCloses() {
    var state = Fixtures.browsing()
    _ = press(&state, .char("?"))
    #expect(state.overlay == .help(offset: 0))
    _ = press(&state, .char("j"), .char("j"))
    #expect(state.overlay == .help(offset: 2))
    _ = press(&state, .char("G"))
    let lines = Screen.helpLines(state).count
    #expect(state.overlay == .help(offset: lines - Layout(state).helpViewport))
    _ = press(&state, .char("q"))
    #expect(state.overlay == nil)
    #expect(!state.isQuitting)
    _ = press(&state, .char("?"), .char("?"))
    #expect(state.overlay == nil)
    _ = press(&state, .char("?"), .escape)
    #expect(state.overlay == nil)
  }

  @Test func helpListsEveryBinding() {
    let text = Screen.helpLines(Fixtures.browsing()).map(\.text).joined(separator: "\n")
    for binding in KeyBindings.table {
      #expect(text.contains(binding.help))
    }
  }

  @Test func ctrlRReloadsTheFocusedPane() {
    var state = Fixtures.browsing()
    #expect(press(&state, .ctrl("r")) == [.loadTasks(listID: "L3")])
    state.focus = .lists
    #expect(press(&state, .ctrl("r")) == [.loadLists])
    state.focus = .attachments
    #expect(press(&state, .ctrl("r")) == [.loadAttachments(listID: "L3", taskID: "T1")])
  }

  @Test func ctrlLRepaintsAndCtrlZSuspends() {
    var state = Fixtures.browsing()
    #expect(press(&state, .ctrl("l")) == [.repaint])
    #expect(press(&state, .ctrl("z")) == [.suspend])
  }
}
