import AppCore

/// The offline read cache as the loop sees it: what to show before Graph answers, and where
/// Graph's answers are kept for the next start. The program's cache reads at start (a few ms of
/// SQLite, before the first frame) and stores off the main thread; tests pass none.
public protocol RuntimeReadCache: Sendable {
  /// Actions that put the cached panes on screen (`cachedListsLoaded`, `cachedTasksLoaded`).
  func startup() -> [Action]
  /// Sees every action the loop reduces; keeps Graph's results (lists, tasks, attachments).
  func record(_ action: Action)
  /// The user opened `listID`: the next start shows its tasks from the cache.
  func opened(listID: String)
}

extension RuntimeReadCache {
  public func opened(listID: String) {}
}
