import Foundation

/// Where tack keeps its files, following the XDG base directory rules.
public struct TackPaths: Sendable, Hashable {
  /// `$XDG_STATE_HOME/tack` (default `~/.local/state/tack`): tokens, journal, log.
  public var stateDirectory: String
  /// `$XDG_CONFIG_HOME/tack` (default `~/.config/tack`): `config.json`.
  public var configDirectory: String

  public init(stateDirectory: String, configDirectory: String) {
    self.stateDirectory = stateDirectory
    self.configDirectory = configDirectory
  }

  /// Resolves the directories from the environment (relative XDG values are ignored, as the
  /// specification requires).
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    func base(_ variable: String, _ fallback: String) -> String {
      if let value = environment[variable], value.hasPrefix("/") { return value }
      return home + "/" + fallback
    }
    stateDirectory = base("XDG_STATE_HOME", ".local/state") + "/tack"
    configDirectory = base("XDG_CONFIG_HOME", ".config") + "/tack"
  }

  public var tokenFile: String { stateDirectory + "/tokens.json" }
  public var logFile: String { stateDirectory + "/tack.log" }
  public var configFile: String { configDirectory + "/config.json" }
  /// `uploads` in the state directory: the durable upload journal.
  public var uploadJournalDirectory: String { stateDirectory + "/uploads" }

  /// Creates `directory` (and parents) with mode 0700 when missing.
  public static func ensureDirectory(_ directory: String) throws {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
  }

  /// Refuses a state or config directory that exists but is not safely ours (see
  /// `checkOwnDirectory`); a missing one is fine (it is created 0700 when first needed).
  public func checkDirectories() throws(UnsafeDirectory) {
    try Self.checkOwnDirectory(stateDirectory)
    try Self.checkOwnDirectory(configDirectory)
  }

  /// Throws when `path` exists and is not a directory, is owned by another user, or is writable
  /// by group or others: tokens and the journal in it would be readable or replaceable.
  public static func checkOwnDirectory(_ path: String, user: uid_t = geteuid())
    throws(UnsafeDirectory)
  {
    var info = stat()
    guard stat(path, &info) == 0 else { return }
    if info.st_mode & S_IFMT != S_IFDIR { throw .notADirectory(path) }
    if info.st_uid != user { throw .foreignOwner(path, owner: info.st_uid) }
    if info.st_mode & 0o022 != 0 { throw .writableByOthers(path) }
  }
}

/// A tack directory that must not be used as it is; the message says how to fix it.
public enum UnsafeDirectory: Error, Sendable, Equatable, CustomStringConvertible {
  case notADirectory(String)
  case foreignOwner(String, owner: uid_t)
  case writableByOthers(String)

  public var description: String {
    switch self {
    case .notADirectory(let path):
      return "\(path) is not a directory; move it away and run tack again"
    case .foreignOwner(let path, let owner):
      return "\(path) belongs to another user (uid \(owner)); run: chown $(id -u) \(path) "
        + "(as root), or remove it"
    case .writableByOthers(let path):
      return "\(path) is writable by others; run: chmod 700 \(path)"
    }
  }
}
