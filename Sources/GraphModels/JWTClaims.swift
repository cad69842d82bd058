import Foundation

/// Reads the claims of a JSON Web Token's payload **without verifying its signature**.
///
/// Only for naming an account: the id_token came straight from the token endpoint over TLS in
/// answer to our own request, so its origin is already established (OpenID Connect Core §3.1.3.7
/// lets such a client skip signature validation). Nothing here is an authorisation decision.
public enum JWTClaims {
  /// The payload's claims, or nil when `token` is not `header.payload[.signature]` with a
  /// base64url JSON object in the middle.
  public static func claims(of token: String) -> [String: JSONValue]? {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count >= 2, let data = base64URLDecode(String(parts[1])),
      case .object(let claims)? = try? JSONDecoder().decode(JSONValue.self, from: data)
    else { return nil }
    return claims
  }

  /// The signed-in username: `preferred_username` (v2.0 id_tokens with the `profile` scope),
  /// then `upn`, `unique_name`, `email` (v1.0 and access tokens); nil when none is a non-empty
  /// string.
  public static func username(of token: String) -> String? {
    guard let claims = claims(of: token) else { return nil }
    for key in ["preferred_username", "upn", "unique_name", "email"] {
      if let value = claims[key]?.stringValue?.trimmingCharacters(in: .whitespaces),
        !value.isEmpty
      {
        return value
      }
    }
    return nil
  }

  /// Base64url without padding (RFC 7515 §2) to bytes.
  static func base64URLDecode(_ text: String) -> Data? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
  }

  /// Bytes as base64url without padding (for building tokens in the emulator and tests).
  public static func base64URLEncode(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }
}
