import Foundation

/// A stable identifier of one journaled upload.
public typealias UploadID = String

/// Why an upload is waiting to try again.
public enum RetryReason: String, Codable, Sendable, Hashable {
  case throttled
  case serverError = "server_error"
  case network
  case timeout
  case stalled
  case rangeMismatch = "range_mismatch"
  case sessionLost = "session_lost"
  case unauthorized
}

/// Why an upload failed, for machines: NDJSON `failed` events carry it as `reason` (with the
/// human text as `message`). Failures without one keep their human text as `reason`.
public enum FailureCode: String, Codable, Sendable, Hashable {
  /// The file's bytes differ from the ones hashed before the upload (rewritten in place).
  case fileChanged = "file_changed"
  /// The server broke the upload protocol (claimed bytes it was never sent).
  case protocolError = "protocol_error"
}

/// Something that happened to an upload. Milestones are never dropped; `progress` is coalesced.
public enum UploadEvent: Sendable, Hashable {
  /// A new upload session exists for the file.
  case sessionCreated(id: UploadID, name: String, size: Int64, chunkSize: Int64, expiration: Date?)
  /// Byte counts: `sent` may rewind on retry; `acknowledged` only grows and ends at the size.
  case progress(id: UploadID, sent: Int64, acknowledged: Int64, size: Int64)
  /// The server accepted bytes `start...end`; `next` is the offset it expects now.
  case chunkSent(id: UploadID, start: Int64, end: Int64, next: Int64)
  case retry(id: UploadID, reason: RetryReason, afterSeconds: Double, attempt: Int)
  case paused(id: UploadID, acknowledged: Int64)
  case resumed(id: UploadID, from: Int64)
  case sessionRecreated(id: UploadID, reason: String)
  case completed(id: UploadID, attachmentID: String, size: Int64)
  case failed(id: UploadID, reason: String, code: FailureCode? = nil)
  case cancelled(id: UploadID)

  public var uploadID: UploadID {
    switch self {
    case .sessionCreated(let id, _, _, _, _), .progress(let id, _, _, _),
      .chunkSent(let id, _, _, _),
      .retry(let id, _, _, _), .paused(let id, _), .resumed(let id, _),
      .sessionRecreated(let id, _),
      .completed(let id, _, _), .failed(let id, _, _), .cancelled(let id):
      return id
    }
  }

  /// True for events a consumer must see (everything but byte progress).
  public var isMilestone: Bool {
    if case .progress = self { return false }
    return true
  }

  /// The NDJSON object for `--json` (DESIGN.md §3), or nil for events that contract omits.
  public func jsonObject(file: String?) -> JSONValue? {
    var object: [String: JSONValue] = ["upload_id": .string(uploadID)]
    if let file { object["file"] = .string(file) }
    switch self {
    case .sessionCreated(_, let name, let size, let chunkSize, let expiration):
      object["event"] = .string("session_created")
      object["name"] = .string(name)
      object["size"] = .number(Double(size))
      object["chunk_size"] = .number(Double(chunkSize))
      if let expiration { object["expiration"] = .string(GraphDate.format(expiration)) }
    case .progress:
      return nil
    case .chunkSent(_, let start, let end, let next):
      object["event"] = .string("chunk_sent")
      object["start"] = .number(Double(start))
      object["end"] = .number(Double(end))
      object["next"] = .number(Double(next))
    case .retry(_, let reason, let after, let attempt):
      object["event"] = .string("retry")
      object["reason"] = .string(reason.rawValue)
      object["after_s"] = .number((after * 1000).rounded() / 1000)
      object["attempt"] = .number(Double(attempt))
    case .paused(_, let acknowledged):
      object["event"] = .string("paused")
      object["acknowledged"] = .number(Double(acknowledged))
    case .resumed(_, let from):
      object["event"] = .string("resumed")
      object["from"] = .number(Double(from))
    case .sessionRecreated(_, let reason):
      object["event"] = .string("session_recreated")
      object["reason"] = .string(reason)
    case .completed(_, let attachmentID, let size):
      object["event"] = .string("completed")
      object["attachment_id"] = .string(attachmentID)
      object["size"] = .number(Double(size))
    case .failed(_, let reason, let code):
      object["event"] = .string("failed")
      object["reason"] = .string(code?.rawValue ?? reason)
      if code != nil { object["message"] = .string(reason) }
    case .cancelled:
      object["event"] = .string("cancelled")
    }
    return .object(object)
  }
}
