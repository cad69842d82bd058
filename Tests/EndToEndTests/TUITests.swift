import Foundation
import GraphEmulator
import TestSupport
import Testing
import TmuxDriver

/// `tack --demo` driven in tmux at a fixed size: real binary, real emulator, real ncurses.
///
/// Every step waits for text on the screen with a deadline; nothing sleeps a fixed time.
@Suite(.serialized) struct TUITests {
  /// A scratch directory with the files the picker offers, and a private state directory.
  struct Sandbox {
    let root: URL
    var files: URL { root.appendingPathComponent("files") }
    var state: URL { root.appendingPathComponent("state") }

    init(files sizes: [String: Int]) throws {
      root = FileManager.default.temporaryDirectory
        .appendingPathComponent("tack-tui-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
      for (name, size) in sizes {
        var bytes = [UInt8](repeating: 0, count: size)
        for index in stride(from: 0, to: size, by: 4096) {
          bytes[index] = UInt8(index / 4096 & 0xFF)
        }
        try Data(bytes).write(to: files.appendingPathComponent(name))
      }
    }

    func remove() {
      try? FileManager.default.removeItem(at: root)
    }
  }

  private func launch(_ sandbox: Sandbox, width: Int = 100, height: Int = 30) throws -> Tmux {
    try Tmux(
      command: [TackBinary.url.path, "--demo"], width: width, height: height,
      environment: [
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color",
        "XDG_STATE_HOME": sandbox.state.path, "XDG_CONFIG_HOME": sandbox.state.path,
        "HOME": sandbox.root.path, "NO_COLOR": "",
      ], directory: sandbox.files.path)
  }

  /// Opens the list "仕事 (Work)" through the filter and waits for its first task.
  private func openWorkList(_ tmux: Tmux) async throws {
    try await tmux.waitFor("Flagged emails")
    try tmux.sendKeys("/")
    try tmux.type("Work")
    try tmux.sendKeys("Enter", "Enter")
    try await tmux.waitFor("Quarterly report")
  }

