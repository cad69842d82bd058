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
    let deltas = services.deltaLinks
    let task = Task.detached {
      if let deltas, let stored = deltas.tasksWithDeltaLink(listID: listID) {
        await Self.refreshByDelta(listID, stored, session, deltas, bus)
      } else {
        if let deltas {
          await Self.pageTasksByDelta(listID, session, bus, deltas)
        } else {
          await Self.pageTasks(listID, session, bus)
        }
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
  /// which nothing more is posted).
  private static func pageTasks(_ listID: String, _ session: GraphSession, _ bus: EventBus) async {
    do {
      _ = try await postPages(listID, session.tasks(listID: listID), bus) { page, _ in (page, false)
      }
    } catch {
      await postFailure(listID, error, bus)
    }
  }

  /// As `pageTasks`, through the list's first delta round; its tasks are stored with the
  /// round's link for the next load. A round that reports a task again or removes one already
  /// shown ends with its own copy as one replacing page; a list whose delta the service refuses
  /// (a 4xx on the first request) is loaded plainly.
  private static func pageTasksByDelta(
    _ listID: String, _ session: GraphSession, _ bus: EventBus, _ deltas: any DeltaLinkStore
  ) async {
    var round = DeltaRoundCopy()
    var posted = false
    do {
      let pages = session.tasksDeltaPages(listID: listID)
      let end = try await postPages(listID, pages, bus) { entries, last in
        posted = true
        let page = round.add(entries)
        return last && round.rewritten ? (round.tasks, true) : (page, false)
      }
      if let link = end?.deltaLink, session.isGraphURL(link) {
        deltas.storeTasks(listID: listID, round.tasks, deltaLink: link)
      }
    } catch {
      if !posted, !Task.isCancelled, Self.deltaRefused(error) {
        await pageTasks(listID, session, bus)
        return
      }
      await postFailure(listID, error, bus)
    }
  }

  /// Posts `pages` as `tasksPage` actions as they arrive, each turned into rows by `rows`
  /// (given the page and whether it is the last; `replace`: the rows replace all shown so far).
  /// Returns the iterator after the last page, or nil once the load was cancelled (nothing more
  /// is posted then).
  private static func postPages<Item>(
    _ listID: String, _ pages: GraphPages<Item>, _ bus: EventBus,
    rows: (_ page: [Item], _ last: Bool) -> (tasks: [TodoTask], replace: Bool)
  ) async throws -> GraphPages<Item>.AsyncIterator? {
    var iterator = pages.makeAsyncIterator()
    var first = true
    while let page = try await iterator.next() {
      if Task.isCancelled { return nil }
      let more = iterator.hasMore
      let (tasks, replace) = rows(page, !more)
      bus.post(.tasksPage(listID: listID, tasks, first: first || replace, more: more))
      first = false
      if !more { break }
    }
    if Task.isCancelled { return nil }
    // A collection that ended without a page (never the case for Graph) still ends the load.
    if first { bus.post(.tasksPage(listID: listID, [], first: true, more: false)) }
    iterator.announceSkipped()
    return iterator
  }

  /// A load's failure as its answer, unless the load was cancelled (nothing is posted then).
  private static func postFailure(_ listID: String, _ error: any Error, _ bus: EventBus) async {
    if Task.isCancelled { return }
    let failure = await result { () -> [TodoTask] in throw error }
    bus.post(.tasksLoaded(listID: listID, failure))
  }

  /// The lists through a delta round: from the stored link (applied to the stored lists), or a
  /// first round that leaves one; a service that refuses the lists delta gets a plain load.
  static func listsByDelta(_ session: GraphSession, _ deltas: any DeltaLinkStore) async throws
    -> [TodoTaskList]
  {
    let stored = deltas.listsWithDeltaLink()
    let page: DeltaPage<TodoTaskList>
    do {
      page = try await session.listsDelta(link: stored?.link)
    } catch  where stored == nil && deltaRefused(error) {
      return try await session.lists().all()
    }
    let lists = DeltaApplier.apply(page, to: stored?.lists ?? [])
    deltas.storeLists(lists, deltaLink: page.deltaLink)
    return lists
  }

  /// A refresh from the stored delta link: one round (a full one when the service no longer
  /// knows the link), applied to the stored tasks and posted whole.
  private static func refreshByDelta(
    _ listID: String, _ stored: (tasks: [TodoTask], link: String), _ session: GraphSession,
    _ deltas: any DeltaLinkStore, _ bus: EventBus
  ) async {
    do {
      let page = try await session.tasksDelta(listID: listID, link: stored.link)
      if Task.isCancelled { return }
      let tasks = DeltaApplier.apply(page, to: stored.tasks)
      deltas.storeTasks(listID: listID, tasks, deltaLink: page.deltaLink)
      bus.post(.tasksPage(listID: listID, tasks, first: true, more: false))
    } catch {
      await postFailure(listID, error, bus)
    }
  }

  /// The service does not serve a delta of this list (well-known lists may not): load it plainly.
  static func deltaRefused(_ error: any Error) -> Bool {
    guard case GraphError.service(let status, _, _, _) = error else { return false }
    return [400, 404, 405, 410, 501].contains(status)
  }
}

/// The tasks of a first delta round as its pages arrive. A round may report an item again on a
/// later page, or its removal: the copy keeps each item's latest state in its first place, and
/// says when a row already posted changed that way (`rewritten`).
struct DeltaRoundCopy {
  private(set) var tasks: [TodoTask] = []
  private(set) var rewritten = false
  private var position: [String: Int] = [:]

  /// Adds a page; returns its tasks not seen before in this round (the rows to append).
  mutating func add(_ entries: [DeltaEntry<TodoTask>]) -> [TodoTask] {
    var fresh: [TodoTask] = []
    for entry in entries {
      switch entry {
      case .changed(let task):
        if let index = position[task.id] {
          tasks[index] = task
          rewritten = true
        } else {
          position[task.id] = tasks.count
          tasks.append(task)
          fresh.append(task)
        }
      case .removed(let id):
        guard position[id] != nil else { continue }
        tasks.removeAll { $0.id == id }
        fresh.removeAll { $0.id == id }
        position = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.id, $0) })
        rewritten = true
      }
    }
    return fresh
  }
}
