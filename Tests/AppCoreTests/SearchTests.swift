import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// The global search (issue 10 item 6): `F` looks through every loaded list's titles and notes
/// and Enter jumps to the task.
struct SearchTests {
  func press(_ state: inout AppState, _ keys: KeyEvent...) -> [Effect] {
    keys.flatMap { reduce(&state, .key($0)) }
  }

  func type(_ state: inout AppState, _ text: String) {
    for character in text { _ = reduce(&state, .key(.char(character))) }
  }

  /// `Fixtures.browsing` with a second list loaded: groceries with accents and notes.
  func browsingTwoLists() -> AppState {
    var state = Fixtures.browsing()
    _ = reduce(
      &state,
      .tasksLoaded(
        listID: "L2",
        .success([
          TodoTask(id: "G1", title: "Café beans", hasAttachments: false),
          TodoTask(
            id: "G2", title: "Milk", hasAttachments: false,
            body: ItemBody(content: "the ÉCOLE shop, not the café")),
          TodoTask(id: "G3", title: "CAFÉ filters", status: "completed", hasAttachments: false),
        ])))
    return state
  }

  @Test func fOpensASearchOverEveryLoadedListWithTitlesAndNotes() {
    var state = browsingTwoLists()
    // The lists not loaded yet start loading, so the search covers every list.
    #expect(
      press(&state, .char("F")) == ["L1", "L4", "L5", "L6"].map { .loadTasks(listID: $0) })
    #expect(KeyBindings.contexts(in: state) == [.search])
    type(&state, "cafe")
    let hits = state.search?.hits ?? []
    #expect(hits.map(\.taskID) == ["G1", "G2", "G3"])
    #expect(hits.map(\.listName) == ["Groceries 🛒", "Groceries 🛒", "Groceries 🛒"])
    #expect(hits.map(\.inNotes) == [false, true, false])
    let screen = Screen.render(state).text
    #expect(screen.contains("Search every list"))
    #expect(screen.contains("Milk (in notes)"))
    #expect(screen.contains("3 matches in 2 lists, loading 4 more"))
    // A page of another list joins the matches while the search stays open.
    _ = reduce(
      &state,
      .tasksPage(
        listID: "L1", [TodoTask(id: "K1", title: "Decaf cafe order", hasAttachments: false)],
        first: true, more: false))
    #expect(state.search?.hits.map(\.taskID) == ["K1", "G1", "G2", "G3"])
    // Letters type into the query, even those bound elsewhere.
    type(&state, "jkq")
    #expect(state.search?.editor.text == "cafejkq")
    #expect(state.search?.hits.isEmpty == true)
    _ = press(&state, .backspace, .backspace, .backspace)
    #expect(state.search?.total == 4)
  }

  @Test func enterJumpsToTheTaskSelectingItsList() {
    var state = browsingTwoLists()
    _ = press(&state, .char("F"))
    type(&state, "filters")
    #expect(state.search?.hits.map(\.taskID) == ["G3"])
    state.edit.showCompleted = false
    let effects = press(&state, .enter)
    #expect(state.search == nil)
    #expect(state.openListID == "L2")
    #expect(state.selectedList?.id == "L2")
    #expect(state.focus == .tasks)
    // The completed task is in the Completed group, opened to show it.
    #expect(state.edit.showCompleted)
    #expect(state.selectedTask?.id == "G3")
    #expect(effects.isEmpty)
  }

  @Test func enterJumpsPastAListFilterThatHidesTheList() {
    var state = browsingTwoLists()
    _ = press(&state, .left, .char("/"))
    type(&state, "WORK")
    _ = press(&state, .enter)
    #expect(state.visibleLists.map(\.id) == ["L3"])
    _ = press(&state, .char("F"))
    type(&state, "milk")
    _ = press(&state, .enter)
    #expect(state.listsFilter.text.isEmpty)
    #expect(state.selectedList?.id == "L2")
    #expect(state.selectedTask?.id == "G2")
  }

  @Test func searchKeysSayWhyTheyDoNothing() {
    var state = AppState(now: t0)
    #expect(KeyBindings.disabledReason(.search, in: state) == "wait for the lists to load")
    state = browsingTwoLists()
    _ = press(&state, .char("F"))
    #expect(KeyBindings.disabledReason(.searchJump, in: state) == "no matching task")
    type(&state, "nothing like it")
    _ = press(&state, .enter)
    #expect(state.search != nil)
    #expect(state.status?.text == "no matching task")
    _ = press(&state, .escape)
    #expect(state.search == nil)
  }

  @Test func theFooterOffersSearchAndStillFitsAt80Columns() {
    let state = Fixtures.browsing()
    let footer = Screen.render(state).lines().last ?? ""
    #expect(footer.contains("F search"))
    #expect(footer.contains("q quit"))
    // With uploads the row is full: the search hint gives way, quit stays, nothing is cut.
    var uploading = Fixtures.uploading()
    uploading.focus = .attachments
    let busy = Screen.render(uploading).lines().last ?? ""
    #expect(busy.contains("q quit") && busy.contains("uploaded"))
    #expect(!busy.contains("F search") && !busy.contains("…"))
  }
}
