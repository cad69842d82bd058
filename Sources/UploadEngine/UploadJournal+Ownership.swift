import Foundation
import GraphClient
import GraphModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Who drives a journaled upload: one process at a time, by an exclusive lock on `<id>.lock`
/// beside the entry (DESIGN.md §6.1; DECISIONS.md 2026-12-02).
extension UploadJournal {
  /// How old a temporary entry file must be before a reader may remove it (if unlocked).
  public static let staleTemporaryAge: TimeInterval = 600

  /// The outcome of trying to own an upload.
  public enum Claim: Sendable {
    case owned(FileLock)
    /// Another process drives it; its pid (0 when it has not written it yet).
    case heldBy(pid: Int32)
  }

  func lockPath(for id: UploadID) -> String { directory + "/" + id + ".lock" }

  /// Takes the lock of `id` for this process, or says who holds it.
  public func claim(_ id: UploadID) throws(JournalError) -> Claim {
    try ensureDirectory()
    let path = lockPath(for: id)
    do {
      if let lock = try FileLock.acquire(path) { return .owned(lock) }
    } catch {
      throw JournalError(description: "\(error)")
    }
    return .heldBy(pid: FileLock.holder(of: path) ?? 0)
  }

  /// The pid of the process driving `id` now, or nil when none does.
  public func driver(of id: UploadID) -> Int32? {
    FileLock.holder(of: lockPath(for: id))
  }

  /// Removes a temporary entry file left by a writer that died mid-write: only when it is older
  /// than `staleTemporaryAge` and no writer holds its lock.
  func removeIfStale(temporary path: String, now: Date = Date()) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    #if canImport(Darwin)
      let seconds = info.st_mtimespec.tv_sec
    #else
      let seconds = info.st_mtim.tv_sec
    #endif
    let modified = Date(timeIntervalSince1970: TimeInterval(seconds))
    guard now.timeIntervalSince(modified) > Self.staleTemporaryAge else { return }
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard fd >= 0 else { return }
    defer { close(fd) }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }
    unlink(path)
  }
}
