import Foundation
import Synchronization

/// Paces a request body: the transport asks before each piece goes on the wire, so a shared
/// limiter can cap the bytes per second of several requests together and change the cap while
/// they run.
public protocol BodyPacer: Sendable {
  /// Waits until some of `bytes` (≥ 1) may be written now and returns how many (1…`bytes`);
  /// throws `CancellationError` when the calling task is cancelled while it waits.
  func admit(upTo bytes: Int) async throws -> Int
  /// True while no cap is set: the body may then go out in larger pieces (fewer hops to the
  /// event loop), each still asking first, so a cap set mid-body applies within one of them.
  var isUnlimited: Bool { get }
}

extension BodyPacer {
  public var isUnlimited: Bool { false }
}

/// Writes a body piece by piece, each piece admitted by a pacer first: the one loop both the
/// live and the in-process transport use.
public enum PacedBody {
  /// The piece size while no cap is set (1 MiB: a few milliseconds on a fast link).
  public static let unlimitedPieceSize = 1 << 20

  /// Writes `data` through `write` in pieces of at most `pieceSize` bytes, each (or a part of
  /// it) admitted by `pacer` before it is written.
  public static func write(
    _ data: Data, pieceSize: Int, pacer: any BodyPacer,
    _ write: (Data) async throws -> Void
  ) async throws {
    let piece = { (range: Range<Int>) in
      data[data.startIndex + range.lowerBound..<data.startIndex + range.upperBound]
    }
    try await self.write(count: data.count, pieceSize: pieceSize, pacer: pacer, piece: piece, write)
  }

  /// Writes `chunk` the same way, then releases its bytes; a chunk released before (a second
  /// attempt at the same body) fails with an ambiguous error instead of sending anything.
  public static func write(
    _ chunk: ChunkBytes, pieceSize: Int, pacer: any BodyPacer,
    _ write: (Data) async throws -> Void
  ) async throws {
    let released = TransportError.other(
      "this chunk was already sent once; asking the server instead")
    // Before the pacer: a chunk that cannot be sent takes no share of the cap.
    guard !chunk.isReleased else { throw released }
    let piece = { (range: Range<Int>) throws -> Data in
      guard let piece = chunk.piece(range) else { throw released }
      return piece
    }
    try await self.write(
      count: chunk.count, pieceSize: pieceSize, pacer: pacer, piece: piece, write)
    chunk.release()
  }

  /// The one pacing loop: `count` bytes taken by `piece`, each piece admitted first.
  private static func write(
    count: Int, pieceSize: Int, pacer: any BodyPacer, piece: (Range<Int>) throws -> Data,
    _ write: (Data) async throws -> Void
  ) async throws {
    var start = 0
    while start < count {
      let size = pacer.isUnlimited ? max(pieceSize, PacedBody.unlimitedPieceSize) : pieceSize
      let want = min(max(size, 1), count - start)
      let granted = try await pacer.admit(upTo: want)
      let end = start + min(max(granted, 1), want)
      try await write(try piece(start..<end))
      start = end
    }
  }
}

/// A pacer that admits everything at once, for a chunk sent without a cap.
struct Unpaced: BodyPacer {
  func admit(upTo bytes: Int) async throws -> Int { bytes }
  var isUnlimited: Bool { true }
}

/// The tasks that produce one request's body; cancelled when the request ends or is cancelled,
/// so a producer waiting for its pacer never outlives the request.
final class BodyProducers: Sendable {
  private let state = Mutex((tasks: [Task<Void, any Error>](), ended: false))

  /// Keeps `task`; cancels it at once when the request already ended.
  func add(_ task: Task<Void, any Error>) {
    let ended = state.withLock { state in
      if !state.ended { state.tasks.append(task) }
      return state.ended
    }
    if ended { task.cancel() }
  }

  /// Cancels every producer, and any added later.
  func cancelAll() {
    let tasks = state.withLock { state in
      state.ended = true
      defer { state.tasks = [] }
      return state.tasks
    }
    for task in tasks { task.cancel() }
  }
}
