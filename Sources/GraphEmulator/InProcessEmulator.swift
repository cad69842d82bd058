import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore

/// The emulator without a socket: each request goes straight to the handler, as Hummingbird's
/// own router tests do. Answers are the ones the server writes, minus what only a connection
/// does (`100 Continue`, resets and drops).
public struct InProcessEmulator: Sendable {
  /// One answer: status, headers and body.
  public struct Reply: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
      headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
  }

  /// Thrown where the server would close the connection without answering.
  public struct ConnectionDropped: Error, Sendable {}

  /// e.g. `http://emulator.test/v1.0`; links in answers point here.
  public let graphBaseURL: String
  /// e.g. `http://emulator.test`; `/{tenant}/oauth2/v2.0/devicecode|token` follow.
  public let loginBaseURL: String
  /// The state behind the API, with hooks for tests.
  public let store: EmulatorStore
  private let handler: Handler
  private let authority: String

  /// An emulator with `options`; answers name `authority` as the server's host.
  public init(_ options: EmulatorOptions, authority: String = "emulator.test") throws {
    store = try EmulatorStore(options: options)
    handler = Handler(store: store, options: options)
    self.authority = authority
    loginBaseURL = "http://\(authority)"
    graphBaseURL = "http://\(authority)/v1.0"
  }

  /// Answers one request. `target` is an absolute URL or a path with its query; a body gets
  /// a `Content-Length`, as any client sends, unless `headers` already has one.
  public func send(
    _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil
  ) async throws -> Reply {
    let (requestAuthority, path) = Self.split(target, defaultAuthority: authority)
    var fields = HTTPFields()
    for (name, value) in headers {
      guard let field = HTTPField.Name(name) else { continue }
      fields.append(HTTPField(name: field, value: value))
    }
    if let body, fields[.contentLength] == nil { fields[.contentLength] = String(body.count) }
    let head = HTTPRequest(
      method: HTTPRequest.Method(rawValue: method) ?? .get, scheme: nil,
      authority: requestAuthority,
      path: path, headerFields: fields)
    let request = Request(
      head: head, body: RequestBody(buffer: ByteBuffer(bytes: body ?? [])))
    switch await handler.handle(request, wire: NoWire(), close: {}) {
    case .dropped: throw ConnectionDropped()
    case .respond(let answer):
      var headers = answer.response.headers
      // The server sends no length with a 204 (RFC 9110 §8.6).
      if answer.status == .noContent, answer.headers[.contentLength] == nil {
        headers[.contentLength] = nil
      }
      return Reply(
        status: answer.status.code, headers: headers.map { ($0.name.rawName, $0.value) },
        body: Data(answer.body ?? []))
    }
  }

  /// `http://host:port/path?query` → (`host:port`, `/path?query`); a bare path keeps `authority`.
  static func split(_ target: String, defaultAuthority: String) -> (String, String) {
    guard let scheme = target.range(of: "://") else { return (defaultAuthority, target) }
    let rest = target[scheme.upperBound...]
    guard let slash = rest.firstIndex(of: "/") else { return (String(rest), "/") }
    return (String(rest[..<slash]), String(rest[slash...]))
  }
}
