import AgentProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The agent's socket: a NIOPosix Unix-domain server on the event loop group the HTTP client
/// already uses (AsyncHTTPClient's default group is `NIOSingletons.posixEventLoopGroup`). Run it
/// in a `ServiceGroup`: a graceful shutdown (SIGTERM, SIGINT) pauses every upload and exits.
public struct AgentServer: Service {
  let core: AgentCore
  let logger: Logger

  public init(core: AgentCore) {
    self.core = core
    self.logger = core.logger
  }

  /// One accepted connection and who made it.
  struct Accepted: Sendable, NIOChannelReference {
    var peer: PeerCredentials?
    var connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    var channel: any Channel { connection.channel }
  }

  /// Runs the server in a `ServiceGroup` that turns SIGTERM and SIGINT into a graceful
  /// shutdown; returns once the agent has paused its uploads and stopped.
  public func runUntilStopped() async throws {
    let group = ServiceGroup(
      configuration: ServiceGroupConfiguration(
        services: [
          // The agent ending by itself (quiet, or `tack agent stop`) is a normal exit.
          ServiceGroupConfiguration.ServiceConfiguration(
            service: self, successTerminationBehavior: .gracefullyShutdownGroup)
        ], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
  }

  public func run() async throws {
    let paths = core.settings.paths
    // Uploads whose owner died resume at once, before any client can ask about them.
    await core.resumeAbandoned()
    let server = try await ServerBootstrap(group: NIOSingletons.posixEventLoopGroup)
      .serverChannelOption(.backlog, value: 64)
      .bind(unixDomainSocketPath: paths.socket, cleanupExistingSocketFile: true) { channel in
        PeerCredentials.of(channel).flatMapThrowing { peer in
          try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder()))
          let connection = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
            wrappingChannelSynchronously: channel)
          return Accepted(peer: peer, connection: connection)
        }
      }
    chmod(paths.socket, 0o600)
    logger.notice(
      "upload agent listening",
      metadata: ["socket": "\(paths.socket)", "pid": "\(getpid())"])
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await core.pumpEvents() }
      group.addTask { await accept(server) }
      await withGracefulShutdownHandler {
        await core.untilQuietOrStopped()
      } onGracefulShutdown: { [core] in
        Task { await core.requestStop() }
      }
      logger.notice("upload agent stopping: pausing its uploads (the journal is kept)")
      // New connections are refused from here; the clients still hear the pauses.
      unlink(paths.socket)
      await core.shutdown()
      await core.closeClients()
      group.cancelAll()
    }
    logger.notice("upload agent stopped")
  }

  private func accept(_ server: NIOAsyncChannel<Accepted, Never>) async {
    do {
      try await server.executeThenClose { inbound in
        try await withThrowingDiscardingTaskGroup { group in
          for try await accepted in inbound {
            group.addTask { await serve(accepted) }
          }
        }
      }
    } catch {
      logger.debug("the agent's listener ended", metadata: ["error": "\(error)"])
    }
  }

  private func serve(_ accepted: Accepted) async {
    guard let peer = accepted.peer, peer.uid == geteuid() else {
      logger.warning(
        "refused a connection from another user",
        metadata: [
          "uid": "\(accepted.peer.map { String($0.uid) } ?? "unknown")",
          "pid": "\(accepted.peer.map { String($0.pid) } ?? "unknown")",
        ])
      try? await accepted.connection.executeThenClose { _, outbound in
        let refusal = AgentFrame.refused(
          message: "this upload agent serves uid \(geteuid()) only")
        try await outbound.write(ByteBuffer(bytes: try AgentCodec.encode(refusal)))
      }
      return
    }
    let sink = await core.connect(accepted)
    do {
      try await accepted.connection.executeThenClose { inbound, outbound in
        try await withThrowingTaskGroup(of: Void.self) { group in
          group.addTask {
            for await line in sink.lines { try await outbound.write(ByteBuffer(bytes: line)) }
          }
          try await read(inbound, sink)
          sink.finish()
          try await group.waitForAll()
        }
      }
    } catch {
      logger.debug("a client left", metadata: ["error": "\(error)"])
    }
    await core.disconnect(sink.id)
  }

  /// Answers one client's frames until it leaves or breaks the protocol.
  private func read(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, _ sink: AgentClientSink)
    async throws
  {
    var greeted = false
    for try await line in inbound {
      let frame: AgentFrame
      do {
        frame = try AgentCodec.decode(line.readableBytesView)
      } catch {
        sink.send(.refused(message: "not a frame of this protocol: \(error.description)"))
        return
      }
      switch frame {
      case .hello(let hello):
        let answer = await core.welcome(hello)
        sink.send(answer)
        if case .refused = answer { return }
        greeted = true
      case .request(let request) where greeted:
        sink.send(.reply(await core.handle(request, client: sink.id)))
      default:
        sink.send(.refused(message: "send a hello first"))
        return
      }
    }
  }
}
