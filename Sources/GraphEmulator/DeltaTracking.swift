import Foundation

/// What the delta functions need to remember: when each list and task last changed, which were
/// deleted, and the state tokens handed out. Kept by `EmulatorStore`; every write records one
/// change (`EmulatorStore+Writes`), and `EmulatorStore+Delta` answers from it.
///
/// Changes are numbered by one counter; a state token remembers the number its round started
/// at, so the next round reports what changed after it. Seeded entities count as change 0.
struct DeltaTracking {
  /// Which collection a token belongs to.
  enum Scope: Hashable, Sendable {
    case lists
    case tasks(listID: String)
  }

  /// One entry of a round: an entity to report as it is when its page is served, or one that
  /// was deleted.
  enum Entry: Hashable, Sendable {
    case current(String)
    case removed(String)
  }

  /// What a `$deltatoken` stands for.
  struct State {
    var userID: String
    var scope: Scope
    /// The last change the round that issued the token reported.
    var change: Int
    var issuedAt: Date
  }

  /// A round being paged (`$skiptoken`): its entries were fixed when it began, so pages stay
  /// consistent while the data changes; what changed meanwhile comes again in the next round.
  struct Round {
    var userID: String
    var scope: Scope
    var entries: [Entry]
    var pageSize: Int
    var select: [String]?
    /// The change counter when the round began; the token it ends with starts there.
    var change: Int
    /// The `$deltatoken` minted when the last page was first served (a repeated last page gets
    /// the same one).
    var deltaToken: String?
  }

  /// Rounds kept for paging; the oldest is dropped beyond this (its next link then answers 410).
  static let maxRounds = 64

  private(set) var counter = 0
  private var listChanges: [String: Int] = [:]
  private var taskChanges: [String: [String: Int]] = [:]
  private var listRemovals: [(id: String, change: Int)] = []
  private var taskRemovals: [String: [(id: String, change: Int)]] = [:]
  var states: [String: State] = [:]
  var rounds: [String: Round] = [:]
  var roundOrder: [String] = []

  // MARK: Recording changes

  mutating func listChanged(_ listID: String) {
    counter += 1
    listChanges[listID] = counter
  }

  mutating func listRemoved(_ listID: String) {
    counter += 1
    listChanges[listID] = nil
    taskChanges[listID] = nil
    taskRemovals[listID] = nil
    listRemovals.append((listID, counter))
  }

  mutating func taskChanged(listID: String, taskID: String) {
    counter += 1
    taskChanges[listID, default: [:]][taskID] = counter
  }

  mutating func taskRemoved(listID: String, taskID: String) {
    counter += 1
    taskChanges[listID]?[taskID] = nil
    taskRemovals[listID, default: []].append((taskID, counter))
  }

  // MARK: Reading changes

  /// The entries of a round over `ids` (the collection now, in store order): every id when
  /// `since` is nil (the first round), else those changed after `since` and those removed
  /// after it.
  func entries(_ scope: Scope, ids: [String], since: Int?) -> [Entry] {
    guard let since else { return ids.map(Entry.current) }
    let changed: [String: Int]
    let removed: [(id: String, change: Int)]
    switch scope {
    case .lists:
      (changed, removed) = (listChanges, listRemovals)
    case .tasks(let listID):
      (changed, removed) = (taskChanges[listID] ?? [:], taskRemovals[listID] ?? [])
    }
    let current = ids.filter { (changed[$0] ?? 0) > since }.map(Entry.current)
    return current + removed.filter { $0.change > since }.map { Entry.removed($0.id) }
  }

  // MARK: Rounds

  /// Keeps `round` under `id`, dropping the oldest round past `maxRounds`.
  mutating func keep(_ round: Round, as id: String) {
    rounds[id] = round
    roundOrder.append(id)
    while roundOrder.count > Self.maxRounds {
      rounds[roundOrder.removeFirst()] = nil
    }
  }

  /// Forgets every token and round (the service lost its sync state).
  mutating func forgetTokens() {
    states.removeAll()
    rounds.removeAll()
    roundOrder.removeAll()
  }
}
