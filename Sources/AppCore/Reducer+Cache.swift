import Foundation
import GraphModels
import TerminalCore

/// What the panes show from the offline cache until Graph answers: when each was stored.
public struct CachedPanes: Sendable, Hashable {
  /// When the cached lists were stored; nil once Graph's answer replaced them.
  public var lists: Date?
  /// When each list's cached tasks were stored, by list id.
  public var tasks: [String: Date] = [:]
  /// When the next automatic refresh goes out, after a refresh failed over cached panes.
  public var retryAt: Date?
  /// Refreshes that failed in a row (the wait before the next one doubles with each).
  public var failures = 0

  public init(lists: Date? = nil, tasks: [String: Date] = [:]) {
    self.lists = lists
    self.tasks = tasks
  }
}

/// "cached 3 min ago": how old a cached pane is, for its title.
public enum CacheAge {
  public static func text(savedAt: Date, now: Date) -> String {
    let seconds = max(0, now.timeIntervalSince(savedAt))
    switch seconds {
    case ..<60: return "cached just now"
    case ..<3600: return "cached \(Int(seconds / 60)) min ago"
    case ..<86_400: return "cached \(Int(seconds / 3600)) h ago"
    default: return "cached \(Int(seconds / 86_400)) d ago"
    }
  }
}

// MARK: Cached data at start

/// Lists from the cache: shown until Graph's answer arrives (never over a live answer).
func cachedListsLoaded(_ state: inout AppState, _ lists: [TodoTaskList], savedAt: Date)
  -> [Effect]
{
  guard state.lists.value == nil else { return [] }
  state.lists = .loaded(lists)
  state.cached.lists = savedAt
  clampSelections(&state)
  return []
}

/// The last-seen tasks of a list from the cache: that list is opened and selected, and its
/// tasks show until the refresh replaces them.
func cachedTasksLoaded(
  _ state: inout AppState, listID: String, _ tasks: [TodoTask], savedAt: Date
) -> [Effect] {
  guard state.tasks[listID]?.value == nil else { return [] }
  state.tasks[listID] = .loaded(tasks)
  state.cached.tasks[listID] = savedAt
  if state.openListID == nil, let index = state.visibleLists.firstIndex(where: { $0.id == listID })
  {
    state.listsState.select(
      index, count: state.visibleLists.count, viewport: Layout(state).listsViewport)
    state.openListID = listID
  }
  clampSelections(&state)
  return []
}

// MARK: The refresh

/// Graph's lists: over cached ones they keep the selection (by id), say what changed and
/// refresh the open list's cached tasks; a failure keeps the cached lists on screen.
func refreshLists(_ state: inout AppState, _ result: Result<[TodoTaskList], AppError>)
  -> [Effect]
{
  guard let savedAt = state.cached.lists else { return listsLoaded(&state, result) }
  switch result {
  case .failure(let error):
    offline(&state, "lists", savedAt: savedAt, error)
    return []
  case .success(let lists):
    state.cached.retryAt = nil
    state.cached.failures = 0
    let before = state.lists.value ?? []
    let selectedID = state.selectedList?.id
    state.cached.lists = nil
    state.lists = .loaded(lists)
    if let open = state.openListID, !lists.contains(where: { $0.id == open }) {
      // The list shown from the cache was deleted elsewhere: its rows go, another opens.
      state.tasks[open] = nil
      state.cached.tasks[open] = nil
      state.openListID = nil
    }
    if let selectedID, let index = state.visibleLists.firstIndex(where: { $0.id == selectedID }) {
      state.listsState.select(
        index, count: state.visibleLists.count, viewport: Layout(state).listsViewport)
    }
    clampSelections(&state)
    let changes = CacheChanges(before: before, after: lists, id: \.id)
    if !changes.isEmpty { showInfo(&state, "Lists refreshed: " + changes.summary) }
    if state.openListID == nil, let first = state.selectedList {
      return openList(&state, first.id)
    }
    if let open = state.openListID, state.cached.tasks[open] != nil,
      state.taskLoads[open] == nil
    {
      return [loadTasks(&state, listID: open)]
    }
    return []
  }
}

