import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

@testable import UploadEngine

@Suite struct UploadJournalTests {
  static func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "tack-journal-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func entry(id: String = "abc123", path: String = "/tmp/x.bin") -> UploadJournalEntry {
    let file = LocalFile(
      path: path, name: "x.bin", size: 10, modificationTimeNanoseconds: 1_700_000_000_123_456_789,
      contentType: "application/octet-stream", sha256: String(repeating: "a", count: 64))
    var entry = UploadJournalEntry(
      id: id, file: file, listID: "L=", taskID: "T+", listName: "仕事 (Work)",
      taskTitle: "Quarterly report", graphBaseURL: "http://127.0.0.1:1/v1.0", chunkSize: 4,
      now: Date(timeIntervalSince1970: 1_800_000_000.25))
    entry.sessionProgress = SessionProgress(
      uploadUrl: "http://127.0.0.1:1/v1.0/users/u/todo/lists/L/tasks/T/attachmentSessions/S",
      expiration: Date(timeIntervalSince1970: 1_800_000_900.5),
      sessionCreatedAt: Date(timeIntervalSince1970: 1_800_000_000), acknowledgedOffset: 8,
      chunkSize: 4, finalChunkSent: true)
    return entry
  }

  @Test func savesAndLoadsEveryField() throws {
    let journal = UploadJournal(directory: Self.temporaryDirectory() + "/nested/uploads")
    let entry = Self.entry()
    try journal.save(entry)
    let loaded = journal.load()
    #expect(loaded.problems.isEmpty)
    #expect(loaded.entries == [entry])
    #expect(journal.entry(entry.id) == entry)
    let attributes = try FileManager.default.attributesOfItem(atPath: journal.path(for: entry.id))
    #expect((attributes[.posixPermissions] as? Int) == 0o600)
  }

  @Test func overwritesAtomicallyLeavingNoTemporaryFiles() throws {
    let directory = Self.temporaryDirectory()
    let journal = UploadJournal(directory: directory)
    var entry = Self.entry()
    for offset in stride(from: Int64(0), through: 10, by: 2) {
      entry.acknowledgedOffset = offset
      try journal.save(entry)
    }
    #expect(journal.entry(entry.id)?.acknowledgedOffset == 10)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["abc123.json"])
  }

  @Test func corruptAndForeignFilesAreReportedAndSkipped() throws {
    let directory = Self.temporaryDirectory()
    let journal = UploadJournal(directory: directory)
    try journal.save(Self.entry(id: "good"))
    try Data("{not json".utf8).write(to: URL(fileURLWithPath: directory + "/broken.json"))
    try Data().write(to: URL(fileURLWithPath: directory + "/empty.json"))
    try Data(#"{"version":1}"#.utf8).write(to: URL(fileURLWithPath: directory + "/partial.json"))
    var renamed = Self.entry(id: "other")
    renamed.id = "mismatch"
    let data = try JSONEncoder().encode(["x": 1])
    try data.write(to: URL(fileURLWithPath: directory + "/notes.txt"))
    try journal.save(renamed)
    try FileManager.default.moveItem(
      atPath: directory + "/mismatch.json", toPath: directory + "/other.json")
    // A temporary file left by a crash mid-write (long ago) is tidied, not reported.
    try Data("partial".utf8).write(to: URL(fileURLWithPath: directory + "/.good.json.tmp-1f"))
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-3600)],
      ofItemAtPath: directory + "/.good.json.tmp-1f")
    let loaded = journal.load()
    #expect(loaded.entries.map(\.id) == ["good"])
    #expect(
      Set(loaded.problems.map { ($0.path as NSString).lastPathComponent }) == [
        "broken.json", "empty.json", "partial.json", "other.json",
      ])
    #expect(!FileManager.default.fileExists(atPath: directory + "/.good.json.tmp-1f"))
  }

  @Test func newerVersionsAreReportedNotMisread() throws {
    let directory = Self.temporaryDirectory()
    let journal = UploadJournal(directory: directory)
    var entry = Self.entry()
    entry.version = 99
    try journal.save(entry)
    let loaded = journal.load()
    #expect(loaded.entries.isEmpty)
    #expect(loaded.problems.first?.reason.contains("newer") == true)
  }

  @Test func removeIsIdempotent() throws {
    let journal = UploadJournal(directory: Self.temporaryDirectory())
    try journal.save(Self.entry())
    try journal.remove("abc123")
    try journal.remove("abc123")
    #expect(journal.load().entries.isEmpty)
  }

  @Test func missingDirectoryIsAnEmptyJournal() {
    let journal = UploadJournal(directory: "/nonexistent/tack/uploads")
    #expect(journal.load().entries.isEmpty)
    #expect(journal.load().problems.isEmpty)
  }

  @Test func matchesTheSameFileTaskAndGraph() {
    let entry = Self.entry()
    #expect(
      entry.matches(
        path: "/tmp/x.bin", listID: "L=", taskID: "T+", graphBaseURL: "http://127.0.0.1:1/v1.0/"))
    #expect(
      !entry.matches(
        path: "/tmp/x.bin", listID: "L=", taskID: "T2", graphBaseURL: "http://127.0.0.1:1/v1.0"))
    #expect(
      !entry.matches(
        path: "/tmp/y.bin", listID: "L=", taskID: "T+", graphBaseURL: "http://127.0.0.1:1/v1.0"))
  }

  @Test func sameGraphBaseIgnoresCaseAndTrailingSlashesOnly() {
    #expect(
      UploadJournalEntry.sameGraphBase("https://Graph.example/v1.0//", "https://graph.example/v1.0")
    )
    #expect(
      !UploadJournalEntry.sameGraphBase("https://graph.example/v1.0", "https://graph.example/beta"))
    let entry = Self.entry()
    #expect(entry.isJournaled(forGraphBase: "HTTP://127.0.0.1:1/V1.0/"))
    #expect(!entry.isJournaled(forGraphBase: "http://127.0.0.1:2/v1.0"))
  }
}

