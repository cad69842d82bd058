import Foundation
import GraphModels

/// What an HTTP request sends as its body.
public enum HTTPBody: Sendable {
  /// Bytes held in memory (small JSON bodies).
  case bytes(Data)
  /// `length` bytes of the file at `path` from `offset`, read from disk for every attempt so a
  /// retry never re-reads a consumed stream and the whole file is never in memory.
  case file(path: String, offset: Int64, length: Int64)
  /// An upload chunk, let go of once written (`ChunkBytes`).
  case chunk(ChunkBytes)

  public var length: Int64 {
    switch self {
    case .bytes(let data): return Int64(data.count)
    case .chunk(let chunk): return Int64(chunk.count)
    case .file(_, _, let length): return length
    }
  }
}

/// One HTTP request as the Graph client builds it.
public struct HTTPRequest: Sendable {
  public var method: String
  public var url: String
  public var headers: [(name: String, value: String)]
  public var body: HTTPBody?
  /// Deadline for the response head; nil uses the transport's default.
  public var timeout: Duration?
  /// Admits the body's pieces onto the wire (a bandwidth cap); nil sends them as fast as the
  /// connection takes them.
  public var pacer: (any BodyPacer)?

  public init(
    method: String, url: String, headers: [(name: String, value: String)] = [],
    body: HTTPBody? = nil, timeout: Duration? = nil, pacer: (any BodyPacer)? = nil
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.timeout = timeout
    self.pacer = pacer
  }

  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// One HTTP response, with its body collected.
public struct HTTPResponse: Sendable {
  public var status: Int
  public var headers: [(name: String, value: String)]
  public var body: Data

  public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  /// The first header called `name`, matched without regard to case (HTTP/2 lowercases them).
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }
}

/// Failures below HTTP: no answer was received.
public enum TransportError: Error, Sendable, Equatable {
  case connectionRefused(host: String)
  case dnsFailure(host: String)
  case tlsFailure(host: String, detail: String)
  /// No response head before the deadline, or no bytes moving for the read timeout.
  case timedOut
  /// The connection closed before a whole response arrived.
  case connectionClosed
  case cancelled
  case invalidURL(String)
  /// A request body file could not be read.
  case bodyUnreadable(path: String, detail: String)
  /// The answer passed the transport's size limit; asking again would not make it smaller.
  case responseTooLarge(limit: Int)
  case other(String)

  /// True when the request may or may not have reached the server (ask before resending).
  public var isAmbiguous: Bool {
    switch self {
    case .timedOut, .connectionClosed, .cancelled, .other: return true
    case .connectionRefused, .dnsFailure, .tlsFailure, .invalidURL, .bodyUnreadable,
      .responseTooLarge:
      return false
    }
  }
}

/// Sends HTTP requests. The live implementation uses AsyncHTTPClient; tests may substitute.
public protocol HTTPTransport: Sendable {
  /// Sends `request`; `progress` is told the body bytes written to the socket so far.
  /// Cancelling the calling task cancels the request promptly.
  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
}

extension HTTPTransport {
  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    try await send(request, progress: nil)
  }
}

/// Supplies bearer tokens; refreshes when the server rejects one.
public protocol AccessTokenProvider: Sendable {
  /// A token valid for at least a little while (refreshing first when it is near expiry).
  func accessToken() async throws -> String
  /// Called after a 401 for `rejected`; returns a new token or throws an auth error.
  func refresh(after rejected: String) async throws -> String
}

/// A fixed token (from `TACK_ACCESS_TOKEN` or `--token`): no refresh possible.
public struct StaticTokenProvider: AccessTokenProvider {
  private let token: String

  public init(token: String) { self.token = token }

  public func accessToken() async throws -> String { token }

  public func refresh(after rejected: String) async throws -> String {
    throw GraphError.authentication(
      "the access token was rejected; TACK_ACCESS_TOKEN is fixed and cannot be refreshed")
  }
}
