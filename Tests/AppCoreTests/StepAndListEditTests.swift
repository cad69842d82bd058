import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// Steps of the selected task and lists, from the keyboard; with their rollbacks.
struct StepAndListEditTests {
  func press(_ state: inout AppState, _ keys: KeyEvent...) -> [Effect] {
    keys.flatMap { reduce(&state, .key($0)) }
  }

  func type(_ state: inout AppState, _ text: String) {
    for character in text { _ = reduce(&state, .key(.char(character))) }
  }

  let draft = ChecklistItem(id: "S1", displayName: "Draft the summary")

  /// "Quarterly report" with its steps pane focused and one step loaded.
  func withSteps() -> AppState {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.tab))
    _ = reduce(&state, .key(.tab))
    _ = reduce(&state, .edited(.stepsLoaded(taskID: "T1", .success([draft]))))
    return state
  }

  // MARK: Steps

  @Test func enteringTheDetailPanesLoadsTheStepsBesideTheAttachments() {
    var state = Fixtures.browsing()
    #expect(Layout(state).steps.isEmpty)
    #expect(press(&state, .tab) == [.edit(.loadSteps(listID: "L3", taskID: "T1"))])
    #expect(state.focus == .attachments)
    #expect(press(&state, .tab).isEmpty)
    #expect(state.focus == .steps)
    _ = reduce(&state, .edited(.stepsLoaded(taskID: "T1", .success([draft]))))
    let layout = Layout(state)
    #expect(!layout.steps.isEmpty)
    #expect(layout.steps.x == layout.attachments.maxX)
    let text = Screen.render(state).text
    #expect(text.contains("Steps 0/1"))
    #expect(text.contains("Draft the summary"))
    #expect(text.contains("report-draft.pdf"))
    #expect(press(&state, .escape).isEmpty)
    #expect(state.focus == .tasks)
  }

  @Test func nAddsAStepMarkedPendingUntilGraphAnswers() {
    var state = withSteps()
    _ = press(&state, .char("n"))
    type(&state, "Check the figures")
    #expect(
      press(&state, .enter) == [
        .edit(
          .createStep(
            listID: "L3", taskID: "T1", tempID: "pending-step-1", name: "Check the figures"))
      ])
    #expect(state.selectedStep?.displayName == "Check the figures")
    #expect(Screen.render(state).text.contains("Check the figures ("), "marked saving")
    let saved = ChecklistItem(id: "S2", displayName: "Check the figures")
    _ = reduce(
      &state, .edited(.stepCreated(taskID: "T1", tempID: "pending-step-1", .success(saved))))
    #expect(state.selectedSteps.value == [draft, saved])
    #expect(state.edit.pendingSteps.isEmpty)
  }

  @Test func spaceTicksAStepAndARefusalUnticksIt() {
    var state = withSteps()
    #expect(
      press(&state, .char(" ")) == [
        .edit(
          .updateStep(
            listID: "L3", taskID: "T1", itemID: "S1", patch: ChecklistItemPatch(isChecked: true)))
      ])
    #expect(state.selectedStep?.isChecked == true)
    #expect(press(&state, .char(" ")).isEmpty, "one write at a time per step")
    _ = reduce(
      &state,
      .edited(.stepUpdated(taskID: "T1", itemID: "S1", .failure(AppError("the service is busy")))))
    #expect(state.selectedStep?.isChecked == false)
    #expect(
      state.status?.text == "Could not save the step “Draft the summary”: the service is busy")
  }

  @Test func eRenamesAStep() {
    var state = withSteps()
    _ = press(&state, .char("e"))
    #expect(state.edit.prompt?.editor.text == "Draft the summary")
    _ = press(&state, .ctrl("w"))
    type(&state, "outline")
    #expect(
      press(&state, .enter) == [
        .edit(
          .updateStep(
            listID: "L3", taskID: "T1", itemID: "S1",
            patch: ChecklistItemPatch(displayName: "Draft the outline")))
      ])
    #expect(state.selectedStep?.displayName == "Draft the outline")
  }

  @Test func aStepGraphRefusesToCreateGoesAway() {
    var state = withSteps()
    _ = press(&state, .char("n"))
    type(&state, "Nope")
    _ = press(&state, .enter)
    _ = reduce(
      &state,
      .edited(.stepCreated(taskID: "T1", tempID: "pending-step-1", .failure(AppError("400")))))
    #expect(state.selectedSteps.value == [draft])
    #expect(state.status?.kind == .error)
  }

  // MARK: Lists

  @Test func nInListsCreatesAList() {
    var state = Fixtures.browsing()
    state.focus = .lists
    _ = press(&state, .char("n"))
    type(&state, "Holidays")
    #expect(
      press(&state, .enter) == [.edit(.createList(tempID: "pending-list-1", name: "Holidays"))])
    #expect(Screen.render(state).text.contains("Holidays (saving…)"))
    let list = TodoTaskList(id: "L9", displayName: "Holidays")
    _ = reduce(&state, .edited(.listCreated(tempID: "pending-list-1", .success(list))))
    #expect(state.lists.value?.last == list)
    #expect(state.status?.text == "Created the list “Holidays”")
  }

  @Test func eRenamesAListAndARefusalPutsTheNameBack() {
    var state = Fixtures.browsing()
    state.focus = .lists
    state.listsState.selected = 1
    _ = press(&state, .char("e"), .ctrl("u"))
    type(&state, "Shopping")
    #expect(press(&state, .enter) == [.edit(.renameList(listID: "L2", name: "Shopping"))])
    #expect(state.selectedList?.displayName == "Shopping")
    _ = reduce(&state, .edited(.listRenamed(listID: "L2", .failure(AppError("409 conflict")))))
    #expect(state.selectedList?.displayName == "Groceries 🛒")
    #expect(state.status?.text == "Could not rename the list: 409 conflict")
  }

  @Test func dDeletesAListOnlyOnceItsNameIsTyped() {
    var state = Fixtures.browsing()
    state.focus = .lists
    state.listsState.selected = 1
    _ = press(&state, .char("d"))
    #expect(Screen.render(state).text.contains("Type “Groceries 🛒” to delete it"))
    type(&state, "Groceries")
    #expect(press(&state, .enter).isEmpty)
    #expect(state.status?.text == "type the list's name exactly to delete it")
    type(&state, " 🛒")
    #expect(press(&state, .enter) == [.edit(.deleteList(listID: "L2"))])
    #expect(state.lists.value?.contains { $0.id == "L2" } == false)
    _ = reduce(&state, .edited(.listDeleted(listID: "L2", .failure(AppError("503")))))
    #expect(state.lists.value?.map(\.id) == Fixtures.lists.map(\.id))
    _ = press(&state, .char("d"))
    type(&state, "Groceries 🛒")
    _ = press(&state, .enter)
    _ = reduce(&state, .edited(.listDeleted(listID: "L2", .success(()))))
    #expect(state.status?.text == "Deleted the list “Groceries 🛒”")
  }

  @Test func builtInListsAreNeitherRenamedNorDeleted() {
    var state = Fixtures.browsing()
    state.focus = .lists
    _ = press(&state, .char("g"))
    #expect(press(&state, .char("d")).isEmpty)
    #expect(state.status?.text == "“Tasks” is built into To Do")
    #expect(press(&state, .char("e")).isEmpty)
    #expect(state.edit.prompt == nil)
  }
}
