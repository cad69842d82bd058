import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// `tack add/done/undone/rename/delete` as processes against the emulator, confirmed there.
@Suite struct TaskCommandTests {
  struct Run {
    var status: Int32?
    var lines: [String]
    var standardError: String
  }

  /// Runs `tack` with `arguments` against `emulator` in a fresh state directory.
  static func tack(_ emulator: GraphEmulator, _ arguments: [String]) async throws -> Run {
    let state = NSTemporaryDirectory() + "tack-tasks-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: state) }
    let child = ChildProcess(
      TackBinary.url, arguments,
      environment: [
        "TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_ACCESS_TOKEN": EmulatorFixture.token,
        "XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state + "/config", "HOME": state,
      ])
    try child.start()
    let lines = await firstOrDeadline(.seconds(60)) { [lines = child.lines] in
      var collected: [String] = []
      for await line in lines { collected.append(line) }
      return collected
    }
    let status = await child.waitForExit(timeout: .seconds(30))
    return Run(status: status, lines: lines ?? [], standardError: child.standardError())
  }

  static func tasks(_ emulator: GraphEmulator, titled title: String) async throws -> [TodoTask] {
    let list = try #require(await emulator.store.lists().first { $0.displayName == "Tasks" })
    return await emulator.store.tasks(listID: list.id)?.filter { $0.title == title } ?? []
  }

  @Test func addCreatesTheTaskAndSaysSoOnOneLine() async throws {
    try await withEmulator { emulator in
      let run = try await Self.tack(
        emulator,
        [
          "add", "--list", "tasks", "Buy milk", "--due", "2026-12-24", "--importance", "high",
          "--note", "2 litres",
        ])
      #expect(run.status == 0)
      let task = try #require(try await Self.tasks(emulator, titled: "Buy milk").first)
      #expect(run.lines == ["Added “Buy milk” to Tasks (id \(task.id))"])
      #expect(task.importance == "high")
      #expect(task.body?.content == "2 litres")
      #expect(task.dueDateTime?.dateTime.hasPrefix("2026-12-24") == true)
    }
  }

  @Test func addWithJSONPrintsTheCreatedTask() async throws {
    try await withEmulator { emulator in
      let run = try await Self.tack(emulator, ["add", "--list", "Tasks", "Scripted", "--json"])
      #expect(run.status == 0)
      let line = try #require(run.lines.first)
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      let task = try #require(try await Self.tasks(emulator, titled: "Scripted").first)
      #expect(object?["id"] as? String == task.id)
      #expect(object?["@odata.etag"] as? String != nil)
    }
  }

  @Test func addWhoseAnswerIsLostMakesNoDuplicate() async throws {
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["task#1=commit-drop"]) }) {
      emulator in
      let run = try await Self.tack(emulator, ["add", "--list", "Tasks", "Only once"])
      #expect(run.status == 0, "\(run.standardError)")
      #expect(try await Self.tasks(emulator, titled: "Only once").count == 1)
    }
  }

  @Test func addAttachUploadsTheFilesToTheNewTask() async throws {
    let file = NSTemporaryDirectory() + "tack-attach-\(UUID().uuidString).txt"
    try Data("hello".utf8).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    try await withEmulator { emulator in
      let run = try await Self.tack(
        emulator, ["add", "--list", "Tasks", "With file", "--attach", file])
      #expect(run.status == 0, "\(run.standardError)")
      let task = try #require(try await Self.tasks(emulator, titled: "With file").first)
      let list = try #require(await emulator.store.lists().first { $0.displayName == "Tasks" })
      let attachments = await emulator.store.attachments(listID: list.id, taskID: task.id)
      #expect(attachments?.map(\.size) == [5])
    }
  }

  @Test func addRefusesABadDueDateWithExit2() async throws {
    try await withEmulator { emulator in
      let run = try await Self.tack(emulator, ["add", "--list", "Tasks", "x", "--due", "24/12"])
      #expect(run.status == 2)
      #expect(run.standardError.contains("YYYY-MM-DD"))
      #expect(try await Self.tasks(emulator, titled: "x").isEmpty)
    }
  }

  @Test func doneAndUndoneToggleTheStatus() async throws {
    try await withEmulator { emulator in
      _ = try await Self.tack(emulator, ["add", "--list", "Tasks", "Toggle me"])
      let done = try await Self.tack(
        emulator, ["done", "--list", "Tasks", "--task", "toggle me"])
      #expect(done.status == 0)
      #expect(done.lines == ["Completed “Toggle me” in Tasks"])
      let completed = try #require(try await Self.tasks(emulator, titled: "Toggle me").first)
      #expect(completed.status == "completed")
      #expect(completed.completedDateTime != nil)
      let undone = try await Self.tack(
        emulator, ["undone", "--list", "Tasks", "--task", "Toggle me"])
      #expect(undone.status == 0)
      let reopened = try #require(try await Self.tasks(emulator, titled: "Toggle me").first)
      #expect(reopened.status == "notStarted")
      #expect(reopened.completedDateTime == nil)
    }
  }

  @Test func renameChangesTheTitle() async throws {
    try await withEmulator { emulator in
      _ = try await Self.tack(emulator, ["add", "--list", "Tasks", "Old name"])
      let run = try await Self.tack(
        emulator, ["rename", "--list", "Tasks", "--task", "Old name", "New name"])
      #expect(run.status == 0)
      #expect(run.lines == ["Renamed “Old name” to “New name” in Tasks"])
      #expect(try await Self.tasks(emulator, titled: "New name").count == 1)
      #expect(try await Self.tasks(emulator, titled: "Old name").isEmpty)
    }
  }

  @Test func deleteWithYesRemovesTheTask() async throws {
    try await withEmulator { emulator in
      _ = try await Self.tack(emulator, ["add", "--list", "Tasks", "Doomed"])
      let run = try await Self.tack(
        emulator, ["delete", "--list", "Tasks", "--task", "Doomed", "--yes"])
      #expect(run.status == 0)
      #expect(run.lines == ["Deleted “Doomed” from Tasks"])
      #expect(try await Self.tasks(emulator, titled: "Doomed").isEmpty)
    }
  }

  @Test func deleteWithoutYesOffATerminalRefusesWithExit2() async throws {
    try await withEmulator { emulator in
      _ = try await Self.tack(emulator, ["add", "--list", "Tasks", "Kept"])
      let run = try await Self.tack(emulator, ["delete", "--list", "Tasks", "--task", "Kept"])
      #expect(run.status == 2)
      #expect(run.standardError.contains("--yes"))
      #expect(try await Self.tasks(emulator, titled: "Kept").count == 1)
    }
  }

  @Test func unknownTaskIsAUsageErrorNamingTheClosest() async throws {
    try await withEmulator { emulator in
      _ = try await Self.tack(emulator, ["add", "--list", "Tasks", "Water plants"])
      let run = try await Self.tack(
        emulator, ["done", "--list", "Tasks", "--task", "Water plans"])
      #expect(run.status == 2)
      #expect(run.standardError.contains("Water plants"))
    }
  }

  @Test func titlesAreSanitisedInTheOutputLine() async throws {
    try await withEmulator { emulator in
      let run = try await Self.tack(
        emulator, ["add", "--list", "Tasks", "Bell\u{07}\u{1B}[31mred"])
      #expect(run.status == 0)
      let line = try #require(run.lines.first)
      #expect(!line.contains("\u{1B}"))
      #expect(!line.contains("\u{07}"))
    }
  }
}
