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
    let deltas = services.taskDeltas
    let task = Task.detached {
      if let deltas, let stored = deltas.tasksWithDeltaLink(listID: listID) {
        await Self.refreshByDelta(listID, stored, session, deltas, bus)
      } else {
        await Self.pageTasks(listID, session, bus, deltas: deltas)
      }
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
  /// which nothing more is posted). With a delta store the pages come from the list's first
  /// delta round, and the tasks are stored with its link for the next load; a list whose delta
  /// the service refuses (a 4xx on the first request) is loaded plainly.
  private static func pageTasks(
    _ listID: String, _ session: GraphSession, _ bus: EventBus, deltas: (any TaskDeltaStore)?
  ) async {
    let pages =
      deltas == nil ? session.tasks(listID: listID) : session.tasksDeltaPages(listID: listID)
    var iterator = pages.makeAsyncIterator()
    var first = true
    var round = DeltaRoundCopy()
    do {
      while var page = try await iterator.next() {
        if Task.isCancelled { return }
        let more = iterator.hasMore
        if deltas != nil { page = round.add(page) }
        bus.post(.tasksPage(listID: listID, page, first: first, more: more))
        first = false
        if !more { break }
      }
      if Task.isCancelled { return }
      // A collection that ended without a page (never the case for Graph) still ends the load.
      if first { bus.post(.tasksPage(listID: listID, [], first: true, more: false)) }
      iterator.announceSkipped()
      if let deltas, let link = iterator.deltaLink, session.isGraphURL(link) {
        deltas.storeTasks(listID: listID, round.tasks, deltaLink: link)
      }
    } catch {
      if Task.isCancelled { return }
      if deltas != nil, first, Self.deltaRefused(error) {
        await pageTasks(listID, session, bus, deltas: nil)
        return
      }
      let failure = await result { () -> [TodoTask] in throw error }
      bus.post(.tasksLoaded(listID: listID, failure))
    }
  }

  /// A refresh from the stored delta link: one round (a full one when the service no longer
  /// knows the link), applied to the stored tasks and posted whole.
  private static func refreshByDelta(
    _ listID: String, _ stored: (tasks: [TodoTask], link: String), _ session: GraphSession,
    _ deltas: any TaskDeltaStore, _ bus: EventBus
  ) async {
    do {
      let page = try await session.tasksDelta(listID: listID, link: stored.link)
      if Task.isCancelled { return }
      let tasks = DeltaApplier.apply(page, to: stored.tasks)
      deltas.storeTasks(listID: listID, tasks, deltaLink: page.deltaLink)
      bus.post(.tasksPage(listID: listID, tasks, first: true, more: false))
    } catch {
      if Task.isCancelled { return }
      let failure = await result { () -> [TodoTask] in throw error }
      bus.post(.tasksLoaded(listID: listID, failure))
    }
  }

  /// The service does not serve a delta of this list (well-known lists may not): load it plainly.
  private static func deltaRefused(_ error: any Error) -> Bool {
    guard case GraphError.service(let status, _, _, _) = error else { return false }
    return [400, 404, 405, 410, 501].contains(status)
  }
}

/// The tasks of a first delta round as its pages arrive. A round may report an item again on a
/// later page: the copy keeps its latest version in its first place, and the page posted leaves
/// it out (its row is already on screen).
struct DeltaRoundCopy {
  private(set) var tasks: [TodoTask] = []
  private var position: [String: Int] = [:]

  /// Adds `page`; returns the tasks of it not seen before in this round.
  mutating func add(_ page: [TodoTask]) -> [TodoTask] {
    var fresh: [TodoTask] = []
    for task in page {
      if let index = position[task.id] {
        tasks[index] = task
      } else {
        position[task.id] = tasks.count
        tasks.append(task)
        fresh.append(task)
      }
    }
    return fresh
  }
}
