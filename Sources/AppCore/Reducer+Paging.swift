import Foundation
import GraphModels
import TerminalCore

// Progressive loading: a list's first page of tasks shows as soon as it arrives, later pages
// append while the user moves and types, and leaving the list stops its load. Each page costs
// O(page): the list grows in place and `TaskRows` only appends the page's rows.

/// A list whose tasks are arriving page by page.
public struct TaskLoad: Sendable, Hashable {
  /// Tasks received so far (the pane title shows it: "loading… 1,200").
  public var received = 0
  /// A reload of rows already on screen (cached, or loaded before) collects its pages here and
  /// replaces the rows with the last one, keeping the selection; nil: pages show as they arrive.
  var collected: [TodoTask]?

  /// True when the pages show as they arrive.
  public var isProgressive: Bool { collected == nil }
}

/// Starts loading `listID`'s tasks: shown page by page when nothing of it is on screen yet.
func loadTasks(_ state: inout AppState, listID: String) -> Effect {
  let shown = state.tasks[listID]?.value != nil
  state.taskLoads[listID] = TaskLoad(collected: shown ? [] : nil)
  return .loadTasks(listID: listID)
}

/// Stops a load of `listID` that is under way; rows of a partial load are dropped, so opening
/// the list again loads it whole.
func stopLoading(_ state: inout AppState, listID: String) -> [Effect] {
  guard let load = state.taskLoads.removeValue(forKey: listID) else { return [] }
  if load.isProgressive { state.tasks[listID] = nil }
  return [.stopLoadingTasks(listID: listID)]
}

/// One page of `listID`'s tasks; ignored when its load was stopped.
func tasksPage(
  _ state: inout AppState, listID: String, _ page: [TodoTask], first: Bool, more: Bool
) -> [Effect] {
  // Taken out of the state so that the collected pages are appended in place.
  guard var load = state.taskLoads.removeValue(forKey: listID) else { return [] }
  load.received = (first ? 0 : load.received) + page.count
  if load.collected != nil {
    if first { load.collected = [] }
    load.collected?.append(contentsOf: page)
    guard !more else {
      state.taskLoads[listID] = load
      return []
    }
    return refreshTasks(&state, listID: listID, .success(load.collected ?? []))
  }
  if more { state.taskLoads[listID] = load }
  if first || state.tasks[listID]?.value == nil {
    state.tasks[listID] = .loaded(keepingRowsBeingCreated(state, listID: listID, page))
  } else {
    appendPage(&state, listID: listID, page)
  }
  clampSelections(&state)
  return listID == state.openListID ? ensureAttachments(&state) : []
}

/// Appends a page to the rows on screen; the selected task stays selected.
private func appendPage(_ state: inout AppState, listID: String, _ page: [TodoTask]) {
  let rowsCurrent = state.taskRows.key == state.currentTaskRowsKey
  let shownBefore = rowsCurrent ? state.visibleTasks.count : 0
  var tasks = state.tasks[listID]?.value ?? []
  // Drop the state's reference first: the append below then grows the array in place.
  state.tasks[listID] = .loading
  let start = tasks.count
  tasks.append(contentsOf: page)
  state.tasks[listID] = .loaded(tasks)
  guard listID == state.openListID, rowsCurrent else { return }
  let openBefore = state.taskRows.open.count
  state.taskRows.append(tasks, from: start, filter: state.tasksFilter)
  state.taskRows.key = state.currentTaskRowsKey
  // New open tasks go above the Completed group: a selection inside it moves down with it.
  let added = state.taskRows.open.count - openBefore
  if added > 0, shownBefore > 0, state.edit.showCompleted,
    state.tasksState.selected >= openBefore
  {
    state.tasksState.selected += added
    state.tasksState.offset += added
  }
}

/// A load's end when it did not end with a page: all the tasks at once (engines that do not
/// page), or a failure; a failure after some pages keeps them on screen.
func tasksFinished(
  _ state: inout AppState, listID: String, _ result: Result<[TodoTask], AppError>
) -> [Effect] {
  let load = state.taskLoads.removeValue(forKey: listID)
  if case .failure(let error) = result, let load, load.isProgressive,
    state.tasks[listID]?.value != nil
  {
    showError(
      &state,
      "Stopped after \(Format.count(load.received)) tasks: \(error.message); Ctrl-R reloads")
    return []
  }
  return refreshTasks(&state, listID: listID, result)
}
