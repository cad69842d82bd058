import Foundation

/// Choices for one run of the interface.
public struct RuntimeConfiguration: Sendable {
  /// The frame clock: at most one frame per interval while things move (`--refresh-ms`).
  public var refreshInterval: Duration
  /// Shown in the header (`demo`, or the account).
  public var accountLabel: String
  public var workingDirectory: String
  public var homeDirectory: String

  public init(
    refreshInterval: Duration = .milliseconds(100), accountLabel: String = "",
    workingDirectory: String = FileManager.default.currentDirectoryPath,
    homeDirectory: String = NSHomeDirectory()
  ) {
    self.refreshInterval = refreshInterval
    self.accountLabel = accountLabel
    self.workingDirectory = workingDirectory
    self.homeDirectory = homeDirectory
  }
}

/// How the interface ended.
public enum RuntimeExit: Sendable, Hashable {
  /// The user quit; active uploads were paused and stay journaled.
  case quit
  /// Ctrl-C twice: left at once.
  case forced
}
