import AsyncHTTPClient
import Foundation
import GraphModels
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Settings of the live transport. Defaults suit Graph over a real network and a loopback emulator.
public struct LiveHTTPTransportConfiguration: Sendable {
  /// How long to wait for a TCP (and TLS) connection.
  public var connectTimeout: Duration
  /// The longest silence from the server while a response is awaited or read (an idle
  /// deadline: a server dripping bytes slower than this is dropped).
  public var readTimeout: Duration
  /// Deadline for the whole exchange when a request sets none; upload PUTs set their own and
  /// rely on the idle deadline and the engine's stall watchdog.
  public var requestTimeout: Duration
  /// Responses larger than this are abandoned (`TransportError.other`).
  public var maxResponseBytes: Int
  /// File bodies are read and written in pieces of this many bytes.
  public var pieceSize: Int
  /// Proxy for `https` requests; `nil` sends everything directly.
  public var proxy: ProxySettings?
  /// A PEM file of extra trusted roots (tests with a private CA); nil uses the system roots only.
  public var additionalTrustRootsPEMFile: String?

  public init(
    connectTimeout: Duration = .seconds(2), readTimeout: Duration = .seconds(30),
    requestTimeout: Duration = .seconds(120), maxResponseBytes: Int = 64 << 20,
    pieceSize: Int = 64 << 10, proxy: ProxySettings? = nil,
    additionalTrustRootsPEMFile: String? = nil
  ) {
    self.connectTimeout = connectTimeout
    self.readTimeout = readTimeout
    self.requestTimeout = requestTimeout
    self.maxResponseBytes = maxResponseBytes
    self.pieceSize = pieceSize
    self.proxy = proxy
    self.additionalTrustRootsPEMFile = additionalTrustRootsPEMFile
  }

  /// The defaults, with the proxy taken from `HTTPS_PROXY`/`https_proxy` and `NO_PROXY`/`no_proxy`.
  public static func fromEnvironment(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> LiveHTTPTransportConfiguration {
    LiveHTTPTransportConfiguration(proxy: ProxySettings.fromEnvironment(environment))
  }
}

/// The `HTTPTransport` used in production: AsyncHTTPClient over SwiftNIO.
///
/// Plain `http` is refused except to loopback hosts. Redirects are never followed here (the
/// caller decides where a bearer token may go). Call `shutdown()` when done.
public final class LiveHTTPTransport: HTTPTransport {
  private let configuration: LiveHTTPTransportConfiguration
  private let direct: HTTPClient
  private let proxied: HTTPClient?
  /// Why a configured proxy could not be used; thrown for requests that would go through it.
  private let proxyProblem: String?
  private let isShutDown = Mutex(false)

  public init(configuration: LiveHTTPTransportConfiguration = .fromEnvironment()) {
    self.configuration = configuration
    let tls = Self.tlsConfiguration(configuration)
    direct = HTTPClient(
      eventLoopGroup: HTTPClient.defaultEventLoopGroup,
      configuration: Self.clientConfiguration(configuration, tls: tls, proxy: nil))
    var proxyProblem: String?
    var proxied: HTTPClient?
    if let settings = configuration.proxy {
      switch settings.clientProxy() {
      case .success(let proxy):
        proxied = HTTPClient(
          eventLoopGroup: HTTPClient.defaultEventLoopGroup,
          configuration: Self.clientConfiguration(configuration, tls: tls, proxy: proxy))
      case .failure(let problem):
        proxyProblem = problem.text
      }
    }
    self.proxied = proxied
    self.proxyProblem = proxyProblem
  }

  deinit {
    // A safety net for callers that forget `shutdown()`: AHC traps in debug builds when a
    // client is released while running. The task keeps the clients alive until they stop.
    if !isShutDown.withLock({ $0 }) {
      let clients = [direct] + (proxied.map { [$0] } ?? [])
      Task { for client in clients { try? await client.shutdown() } }
    }
  }

  /// Closes pooled connections. Further requests fail.
  public func shutdown() async {
    let already = isShutDown.withLock { value in
      defer { value = true }
      return value
    }
    if already { return }
    try? await direct.shutdown()
    if let proxied { try? await proxied.shutdown() }
  }

