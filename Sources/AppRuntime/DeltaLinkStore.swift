import GraphModels

/// Keeps the lists, and each list's tasks, together with the delta link of the round that
/// brought them (the offline read cache does, per account). A stored copy as new as its link or
/// newer is a sound base: a delta round reports each item changed since the link as it is now.
public protocol DeltaLinkStore: Sendable {
  /// The stored lists and their delta link; nil when either is missing.
  func listsWithDeltaLink() -> (lists: [TodoTaskList], link: String)?
  /// Stores `lists` and `deltaLink` together (one transaction).
  func storeLists(_ lists: [TodoTaskList], deltaLink: String)
  /// The stored tasks of `listID` and their delta link; nil when either is missing.
  func tasksWithDeltaLink(listID: String) -> (tasks: [TodoTask], link: String)?
  /// Stores `tasks` and `deltaLink` together (one transaction).
  func storeTasks(listID: String, _ tasks: [TodoTask], deltaLink: String)
}
