import Foundation
import GraphModels
import Logging

/// A shared limit on requests in flight; `GraphSession.sendOnce` holds a slot only while its
/// request is on the wire (not while a token is fetched).
public protocol RequestGate: Sendable {
  /// Waits for a free slot and takes it.
  func enter() async
  /// Frees the slot taken by `enter`.
  func leave() async
}

/// One attempt of a request, for callers that make their own retry decisions.
public struct SingleAttempt: Sendable {
  /// The answer, whatever its status, or why none arrived.
  public var result: Result<HTTPResponse, TransportError>
  /// The bearer token sent (nil off the Graph origin), so a 401 can name the token to refresh.
  public var token: String?
}

extension GraphSession {
  /// Sends `request` once with the bearer token (to the Graph origin only) and a new
  /// `client-request-id`: no retry, no refresh, no error for any status.
  ///
  /// Throws only what the token provider threw; a failure below HTTP comes back in `result`.
  public func sendOnce(
    _ request: HTTPRequest, gate: (any RequestGate)? = nil,
    progress: (@Sendable (Int64) -> Void)? = nil
  ) async throws -> SingleAttempt {
    var attempt = request
    attempt.headers.removeAll {
      let name = $0.name.lowercased()
      return name == "authorization" || name == "client-request-id"
    }
    var token: String?
    if isGraphURL(attempt.url) {
      let current = try await tokens.accessToken()
      token = current
      attempt.headers.append((name: "Authorization", value: "Bearer \(current)"))
    }
    let clientRequestID = UUID().uuidString.lowercased()
    attempt.headers.append((name: "client-request-id", value: clientRequestID))
    await gate?.enter()
    let started = ContinuousClock.now
    let result: Result<HTTPResponse, TransportError>
    do {
      let response = try await transport.send(attempt, progress: progress)
      result = .success(response)
      logAttempt(
        attempt, status: response.status, requestID: response.header("request-id"),
        clientRequestID: clientRequestID, started: started)
    } catch let error as TransportError {
      result = .failure(error)
      logAttempt(
        attempt, status: nil, requestID: nil, clientRequestID: clientRequestID, started: started,
        error: "\(error)")
    } catch {
      result = .failure(.other(String(describing: error)))
    }
    await gate?.leave()
    return SingleAttempt(result: result, token: token)
  }

  /// The attachments of a task, one `sendOnce` per page through `gate`: a page that is not a 200
  /// ends the sequence with `PageAttemptError`, and so does a `nextLink` off the Graph origin or
  /// past the paging limits (`.unreadable`).
  public func singleAttemptAttachments(listID: String, taskID: String, gate: (any RequestGate)?)
    -> GraphPages<TaskFileAttachment>
  {
    GraphPages(
      session: self, firstURL: url(taskPath(listID: listID, taskID: taskID) + "/attachments"),
      attempts: .single(gate: gate))
  }

  /// Successes at debug (an upload makes one per chunk), everything else at notice.
  private func logAttempt(
    _ request: HTTPRequest, status: Int?, requestID: String?, clientRequestID: String,
    started: ContinuousClock.Instant, error: String? = nil
  ) {
    var metadata: Logger.Metadata = [
      "method": .string(request.method), "url": .string(redacted(request.url)),
      "client-request-id": .string(clientRequestID),
      "ms": .stringConvertible(Self.milliseconds(since: started)),
    ]
    if let range = request.header("Content-Range") { metadata["range"] = .string(range) }
    if let status { metadata["status"] = .stringConvertible(status) }
    if let requestID { metadata["request-id"] = .string(requestID) }
    if let error { metadata["error"] = .string(error) }
    let quiet = status.map { (200..<300).contains($0) } ?? false
    // The message predates this function (single attempts are the upload engine's); log filters
    // written for it keep working.
    logger.log(level: quiet ? .debug : .notice, "upload request", metadata: metadata)
  }
}
