import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Drives a program in a private tmux server at a fixed size, for end-to-end terminal tests and
/// `tack-bench tui`.
///
/// Each instance has its own socket (`tmux -L <unique> -f /dev/null`), so tests can run in
/// parallel and never touch the user's tmux. Every tmux client is started with `posix_spawn`,
/// an empty signal mask and default dispositions: `Foundation.Process` hangs on the daemonising
/// server, and a child of a Swift-concurrency thread would inherit blocked SIGWINCH/SIGTERM
/// (research/tui.md §4.3). Tests wait for text with a deadline; they never sleep a fixed time.
public final class Tmux: Sendable {
  /// The tmux socket name.
  public let socket: String
  /// The session (and target) name.
  public let session = "main"

  /// Why a tmux step failed.
  public struct Failure: Error, CustomStringConvertible {
    public var message: String
    /// The last screen seen, when waiting timed out.
    public var screen: String
    public var description: String {
      screen.isEmpty ? message : "\(message)\n--- screen ---\n\(screen)\n--------------"
    }
  }

  /// Starts `command` (argv) in a new detached session of `width`×`height`.
  ///
  /// `environment` is added to the current one (minus `TMUX`, with `TACK_NO_AGENT=1` unless
  /// `environment` sets it). When the command exits, the pane
  /// shows `EXIT=<status>` and stays open so the final screen can still be captured.
  public init(
    command: [String], width: Int = 80, height: Int = 24, environment: [String: String] = [:],
    directory: String? = nil
  ) throws {
    socket = "tack-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    var script = command.map(Self.shellQuote).joined(separator: " ")
    if let directory { script = "cd \(Self.shellQuote(directory)) && " + script }
    script += "; echo EXIT=$?; exec sleep 100000"
    var env = ProcessInfo.processInfo.environment
    env["TMUX"] = nil
    env["TMUX_PANE"] = nil
    // Uploads stay in the program unless the caller opts into the per-user agent with
    // `TACK_NO_AGENT: ""` (and its own XDG_RUNTIME_DIR), as `TackBinary` does for commands.
    env["TACK_NO_AGENT"] = "1"
    for (key, value) in environment { env[key] = value }
    let status = try Self.spawn(
      [
        "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x",
        String(width), "-y", String(height), "sh", "-c", script,
      ], environment: env, captureOutput: false
    ).status
    guard status == 0 else {
      throw Failure(message: "tmux new-session exited with \(status)", screen: "")
    }
  }

  deinit {
    kill()
  }

  /// Stops the server and everything running in it, and removes its socket file.
  public func kill() {
    _ = try? Self.spawn(
      ["tmux", "-L", socket, "kill-server"], environment: nil, captureOutput: false)
    let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
    unlink("\(directory)/tmux-\(getuid())/\(socket)")
  }

  /// The visible screen as text (trailing spaces trimmed by tmux); with `escapes`, SGR included.
  public func capture(escapes: Bool = false) throws -> String {
    var arguments = ["capture-pane", "-p", "-t", session]
    if escapes { arguments.insert("-e", at: 2) }
    return try run(arguments)
  }

  /// Sends tmux key names (`Down`, `Enter`, `C-c`, `BTab`, `j`).
  public func sendKeys(_ keys: String...) throws {
    _ = try run(["send-keys", "-t", session] + keys)
  }

  /// Types `text` literally (no key-name lookup).
  public func type(_ text: String) throws {
    _ = try run(["send-keys", "-t", session, "-l", text])
  }

  /// Resizes the window; the program receives SIGWINCH.
  public func resize(width: Int, height: Int) throws {
    _ = try run(["resize-window", "-t", session, "-x", String(width), "-y", String(height)])
  }

  /// Expands a tmux format for the pane, e.g. `#{alternate_on} #{cursor_flag}`.
  public func display(_ format: String) throws -> String {
    try run(["display-message", "-p", "-t", session, format])
      .trimmingCharacters(in: .newlines)
  }

  /// The process id of the pane's shell (`sh -c`), parent of the program under test.
  public func panePID() throws -> Int32 {
    Int32(try display("#{pane_pid}")) ?? -1
  }

