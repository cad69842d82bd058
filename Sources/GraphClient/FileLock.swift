import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive `flock` on a lock file, shared by processes of the same user: the one rule for
/// "only one process does this at a time" (one owner per journaled upload, one token refresh).
///
/// The holder's pid is written into the file so others can name it. A lock file may be removed
/// by its holder on release; `acquire` re-checks that the file it locked is still the one at
/// the path, so a remover and a newcomer never both believe they hold it.
public final class FileLock: Sendable {
  public let path: String
  private let descriptor: Mutex<Int32>

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = Mutex(descriptor)
  }

  deinit {
    let fd = descriptor.withLock { $0 }
    if fd >= 0 { close(fd) }
  }

  /// The lock, or nil when another open file description holds it (this process included).
  /// Throws when the lock file cannot be created.
  public static func acquire(_ path: String) throws(FileLockError) -> FileLock? {
    // A few quick tries: a reader probing with a shared lock holds it for microseconds.
    for attempt in 0..<40 {
      let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
      guard fd >= 0 else { throw FileLockError(path: path, errno: errno) }
      guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
        let failure = errno
        close(fd)
        if failure != EWOULDBLOCK { throw FileLockError(path: path, errno: failure) }
        if attempt >= 3 { return nil }
        usleep(2_000)
        continue
      }
      var opened = stat()
      var current = stat()
      guard fstat(fd, &opened) == 0, stat(path, &current) == 0,
        opened.st_ino == current.st_ino, opened.st_dev == current.st_dev
      else {
        // Its holder removed it between our open and our lock: lock the new one instead.
        close(fd)
        continue
      }
      let lock = FileLock(path: path, descriptor: fd)
      lock.recordHolder()
      return lock
    }
    return nil
  }

  /// Waits (polling, cancellable) up to `timeout` for the lock; nil when it stayed held.
  public static func acquire(_ path: String, waitingUpTo timeout: Duration) async throws
    -> FileLock?
  {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while true {
      if let lock = try acquire(path) { return lock }
      guard clock.now < deadline else { return nil }
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  /// The pid written by the process holding the lock at `path`, or nil when nobody holds it.
  /// A holder that has not written its pid yet reads as 0.
  public static func holder(of path: String) -> Int32? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    if flock(fd, LOCK_SH | LOCK_NB) == 0 {
      flock(fd, LOCK_UN)
      return nil
    }
    var buffer = [UInt8](repeating: 0, count: 32)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return 0 }
    let text = String(decoding: buffer[0..<count], as: UTF8.self)
    return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
  }

  /// Releases the lock; with `removing`, deletes the lock file first (while still holding it).
  public func release(removing: Bool = false) {
    descriptor.withLock { fd in
      guard fd >= 0 else { return }
      if removing { unlink(path) }
      close(fd)
      fd = -1
    }
  }

  private func recordHolder() {
    descriptor.withLock { fd in
      let text = Array("\(getpid())\n".utf8)
      guard ftruncate(fd, 0) == 0 else { return }
      _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }
  }
}

/// A lock file that could not be created or locked.
public struct FileLockError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var errno: Int32

  public var description: String { "cannot lock \(path): \(String(cString: strerror(errno)))" }
}
