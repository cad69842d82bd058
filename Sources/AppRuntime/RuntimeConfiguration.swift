import Foundation

/// Choices for one run of the interface.
public struct RuntimeConfiguration: Sendable {
  /// The frame clock: at most one frame per interval while things move (`--refresh-ms`).
  public var refreshInterval: Duration
  /// Shown in the header (`demo`, or the account).
  public var accountLabel: String
  public var workingDirectory: String
  public var homeDirectory: String
  /// Where `d` saves attachments (nil: the user's download directory, looked up at start).
  public var downloadDirectory: String?
  /// The offline read cache the panes start from (nil: none, as in `--demo` and tests).
  public var readCache: (any RuntimeReadCache)?
  /// The accounts `A` switches between (nil: one account, or none as in `--demo`).
  public var accounts: RuntimeAccounts?

  public init(
    refreshInterval: Duration = .milliseconds(100), accountLabel: String = "",
    workingDirectory: String = FileManager.default.currentDirectoryPath,
    homeDirectory: String = RuntimeConfiguration.environmentHome(),
    downloadDirectory: String? = nil
  ) {
    self.refreshInterval = refreshInterval
    self.accountLabel = accountLabel
    self.workingDirectory = workingDirectory
    self.homeDirectory = homeDirectory
    self.downloadDirectory = downloadDirectory
  }

  /// `$HOME` when set (as `TackPaths` reads it), else the account's home directory.
  public static func environmentHome(
    _ environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> String {
    environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? NSHomeDirectory()
  }

  /// `DownloadPlacement.directory` with this process's environment and file system.
  public static func userDownloadDirectory(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    home: String, workingDirectory: String
  ) -> String {
    let configHome =
      environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
      ?? home + "/.config"
    let userDirs = try? String(contentsOfFile: configHome + "/user-dirs.dirs", encoding: .utf8)
    return DownloadPlacement.directory(
      environment: environment, userDirs: userDirs, home: home,
      workingDirectory: workingDirectory
    ) { path in
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }
  }
}

/// How the interface ended.
public enum RuntimeExit: Sendable, Hashable {
  /// The user quit; active uploads were paused and stay journaled.
  case quit
  /// Ctrl-C twice: left at once.
  case forced
}
