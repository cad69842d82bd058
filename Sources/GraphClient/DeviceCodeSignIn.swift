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

  public init(identity: IdentityClient, graphURL: String, store: TokenStore?) {
    self.identity = identity
    self.graphURL = graphURL
    self.store = store
  }

  /// Asks for a device code, reports it, waits until the user signed in on another device,
  /// saves the tokens and returns them.
  public func run(
    reporting report: @escaping @Sendable (Progress) -> Void = { _ in }
  ) async throws -> StoredTokens {
    let code = try await identity.requestDeviceCode()
    report(.prompt(code))
    let answer = try await identity.pollForTokens(code) { report(.polled($0)) }
    let stored = identity.stored(answer, graphURL: graphURL)
    try store?.save(stored)
    return stored
  }
}
