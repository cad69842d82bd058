import AgentProtocol
import Foundation
import GraphClient
import UploadAgent
import UploadEngine

#if canImport(Glibc)
  import Glibc
#endif

/// How commands reach the per-user upload agent: find it, start it when asked, or say in one
/// line why this command uploads in its own process instead.
enum AgentLink {
  /// `--no-agent`, or `TACK_NO_AGENT=1` in the environment (scripts, tests), or an account
  /// chosen with `--account`/`TACK_ACCOUNT`: the agent uploads with the default account's token.
  static func disabled(_ context: ClientContext, noAgent: Bool) -> Bool {
    noAgent || context.account != nil
      || ["1", "true", "yes"].contains(context.environment["TACK_NO_AGENT"]?.lowercased())
  }

  static func paths(_ context: ClientContext) -> AgentPaths {
    AgentPaths(environment: context.environment, stateDirectory: context.paths.stateDirectory)
  }

  static func hello(_ context: ClientContext) -> AgentHello {
    AgentHello(graphURL: context.graphURL)
  }

  /// Runs `body` connected to the agent, starting one when none runs and `start` is set.
  /// Returns nil when no agent can be reached (after one stderr line when `explain` is set, or
  /// telling `onFallback` why); a refusing agent (another version, another Graph) is a usage
  /// error saying what to do.
  static func withAgent<T: Sendable>(
    _ context: ClientContext, start: Bool, explain: Bool = true,
    onFallback: ((String) -> Void)? = nil,
    _ body: (AgentConnection) async throws -> T
  ) async throws -> T? {
    let fallbackNotice = onFallback ?? Self.fallbackNotice
    let paths = paths(context)
    do {
      try paths.prepare()
    } catch {
      if explain { fallbackNotice(error.description) }
      return nil
    }
    do {
      return try await AgentClient.withConnection(socket: paths.socket, hello: hello(context), body)
    } catch AgentClientError.notRunning {
      guard start else { return nil }
    } catch AgentClientError.refused(let message) {
      throw TackFailure(code: TackExit.usage, message: Composition.oneLine(message))
    }
    do {
      try await AgentLauncher.start(context, paths: paths)
      return try await AgentClient.withConnection(socket: paths.socket, hello: hello(context), body)
    } catch AgentClientError.refused(let message) {
      throw TackFailure(code: TackExit.usage, message: Composition.oneLine(message))
    } catch let error as AgentLaunchError {
      if explain { fallbackNotice(error.description) }
      return nil
    } catch let error as AgentClientError {
      if explain { fallbackNotice(error.description) }
      return nil
    }
  }

  static func fallbackNotice(_ why: String) {
    TackMain.printError(
      "tack: uploading in this process (as with --no-agent): " + Composition.oneLine(why))
  }
}

/// The agent could not be started.
struct AgentLaunchError: Error, CustomStringConvertible {
  var description: String
}

/// Starts `tack agent --foreground` detached: its own session (no controlling terminal),
/// standard streams on /dev/null, the same configuration as this command.
enum AgentLauncher {
  /// How long a new agent may take to listen (a cold start on a loaded machine is ~1 s).
  static let startTimeout: Duration = .seconds(20)

  static func start(_ context: ClientContext, paths: AgentPaths) async throws {
    var arguments = ["agent", "--foreground", "--graph-url", context.graphURL]
    arguments += ["--login-url", context.loginURL, "--tenant", context.tenant]
    if let clientID = context.clientID { arguments += ["--client-id", clientID] }
    let pid = try spawnDetached(arguments)
    let deadline = ContinuousClock.now + startTimeout
    while ContinuousClock.now < deadline {
      if await listening(paths.socket, hello: AgentLink.hello(context)) { return }
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        // Another agent won the race (it exits 0 at once), or this one could not start.
        if await listening(paths.socket, hello: AgentLink.hello(context)) { return }
        throw AgentLaunchError(
          description: "the upload agent exited at start (status \(status >> 8)); see "
            + context.paths.logFile)
      }
      try await Task.sleep(for: .milliseconds(20))
    }
    throw AgentLaunchError(description: "the upload agent did not start listening in time")
  }

  /// True when an agent answers a hello at `socket` (whatever its answer).
  static func listening(_ socket: String, hello: AgentHello) async -> Bool {
    do {
      try await AgentClient.withConnection(socket: socket, hello: hello) { _ in }
      return true
    } catch AgentClientError.notRunning {
      return false
    } catch {
      return true
    }
  }

  /// `posix_spawn` of this executable with `arguments`, in a new session, on /dev/null, with
  /// default signal handling (this process may ignore SIGINT while it pauses uploads).
  static func spawnDetached(_ arguments: [String]) throws -> pid_t {
    let executable = "/proc/self/exe"
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, number) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &empty)
    // POSIX_SPAWN_SETSID (glibc 2.26+) is not visible to Swift without _GNU_SOURCE.
    let setsid: Int32 = 0x80
    posix_spawnattr_setflags(
      &attributes, Int16(setsid | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // Nothing else this process has open goes to the agent: a pipe a parent left without
    // CLOEXEC would stay open as long as the agent lives.
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for fd in open.compactMap(Int32.init) where fd > 2 {
      let flags = fcntl(fd, F_GETFD)
      if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
    for fd: Int32 in [0, 1, 2] {
      posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    let argv = ([CommandLine.arguments.first ?? "tack"] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
    guard result == 0 else {
      throw AgentLaunchError(
        description: "cannot start the upload agent: \(String(cString: strerror(result)))")
    }
    return pid
  }
}

extension AgentTarget {
  init(_ target: UploadTarget) {
    self.init(
      listID: target.listID, taskID: target.taskID, listName: target.listName,
      taskTitle: target.taskTitle)
  }
}
