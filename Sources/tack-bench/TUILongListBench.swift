import Foundation
import GraphClient
import GraphEmulator
import TmuxDriver

/// `tack-bench tui` (and `tui --long-list`): a 10,000-task list loaded page by page over a slow
/// link, on the real binary in tmux.
///
/// The emulator serves `long-list=10000` at 100 tasks a page and delays every GET by 150 ms. With
/// the lists on screen, the bench chooses "Long list" and measures: the time to its first rows
/// on screen, the time to all rows (the title's "loading… N" gone), and, while it loads, the time
/// from sending `j` or `k` to the redraw that moves the selection (the `▶` pointer in the bytes the
/// program writes, recorded with `tmux pipe-pane`; the time includes the `tmux send-keys` call).
enum TUILongListBench {
  static let token = "bench-token"
  static let tasks = 10_000
  static let pageSize = 100
  static let pageTime = 0.150

  struct Figures {
    var firstRows: Double
    var allRows: Double
    var keyLatencies: [Double]
    /// The same pages fetched by `GraphSession` alone (no terminal, no TUI): what the link and
    /// the emulator cost, as plain pages and as the delta round the TUI loads with its cache.
    var plainPaging: Double
    var deltaPaging: Double
  }

  static func run(_ tack: String) async throws -> Figures {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = token
    options.longList = tasks
    options.faults = try FaultPlan(specs: ["get#*=latency:ms=\(Int(pageTime * 1000))"])
    let emulator = try await GraphEmulator.start(options)
    defer { Task { await emulator.stop() } }
    let home = NSTemporaryDirectory() + "tack-long-list-bench-" + UUID().uuidString.prefix(8)
    defer { try? FileManager.default.removeItem(atPath: home) }
    let environment = try TUICacheBench.sandbox(home, graphURL: emulator.graphBaseURL)
    let output = home + "/pane.out"
    let tmux = try Tmux(command: [tack], environment: environment, directory: home + "/files")
    defer { tmux.kill() }
    try tmux.run(["pipe-pane", "-o", "-t", "main", "cat >> '\(output)'"])
    try await tmux.waitFor(timeout: .seconds(30), every: .milliseconds(5), "the lists") {
      $0.contains("Long list")
    }
    // Filter the lists down to "Long list", then choose it.
    try tmux.run(["send-keys", "-t", "main", "/"])
    try tmux.run(["send-keys", "-t", "main", "-l", "Long"])
    try tmux.run(["send-keys", "-t", "main", "Enter"])
    try await tmux.waitFor(timeout: .seconds(10), every: .milliseconds(5), "the filter") {
      $0.contains("/Long") && !$0.contains("Flagged emails")
    }
    let chosen = ContinuousClock.now
    try tmux.run(["send-keys", "-t", "main", "Enter"])
    try await tmux.waitFor(timeout: .seconds(30), every: .milliseconds(2), "the first rows") {
      $0.contains("Long list task 1 ")
    }
    let firstRows = seconds(ContinuousClock.now - chosen)
    var latencies: [Double] = []
    for press in 0..<20 {
      guard try tmux.capture().contains("loading") else { break }
      // Down and up again: the pointer moves each time and the pane never scrolls (a scroll
      // would leave the pointer's cell as it was).
      latencies.append(try await keyToRedraw(tmux, output, key: press % 2 == 0 ? "j" : "k"))
      try await Task.sleep(for: .milliseconds(40))
    }
    try await tmux.waitFor(timeout: .seconds(120), every: .milliseconds(5), "all rows") {
      $0.contains("Long list task") && !$0.contains("loading")
    }
    let allRows = seconds(ContinuousClock.now - chosen)
    tmux.kill()
    let (plain, delta) = try await sessionPaging(emulator)
    await emulator.stop()
    return Figures(
      firstRows: firstRows, allRows: allRows, keyLatencies: latencies, plainPaging: plain,
      deltaPaging: delta)
  }

  /// Seconds to fetch every page of "Long list" with `GraphSession` alone: plain pages, then
  /// a first delta round.
  static func sessionPaging(_ emulator: GraphEmulator) async throws -> (Double, Double) {
    guard let list = await emulator.store.lists().first(where: { $0.displayName == "Long list" })
    else { throw BenchError("the emulator has no Long list") }
    let transport = LiveHTTPTransport()
    let session = try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: token),
      transport: transport)
    let start = ContinuousClock.now
    let tasks = try await session.tasks(listID: list.id).all()
    let plain = seconds(ContinuousClock.now - start)
    let deltaStart = ContinuousClock.now
    let entries = try await session.tasksDeltaPages(listID: list.id).all()
    let delta = seconds(ContinuousClock.now - deltaStart)
    await transport.shutdown()
    guard tasks.count == Self.tasks, entries.count == Self.tasks else {
      throw BenchError("got \(tasks.count) tasks, \(entries.count) delta entries")
    }
    return (plain, delta)
  }

  /// Seconds from sending `key` to the program writing the moved selection pointer.
  static func keyToRedraw(_ tmux: Tmux, _ output: String, key: String) async throws -> Double {
    let before = fileSize(output)
    let pointer = Data("▶".utf8)
    let sent = ContinuousClock.now
    try tmux.run(["send-keys", "-t", "main", key])
    while ContinuousClock.now - sent < .seconds(2) {
      if fileSize(output) > before, let handle = FileHandle(forReadingAtPath: output) {
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(before))
        if let written = try handle.readToEnd(), written.range(of: pointer) != nil {
          return seconds(ContinuousClock.now - sent)
        }
      }
      try await Task.sleep(for: .microseconds(500))
    }
    return 2
  }

  static func report(_ figures: Figures) {
    let pages = Double(tasks / pageSize)
    print(
      "  \(tasks.formatted()) tasks, \(pageSize) a page, \(Int(pageTime * 1000)) ms a page "
        + "(every GET delayed), after choosing the list:")
    print(
      "    first rows on screen: \(ms(figures.firstRows)) "
        + "(goal ≤ \(ms(pageTime + 0.1)))")
    print(
      "    all rows: \(String(format: "%.2f", figures.allRows)) s "
        + "(goal ≤ \(String(format: "%.2f", 1.1 * pages * pageTime)) s; the same pages "
        + "through GraphSession alone: \(String(format: "%.2f", figures.plainPaging)) s plain, "
        + "\(String(format: "%.2f", figures.deltaPaging)) s as the delta round the TUI loads)")
    let sorted = figures.keyLatencies.sorted()
    guard !sorted.isEmpty else {
      print("    key press to redraw during the load: not measured (the load ended first)")
      return
    }
    print(
      "    key press to redraw during the load: median \(ms(sorted[sorted.count / 2])), "
        + "worst \(ms(sorted[sorted.count - 1])) (\(sorted.count) presses of j and k; "
        + "goal median ≤ 16 ms, worst ≤ 50 ms)")
  }

  private static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  private static func ms(_ seconds: Double) -> String { "\(Int((seconds * 1000).rounded())) ms" }

  private static func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
  }
}
