import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A plain HTTP client for tests that must send exactly what they choose (bad headers, no auth).
public enum RawHTTP {
  public struct Reply: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public func header(_ name: String) -> String? {
      headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// `error.code` of a Graph error body.
    public var errorCode: String? {
      (json["error"] as? [String: Any])?["code"] as? String
    }
  }

  public enum Failure: Error, Sendable {
    case connectionClosed
    case other(String)
  }

  /// Sends one request. `body` bytes are sent with an exact Content-Length unless overridden.
  public static func send(
    _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
    timeout: TimeAmount = .seconds(30)
  ) async throws -> Reply {
    var request = HTTPClientRequest(url: url)
    request.method = HTTPMethod(rawValue: method)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
      let declared = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) }
      request.body = .bytes(body, length: .known(Int64(declared ?? body.count)))
    }
    do {
      let response = try await HTTPClient.shared.execute(request, timeout: timeout)
      let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
      return Reply(
        status: Int(response.status.code),
        headers: response.headers.map { ($0.name, $0.value) },
        body: Data(collected.readableBytesView))
    } catch let error as HTTPClientError where error == .remoteConnectionClosed {
      throw Failure.connectionClosed
    } catch let error as HTTPClientError {
      throw Failure.other("\(error)")
    }
  }

  /// Form-encodes `fields` (application/x-www-form-urlencoded).
  public static func form(_ fields: [String: String]) -> [UInt8] {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    let text = fields.sorted { $0.key < $1.key }.map { key, value in
      "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
    }.joined(separator: "&")
    return Array(text.utf8)
  }
}
