import AppCore
import Foundation
import GraphClient
import GraphModels

// A list's tasks page by page: each page is posted as it arrives (the pane shows the first one
// at once), and a load the user left is cancelled, so its remaining pages are never fetched.
extension LiveRuntimeEngine {
  /// Loads `listID`'s tasks as `tasksPage` actions; a load of the same list already under way
  /// is cancelled first.
  func loadTasks(_ listID: String, _ bus: EventBus) {
    let session = services.session
    let task = Task.detached {
      await Self.pageTasks(listID, session, bus)
    }
    taskLoads.withLock { loads in
      loads[listID]?.cancel()
      loads[listID] = task
    }
  }

  /// Cancels the load of `listID`'s tasks, if one is under way.
  func stopLoadingTasks(_ listID: String) {
    taskLoads.withLock { $0[listID]?.cancel() }
  }

  /// Waits until every task load started so far has ended (finished or cancelled).
  func taskLoadsSettled() async {
    for load in taskLoads.withLock({ Array($0.values) }) { await load.value }
  }

  /// Posts every page of `listID`'s tasks until the last one, a failure, or cancellation (after
  /// which nothing more is posted).
  private static func pageTasks(_ listID: String, _ session: GraphSession, _ bus: EventBus) async {
    var iterator = session.tasks(listID: listID).makeAsyncIterator()
    var first = true
    do {
      while let page = try await iterator.next() {
        if Task.isCancelled { return }
        let more = iterator.hasMore
        bus.post(.tasksPage(listID: listID, page, first: first, more: more))
        first = false
        if !more { break }
      }
      if Task.isCancelled { return }
      // A collection that ended without a page (never the case for Graph) still ends the load.
      if first { bus.post(.tasksPage(listID: listID, [], first: true, more: false)) }
      iterator.announceSkipped()
    } catch {
      if Task.isCancelled { return }
      let failure = await result { () -> [TodoTask] in throw error }
      bus.post(.tasksLoaded(listID: listID, failure))
    }
  }
}
