import AppCore
import AppRuntime
import Dispatch
import Foundation
import GraphModels
import Logging
import ReadCache
import Synchronization

/// The interface's offline read cache: the panes start from it, and Graph's answers are stored
/// in it on a serial queue (never on the main thread that draws).
final class TUIReadCache: RuntimeReadCache {
  private let cache: ReadCache
  private let queue = DispatchQueue(label: "tack.read-cache")
  private let logger: Logger
  /// Pages of task loads under way, by list id: a list is stored once its last page arrived.
  private let pages = Mutex<[String: [TodoTask]]>([:])

  init(cache: ReadCache, logger: Logger) {
    self.cache = cache
    self.logger = logger
  }

  /// The cache of `context`'s account, or nil (logged) when it cannot be opened.
  static func open(_ context: ClientContext) -> TUIReadCache? {
    let logger = Composition.makeLogger(context, label: "tack.cache")
    return OfflineCache.writable(context, logger: logger).map {
      TUIReadCache(cache: $0, logger: logger)
    }
  }

  func startup() -> [Action] {
    guard let lists = cache.lists() else { return [] }
    var actions = [Action.cachedListsLoaded(lists.value, savedAt: lists.savedAt)]
    if let listID = cache.lastTasksListID(), let tasks = cache.tasks(listID: listID) {
      actions.append(.cachedTasksLoaded(listID: listID, tasks.value, savedAt: tasks.savedAt))
    }
    return actions
  }

  /// The list the user opened is the one the next start shows from the cache (lists loaded in
  /// the background, for the search, are not).
  func opened(listID: String) {
    let (cache, logger) = (cache, logger)
    queue.async {
      do {
        try cache.markLastSeen(listID: listID)
      } catch {
        logger.notice("read cache not updated", metadata: ["error": "\(error)"])
      }
    }
  }

  /// Waits for the stores already queued (before the program exits).
  func flush() {
    queue.sync {}
  }

  func record(_ action: Action) {
    let store: (@Sendable (ReadCache, Date) throws -> Void)?
    switch action {
    case .listsLoaded(.success(let lists)):
      store = { try $0.storeLists(lists, at: $1) }
    case .tasksLoaded(let listID, .success(let tasks)):
      store = { try $0.storeTasks(listID: listID, tasks, at: $1, markLastSeen: false) }
    case .tasksPage(let listID, let page, let first, let more):
      let tasks = pages.withLock { pages in
        var tasks = first ? [] : (pages.removeValue(forKey: listID) ?? [])
        tasks.append(contentsOf: page)
        if more { pages[listID] = tasks }
        return tasks
      }
      if more {
        store = nil
      } else {
        store = { try $0.storeTasks(listID: listID, tasks, at: $1, markLastSeen: false) }
      }
    case .attachmentsLoaded(let listID, let taskID, .success(let items)):
      store = { try $0.storeAttachments(listID: listID, taskID: taskID, items, at: $1) }
    default:
      store = nil
    }
    guard let store else { return }
    let (cache, logger) = (cache, logger)
    let date = Date()
    queue.async {
      do {
        try store(cache, date)
      } catch {
        logger.notice("read cache not updated", metadata: ["error": "\(error)"])
      }
    }
  }
}

extension TUIReadCache: DeltaLinkStore {
  func listsWithDeltaLink() -> (lists: [TodoTaskList], link: String)? {
    queue.sync {
      guard let link = cache.listsDeltaLink(), let lists = cache.lists() else { return nil }
      return (lists.value, link)
    }
  }

  func storeLists(_ lists: [TodoTaskList], deltaLink: String) {
    queue.sync {
      do {
        try cache.storeLists(lists, at: Date(), deltaLink: deltaLink)
      } catch {
        logger.notice("read cache not updated", metadata: ["error": "\(error)"])
      }
    }
  }

  func tasksWithDeltaLink(listID: String) -> (tasks: [TodoTask], link: String)? {
    queue.sync {
      guard let link = cache.tasksDeltaLink(listID: listID),
        let tasks = cache.tasks(listID: listID)
      else { return nil }
      return (tasks.value, link)
    }
  }

  func storeTasks(listID: String, _ tasks: [TodoTask], deltaLink: String) {
    queue.sync {
      do {
        try cache.storeTasks(
          listID: listID, tasks, at: Date(), deltaLink: deltaLink, markLastSeen: false)
      } catch {
        logger.notice("read cache not updated", metadata: ["error": "\(error)"])
      }
    }
  }
}
