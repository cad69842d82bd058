import Foundation
import GraphClient
import GraphModels

#if canImport(Glibc)
  import Glibc
#endif

/// The next chunk's bytes, read and checked against the first pass while the current PUT waits
/// for its answer, so hashing never sits between two PUTs. The read starts when the current
/// chunk's bytes are all written and let go (`ChunkBytes`), so one chunk is in memory at a time.
struct ChunkPrefetch {
  var range: ContentRange
  /// The file's change stamp taken before the read began.
  var stamp: ChangeStamp?
  var body: Task<Result<ChunkBytes, UploadCoordinator.ChangedFile>, Never>
}

/// What `stat` says about a file's last change: the status-change time (`st_ctim`, which a
/// rewrite moves even when it puts `mtime` back), `mtime` and the size.
struct ChangeStamp: Equatable, Sendable {
  var changed: timespec
  var modified: timespec
  var size: Int64

  static func of(_ path: String) -> ChangeStamp? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return ChangeStamp(changed: info.st_ctim, modified: info.st_mtim, size: Int64(info.st_size))
  }

  static func == (lhs: ChangeStamp, rhs: ChangeStamp) -> Bool {
    lhs.changed.tv_sec == rhs.changed.tv_sec && lhs.changed.tv_nsec == rhs.changed.tv_nsec
      && lhs.modified.tv_sec == rhs.modified.tv_sec
      && lhs.modified.tv_nsec == rhs.modified.tv_nsec && lhs.size == rhs.size
  }
}

extension UploadCoordinator {
  /// The checked body for the PUT of `range`: the prefetched one when it is for this range and
  /// the file has not changed since it was read (else read now).
  func body(for range: ContentRange, of id: UploadID, context: Context)
    -> Task<Result<ChunkBytes, ChangedFile>, Never>
  {
    let prefetched = uploads[id]?.prefetch
    // Used or not, it goes: a read-ahead for another range (a re-sent chunk) must not stay
    // in memory beside the chunk read now.
    uploads[id]?.prefetch = nil
    if let prefetched, prefetched.range == range, let stamp = prefetched.stamp,
      ChangeStamp.of(context.file.path) == stamp
    {
      return prefetched.body
    }
    return read(range, of: id, context: context)
  }

  /// Reads and checks `range` away from the actor; once the transport lets go of its bytes,
  /// the chunk after it is read ahead.
  private func read(_ range: ContentRange, of id: UploadID, context: Context)
    -> Task<Result<ChunkBytes, ChangedFile>, Never>
  {
    let written: @Sendable () -> Void = { [weak self] in
      guard let self else { return }
      Task { await self.readAhead(after: range, of: id, context: context) }
    }
    return Task.detached { Self.verifiedBody(range, context: context, onRelease: written) }
  }

  /// Starts reading the chunk that follows `range`, while the PUT of `range` still drives
  /// this upload (not paused, cancelled or stalled) and that chunk is not already on its way.
  private func readAhead(after range: ContentRange, of id: UploadID, context: Context) {
    guard let record = uploads[id], record.driving, let machine = record.machine,
      case .sending(let sending) = machine.state, sending == range,
      machine.phase.interruption == nil,
      let next = machine.planner.chunk(from: range.last + 1), record.prefetch?.range != next
    else { return }
    let stamp = ChangeStamp.of(context.file.path)
    uploads[id]?.prefetch = ChunkPrefetch(
      range: next, stamp: stamp, body: read(next, of: id, context: context))
  }
}
