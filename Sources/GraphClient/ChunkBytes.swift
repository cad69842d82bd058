import Foundation
import Synchronization

/// An upload chunk's bytes, read and checked before its PUT, that the transport lets go of as
/// soon as the last piece is handed to the connection: the engine reads the next chunk only
/// then, so one chunk, not two, is in memory while an upload runs (DECISIONS.md 2026-12-03,
/// "One chunk in memory").
///
/// The bytes are never replaced: once released, `piece` answers nil and a transport asked to
/// send them again fails the attempt (ambiguously, so the engine asks the server where it
/// stands and reads the chunk afresh).
public final class ChunkBytes: Sendable {
  /// How many bytes the chunk holds (also after release).
  public let count: Int
  private let storage: Mutex<Data?>
  private let onRelease: @Sendable () -> Void

  /// `onRelease` runs once, on the thread that releases the bytes.
  public init(_ data: Data, onRelease: @escaping @Sendable () -> Void = {}) {
    count = data.count
    storage = Mutex(data)
    self.onRelease = onRelease
  }

  /// Bytes `range` (offsets from the chunk's start), or nil once released.
  public func piece(_ range: Range<Int>) -> Data? {
    storage.withLock { data in
      guard let data, range.lowerBound >= 0, range.upperBound <= data.count else { return nil }
      // A slice shares the storage; the writer copies it into its buffer at once.
      return data[data.startIndex + range.lowerBound..<data.startIndex + range.upperBound]
    }
  }

  /// Every byte, or nil once released.
  public var bytes: Data? { storage.withLock { $0 } }

  /// True once the bytes were let go.
  public var isReleased: Bool { storage.withLock { $0 == nil } }

  /// Lets the bytes go; the first call runs `onRelease`.
  public func release() {
    let wasHeld = storage.withLock { data in
      defer { data = nil }
      return data != nil
    }
    if wasHeld { onRelease() }
  }
}
