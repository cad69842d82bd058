import Foundation
import GraphModels

/// Several users: the first store is the first user's data and holds identity for everyone;
/// each other user of the seed has a store of their own lists, tasks and upload sessions, which
/// the handler picks by the user a bearer token belongs to.
extension EmulatorStore {
  /// The store of the user with this id or user principal name (case-insensitive), if any.
  public nonisolated func user(_ idOrName: String) -> EmulatorStore? {
    let wanted = idOrName.lowercased()
    return ([self] + otherUsers).first {
      $0.userID.lowercased() == wanted || $0.userPrincipalName.lowercased() == wanted
    }
  }

  /// The user principal names of every user, the first user's first.
  public nonisolated var userPrincipalNames: [String] {
    ([self] + otherUsers).map(\.userPrincipalName)
  }

  /// The ids of every user (paths of the form `users/{id}/…` name them).
  nonisolated var userIDs: [String] { ([self] + otherUsers).map(\.userID) }

  /// An id_token (OpenID Connect) for `user` of the emulated app `clientID`: an unsigned JWT
  /// (`alg: none`) with the claims a v2.0 endpoint sends for `openid profile`. Tack reads it
  /// without verifying, as a client may for a token straight from the token endpoint.
  nonisolated func idToken(for user: EmulatorStore, clientID: String, issuer: String, now: Date)
    -> String
  {
    let issued = now.timeIntervalSince1970.rounded(.down)
    let claims: JSONValue = .object([
      "ver": .string("2.0"), "iss": .string(issuer), "aud": .string(clientID),
      "sub": .string("emu-sub-" + user.userID), "oid": .string(user.userID),
      "tid": .string(Self.tenantID), "name": .string(user.userName),
      "preferred_username": .string(user.userPrincipalName),
      "iat": .number(issued), "nbf": .number(issued), "exp": .number(issued + 3600),
    ])
    let header = #"{"alg":"none","typ":"JWT"}"#
    let payload = (try? MachineJSON.text(claims)) ?? "{}"
    return JWTClaims.base64URLEncode(Data(header.utf8)) + "."
      + JWTClaims.base64URLEncode(Data(payload.utf8)) + "."
  }

  /// The emulated directory's tenant id.
  static let tenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
}