  /// The process id of the program under test: the first child of the pane's shell.
  public func programPID() throws -> Int32? {
    let shell = try panePID()
    let children = try? String(
      contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)
    return children?.split(separator: " ").first.flatMap { Int32($0) }
  }

  /// Polls the screen until `predicate` holds or `timeout` passes; returns the matching screen.
  @discardableResult
  public func waitFor(
    timeout: Duration = .seconds(15), every interval: Duration = .milliseconds(40),
    _ description: String, _ predicate: (String) -> Bool
  ) async throws -> String {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var screen = ""
    while true {
      screen = (try? capture()) ?? ""
      if predicate(screen) { return screen }
      if clock.now >= deadline {
        throw Failure(message: "timed out waiting for \(description)", screen: screen)
      }
      // A polling interval, not a fixed wait: the loop ends as soon as the text shows.
      try await Task.sleep(for: interval)
    }
  }

  /// Polls the screen until it contains `text`; returns that screen.
  @discardableResult
  public func waitFor(_ text: String, timeout: Duration = .seconds(15)) async throws -> String {
    try await waitFor(timeout: timeout, "\"\(text)\"") { $0.contains(text) }
  }

  /// Waits until the program exits and returns its exit status (from the `EXIT=` line).
  public func waitForExit(timeout: Duration = .seconds(15)) async throws -> Int32 {
    let screen = try await waitFor(timeout: timeout, "the program to exit") {
      Self.exitStatus(in: $0) != nil
    }
    return Self.exitStatus(in: screen) ?? -1
  }

  static func exitStatus(in screen: String) -> Int32? {
    for line in screen.split(separator: "\n").reversed() {
      if line.hasPrefix("EXIT="), let status = Int32(line.dropFirst(5)) { return status }
    }
    return nil
  }

  /// The executable `name` built next to this test bundle (`.build/<triple>/debug/name`).
  public static func product(_ name: String) -> String {
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
    // The test bundle may be a directory (`*.xctest/…`) on some platforms.
    while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" {
      directory.deleteLastPathComponent()
    }
    return directory.appendingPathComponent(name).path
  }

  /// Runs any tmux command against this server (e.g. `pipe-pane` to record output bytes).
  @discardableResult
  public func run(_ arguments: [String]) throws -> String {
    let result = try Self.spawn(
      ["tmux", "-L", socket] + arguments, environment: nil, captureOutput: true)
    guard result.status == 0 else {
      throw Failure(
        message: "tmux \(arguments.joined(separator: " ")) exited with \(result.status)",
        screen: "")
    }
    return result.output
  }

  private static func shellQuote(_ word: String) -> String {
    "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }

  /// Runs `arguments` (found on PATH) and waits for it; stdin and stderr go to /dev/null.
  /// Starts a process with an empty signal mask and default dispositions and waits for it.
  public static func spawn(
    _ arguments: [String], environment: [String: String]?, captureOutput: Bool
  ) throws -> (status: Int32, output: String) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }

    var pipeFDs: [Int32] = [-1, -1]
    if captureOutput {
      guard pipe(&pipeFDs) == 0 else {
        throw Failure(message: "pipe failed: errno \(errno)", screen: "")
      }
      posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
      posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
      posix_spawn_file_actions_addclose(&actions, pipeFDs[1])
    } else {
      posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [
      SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGHUP, SIGTERM, SIGPIPE, SIGCHLD,
    ] {
      sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { envStrings?.forEach { free($0) } }

    var pid: pid_t = 0
    let spawned: Int32
    if let envStrings {
      spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envStrings)
    } else {
      spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
    }
    if captureOutput { close(pipeFDs[1]) }
    guard spawned == 0 else {
      if captureOutput { close(pipeFDs[0]) }
      throw Failure(message: "cannot start \(arguments[0]): error \(spawned)", screen: "")
    }
    var output = [UInt8]()
    if captureOutput {
      var chunk = [UInt8](repeating: 0, count: 65536)
      while true {
        let count = read(pipeFDs[0], &chunk, chunk.count)
        if count > 0 {
          output.append(contentsOf: chunk[0..<count])
        } else if count < 0 && errno == EINTR {
          continue
        } else {
          break
        }
      }
      close(pipeFDs[0])
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return (exitStatus, String(decoding: output, as: UTF8.self))
  }
}