@Suite struct ProgressThrottleTests {
  let start = Date(timeIntervalSince1970: 1_000)

  func progress(_ id: String, _ sent: Int64) -> UploadEvent {
    .progress(id: id, sent: sent, acknowledged: 0, size: 100)
  }

  @Test func coalescesProgressToTenPerSecondPerUpload() {
    var throttle = ProgressThrottle(interval: 0.1)
    var out: [UploadEvent] = []
    for step in 0..<100 {
      let now = start.addingTimeInterval(Double(step) * 0.01)
      out += throttle.offer(progress("a", Int64(step)), now: now)
      out += throttle.offer(progress("b", Int64(step)), now: now)
      out += throttle.due(now: now)
    }
    let a = out.filter { $0.uploadID == "a" }
    let b = out.filter { $0.uploadID == "b" }
    #expect(a.count == 10)
    #expect(b.count == 10)
  }

  @Test func milestonesAreNeverDroppedAndTheLastProgressPrecedesCompletion() {
    var throttle = ProgressThrottle(interval: 0.1)
    var out = throttle.offer(progress("a", 1), now: start)
    out += throttle.offer(.chunkSent(id: "a", start: 0, end: 9, next: 10), now: start)
    out += throttle.offer(progress("a", 100), now: start.addingTimeInterval(0.01))
    out += throttle.offer(
      .completed(id: "a", attachmentID: "X", size: 100), now: start.addingTimeInterval(0.02))
    #expect(
      out == [
        progress("a", 1), .chunkSent(id: "a", start: 0, end: 9, next: 10), progress("a", 100),
        .completed(id: "a", attachmentID: "X", size: 100),
      ])
  }

  @Test func heldProgressIsReleasedWhenItsWindowEnds() {
    var throttle = ProgressThrottle(interval: 0.1)
    _ = throttle.offer(progress("a", 1), now: start)
    #expect(throttle.offer(progress("a", 2), now: start.addingTimeInterval(0.05)).isEmpty)
    #expect(throttle.due(now: start.addingTimeInterval(0.06)).isEmpty)
    #expect(throttle.due(now: start.addingTimeInterval(0.1)) == [progress("a", 2)])
    #expect(!throttle.hasPending)
  }
}

@Suite struct SHA256FileTests {
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func matchesTheFIPSVectors(_ input: String, _ digest: String) {
    #expect(SHA256.hex(Array(input.utf8)) == digest)
  }

  @Test func everySplitGivesTheSameDigest() {
    var bytes: [UInt8] = []
    for index in 0..<1_000 { bytes.append(UInt8(truncatingIfNeeded: index &* 31 &+ 7)) }
    let expected = SHA256.hex(bytes)
    for split in [0, 1, 55, 56, 63, 64, 65, 127, 500, 999] {
      var hasher = SHA256()
      hasher.update(Array(bytes[0..<split]))
      hasher.update(Array(bytes[split...]))
      #expect(SHA256.hexString(hasher.finalize()) == expected)
    }
  }

  @Test func hashesFiles() throws {
    let path = NSTemporaryDirectory() + "tack-hash-" + UUID().uuidString
    let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try SHA256.hex(ofFileAt: path) == SHA256.hex(bytes))
    #expect(throws: FileReadError.self) { try SHA256.hex(ofFileAt: path + ".missing") }
  }
}

@Suite struct JournalDiscardTests {
  @Test func discardDeletesTheSessionWithTheBearerThenTheEntry() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1000000"])
    }) { rig in
      let path = try rig.file("discard.bin", EmulatorFixture.bytes(1_200_000, seed: 16))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      await rig.coordinator.pause(id)
      #expect(await rig.coordinator.waitUntilSettled()[id] == .paused)
      let entry = try #require(rig.journal.load().entries.first)
      await entry.discard(graph: rig.graph, journal: rig.journal)
      #expect(rig.journal.load().entries.isEmpty)
      #expect(await rig.emulator.store.openSessionCount() == 0)
      let delete = try #require(rig.transport.sent.last)
      #expect(delete.method == "DELETE")
      #expect(delete.url == entry.uploadUrl)
      #expect(delete.authorization)
    }
  }
}