  public func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    let target = try Self.checkedTarget(request.url)
    if Task.isCancelled { throw TransportError.cancelled }
    let client = try client(for: target)
    if case .file(let path, let offset, let length) = request.body {
      try Self.checkReadable(path: path, offset: offset, length: length)
    }
    // The request's delegate loop; a file body ends on it (see `FinalPieceWriter`).
    let loop = client.eventLoopGroup.any()
    let producers = BodyProducers()
    defer { producers.cancelAll() }
    let ahcRequest: HTTPClient.Request
    do {
      ahcRequest = try HTTPClient.Request(
        url: request.url, method: HTTPMethod(rawValue: request.method.uppercased()),
        headers: Self.headers(request.headers),
        body: body(request.body, pacer: request.pacer, loop: loop, producers: producers))
    } catch {
      throw Self.transportError(error, host: target.host)
    }
    let collector = ResponseCollector(limit: configuration.maxResponseBytes, progress: progress)
    let timeout = request.timeout ?? configuration.requestTimeout
    let task = client.execute(
      request: ahcRequest, delegate: collector, eventLoop: .delegate(on: loop),
      deadline: .now() + Self.timeAmount(timeout))
    do {
      return try await withTaskCancellationHandler {
        try await task.futureResult.get()
      } onCancel: {
        task.cancel()
        producers.cancelAll()
      }
    } catch {
      if Task.isCancelled { throw TransportError.cancelled }
      throw Self.transportError(error, host: target.host)
    }
  }

  // MARK: Requests

  /// The scheme and host of a URL we are willing to contact.
  struct Target {
    var scheme: String
    var host: String
  }

  static func checkedTarget(_ url: String) throws -> Target {
    guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
      let host = URLHost.written(in: url)
    else { throw TransportError.invalidURL(url) }
    switch scheme {
    case "https": break
    case "http":
      guard LoopbackHost.isLoopback(host) else {
        throw TransportError.invalidURL(
          "\(url) (plain http is allowed only to loopback hosts; use https)")
      }
    default:
      throw TransportError.invalidURL(url)
    }
    return Target(scheme: scheme, host: LoopbackHost.bare(host))
  }

  private func client(for target: Target) throws -> HTTPClient {
    guard target.scheme == "https", !LoopbackHost.isLoopback(target.host),
      let settings = configuration.proxy, settings.appliesTo(host: target.host)
    else { return direct }
    if let proxyProblem { throw TransportError.other(proxyProblem) }
    return proxied ?? direct
  }

  /// Caller headers minus those AsyncHTTPClient derives from the body itself.
  static func headers(_ list: [(name: String, value: String)]) -> HTTPHeaders {
    var headers = HTTPHeaders()
    for (name, value) in list {
      switch name.lowercased() {
      case "content-length", "transfer-encoding", "host": continue
      default: headers.add(name: name, value: value)
      }
    }
    return headers
  }

  private func body(
    _ body: HTTPBody?, pacer: (any BodyPacer)?, loop: any EventLoop, producers: BodyProducers
  ) -> HTTPClient.Body? {
    let pieceSize = configuration.pieceSize
    switch body {
    case .none:
      return nil
    case .bytes(let data) where pacer != nil:
      // Each piece waits for the pacer (a bandwidth cap), so even a small body is streamed.
      guard let pacer else { return nil }
      return Self.pieces(length: Int64(data.count), loop: loop, producers: producers) { write in
        try await PacedBody.write(data, pieceSize: pieceSize, pacer: pacer, write)
      }
    case .chunk(let chunk):
      // Paced or not, piece by piece; the chunk's bytes go once the last piece is handed on.
      let pacer = pacer ?? Unpaced()
      return Self.pieces(length: Int64(chunk.count), loop: loop, producers: producers) { write in
        try await PacedBody.write(chunk, pieceSize: pieceSize, pacer: pacer, write)
      }
    case .bytes(let data):
      guard data.count > pieceSize else { return .bytes(data) }
      // A chunk in memory still goes out piece by piece, so progress (and the stall watchdog)
      // sees bytes move on a slow link; no file is touched.
      return .stream(contentLength: Int64(data.count)) { writer in
        Self.write(data, from: data.startIndex, pieceSize: pieceSize, to: writer)
      }
    case .file(let path, let offset, let length):
      return .stream(contentLength: length) { writer in
        FinalPieceWriter.stream(length: length, on: loop, into: writer, producers: producers) {
          writer in
          try await FileBodyStreamer.stream(
            path: path, offset: offset, length: length, pieceSize: pieceSize, pacer: pacer,
            writer: writer)
        }
      }
    }
  }

