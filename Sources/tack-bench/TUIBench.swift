import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// `tack-bench tui`: what the terminal UI costs, measured on the real binary in tmux.
///
/// - time from launch to the first frame that shows the lists (`tack --demo`, median of runs);
/// - bytes written to the terminal per second while five uploads run at the default refresh
///   (every byte the program writes is recorded with `tmux pipe-pane`);
/// - bytes written while idle afterwards (should be none).
enum TUIBench {
  static func run(_ arguments: [String]) async -> Int32 {
    var runs = 5
    var refresh = 100
    var index = 0
    while index < arguments.count {
      let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
      switch arguments[index] {
      case "--runs" where value != nil: runs = max(1, value ?? runs)
      case "--refresh-ms" where value != nil: refresh = value ?? refresh
      default:
        FileHandle.standardError.write(
          Data("usage: tack-bench tui [--runs N] [--refresh-ms MS]\n".utf8))
        return 2
      }
      index += 2
    }
    let tack = productsDirectory() + "/tack"
    guard access(tack, X_OK) == 0 else {
      FileHandle.standardError.write(Data("tack-bench tui: \(tack) is not built\n".utf8))
      return 1
    }
    guard (try? BenchTmux.spawn(["tmux", "-V"], capture: true).status) == 0 else {
      FileHandle.standardError.write(Data("tack-bench tui: tmux is not installed\n".utf8))
      return 1
    }
    do {
      print("tack-bench tui: \(tack) --demo in tmux 3 (80×24, LANG=C.UTF-8)")
      var firstFrames: [Double] = []
      for _ in 0..<runs { firstFrames.append(try await firstFrame(tack)) }
      firstFrames.sort()
      let median = firstFrames[firstFrames.count / 2]
      print(
        "  launch to first frame with lists: median \(ms(median)) (min \(ms(firstFrames[0])), "
          + "max \(ms(firstFrames[firstFrames.count - 1])), \(runs) runs; goal ≤ 250 ms)")
      let traffic = try await uploadTraffic(tack, refresh: refresh)
      print(
        "  terminal output while 5 uploads run (--refresh-ms \(refresh)): "
          + "\(Int(traffic.bytesPerSecond)) B/s over \(String(format: "%.1f", traffic.seconds)) s "
          + "(\(traffic.bytes) B; goal ≤ 3 KB/s)")
      print("  terminal output while idle afterwards: \(traffic.idleBytes) B in 3 s")
      return 0
    } catch {
      FileHandle.standardError.write(Data("tack-bench tui: \(error)\n".utf8))
      return 1
    }
  }

  private static func ms(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded())) ms" }

  private static func productsDirectory() -> String {
    let executable =
      (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: executable).deletingLastPathComponent().path
  }

  private static func sandbox() throws -> String {
    let directory = NSTemporaryDirectory() + "tack-tui-bench-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(
      atPath: directory + "/files", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: directory + "/state", withIntermediateDirectories: true)
    return directory
  }

  private static func environment(_ directory: String) -> [String: String] {
    [
      "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color",
      "XDG_STATE_HOME": directory + "/state", "XDG_CONFIG_HOME": directory + "/state",
      "HOME": directory,
    ]
  }

  /// Seconds from starting the pane to the lists being on screen.
  static func firstFrame(_ tack: String) async throws -> Double {
    let directory = try sandbox()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let started = ContinuousClock.now
    let tmux = try BenchTmux(
      command: [tack, "--demo"], environment: environment(directory),
      directory: directory + "/files")
    defer { tmux.kill() }
    try await tmux.waitFor(timeout: .seconds(20)) { $0.contains("Flagged emails") }
    let elapsed = ContinuousClock.now - started
    return Double(elapsed.components.seconds)
      + Double(elapsed.components.attoseconds) / 1e18
  }

  struct Traffic {
    var bytes: Int
    var seconds: Double
    var bytesPerSecond: Double
    var idleBytes: Int
  }

  /// Attaches five 5 MB files and counts the bytes the program writes until all are done.
  static func uploadTraffic(_ tack: String, refresh: Int) async throws -> Traffic {
    let directory = try sandbox()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for number in 1...5 {
      let bytes = [UInt8](repeating: UInt8(number), count: 5_000_000)
      try Data(bytes).write(to: URL(fileURLWithPath: directory + "/files/file\(number).bin"))
    }
    let output = directory + "/pane.out"
    let tmux = try BenchTmux(
      command: [tack, "--demo", "--refresh-ms", String(refresh)],
      environment: environment(directory), directory: directory + "/files")
    defer { tmux.kill() }
    try tmux.run(["pipe-pane", "-o", "-t", "main", "cat >> '\(output)'"])
    try await tmux.waitFor(timeout: .seconds(20)) { $0.contains("Flagged emails") }
    try tmux.run(["send-keys", "-t", "main", "/"])
    try tmux.run(["send-keys", "-t", "main", "-l", "Work"])
    try tmux.run(["send-keys", "-t", "main", "Enter", "Enter"])
    try await tmux.waitFor(timeout: .seconds(20)) { $0.contains("Quarterly report") }
    try tmux.run(["send-keys", "-t", "main", "a"])
    try await tmux.waitFor(timeout: .seconds(20)) { $0.contains("file5.bin") }
    try tmux.run(
      ["send-keys", "-t", "main", "j", "Space", "Space", "Space", "Space", "Space", "Enter"])
    try await tmux.waitFor(timeout: .seconds(20)) { $0.contains("sending") }
    let startBytes = fileSize(output)
    let start = ContinuousClock.now
    try await tmux.waitFor(timeout: .seconds(120)) { $0.contains("5/5 uploaded") }
    let elapsed = ContinuousClock.now - start
    let bytes = fileSize(output) - startBytes
    let seconds =
      Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    // Let the status message expire, then see what an idle screen costs.
    try await Task.sleep(for: .seconds(6))
    let idleStart = fileSize(output)
    try await Task.sleep(for: .seconds(3))
    let idle = fileSize(output) - idleStart
    return Traffic(
      bytes: bytes, seconds: seconds, bytesPerSecond: Double(bytes) / seconds, idleBytes: idle)
  }

  private static func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
  }
}

