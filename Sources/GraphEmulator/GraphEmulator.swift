import Foundation
import GraphModels
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix

/// A running Graph emulator: a real HTTP server on loopback serving the To Do subset of
/// Microsoft Graph and the identity platform's device-code endpoints.
public final class GraphEmulator: Sendable {
  /// e.g. `http://127.0.0.1:43127/v1.0`
  public let graphBaseURL: String
  /// e.g. `http://127.0.0.1:43127`; `/{tenant}/oauth2/v2.0/devicecode|token` follow.
  public let loginBaseURL: String
  public let port: Int
  /// The state behind the API, with hooks for tests.
  public let store: EmulatorStore
  /// This run's secret for the approval hook (`EmulatorOptions.hookSecret`).
  public let hookSecret: String
  private let task: Task<Void, any Error>

  private init(
    port: Int, host: String, hookSecret: String, store: EmulatorStore,
    task: Task<Void, any Error>
  ) {
    self.port = port
    self.hookSecret = hookSecret
    let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    self.graphBaseURL = "http://\(authority)/v1.0"
    self.loginBaseURL = "http://\(authority)"
    self.store = store
    self.task = task
  }

  /// Starts the server and returns once it accepts connections.
  public static func start(_ options: EmulatorOptions, logger: Logger? = nil) async throws
    -> GraphEmulator
  {
    let store = try EmulatorStore(options: options)
    let handler = Handler(store: store, options: options)
    var log = logger ?? Logger(label: "tack.emulator")
    if logger == nil { log.logLevel = .critical }
    let ports = AsyncStream<Int>.makeStream()
    let server = try HTTPServerBuilder.http1().buildServer(
      configuration: ServerConfiguration(address: .hostname(options.host, port: options.port)),
      eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
      logger: log,
      responder: { request, writer, channel in
        let outcome = await handler.handle(request, wire: writer) { try? await channel.close() }
        if case .respond(let answer) = outcome {
          let response = answer.response
          try await writer.write(response: response.head, body: response.body)
        }
      },
      onServerRunning: { channel in
        ports.continuation.yield(channel.localAddress?.port ?? 0)
        ports.continuation.finish()
      })
    let task = Task {
      defer { ports.continuation.finish() }
      try await server.run()
    }
    var iterator = ports.stream.makeAsyncIterator()
    guard let port = await iterator.next(), port > 0 else {
      task.cancel()
      let reason: String
      do {
        try await task.value
        reason = "the server stopped at once"
      } catch {
        reason = "\(error)"
      }
      throw EmulatorError.startFailed("cannot listen on \(options.host):\(options.port): \(reason)")
    }
    return GraphEmulator(
      port: port, host: options.host, hookSecret: options.hookSecret, store: store, task: task)
  }

  /// Stops accepting connections and ends open ones.
  public func stop() async {
    task.cancel()
    _ = try? await task.value
  }

  /// Waits until the server stops (by `stop()` or an error).
  public func wait() async throws {
    try await task.value
  }
}

extension GraphEmulator {
  /// The seed data compiled into the binary (a copy of `Assets/seed.json`).
  public static var seedJSON: String { Seed.embeddedJSON }
}
