import Foundation
import GraphModels
import Logging

/// Names an account whose tokens carry no username: `GET /me` with its access token.
///
/// The fallback for a token answer without an id_token and for migrating an old cache. On real
/// Graph `/me` needs `User.Read`, which Tack does not ask for, so there it usually fails and
/// the account keeps `TokenStore.unnamedAccount`; the emulator answers it.
public enum AccountNaming {
  /// `userPrincipalName`, else `mail`, of `/me`; nil on any failure or an expired token.
  public static func lookUp(
    _ tokens: StoredTokens, transport: any HTTPTransport, logger: Logger,
    now: Date = Date()
  ) async -> String? {
    guard tokens.expiresAt > now,
      let session = try? GraphSession(
        baseURL: tokens.graphURL, tokens: StaticTokenProvider(token: tokens.accessToken),
        transport: transport, logger: logger, retryPolicy: RetryPolicy(maxRetries: 0)),
      let me = try? await session.getJSON(JSONValue.self, url: session.url("/me"))
    else { return nil }
    for key in ["userPrincipalName", "mail"] {
      if let value = me[caseInsensitive: key]?.stringValue, !value.isEmpty { return value }
    }
    return nil
  }
}
