import Foundation
import GraphModels

/// The delta functions' state: rounds begun from a state token (or none), pages served from a
/// round, tokens minted at a round's end, and their expiry.
extension EmulatorStore {
  /// One entry of a delta page, with the entity as it is now.
  enum DeltaItem<Value: Sendable>: Sendable {
    case current(Tagged<Value>)
    case removed(id: String)
  }

  /// Why a delta request gets no page.
  enum DeltaRefusal: Error, Equatable {
    /// The token is unknown, expired, forgotten or another user's: sync again from scratch.
    case syncStateNotFound
    /// The token belongs to another collection, or is not one the emulator wrote.
    case badToken(String)
    /// The list of a task delta does not exist.
    case listNotFound
  }

  /// A page of a round: its entries and where the round goes on.
  struct DeltaPageSlice: Sendable {
    var entries: [DeltaTracking.Entry]
    var select: [String]?
    /// The `$skiptoken` of the next page, or nil on the last page.
    var nextSkipToken: String?
    /// The `$deltatoken` that ends the round (last page only).
    var deltaToken: String?
  }

  /// Begins a round over `scope`: every entity when `deltaToken` is nil, else what changed
  /// since the round that issued it. Returns the round's `$skiptoken` for its first page.
  func beginDeltaRound(
    _ scope: DeltaTracking.Scope, deltaToken: String?, pageSize: Int, select: [String]?, now: Date
  ) -> Result<String, DeltaRefusal> {
    guard let ids = currentIDs(scope) else { return .failure(.listNotFound) }
    var since: Int?
    if let deltaToken {
      guard let state = delta.states[deltaToken], state.userID == userID else {
        return .failure(.syncStateNotFound)
      }
      if let lifetime = options.deltaTokenLifetime,
        now.timeIntervalSince(state.issuedAt) >= lifetime.seconds
      {
        delta.states[deltaToken] = nil
        return .failure(.syncStateNotFound)
      }
      guard state.scope == scope else {
        return .failure(.badToken("The delta token was issued for another collection."))
      }
      since = state.change
    }
    let round = DeltaTracking.Round(
      userID: userID, scope: scope, entries: delta.entries(scope, ids: ids, since: since),
      pageSize: pageSize, select: select, change: delta.counter)
    let id = Self.randomHex(12)
    delta.keep(round, as: id)
    return .success(Self.skipToken(round: id, offset: 0))
  }

  /// The page a `$skiptoken` names; the last page mints (once) the round's `$deltatoken`.
  func deltaPage(_ scope: DeltaTracking.Scope, skipToken: String, now: Date)
    -> Result<DeltaPageSlice, DeltaRefusal>
  {
    guard let parsed = Self.parseSkipToken(skipToken) else {
      return .failure(.badToken("The $skiptoken is not valid."))
    }
    let (id, offset) = parsed
    guard var round = delta.rounds[id], round.userID == userID else {
      return .failure(.syncStateNotFound)
    }
    guard round.scope == scope else {
      return .failure(.badToken("The $skiptoken was issued for another collection."))
    }
    guard exists(scope) else { return .failure(.listNotFound) }
    let end = min(offset + round.pageSize, round.entries.count)
    var slice = DeltaPageSlice(
      entries: Array(round.entries[min(offset, end)..<end]), select: round.select)
    if end < round.entries.count {
      slice.nextSkipToken = Self.skipToken(round: id, offset: end)
    } else {
      let token = round.deltaToken ?? Self.randomHex(24)
      if round.deltaToken == nil {
        round.deltaToken = token
        delta.rounds[id] = round
        delta.states[token] = DeltaTracking.State(
          userID: userID, scope: scope, change: round.change, issuedAt: now)
      }
      slice.deltaToken = token
    }
    return .success(slice)
  }

  /// Lists of a delta page as they are now (a list deleted since the round began is removed).
  func deltaLists(_ entries: [DeltaTracking.Entry]) -> [DeltaItem<TodoTaskList>] {
    entries.map { entry in
      switch entry {
      case .removed(let id): return .removed(id: id)
      case .current(let id):
        guard let index = listIndex[id] else { return .removed(id: id) }
        let record = records[index]
        return .current(Tagged(value: record.list, etag: Self.etag(id, record.version)))
      }
    }
  }

  /// Tasks of a delta page as they are now.
  func deltaTasks(listID: String, _ entries: [DeltaTracking.Entry]) -> [DeltaItem<TodoTask>] {
    entries.map { entry in
      switch entry {
      case .removed(let id): return .removed(id: id)
      case .current(let id):
        guard let task = taggedTask(listID: listID, taskID: id) else { return .removed(id: id) }
        return .current(task)
      }
    }
  }

  /// Forgets every delta and skip token, as the service does when its sync state is lost:
  /// the next request with one answers 410 `syncStateNotFound` (a test hook; the fault
  /// `delta#N=expire` does the same just before a request).
  public func expireDeltaTokens() {
    delta.forgetTokens()
  }

  /// True while the collection exists (without listing it: this runs for every page).
  private func exists(_ scope: DeltaTracking.Scope) -> Bool {
    if case .tasks(let listID) = scope { return listIndex[listID] != nil }
    return true
  }

  /// The ids of the collection now, in store order; nil for a list that does not exist.
  private func currentIDs(_ scope: DeltaTracking.Scope) -> [String]? {
    switch scope {
    case .lists: return records.map(\.list.id)
    case .tasks(let listID): return listIndex[listID].map { records[$0].tasks.map(\.task.id) }
    }
  }

  static func skipToken(round: String, offset: Int) -> String {
    Data("\(round):\(offset)".utf8).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }

  static func parseSkipToken(_ token: String) -> (round: String, offset: Int)? {
    var base64 = token.replacingOccurrences(of: "-", with: "+")
      .replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8)
    else { return nil }
    let parts = text.split(separator: ":")
    guard parts.count == 2, let offset = Int(parts[1]), offset >= 0 else { return nil }
    return (String(parts[0]), offset)
  }
}
