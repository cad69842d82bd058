import Foundation
import GraphEmulator
import TmuxDriver

/// `tack-bench tui` (and `tui --cache-only`): time to the first frame with lists while every
/// Graph answer is delayed 300 ms, without a read cache and then starting from one.
///
/// One emulator (small seed, `*#*=latency:ms=300` on every method) serves both: the first kind
/// of run has an empty `XDG_CACHE_HOME` (the lists wait for Graph); the second kind reuses the
/// cache a warm-up run filled (the lists come from it, marked "cached").
enum TUICacheBench {
  static let token = "bench-token"

  struct Figures {
    var withoutCache: [Double]
    var withCache: [Double]
  }

  static func run(_ tack: String, runs: Int) async throws -> Figures {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = token
    options.faults = try FaultPlan(
      specs: ["get#*=latency:ms=300", "post#*=latency:ms=300", "patch#*=latency:ms=300"])
    let emulator = try await GraphEmulator.start(options)
    defer { Task { await emulator.stop() } }
    let root = NSTemporaryDirectory() + "tack-cache-bench-" + UUID().uuidString.prefix(8)
    defer { try? FileManager.default.removeItem(atPath: root) }
    var figures = Figures(withoutCache: [], withCache: [])
    for run in 0..<runs {
      let cold = root + "/cold-\(run)"
      figures.withoutCache.append(
        try await firstFrame(tack, emulator.graphBaseURL, home: cold, cached: false))
    }
    // Fill the cache once (lists, and the tasks of the list opened first), then start from it.
    let warm = root + "/warm"
    _ = try await firstFrame(tack, emulator.graphBaseURL, home: warm, cached: false, fill: true)
    for _ in 0..<runs {
      figures.withCache.append(
        try await firstFrame(tack, emulator.graphBaseURL, home: warm, cached: true))
    }
    await emulator.stop()
    return figures
  }

  /// Seconds from starting the pane to the lists on screen (with `cached`: marked cached).
  static func firstFrame(
    _ tack: String, _ graphURL: String, home: String, cached: Bool, fill: Bool = false
  ) async throws -> Double {
    let environment = try sandbox(home, graphURL: graphURL)
    let started = ContinuousClock.now
    let tmux = try Tmux(command: [tack], environment: environment, directory: home + "/files")
    defer { tmux.kill() }
    try await tmux.waitFor(timeout: .seconds(30), every: .milliseconds(5), "the lists") {
      $0.contains("Flagged emails") && (!cached || $0.contains("cached"))
    }
    let elapsed = ContinuousClock.now - started
    if fill {
      // The first list's tasks arrive 300 ms later; then the cache has them too.
      try await tmux.waitFor(timeout: .seconds(30), "the tasks") { $0.contains("Renew passport") }
      try await Task.sleep(for: .milliseconds(500))
    }
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
  }

  static func report(_ figures: Figures) {
    func line(_ values: [Double]) -> String {
      let sorted = values.sorted()
      return "median \(ms(sorted[sorted.count / 2])) (min \(ms(sorted[0])), "
        + "max \(ms(sorted[sorted.count - 1])), \(sorted.count) runs)"
    }
    print("  every Graph answer delayed 300 ms, launch to first frame with lists:")
    print("    without a read cache: " + line(figures.withoutCache))
    print("    from the read cache:  " + line(figures.withCache) + " (goal ≤ 150 ms)")
  }

  private static func ms(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded())) ms" }

  /// Makes `home`'s state, config, cache and files folders and returns the environment of a
  /// `tack` that lives there and talks to `graphURL` with the bench token.
  static func sandbox(_ home: String, graphURL: String) throws -> [String: String] {
    for folder in ["/state", "/config", "/cache", "/files"] {
      try FileManager.default.createDirectory(
        atPath: home + folder, withIntermediateDirectories: true)
    }
    return [
      "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "HOME": home,
      "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
      "XDG_CACHE_HOME": home + "/cache", "TACK_GRAPH_URL": graphURL, "TACK_ACCESS_TOKEN": token,
    ]
  }
}
