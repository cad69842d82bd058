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

  public var description: String {
    switch self {
    case .service(let status, let code, let message, let requestID):
      let hint = Self.hint(status: status, code: code)
      var line = "Graph answered \(status) \(code)"
      if !message.isEmpty { line += ": \(message)" }
      if let hint { line += " — \(hint)" }
      if let requestID { line += " (request-id \(requestID))" }
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
