import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// One test (at least) per task-editing binding, and the rollback of each kind of write.
struct TaskEditReducerTests {
  func press(_ state: inout AppState, _ keys: KeyEvent...) -> [Effect] {
    keys.flatMap { reduce(&state, .key($0)) }
  }

  func type(_ state: inout AppState, _ text: String) {
    for character in text { _ = reduce(&state, .key(.char(character))) }
  }

  var screen: (AppState) -> String = { Screen.render($0).text }

  /// "仕事 (Work)" open on "Quarterly report"; "today" read in UTC.
  func browsing() -> AppState {
    var state = Fixtures.browsing()
    state.edit.timeZone = TimeZone(identifier: "UTC")!
    return state
  }

  // MARK: New task

  @Test func nOpensATitleEditorAndEnterAddsTheTaskAtTheTopMarkedPending() {
    var state = browsing()
    #expect(press(&state, .char("n")).isEmpty)
    #expect(KeyBindings.contexts(in: state) == [.editor])
    type(&state, "Buy oat milk")
    #expect(screen(state).contains("New task in 仕事 (Work)"))
    let effects = press(&state, .enter)
    #expect(
      effects == [
        .edit(
          .createTask(
            listID: "L3", tempID: "pending-task-1", draft: TaskDraft(title: "Buy oat milk")))
      ])
    #expect(state.edit.prompt == nil)
    #expect(state.selectedTask?.title == "Buy oat milk")
    #expect(screen(state).contains("Buy oat milk (saving…)"))
    // Nothing can be attached to a task Graph has not created yet.
    #expect(press(&state, .char("a")).isEmpty)
    #expect(state.picker == nil)
    #expect(state.status?.text.contains("still being created") == true)
    let created = TodoTask(id: "T9", title: "Buy oat milk", hasAttachments: false)
    _ = reduce(
      &state, .edited(.taskCreated(listID: "L3", tempID: "pending-task-1", .success(created))))
    #expect(state.selectedTask == created)
    #expect(state.edit.pending.isEmpty)
    #expect(!screen(state).contains("(saving"))
    #expect(state.status?.text == "Added “Buy oat milk”")
  }

  @Test func aReloadWhileANewTaskIsSavingKeepsItsRow() {
    var state = browsing()
    _ = press(&state, .char("n"))
    type(&state, "Buy oat milk")
    _ = press(&state, .enter)
    _ = reduce(&state, .tasksLoaded(listID: "L3", .success(Fixtures.workTasks)))
    #expect(state.visibleTasks.first?.title == "Buy oat milk")
    #expect(state.visibleTasks.count == Fixtures.workTasks.count + 1)
    let created = TodoTask(id: "T9", title: "Buy oat milk")
    _ = reduce(
      &state, .edited(.taskCreated(listID: "L3", tempID: "pending-task-1", .success(created))))
    #expect(state.visibleTasks.filter { $0.title == "Buy oat milk" }.map(\.id) == ["T9"])
  }

  @Test func aNewTaskGraphRefusedGoesAwayAndTheStatusLineSaysWhy() {
    var state = browsing()
    _ = press(&state, .char("n"))
    type(&state, "Doomed")
    _ = press(&state, .enter)
    _ = reduce(
      &state,
      .edited(
        .taskCreated(
          listID: "L3", tempID: "pending-task-1",
          .failure(AppError("Graph answered 400 invalidRequest: title too long")))))
    #expect(state.openTasks.value?.contains { $0.title == "Doomed" } == false)
    #expect(state.status?.kind == .error)
    #expect(
      state.status?.text
        == "Could not add “Doomed”: Graph answered 400 invalidRequest: title too long")
    #expect(state.openTasks.value?.count == Fixtures.workTasks.count)
  }

  @Test func theEditorTakesReadlineKeysAndEscCancelsWithoutAWrite() {
    var state = browsing()
    _ = press(&state, .char("n"))
    type(&state, "buy oat milk")
    _ = press(&state, .ctrl("w"))
    #expect(state.edit.prompt?.editor.text == "buy oat ")
    _ = press(&state, .ctrl("a"), .ctrl("f"), .ctrl("k"))
    #expect(state.edit.prompt?.editor.text == "b")
    _ = press(&state, .ctrl("e"), .ctrl("b"), .left, .right, .backspace)
    #expect(state.edit.prompt?.editor.text == "")
    type(&state, "q j?")
    _ = press(&state, .home, .ctrl("u"), .end)
    #expect(state.edit.prompt?.editor.text == "q j?", "q, j and ? are typed, not commands")
    _ = press(&state, .ctrl("a"), .ctrl("u"))
    #expect(state.edit.prompt?.editor.text == "q j?")
    _ = press(&state, .ctrl("e"), .ctrl("u"))
    #expect(state.edit.prompt?.editor.text == "")
    #expect(press(&state, .enter).isEmpty, "an empty title is refused")
    #expect(state.status?.text == "type a name first (Esc cancels)")
    #expect(press(&state, .escape).isEmpty)
    #expect(state.edit.prompt == nil)
    #expect(state.openTasks.value == Fixtures.workTasks)
  }

  // MARK: Rename

  @Test func eRenamesStartingFromTheCurrentTitle() {
    var state = browsing()
    _ = press(&state, .char("e"))
    #expect(state.edit.prompt?.editor.text == "Quarterly report")
    _ = press(&state, .ctrl("w"))
    type(&state, "review")
    #expect(
      press(&state, .enter) == [
        .edit(.updateTask(listID: "L3", taskID: "T1", patch: TaskPatch(title: "Quarterly review")))
      ])
    #expect(state.selectedTask?.title == "Quarterly review")
    #expect(state.isPending(state.selectedTask!))
  }

  @Test func aRenameGraphRefusesRollsBackAndShowsGraphsError() {
    var state = browsing()
    _ = press(&state, .char("e"), .ctrl("u"))
    type(&state, "Renamed")
    _ = press(&state, .enter)
    _ = reduce(
      &state,
      .edited(
        .taskUpdated(
          listID: "L3", taskID: "T1",
          .failure(AppError("Graph answered 404 ErrorItemNotFound: not found")))))
    #expect(state.selectedTask?.title == "Quarterly report")
    #expect(state.edit.pending.isEmpty)
    #expect(state.status?.kind == .error)
    #expect(state.status?.text.hasSuffix("ErrorItemNotFound: not found") == true)
    #expect(screen(state).contains("Could not save “Quarterly report”"))
  }

  // MARK: Done, importance, the Completed group

  @Test func spaceCompletesTheTaskAndItMovesToTheCompletedGroup() {
    var state = browsing()
    #expect(screen(state).contains("Completed (1)"))
    #expect(
      press(&state, .char(" ")) == [
        .edit(.updateTask(listID: "L3", taskID: "T1", patch: TaskPatch(status: "completed")))
      ])
    #expect(state.visibleTasks.map(\.id) == ["T2", "T4", "T1", "T3"])
    #expect(state.openTaskCount == 2)
    #expect(screen(state).contains("Completed (2)"))
    // The cursor stays where it was: on the next task, as ticking off a list goes.
    #expect(state.selectedTask?.id == "T2")
    var saved = Fixtures.workTasks[0]
    saved.status = "completed"
    _ = reduce(&state, .edited(.taskUpdated(listID: "L3", taskID: "T1", .success(saved))))
    #expect(state.edit.pending.isEmpty)
    // Space on a completed task opens it again.
    _ = press(&state, .char("j"), .char("j"))
    #expect(state.selectedTask?.id == "T1")
    #expect(
      press(&state, .char(" ")) == [
        .edit(.updateTask(listID: "L3", taskID: "T1", patch: TaskPatch(status: "notStarted")))
      ])
  }

  @Test func aCompletionGraphRefusesPutsTheTaskBackAmongTheOpenOnes() {
    var state = browsing()
    _ = press(&state, .char(" "))
    _ = reduce(
      &state,
      .edited(.taskUpdated(listID: "L3", taskID: "T1", .failure(AppError("the service is busy")))))
    #expect(state.visibleTasks.map(\.id) == ["T1", "T2", "T4", "T3"])
    #expect(state.status?.text == "Could not save “Quarterly report”: the service is busy")
  }

  @Test func aTaskWaitingForGraphTakesNoOtherChange() {
    var state = browsing()
    _ = press(&state, .char("i"))
    #expect(press(&state, .char("k")).isEmpty)
    state.tasksState.selected = 0
    #expect(press(&state, .char(" ")).isEmpty)
    #expect(state.status?.text == "still saving “Quarterly report”")
  }

  @Test func iAndBangToggleImportance() {
    var state = browsing()
    #expect(
      press(&state, .char("i")) == [
        .edit(.updateTask(listID: "L3", taskID: "T1", patch: TaskPatch(importance: "normal")))
      ])
    #expect(state.selectedTask?.importance == "normal")
    _ = press(&state, .char("j"))
    #expect(
      press(&state, .char("!")) == [
        .edit(.updateTask(listID: "L3", taskID: "T2", patch: TaskPatch(importance: "high")))
      ])
  }

  @Test func cClosesAndOpensTheCompletedGroup() {
    var state = browsing()
    _ = press(&state, .char("c"))
    #expect(state.visibleTasks.map(\.id) == ["T1", "T2", "T4"])
    #expect(screen(state).contains("▸ Completed (1)"))
    _ = press(&state, .char("c"))
    #expect(state.visibleTasks.map(\.id) == ["T1", "T2", "T4", "T3"])
    #expect(screen(state).contains("▾ Completed (1)"))
    state.tasks["L3"] = .loaded(Array(Fixtures.workTasks.prefix(2)))
    #expect(press(&state, .char("c")).isEmpty)
    #expect(state.status?.text == "no completed tasks in this list")
  }

  // MARK: Due date

  @Test func capitalDSetsTheDueDateAndTodayComesFromTheState() {
    var state = browsing()
    _ = press(&state, .char("D"))
    #expect(state.edit.prompt?.editor.text == "2025-07-01")
    _ = press(&state, .ctrl("u"))
    type(&state, "tomorrow")
    let due = DateTimeTimeZone(dateTime: "2025-06-16T00:00:00.0000000", timeZone: "UTC")
    #expect(
      press(&state, .enter) == [
        .edit(.updateTask(listID: "L3", taskID: "T1", patch: TaskPatch(dueDateTime: due)))
      ])
    #expect(state.selectedTask?.dueDateTime == due)
    #expect(screen(state).contains("2025-06-16"))
  }

  @Test func anEmptyDueDateClearsItAndNonsenseIsRefused() {
    var state = browsing()
    _ = press(&state, .char("D"), .ctrl("u"))
    type(&state, "someday")
    #expect(press(&state, .enter).isEmpty)
    #expect(state.status?.text.hasPrefix("not a date: try 2026-12-24") == true)
    #expect(state.edit.prompt != nil)
    _ = press(&state, .ctrl("u"))
    #expect(
      press(&state, .enter) == [
        .edit(.updateTask(listID: "L3", taskID: "T1", patch: TaskPatch(clearDueDate: true)))
      ])
    #expect(state.selectedTask?.dueDateTime == nil)
  }

  // MARK: Delete

  @Test func dAsksNamingTheTaskAndYDeletesIt() {
    var state = browsing()
    #expect(press(&state, .char("d")).isEmpty)
    #expect(KeyBindings.contexts(in: state) == [.confirmDeleteTask])
    let text = screen(state)
    #expect(text.contains("Delete task?"))
    #expect(text.contains("“Quarterly report”"))
    #expect(text.contains("y delete   n keep"))
    #expect(press(&state, .char("y")) == [.edit(.deleteTask(listID: "L3", taskID: "T1"))])
    #expect(state.visibleTasks.map(\.id) == ["T2", "T4", "T3"])
    _ = reduce(&state, .edited(.taskDeleted(listID: "L3", taskID: "T1", .success(()))))
    #expect(state.status?.text == "Deleted “Quarterly report”")
    #expect(state.attachments["T1"] == nil)
  }

  @Test func nOrEscKeepsTheTask() {
    var state = browsing()
    _ = press(&state, .char("d"))
    #expect(press(&state, .char("n")).isEmpty)
    _ = press(&state, .char("d"))
    #expect(press(&state, .escape).isEmpty)
    #expect(state.openTasks.value == Fixtures.workTasks)
    #expect(state.edit.prompt == nil)
  }

  @Test func aDeleteGraphRefusesBringsTheTaskBackWhereItWas() {
    var state = browsing()
    _ = press(&state, .char("j"), .char("d"), .enter)
    #expect(state.openTasks.value?.contains { $0.id == "T2" } == false)
    _ = reduce(
      &state,
      .edited(.taskDeleted(listID: "L3", taskID: "T2", .failure(AppError("403 accessDenied")))))
    #expect(state.openTasks.value == Fixtures.workTasks)
    #expect(state.status?.text.hasPrefix("Could not delete “Expense claims") == true)
  }

  @Test func taskKeysNeedATask() {
    var state = browsing()
    state.tasks["L3"] = .loaded([])
    for key: Character in ["e", " ", "i", "D", "d"] {
      #expect(press(&state, .char(key)).isEmpty)
      #expect(state.status?.text == "no task selected")
    }
    state.tasks["L3"] = .loading
    _ = press(&state, .char("n"))
    #expect(state.status?.text == "wait for the list's tasks to load")
  }
}

/// The screen the README shows: a task being added.
struct TaskEditSnapshotTests {
  @Test func addingATask() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.char("n")))
    for character in "Book the train to 大阪" { _ = reduce(&state, .key(.char(character))) }
    _ = reduce(&state, .key(.ctrl("b")))
    assertSnapshot(Screen.render(state), named: "adding-a-task")
  }

  @Test func aNewTaskWaitingForGraph() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.char("n")))
    for character in "Book the train to 大阪" { _ = reduce(&state, .key(.char(character))) }
    _ = reduce(&state, .key(.enter))
    assertSnapshot(Screen.render(state), named: "task-saving")
  }
}
