import Foundation
import GraphModels

/// A failure a user can act on; `description` is one line and never contains a token.
public enum GraphError: Error, Sendable, CustomStringConvertible {
  /// The service answered with an error body (or a bare status).
  case service(status: Int, code: String, message: String, requestID: String?)
  /// Sign-in failed or is needed.
  case authentication(String)
  /// The request never got an answer.
  case transport(TransportError)
  /// Input the user gave is wrong (unknown name, bad flag, …).
  case input(String)
  /// The answer could not be read.
  case malformed(String)
  /// A 3xx answer: Graph never redirects, and redirects are never followed.
  case redirected(status: Int, location: String?)
  /// A bound on waiting, paging or size ended the command; the text says which.
  case limit(String)

  public var description: String { Self.oneLine(text, limit: 1000) }

  private var text: String {
    switch self {
    case .service(let status, let code, let message, let requestID):
      let hint = Self.hint(status: status, code: code)
      var line = "Graph answered \(status) \(Self.oneLine(code, limit: 100))"
      if !message.isEmpty { line += ": \(Self.oneLine(message))" }
      if let hint { line += " — \(hint)" }
      if let requestID { line += " (request-id \(Self.oneLine(requestID, limit: 100)))" }
      return line
    case .authentication(let text): return text
    case .transport(let error): return Self.describe(error)
    case .input(let text): return text
    case .malformed(let text): return "unexpected answer from Graph: \(text)"
    case .redirected(let status, let location):
      let target = location.map { " (redirect to \($0.prefix(200)))" } ?? ""
      return "the server answered \(status) \(Self.reasonPhrase(status))\(target) — Graph never "
        + "redirects; check --graph-url or your proxy"
    case .limit(let text): return text
    }
  }

  static func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 300: return "Multiple Choices"
    case 301: return "Moved Permanently"
    case 302: return "Found"
    case 303: return "See Other"
    case 304: return "Not Modified"
    case 307: return "Temporary Redirect"
    case 308: return "Permanent Redirect"
    default: return "Redirect"
    }
  }

  /// Server text made fit for one line of a terminal or log: control characters (C0, DEL, C1)
  /// and line separators become spaces, and text over `limit` characters is cut with `…`.
  public static func oneLine(_ text: String, limit: Int = 300) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: scalars.append(" ")
      default: scalars.append(scalar)
      }
    }
    let line = String(scalars)
    return line.count > limit ? String(line.prefix(limit)) + "…" : line
  }

  static func hint(status: Int, code: String) -> String? {
    switch (status, code) {
    case (401, _): return "sign in again with `tack login`"
    case (403, _):
      return "the account lacks the Tasks.ReadWrite permission; sign in again and consent"
    case (404, _): return "it may have been deleted; refresh and try again"
    case (429, _), (503, _), (504, _): return "the service is busy; try again in a minute"
    default: return nil
    }
  }

  static func describe(_ error: TransportError) -> String {
    switch error {
    case .connectionRefused(let host):
      return "cannot connect to \(host): connection refused — is the URL right and the service up?"
    case .dnsFailure(let host):
      return "cannot resolve \(host) — check the network connection and the URL"
    case .tlsFailure(let host, let detail):
      return "TLS handshake with \(host) failed (\(detail)) — check the system clock and any proxy"
    case .timedOut: return "the request timed out — check the network connection and try again"
    case .connectionClosed: return "the connection closed before an answer arrived — try again"
    case .cancelled: return "the request was cancelled"
    case .invalidURL(let url): return "invalid URL \(url)"
    case .bodyUnreadable(let path, let detail): return "cannot read \(path): \(detail)"
    case .responseTooLarge(let limit):
      return "the answer was larger than \(limit) bytes — is --graph-url a Graph endpoint?"
    case .other(let text): return "network error: \(text)"
    }
  }
}
