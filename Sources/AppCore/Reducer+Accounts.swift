import Foundation
import TerminalCore

// MARK: Switching accounts

/// `A`: the account list opens on the account shown.
func openAccounts(_ state: inout AppState) -> [Effect] {
  state.overlay = .accounts(selected: state.accounts.currentIndex ?? 0)
  return []
}

/// Up, down, top and bottom in the account list.
func moveAccountSelection(_ state: inout AppState, _ command: Command) -> [Effect] {
  guard case .accounts(let selected) = state.overlay else { return [] }
  let last = max(0, state.accounts.all.count - 1)
  let moved: Int
  switch command {
  case .moveUp: moved = selected - 1
  case .moveDown: moved = selected + 1
  case .moveTop, .pageUp: moved = 0
  default: moved = last
  }
  state.overlay = .accounts(selected: min(last, max(0, moved)))
  return []
}

/// Enter in the account list: the panes empty and the chosen account's lists load. Answers to
/// what the old account was asked are dropped from here on (`accountAnswer`); uploads stay,
/// since they belong to the account that started them and keep running.
func useAccount(_ state: inout AppState, at index: Int) -> [Effect] {
  state.overlay = nil
  guard state.accounts.all.indices.contains(index) else { return [] }
  let chosen = state.accounts.all[index]
  guard chosen.id != state.accounts.current else {
    showInfo(&state, "Already showing \(Sanitizer.clean(chosen.label))")
    return []
  }
  // The old account's loads stop (before the switch, so its engine gets the effects).
  let stops = state.taskLoads.keys.sorted().map { Effect.stopLoadingTasks(listID: $0) }
  state.accounts.current = chosen.id
  state.accounts.generation += 1
  state.accountLabel = chosen.label
  clearPanes(&state)
  showInfo(&state, "Showing \(Sanitizer.clean(chosen.label))")
  return stops + [.switchAccount(id: chosen.id, generation: state.accounts.generation)]
}

/// An answer issued under switch `generation`: reduced while that account is still shown,
/// else dropped (its lists, tasks or writes belong to panes that are gone).
func accountAnswer(_ state: inout AppState, generation: Int, _ answer: Action) -> [Effect] {
  guard generation == state.accounts.generation else { return [] }
  return reduce(&state, answer)
}

/// Everything the panes showed of the old account; the uploads pane keeps every account's.
private func clearPanes(_ state: inout AppState) {
  state.focus = .lists
  state.lists = .loading
  state.listsState = ListState()
  state.listsFilter = FilterState()
  state.openListID = nil
  state.tasks = [:]
  state.taskLoads = [:]
  state.search = nil
  state.tasksState = ListState()
  state.tasksFilter = FilterState()
  state.cached = CachedPanes()
  state.attachments = [:]
  state.attachmentsState = ListState()
  state.picker = nil
  var edit = TaskEditState()
  // The user's preferences and the temporary-id counter outlive the switch.
  edit.timeZone = state.edit.timeZone
  edit.showCompleted = state.edit.showCompleted
  edit.nextTemporary = state.edit.nextTemporary
  state.edit = edit
  clampSelections(&state)
}
