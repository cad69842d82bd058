import Foundation
import GraphModels
import TerminalCore

/// The global search (`F`): a query over the tasks of every list, titles and notes, matched as
/// the `/` filters match (`TextFolding`).
///
/// It searches what is in memory, not Graph's or the offline cache's index (AppCore is pure and
/// may not import ReadCache, DESIGN §4): opening it loads every list not loaded yet, and their
/// pages join the matches as they arrive.
public struct SearchState: Sendable, Hashable {
  public var editor = LineEditor()
  /// The matches, in list order then task order; at most `GlobalSearch.limit`.
  public var hits: [SearchHit] = []
  /// All matches, including those past the limit.
  public var total = 0
  public var listState = ListState()

  public init() {}

  /// The highlighted match.
  public var selectedHit: SearchHit? {
    hits.indices.contains(listState.selected) ? hits[listState.selected] : nil
  }
}

/// One task that matches the query, and the list it is in.
public struct SearchHit: Sendable, Hashable {
  public var listID: String
  public var taskID: String
  public var title: String
  public var listName: String
  /// True when only the task's notes matched.
  public var inNotes: Bool

  public init(listID: String, taskID: String, title: String, listName: String, inNotes: Bool) {
    self.listID = listID
    self.taskID = taskID
    self.title = title
    self.listName = listName
    self.inNotes = inNotes
  }
}

public enum GlobalSearch {
  /// Matches kept for the screen (the rest are counted).
  public static let limit = 500

  /// The tasks of `state`'s loaded lists whose title or notes contain `query` (folded), and how
  /// many there are in all; an empty query matches nothing.
  public static func run(_ query: String, in state: AppState) -> (hits: [SearchHit], total: Int) {
    let needle = TextFolding.fold(query.trimmingCharacters(in: .whitespaces))
    guard !needle.isEmpty else { return ([], 0) }
    var hits: [SearchHit] = []
    var total = 0
    for list in state.lists.value ?? [] {
      for task in state.tasks[list.id]?.value ?? [] {
        let inTitle = TextFolding.matches(task.title, folded: needle)
        guard inTitle || TextFolding.matches(task.body?.content ?? "", folded: needle) else {
          continue
        }
        total += 1
        if hits.count < limit {
          hits.append(
            SearchHit(
              listID: list.id, taskID: task.id, title: task.title, listName: list.displayName,
              inNotes: !inTitle))
        }
      }
    }
    return (hits, total)
  }

  /// Tasks in memory, the lists they are in, and the lists still loading: what a search looks
  /// through.
  static func scope(_ state: AppState) -> (tasks: Int, lists: Int, loading: Int) {
    let lists = state.lists.value ?? []
    let loaded = lists.compactMap { state.tasks[$0.id]?.value }
    let loading = lists.filter { state.taskLoads[$0.id] != nil }.count
    return (loaded.reduce(0) { $0 + $1.count }, loaded.count, loading)
  }
}

// MARK: Reducer

/// `F` and the keys of the open search.
func searchCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  switch command {
  case .search:
    state.search = SearchState()
    return loadEveryList(&state)
  case .searchClose:
    state.search = nil
  case .searchErase:
    editSearch(&state) { $0.eraseBackward() }
  default:
    return jumpToHit(&state)
  }
  return []
}

/// Starts loading every list whose tasks are not in memory, so the search covers all lists;
/// their pages join the matches as they arrive.
private func loadEveryList(_ state: inout AppState) -> [Effect] {
  let missing = (state.lists.value ?? []).filter {
    state.tasks[$0.id] == nil && state.taskLoads[$0.id] == nil
  }
  return missing.map { loadTasks(&state, listID: $0.id) }
}

/// Runs the open search again over the tasks now in memory, keeping the highlighted match.
func refreshSearch(_ state: inout AppState) {
  guard var search = state.search, !search.editor.text.isEmpty else { return }
  let selected = search.selectedHit
  (search.hits, search.total) = GlobalSearch.run(search.editor.text, in: state)
  if let selected,
    let index = search.hits.firstIndex(where: {
      $0.listID == selected.listID && $0.taskID == selected.taskID
    })
  {
    search.listState.selected = index
  }
  state.search = search
}

/// Types `character` into the open search; false when no search is open.
func typeIntoSearch(_ state: inout AppState, _ character: Character) -> Bool {
  guard state.search != nil else { return false }
  editSearch(&state) { $0.insert(character) }
  return true
}

private func editSearch(_ state: inout AppState, _ change: (inout LineEditor) -> Void) {
  guard var search = state.search else { return }
  change(&search.editor)
  (search.hits, search.total) = GlobalSearch.run(search.editor.text, in: state)
  search.listState = ListState()
  state.search = search
}

/// Enter: opens the match's list and selects the task in it.
private func jumpToHit(_ state: inout AppState) -> [Effect] {
  guard let hit = state.search?.selectedHit else { return [] }
  state.search = nil
  let layout = Layout(state)
  if !state.visibleLists.contains(where: { $0.id == hit.listID }) {
    state.listsFilter = FilterState()
  }
  if let index = state.visibleLists.firstIndex(where: { $0.id == hit.listID }) {
    state.listsState.select(index, count: state.visibleLists.count, viewport: layout.listsViewport)
  }
  var effects = openList(&state, hit.listID)
  state.tasksFilter = FilterState()
  if let task = findTask(state, listID: hit.listID, id: hit.taskID), AppState.isCompleted(task) {
    state.edit.showCompleted = true
  }
  state.focus = .tasks
  if let index = state.visibleTasks.firstIndex(where: { $0.id == hit.taskID }) {
    state.tasksState.select(index, count: state.visibleTasks.count, viewport: layout.tasksViewport)
  }
  state.attachmentsState = ListState()
  state.edit.stepsState = ListState()
  clampSelections(&state)
  effects += ensureAttachments(&state)
  return effects
}
