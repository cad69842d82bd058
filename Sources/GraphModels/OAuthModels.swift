import Foundation

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
  /// The OpenID Connect id_token (a JWT), present when `openid` was asked for.
  public var idToken: String?

  enum CodingKeys: String, CodingKey {
    case tokenType = "token_type"
    case accessToken = "access_token"
    case refreshToken = "refresh_token"
    case expiresIn = "expires_in"
    case scope
    case idToken = "id_token"
  }

  public init(
    tokenType: String? = "Bearer", accessToken: String, refreshToken: String?, expiresIn: Int,
    scope: String?, idToken: String? = nil
  ) {
    self.tokenType = tokenType
    self.accessToken = accessToken
    self.refreshToken = refreshToken
    self.expiresIn = expiresIn
    self.scope = scope
    self.idToken = idToken
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
    idToken = try? c.decodeIfPresent(String.self, forKey: .idToken)
  }
}
