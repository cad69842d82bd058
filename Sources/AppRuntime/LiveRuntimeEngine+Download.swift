import AppCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Saving a downloaded attachment: a temporary file in the destination directory, written and
/// `fsync`ed, then linked under a free name (never replacing anything, never through a symlink).
extension LiveRuntimeEngine {
  /// Writes `bytes` as `name` (or its first free alternative) in `directory`; returns the path.
  static func save(_ bytes: Data, in directory: String, name: String) throws -> String {
    let temporary = try writeTemporary(bytes, in: directory)
    defer { unlink(temporary) }
    var attempt = 0
    while let (path, taken) = freePath(in: directory, name: name, from: attempt) {
      // link(2) fails with EEXIST instead of replacing whatever appeared since the check, and
      // does not follow a symlink at the new name.
      if link(temporary, path) == 0 { return syncDirectory(directory, path) }
      if errno == EEXIST {
        attempt = taken + 1
        continue
      }
      // File systems without hard links: rename, after the free-name check just made.
      if rename(temporary, path) == 0 { return syncDirectory(directory, path) }
      throw AppError("cannot save \(path): \(String(cString: strerror(errno)))")
    }
    throw AppError("cannot save \(name) in \(directory): every alternative name is taken")
  }

  /// The first `directory/name` alternative from `attempt` on that nothing occupies, judged with
  /// `lstat` so a dangling symlink counts as taken, with its attempt number; nil after 1,000.
  static func freePath(in directory: String, name: String, from attempt: Int = 0) -> (
    path: String, attempt: Int
  )? {
    for candidate in attempt..<max(attempt, 1000) {
      let path = PathText.join(directory, DownloadPlacement.fileName(for: name, attempt: candidate))
      var info = stat()
      if lstat(path, &info) != 0, errno == ENOENT { return (path, candidate) }
    }
    return nil
  }

  /// A new `.tack-download-….part` in `directory` holding `bytes`, flushed to disk. Created with
  /// `O_EXCL|O_NOFOLLOW`, so a symlink or file planted at that name is never written through.
  private static func writeTemporary(_ bytes: Data, in directory: String) throws -> String {
    let path = PathText.join(directory, ".tack-download-\(UUID().uuidString.prefix(13)).part")
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
    guard descriptor >= 0 else {
      throw AppError("cannot save in \(directory): \(String(cString: strerror(errno)))")
    }
    var failure: Int32 = 0
    bytes.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return }
      var offset = 0
      while offset < raw.count, failure == 0 {
        let written = write(descriptor, base + offset, raw.count - offset)
        if written > 0 {
          offset += written
        } else if errno != EINTR {
          failure = errno
        }
      }
    }
    if failure == 0, fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0, failure == 0 { failure = errno }
    guard failure == 0 else {
      unlink(path)
      throw AppError("cannot save in \(directory): \(String(cString: strerror(failure)))")
    }
    return path
  }

  /// Flushes `directory`'s entry for the new name (best effort) and returns `path`.
  private static func syncDirectory(_ directory: String, _ path: String) -> String {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if descriptor >= 0 {
      fsync(descriptor)
      close(descriptor)
    }
    return path
  }
}
