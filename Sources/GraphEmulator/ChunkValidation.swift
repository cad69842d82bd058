import Foundation
import GraphModels

/// A request the emulator refuses, as the Graph error it answers with.
struct Rejection: Error, Equatable {
  var status: Int
  var code: String
  var message: String
  var innerCode: String?

  init(_ status: Int, _ code: String, _ message: String, innerCode: String? = nil) {
    self.status = status
    self.code = code
    self.message = message
    self.innerCode = innerCode
  }

  func answer(_ out: Responses) -> Answer {
    out.error(status, code, message, innerCode: innerCode)
  }
}

/// A chunk PUT whose headers fit its session: what may be read and stored.
struct ValidChunk: Equatable {
  var range: ContentRange
  /// The declared body length (equal to the range's).
  var length: Int64
}

extension UploadSessionsResource {
  /// Checks a chunk PUT's `Content-Range` and `Content-Length` against the session and the
  /// configured rules, before any body byte is read. Pure: the store is not touched.
  static func validateChunk(
    contentRange: String?, contentLength: String?, sessionSize: Int64, sessionOffset: Int64,
    options: EmulatorOptions
  ) -> Result<ValidChunk, Rejection> {
    guard let contentRange, let range = ContentRange(parsing: contentRange) else {
      return .failure(
        Rejection(400, "invalidRequest", "The Content-Range header is missing or malformed."))
    }
    guard range.total == sessionSize else {
      return .failure(
        Rejection(
          400, "invalidRequest",
          "The Content-Range total \(range.total) does not match the session size \(sessionSize)."))
    }
    guard let contentLength, let length = Int64(contentLength) else {
      return .failure(Rejection(400, "invalidRequest", "The Content-Length header is required."))
    }
    guard length == range.length else {
      return .failure(
        Rejection(
          400, "invalidRequest",
          "Content-Length \(length) does not match Content-Range length \(range.length)."))
    }
    guard length <= UploadLimits.maxChunkSize else {
      return .failure(
        Rejection(
          options.oversizeChunkStatus,
          options.oversizeChunkStatus == 413 ? "RequestEntityTooLarge" : "invalidRequest",
          "The upper limit of the number of bytes for each PUT operation is \(UploadLimits.maxChunkSize)."
        ))
    }
    let isLast = range.last == sessionSize - 1
    if options.enforceFragmentMultiple, !isLast, length % UploadLimits.fragmentMultiple != 0 {
      return .failure(
        Rejection(
          400, "invalidRequest", "Each fragment but the last must be a multiple of 320 KiB."))
    }
    if let misplaced = placement(range, sessionOffset: sessionOffset, options: options) {
      return .failure(misplaced)
    }
    return .success(ValidChunk(range: range, length: length))
  }

  /// A chunk that starts past the next expected byte (a gap), or before it when overlaps are
  /// refused.
  private static func placement(
    _ range: ContentRange, sessionOffset expected: Int64, options: EmulatorOptions
  ) -> Rejection? {
    if range.first > expected {
      switch options.gap {
      case .rangeError:
        return Rejection(
          416, "invalidRange", "The uploaded fragment is out of order.",
          innerCode: "fragmentOutOfOrder")
      case .badRequest:
        return Rejection(400, "invalidRequest", "The uploaded fragment is out of order.")
      }
    }
    if range.first < expected, options.overlap == .rangeError {
      return Rejection(
        416, "invalidRange", "Uploaded fragment overlaps with existing data.",
        innerCode: "fragmentOverlap")
    }
    return nil
  }
}
