import Foundation
import GraphModels
import HTTPTypes
import HummingbirdCore
import NIOCore

/// One answer before it meets a connection.
struct Answer: Sendable {
  var status: HTTPResponse.Status
  var headers: HTTPFields
  /// nil: no body at all (Hummingbird's empty body), as distinct from zero bytes.
  var body: [UInt8]?

  /// The answer as Hummingbird writes it (it adds `Content-Length` for known bodies).
  var response: Response {
    Response(
      status: status, headers: headers,
      body: body.map { .init(byteBuffer: ByteBuffer(bytes: $0)) } ?? .init())
  }
}

/// Builds the emulator's answers in Graph's shapes.
struct Responses {
  let requestID: String
  let clientRequestID: String
  let now: Date

  func headers(contentType: String? = "application/json") -> HTTPFields {
    var fields = HTTPFields()
    if let contentType { fields[.contentType] = contentType }
    fields[Self.requestIDName] = requestID
    fields[Self.clientRequestIDName] = clientRequestID
    fields[.date] = RetryAfter.httpDateString(now)
    return fields
  }

  func json(_ status: HTTPResponse.Status, _ value: JSONValue, extra: HTTPFields = [:]) -> Answer {
    let data = (try? GraphJSON.encoder().encode(value)) ?? Data()
    var fields = headers()
    fields.append(contentsOf: extra)
    return Answer(status: status, headers: fields, body: Array(data))
  }

  func encodable(_ status: HTTPResponse.Status, _ value: some Encodable, context: String? = nil)
    -> Answer
  {
    guard let data = try? GraphJSON.encoder().encode(value),
      var object = try? GraphJSON.decoder().decode(JSONValue.self, from: data)
    else { return error(500, "generalException", "encoding failed") }
    if let context, case .object(var members) = object {
      members["@odata.context"] = .string(context)
      object = .object(members)
    }
    return json(status, object)
  }

  func empty(_ status: HTTPResponse.Status, extra: HTTPFields = [:]) -> Answer {
    var fields = headers(contentType: nil)
    fields.append(contentsOf: extra)
    // RFC 9110 §8.6: a 204 carries no Content-Length; the final PUT's 201 says 0.
    if status != .noContent { fields[.contentLength] = "0" }
    return Answer(status: status, headers: fields, body: nil)
  }

  func bytes(_ data: [UInt8], contentType: String) -> Answer {
    Answer(status: .ok, headers: headers(contentType: contentType), body: data)
  }

  func text(_ text: String) -> Answer {
    var fields = headers(contentType: "text/plain; charset=utf-8")
    fields[.contentLength] = String(text.utf8.count)
    return Answer(status: .ok, headers: fields, body: Array(text.utf8))
  }

  /// A Graph error body `{"error":{"code","message","innerError":{…}}}`.
  func error(
    _ status: Int, _ code: String, _ message: String, innerCode: String? = nil,
    retryAfter: String? = nil
  )
    -> Answer
  {
    let body = GraphErrorBody(
      code: code, message: message, requestID: requestID, clientRequestID: clientRequestID,
      innerCode: innerCode)
    var fields = headers()
    if let retryAfter { fields[.retryAfter] = retryAfter }
    if status == 401 {
      fields[.wwwAuthenticate] =
        #"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#
    }
    return Answer(
      status: HTTPResponse.Status(code: status), headers: fields,
      body: Array(body.encoded(date: now)))
  }

  /// An OAuth error body as the identity platform writes it (always 400 here).
  func oauthError(_ error: String, _ description: String, status: Int = 400) -> Answer {
    let value: JSONValue = .object([
      "error": .string(error),
      "error_description": .string(
        description + "\r\nTrace ID: \(requestID)\r\nTimestamp: \(GraphDate.format(now))"),
      "error_codes": .array([.number(Double(Self.aadsts[error] ?? 90000))]),
      "timestamp": .string(GraphDate.format(now)),
      "trace_id": .string(requestID),
      "correlation_id": .string(clientRequestID),
      "error_uri": .string(
        "https://login.microsoftonline.com/error?code=\(Self.aadsts[error] ?? 90000)"),
    ])
    return json(HTTPResponse.Status(code: status), value)
  }

  static let aadsts: [String: Int] = [
    "authorization_pending": 70016, "authorization_declined": 70000, "bad_verification_code": 70018,
    "expired_token": 70019, "invalid_grant": 70008, "invalid_request": 900144, "slow_down": 70016,
    "invalid_client": 7_000_218,
  ]

  // Constant, valid header names: the initialiser cannot fail for them.
  // swift-format-ignore: NeverForceUnwrap
  static let requestIDName = HTTPField.Name("request-id")!
  // swift-format-ignore: NeverForceUnwrap
  static let clientRequestIDName = HTTPField.Name("client-request-id")!
  // swift-format-ignore: NeverForceUnwrap
  static let contentRangeName = HTTPField.Name("Content-Range")!
}
