import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Logging
import Synchronization
import Testing

@Suite struct AuthTests {
  func identity(
    _ emulator: GraphEmulator, _ transport: any HTTPTransport, clock: ManualClock,
    logger: Logger? = nil
  ) -> IdentityClient {
    IdentityClient(
      loginBaseURL: emulator.loginBaseURL, tenant: "organizations", clientID: "test-client",
      transport: transport,
      logger: logger ?? Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
      clock: clock)
  }

  @Test func deviceCodeSignInPendingSlowDownApproved() async throws {
    try await withLiveEmulator({
      $0.token = nil
      $0.deviceCodeInterval = 2
      $0.autoApproveAfterPolls = 2
      $0.faults = try FaultPlan(specs: ["token#2=oauth:error=slow_down"])
    }) { emulator, transport in
      let clock = ManualClock()
      let auth = identity(emulator, transport, clock: clock)
      let code = try await auth.requestDeviceCode()
      #expect(!code.userCode.isEmpty)
      #expect(code.verificationURI.hasPrefix("http://127.0.0.1"))
      let outcomes = ProgressStrings()
      let tokens = try await auth.pollForTokens(code, onPoll: { outcomes.add($0) })
      #expect(outcomes.values == ["authorization_pending", "slow_down", "authorization_pending"])
      // The interval starts at 2 s and grows by 5 s after slow_down.
      #expect(clock.sleeps == [.seconds(2), .seconds(2), .seconds(7), .seconds(7)])
      #expect(tokens.refreshToken != nil)
      let requests = await emulator.store.requestLog()
      #expect(requests.filter { $0.path.hasSuffix("/token") }.count == 4)
      #expect(requests.allSatisfy { $0.path.hasPrefix("/organizations/") })
      // The issued token works against Graph.
      let graph = try emulator.session(
        transport, tokens: StaticTokenProvider(token: tokens.accessToken))
      #expect(try await graph.lists().all().count > 0)
    }
  }

  @Test(arguments: [("decline", "declined"), ("expired_token", "expired")])
  func signInStopsOnDeclineOrExpiry(fault: String, wording: String) async throws {
    try await withLiveEmulator({
      $0.token = nil
      $0.faults = try FaultPlan(specs: [
        "token#2=oauth:error=\(fault == "decline" ? "authorization_declined" : fault)"
      ])
    }) { emulator, transport in
      let clock = ManualClock()
      let auth = identity(emulator, transport, clock: clock)
      let code = try await auth.requestDeviceCode()
      do {
        _ = try await auth.pollForTokens(code)
        Issue.record("expected a sign-in failure")
      } catch let GraphError.authentication(text) {
        #expect(text.contains(wording))
      }
      #expect(clock.sleeps.count == 2)
    }
  }

  @Test func unknownDeviceCodeStops() async throws {
    try await withLiveEmulator({ $0.token = nil }) { emulator, transport in
      let auth = identity(emulator, transport, clock: ManualClock())
      let bogus = DeviceCodeResponse(
        userCode: "X", deviceCode: "nope", verificationURI: "http://x", expiresIn: 900,
        interval: 1, message: nil)
      await #expect(throws: GraphError.self) { _ = try await auth.pollForTokens(bogus) }
    }
  }

