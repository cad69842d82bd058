import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import TestSupport
import Testing

@testable import UploadEngine

/// chunk_sent coverage after guessed offsets and lost final answers, and transient sign-in
/// failures during an upload, against the emulator.
@Suite(.serialized) struct TransientFailureTests {
  @Test(arguments: [
    (800_000, "put#2=commit-drop"), (600_000, "put#2=commit-drop"),
    (600_000, "put#3=commit-drop"),
  ])
  func chunkSentCoversTheWholeFileWithoutStatusGet(size: Int, fault: String) async throws {
    try await withRig(emulator: {
      $0.statusGet = false
      $0.faults = try FaultPlan(specs: [fault])
    }) { rig in
      let path = try rig.file("data.bin", EmulatorFixture.bytes(size, seed: 31))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      let outcome = await rig.coordinator.waitUntilSettled()[id]
      guard case .completed = outcome else {
        Issue.record("not completed: \(String(describing: outcome))")
        return
      }
      _ = await rig.log.first(where: isCompleted)
      let chunks: [(start: Int64, end: Int64, next: Int64)] = await rig.log.events.compactMap {
        if case .chunkSent(_, let start, let end, let next) = $0 { return (start, end, next) }
        return nil
      }
      var expected: Int64 = 0
      for chunk in chunks {
        #expect(chunk.start == expected, "chunk_sent \(chunk) after \(expected)")
        #expect(chunk.end == chunk.next - 1)
        expected = chunk.next
      }
      #expect(chunks.last?.end == Int64(size) - 1)
      #expect(chunks.last?.next == Int64(size))
    }
  }

  @Test(arguments: ["oauth:error=temporarily_unavailable", "503"])
  func transientSignInFailureIsRetriedNotAnAuthenticationFailure(fault: String) async throws {
    let tokens = DeferredTokenProvider()
    try await withRig(
      emulator: {
        $0.token = nil
        // Two refreshes in a row fail (each tried twice), the third succeeds.
        $0.faults = try FaultPlan(specs: ["token#1-4=\(fault)"])
      }, tokens: tokens
    ) { rig in
      let identity = IdentityClient(
        loginBaseURL: rig.emulator.loginBaseURL, clientID: "test-client", transport: rig.live,
        refreshRetryPolicy: RetryPolicy(maxRetries: 1, baseDelay: 0.01, maxDelay: 0.02))
      let pair = await rig.emulator.store.issueToken()
      // A token about to expire: the engine must refresh before its first request.
      let stored = identity.stored(
        TokenResponse(
          accessToken: pair.access, refreshToken: pair.refresh, expiresIn: 10, scope: nil),
        graphURL: rig.emulator.graphBaseURL)
      tokens.set(RefreshingTokenProvider(tokens: stored, identity: identity, store: nil))
      let path = try rig.file("a.bin", EmulatorFixture.bytes(300_000, seed: 32))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      let outcome = await rig.coordinator.waitUntilSettled()[id]
      guard case .completed = outcome else {
        Issue.record("expected completion, got \(String(describing: outcome))")
        return
      }
      let tokenCalls = await rig.requests().filter { $0.path.hasSuffix("/token") }
      #expect(tokenCalls.count == 5)
      #expect(
        await rig.log.events.contains {
          if case .retry = $0 { true } else { false }
        })
    }
  }
}

/// Forwards to a provider that can only be built once the emulator is running.
final class DeferredTokenProvider: AccessTokenProvider {
  private let inner = Mutex<(any AccessTokenProvider)?>(nil)

  func set(_ provider: any AccessTokenProvider) { inner.withLock { $0 = provider } }

  private var provider: any AccessTokenProvider {
    get throws {
      guard let provider = inner.withLock({ $0 }) else {
        throw GraphError.authentication("no token provider yet")
      }
      return provider
    }
  }

  func accessToken() async throws -> String { try await provider.accessToken() }

  func refresh(after rejected: String) async throws -> String {
    try await provider.refresh(after: rejected)
  }
}
