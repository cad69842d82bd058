import Foundation
import GraphModels

/// Where the read cache lives: `$XDG_CACHE_HOME/tack` (default `~/.cache/tack`), one SQLite file
/// per account, named by a readable slug of the account id and a short hash of it.
public enum CacheLocation {
  /// The cache directory for `environment` (a relative `XDG_CACHE_HOME` is ignored, as the XDG
  /// specification requires).
  public static func directory(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    if let value = environment["XDG_CACHE_HOME"], value.hasPrefix("/") { return value + "/tack" }
    return home + "/.cache/tack"
  }

  /// The file name of `account`'s cache: the id's letters, digits, `.` and `-` (at most 40) and
  /// 12 hex digits of its SHA-256, so two ids never share a file and none escapes the directory.
  public static func fileName(account: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
    let slug = String(account.map { allowed.contains($0) ? $0 : "_" }.prefix(40))
    let digest = SHA256.hex(Array(account.utf8))
    return "\(slug)-\(digest.prefix(12)).sqlite"
  }
}