  @Test func unauthorizedRefreshesRotatesAndPersistsTheRefreshToken() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try await withLiveEmulator({
      $0.token = nil
      $0.revokeUsedRefreshTokens = true
    }) { emulator, transport in
      let pair = await emulator.store.issueToken()
      let store = TokenStore(path: directory.path + "/state/tack/tokens.json")
      let auth = identity(emulator, transport, clock: ManualClock())
      let initial = auth.stored(
        TokenResponse(
          accessToken: pair.access, refreshToken: pair.refresh, expiresIn: 3600, scope: nil),
        graphURL: emulator.graphBaseURL)
      try store.save(initial)
      let provider = RefreshingTokenProvider(tokens: initial, identity: auth, store: store)
      await emulator.store.expireAccessTokens()
      let graph = try emulator.session(transport, tokens: provider)
      let lists = try await graph.lists().all()
      #expect(!lists.isEmpty)
      let statuses = await emulator.store.requestLog().map(\.status)
      #expect(statuses == [401, 200, 200])  // lists, token, lists again
      let saved = try #require(try store.load(initial.account))
      #expect(saved.refreshToken != pair.refresh)
      #expect(saved.accessToken != pair.access)
      #expect(saved.refreshToken == (await provider.current).refreshToken)
      // The rotated token is the one that works now: the old one was revoked on use.
      let again = try await auth.refresh(refreshToken: try #require(saved.refreshToken))
      #expect(!again.accessToken.isEmpty)
      await #expect(throws: GraphError.self) {
        _ = try await auth.refresh(refreshToken: pair.refresh)
      }
    }
  }

  @Test func transientRefreshFailuresAreRetriedHonouringRetryAfter() async throws {
    try await withLiveEmulator({
      $0.token = nil
      $0.faults = try FaultPlan(specs: [
        "token#1=503:retry-after=2", "token#2=oauth:error=temporarily_unavailable",
      ])
    }) { emulator, transport in
      let pair = await emulator.store.issueToken()
      let clock = ManualClock()
      let auth = identity(emulator, transport, clock: clock)
      let answer = try await auth.refresh(refreshToken: pair.refresh)
      #expect(!answer.accessToken.isEmpty)
      #expect(clock.sleeps.count == 2)
      #expect(clock.sleeps.first == .seconds(2))
      let tokenCalls = await emulator.store.requestLog().filter { $0.path.hasSuffix("/token") }
      #expect(tokenCalls.map(\.status).last == 200)
      #expect(tokenCalls.count == 3)
    }
  }

  @Test(arguments: ["oauth:error=temporarily_unavailable", "503", "429"])
  func persistentTransientRefreshFailureIsNotAnAuthenticationError(fault: String) async throws {
    try await withLiveEmulator({
      $0.token = nil
      $0.faults = try FaultPlan(specs: ["token#*=\(fault)"])
    }) { emulator, transport in
      let pair = await emulator.store.issueToken()
      let clock = ManualClock()
      let auth = identity(emulator, transport, clock: clock)
      do {
        _ = try await auth.refresh(refreshToken: pair.refresh)
        Issue.record("expected the refresh to fail")
      } catch GraphError.transport(.other(let text)) {
        #expect(text.contains("temporarily unavailable"))
      } catch {
        Issue.record("expected a transport error, got \(error)")
      }
      #expect(clock.sleeps.count == auth.refreshRetryPolicy.maxRetries)
      let tokenCalls = await emulator.store.requestLog().filter { $0.path.hasSuffix("/token") }
      #expect(tokenCalls.count == auth.refreshRetryPolicy.maxRetries + 1)
    }
  }

  @Test func revokedGrantIsNotRetried() async throws {
    try await withLiveEmulator({
      $0.token = nil
      $0.faults = try FaultPlan(specs: ["token#*=oauth:error=invalid_grant"])
    }) { emulator, transport in
      let clock = ManualClock()
      let auth = identity(emulator, transport, clock: clock)
      await #expect(throws: GraphError.self) { _ = try await auth.refresh(refreshToken: "rt") }
      #expect(clock.sleeps.isEmpty)
    }
  }

  @Test func tokenNearExpiryIsRefreshedBeforeUse() async throws {
    try await withLiveEmulator({ $0.token = nil }) { emulator, transport in
      let pair = await emulator.store.issueToken()
      let auth = identity(emulator, transport, clock: ManualClock())
      let nearlyExpired = auth.stored(
        TokenResponse(
          accessToken: pair.access, refreshToken: pair.refresh, expiresIn: 60, scope: nil),
        graphURL: emulator.graphBaseURL)
      let provider = RefreshingTokenProvider(tokens: nearlyExpired, identity: auth, store: nil)
      let token = try await provider.accessToken()
      #expect(token != pair.access)
      #expect(await emulator.store.requestLog().map(\.path).last?.hasSuffix("/token") == true)
    }
  }

  @Test func tokenFileIsMode0600AndReplacedAtomically() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/state/tack/tokens.json"
    let store = TokenStore(path: path)
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    var tokens = StoredTokens(
      accessToken: "at-1", refreshToken: "rt-1", expiresAt: now, scope: "Tasks.ReadWrite",
      clientID: "c", tenant: "common", loginURL: "https://login.microsoftonline.com",
      graphURL: "https://graph.microsoft.com/v1.0", obtainedAt: now)
    try store.save(tokens)
    tokens.refreshToken = "rt-2"
    try store.save(tokens)
    var other = tokens
    other.loginURL = "http://127.0.0.1:1"
    try store.save(other)
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    let directoryMode =
      try FileManager.default.attributesOfItem(
        atPath: (path as NSString).deletingLastPathComponent)[.posixPermissions] as? NSNumber
    #expect(directoryMode?.intValue == 0o700)
    #expect(try store.load(tokens.account)?.refreshToken == "rt-2")
    #expect(try store.all().count == 2)
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: (path as NSString).deletingLastPathComponent)
    #expect(leftovers == ["tokens.json"])
    #expect(try store.remove(tokens.account))
    #expect(try store.load(tokens.account) == nil)
    #expect(try store.remove(other.account))
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func tokensNeverReachTheLogFile() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let logFile = try LogFile(path: directory.path + "/tack.log")
    let logger = FileLogHandler.logger(label: "tack", file: logFile, level: .trace)
    try await withLiveEmulator({
      $0.token = nil
      $0.deviceCodeInterval = 1
      $0.autoApproveAfterPolls = 1
      $0.faults = try FaultPlan(specs: ["get#1=401", "get#2=429:retry-after=0.01"])
    }) { emulator, transport in
      let store = TokenStore(path: directory.path + "/tokens.json")
      let auth = identity(emulator, transport, clock: ManualClock(), logger: logger)
      let code = try await auth.requestDeviceCode()
      let answer = try await auth.pollForTokens(code)
      let stored = auth.stored(answer, graphURL: emulator.graphBaseURL)
      try store.save(stored)
      let provider = RefreshingTokenProvider(tokens: stored, identity: auth, store: store)
      let graph = try emulator.session(transport, tokens: provider, logger: logger)
      _ = try await graph.lists().all()
      let final = await provider.current
      let log = try String(contentsOfFile: logFile.path, encoding: .utf8)
      #expect(log.contains("request-id="))
      #expect(log.contains("client-request-id="))
      for secret in [
        answer.accessToken, answer.refreshToken ?? "-", final.accessToken,
        final.refreshToken ?? "-",
        code.deviceCode,
      ] {
        #expect(!log.contains(secret))
      }
    }
  }

  @Test func redactionMasksBearerAndFormFields() {
    let line = "Authorization: Bearer abc.def x access_token=123&refresh_token=456 device_code=789"
    let masked = FileLogHandler.redact(line)
    for secret in ["abc.def", "123", "456", "789"] { #expect(!masked.contains(secret)) }
  }

  @Test(arguments: ["china", "CN", "21Vianet"])
  func chinaCloudIsRefusedWithAReason(name: String) {
    #expect {
      _ = try GraphCloud.parse(name)
    } throws: { error in
      String(describing: error).contains("not available")
    }
  }

  @Test func cloudsMapToTheirHosts() throws {
    #expect(try GraphCloud.parse("usgov").graphBaseURL == "https://graph.microsoft.us/v1.0")
    #expect(try GraphCloud.parse("dod").graphBaseURL == "https://dod-graph.microsoft.us/v1.0")
    #expect(try GraphCloud.parse("dod").loginBaseURL == "https://login.microsoftonline.us")
    #expect(try GraphCloud.parse("global").loginBaseURL == "https://login.microsoftonline.com")
  }

  @Test(arguments: [
    "common", "organizations", "consumers", "contoso.onmicrosoft.com",
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
  ])
  func tenantsAccepted(tenant: String) throws {
    _ = try Tenant.validate(tenant)
  }

  @Test(arguments: ["", "a/b", "common/../x", "nodot"])
  func tenantsRejected(tenant: String) {
    #expect(throws: GraphError.self) { _ = try Tenant.validate(tenant) }
  }
}

