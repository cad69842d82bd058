import Foundation
import GraphEmulator
import TestSupport
import Testing
import TmuxDriver

/// The interface starts from the read cache: with the emulator gone, the lists and the
/// last-seen tasks show, marked cached; once the emulator is back, the panes refresh and say
/// what changed.
@Suite(.serialized) struct CachedStartTUITests {
  static func environment(_ home: String, graphURL: String) -> [String: String] {
    [
      "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "NO_COLOR": "",
      "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
      "XDG_CACHE_HOME": home + "/.cache", "TACK_GRAPH_URL": graphURL,
      "TACK_ACCESS_TOKEN": EmulatorFixture.token,
    ]
  }

  static func emulator(port: Int) async throws -> GraphEmulator {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    options.port = port
    return try await GraphEmulator.start(options)
  }

  @Test func killTheEmulatorStartFromTheCacheRestartItAndThePanesRefresh() async throws {
    let home = try TackRun.makeHome("cached-start")
    defer { TackRun.remove(home) }
    try FileManager.default.createDirectory(
      atPath: home + "/files", withIntermediateDirectories: true)

    // 1. Online: open "仕事 (Work)" so its tasks are the last seen; quit (the cache is flushed).
    let first = try await Self.emulator(port: 0)
    let port = first.port
    let graphURL = first.graphBaseURL
    let environment = Self.environment(home, graphURL: graphURL)
    do {
      let tmux = try Tmux(
        command: [TackBinary.url.path], width: 100, height: 30, environment: environment,
        directory: home + "/files")
      defer { tmux.kill() }
      // The first list's tasks are in before "仕事 (Work)" is opened, so Work's are the last seen.
      try await tmux.waitFor("Renew passport")
      try tmux.sendKeys("/")
      try tmux.type("Work")
      try tmux.sendKeys("Enter", "Enter")
      try await tmux.waitFor("Review design doc")
      try tmux.sendKeys("q")
      #expect(try await tmux.waitForExit() == 0)
    }
    await first.stop()

    // 2. The emulator is gone: the cached lists and the Work tasks show at once, marked.
    let tmux = try Tmux(
      command: [TackBinary.url.path], width: 100, height: 30, environment: environment,
      directory: home + "/files")
    defer { tmux.kill() }
    let cached = try await tmux.waitFor(timeout: .seconds(15), "the cached panes") {
      $0.contains("Flagged emails") && $0.contains("Review design doc")
    }
    #expect(cached.contains("Lists · cached just now"), "\(cached)")
    #expect(cached.contains("仕事 (Work) · cached just now"), "\(cached)")
    try await tmux.waitFor(timeout: .seconds(60), "the offline notice") {
      $0.contains("Offline: showing lists cached")
    }

    // 3. The emulator is back (same port), with a renamed task; Ctrl-R refreshes both panes.
    let second = try await Self.emulator(port: port)
    defer { Task { await second.stop() } }
    let rename = try await TackRun.run(
      ["rename", "--list", "仕事 (Work)", "--task", "Review design doc", "Review design doc v2"],
      home: home + "/rename",
      environment: ["TACK_GRAPH_URL": graphURL, "TACK_ACCESS_TOKEN": EmulatorFixture.token])
    #expect(rename.status == 0, "\(rename.stderr)")
    try tmux.sendKeys("C-r")
    let refreshed = try await tmux.waitFor(timeout: .seconds(60), "the refreshed panes") {
      $0.contains("Review design doc v2") && !$0.contains("cached")
    }
    #expect(refreshed.contains("Tasks refreshed: 1 changed"), "\(refreshed)")
    #expect(refreshed.contains("Tasks · 仕事 (Work)"), "the open list stays: \(refreshed)")
    await second.stop()
  }
}
