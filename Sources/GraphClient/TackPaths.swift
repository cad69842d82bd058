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
}
