import Foundation
import GraphModels

/// One device-code sign-in from start to saved tokens: `tack login` and the terminal UI both run
/// it, and differ only in how they show its progress.
public struct DeviceCodeSignIn: Sendable {
  /// What the user should see while the sign-in runs.
  public enum Progress: Sendable, Hashable {
    /// Open `verificationURI` on any device and enter `userCode`.
    case prompt(DeviceCodeResponse)
    /// One poll of the token endpoint came back unfinished (`authorization_pending`,
    /// `slow_down`).
    case polled(String)
  }

  public let identity: IdentityClient
  /// The Graph base URL the tokens are for (recorded with them).
  public let graphURL: String
  /// Where the tokens are saved; nil keeps them in memory only.
  public let store: TokenStore?

  /// Names the account when the token answer does not (no id_token): `AccountNaming.lookUp`
  /// in the program; nil leaves it `TokenStore.unnamedAccount`.
  public let nameFallback: (@Sendable (StoredTokens) async -> String?)?

  public init(
    identity: IdentityClient, graphURL: String, store: TokenStore?,
    nameFallback: (@Sendable (StoredTokens) async -> String?)? = nil
  ) {
    self.identity = identity
    self.graphURL = graphURL
    self.store = store
    self.nameFallback = nameFallback
  }

  /// Asks for a device code, reports it, waits until the user signed in on another device,
  /// saves the tokens as the default account (other accounts stay signed in) and returns them.
  public func run(
    reporting report: @escaping @Sendable (Progress) -> Void = { _ in }
  ) async throws -> StoredTokens {
    let code = try await identity.requestDeviceCode()
    report(.prompt(code))
    let answer = try await identity.pollForTokens(code) { report(.polled($0)) }
    var stored = identity.stored(answer, graphURL: graphURL)
    if stored.username == nil {
      stored.username = await nameFallback?(stored) ?? TokenStore.unnamedAccount
    }
    try store?.save(stored, makeDefault: true)
    return stored
  }
}
