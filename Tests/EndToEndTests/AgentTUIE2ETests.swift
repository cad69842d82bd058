import Foundation
import GraphEmulator
import TestSupport
import Testing
import TmuxDriver

#if canImport(Glibc)
  import Glibc
#endif

/// The interface as a client of the upload agent, in tmux against the emulator: uploads
/// outlive a dropped link, and two interfaces show the same progress. Each test has its own
/// XDG_RUNTIME_DIR and stops its agent.
@Suite(.serialized) struct AgentTUIE2ETests {
  typealias AgentHome = UploadAgentE2ETests.AgentHome

  /// `tack` (the interface) in tmux, uploading through `home`'s agent, picking files in `files`.
  static func launch(
    _ home: AgentHome, _ emulator: GraphEmulator, files: String,
    change: (inout [String: String]) -> Void = { _ in }
  ) throws -> Tmux {
    var environment = home.environment(emulator)
    change(&environment)
    environment["LANG"] = "C.UTF-8"
    environment["LC_ALL"] = "C.UTF-8"
    environment["TERM"] = "tmux-256color"
    return try Tmux(
      command: [TackBinary.url.path], width: 100, height: 30, environment: environment,
      directory: files)
  }

  static func files(_ home: AgentHome, _ sizes: [String: Int]) throws -> String {
    let directory = home.root + "/files"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for (index, (name, size)) in sizes.sorted(by: { $0.key < $1.key }).enumerated() {
      let bytes = EmulatorFixture.bytes(size, seed: UInt64(71 + index))
      try Data(bytes).write(to: URL(fileURLWithPath: directory + "/" + name))
    }
    return directory
  }

  /// Opens the list "仕事 (Work)" through the filter and waits for its first task.
  static func openWorkList(_ tmux: Tmux) async throws {
    try await tmux.waitFor("Flagged emails", timeout: .seconds(30))
    try tmux.sendKeys("/")
    try tmux.type("Work")
    try tmux.sendKeys("Enter", "Enter")
    try await tmux.waitFor("Quarterly report", timeout: .seconds(30))
  }

  /// The line of the uploads pane that shows `name` with its `acked/total` column.
  static func row(_ name: String, in screen: String) -> String? {
    rows(name, in: screen).first
  }

