import Foundation

/// The Graph error body `{"error":{"code","message","innerError"}}`, read case-insensitively.
public struct GraphErrorBody: Sendable, Hashable {
  public var code: String
  public var message: String
  public var requestID: String?
  public var clientRequestID: String?
  public var innerCode: String?

  public init(
    code: String, message: String, requestID: String? = nil, clientRequestID: String? = nil,
    innerCode: String? = nil
  ) {
    self.code = code
    self.message = message
    self.requestID = requestID
    self.clientRequestID = clientRequestID
    self.innerCode = innerCode
  }

  /// Parses an error body; nil when the data is not one.
  public static func parse(_ data: Data) -> GraphErrorBody? {
    guard let raw = try? GraphJSON.decoder().decode(JSONValue.self, from: data),
      let error = raw[caseInsensitive: "error"],
      let code = error[caseInsensitive: "code"]?.stringValue
    else { return nil }
    let inner = error[caseInsensitive: "innerError"]
    return GraphErrorBody(
      code: code,
      message: error[caseInsensitive: "message"]?.stringValue ?? "",
      requestID: inner?[caseInsensitive: "request-id"]?.stringValue
        ?? inner?[caseInsensitive: "requestId"]?.stringValue,
      clientRequestID: inner?[caseInsensitive: "client-request-id"]?.stringValue,
      innerCode: inner?[caseInsensitive: "code"]?.stringValue)
  }

  /// The code for an error answer that carries no error body: Graph's own code for the status.
  public static func code(forStatus status: Int) -> String {
    switch status {
    case 400: return "badRequest"
    case 401: return "unauthenticated"
    case 403: return "accessDenied"
    case 404: return "itemNotFound"
    case 405: return "methodNotAllowed"
    case 409: return "conflict"
    case 413: return "requestTooLarge"
    case 416: return "invalidRange"
    case 429: return "tooManyRequests"
    case 500: return "internalServerError"
    case 502: return "badGateway"
    case 503: return "serviceNotAvailable"
    case 504: return "gatewayTimeout"
    default: return "http\(status)"
    }
  }

  /// Encodes the documented shape, with `innerError` carrying the ids and a zone-less date.
  public func encoded(date: Date) -> Data {
    var inner: [String: JSONValue] = ["date": .string(String(GraphDate.format(date).prefix(19)))]
    if let requestID { inner["request-id"] = .string(requestID) }
    if let clientRequestID { inner["client-request-id"] = .string(clientRequestID) }
    if let innerCode { inner["code"] = .string(innerCode) }
    let body: JSONValue = .object([
      "error": .object([
        "code": .string(code), "message": .string(message), "innerError": .object(inner),
      ])
    ])
    return (try? GraphJSON.encoder().encode(body)) ?? Data()
  }
}
