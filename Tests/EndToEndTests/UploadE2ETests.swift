import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// `tack upload` as a process: killed with SIGKILL mid-upload, then run again.
@Suite(.serialized) struct UploadE2ETests {
  static let size = 2_000_000
  static let chunk = 327_680

  struct Run {
    var lines: [String]
    var status: Int32?
    var standardError: String
  }

  /// The NDJSON objects among `lines`.
  static func events(_ lines: [String]) -> [[String: Any]] {
    lines.compactMap { line in
      guard let data = line.data(using: .utf8),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { return nil }
      return object
    }
  }

  static func environment(_ emulator: GraphEmulator, state: String) -> [String: String] {
    [
      "TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_ACCESS_TOKEN": EmulatorFixture.token,
      "XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state + "/config", "HOME": state,
    ]
  }

  static func arguments(_ ids: (list: String, task: String), file: String) -> [String] {
    [
      "upload", "--list", ids.list, "--task", ids.task, "--chunk-size", String(chunk), "--json",
      file,
    ]
  }

  /// Starts `tack upload`, waits for the second acknowledged chunk and kills it with SIGKILL.
  static func startAndKill(
    _ emulator: GraphEmulator, ids: (list: String, task: String), file: String, state: String
  ) async throws {
    let child = ChildProcess(
      TackBinary.url, arguments(ids, file: file), environment: environment(emulator, state: state))
    try child.start()
    for ordinal in 1...2 {
      let line = await child.waitForLine(timeout: .seconds(60)) { line in
        line.contains("\"event\":\"chunk_sent\"")
      }
      if line == nil { child.signal(SIGKILL) }
      try #require(line != nil, "no chunk_sent #\(ordinal)")
    }
    child.signal(SIGKILL)
    #expect(await child.waitForExit(timeout: .seconds(10)) != nil)
  }

  /// Runs `tack upload` to the end and returns its stdout lines and exit status.
  static func runToEnd(
    _ emulator: GraphEmulator, ids: (list: String, task: String), file: String, state: String
  ) async throws -> Run {
    let child = ChildProcess(
      TackBinary.url, arguments(ids, file: file), environment: environment(emulator, state: state))
    try child.start()
    let lines = await firstOrDeadline(.seconds(120)) { [lines = child.lines] in
      var collected: [String] = []
      for await line in lines { collected.append(line) }
      return collected
    }
    let status = await child.waitForExit(timeout: .seconds(30))
    return Run(lines: lines ?? [], status: status, standardError: child.standardError())
  }

  static func journal(_ state: String) -> [[String: Any]] {
    let directory = state + "/tack/uploads"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".json") }.compactMap { name in
      guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
        return nil
      }
      return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }
  }

  static func makeDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "tack-e2e-upload-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  @Test func killedUploadResumesFromTheServerOffsetAndAttachesOnce() async throws {
    try #require(
      FileManager.default.isExecutableFile(atPath: TackBinary.url.path),
      "tack not built at \(TackBinary.url.path)")
    try await withEmulator({
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1500000"])
    }) { emulator in
      let directory = try Self.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let bytes = EmulatorFixture.bytes(Self.size, seed: 77)
      let file = directory + "/report 報告.bin"
      try Data(bytes).write(to: URL(fileURLWithPath: file))
      let state = directory + "/state"

      try await Self.startAndKill(emulator, ids: ids, file: file, state: state)
      let entries = Self.journal(state)
      #expect(entries.count == 1)
      let journaled = (entries.first?["acknowledgedOffset"] as? Int) ?? -1
      #expect(journaled >= 2 * Self.chunk)

      let requestsBefore = await emulator.store.requestLog().count
      let run = try await Self.runToEnd(emulator, ids: ids, file: file, state: state)
      #expect(run.status == 0, "stderr: \(run.standardError)")
      let events = Self.events(run.lines)
      let resumedIndex = try #require(events.firstIndex { $0["event"] as? String == "resumed" })
      let resumed = events[resumedIndex]
      let from = try #require(resumed["from"] as? Int)
      #expect(from >= journaled)
      #expect(from >= 2 * Self.chunk)
      #expect(!events.contains { $0["event"] as? String == "session_created" })
      // Every byte the second run sends lies at or after the server's offset. The killed run's
      // last PUT may still commit after its death (the kernel had the bytes): it is then found by
      // the status query (reported as acknowledged before `resumed`) or by a 416, never re-sent.
      let starts = events[resumedIndex...].filter { $0["event"] as? String == "chunk_sent" }
        .compactMap { $0["start"] as? Int }
      #expect(!starts.isEmpty)
      #expect(starts.allSatisfy { $0 >= from })
      let secondRun = await emulator.store.requestLog().dropFirst(requestsBefore)
      let putStarts = secondRun.filter { $0.method == "PUT" }.compactMap { request in
        request.contentRange.flatMap { Int($0.dropFirst(6).split(separator: "-").first ?? "") }
      }
      #expect(putStarts.first.map { $0 >= journaled } == true, "\(putStarts)")
      #expect(putStarts.allSatisfy { $0 >= journaled }, "\(putStarts)")
      let completed = try #require(events.last)
      #expect(completed["event"] as? String == "completed")
      #expect(completed["size"] as? Int == Self.size)

      let attachments = (await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? [])
        .filter { $0.name == "report 報告.bin" }
      #expect(attachments.count == 1)
      let stored = try #require(
        await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: attachments.first?.id ?? ""))
      #expect(SHA256.hex(stored) == SHA256.hex(bytes))
      #expect(completed["attachment_id"] as? String == attachments.first?.id)
      #expect(Self.journal(state).isEmpty)
    }
  }

  @Test func fileEditedBetweenRunsIsUploadedAfreshNeverMixed() async throws {
    try #require(
      FileManager.default.isExecutableFile(atPath: TackBinary.url.path),
      "tack not built at \(TackBinary.url.path)")
    try await withEmulator({
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1500000"])
    }) { emulator in
      let directory = try Self.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let file = directory + "/edited.bin"
      try Data(EmulatorFixture.bytes(Self.size, seed: 78)).write(to: URL(fileURLWithPath: file))
      let state = directory + "/state"

      try await Self.startAndKill(emulator, ids: ids, file: file, state: state)
      #expect(Self.journal(state).count == 1)
      // Same size, different bytes.
      let edited = EmulatorFixture.bytes(Self.size, seed: 79)
      try Data(edited).write(to: URL(fileURLWithPath: file))

      let run = try await Self.runToEnd(emulator, ids: ids, file: file, state: state)
      #expect(run.status == 0, "stderr: \(run.standardError)")
      let events = Self.events(run.lines)
      #expect(events.contains { $0["event"] as? String == "session_recreated" })
      let firstChunk = try #require(events.first { $0["event"] as? String == "chunk_sent" })
      #expect(firstChunk["start"] as? Int == 0)

      let attachments = (await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? [])
        .filter { $0.name == "edited.bin" }
      #expect(attachments.count == 1)
      let stored = try #require(
        await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: attachments.first?.id ?? ""))
      #expect(SHA256.hex(stored) == SHA256.hex(edited))
      #expect(await emulator.store.openSessionCount() == 0)
    }
  }
}
