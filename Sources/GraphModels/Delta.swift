import Foundation

/// One item of a delta answer: an entity added or changed (in full), or the id of one removed.
public enum DeltaEntry<Item: Sendable>: Sendable {
  case changed(Item)
  case removed(id: String)
}

extension DeltaEntry where Item: Decodable {
  /// Reads one raw item of a delta page: `{"id", "@removed": {…}}` is a removal, anything else
  /// must decode as `Item`. nil when it is neither (the caller counts it as skipped).
  public static func read(_ raw: JSONValue) -> DeltaEntry? {
    if raw[caseInsensitive: "@removed"] != nil {
      guard let id = raw[caseInsensitive: "id"]?.stringValue, !id.isEmpty else { return nil }
      return .removed(id: id)
    }
    return (try? raw.decode(as: Item.self)).map(DeltaEntry.changed)
  }
}

extension DeltaEntry: Decodable where Item: Decodable {
  /// One raw item of a delta page as `read` takes it; neither an item nor a removal fails, so a
  /// page decoded item by item skips (and counts) it.
  public init(from decoder: any Decoder) throws {
    guard let entry = DeltaEntry.read(try JSONValue(from: decoder)) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "neither an item nor a removal"))
    }
    self = entry
  }
}

/// The outcome of one whole delta round (every page up to `@odata.deltaLink`), folded by id:
/// an entity that appears several times counts once, as it was last reported.
///
/// Store `deltaLink` and pass it to the next round. When `isFullLoad` is true, `changed` is the
/// whole collection (the first round, or a full load after the stored link was refused) and
/// replaces what was stored; otherwise merge it with `DeltaApplier`.
public struct DeltaPage<Item: Identifiable & Sendable>: Sendable where Item.ID == String {
  /// Entities added or changed, in the order first seen, each as last reported.
  public var changed: [Item]
  /// Ids of entities removed (and not re-added later in the round).
  public var removed: [String]
  /// The link that starts the next round.
  public var deltaLink: String
  /// `changed` is the whole collection: replace, do not merge.
  public var isFullLoad: Bool
  /// Why the stored link was not used and a full load was done instead (nil otherwise).
  public var fullLoadReason: String?
  /// Items that could not be read and were left out.
  public var skipped: Int

  public init(
    changed: [Item], removed: [String], deltaLink: String, isFullLoad: Bool,
    fullLoadReason: String? = nil, skipped: Int = 0
  ) {
    self.changed = changed
    self.removed = removed
    self.deltaLink = deltaLink
    self.isFullLoad = isFullLoad
    self.fullLoadReason = fullLoadReason
    self.skipped = skipped
  }

  /// Folds a round's entries in order: a later report of an id replaces an earlier one.
  public init(
    entries: [DeltaEntry<Item>], deltaLink: String, isFullLoad: Bool,
    fullLoadReason: String? = nil, skipped: Int = 0
  ) {
    var order: [String] = []
    var last: [String: DeltaEntry<Item>] = [:]
    for entry in entries {
      let id: String
      switch entry {
      case .changed(let item): id = item.id
      case .removed(let removedID): id = removedID
      }
      if last.updateValue(entry, forKey: id) == nil { order.append(id) }
    }
    var changed: [Item] = []
    var removed: [String] = []
    for id in order {
      switch last[id] {
      case .changed(let item)?: changed.append(item)
      case .removed?: removed.append(id)
      case nil: break
      }
    }
    self.init(
      changed: changed, removed: removed, deltaLink: deltaLink, isFullLoad: isFullLoad,
      fullLoadReason: fullLoadReason, skipped: skipped)
  }
}

/// Applies a delta round to a stored array of lists or tasks, by id (pure).
public enum DeltaApplier {
  /// `stored` after `page`: a full load replaces it; otherwise removed ids go, changed items
  /// replace theirs in place (so a selection keeps its row) and new ones are appended.
  public static func apply<Item: Identifiable & Sendable>(
    _ page: DeltaPage<Item>, to stored: [Item]
  )
    -> [Item] where Item.ID == String
  {
    if page.isFullLoad { return page.changed }
    let removed = Set(page.removed)
    var result = stored.filter { !removed.contains($0.id) }
    var position: [String: Int] = [:]
    for (index, item) in result.enumerated() where position[item.id] == nil {
      position[item.id] = index
    }
    for item in page.changed {
      if let index = position[item.id] {
        result[index] = item
      } else {
        position[item.id] = result.count
        result.append(item)
      }
    }
    return result
  }
}
