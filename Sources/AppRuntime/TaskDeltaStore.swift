import GraphModels

/// Keeps a list's tasks together with the delta link of the round that brought them (the
/// offline read cache does, per account). A stored copy as new as its link or newer is a sound
/// base: a delta round reports each item changed since the link as it is now.
public protocol TaskDeltaStore: Sendable {
  /// The stored tasks of `listID` and their delta link; nil when either is missing.
  func tasksWithDeltaLink(listID: String) -> (tasks: [TodoTask], link: String)?
  /// Stores `tasks` and `deltaLink` together (one transaction).
  func storeTasks(listID: String, _ tasks: [TodoTask], deltaLink: String)
}
