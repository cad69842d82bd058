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

/// An OAuth token-endpoint error body (`error`, `error_description`, `error_codes`, …).
public struct OAuthErrorBody: Codable, Sendable, Hashable {
  public var error: String
  public var errorDescription: String?

  enum CodingKeys: String, CodingKey {
    case error
    case errorDescription = "error_description"
  }

  public init(error: String, errorDescription: String?) {
    self.error = error
    self.errorDescription = errorDescription
  }
}

/// The `devicecode` answer. `interval` and `expires_in` may arrive as strings; defaults apply.
public struct DeviceCodeResponse: Decodable, Sendable, Hashable {
  public var userCode: String
  public var deviceCode: String
  public var verificationURI: String
  public var expiresIn: Int
  public var interval: Int
  public var message: String?

  enum CodingKeys: String, CodingKey {
    case userCode = "user_code"
    case deviceCode = "device_code"
    case verificationURI = "verification_uri"
    case verificationURL = "verification_url"
    case expiresIn = "expires_in"
    case interval
    case message
  }

  public init(
    userCode: String, deviceCode: String, verificationURI: String, expiresIn: Int, interval: Int,
    message: String?
  ) {
    self.userCode = userCode
    self.deviceCode = deviceCode
    self.verificationURI = verificationURI
    self.expiresIn = expiresIn
    self.interval = interval
    self.message = message
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    userCode = try c.decode(String.self, forKey: .userCode)
    deviceCode = try c.decode(String.self, forKey: .deviceCode)
    verificationURI =
      try c.decodeIfPresent(String.self, forKey: .verificationURI)
      ?? c.decode(String.self, forKey: .verificationURL)
    expiresIn = Self.lenientInt(c, .expiresIn) ?? 1800
    interval = Self.lenientInt(c, .interval) ?? 5
    message = try c.decodeIfPresent(String.self, forKey: .message)
  }

  private static func lenientInt(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Int?
  {
    if let value = try? c.decode(Int.self, forKey: key) { return value }
    if let text = try? c.decode(String.self, forKey: key) { return Int(text) }
    return nil
  }
}

/// A successful token answer.
public struct TokenResponse: Decodable, Sendable, Hashable {
  public var tokenType: String?
  public var accessToken: String
  public var refreshToken: String?
  public var expiresIn: Int
  public var scope: String?

  enum CodingKeys: String, CodingKey {
    case tokenType = "token_type"
    case accessToken = "access_token"
    case refreshToken = "refresh_token"
    case expiresIn = "expires_in"
    case scope
  }

  public init(
    tokenType: String? = "Bearer", accessToken: String, refreshToken: String?, expiresIn: Int,
    scope: String?
  ) {
    self.tokenType = tokenType
    self.accessToken = accessToken
    self.refreshToken = refreshToken
    self.expiresIn = expiresIn
    self.scope = scope
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    tokenType = try c.decodeIfPresent(String.self, forKey: .tokenType)
    accessToken = try c.decode(String.self, forKey: .accessToken)
    refreshToken = try c.decodeIfPresent(String.self, forKey: .refreshToken)
    if let value = try? c.decode(Int.self, forKey: .expiresIn) {
      expiresIn = value
    } else if let text = try? c.decode(String.self, forKey: .expiresIn), let value = Int(text) {
      expiresIn = value
    } else {
      expiresIn = 3600
    }
    scope = try c.decodeIfPresent(String.self, forKey: .scope)
  }
}