  static func rows(_ name: String, in screen: String) -> [String] {
    screen.split(separator: "\n").map(String.init).filter {
      $0.contains(name)
        && $0.range(of: #"\d\.\d/\d+\.\d [kM]?B"#, options: .regularExpression) != nil
    }
  }

  /// The `acked/total` text of `name`'s row.
  static func progress(_ name: String, in screen: String) -> String? {
    guard let row = row(name, in: screen),
      let range = row.range(of: #"\d+\.\d/\d+\.\d [kM]?B"#, options: .regularExpression)
    else { return nil }
    return String(row[range])
  }

  static func work(_ emulator: GraphEmulator) async throws -> (list: String, task: String) {
    let lists = await emulator.store.lists()
    let work = try #require(lists.first { $0.displayName == "仕事 (Work)" })
    let task = try #require(await emulator.store.tasks(listID: work.id)?.first)
    return (work.id, task.id)
  }

  /// True once process `pid` is gone (or a zombie nobody reaped).
  static func gone(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return true }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
  }

  static func waitUntil(
    _ what: String, timeout: Duration, _ done: () async -> Bool
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if await done() { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    Issue.record("timed out waiting for \(what)")
  }

  @Test func uploadsGoOnAfterTheLinkDropsAndTheNextInterfaceShowsThemDone() async throws {
    try await withEmulator({
      // Slow PUT bodies: each 2 MB upload takes about ten seconds.
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=200000"])
    }) { emulator in
      let home = try AgentHome()
      let sizes = ["one.bin": 2_000_000, "two.bin": 2_000_000]
      let directory = try Self.files(home, sizes)
      let first = try Self.launch(home, emulator, files: directory)
      try await Self.openWorkList(first)
      try first.sendKeys("a")
      try await first.waitFor("two.bin")
      // `..` is first: mark one.bin and two.bin, then attach them.
      try first.sendKeys("j", "Space", "Space", "Enter")
      try await first.waitFor("2 uploading in background", timeout: .seconds(30))
      try await first.waitFor("sending", timeout: .seconds(30))
      let interface = try #require(try first.programPID())
      let agent = try #require(home.agentPID(), "no agent is running")

      // The link drops: the tmux server goes, and the interface gets SIGHUP.
      first.kill()
      try await Self.waitUntil("the interface to exit", timeout: .seconds(25)) {
        Self.gone(interface)
      }
      #expect(Self.gone(interface))
      #expect(!Self.gone(agent))

      let ids = try await Self.work(emulator)
      try await Self.waitUntil("both uploads to complete", timeout: .seconds(90)) {
        let attached = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
        return sizes.keys.allSatisfy { name in attached.contains { $0.name == name } }
      }
      let attached = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      for (index, (name, size)) in sizes.sorted(by: { $0.key < $1.key }).enumerated() {
        let matching = attached.filter { $0.name == name }
        #expect(matching.count == 1, "\(name): \(matching.count) attachments")
        let stored = await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: matching.first?.id ?? "")
        #expect(stored == EmulatorFixture.bytes(size, seed: UInt64(71 + index)))
      }
      #expect(home.agentPID() == agent, "the same agent finished them")

      // A new interface re-attaches: both rows done, once each.
      let second = try Self.launch(home, emulator, files: directory)
      let screen = try await second.waitFor("2/2 uploaded", timeout: .seconds(30))
      for name in sizes.keys {
        #expect(Self.rows(name, in: screen).count == 1, "\(name) in:\n\(screen)")
        #expect(Self.row(name, in: screen)?.contains("2.0/2.0 MB") == true)
      }
      #expect(!screen.contains("Resume uploads?"))
      try second.sendKeys("q")
      #expect(try await second.waitForExit(timeout: .seconds(25)) == 0)
      await home.tearDown(emulator)
    }
  }

  @Test func twoInterfacesShowTheSameAcknowledgedBytes() async throws {
    try await withEmulator({
      // Three chunks of about four seconds each: the acknowledged bytes move in steps.
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1000000"])
    }) { emulator in
      let home = try AgentHome()
      let directory = try Self.files(home, ["shared.bin": 9_000_000])
      let first = try Self.launch(home, emulator, files: directory)
      try await Self.openWorkList(first)
      let second = try Self.launch(home, emulator, files: directory)
      try await second.waitFor("Flagged emails", timeout: .seconds(30))
      try first.sendKeys("a")
      try await first.waitFor("shared.bin")
      try first.sendKeys("j", "Enter")
      try await first.waitFor("sending", timeout: .seconds(30))

      // The other interface shows the upload it did not start, at the same acknowledged bytes
      // once a chunk is in.
      var seen: (String?, String?) = (nil, nil)
      try await Self.waitUntil("both interfaces to show the same progress", timeout: .seconds(45)) {
        let (one, two) = ((try? first.capture()) ?? "", (try? second.capture()) ?? "")
        seen = (Self.progress("shared.bin", in: one), Self.progress("shared.bin", in: two))
        guard let shown = seen.0, !shown.hasPrefix("0.0/") else { return false }
        return shown == seen.1
      }
      #expect(seen.0 != nil && seen.0 == seen.1, "\(seen)")

      // Quitting one interface with `x` cancels the upload; the other sees it go.
      try first.sendKeys("q")
      try await first.waitFor("keep uploading")
      try first.sendKeys("x")
      #expect(try await first.waitForExit(timeout: .seconds(25)) == 0)
      try await second.waitFor(timeout: .seconds(25), "the cancel to show") {
        Self.row("shared.bin", in: $0)?.contains("cancel") == true
      }
      try second.sendKeys("q")
      #expect(try await second.waitForExit(timeout: .seconds(25)) == 0)
      await home.tearDown(emulator)
    }
  }

  @Test func anAgentKilledUnderTheInterfaceIsReplacedAndTheUploadFinishesOnce() async throws {
    try await withEmulator({
      // About ten seconds of PUT bodies: time to kill the agent mid-upload.
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=300000"])
    }) { emulator in
      let home = try AgentHome()
      let size = 3_000_000
      let directory = try Self.files(home, ["survivor.bin": size])
      let tmux = try Self.launch(home, emulator, files: directory)
      try await Self.openWorkList(tmux)
      try tmux.sendKeys("a")
      try await tmux.waitFor("survivor.bin")
      try tmux.sendKeys("j", "Enter")
      try await tmux.waitFor("sending", timeout: .seconds(30))
      let agent = try #require(home.agentPID(), "no agent is running")
      kill(agent, SIGKILL)

      // The interface starts a new agent, which resumes at the server's offset; the row ends
      // done, and the task has the file once.
      let done = try await tmux.waitFor(timeout: .seconds(90), "the upload to finish") {
        Self.row("survivor.bin", in: $0)?.contains("done") == true
      }
      #expect(done.contains("1/1 uploaded"), "\(done)")
      #expect(!done.contains("went away"), "\(done)")
      let replacement = try #require(home.agentPID(), "no new agent")
      #expect(replacement != agent)
      let ids = try await Self.work(emulator)
      let attached = (await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? [])
        .filter { $0.name == "survivor.bin" }
      #expect(attached.count == 1)
      let stored = await emulator.store.attachmentBytes(
        listID: ids.list, taskID: ids.task, attachmentID: attached.first?.id ?? "")
      #expect(stored == EmulatorFixture.bytes(size, seed: 71))
      try tmux.sendKeys("q")
      #expect(try await tmux.waitForExit(timeout: .seconds(25)) == 0)
      await home.tearDown(emulator)
    }
  }

  @Test func withNoAgentReachableTheInterfaceUploadsItselfAndSaysWhy() async throws {
    try await withEmulator { emulator in
      let home = try AgentHome()
      let directory = try Self.files(home, ["local.bin": 500_000])
      // A socket path the kernel cannot bind.
      let tooLong = home.root + "/" + String(repeating: "r", count: 120)
      let tmux = try Self.launch(home, emulator, files: directory) {
        $0["XDG_RUNTIME_DIR"] = tooLong
      }
      let screen = try await tmux.waitFor("Uploading in this process", timeout: .seconds(30))
      #expect(screen.contains("(as with --no-agent): the socket path"), "\(screen)")
      try await Self.openWorkList(tmux)
      try tmux.sendKeys("a")
      try await tmux.waitFor("local.bin")
      try tmux.sendKeys("j", "Enter")
      let done = try await tmux.waitFor("1/1 uploaded", timeout: .seconds(30))
      #expect(!done.contains("in background"))
      #expect(home.agentPID() == nil)
      try tmux.sendKeys("q")
      #expect(try await tmux.waitForExit(timeout: .seconds(25)) == 0)
      await home.tearDown(emulator)
    }
  }
}
