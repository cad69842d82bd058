import Foundation
import GRDB
import GraphModels

#if canImport(Glibc)
  import Glibc
#endif

/// The offline read cache of one account: lists, tasks, steps and attachment metadata as Graph
/// sent them (never file bytes, never tokens), in one SQLite file written in transactions.
///
/// A file that SQLite cannot read, that fails `PRAGMA quick_check`, or whose schema is not ours
/// is moved aside (`<file>.corrupt`) and a new one is made: a damaged cache costs a reload,
/// never a failure. The directory is 0700 and the file 0600 (created so before SQLite opens it;
/// SQLite gives its rollback journal the database file's mode).
public final class ReadCache: Sendable {
  /// The database file.
  public let path: String
  let queue: DatabaseQueue
  /// Set when the file found at open was damaged and moved aside.
  public let recoveredFrom: String?

  static let schemaVersion = 1

  private init(path: String, queue: DatabaseQueue, recoveredFrom: String?) {
    self.path = path
    self.queue = queue
    self.recoveredFrom = recoveredFrom
  }

  /// Opens (creating when missing) the cache of `account` in `directory`. A damaged file is
  /// moved aside and replaced; only an unusable directory throws.
  public static func open(directory: String, account: String) throws -> ReadCache {
    try ensureDirectory(directory)
    let path = directory + "/" + CacheLocation.fileName(account: account)
    if let cache = try? openChecked(path: path, create: true) {
      return cache
    }
    let aside = quarantine(path)
    let cache = try openChecked(path: path, create: true)
    return ReadCache(path: cache.path, queue: cache.queue, recoveredFrom: aside)
  }

  /// The existing cache of `account`, or nil when there is none; a damaged file is moved aside
  /// and counts as none. Never creates a file.
  public static func openExisting(directory: String, account: String) -> ReadCache? {
    let path = directory + "/" + CacheLocation.fileName(account: account)
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    if let cache = try? openChecked(path: path, create: false) { return cache }
    _ = quarantine(path)
    return nil
  }

  /// Opens `path`, checks it and makes the schema; throws when the file is damaged.
  private static func openChecked(path: String, create: Bool) throws -> ReadCache {
    if create { try createPrivateFile(path) }
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    configuration.label = "tack.read-cache"
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.writeWithoutTransaction { db in
      let check = try String.fetchOne(db, sql: "PRAGMA quick_check(1)")
      guard check == "ok" else { throw DatabaseError(resultCode: .SQLITE_CORRUPT) }
      let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
      if version == 0 {
        try db.inTransaction {
          try CacheSchema.create(db)
          try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
          return .commit
        }
      } else if version != schemaVersion {
        // Another version's layout: treat as damaged rather than guess.
        throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "schema \(version)")
      }
    }
    chmod(path, 0o600)
    return ReadCache(path: path, queue: queue, recoveredFrom: nil)
  }

  /// Creates `directory` 0700 when missing and tightens an existing one we own to 0700.
  static func ensureDirectory(_ directory: String) throws {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    chmod(directory, 0o700)
  }

  /// Creates an empty 0600 file when none exists, so SQLite never makes one with the umask.
  private static func createPrivateFile(_ path: String) throws {
    let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw CacheError.unusable("cannot create \(path): \(String(cString: strerror(errno)))")
    }
    close(descriptor)
  }

  /// Moves a damaged file (and its journal) aside as `<path>.corrupt`, replacing an older one;
  /// returns where it went. Deletes it when it cannot be moved.
  static func quarantine(_ path: String) -> String {
    let aside = path + ".corrupt"
    unlink(aside)
    if rename(path, aside) != 0 { unlink(path) }
    unlink(path + "-journal")
    unlink(path + "-wal")
    unlink(path + "-shm")
    return aside
  }

  /// Runs a read; a damaged file met now is moved aside and the read answers nil.
  func read<T>(_ body: (Database) throws -> T?) -> T? {
    do {
      return try queue.read(body)
    } catch let error as DatabaseError where Self.isDamage(error) {
      _ = Self.quarantine(path)
      return nil
    } catch {
      return nil
    }
  }

  /// Runs `body` in one transaction: all of it is stored or none.
  func write(_ body: (Database) throws -> Void) throws {
    do {
      try queue.write(body)
    } catch let error as DatabaseError where Self.isDamage(error) {
      _ = Self.quarantine(path)
      throw CacheError.damaged(path)
    }
  }

  static func isDamage(_ error: DatabaseError) -> Bool {
    error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
  }
}

/// Why the cache could not be used.
public enum CacheError: Error, CustomStringConvertible, Sendable {
  case unusable(String)
  case damaged(String)

  public var description: String {
    switch self {
    case .unusable(let reason): return reason
    case .damaged(let path): return "the cache \(path) was damaged; it was moved aside"
    }
  }
}
