import GRDB

/// The tables of the read cache (schema 1).
///
/// - `item`: one Graph object as received (`json`), by kind (`list`, `task`, `step`,
///   `attachment`), the collection it belongs to (`parent`: "" for lists, the list id for tasks,
///   `listID/taskID` for steps and attachments) and its position in that collection.
/// - `snapshot`: when each collection was last stored whole.
/// - `meta`: small facts such as the last list whose tasks were seen.
/// - `task_search`: an FTS5 index of task titles and notes, for offline search.
enum CacheSchema {
  static func create(_ db: Database) throws {
    try db.execute(
      sql: """
        CREATE TABLE item (
          kind TEXT NOT NULL, parent TEXT NOT NULL, id TEXT NOT NULL,
          position INTEGER NOT NULL, json BLOB NOT NULL,
          PRIMARY KEY (kind, parent, id)
        );
        CREATE TABLE snapshot (
          kind TEXT NOT NULL, parent TEXT NOT NULL, saved_at REAL NOT NULL,
          PRIMARY KEY (kind, parent)
        );
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE VIRTUAL TABLE task_search USING fts5(
          title, note, list_id UNINDEXED, task_id UNINDEXED, tokenize = 'unicode61'
        );
        """)
  }
}
