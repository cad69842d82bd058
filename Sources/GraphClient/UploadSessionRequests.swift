import Foundation
import GraphModels

/// The requests of a Graph upload session. They are built here and sent by `GraphSession`, so
/// headers and the bearer rule live in one place.
extension GraphSession {
  /// `POST …/attachments/createUploadSession` with `{"attachmentInfo":{…}}`.
  public func createUploadSessionRequest(listID: String, taskID: String, info: AttachmentInfo)
    -> HTTPRequest
  {
    jsonPost(
      taskPath(listID: listID, taskID: taskID) + "/attachments/createUploadSession",
      CreateUploadSessionRequest(attachmentInfo: info))
  }

  /// `PUT {uploadUrl}/content` with `body` (the bytes of `range`, already checked) as the body.
  public func uploadChunkRequest(
    uploadURL: String, range: ContentRange, body: ChunkBytes, timeout: Duration? = nil
  ) -> HTTPRequest {
    HTTPRequest(
      method: "PUT", url: Self.uploadContentURL(uploadURL),
      headers: [
        ("Content-Type", "application/octet-stream"), ("Content-Length", String(range.length)),
        ("Content-Range", range.description),
      ],
      body: .chunk(body), timeout: timeout)
  }

  /// `GET {uploadUrl}`: the session's state (next expected ranges, expiry).
  public func uploadSessionStatusRequest(uploadURL: String) -> HTTPRequest {
    HTTPRequest(method: "GET", url: uploadURL, headers: [("Accept", "application/json")])
  }

  /// `DELETE {uploadUrl}`: ends the session and frees what the server holds of it.
  public func deleteUploadSessionRequest(uploadURL: String, timeout: Duration? = nil)
    -> HTTPRequest
  {
    HTTPRequest(method: "DELETE", url: uploadURL, timeout: timeout)
  }

  /// `{uploadUrl}/content`, the documented PUT target: the segment goes on the path, before any
  /// query string, and never after a trailing slash.
  public static func uploadContentURL(_ uploadURL: String) -> String {
    var path = uploadURL
    var query = ""
    if let mark = uploadURL.firstIndex(of: "?") {
      path = String(uploadURL[..<mark])
      query = String(uploadURL[mark...])
    }
    while path.hasSuffix("/") { path.removeLast() }
    return path + "/content" + query
  }
}
