import Foundation
import GraphModels

/// The next chunk's bytes, read and checked against the first pass while the current PUT is on
/// the wire, so hashing never sits between two PUTs.
struct ChunkPrefetch {
  var range: ContentRange
  var body: Task<Result<Data, UploadCoordinator.ChangedFile>, Never>
}

extension UploadCoordinator {
  /// The checked body for the PUT of `range`: the prefetched one when it is for this range, else
  /// read now. Starts reading the chunk that follows, unless that one is already on its way.
  func body(for range: ContentRange, of id: UploadID, context: Context)
    -> Task<Result<Data, ChangedFile>, Never>
  {
    let prefetched = uploads[id]?.prefetch
    let body: Task<Result<Data, ChangedFile>, Never>
    if let prefetched, prefetched.range == range {
      body = prefetched.body
      uploads[id]?.prefetch = nil
    } else {
      body = Task.detached { Self.verifiedBody(range, context: context) }
    }
    guard let next = uploads[id]?.machine?.planner.chunk(from: range.last + 1) else { return body }
    if uploads[id]?.prefetch?.range != next {
      uploads[id]?.prefetch = ChunkPrefetch(
        range: next, body: Task.detached { Self.verifiedBody(next, context: context) })
    }
    return body
  }

}
