import AsyncHTTPClient
import Foundation

/// A proxy for `https` requests from `HTTPS_PROXY`, with `NO_PROXY` exceptions.
public struct ProxySettings: Sendable, Hashable {
  /// The proxy URL as given, e.g. `http://user:pass@proxy:3128` or `socks5://proxy:1080`.
  public var url: String
  /// `NO_PROXY` entries: host names (a leading dot or not: subdomains match too), addresses,
  /// `host:port` (port ignored) or `*` for everything.
  public var exclusions: [String]

  public init(url: String, exclusions: [String] = []) {
    self.url = url
    self.exclusions = exclusions
  }

  /// Reads `https_proxy`/`HTTPS_PROXY` and `no_proxy`/`NO_PROXY` (lower case wins, as in curl).
  public static func fromEnvironment(_ environment: [String: String]) -> ProxySettings? {
    let raw = environment["https_proxy"] ?? environment["HTTPS_PROXY"]
    guard let url = raw?.trimmingCharacters(in: .whitespaces), !url.isEmpty else { return nil }
    let noProxy = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
    let exclusions = noProxy.split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    }.filter { !$0.isEmpty }
    return ProxySettings(url: url, exclusions: exclusions)
  }

  /// True when requests to `host` should go through the proxy.
  public func appliesTo(host: String) -> Bool {
    let host = LoopbackHost.bare(host).lowercased()
    for entry in exclusions {
      if entry == "*" { return false }
      var name = entry
      if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
        name = String(name[name.index(after: name.startIndex)..<close])
      } else if let colon = name.lastIndex(of: ":"), name.filter({ $0 == ":" }).count == 1 {
        name = String(name[..<colon])
      }
      if name.hasPrefix("*.") { name.removeFirst() }
      if name.hasPrefix(".") { name.removeFirst() }
      if name.isEmpty { continue }
      if host == name || host.hasSuffix("." + name) { return false }
    }
    return true
  }

  struct Problem: Error {
    var text: String
  }

  func clientProxy() -> Result<HTTPClient.Configuration.Proxy, Problem> {
    var text = url
    if !text.contains("://") { text = "http://" + text }
    guard let components = URLComponents(string: text),
      let host = URLHost.written(in: text).map(LoopbackHost.bare)
    else { return .failure(Problem(text: "HTTPS_PROXY is not a valid URL")) }
    let scheme = components.scheme?.lowercased() ?? "http"
    switch scheme {
    case "http":
      var authorization: HTTPClient.Authorization?
      if let user = components.user {
        authorization = .basic(
          username: user.removingPercentEncoding ?? user,
          password: (components.password ?? "").removingPercentEncoding ?? "")
      }
      return .success(
        .server(host: host, port: components.port ?? 80, authorization: authorization))
    case "socks5", "socks5h":
      return .success(.socksServer(host: host, port: components.port ?? 1080))
    default:
      return .failure(
        Problem(text: "HTTPS_PROXY scheme \(scheme) is not supported (use http:// or socks5://)"))
    }
  }
}
