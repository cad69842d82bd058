import Foundation
import GraphClient
import Testing

/// `URLHost.written(in:)` reads the host as the URL writes it, without IDNA (which would load
/// ICU), and agrees with `URLComponents` wherever a host is plain ASCII.
@Suite struct URLHostTests {
  @Test(arguments: [
    ("https://graph.microsoft.com/v1.0", "graph.microsoft.com"),
    ("http://127.0.0.1:45089/v1.0", "127.0.0.1"),
    ("https://user:pass@login.example.com:8443/path", "login.example.com"),
    ("http://[::1]:8080/x", "[::1]"),
    ("https://host.example?query=a@b", "host.example"),
    ("https://host.example#frag@evil.example", "host.example"),
    ("https://graph.microsoft.com:443@evil.example/", "evil.example"),
    ("HTTPS://Graph.Microsoft.COM", "Graph.Microsoft.COM"),
  ])
  func readsTheHostAsWritten(url: String, host: String) {
    #expect(URLHost.written(in: url) == host)
  }

  @Test(arguments: [
    "no scheme here", "https://", "https:///path", "http://[::1", "mailto:a@b",
    "https:/x?u=https://graph.microsoft.com/", "1http://host", "ht tp://host",
  ])
  func aURLWithoutAHostHasNone(url: String) {
    #expect(URLHost.written(in: url) == nil)
  }

  @Test(arguments: [
    "https://graph.microsoft.com/v1.0/me/todo/lists?$top=100",
    "https://user@login.microsoftonline.com:8443/common/oauth2/v2.0/token",
    "http://localhost:8080", "https://a.b.c.example/x#y",
  ])
  func agreesWithURLComponentsOnPlainHosts(url: String) throws {
    let components = try #require(URLComponents(string: url))
    #expect(URLHost.written(in: url) == components.host)
  }
}
