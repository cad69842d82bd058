import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Logging

/// Runs `body` against a fresh emulator (seed `.small`, fixed token `test-token` unless
/// `configure` changes them) and a live transport, stopping both afterwards.
func withLiveEmulator<T: Sendable>(
  _ configure: (inout EmulatorOptions) throws -> Void = { _ in },
  _ body: (GraphEmulator, LiveHTTPTransport) async throws -> T
) async throws -> T {
  var options = EmulatorOptions()
  options.seed = .small
  options.token = "test-token"
  try configure(&options)
  let emulator = try await GraphEmulator.start(options)
  let transport = LiveHTTPTransport(configuration: LiveHTTPTransportConfiguration())
  do {
    let result = try await body(emulator, transport)
    await transport.shutdown()
    await emulator.stop()
    return result
  } catch {
    await transport.shutdown()
    await emulator.stop()
    throw error
  }
}

extension GraphEmulator {
  /// A session with the fixed test token and a manual clock.
  func session(
    _ transport: any HTTPTransport,
    tokens: any AccessTokenProvider = StaticTokenProvider(
      token: "test-token"),
    clock: ManualClock = ManualClock(), pageSize: Int = 100,
    logger: Logging.Logger? = nil
  ) throws -> GraphSession {
    if let logger {
      return try GraphSession(
        baseURL: graphBaseURL, tokens: tokens, transport: transport, logger: logger,
        pageSize: pageSize, clock: clock)
    }
    return try GraphSession(
      baseURL: graphBaseURL, tokens: tokens, transport: transport, pageSize: pageSize,
      clock: clock)
  }
}
