import AgentProtocol
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Why a client could not talk to an agent.
public enum AgentClientError: Error, Sendable, CustomStringConvertible {
  /// No agent listens at the socket (missing, or stale).
  case notRunning(String)
  /// The agent answered the hello with a refusal; its message says what to do.
  case refused(String)
  /// The agent closed the connection or broke the protocol.
  case disconnected(String)

  public var description: String {
    switch self {
    case .notRunning(let detail): return "no upload agent is running (\(detail))"
    case .refused(let message): return message
    case .disconnected(let detail): return "the upload agent went away (\(detail))"
    }
  }
}

/// Sends requests on an open connection; safe to use from any task (a signal handler's pause).
public struct AgentSender: Sendable {
  let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
  private let counter = Counter()

  private final class Counter: Sendable {
    let next = Mutex(0)
  }

  init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
    self.outbound = outbound
  }

  /// Sends `request` with a fresh id; returns that id (its reply carries it).
  @discardableResult
  public func send(
    _ operation: AgentOperation, configure: (inout AgentRequest) -> Void = { _ in }
  ) async throws -> Int {
    let id = counter.next.withLock { value -> Int in
      value += 1
      return value
    }
    var request = AgentRequest(id: id, operation: operation)
    configure(&request)
    try await outbound.write(ByteBuffer(bytes: try AgentCodec.encode(.request(request))))
    return id
  }
}

/// An open, greeted connection: `next()` reads the agent's frames in order.
public final class AgentConnection {
  public let welcome: AgentWelcome
  public let sender: AgentSender
  private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator

  init(
    welcome: AgentWelcome, sender: AgentSender,
    iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
  ) {
    self.welcome = welcome
    self.sender = sender
    self.iterator = iterator
  }

  /// The next frame, or nil when the agent closed the connection.
  public func next() async throws -> AgentFrame? {
    guard let line = try await iterator.next() else { return nil }
    do {
      return try AgentCodec.decode(line.readableBytesView)
    } catch {
      throw AgentClientError.disconnected(error.description)
    }
  }

  /// Sends `operation` and returns its reply, handing every other frame met on the way to
  /// `other`.
  public func request(
    _ operation: AgentOperation, configure: (inout AgentRequest) -> Void = { _ in },
    other: (AgentFrame) -> Void = { _ in }
  ) async throws -> AgentReply {
    let id = try await sender.send(operation, configure: configure)
    while let frame = try await next() {
      if case .reply(let reply) = frame, reply.id == id { return reply }
      other(frame)
    }
    throw AgentClientError.disconnected("no reply")
  }
}

/// The client side of the agent's socket.
public enum AgentClient {
  /// Connects to the agent at `socket`, says hello, and runs `body` with the open connection.
  public static func withConnection<T: Sendable>(
    socket: String, hello: AgentHello,
    _ body: (AgentConnection) async throws -> T
  ) async throws -> T {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    do {
      channel = try await ClientBootstrap(group: NIOSingletons.posixEventLoopGroup)
        .connect(unixDomainSocketPath: socket) { channel in
          channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(
              ByteToMessageHandler(LineFrameDecoder()))
            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
              wrappingChannelSynchronously: channel)
          }
        }
    } catch {
      throw AgentClientError.notRunning("\(error)")
    }
    return try await channel.executeThenClose { inbound, outbound in
      try await outbound.write(ByteBuffer(bytes: try AgentCodec.encode(.hello(hello))))
      var iterator = inbound.makeAsyncIterator()
      let first: AgentFrame?
      do {
        first = try await iterator.next().map { try AgentCodec.decode($0.readableBytesView) }
      } catch {
        throw AgentClientError.disconnected("\(error)")
      }
      switch first {
      case .welcome(let welcome):
        let connection = AgentConnection(
          welcome: welcome, sender: AgentSender(outbound: outbound), iterator: iterator)
        return try await body(connection)
      case .refused(let message):
        throw AgentClientError.refused(message)
      default:
        throw AgentClientError.disconnected("no welcome")
      }
    }
  }
}
