import Foundation

/// Recognises loopback host names and addresses.
public enum LoopbackHost {
  /// True for `localhost`, 127.0.0.0/8 and `::1` (with or without brackets).
  public static func isLoopback(_ host: String) -> Bool {
    let bare = bare(host).lowercased()
    if bare == "localhost" || bare.hasSuffix(".localhost") { return true }
    if bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
    let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
    guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
    return octets[0] == "127"
  }

  static func bare(_ host: String) -> String {
    if host.hasPrefix("["), host.hasSuffix("]") { return String(host.dropFirst().dropLast()) }
    return host
  }
}

/// The host part of a URL, read from the text as written.
///
/// `URLComponents.host` and even `percentEncodedHost` run the host through IDNA, whose first
/// use loads ICU's normalisation data: about 6 MB of pages in every process that parses a URL
/// (DECISIONS.md 2026-12-03, "No ICU on the upload path"). Callers still check the URL with
/// `URLComponents`; this only reads the host, and comparing hosts as written is the stricter
/// test for where a token may go.
public enum URLHost {
  /// The host of an absolute URL: after `//` and any user info, up to the port, path, query
  /// or fragment; brackets kept for an IPv6 literal. Nil when there is none.
  public static func written(in url: String) -> String? {
    // `://` must follow the scheme itself, not appear later (in a query, say).
    guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://"),
      let first = url.first, first.isASCII, first.isLetter,
      url[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
    else { return nil }
    let separator = colon..<url.index(colon, offsetBy: 3)
    var authority = url[separator.upperBound...]
    if let end = authority.firstIndex(where: { "/?#".contains($0) }) {
      authority = authority[..<end]
    }
    if let at = authority.lastIndex(of: "@") {
      authority = authority[authority.index(after: at)...]
    }
    let host: Substring
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      host = authority[...close]
    } else {
      host = authority.prefix { $0 != ":" }
    }
    return host.isEmpty ? nil : String(host)
  }
}
