import Foundation
import GRDB
import GraphModels

/// A collection as it was last stored, and when.
public struct CachedSnapshot<Value: Sendable>: Sendable {
  public var value: Value
  public var savedAt: Date

  public init(value: Value, savedAt: Date) {
    self.value = value
    self.savedAt = savedAt
  }
}

/// The kinds of object the cache keeps.
enum CachedKind: String {
  case list
  case task
  case step
  case attachment
}

extension ReadCache {
  // MARK: Lists

  /// Replaces the stored lists with `lists` (Graph objects as received); with `deltaLink`, the
  /// link of the delta round they came from is stored in the same transaction.
  public func storeLists(_ lists: [JSONValue], at date: Date, deltaLink: String? = nil) throws {
    try replace(.list, parent: "", items: lists, at: date) { db in
      guard let deltaLink else { return }
      try db.execute(
        sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('listsDelta', ?)",
        arguments: [deltaLink])
    }
  }

  /// The delta link stored with the lists, if any.
  public func listsDeltaLink() -> String? {
    read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'listsDelta'") }
  }

  /// The stored lists as Graph sent them, or nil when none were stored.
  public func rawLists() -> CachedSnapshot<[JSONValue]>? {
    collection(.list, parent: "")
  }

  /// The stored lists, typed; objects that no longer decode are left out.
  public func lists() -> CachedSnapshot<[TodoTaskList]>? {
    typed(rawLists())
  }

  // MARK: Tasks

  /// Replaces the stored tasks of `listID` (and their search entries) with `tasks`; with
  /// `deltaLink`, the link of the delta round they came from is stored in the same transaction
  /// (without, a link stored before stays: a newer copy is still a sound base for it).
  /// `markLastSeen`: the list becomes the one the interface opens at start.
  public func storeTasks(
    listID: String, _ tasks: [JSONValue], at date: Date, deltaLink: String? = nil,
    markLastSeen: Bool = true
  ) throws {
    try replace(.task, parent: listID, items: tasks, at: date) { db in
      if let deltaLink {
        try db.execute(
          sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
          arguments: [Self.deltaKey(listID), deltaLink])
      }
      try db.execute(sql: "DELETE FROM task_search WHERE list_id = ?", arguments: [listID])
      for task in tasks {
        guard let id = task[caseInsensitive: "id"]?.stringValue else { continue }
        let title = task[caseInsensitive: "title"]?.stringValue ?? ""
        let note = task[caseInsensitive: "body"]?[caseInsensitive: "content"]?.stringValue ?? ""
        try db.execute(
          sql: "INSERT INTO task_search (title, note, list_id, task_id) VALUES (?, ?, ?, ?)",
          arguments: [title, note, listID, id])
      }
      if markLastSeen { try Self.markLastSeen(listID, db) }
    }
  }

  /// Makes `listID` the list the interface opens from the cache at start.
  public func markLastSeen(listID: String) throws {
    try write { db in try Self.markLastSeen(listID, db) }
  }

