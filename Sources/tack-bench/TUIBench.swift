import Foundation
import TmuxDriver

#if canImport(Glibc)
  import Glibc
#endif

/// `tack-bench tui`: what the terminal UI costs, measured on the real binary in tmux.
///
/// - time from launch to the first frame that shows the lists (`tack --demo`, median of runs);
/// - bytes written to the terminal per second while five uploads run at the default refresh
///   (every byte the program writes is recorded with `tmux pipe-pane`);
/// - bytes written while idle afterwards (should be none);
/// - the cached start (`TUICacheBench`) and the long-list load (`TUILongListBench`).
enum TUIBench {
  static func run(_ arguments: [String]) async -> Int32 {
    var runs = 5
    var refresh = 100
    var index = 0
    let cacheOnly = arguments.contains("--cache-only")
    let longListOnly = arguments.contains("--long-list")
    let arguments = arguments.filter { $0 != "--cache-only" && $0 != "--long-list" }
    while index < arguments.count {
      let value = index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
      switch arguments[index] {
      case "--runs" where value != nil: runs = max(1, value ?? runs)
      case "--refresh-ms" where value != nil: refresh = value ?? refresh
      default:
        FileHandle.standardError.write(
          Data(
            "usage: tack-bench tui [--runs N] [--refresh-ms MS] [--cache-only | --long-list]\n"
              .utf8))
        return 2
      }
      index += 2
    }
    let tack = productsDirectory() + "/tack"
    guard access(tack, X_OK) == 0 else {
      FileHandle.standardError.write(Data("tack-bench tui: \(tack) is not built\n".utf8))
      return 1
    }
    guard (try? Tmux.spawn(["tmux", "-V"], environment: nil, captureOutput: true).status) == 0
    else {
      FileHandle.standardError.write(Data("tack-bench tui: tmux is not installed\n".utf8))
      return 1
    }
    do {
      if longListOnly {
        print("tack-bench tui --long-list: \(tack) against the emulator in tmux (80×24)")
        TUILongListBench.report(try await TUILongListBench.run(tack))
        return 0
      }
      if cacheOnly {
        print("tack-bench tui --cache-only: \(tack) against the emulator in tmux (80×24)")
        TUICacheBench.report(try await TUICacheBench.run(tack, runs: runs))
        return 0
      }
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
      TUICacheBench.report(try await TUICacheBench.run(tack, runs: runs))
      TUILongListBench.report(try await TUILongListBench.run(tack))
      return 0
    } catch {
      FileHandle.standardError.write(Data("tack-bench tui: \(error)\n".utf8))
      return 1
    }
  }

  private static func ms(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded())) ms" }

  static func productsDirectory() -> String {
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
    let tmux = try Tmux(
      command: [tack, "--demo"], environment: environment(directory),
      directory: directory + "/files")
    defer { tmux.kill() }
    try await tmux.waitFor(timeout: .seconds(20), every: .milliseconds(5), "the screen") {
      $0.contains("Flagged emails")
    }
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
    let tmux = try Tmux(
      command: [tack, "--demo", "--refresh-ms", String(refresh)],
      environment: environment(directory), directory: directory + "/files")
    defer { tmux.kill() }
    try tmux.run(["pipe-pane", "-o", "-t", "main", "cat >> '\(output)'"])
    try await tmux.waitFor(timeout: .seconds(20), every: .milliseconds(5), "the screen") {
      $0.contains("Flagged emails")
    }
    try tmux.run(["send-keys", "-t", "main", "/"])
    try tmux.run(["send-keys", "-t", "main", "-l", "Work"])
    try tmux.run(["send-keys", "-t", "main", "Enter", "Enter"])
    try await tmux.waitFor(timeout: .seconds(20), every: .milliseconds(5), "the screen") {
      $0.contains("Quarterly report")
    }
    try tmux.run(["send-keys", "-t", "main", "a"])
    try await tmux.waitFor(timeout: .seconds(20), every: .milliseconds(5), "the screen") {
      $0.contains("file5.bin")
    }
    try tmux.run(
      ["send-keys", "-t", "main", "j", "Space", "Space", "Space", "Space", "Space", "Enter"])
    try await tmux.waitFor(timeout: .seconds(20), every: .milliseconds(5), "the screen") {
      $0.contains("sending")
    }
    let startBytes = fileSize(output)
    let start = ContinuousClock.now
    try await tmux.waitFor(timeout: .seconds(120), every: .milliseconds(5), "the screen") {
      $0.contains("5/5 uploaded")
    }
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
