import Foundation
import GraphClient

/// Where the agent's socket and lock live: `$XDG_RUNTIME_DIR/tack/` (a per-user tmpfs the
/// system cleans at logout), or the state directory when there is no runtime directory.
public struct AgentPaths: Sendable, Hashable {
  public var directory: String

  public init(directory: String) {
    self.directory = directory
  }

  /// `$XDG_RUNTIME_DIR/tack` when that is an absolute path, else `stateDirectory`.
  public init(environment: [String: String], stateDirectory: String) {
    if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
      directory = runtime + "/tack"
    } else {
      directory = stateDirectory
    }
  }

  public var socket: String { directory + "/agent.sock" }
  /// Held (`flock`) by the one running agent, which writes its pid into it.
  public var lock: String { directory + "/agent.lock" }

  /// The longest socket path the kernel takes (`sun_path` is 108 bytes with its NUL).
  public static let maxSocketPathBytes = 107

  /// Creates the directory 0700 if missing and refuses one that is not safely ours, or a socket
  /// path too long to bind.
  public func prepare() throws(AgentSetupError) {
    guard socket.utf8.count <= Self.maxSocketPathBytes else {
      throw AgentSetupError(
        "the socket path \(socket) is longer than \(Self.maxSocketPathBytes) bytes; set "
          + "XDG_RUNTIME_DIR to a shorter directory")
    }
    do {
      try TackPaths.ensureDirectory(directory)
      try TackPaths.checkOwnDirectory(directory)
    } catch let refused as UnsafeDirectory {
      throw AgentSetupError(refused.description)
    } catch {
      throw AgentSetupError("cannot create \(directory): \(error.localizedDescription)")
    }
  }
}

/// Why the agent's socket cannot be made or reached; one line saying what to do.
public struct AgentSetupError: Error, Sendable, Hashable, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}
