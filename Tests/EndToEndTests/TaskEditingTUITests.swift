import Foundation
import GraphEmulator
import TestSupport
import Testing
import TmuxDriver

/// Managing a task from the keyboard in tmux against the emulator, each step confirmed by
/// asking the emulator over HTTP with a token, as a second client would.
@Suite struct TaskEditingTUITests {
  /// GETs `path` (under the Graph base) from the emulator, authorised with the fixture token.
  static func get(_ emulator: GraphEmulator, _ path: String) async throws -> RawHTTP.Reply {
    try await RawHTTP.send(
      "GET", emulator.graphBaseURL + path, headers: [EmulatorFixture.auth])
  }

  /// The tasks of list `listID` as the emulator serves them.
  static func tasks(_ emulator: GraphEmulator, _ listID: String) async throws -> [[String: Any]] {
    let path = "/me/todo/lists/\(EmulatorFixture.escape(listID))/tasks?$top=999"
    return try await get(emulator, path).json["value"] as? [[String: Any]] ?? []
  }

  /// The one task titled `title` in list `listID`, if there is exactly one.
  static func only(_ title: String, _ emulator: GraphEmulator, _ listID: String) async throws
    -> [String: Any]?
  {
    let matching = try await tasks(emulator, listID).filter { $0["title"] as? String == title }
    return matching.count == 1 ? matching[0] : nil
  }

  /// The screen line showing `text`, and its index.
  static func line(_ text: String, in screen: String) -> Int? {
    screen.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
      $0.contains(text)
    }
  }

  @Test func createRenameDueStepCompleteAndDeleteATask() async throws {
    let home = try TackRun.makeHome("task-edit")
    defer { TackRun.remove(home) }
    try await withEmulator { emulator in
      let work = try #require(await emulator.store.lists().first { $0.displayName == "仕事 (Work)" })
      let tmux = try Tmux(
        command: [TackBinary.url.path], width: 120, height: 32,
        environment: [
          "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "HOME": home,
          "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
          "TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_ACCESS_TOKEN": EmulatorFixture.token,
          "TZ": "UTC",
        ], directory: home)
      defer { tmux.kill() }
      try await tmux.waitFor("Flagged emails")
      try tmux.sendKeys("/")
      try tmux.type("Work")
      try tmux.sendKeys("Enter", "Enter")
      try await tmux.waitFor("Quarterly report")

      // Create: the editor, then the row, then the emulator has exactly one such task.
      try tmux.sendKeys("n")
      try await tmux.waitFor("New task in 仕事 (Work)")
      try tmux.type("Buy oat milk")
      try tmux.sendKeys("Enter")
      // The row, saved (the status line's "Added …" may be replaced by a later message).
      try await tmux.waitFor(timeout: .seconds(30), "the new row, saved") {
        $0.contains("Buy oat milk") && !$0.contains("(saving") && !$0.contains("New task in")
      }
      let created = try #require(try await Self.only("Buy oat milk", emulator, work.id))
      let id = try #require(created["id"] as? String)
      let taskPath =
        "/me/todo/lists/\(EmulatorFixture.escape(work.id))/tasks/"
        + EmulatorFixture.escape(id)

      // Rename with readline keys: Ctrl-W drops "milk".
      try tmux.sendKeys("e", "C-w")
      try tmux.type("drink 2L")
      try tmux.sendKeys("Enter")
      try await tmux.waitFor(timeout: .seconds(15), "the renamed row, saved") {
        $0.contains("Buy oat drink 2L") && !$0.contains("(saving") && !$0.contains("Rename task")
      }
      #expect(try await Self.get(emulator, taskPath).json["title"] as? String == "Buy oat drink 2L")

      // Due date.
      try tmux.sendKeys("D")
      try tmux.type("2026-12-24")
      try tmux.sendKeys("Enter")
      try await tmux.waitFor(timeout: .seconds(15), "the due date, saved") {
        $0.contains("2026-12-24") && !$0.contains("(saving") && !$0.contains("Due date of")
      }
      let due = try await Self.get(emulator, taskPath).json["dueDateTime"] as? [String: Any]
      #expect((due?["dateTime"] as? String)?.hasPrefix("2026-12-24") == true)

      try await Self.addAndTickAStep(tmux, emulator, taskPath)
      try await Self.completeThenDelete(tmux, emulator, taskPath, listID: work.id)
      try tmux.sendKeys("q")
      #expect(try await tmux.waitForExit() == 0)
    }
  }

  /// Tab to attachments, Tab to steps; add a step, then tick it; both confirmed at the emulator.
  static func addAndTickAStep(_ tmux: Tmux, _ emulator: GraphEmulator, _ taskPath: String)
    async throws
  {
    try tmux.sendKeys("Tab", "Tab")
    try await tmux.waitFor("No steps (n adds one)")
    try tmux.sendKeys("n")
    try tmux.type("Check the date")
    try tmux.sendKeys("Enter")
    try await tmux.waitFor(timeout: .seconds(15), "the step, saved") {
      $0.contains("Check the date") && !$0.contains("(saving") && $0.contains("Steps 0/1")
    }
    try tmux.sendKeys("Space")
    try await tmux.waitFor(timeout: .seconds(15), "the ticked step, saved") {
      $0.contains("Steps 1/1") && !$0.contains("(saving")
    }
    let steps = try await Self.get(emulator, taskPath + "/checklistItems").json["value"]
    let step = try #require((steps as? [[String: Any]])?.first)
    #expect(step["displayName"] as? String == "Check the date")
    #expect(step["isChecked"] as? Bool == true)
  }

  /// Completes the selected task (it moves under "Completed (N)"), then deletes it.
  static func completeThenDelete(
    _ tmux: Tmux, _ emulator: GraphEmulator, _ taskPath: String, listID: String
  ) async throws {
    // Complete: the row moves under "Completed (N)".
    try tmux.sendKeys("Escape", "Space")
    let completed = try await tmux.waitFor(timeout: .seconds(15), "the task in Completed") {
      guard let heading = Self.line("Completed (", in: $0),
        let row = Self.line("Buy oat drink 2L", in: $0)
      else { return false }
      return row > heading && !$0.contains("(saving")
    }
    #expect(completed.contains("✓"))
    #expect(try await Self.get(emulator, taskPath).json["status"] as? String == "completed")

    // Delete: select it through the filter, confirm the question that names it.
    try tmux.sendKeys("/")
    try tmux.type("oat drink")
    try tmux.sendKeys("Enter", "d")
    try await tmux.waitFor("“Buy oat drink 2L”")
    try tmux.sendKeys("y")
    try await tmux.waitFor("Deleted “Buy oat drink 2L”")
    #expect(try await Self.get(emulator, taskPath).status == 404)
    #expect(try await Self.only("Buy oat drink 2L", emulator, listID) == nil)
  }
}
