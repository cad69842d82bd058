import Foundation
import GraphModels

/// Several accounts in one token cache: which is the default, which one a command uses, and the
/// migration of version 1 caches (one nameless entry per identity host + tenant + client id).
extension TokenStore {
  /// Every stored sign-in and the default one's key, read together.
  public func accounts() throws -> (all: [StoredTokens], defaultKey: AccountKey?) {
    let contents = try readFile()
    let all = contents.accounts.values.sorted {
      ($0.accountName.lowercased(), $0.loginURL) < ($1.accountName.lowercased(), $1.loginURL)
    }
    let defaultKey = contents.defaultAccount.flatMap { contents.accounts[$0]?.account }
    return (all, defaultKey)
  }

  /// Makes `account` the default; false when it is not stored.
  @discardableResult
  public func makeDefault(_ account: AccountKey) throws -> Bool {
    var contents = try readFile()
    guard contents.accounts[account.text] != nil else { return false }
    contents.defaultAccount = account.text
    try writeFile(contents)
    return true
  }

  // MARK: Migration

  /// True when some entry has no username yet (a cache written before several sign-ins).
  public func needsMigration() -> Bool {
    guard let contents = try? readFile() else { return false }
    return contents.accounts.values.contains { $0.username == nil }
  }

  /// Names every nameless entry, once, under the token cache's lock: `name` is asked (outside the
  /// lock: it may reach the network) for each, `TokenStore.unnamedAccount` when it answers nil;
  /// then the file is re-read under the lock and rewritten atomically (0600) as version 2, so a
  /// refresh another process saved meanwhile is kept. A sole migrated entry becomes the default.
  /// Returns the names given.
  @discardableResult
  public func migrate(naming name: @Sendable (StoredTokens) async -> String?) async throws
    -> [String]
  {
    let nameless = try readFile().accounts.filter { $0.value.username == nil }
    guard !nameless.isEmpty else { return [] }
    var names: [String: String] = [:]
    for (key, tokens) in nameless {
      names[key] = await name(tokens) ?? Self.unnamedAccount
    }
    let lock = try await refreshLock()
    defer { lock?.release() }
    var contents = try readFile()
    var given: [String] = []
    for (key, var tokens) in contents.accounts where tokens.username == nil {
      tokens.username = names[key] ?? Self.unnamedAccount
      contents.accounts.removeValue(forKey: key)
      // An entry already stored under the new key (a sign-in since) is newer: keep it.
      if contents.accounts[tokens.account.text] == nil {
        contents.accounts[tokens.account.text] = tokens
      }
      if contents.defaultAccount == nil || contents.defaultAccount == key {
        contents.defaultAccount = tokens.account.text
      }
      given.append(tokens.accountName)
    }
    try writeFile(contents)
    return given.sorted()
  }
}

/// Which stored sign-in a command uses: `--account NAME` (`TACK_ACCOUNT`) or the default.
public enum AccountSelection {
  public enum Outcome: Sendable, Equatable {
    case found(StoredTokens)
    /// Nobody is signed in (at this identity host).
    case notSignedIn
    /// No account has that name; `known` are the names that exist.
    case unknown(name: String, known: [String])
    /// Several sign-ins at this host and none is the default.
    case undecided(names: [String])
  }

  /// `name` matches usernames without regard to case; when several sign-ins share it (other
  /// hosts, tenants or client ids), the one of this context wins, then the newest. Without a
  /// name: the default when it belongs to this identity host and tenant (and client id, when
  /// given), else the only sign-in there.
  public static func pick(
    name: String?, in all: [StoredTokens], defaultKey: TokenStore.AccountKey?, loginURL: String,
    tenant: String, clientID: String?
  ) -> Outcome {
    func inContext(_ tokens: StoredTokens) -> Bool {
      tokens.loginURL == loginURL && tokens.tenant == tenant
        && (clientID == nil || tokens.clientID == clientID)
    }
    func newest(_ list: [StoredTokens]) -> StoredTokens? {
      list.max { $0.obtainedAt < $1.obtainedAt }
    }
    if let name {
      let named = all.filter { $0.accountName.lowercased() == name.lowercased() }
      guard !named.isEmpty else {
        let known = Array(Set(all.map(\.accountName))).sorted()
        return .unknown(name: name, known: known)
      }
      let local = named.filter(inContext)
      let sameHost = named.filter { $0.loginURL == loginURL }
      return newest(local.isEmpty ? (sameHost.isEmpty ? named : sameHost) : local).map {
        .found($0)
      } ?? .notSignedIn
    }
    let local = all.filter(inContext)
    if let defaultKey, let chosen = local.first(where: { $0.account == defaultKey }) {
      return .found(chosen)
    }
    switch local.count {
    case 0: return .notSignedIn
    case 1: return .found(local[0])
    default: return .undecided(names: local.map(\.accountName).sorted())
    }
  }
}
