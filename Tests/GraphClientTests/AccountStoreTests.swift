import Foundation
import GraphClient
import GraphModels
import Testing

/// Several accounts in one token cache: picking one, the default, and migrating a version 1
/// cache (no usernames) under the cache's lock.
@Suite struct AccountStoreTests {
  static let login = "https://login.microsoftonline.com"
  static let now = Date(timeIntervalSince1970: 1_800_000_000)

  static func tokens(_ name: String?, login: String = login, obtained: Double = 0) -> StoredTokens {
    StoredTokens(
      accessToken: "at-\(name ?? "none")", refreshToken: "rt", expiresAt: now, scope: nil,
      clientID: "c", tenant: "common", loginURL: login,
      graphURL: "https://graph.microsoft.com/v1.0", obtainedAt: now.addingTimeInterval(obtained),
      username: name)
  }

  func pick(_ name: String?, _ all: [StoredTokens], default key: TokenStore.AccountKey? = nil)
    -> AccountSelection.Outcome
  {
    AccountSelection.pick(
      name: name, in: all, defaultKey: key, loginURL: Self.login, tenant: "common", clientID: nil)
  }

  @Test func aNamePicksItsAccountWithoutRegardToCaseAndAnUnknownOneListsTheNames() {
    let alice = Self.tokens("alice@contoso.com")
    let bob = Self.tokens("bob@fabrikam.com")
    #expect(pick("ALICE@contoso.com", [alice, bob]) == .found(alice))
    #expect(
      pick("carol", [alice, bob])
        == .unknown(name: "carol", known: ["alice@contoso.com", "bob@fabrikam.com"]))
  }

  @Test func withoutANameTheDefaultOfThisHostElseTheOnlyOne() {
    let alice = Self.tokens("alice@contoso.com")
    let bob = Self.tokens("bob@fabrikam.com")
    let elsewhere = Self.tokens("emu@tack.invalid", login: "http://127.0.0.1:9")
    #expect(pick(nil, [alice, bob], default: bob.account) == .found(bob))
    #expect(pick(nil, [alice, elsewhere], default: elsewhere.account) == .found(alice))
    #expect(
      pick(nil, [alice, bob]) == .undecided(names: ["alice@contoso.com", "bob@fabrikam.com"]))
    #expect(pick(nil, [elsewhere]) == .notSignedIn)
  }

  @Test func loggingOutTheDefaultMakesTheNewestOtherTheDefault() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = TokenStore(path: directory.path + "/tokens.json")
    let alice = Self.tokens("alice@contoso.com", obtained: 1)
    let bob = Self.tokens("bob@fabrikam.com", obtained: 2)
    let carol = Self.tokens("carol@contoso.com", obtained: 3)
    try store.save(alice)
    try store.save(bob)
    try store.save(carol, makeDefault: true)
    #expect(try store.accounts().defaultKey == carol.account)
    try store.remove(carol.account)
    #expect(try store.accounts().defaultKey == bob.account)
    #expect(
      try store.accounts().all.map(\.accountName) == ["alice@contoso.com", "bob@fabrikam.com"])
  }

  @Test func aVersionOneCacheIsNamedOnceAndKeepsItsTokens() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/tokens.json"
    let legacy = Self.tokens(nil)
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .secondsSince1970
    let entry = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(legacy))
    let file: JSONValue = .object([
      "version": .number(1), "accounts": .object(["\(Self.login)|common|c": entry]),
    ])
    try encoder.encode(file).write(to: URL(fileURLWithPath: path))
    let store = TokenStore(path: path)
    #expect(store.needsMigration())
    let names = try await store.migrate { _ in "alice@contoso.com" }
    #expect(names == ["alice@contoso.com"])
    #expect(!store.needsMigration())
    let (all, defaultKey) = try store.accounts()
    #expect(all.count == 1)
    #expect(all.first?.accountName == "alice@contoso.com")
    #expect(all.first?.refreshToken == "rt" && all.first?.accessToken == "at-none")
    #expect(defaultKey == all.first?.account)
    let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]
    #expect((mode as? NSNumber)?.intValue == 0o600)
    // A second run finds nothing to do and asks for no name.
    #expect(
      try await store.migrate { _ in
        Issue.record("asked again"); return nil
      } == [])
  }

  @Test func anAccountWithoutAUsernameIsNamedDefault() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = TokenStore(path: directory.path + "/tokens.json")
    try store.save(Self.tokens(nil))
    try await store.migrate { _ in nil }
    #expect(try store.accounts().all.map(\.accountName) == [TokenStore.unnamedAccount])
  }

  @Test func theIdTokensPreferredUsernameNamesTheAccount() {
    let payload = JWTClaims.base64URLEncode(
      Data(#"{"preferred_username":"alice@contoso.com","name":"Alice"}"#.utf8))
    #expect(JWTClaims.username(of: "e30.\(payload).sig") == "alice@contoso.com")
    #expect(JWTClaims.username(of: "not a token") == nil)
    let identity = AccountID(
      name: "Alice@Contoso.com", loginURL: Self.login, tenant: "common", clientID: "c")
    #expect(identity.storageKey.hasPrefix("alice_contoso.com-"))
    #expect(identity.storageKey.count == "alice_contoso.com-".count + 16)
  }
}
