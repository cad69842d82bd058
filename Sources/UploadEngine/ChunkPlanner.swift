import GraphModels

/// Splits a file into the byte ranges of successive `PUT {uploadUrl}/content` requests.
///
/// Pure: the next range is always planned from an offset the server named, never from a local
/// counter, so a resynchronisation in the middle of a chunk sends exactly the missing bytes.
public struct ChunkPlanner: Sendable, Hashable {
  /// The file size in bytes.
  public let size: Int64
  /// The most bytes one PUT carries.
  public let chunkSize: Int64

  /// Why a plan cannot be made.
  public enum PlanError: Error, Sendable, Equatable, CustomStringConvertible {
    case chunkSizeOutOfRange(Int64)
    case fileTooLarge(Int64)
    case negativeSize(Int64)

    public var description: String {
      switch self {
      case .chunkSizeOutOfRange(let value):
        return
          "chunk size \(value) is out of range: use 1 to \(UploadLimits.maxChunkSize) bytes"
          + " (default \(UploadLimits.defaultChunkSize))"
      case .fileTooLarge(let size):
        return
          "\(size) bytes is over the \(UploadLimits.maxFileSize)-byte limit for To Do attachments"
      case .negativeSize(let size):
        return "invalid file size \(size)"
      }
    }
  }

  /// Validates `chunkSize` (1…4,000,000) and `size` (0…25,000,000).
  public init(size: Int64, chunkSize: Int64 = UploadLimits.defaultChunkSize) throws(PlanError) {
    guard size >= 0 else { throw .negativeSize(size) }
    guard size <= UploadLimits.maxFileSize else { throw .fileTooLarge(size) }
    guard chunkSize >= 1, chunkSize <= UploadLimits.maxChunkSize else {
      throw .chunkSizeOutOfRange(chunkSize)
    }
    self.size = size
    self.chunkSize = chunkSize
  }

  /// True for a 0-byte file, which has no expressible `Content-Range` and so no session upload.
  public var isEmpty: Bool { size == 0 }

  /// The number of PUTs a fresh upload needs (0 for an empty file).
  public var chunkCount: Int { Int((size + chunkSize - 1) / chunkSize) }

  /// The range of the PUT that starts at `offset`, or nil when `offset` is at or past the end.
  public func chunk(from offset: Int64) -> ContentRange? {
    guard offset >= 0, offset < size else { return nil }
    let last = min(offset + chunkSize, size) - 1
    return ContentRange(first: offset, last: last, total: size)
  }

  /// Every remaining range from `offset` to the end, in order.
  public func chunks(from offset: Int64 = 0) -> [ContentRange] {
    var result: [ContentRange] = []
    var next = offset
    while let range = chunk(from: next) {
      result.append(range)
      next = range.last + 1
    }
    return result
  }

  /// True when the PUT for `range` carries the file's last byte (its answer is the 201).
  public func isFinal(_ range: ContentRange) -> Bool { range.last == size - 1 }

  /// The index of the fixed-grid chunk holding `offset` (for a segmented progress bar).
  public func chunkIndex(containing offset: Int64) -> Int {
    guard size > 0 else { return 0 }
    return Int(min(max(offset, 0), size - 1) / chunkSize)
  }
}