/// Graph's tasks of a list: over cached ones they keep the selected task (by id) and say what
/// changed; a failure keeps the cached tasks on screen.
func refreshTasks(
  _ state: inout AppState, listID: String, _ result: Result<[TodoTask], AppError>
) -> [Effect] {
  guard let savedAt = state.cached.tasks[listID] else {
    return tasksLoaded(&state, listID: listID, result)
  }
  switch result {
  case .failure(let error):
    guard state.lists.value?.contains(where: { $0.id == listID }) != false else {
      // The list is gone (deleted elsewhere): nothing to retry.
      state.cached.tasks[listID] = nil
      state.tasks[listID] = nil
      return []
    }
    offline(&state, "tasks", savedAt: savedAt, error)
    return []
  case .success(let tasks):
    state.cached.retryAt = nil
    state.cached.failures = 0
    let before = state.tasks[listID]?.value ?? []
    let selectedID = listID == state.openListID ? state.selectedTask?.id : nil
    state.cached.tasks[listID] = nil
    let effects = tasksLoaded(&state, listID: listID, result)
    if let selectedID, let index = state.visibleTasks.firstIndex(where: { $0.id == selectedID }) {
      state.tasksState.select(
        index, count: state.visibleTasks.count, viewport: Layout(state).tasksViewport)
    }
    let changes = CacheChanges(before: before, after: tasks, id: \.id)
    if !changes.isEmpty, listID == state.openListID {
      showInfo(&state, "Tasks refreshed: " + changes.summary)
    }
    return effects
  }
}

// MARK: Offline

/// A refresh over cached panes failed: they stay, the status line says so, and another refresh
/// goes out by itself after 5, 10, 20, 40 and then every 60 seconds (Ctrl-R asks at once).
func offline(_ state: inout AppState, _ pane: String, savedAt: Date, _ error: AppError) {
  let delay = OfflineRetry.delay(afterFailures: state.cached.failures)
  state.cached.failures += 1
  state.cached.retryAt = state.now.addingTimeInterval(delay)
  state.status = StatusMessage(
    "Offline: showing \(pane) \(CacheAge.text(savedAt: savedAt, now: state.now)) "
      + "(\(error.message)); retrying in \(Int(delay)) s, Ctrl-R now", kind: .error)
}

/// On the clock: the automatic refresh once it is due (the lists, which refresh the open
/// list's cached tasks when they arrive; or the open list's tasks alone).
func retryOfflineIfDue(_ state: inout AppState) -> [Effect] {
  guard let retryAt = state.cached.retryAt, retryAt <= state.now else { return [] }
  state.cached.retryAt = nil
  if state.cached.lists != nil { return [.loadLists] }
  if let open = state.openListID, state.cached.tasks[open] != nil {
    return [loadTasks(&state, listID: open)]
  }
  return []
}

/// The wait before an automatic refresh of cached panes.
public enum OfflineRetry {
  public static func delay(afterFailures failures: Int) -> TimeInterval {
    min(60, 5 * pow(2, Double(min(failures, 4))))
  }
}

/// What a refresh changed: rows added, changed and gone, by id.
struct CacheChanges: Sendable, Hashable {
  var added = 0
  var changed = 0
  var removed = 0

  init<Item: Hashable>(before: [Item], after: [Item], id: (Item) -> String) {
    let old = Dictionary(before.map { (id($0), $0) }, uniquingKeysWith: { first, _ in first })
    let new = Set(after.map(id))
    for item in after {
      if let previous = old[id(item)] {
        if previous != item { changed += 1 }
      } else {
        added += 1
      }
    }
    removed = old.keys.filter { !new.contains($0) }.count
  }

  var isEmpty: Bool { added == 0 && changed == 0 && removed == 0 }

  var summary: String {
    [(added, "new"), (changed, "changed"), (removed, "gone")]
      .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
  }
}
