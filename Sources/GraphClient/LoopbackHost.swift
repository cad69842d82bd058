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
