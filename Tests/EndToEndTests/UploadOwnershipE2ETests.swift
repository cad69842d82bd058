import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One owner per journaled upload, through the binary: two `tack resume` at once attach the
/// file once; `tack uploads` names the process driving an upload.
@Suite(.serialized) struct UploadOwnershipE2ETests {
  static let chunk = 327_680
  static let size = 3 * chunk - 1_000

  typealias E2E = UploadE2ETests

  /// A journaled upload of `bytes` whose first PUT got a 401 (a fixed token cannot refresh):
  /// the session exists, nothing was sent. Returns the journal entry as JSON.
  static func journaledTemplate(
    _ emulator: GraphEmulator, ids: (list: String, task: String), file: String, state: String
  ) async throws -> [String: Any] {
    let run = try await E2E.runToEnd(emulator, ids: ids, file: file, state: state)
    #expect(run.status == 3, "stderr: \(run.standardError)")
    let entries = E2E.journal(state)
    try #require(entries.count == 1)
    let entry = entries[0]
    try FileManager.default.removeItem(
      atPath: state + "/tack/uploads/" + (entry["id"] as? String ?? "") + ".json")
    return entry
  }

  /// Journals a fresh session for a copy of the file named `name` (3 chunks, none sent).
  static func journalCopy(
    _ template: [String: Any], bytes: [UInt8], name: String, directory: String, state: String,
    emulator: GraphEmulator, ids: (list: String, task: String)
  ) async throws -> String {
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    var info = stat()
    try #require(stat(path, &info) == 0)
    let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    let url = try await EmulatorFixture.createSession(emulator, ids, name: name, size: size)
    let id = String(format: "%016llx", UInt64.random(in: 0...UInt64.max))
    var entry = template
    entry["id"] = id
    entry["filePath"] = path
    entry["name"] = name
    entry["modificationTimeNanoseconds"] = mtime
    entry["uploadUrl"] = url
    entry["sessionCreatedAt"] = GraphDate.format(Date())
    entry["acknowledgedOffset"] = 0
    entry["finalChunkSent"] = false
    let data = try JSONSerialization.data(withJSONObject: entry)
    try data.write(to: URL(fileURLWithPath: state + "/tack/uploads/" + id + ".json"))
    return id
  }

  static func run(
    _ arguments: [String], _ emulator: GraphEmulator, state: String
  ) async throws -> E2E.Run {
    let child = ChildProcess(
      TackBinary.url, arguments, environment: E2E.environment(emulator, state: state))
    try child.start()
    let lines = await firstOrDeadline(.seconds(60)) { [lines = child.lines] in
      var collected: [String] = []
      for await line in lines { collected.append(line) }
      return collected
    }
    let status = await child.waitForExit(timeout: .seconds(30))
    if status == nil { child.signal(SIGKILL) }
    return E2E.Run(lines: lines ?? [], status: status, standardError: child.standardError())
  }

  @Test func twoResumesAtOnceAttachTheFileExactlyOnceTwentyTimesOver() async throws {
    try #require(FileManager.default.isExecutableFile(atPath: TackBinary.url.path))
    try await withEmulator({
      $0.faults = try FaultPlan(specs: ["put#1=401", "put#*=bandwidth:bps=6000000"])
    }) { emulator in
      let directory = try E2E.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let bytes = EmulatorFixture.bytes(Self.size, seed: 9)
      let state = directory + "/state"
      let original = directory + "/template.bin"
      try Data(bytes).write(to: URL(fileURLWithPath: original))
      let template = try await Self.journaledTemplate(
        emulator, ids: ids, file: original, state: state)
      var skippedWhileRunning = 0
      for round in 1...20 {
        let name = "race-\(round).bin"
        _ = try await Self.journalCopy(
          template, bytes: bytes, name: name, directory: directory, state: state,
          emulator: emulator, ids: ids)
        async let first = Self.run(["resume", "--json"], emulator, state: state)
        async let second = Self.run(["resume", "--json"], emulator, state: state)
        let runs = try await [first, second]
        for run in runs { #expect(run.status == 0, "round \(round): \(run.standardError)") }
        let errors = runs.map(\.standardError).joined()
        if errors.contains("\(name) is being uploaded by process ") { skippedWhileRunning += 1 }
        let attachments =
          (await emulator.store.attachments(listID: ids.list, taskID: ids.task)
          ?? []).filter { $0.name == name }
        #expect(attachments.count == 1, "round \(round): \(attachments.count) attachments")
        let stored = await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: attachments.first?.id ?? "")
        #expect(stored == bytes, "round \(round): the attachment is not the file")
        #expect(E2E.journal(state).isEmpty, "round \(round)")
      }
      // Started together, the second process nearly always finds the first one driving.
      #expect(skippedWhileRunning > 0)
    }
  }

