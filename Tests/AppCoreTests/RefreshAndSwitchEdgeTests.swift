import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// What an adversarial review of the cache, delta and account-switch changes found broken, now
/// held by a test each (the doc comment of each says what went wrong before).
struct RefreshAndSwitchEdgeTests {
  static let savedAt = t0.addingTimeInterval(-180)
  static let work = AccountEntry(id: "k-work", label: "ann@work.example", isDefault: true)
  static let home = AccountEntry(id: "k-home", label: "ann@home.example")

  static func startedFromCache() -> AppState {
    var state = AppState(size: Size(width: 120, height: 30), now: t0, accountLabel: "graph")
    _ = reduce(&state, .cachedListsLoaded(Fixtures.lists, savedAt: savedAt))
    _ = reduce(&state, .cachedTasksLoaded(listID: "L3", Fixtures.workTasks, savedAt: savedAt))
    return state
  }

  /// Was: `retryOfflineIfDue` returns a bare `.loadTasks` without a `TaskLoad`, so the live
  /// engine's answer (`tasksPage`) is dropped by `tasksPage`'s guard: the pane stays "cached"
  /// and no retry is scheduled any more.
  @Test func theAutomaticRetryOfTheOpenListsTasksShowsTheAnswer() {
    var state = Self.startedFromCache()
    #expect(reduce(&state, .listsLoaded(.success(Fixtures.lists))) == [.loadTasks(listID: "L3")])
    _ = reduce(&state, .tasksLoaded(listID: "L3", .failure(AppError("timed out"))))
    #expect(state.cached.retryAt == t0.addingTimeInterval(5))
    #expect(reduce(&state, .tick(t0.addingTimeInterval(5))) == [.loadTasks(listID: "L3")])
    var fresh = Fixtures.workTasks
    fresh.insert(TodoTask(id: "T0", title: "New at the top"), at: 0)
    // The live engine answers with pages, not `tasksLoaded`.
    _ = reduce(&state, .tasksPage(listID: "L3", fresh, first: true, more: false))
    #expect(state.cached.tasks["L3"] == nil, "the refresh replaced the cached rows")
    #expect(state.tasks["L3"]?.value?.contains { $0.id == "T0" } == true)
  }

  /// Was: the last-seen list was deleted elsewhere; the lists refresh drops it, yet its cached
  /// tasks are refreshed, the 404 is shown as "Offline" and retried forever on the clock.
  @Test func aCachedListDeletedElsewhereIsNotRetriedAsOffline() {
    var state = Self.startedFromCache()
    let remaining = Fixtures.lists.filter { $0.id != "L3" }
    let effects = reduce(&state, .listsLoaded(.success(remaining)))
    #expect(!effects.contains(.loadTasks(listID: "L3")), "L3 no longer exists")
    _ = reduce(&state, .tasksLoaded(listID: "L3", .failure(AppError("not found (404)"))))
    #expect(state.status?.text.hasPrefix("Offline") != true, "\(state.status?.text ?? "")")
    #expect(!reduce(&state, .tick(t0.addingTimeInterval(300))).contains(.loadTasks(listID: "L3")))
  }

  /// Was: `clearPanes` keeps `taskLoads` (and stops no load): after switching away and back,
  /// F skips the lists whose load was under way at the switch, so the search never covers them.
  @Test func aSwitchForgetsTheLoadsOfThePanesItEmpties() {
    var state = Fixtures.browsing()
    state.accounts = AccountsState(all: [Self.work, Self.home], current: Self.work.id)
    let started = reduce(&state, .key(.char("F")))
    #expect(started.contains(.loadTasks(listID: "L4")))
    _ = reduce(&state, .key(.escape))
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.down))
    let away = reduce(&state, .key(.enter))
    #expect(away.contains(.stopLoadingTasks(listID: "L4")), "\(away)")
    #expect(state.taskLoads.isEmpty)
    _ = reduce(&state, .key(.char("A")))
    _ = reduce(&state, .key(.up))
    _ = reduce(&state, .key(.enter))
    let generation = state.accounts.generation
    _ = reduce(&state, .fromAccount(generation: generation, .listsLoaded(.success(Fixtures.lists))))
    let again = reduce(&state, .key(.char("F")))
    #expect(again.contains(.loadTasks(listID: "L4")), "\(again)")
  }
}
