import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import Testing

@Suite struct DeviceCodeSignInTests {
  @Test func reportsTheCodeThenEachPollAndSavesTheTokens() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try await withLiveEmulator({
      $0.token = nil
      $0.deviceCodeInterval = 2
      $0.autoApproveAfterPolls = 1
    }) { emulator, transport in
      let clock = ManualClock()
      let identity = IdentityClient(
        loginBaseURL: emulator.loginBaseURL, tenant: "organizations", clientID: "test-client",
        transport: transport, clock: clock)
      let store = TokenStore(path: directory.path + "/tokens.json")
      let signIn = DeviceCodeSignIn(
        identity: identity, graphURL: emulator.graphBaseURL, store: store)
      let reports = Mutex<[DeviceCodeSignIn.Progress]>([])
      let stored = try await signIn.run { progress in reports.withLock { $0.append(progress) } }

      let seen = reports.withLock { $0 }
      guard case .prompt(let code) = seen.first else {
        Issue.record("the code was not reported first: \(seen)")
        return
      }
      #expect(!code.userCode.isEmpty)
      #expect(code.verificationURI.hasPrefix("http://127.0.0.1"))
      #expect(Array(seen.dropFirst()) == [.polled("authorization_pending")])
      #expect(clock.sleeps == [.seconds(2), .seconds(2)])
      #expect(stored.graphURL == emulator.graphBaseURL)
      #expect(stored.clientID == "test-client" && stored.tenant == "organizations")
      let saved = try store.load(stored.account)
      #expect(saved?.accessToken == stored.accessToken)
      #expect(saved?.refreshToken == stored.refreshToken && stored.refreshToken != nil)
      // The saved token works against Graph.
      let graph = try emulator.session(
        transport, tokens: StaticTokenProvider(token: stored.accessToken))
      #expect(try await graph.lists().all().count > 0)
    }
  }

  @Test func aDeclinedSignInSavesNothing() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try await withLiveEmulator({
      $0.token = nil
      $0.faults = try FaultPlan(specs: ["token#1=oauth:error=authorization_declined"])
    }) { emulator, transport in
      let identity = IdentityClient(
        loginBaseURL: emulator.loginBaseURL, clientID: "test-client", transport: transport,
        clock: ManualClock())
      let store = TokenStore(path: directory.path + "/tokens.json")
      let signIn = DeviceCodeSignIn(
        identity: identity, graphURL: emulator.graphBaseURL, store: store)
      await #expect(throws: GraphError.self) { _ = try await signIn.run() }
      let saved = try store.all()
      #expect(saved.isEmpty)
    }
  }
}
