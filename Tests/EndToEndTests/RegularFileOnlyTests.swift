import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// Only regular files are attached, and that is known before any work: a FIFO or a device
/// (also behind a symbolic link) ends `tack upload` and `tack resume` at once with exit 2.
@Suite(.serialized) struct RegularFileOnlyTests {
  static func run(_ arguments: [String], _ emulator: GraphEmulator, state: String) async throws
    -> (status: Int32?, standardError: String)
  {
    let child = ChildProcess(
      TackBinary.url, arguments, environment: UploadE2ETests.environment(emulator, state: state))
    try child.start()
    let status = await child.waitForExit(timeout: .seconds(10))
    if status == nil { child.signal(SIGKILL) }
    return (status, child.standardError())
  }

  @Test func fifoAndDeviceBehindASymlinkAreRefusedAtOnce() async throws {
    let state = try UploadE2ETests.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: state) }
    try await withEmulator { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let fifo = state + "/pipe"
      #expect(mkfifo(fifo, 0o600) == 0)
      let zero = state + "/zero.bin"
      #expect(symlink("/dev/zero", zero) == 0)
      for (path, kind) in [(fifo, "FIFO"), (zero, "character device")] {
        let (status, message) = try await Self.run(
          ["upload", "--list", ids.list, "--task", ids.task, path], emulator, state: state)
        #expect(status == 2)
        #expect(message.contains(path) && message.contains(kind))
        #expect(message.split(separator: "\n").count == 1)
      }
      let writes = await emulator.store.requestLog().filter { $0.method != "GET" }
      #expect(writes.isEmpty)
    }
  }

  @Test func resumeOfAJournaledPathNowAFifoEndsAtOnceWithExit2() async throws {
    let state = try UploadE2ETests.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: state) }
    // Throttled like the kill test it builds on: unthrottled, the upload can finish before the
    // kill lands and leave no journal to resume.
    try await withEmulator({
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1500000"])
    }) { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let file = state + "/data.bin"
      try Data(EmulatorFixture.bytes(UploadE2ETests.size, seed: 93)).write(
        to: URL(fileURLWithPath: file))
      try await UploadE2ETests.startAndKill(emulator, ids: ids, file: file, state: state)
      try #require(UploadE2ETests.journal(state).count == 1)
      try FileManager.default.removeItem(atPath: file)
      #expect(mkfifo(file, 0o600) == 0)
      let before = await emulator.store.requestLog().count
      let (status, message) = try await Self.run(["resume"], emulator, state: state)
      #expect(status == 2)
      #expect(message.contains(file) && message.contains("FIFO"))
      #expect(message.split(separator: "\n").count == 1)
      // No status GET, no DELETE: resume made no request (the killed run's last PUT may still
      // be logged as it lands).
      let after = await emulator.store.requestLog().dropFirst(before)
      #expect(!after.contains { $0.method == "GET" || $0.method == "DELETE" })
      // The journal is kept: putting the file back lets the upload finish.
      #expect(UploadE2ETests.journal(state).count == 1)
    }
  }

  @Test func symlinkToAFileIsAttachedUnderTheLinksNameWithTheTargetsBytes() async throws {
    let state = try UploadE2ETests.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: state) }
    try await withEmulator { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let bytes = EmulatorFixture.bytes(700_000, seed: 94)
      let target = state + "/target-name.dat"
      try Data(bytes).write(to: URL(fileURLWithPath: target))
      let link = state + "/link-name.txt"
      #expect(symlink(target, link) == 0)
      let (status, message) = try await Self.run(
        ["upload", "--list", ids.list, "--task", ids.task, "--chunk-size", "327680", link],
        emulator, state: state)
      #expect(status == 0, "\(message)")
      let attachments = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      let attached = try #require(attachments.first { $0.name == "link-name.txt" })
      #expect(!attachments.contains { $0.name == "target-name.dat" })
      let stored = try #require(
        await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: attached.id))
      #expect(SHA256.hex(stored) == SHA256.hex(bytes))
    }
  }
}
