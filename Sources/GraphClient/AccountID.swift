import Foundation
import GraphModels

/// Names one signed-in account, stably across runs, token refreshes and re-sign-ins.
///
/// `name` is the signed-in username (the id_token's `preferred_username`, e.g.
/// `alice@contoso.com`): what `tack accounts` shows and `--account` takes. `storageKey` is a
/// file-name-safe form for per-account files (the offline cache, …): the same account always gets
/// the same key, and two accounts never share one.
public struct AccountID: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The signed-in username.
  public var name: String
  /// Identity host the account signs in at, e.g. `https://login.microsoftonline.com`.
  public var loginURL: String
  /// The tenant the sign-in used (`common`, a tenant id or domain).
  public var tenant: String
  /// The app registration the tokens were issued to.
  public var clientID: String

  public init(name: String, loginURL: String, tenant: String, clientID: String) {
    self.name = name
    self.loginURL = loginURL
    self.tenant = tenant
    self.clientID = clientID
  }

  public var description: String { name }

  /// `[a-z0-9._-]` of the name (at most 40) + `-` + 16 hex digits of SHA-256 over host, tenant,
  /// client id and the lowercased name: readable in a directory listing, unique per sign-in.
  public var storageKey: String {
    let readable = String(
      name.lowercased().unicodeScalars.map { scalar -> Character in
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-")
        return allowed.contains(scalar) ? Character(scalar) : "_"
      }
      .prefix(40))
    let identity =
      "\(loginURL.lowercased())|\(tenant.lowercased())|\(clientID)|\(name.lowercased())"
    return readable + "-" + SHA256.hex(Array(identity.utf8)).prefix(16)
  }
}