  private static func markLastSeen(_ listID: String, _ db: Database) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('lastTasksList', ?)",
      arguments: [listID])
  }

  /// The delta link stored with `listID`'s tasks, if any.
  public func tasksDeltaLink(listID: String) -> String? {
    read { db in
      try String.fetchOne(
        db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.deltaKey(listID)])
    }
  }

  private static func deltaKey(_ listID: String) -> String { "tasksDelta:" + listID }

  /// Typed values (from the TUI's loads) stored through their Codable form.
  public func storeLists(_ lists: [TodoTaskList], at date: Date, deltaLink: String? = nil)
    throws
  {
    try storeLists(lists.map(JSONValue.encoding), at: date, deltaLink: deltaLink)
  }

  public func storeTasks(
    listID: String, _ tasks: [TodoTask], at date: Date, deltaLink: String? = nil,
    markLastSeen: Bool = true
  ) throws {
    try storeTasks(
      listID: listID, tasks.map(JSONValue.encoding), at: date, deltaLink: deltaLink,
      markLastSeen: markLastSeen)
  }

  public func rawTasks(listID: String) -> CachedSnapshot<[JSONValue]>? {
    collection(.task, parent: listID)
  }

  public func tasks(listID: String) -> CachedSnapshot<[TodoTask]>? {
    typed(rawTasks(listID: listID))
  }

  /// The list whose tasks were stored last (the TUI opens it from the cache at start).
  public func lastTasksListID() -> String? {
    read { db in
      try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'lastTasksList'")
    }
  }

  // MARK: Steps and attachments

  public func storeSteps(listID: String, taskID: String, _ steps: [JSONValue], at date: Date)
    throws
  {
    try replace(.step, parent: listID + "/" + taskID, items: steps, at: date)
  }

  public func steps(listID: String, taskID: String) -> CachedSnapshot<[ChecklistItem]>? {
    typed(collection(.step, parent: listID + "/" + taskID))
  }

  /// Stores attachment metadata; any `contentBytes` is dropped (the cache never holds files).
  public func storeAttachments(
    listID: String, taskID: String, _ attachments: [TaskFileAttachment], at date: Date
  ) throws {
    let values = try attachments.map { item -> JSONValue in
      var item = item
      item.contentBytes = nil
      return try JSONValue.encoding(item)
    }
    try replace(.attachment, parent: listID + "/" + taskID, items: values, at: date)
  }

  public func attachments(listID: String, taskID: String)
    -> CachedSnapshot<[TaskFileAttachment]>?
  {
    typed(collection(.attachment, parent: listID + "/" + taskID))
  }

  // MARK: Storage

  /// Replaces one collection in a single transaction; `extra` runs inside it.
  private func replace(
    _ kind: CachedKind, parent: String, items: [JSONValue], at date: Date,
    extra: (Database) throws -> Void = { _ in }
  ) throws {
    let encoder = GraphJSON.encoder()
    let rows = try items.enumerated().compactMap { index, item -> (String, Int, Data)? in
      guard let id = item[caseInsensitive: "id"]?.stringValue else { return nil }
      return (id, index, try encoder.encode(Self.withoutFileBytes(item)))
    }
    try write { db in
      try db.execute(
        sql: "DELETE FROM item WHERE kind = ? AND parent = ?", arguments: [kind.rawValue, parent])
      for (id, position, json) in rows {
        try db.execute(
          sql: "INSERT OR REPLACE INTO item (kind, parent, id, position, json) VALUES (?,?,?,?,?)",
          arguments: [kind.rawValue, parent, id, position, json])
      }
      try db.execute(
        sql: "INSERT OR REPLACE INTO snapshot (kind, parent, saved_at) VALUES (?, ?, ?)",
        arguments: [kind.rawValue, parent, date.timeIntervalSince1970])
      try extra(db)
    }
  }

  private func collection(_ kind: CachedKind, parent: String) -> CachedSnapshot<[JSONValue]>? {
    read { db -> CachedSnapshot<[JSONValue]>? in
      guard
        let savedAt = try Double.fetchOne(
          db, sql: "SELECT saved_at FROM snapshot WHERE kind = ? AND parent = ?",
          arguments: [kind.rawValue, parent])
      else { return nil }
      let blobs = try Data.fetchAll(
        db, sql: "SELECT json FROM item WHERE kind = ? AND parent = ? ORDER BY position",
        arguments: [kind.rawValue, parent])
      let decoder = GraphJSON.decoder()
      let values = blobs.compactMap { try? decoder.decode(JSONValue.self, from: $0) }
      return CachedSnapshot(value: values, savedAt: Date(timeIntervalSince1970: savedAt))
    }
  }

  private func typed<T: Decodable & Sendable>(_ raw: CachedSnapshot<[JSONValue]>?)
    -> CachedSnapshot<[T]>?
  {
    guard let raw else { return nil }
    return CachedSnapshot(
      value: raw.value.compactMap { try? $0.decode(as: T.self) }, savedAt: raw.savedAt)
  }

  /// File bytes never enter the cache, whatever object carries them.
  static func withoutFileBytes(_ value: JSONValue) -> JSONValue {
    guard case .object(var members) = value else { return value }
    for key in members.keys where key.lowercased() == "contentbytes" { members[key] = nil }
    return .object(members)
  }
}

extension JSONValue {
  /// `value` as a JSON value (through its Codable form).
  static func encoding<T: Encodable>(_ value: T) throws -> JSONValue {
    try GraphJSON.decoder().decode(JSONValue.self, from: GraphJSON.encoder().encode(value))
  }
}
