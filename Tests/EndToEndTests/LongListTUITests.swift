import Foundation
import GraphEmulator
import TestSupport
import Testing
import TmuxDriver

/// A long list over a slow link in the real program: rows show while pages arrive, the title
/// counts them, and `F` finds a task of the last page and jumps to it.
@Suite(.serialized) struct LongListTUITests {
  @Test func aLongListShowsAsItLoadsAndTheSearchFindsItsLastTask() async throws {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    options.longList = 3000
    options.faults = try FaultPlan(specs: ["get#*=latency:ms=40"])
    let emulator = try await GraphEmulator.start(options)
    defer { Task { await emulator.stop() } }
    let home = try TackRun.makeHome("long-list")
    defer { TackRun.remove(home) }
    try FileManager.default.createDirectory(
      atPath: home + "/files", withIntermediateDirectories: true)
    let environment = CachedStartTUITests.environment(home, graphURL: emulator.graphBaseURL)
    let tmux = try Tmux(
      command: [TackBinary.url.path], width: 100, height: 30, environment: environment,
      directory: home + "/files")
    defer { tmux.kill() }
    try await tmux.waitFor("Long list")
    try tmux.sendKeys("/")
    try tmux.type("Long")
    try tmux.sendKeys("Enter", "Enter")
    let loading = try await tmux.waitFor(timeout: .seconds(30), "the first rows") {
      $0.contains("Long list task 1 ")
    }
    #expect(loading.contains("Long list · loading… "), "\(loading)")
    let loaded = try await tmux.waitFor(timeout: .seconds(60), "every page") {
      $0.contains("3000") && !$0.contains("loading")
    }
    #expect(loaded.contains("Long list task 1 "))
    try tmux.sendKeys("F")
    try tmux.type("TASK 2999")
    try await tmux.waitFor(timeout: .seconds(10), "the match") {
      $0.contains("1 match in ")
    }
    try tmux.sendKeys("Enter")
    let jumped = try await tmux.waitFor(timeout: .seconds(10), "the task selected") {
      $0.contains("› Long list task 2999")
    }
    #expect(!jumped.contains("Search every list"))
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }
}