  @Test func uploadsShowsTheDriverAndResumeSkipsItWithoutFailing() async throws {
    try #require(FileManager.default.isExecutableFile(atPath: TackBinary.url.path))
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#1=401"]) }) { emulator in
      let directory = try E2E.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let bytes = EmulatorFixture.bytes(Self.size, seed: 10)
      let state = directory + "/state"
      let file = directory + "/held.bin"
      try Data(bytes).write(to: URL(fileURLWithPath: file))
      let template = try await Self.journaledTemplate(emulator, ids: ids, file: file, state: state)
      let id = try await Self.journalCopy(
        template, bytes: bytes, name: "held.bin", directory: directory, state: state,
        emulator: emulator, ids: ids)
      // This test process drives the upload, as a TUI would: it holds the entry's lock.
      let lockPath = state + "/tack/uploads/" + id + ".lock"
      let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
      try #require(fd >= 0)
      defer { close(fd) }
      try #require(flock(fd, LOCK_EX) == 0)
      let pid = getpid()
      _ = "\(pid)\n".withCString { write(fd, $0, strlen($0)) }

      let listed = try await Self.run(["uploads", "--json"], emulator, state: state)
      #expect(listed.status == 0, "\(listed.standardError)")
      let array =
        try JSONSerialization.jsonObject(with: Data(listed.lines.joined().utf8)) as? [[String: Any]]
      let row = try #require(array?.first)
      #expect(row["id"] as? String == id)
      #expect(row["running"] as? Bool == true)
      #expect(row["pid"] as? Int == Int(pid))
      let table = try await Self.run(["uploads"], emulator, state: state)
      #expect(table.lines.joined().contains("running (pid \(pid))"))

      let requests = await emulator.store.requestLog().count
      let resumed = try await Self.run(["resume"], emulator, state: state)
      #expect(resumed.status == 0, "a skipped upload is not a failure: \(resumed.standardError)")
      #expect(resumed.standardError.contains("held.bin is being uploaded by process \(pid)"))
      #expect(await emulator.store.requestLog().count == requests, "no request for it")
      #expect(E2E.journal(state).count == 1)

      flock(fd, LOCK_UN)
      let after = try await Self.run(["uploads", "--json"], emulator, state: state)
      let rows =
        try JSONSerialization.jsonObject(with: Data(after.lines.joined().utf8)) as? [[String: Any]]
      #expect(rows?.first?["running"] as? Bool == false)
      #expect(rows?.first?["pid"] == nil)
    }
  }

  @Test func uploadsLeavesAnotherWritersTemporaryFileAlone() async throws {
    try #require(FileManager.default.isExecutableFile(atPath: TackBinary.url.path))
    try await withEmulator { emulator in
      let directory = try E2E.makeDirectory()
      defer { try? FileManager.default.removeItem(atPath: directory) }
      let journal = directory + "/state/tack/uploads"
      try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
      let writing = journal + "/.abc.json.tmp-4242-beef"
      let abandoned = journal + "/.abd.json.tmp-4243-cafe"
      try Data("{\"half".utf8).write(to: URL(fileURLWithPath: writing))
      try Data("{\"half".utf8).write(to: URL(fileURLWithPath: abandoned))
      try FileManager.default.setAttributes(
        [.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: abandoned)
      let run = try await Self.run(["uploads"], emulator, state: directory + "/state")
      #expect(run.status == 0, "\(run.standardError)")
      #expect(FileManager.default.fileExists(atPath: writing), "a writer's file, mid-write")
      #expect(!FileManager.default.fileExists(atPath: abandoned), "an hour old and unlocked")
    }
  }
}
