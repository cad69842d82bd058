import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// `--json` and NDJSON carry no raw control characters, whatever the server sends.
@Suite struct MachineOutputTests {
  static func hasRawControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0 != "\n" && $0.properties.generalCategory == .control }
  }

  @Test func taskTitleWithC1AndDELIsEscapedInTasksJSON() async throws {
    let home = try TackRun.makeHome("json")
    defer { TackRun.remove(home) }
    try await withEmulator { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let title = "evil\u{9B}31m title\u{7F}\u{85} end"
      await emulator.store.setTaskTitle(listID: ids.list, taskID: ids.task, title)
      let run = try await TackRun.run(
        ["tasks", "--list", ids.list, "--json"], home: home, environment: TackRun.graph(emulator))
      #expect(run.status == 0, "stderr: \(run.stderr)")
      let text = run.stdout.joined(separator: "\n")
      #expect(!Self.hasRawControls(text))
      #expect(text.lowercased().contains(#"evil\u009b31m title\u007f\u0085 end"#))
      let tasks = try JSONDecoder().decode([JSONValue].self, from: Data(text.utf8))
      #expect(tasks.contains { $0[caseInsensitive: "title"]?.stringValue == title })
    }
  }

  @Test func attachmentIDFromAHostileLocationIsCleanInNDJSON() async throws {
    let home = try TackRun.makeHome("location")
    defer { TackRun.remove(home) }
    try await withEmulator({ $0.locationForm = .controls }) { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let file = home + "/small.bin"
      try Data(EmulatorFixture.bytes(5_000)).write(to: URL(fileURLWithPath: file))
      let run = try await TackRun.run(
        ["upload", "--list", ids.list, "--task", ids.task, "--json", file], home: home,
        environment: TackRun.graph(emulator))
      #expect(run.status == 0, "stderr: \(run.stderr)")
      #expect(!Self.hasRawControls(run.stdout.joined(separator: "\n")))
      #expect(!Self.hasRawControls(run.stderr))
      let completed = try #require(run.stdout.last { $0.contains("\"completed\"") })
      let object = try JSONDecoder().decode(JSONValue.self, from: Data(completed.utf8))
      let stored = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      let id = try #require(object[caseInsensitive: "attachment_id"]?.stringValue)
      #expect(stored.contains { $0.id == id })
    }
  }
}