/// Collects strings reported from another task.
final class ProgressStrings: Sendable {
  private let state = Synchronization.Mutex<[String]>([])
  func add(_ value: String) { state.withLock { $0.append(value) } }
  var values: [String] { state.withLock { $0 } }
}

/// Two processes (here two providers) sharing one token cache, on an identity service that
/// revokes a refresh token once used: neither may strand the other.
@Suite struct SharedTokenCacheTests {
  @Test func twoProvidersSharingOneCacheBothKeepWorking() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try await withLiveEmulator({
      $0.token = nil
      $0.revokeUsedRefreshTokens = true
    }) { emulator, transport in
      let pair = await emulator.store.issueToken()
      let store = TokenStore(path: directory.path + "/state/tack/tokens.json")
      let auth = AuthTests().identity(emulator, transport, clock: ManualClock())
      let initial = auth.stored(
        TokenResponse(
          accessToken: pair.access, refreshToken: pair.refresh, expiresIn: 3600, scope: nil),
        graphURL: emulator.graphBaseURL)
      try store.save(initial)
      let first = RefreshingTokenProvider(tokens: initial, identity: auth, store: store)
      let second = RefreshingTokenProvider(tokens: initial, identity: auth, store: store)
      let graphs = [
        try emulator.session(transport, tokens: first),
        try emulator.session(transport, tokens: second),
      ]
      for round in 0..<3 {
        await emulator.store.expireAccessTokens()
        // One refreshes (rotating and revoking the refresh token both hold); the other
        // must pick the new tokens up from the cache rather than redeem the revoked one.
        for graph in round % 2 == 0 ? graphs : graphs.reversed() {
          #expect(try await !graph.lists().all().isEmpty)
        }
      }
      let tokenCalls = await emulator.store.requestLog().filter { $0.path.hasSuffix("/token") }
      #expect(tokenCalls.count == 3, "one refresh per expiry, not one per provider")
      #expect(tokenCalls.allSatisfy { $0.status == 200 })
      let saved = try #require(try store.load(initial.account))
      for provider in [first, second] {
        #expect(saved.accessToken == (await provider.current).accessToken)
        #expect(saved.refreshToken == (await provider.current).refreshToken)
      }
    }
  }
}