/// A private tmux server for the benchmark (the same recipe as `Tests/TestSupport/Tmux.swift`:
/// `posix_spawn` with a clean signal mask, because `Foundation.Process` hangs on the daemonising
/// server; research/tui.md §4.3).
struct BenchTmux {
  let socket = "tack-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  init(command: [String], environment: [String: String], directory: String) throws {
    var env = ProcessInfo.processInfo.environment
    env["TMUX"] = nil
    for (key, value) in environment { env[key] = value }
    let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    let script = "cd '\(directory)' && " + quoted.joined(separator: " ") + "; exec sleep 100000"
    let status = try Self.spawn(
      [
        "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "80",
        "-y", "24", "sh", "-c", script,
      ], capture: false, environment: env
    ).status
    guard status == 0 else { throw Failure(description: "tmux new-session exited with \(status)") }
  }

  func kill() {
    _ = try? Self.spawn(["tmux", "-L", socket, "kill-server"], capture: false)
    unlink("/tmp/tmux-\(getuid())/\(socket)")
  }

  @discardableResult
  func run(_ arguments: [String]) throws -> String {
    let result = try Self.spawn(["tmux", "-L", socket] + arguments, capture: true)
    guard result.status == 0 else {
      throw Failure(description: "tmux \(arguments.joined(separator: " ")) exited \(result.status)")
    }
    return result.output
  }

  func waitFor(timeout: Duration, _ predicate: (String) -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
      if let screen = try? run(["capture-pane", "-p", "-t", "main"]), predicate(screen) { return }
      if ContinuousClock.now >= deadline { throw Failure(description: "timed out") }
      try await Task.sleep(for: .milliseconds(5))
    }
  }

  static func spawn(
    _ arguments: [String], capture: Bool, environment: [String: String]? = nil
  ) throws -> (status: Int32, output: String) {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var fds: [Int32] = [-1, -1]
    if capture {
      guard pipe(&fds) == 0 else { throw Failure(description: "pipe failed") }
      posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
      posix_spawn_file_actions_addclose(&actions, fds[0])
      posix_spawn_file_actions_addclose(&actions, fds[1])
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
    for signal in [SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGHUP, SIGTERM, SIGPIPE] {
      sigaddset(&defaults, signal)
    }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
    defer { envp?.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned =
      envp.map { posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, $0) }
      ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
    if capture { close(fds[1]) }
    guard spawned == 0 else {
      if capture { close(fds[0]) }
      throw Failure(description: "cannot start \(arguments[0])")
    }
    var output = [UInt8]()
    if capture {
      var chunk = [UInt8](repeating: 0, count: 65536)
      while true {
        let count = read(fds[0], &chunk, chunk.count)
        if count > 0 {
          output.append(contentsOf: chunk[0..<count])
        } else if count < 0 && errno == EINTR {
          continue
        } else {
          break
        }
      }
      close(fds[0])
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (
      (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
      String(decoding: output, as: UTF8.self)
    )
  }
}
