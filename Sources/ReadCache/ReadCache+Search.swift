import Foundation
import GRDB

/// One task found by offline search.
public struct CachedSearchHit: Sendable, Hashable {
  public var listID: String
  public var taskID: String
  public var title: String

  public init(listID: String, taskID: String, title: String) {
    self.listID = listID
    self.taskID = taskID
    self.title = title
  }
}

extension ReadCache {
  /// Tasks whose title or note contain every word of `text` (as word prefixes), best match
  /// first, from the FTS5 index; for the global search when Graph is out of reach.
  public func searchTasks(_ text: String, limit: Int = 50) -> [CachedSearchHit] {
    guard let pattern = Self.ftsPattern(text) else { return [] }
    return read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT list_id, task_id, title FROM task_search WHERE task_search MATCH ?
          ORDER BY rank LIMIT ?
          """,
        arguments: [pattern, limit]
      ).map { row in
        CachedSearchHit(listID: row["list_id"], taskID: row["task_id"], title: row["title"])
      }
    } ?? []
  }

  /// Each word quoted (so FTS5 operators in user text are plain text) and prefix-matched.
  static func ftsPattern(_ text: String) -> String? {
    let words = text.split(whereSeparator: { $0.isWhitespace || $0.isPunctuation })
    guard !words.isEmpty else { return nil }
    return words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }
      .joined(separator: " ")
  }
}
