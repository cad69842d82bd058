import AppCore
import Foundation
import GraphModels
import TerminalCore
import Testing

/// The panes start from the offline cache, say how old it is, and a refresh replaces them
/// without moving the selection.
@Suite struct CachedPaneTests {
  static let savedAt = t0.addingTimeInterval(-180)

  /// Cached lists and the cached tasks of "仕事 (Work)" (L3), as the runtime feeds them at start.
  static func startedFromCache() -> AppState {
    var state = AppState(size: Size(width: 120, height: 30), now: t0, accountLabel: "graph")
    #expect(reduce(&state, .cachedListsLoaded(Fixtures.lists, savedAt: savedAt)).isEmpty)
    let effects = reduce(
      &state, .cachedTasksLoaded(listID: "L3", Fixtures.workTasks, savedAt: savedAt))
    #expect(effects.isEmpty)
    return state
  }

  static func screenText(_ state: AppState) -> String {
    Screen.render(state).text
  }

  @Test func ageIsWordedForThePaneTitle() {
    #expect(CacheAge.text(savedAt: t0, now: t0.addingTimeInterval(20)) == "cached just now")
    #expect(CacheAge.text(savedAt: t0, now: t0.addingTimeInterval(185)) == "cached 3 min ago")
    #expect(CacheAge.text(savedAt: t0, now: t0.addingTimeInterval(7300)) == "cached 2 h ago")
    #expect(CacheAge.text(savedAt: t0, now: t0.addingTimeInterval(3 * 86_400)) == "cached 3 d ago")
    #expect(CacheAge.text(savedAt: t0, now: t0.addingTimeInterval(-50)) == "cached just now")
  }

  @Test func cachedListsAndLastSeenTasksShowAtOnceMarkedCached() {
    let state = Self.startedFromCache()
    #expect(state.openListID == "L3")
    #expect(state.selectedList?.id == "L3")
    // Completed tasks (T3) sit in the Completed group at the bottom.
    #expect(state.visibleTasks.map(\.id) == ["T1", "T2", "T4", "T3"])
    let text = Self.screenText(state)
    #expect(text.contains("Lists · cached 3 min ago"), "\(text)")
    #expect(text.contains("cached 3 min ago"))
    #expect(text.contains("Quarterly report"))
  }

  @Test func graphsListsKeepTheSelectionAndRefreshTheOpenListsTasks() {
    var state = Self.startedFromCache()
    // A new list arrives first: L3 moves down one row but stays selected.
    let fresh = [TodoTaskList(id: "L0", displayName: "Inbox")] + Fixtures.lists
    let effects = reduce(&state, .listsLoaded(.success(fresh)))
    #expect(effects == [.loadTasks(listID: "L3")])
    #expect(state.selectedList?.id == "L3")
    #expect(state.cached.lists == nil)
    #expect(state.status?.text == "Lists refreshed: 1 new")
    #expect(!Self.screenText(state).contains("Lists · cached"))
  }

  @Test func graphsTasksKeepTheSelectedTaskByIdAndSayWhatChanged() {
    var state = Self.startedFromCache()
    _ = reduce(&state, .listsLoaded(.success(Fixtures.lists)))
    _ = reduce(&state, .key(.tab))
    _ = reduce(&state, .key(.down))
    #expect(state.selectedTask?.id == "T2")
    var fresh = Fixtures.workTasks
    fresh.insert(TodoTask(id: "T0", title: "New at the top"), at: 0)
    fresh[2].title = "Expense claims (renamed)"
    fresh.removeLast()
    _ = reduce(&state, .tasksLoaded(listID: "L3", .success(fresh)))
    #expect(state.selectedTask?.id == "T2")
    #expect(state.selectedTask?.title == "Expense claims (renamed)")
    #expect(state.cached.tasks["L3"] == nil)
    #expect(state.status?.text == "Tasks refreshed: 1 new, 1 changed, 1 gone")
  }

  @Test func aFailedRefreshKeepsTheCachedPanesAndSaysOffline() {
    var state = Self.startedFromCache()
    _ = reduce(&state, .listsLoaded(.failure(AppError("cannot connect to 127.0.0.1"))))
    #expect(state.lists.value == Fixtures.lists)
    #expect(state.cached.lists == Self.savedAt)
    #expect(state.status?.kind == .error)
    #expect(state.status?.text.hasPrefix("Offline: showing lists cached 3 min ago") == true)
    _ = reduce(&state, .tasksLoaded(listID: "L3", .failure(AppError("refused"))))
    #expect(state.visibleTasks.count == 4)
  }

  @Test func aFailedRefreshRetriesByItselfWithAGrowingWait() {
    var state = Self.startedFromCache()
    _ = reduce(&state, .listsLoaded(.failure(AppError("refused"))))
    #expect(state.status?.text.hasSuffix("(refused); retrying in 5 s, Ctrl-R now") == true)
    #expect(reduce(&state, .tick(t0.addingTimeInterval(4.9))).isEmpty)
    #expect(reduce(&state, .tick(t0.addingTimeInterval(5))) == [.loadLists])
    // Once sent, the clock asks no more until the answer comes.
    #expect(reduce(&state, .tick(t0.addingTimeInterval(6))).isEmpty)

    _ = reduce(&state, .listsLoaded(.failure(AppError("refused"))))
    #expect(state.cached.retryAt == t0.addingTimeInterval(16))
    #expect(state.status?.text.contains("retrying in 10 s") == true)
    #expect(OfflineRetry.delay(afterFailures: 4) == 60)
    #expect(OfflineRetry.delay(afterFailures: 9) == 60)

    // Graph answers: the panes refresh and the retries stop.
    _ = reduce(&state, .listsLoaded(.success(Fixtures.lists)))
    #expect(state.cached.retryAt == nil)
    #expect(state.cached.failures == 0)
    #expect(reduce(&state, .tick(t0.addingTimeInterval(100))).isEmpty)
  }

  @Test func cacheNeverOverwritesGraphsAnswer() {
    var state = AppState(now: t0)
    _ = reduce(&state, .listsLoaded(.success([TodoTaskList(id: "L9", displayName: "Live")])))
    _ = reduce(&state, .cachedListsLoaded(Fixtures.lists, savedAt: Self.savedAt))
    #expect(state.lists.value?.map(\.id) == ["L9"])
    #expect(state.cached.lists == nil)
  }
}