  /// A body of `length` bytes that `produce` hands over piece by piece, each written before the
  /// next is asked for, the last one ending on `loop` (`FinalPieceWriter`).
  private static func pieces(
    length: Int64, loop: any EventLoop, producers: BodyProducers,
    _ produce: @escaping @Sendable ((Data) async throws -> Void) async throws -> Void
  ) -> HTTPClient.Body {
    .stream(contentLength: length) { writer in
      FinalPieceWriter.stream(length: length, on: loop, into: writer, producers: producers) {
        writer in
        try await produce { piece in
          try await writer.write(.byteBuffer(ByteBuffer(bytes: piece))).get()
        }
      }
    }
  }

  /// Writes `data` from `start` in pieces, each after the previous one was written.
  private static func write(
    _ data: Data, from start: Data.Index, pieceSize: Int, to writer: HTTPClient.Body.StreamWriter
  ) -> EventLoopFuture<Void> {
    let end = min(start + pieceSize, data.endIndex)
    let written = writer.write(.byteBuffer(ByteBuffer(bytes: data[start..<end])))
    guard end < data.endIndex else { return written }
    return written.flatMap { write(data, from: end, pieceSize: pieceSize, to: writer) }
  }

  /// Fails before any network traffic when the body file cannot supply the range.
  static func checkReadable(path: String, offset: Int64, length: Int64) throws {
    guard offset >= 0, length >= 0 else {
      throw TransportError.bodyUnreadable(path: path, detail: "negative offset or length")
    }
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      throw TransportError.bodyUnreadable(path: path, detail: "cannot open the file")
    }
    let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
    guard size >= offset + length else {
      throw TransportError.bodyUnreadable(
        path: path, detail: "the file has \(size) bytes, fewer than \(offset + length)")
    }
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw TransportError.bodyUnreadable(path: path, detail: "permission denied")
    }
  }

  // MARK: Configuration

  private static func tlsConfiguration(_ configuration: LiveHTTPTransportConfiguration)
    -> TLSConfiguration
  {
    var tls = TLSConfiguration.makeClientConfiguration()
    if let file = configuration.additionalTrustRootsPEMFile {
      tls.additionalTrustRoots = [.file(file)]
    }
    return tls
  }

  private static func clientConfiguration(
    _ configuration: LiveHTTPTransportConfiguration, tls: TLSConfiguration,
    proxy: HTTPClient.Configuration.Proxy?
  ) -> HTTPClient.Configuration {
    var pool = HTTPClient.Configuration.ConnectionPool()
    // Fail at once on refused/DNS/TLS errors with the precise cause; our retry policy decides
    // whether to try again (AHC would otherwise retry silently until the connect timeout).
    pool.retryConnectionEstablishment = false
    var result = HTTPClient.Configuration(
      tlsConfiguration: tls, redirectConfiguration: .disallow,
      timeout: .init(
        connect: timeAmount(configuration.connectTimeout),
        read: timeAmount(configuration.readTimeout)),
      connectionPool: pool, proxy: proxy, decompression: .disabled)
    result.httpVersion = .automatic
    return result
  }

  static func timeAmount(_ duration: Duration) -> TimeAmount {
    let (seconds, attoseconds) = duration.components
    return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
  }

  // MARK: Errors

  /// Maps AsyncHTTPClient/NIO errors to the transport's own cases.
  static func transportError(_ error: any Error, host: String) -> TransportError {
    switch error {
    case let error as TransportError:
      return error
    case is CancellationError:
      return .cancelled
    case let error as ResponseTooLarge:
      return .responseTooLarge(limit: error.limit)
    case let error as HTTPClientError:
      return clientError(error, host: host)
    case let error as NIOConnectionError:
      if let first = error.connectionErrors.first {
        let mapped = error.connectionErrors.map { transportError($0.error, host: host) }
        if mapped.contains(.connectionRefused(host: host)) { return .connectionRefused(host: host) }
        return transportError(first.error, host: host)
      }
      if error.dnsAError != nil || error.dnsAAAAError != nil { return .dnsFailure(host: host) }
      return .other("cannot connect to \(host)")
    case let error as IOError:
      return ioError(error.errnoCode, host: host)
    case is SocketAddressError:
      return .dnsFailure(host: host)
    case let error as ChannelError:
      switch error {
      case .connectTimeout: return .timedOut
      case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
        return .connectionClosed
      default: return .other(String(describing: error))
      }
    case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
      return .tlsFailure(host: host, detail: tlsDetail(error))
    default:
      let text = String(describing: error)
      if text.contains("SSL") { return .tlsFailure(host: host, detail: tlsDetail(error)) }
      return .other(String(text.prefix(200)))
    }
  }

  private static func clientError(_ error: HTTPClientError, host: String) -> TransportError {
    switch error {
    case .cancelled, .requestStreamCancelled: return .cancelled
    case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
      .socksHandshakeTimeout, .httpProxyHandshakeTimeout, .getConnectionFromPoolTimeout:
      return .timedOut
    case .remoteConnectionClosed, .uncleanShutdown: return .connectionClosed
    case .invalidURL, .emptyHost, .emptyScheme: return .invalidURL(host)
    case .proxyAuthenticationRequired: return .other("the proxy requires authentication")
    case .invalidProxyResponse: return .other("the proxy refused the connection")
    case .alreadyShutdown: return .other("the HTTP client was shut down")
    default: return .other(String(String(describing: error).prefix(200)))
    }
  }

  private static func ioError(_ code: Int32, host: String) -> TransportError {
    switch code {
    case ECONNREFUSED: return .connectionRefused(host: host)
    case ECONNRESET, EPIPE, ECONNABORTED: return .connectionClosed
    case ETIMEDOUT: return .timedOut
    case ENETUNREACH, EHOSTUNREACH, ENETDOWN:
      return .other("no route to \(host) — check the network connection")
    default: return .other("cannot connect to \(host): \(String(cString: strerror(code)))")
    }
  }

  private static func tlsDetail(_ error: any Error) -> String {
    let text = String(describing: error)
    if text.contains("CERTIFICATE_VERIFY_FAILED") { return "the certificate is not trusted" }
    if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG")
      || text.contains("HTTP_REQUEST")
    {
      return "the server does not speak TLS on this port"
    }
    if text.contains("HOSTNAME") || text.contains("hostname") {
      return "the certificate does not match the host name"
    }
    return String(text.prefix(120))
  }
}

