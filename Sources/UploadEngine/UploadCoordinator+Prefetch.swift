import Foundation
import GraphModels

#if canImport(Glibc)
  import Glibc
#endif

/// The next chunk's bytes, read and checked against the first pass while the current PUT is on
/// the wire, so hashing never sits between two PUTs.
struct ChunkPrefetch {
  var range: ContentRange
  /// The file's change stamp taken before the read began.
  var stamp: ChangeStamp?
  var body: Task<Result<Data, UploadCoordinator.ChangedFile>, Never>
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
  /// the file has not changed since it was read (else read now). Starts reading the chunk that
  /// follows, unless that one is already on its way.
  func body(for range: ContentRange, of id: UploadID, context: Context)
    -> Task<Result<Data, ChangedFile>, Never>
  {
    let body: Task<Result<Data, ChangedFile>, Never>
    if let prefetched = uploads[id]?.prefetch, prefetched.range == range,
      let stamp = prefetched.stamp, ChangeStamp.of(context.file.path) == stamp
    {
      body = prefetched.body
      uploads[id]?.prefetch = nil
    } else {
      body = Task.detached { Self.verifiedBody(range, context: context) }
    }
    guard let next = uploads[id]?.machine?.planner.chunk(from: range.last + 1) else { return body }
    if uploads[id]?.prefetch?.range != next {
      let stamp = ChangeStamp.of(context.file.path)
      uploads[id]?.prefetch = ChunkPrefetch(
        range: next, stamp: stamp, body: Task.detached { Self.verifiedBody(next, context: context) }
      )
    }
    return body
  }
}