  /// The line of the uploads pane that shows `name` (it has an `acked/total` column).
  private static func row(_ name: String, in screen: String) -> String? {
    screen.split(separator: "\n").map(String.init).first {
      $0.contains(name)
        && $0.range(of: #"\d\.\d/\d+\.\d [kM]?B"#, options: .regularExpression) != nil
    }
  }

  @Test func navigateToATaskAndSeeItsAttachments() async throws {
    let sandbox = try Sandbox(files: [:])
    defer { sandbox.remove() }
    let tmux = try launch(sandbox)
    try await openWorkList(tmux)
    // Both rows, not the first: a capture can land while a frame is drawn.
    let screen = try await tmux.waitFor("both attachments") {
      $0.contains("report-draft.docx") && $0.contains("figures.xlsx")
    }
    #expect(screen.contains("Attachments · Quarterly report"))
    // Moving to another task shows its attachments (or says it has none).
    try tmux.sendKeys("j")
    try await tmux.waitFor(timeout: .seconds(10), "the second task's attachments") {
      !$0.contains("report-draft.docx") && $0.contains("Attachments · ")
    }
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }

  @Test func attachTwoFilesAndWatchChunksComplete() async throws {
    // Large enough that each file sits at "3.9/…" for seconds at the demo's 1.2 MB/s, so a
    // loaded CI machine cannot poll past the partly acknowledged state.
    let sandbox = try Sandbox(files: ["alpha.bin": 9_000_000, "beta.bin": 8_000_000])
    defer { sandbox.remove() }
    let tmux = try launch(sandbox)
    try await openWorkList(tmux)
    try tmux.sendKeys("a")
    try await tmux.waitFor("beta.bin")
    // `..` is first: mark alpha.bin and beta.bin, then attach them.
    try tmux.sendKeys("j", "Space", "Space", "Enter")
    try await tmux.waitFor("Uploads")
    // A bar with an acknowledged chunk and a chunk still to go: segments advance one by one.
    let partial = try await tmux.waitFor(timeout: .seconds(30), "a partly acknowledged bar") {
      screen in
      [Self.row("alpha.bin", in: screen), Self.row("beta.bin", in: screen)].contains { row in
        guard let row else { return false }
        return row.contains("3.9/") && row.contains("█") && row.contains("░")
      }
    }
    #expect(partial.contains("0/2 uploaded"))
    let done = try await tmux.waitFor("2/2 uploaded", timeout: .seconds(60))
    #expect(Self.row("alpha.bin", in: done)?.contains("9.0/9.0 MB") == true)
    #expect(Self.row("beta.bin", in: done)?.contains("8.0/8.0 MB") == true)
    #expect(Self.row("alpha.bin", in: done)?.contains("░") == false)
    // The new attachments show in the task's attachments.
    try await tmux.waitFor(timeout: .seconds(10), "the attachments list to refresh") {
      $0.components(separatedBy: "alpha.bin").count > 2
    }
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }

  @Test func pauseAndResumeAnUpload() async throws {
    let sandbox = try Sandbox(files: ["gamma.bin": 9_000_000])
    defer { sandbox.remove() }
    let tmux = try launch(sandbox)
    try await openWorkList(tmux)
    try tmux.sendKeys("a")
    try await tmux.waitFor("gamma.bin")
    try tmux.sendKeys("j", "Enter")
    try await tmux.waitFor("sending")
    try tmux.sendKeys("p")
    let paused = try await tmux.waitFor("paused")
    #expect(Self.row("gamma.bin", in: paused)?.contains("/9.0 MB") == true)
    try tmux.sendKeys("p")
    try await tmux.waitFor(timeout: .seconds(10), "the upload to resume") {
      Self.row("gamma.bin", in: $0)?.contains("paused") == false
    }
    try await tmux.waitFor("1/1 uploaded", timeout: .seconds(60))
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }

  @Test func resizeTo80x24AndBelowAndBack() async throws {
    let sandbox = try Sandbox(files: [:])
    defer { sandbox.remove() }
    let tmux = try launch(sandbox, width: 120, height: 32)
    try await tmux.waitFor("Flagged emails")
    try tmux.resize(width: 80, height: 24)
    let small = try await tmux.waitFor(timeout: .seconds(10), "the 80×24 layout") { screen in
      let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
      return lines.count >= 23 && lines[1].hasPrefix("┌ Lists") && lines[1].hasSuffix("┐")
        && lines[1].count == 80
    }
    #expect(small.contains("Flagged emails"))
    try tmux.resize(width: 70, height: 20)
    try await tmux.waitFor("Terminal too small: 70×20")
    try tmux.resize(width: 120, height: 32)
    try await tmux.waitFor(timeout: .seconds(10), "the wide layout again") { screen in
      screen.split(separator: "\n").dropFirst().first?.count == 120
    }
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }

  @Test func quittingRestoresTheTerminal() async throws {
    let sandbox = try Sandbox(files: [:])
    defer { sandbox.remove() }
    let tmux = try launch(sandbox)
    try await tmux.waitFor("Flagged emails")
    #expect(try tmux.display("#{alternate_on} #{cursor_flag}") == "1 0")
    try tmux.sendKeys("?")
    try await tmux.waitFor("Keys (generated from the binding table)")
    try tmux.sendKeys("Escape", "q")
    #expect(try await tmux.waitForExit() == 0)
    #expect(try tmux.display("#{alternate_on} #{cursor_flag} #{keypad_cursor_flag}") == "0 1 0")
  }

  @Test func asciiGlyphsOutsideUTF8AndNoColourWithNO_COLOR() async throws {
    let sandbox = try Sandbox(files: [:])
    defer { sandbox.remove() }
    let tmux = try Tmux(
      command: [TackBinary.url.path, "--demo"], width: 100, height: 30,
      environment: [
        "LANG": "C", "LC_ALL": "C", "TERM": "tmux-256color", "NO_COLOR": "1",
        "XDG_STATE_HOME": sandbox.state.path, "XDG_CONFIG_HOME": sandbox.state.path,
        "HOME": sandbox.root.path,
      ], directory: sandbox.files.path)
    let screen = try await tmux.waitFor("Flagged emails")
    #expect(screen.contains("+ Lists -"))
    #expect(!screen.contains("┌"))
    // Names the locale cannot show become one `?` per column instead of shifting the line.
    #expect(screen.contains("Groceries ??"))
    let styled = try tmux.capture(escapes: true)
    #expect(styled.contains("\u{1B}[7m") || styled.contains(";7m"))
    #expect(styled.range(of: #"\x1B\[[0-9;]*3[1-7]m"#, options: .regularExpression) == nil)
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }

  @Test func ctrlZSuspendsAndFgRestores() async throws {
    let sandbox = try Sandbox(files: [:])
    defer { sandbox.remove() }
    // A shell with job control in the pane, so ^Z has somewhere to go.
    let tmux = try Tmux(
      command: ["bash", "--norc", "--noprofile", "-i"], width: 100, height: 30,
      environment: [
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "PS1": "prompt$ ",
        "XDG_STATE_HOME": sandbox.state.path, "XDG_CONFIG_HOME": sandbox.state.path,
        "HOME": sandbox.root.path,
      ], directory: sandbox.files.path)
    try await tmux.waitFor("prompt$")
    try tmux.type("'\(TackBinary.url.path)' --demo")
    try tmux.sendKeys("Enter")
    try await tmux.waitFor("Flagged emails")
    try tmux.sendKeys("C-z")
    try await tmux.waitFor("Stopped")
    #expect(try tmux.display("#{alternate_on} #{cursor_flag}") == "0 1")
    try tmux.type("fg")
    try tmux.sendKeys("Enter")
    try await tmux.waitFor(timeout: .seconds(10), "the screen to come back") {
      $0.contains("Flagged emails") && !$0.contains("Stopped")
    }
    #expect(try tmux.display("#{alternate_on}") == "1")
    try tmux.sendKeys("q")
    try await tmux.waitFor(timeout: .seconds(10), "the prompt after quitting") {
      $0.split(separator: "\n").last?.hasPrefix("prompt$") == true
        && $0.components(separatedBy: "prompt$").count >= 4
    }
    #expect(try tmux.display("#{alternate_on} #{cursor_flag}") == "0 1")
  }

  @Test func hangupWhileUploadingKeepsAResumableJournal() async throws {
    let sandbox = try Sandbox(files: ["epsilon.bin": 4_000_000])
    defer { sandbox.remove() }
    try await withEmulator({ options in
      options.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=400000"])
    }) { emulator in
      let environment = [
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color",
        "XDG_STATE_HOME": sandbox.state.path, "XDG_CONFIG_HOME": sandbox.state.path,
        "HOME": sandbox.root.path, "TACK_GRAPH_URL": emulator.graphBaseURL,
        "TACK_ACCESS_TOKEN": EmulatorFixture.token,
      ]
      let first = try Tmux(
        command: [TackBinary.url.path],
        width: 100, height: 30, environment: environment, directory: sandbox.files.path)
      try await openWorkList(first)
      try first.sendKeys("a")
      try await first.waitFor("epsilon.bin")
      try first.sendKeys("j", "Enter")
      try await first.waitFor("sending")
      let pid = try #require(try first.programPID())
      kill(pid, SIGHUP)
      #expect(try await first.waitForExit() == 0)
      let journal = sandbox.state.appendingPathComponent("tack/uploads").path
      let entries = try FileManager.default.contentsOfDirectory(atPath: journal)
      #expect(entries.contains { $0.hasSuffix(".json") })

      // The next start offers the upload, with the session's time left, and finishes it.
      let second = try Tmux(
        command: [TackBinary.url.path], width: 100, height: 30, environment: environment,
        directory: sandbox.files.path)
      // The whole dialog, not its first line: a capture can land while a frame is drawn.
      let offer = try await second.waitFor("the resume offer with the upload") {
        $0.contains("Resume uploads?") && $0.contains("epsilon.bin") && $0.contains("min left")
      }
      #expect(offer.contains("epsilon.bin") && offer.contains("min left"))
      try second.sendKeys("Enter")
      try await second.waitFor("1/1 uploaded", timeout: .seconds(60))
      try second.sendKeys("q")
      #expect(try await second.waitForExit() == 0)
      let lists = await emulator.store.lists()
      let work = try #require(lists.first { $0.displayName == "仕事 (Work)" })
      let task = try #require(await emulator.store.tasks(listID: work.id)?.first)
      let attachments = await emulator.store.attachments(listID: work.id, taskID: task.id)
      #expect(attachments?.contains { $0.name == "epsilon.bin" && $0.size == 4_000_000 } == true)
    }
  }

  @Test func firstRunSignsInWithADeviceCodeInsideTheInterface() async throws {
    let sandbox = try Sandbox(files: [:])
    defer { sandbox.remove() }
    try await withEmulator({ options in
      options.token = nil
      options.deviceCodeInterval = 1
    }) { emulator in
      let tmux = try Tmux(
        command: [TackBinary.url.path, "--client-id", "tui-test"], width: 100, height: 30,
        environment: [
          "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color",
          "XDG_STATE_HOME": sandbox.state.path, "XDG_CONFIG_HOME": sandbox.state.path,
          "HOME": sandbox.root.path, "TACK_GRAPH_URL": emulator.graphBaseURL,
          "TACK_LOGIN_URL": emulator.loginBaseURL,
        ], directory: sandbox.files.path)
      let prompt = try await tmux.waitFor("2. enter")
      let line = try #require(prompt.split(separator: "\n").first { $0.contains("2. enter") })
      let code = try #require(line.split(separator: " ").last { !$0.contains("│") })
      await emulator.store.approveDeviceCode(userCode: String(code))
      try await tmux.waitFor("Flagged emails", timeout: .seconds(20))
      try tmux.sendKeys("q")
      #expect(try await tmux.waitForExit() == 0)
      // The sign-in was stored: the next start goes straight to the lists.
      let tokens = sandbox.state.appendingPathComponent("tack/tokens.json").path
      #expect(FileManager.default.fileExists(atPath: tokens))
    }
  }

  @Test func ctrlCTwiceWhileUploadingForcesAQuit() async throws {
    let sandbox = try Sandbox(files: ["delta.bin": 9_000_000])
    defer { sandbox.remove() }
    let tmux = try launch(sandbox)
    try await openWorkList(tmux)
    try tmux.sendKeys("a")
    try await tmux.waitFor("delta.bin")
    try tmux.sendKeys("j", "Enter")
    try await tmux.waitFor("sending")
    try tmux.sendKeys("C-c")
    try await tmux.waitFor("Quit?")
    try tmux.sendKeys("C-c")
    #expect(try await tmux.waitForExit() == 130)
    #expect(try tmux.display("#{alternate_on} #{cursor_flag}") == "0 1")
  }
}