/// Thrown by the collector when a response body passes the configured cap.
struct ResponseTooLarge: Error {
  var limit: Int
}

/// Collects one response and reports body bytes as the socket accepts them.
private final class ResponseCollector: HTTPClientResponseDelegate {
  typealias Response = HTTPResponse

  private struct State {
    var sent: Int64 = 0
    var status = 0
    var headers: [(name: String, value: String)] = []
    var body = Data()
  }

  private let limit: Int
  private let progress: (@Sendable (Int64) -> Void)?
  private let state = Mutex(State())

  init(limit: Int, progress: (@Sendable (Int64) -> Void)?) {
    self.limit = limit
    self.progress = progress
  }

  func didSendRequestPart(task: HTTPClient.Task<HTTPResponse>, _ part: IOData) {
    let bytes = Int64(part.readableBytes)
    guard bytes > 0 else { return }
    let total = state.withLock { state in
      state.sent += bytes
      return state.sent
    }
    progress?(total)
  }

  func didReceiveHead(task: HTTPClient.Task<HTTPResponse>, _ head: HTTPResponseHead)
    -> EventLoopFuture<Void>
  {
    state.withLock { state in
      state.status = Int(head.status.code)
      state.headers = head.headers.map { (name: $0.name, value: $0.value) }
      state.body = Data()
    }
    return task.eventLoop.makeSucceededVoidFuture()
  }

  func didReceiveBodyPart(task: HTTPClient.Task<HTTPResponse>, _ buffer: ByteBuffer)
    -> EventLoopFuture<Void>
  {
    let fits = state.withLock { state in
      guard state.body.count + buffer.readableBytes <= limit else { return false }
      state.body.append(contentsOf: buffer.readableBytesView)
      return true
    }
    if !fits { return task.eventLoop.makeFailedFuture(ResponseTooLarge(limit: limit)) }
    return task.eventLoop.makeSucceededVoidFuture()
  }

  func didFinishRequest(task: HTTPClient.Task<HTTPResponse>) throws -> HTTPResponse {
    state.withLock { HTTPResponse(status: $0.status, headers: $0.headers, body: $0.body) }
  }
}
