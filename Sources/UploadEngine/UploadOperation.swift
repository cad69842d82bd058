import Foundation
import GraphClient
import GraphModels

/// One request (or wait) the coordinator performs for an upload; at most one is in flight per
/// upload, which keeps every session strictly sequential.
public enum UploadOperation: Sendable, Hashable {
  /// `POST …/attachments/createUploadSession`.
  case createSession
  /// `PUT {url}/content` carrying `range` of the file, body rebuilt from disk.
  case put(url: String, range: ContentRange)
  /// `GET {url}`: where the server stands (may be unsupported).
  case queryStatus(url: String)
  /// `GET …/attachments`, every page: did a PUT whose answer was lost complete the upload?
  case listAttachments
  /// `DELETE {url}`, best effort with a short timeout.
  case deleteSession(url: String)
  /// `POST …/attachments` with empty `contentBytes`: 0-byte files have no session upload.
  case createEmptyAttachment
  /// A new token after a 401; the operation that got the 401 then repeats once.
  case refreshToken
  /// Sleep, then report `.timerFired`.
  case wait(seconds: Double)
}

/// What the journal must hold for an upload's session, as the state machine last saw it.
public struct SessionProgress: Sendable, Hashable, Codable {
  public var uploadUrl: String?
  public var expiration: Date?
  public var sessionCreatedAt: Date?
  /// The offset the server last confirmed (`NextExpectedRanges`), never a local guess.
  public var acknowledgedOffset: Int64
  public var chunkSize: Int64
  /// Set before the PUT carrying the last byte goes out: a session lost afterwards may mean the
  /// attachment exists, so the task's attachments are checked before uploading again.
  public var finalChunkSent: Bool

  /// A snapshot of a session and the server's confirmed offset in it.
  public init(
    uploadUrl: String?, expiration: Date?, sessionCreatedAt: Date?, acknowledgedOffset: Int64,
    chunkSize: Int64, finalChunkSent: Bool
  ) {
    self.uploadUrl = uploadUrl
    self.expiration = expiration
    self.sessionCreatedAt = sessionCreatedAt
    self.acknowledgedOffset = acknowledgedOffset
    self.chunkSize = chunkSize
    self.finalChunkSent = finalChunkSent
  }
}

/// Something that happened to an upload: a user command or the result of the operation in
/// flight. The coordinator hands each to the `UploadStateMachine` event of the same name.
public enum UploadInput: Sendable {
  /// Begin: create a session, or (with a journaled session) ask the server where it stopped.
  case start
  case pause
  case resume
  case cancel
  /// The operation in flight got an HTTP answer (any status).
  case answered(HTTPResponse)
  /// The operation in flight got no answer.
  case transportFailed(TransportError)
  /// `.listAttachments` finished.
  case attachmentsListed([TaskFileAttachment])
  case tokenRefreshed
  /// The token could not be refreshed (an authentication failure).
  case tokenRefreshFailed(String)
  /// `.wait` finished (or was aborted).
  case timerFired
  /// Watchdog sample: body bytes of the PUT in flight written so far.
  case tick(sentBytes: Int64)
  /// The local file no longer matches the one being uploaded.
  case fileChanged(String)
}

/// How an upload ended (or stopped for now).
public enum UploadOutcome: Sendable, Hashable {
  case completed(attachmentID: String)
  case failed(reason: String, authentication: Bool)
  case paused
  case cancelled
  /// Not driven here: another process owns the upload, or finished it meanwhile. Not a failure.
  case skipped(reason: String)
}
