import AppCore
import Foundation
import GraphModels
import TerminalCore
import Testing

/// `A` opens the account list; Enter shows another account: the panes empty, its lists load,
/// answers the old account was still owed are dropped, and uploads stay.
@Suite struct AccountSwitchTests {
  static let work = AccountEntry(id: "k-work", label: "ann@work.example", isDefault: true)
  static let home = AccountEntry(id: "k-home", label: "ann@home.example")

  /// `Fixtures.uploading` (Work list open, five uploads) signed in as two accounts.
  static func twoAccounts() -> AppState {
    var state = Fixtures.uploading()
    state.accountLabel = work.label
    state.accounts = AccountsState(all: [work, home], current: work.id)
    return state
  }

  static let homeLists = [TodoTaskList(id: "H1", displayName: "Garden")]

  @Test func theKeyIsDisabledWithOneAccountOrNone() {
    var state = Fixtures.browsing()
    #expect(reduce(&state, .key(.char("A"))).isEmpty)
    #expect(state.overlay == nil)
    #expect(state.status?.text.contains("no account to switch to") == true)
    state.accounts = AccountsState(all: [Self.work], current: Self.work.id)
    _ = reduce(&state, .key(.char("A")))
    #expect(state.overlay == nil)
    #expect(state.status?.text.hasPrefix("only one account is signed in") == true)
    #expect(KeyBindings.disabledReason(.chooseAccount, in: Self.twoAccounts()) == nil)
  }

  @Test func theListOpensOnTheShownAccountAndEscapeClosesIt() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("A")))
    #expect(state.overlay == .accounts(selected: 0))
    let text = Screen.render(state).text
    #expect(text.contains("Accounts"))
    #expect(text.contains("ann@work.example") && text.contains("(shown, default)"))
    #expect(text.contains("ann@home.example"))
    #expect(text.contains("Enter switch") && text.contains("Esc close"))
    _ = reduce(&state, .key(.down))
    #expect(state.overlay == .accounts(selected: 1))
    _ = reduce(&state, .key(.down))
    #expect(state.overlay == .accounts(selected: 1), "the last row stays selected")
    let before = state.openListID
    #expect(reduce(&state, .key(.escape)).isEmpty)
    #expect(state.overlay == nil)
    #expect(state.openListID == before && state.accounts.current == Self.work.id)
  }

  @Test func enterOnTheShownAccountOnlyCloses() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("A")))
    #expect(reduce(&state, .key(.enter)).isEmpty)
    #expect(state.overlay == nil && state.accounts.generation == 0)
    #expect(state.openListID == "L3")
  }

  @Test func switchingEmptiesThePanesKeepsUploadsAndLoadsTheOtherAccount() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.down))
    let effects = reduce(&state, .key(.enter))
    #expect(effects == [.switchAccount(id: Self.home.id, generation: 1)])
    #expect(state.accounts.current == Self.home.id)
    #expect(state.accountLabel == "ann@home.example")
    #expect(state.lists == .loading && state.openListID == nil && state.tasks.isEmpty)
    #expect(state.attachments.isEmpty && state.focus == .lists)
    #expect(state.uploads.count == 5, "uploads keep running under their own account")
    #expect(Screen.render(state).text.contains("ann@home.example"))

    // The new account's lists arrive under the new generation and open its first list.
    let loaded = reduce(&state, .fromAccount(generation: 1, .listsLoaded(.success(Self.homeLists))))
    #expect(state.lists.value == Self.homeLists)
    #expect(loaded == [.loadTasks(listID: "H1")])
  }

  @Test func answersForTheOldAccountAreDroppedAfterASwitch() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.down))
    _ = reduce(&state, .key(.enter))
    // Late answers to what the work account was asked before the switch.
    let stale: [Action] = [
      .listsLoaded(.success(Fixtures.lists)),
      .tasksLoaded(listID: "L3", .success(Fixtures.workTasks)),
      .attachmentsLoaded(listID: "L3", taskID: "T1", .success(Fixtures.reportAttachments)),
      .listsLoaded(.failure(AppError("token expired"))),
    ]
    for action in stale {
      #expect(reduce(&state, .fromAccount(generation: 0, action)).isEmpty)
    }
    #expect(state.lists == .loading && state.tasks.isEmpty && state.attachments.isEmpty)
    #expect(state.status?.kind != .error)
    // Switching back makes a new generation: answers of the first visit stay dropped.
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.up))
    #expect(reduce(&state, .key(.enter)) == [.switchAccount(id: Self.work.id, generation: 2)])
    _ = reduce(&state, .fromAccount(generation: 0, .listsLoaded(.success(Fixtures.lists))))
    #expect(state.lists == .loading)
    _ = reduce(&state, .fromAccount(generation: 2, .listsLoaded(.success(Fixtures.lists))))
    #expect(state.lists.value == Fixtures.lists)
  }

  @Test func uploadEventsOfTheOldAccountStillMoveItsRows() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.down))
    _ = reduce(&state, .key(.enter))
    _ = reduce(&state, .upload(.completed(id: "U1", attachmentID: "A9", size: 9_437_184), at: t0))
    #expect(state.uploads.first { $0.id == "U1" }?.phase == .completed)
  }

  @Test func theKeyWaitsWhileThePickerIsOpen() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("a")))
    #expect(state.picker != nil)
    _ = reduce(&state, .key(.char("A")))
    #expect(state.overlay == nil)
    #expect(state.status?.text.contains("close the file picker first") == true)
  }

  @Test func theAccountListAt80x24() {
    var state = Self.twoAccounts()
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.down))
    assertSnapshot(Screen.render(state), named: "account-list")
  }
}
