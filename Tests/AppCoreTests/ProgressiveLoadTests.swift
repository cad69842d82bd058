import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// Progressive loading (issue 10 item 7): pages show as they arrive, cost O(page), keep the
/// selection, and stop when the user leaves the list.
struct ProgressiveLoadTests {
  /// Tasks `from`…`to` of a generated list: every 7th completed, as the emulator's long list.
  func page(_ numbers: ClosedRange<Int>) -> [TodoTask] {
    numbers.map { number in
      TodoTask(
        id: "T\(number)", title: "Task \(number)",
        status: number % 7 == 0 ? "completed" : "notStarted", hasAttachments: false)
    }
  }

  /// Lists loaded; "Big list" (L5) chosen and its load under way.
  func choosingBigList() -> AppState {
    var state = AppState(now: t0)
    _ = reduce(&state, .listsLoaded(.success(Fixtures.lists)))
    _ = reduce(&state, .tasksLoaded(listID: "L1", .success([])))
    for _ in 0..<4 { _ = reduce(&state, .key(.down)) }
    #expect(reduce(&state, .key(.enter)) == [.loadTasks(listID: "L5")])
    return state
  }

  @Test func theFirstPageShowsAtOnceAndTheTitleCountsUntilTheLastPage() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...100), first: true, more: true))
    #expect(state.visibleTasks.count == 100)
    #expect(Screen.render(state).text.contains("Big list · loading… 100"))
    for start in stride(from: 101, through: 1101, by: 100) {
      _ = reduce(
        &state, .tasksPage(listID: "L5", page(start...start + 99), first: false, more: true))
    }
    #expect(Screen.render(state).text.contains("loading… 1,200"))
    _ = reduce(&state, .tasksPage(listID: "L5", page(1201...1250), first: false, more: false))
    #expect(state.visibleTasks.count == 1250)
    #expect(state.taskLoads["L5"] == nil)
    #expect(!Screen.render(state).text.contains("loading"))
  }

  @Test func aPageAppendsOnlyItsOwnRowsWithoutRebuildingTheList() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...100), first: true, more: true))
    let rebuilds = state.taskRows.rebuilds
    let earlier = (state.taskRows.open, state.taskRows.completed)
    for start in stride(from: 101, through: 901, by: 100) {
      _ = reduce(
        &state, .tasksPage(listID: "L5", page(start...start + 99), first: false, more: true))
      // Moving and typing in between does not rebuild either.
      _ = reduce(&state, .key(.down))
    }
    #expect(state.taskRows.rebuilds == rebuilds, "a page re-filtered the whole list")
    #expect(Array(state.taskRows.open.prefix(earlier.0.count)) == earlier.0)
    #expect(Array(state.taskRows.completed.prefix(earlier.1.count)) == earlier.1)
    #expect(state.openTaskCount == 1000 - 1000 / 7)
    #expect(state.completedCount == 1000 / 7)
  }

  @Test func theSelectedTaskStaysSelectedWhilePagesAppend() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...100), first: true, more: true))
    for _ in 0..<5 { _ = reduce(&state, .key(.down)) }
    #expect(state.selectedTask?.id == "T6")
    _ = reduce(&state, .tasksPage(listID: "L5", page(101...200), first: false, more: true))
    #expect(state.selectedTask?.id == "T6")
    // In the Completed group, the selection moves down with the rows added above it.
    _ = reduce(&state, .key(.end))
    let last = state.selectedTask?.id
    #expect(last == "T196")
    _ = reduce(&state, .tasksPage(listID: "L5", page(201...300), first: false, more: false))
    #expect(state.selectedTask?.id == last)
  }

  @Test func aFilterAppliesToArrivingPagesAccentInsensitively() {
    var state = choosingBigList()
    _ = reduce(&state, .key(.char("/")))
    for character in "TASK 10" { _ = reduce(&state, .key(.char(character))) }
    let titles = (1...100).map { TodoTask(id: "T\($0)", title: "Tâsk \($0)") }
    _ = reduce(&state, .tasksPage(listID: "L5", Array(titles.prefix(50)), first: true, more: true))
    #expect(state.visibleTasks.map(\.id) == ["T10"])
    _ = reduce(
      &state, .tasksPage(listID: "L5", Array(titles.suffix(50)), first: false, more: false))
    #expect(state.visibleTasks.map(\.id) == ["T10", "T100"])
  }

  @Test func leavingAListWhileItLoadsStopsItAndDropsItsPartialRows() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...100), first: true, more: true))
    _ = reduce(&state, .key(.left))
    _ = reduce(&state, .key(.up))
    let effects = reduce(&state, .key(.enter))
    #expect(effects.first == .stopLoadingTasks(listID: "L5"))
    #expect(effects.contains(.loadTasks(listID: "L4")))
    #expect(state.tasks["L5"] == nil)
    // A page already on its way is ignored.
    _ = reduce(&state, .tasksPage(listID: "L5", page(101...200), first: false, more: true))
    #expect(state.tasks["L5"] == nil)
  }

  @Test func aStoppedRefreshOfCachedRowsKeepsThemAndResumesOnReturn() {
    var state = AppState(now: t0)
    _ = reduce(&state, .cachedListsLoaded(Fixtures.lists, savedAt: t0))
    _ = reduce(&state, .cachedTasksLoaded(listID: "L3", Fixtures.workTasks, savedAt: t0))
    #expect(reduce(&state, .listsLoaded(.success(Fixtures.lists))) == [.loadTasks(listID: "L3")])
    _ = reduce(&state, .tasksPage(listID: "L3", page(1...2), first: true, more: true))
    #expect(state.visibleTasks.count == 4, "a refresh replaces cached rows only at its end")
    _ = reduce(&state, .key(.up))
    let away = reduce(&state, .key(.enter))
    #expect(away.first == .stopLoadingTasks(listID: "L3"))
    #expect(state.tasks["L3"]?.value == Fixtures.workTasks)
    _ = reduce(&state, .key(.left))
    _ = reduce(&state, .key(.down))
    let back = reduce(&state, .key(.enter))
    #expect(back.prefix(2) == [.stopLoadingTasks(listID: "L2"), .loadTasks(listID: "L3")])
    _ = reduce(&state, .tasksPage(listID: "L3", page(1...2), first: true, more: false))
    #expect(state.visibleTasks.map(\.id) == ["T1", "T2"])
    #expect(state.cached.tasks["L3"] == nil)
  }

  @Test func aNewTaskDuringTheLoadStaysPendingAtTheTopAsPagesAppend() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...100), first: true, more: true))
    _ = reduce(&state, .key(.char("n")))
    for character in "Fresh" { _ = reduce(&state, .key(.char(character))) }
    _ = reduce(&state, .key(.enter))
    _ = reduce(&state, .tasksPage(listID: "L5", page(101...200), first: false, more: false))
    #expect(state.visibleTasks.first?.title == "Fresh")
    #expect(state.isPending(state.visibleTasks[0]))
    #expect(state.selectedTask?.title == "Fresh")
    #expect(state.completedCount == 200 / 7)
  }

  @Test func aFailureAfterSomePagesKeepsThemAndSaysSo() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...100), first: true, more: true))
    _ = reduce(&state, .tasksLoaded(listID: "L5", .failure(AppError("HTTP 503"))))
    #expect(state.visibleTasks.count == 100)
    #expect(state.status?.text.contains("Stopped after 100 tasks: HTTP 503") == true)
    #expect(state.taskLoads["L5"] == nil)
  }

  @Test func reloadingShownRowsReplacesThemOnlyWithTheLastPage() {
    var state = choosingBigList()
    _ = reduce(&state, .tasksPage(listID: "L5", page(1...3), first: true, more: false))
    _ = reduce(&state, .key(.down))
    #expect(reduce(&state, .key(.ctrl("r"))) == [.loadTasks(listID: "L5")])
    _ = reduce(&state, .tasksPage(listID: "L5", page(2...3), first: true, more: true))
    #expect(state.visibleTasks.map(\.id) == ["T1", "T2", "T3"])
    _ = reduce(&state, .tasksPage(listID: "L5", page(4...5), first: false, more: false))
    #expect(state.visibleTasks.map(\.id) == ["T2", "T3", "T4", "T5"])
  }

  @Test func countsAreGroupedByThousands() {
    #expect(Format.count(0) == "0")
    #expect(Format.count(999) == "999")
    #expect(Format.count(1200) == "1,200")
    #expect(Format.count(10_000) == "10,000")
    #expect(Format.count(1_234_567) == "1,234,567")
  }
}
