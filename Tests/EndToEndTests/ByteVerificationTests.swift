import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// `tack upload` and `tack resume` send exactly the bytes that were hashed, refuse anything but
/// a regular file at once, and refuse a server that claims bytes it was never sent.
@Suite(.serialized) struct ByteVerificationTests {
  static let chunk = 262_144
  static let size = 4 * chunk

  /// Rewrites `path` in place with `bytes` (same size), then puts its modification time back,
  /// so size and mtime alone cannot tell.
  static func rewriteKeepingMtime(_ path: String, _ bytes: [UInt8]) throws {
    var before = stat()
    try #require(stat(path, &before) == 0)
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seek(toOffset: 0)
    try handle.write(contentsOf: Data(bytes))
    try handle.close()
    let times = [before.st_atim, before.st_mtim]
    try #require(utimensat(AT_FDCWD, path, times, 0) == 0)
    var after = stat()
    try #require(stat(path, &after) == 0)
    #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec)
    #expect(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
    #expect(after.st_size == before.st_size)
  }

  static func uploadChild(
    _ emulator: GraphEmulator, ids: (list: String, task: String), file: String, state: String
  ) -> ChildProcess {
    ChildProcess(
      TackBinary.url,
      [
        "upload", "--list", ids.list, "--task", ids.task, "--chunk-size", String(chunk), "--json",
        file,
      ],
      environment: UploadE2ETests.environment(emulator, state: state))
  }

  /// The PUT of chunk `k` is held 1.5 s by the emulator; the file is rewritten (mtime kept)
  /// while it is held, so chunk `k` went out in the old version and later chunks would be new.
  /// k = 1…3: the next chunk's hash differs, the session is deleted, exit 1, nothing attached.
  /// k = 4 (during the last PUT): every byte sent was the old version, so it is attached whole
  /// (or, had the rewrite beaten the read of chunk 4, refused).
  @Test(arguments: 1...4)
  func inPlaceRewriteWithMtimeKeptIsNeverAttachedMixed(k: Int) async throws {
    let state = try UploadE2ETests.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: state) }
    try await withEmulator({
      $0.faults = try FaultPlan(specs: ["put#\(k)=latency:ms=1500"])
    }) { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let old = EmulatorFixture.bytes(Self.size, seed: 90)
      let new = old.map { $0 ^ 0x5A }
      let file = state + "/ledger.bin"
      try Data(old).write(to: URL(fileURLWithPath: file))
      let child = Self.uploadChild(emulator, ids: ids, file: file, state: state)
      try child.start()
      // The event just before PUT k goes out: session_created, or chunk k-1 acknowledged.
      for index in 0..<k {
        let wanted = index == 0 ? "\"event\":\"session_created\"" : "\"event\":\"chunk_sent\""
        let line = await child.waitForLine(timeout: .seconds(60)) { $0.contains(wanted) }
        if line == nil { child.signal(SIGKILL) }
        try #require(line != nil, "no \(wanted) before PUT \(k)")
      }
      try Self.rewriteKeepingMtime(file, new)
      var rest: [String] = []
      for await line in child.lines { rest.append(line) }
      let status = await child.waitForExit(timeout: .seconds(60))
      let attachments = (await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? [])
        .filter { $0.name == "ledger.bin" }
      let events = UploadE2ETests.events(rest)
      if status == 0 {
        // Success only for one whole version.
        #expect(attachments.count == 1)
        let stored = try #require(
          await emulator.store.attachmentBytes(
            listID: ids.list, taskID: ids.task, attachmentID: attachments.first?.id ?? ""))
        #expect(SHA256.hex(stored) == SHA256.hex(old) || SHA256.hex(stored) == SHA256.hex(new))
        #expect(SHA256.hex(old) != SHA256.hex(new))
      }
      if k < 4 {
        #expect(status == 1)
        #expect(attachments.isEmpty)
        let failed = events.first { $0["event"] as? String == "failed" }
        #expect(failed?["reason"] as? String == "file_changed")
        #expect((failed?["message"] as? String)?.contains("changed") == true)
        #expect(child.standardError().contains("changed during the upload"))
        let deletes = await emulator.store.requestLog().filter { $0.method == "DELETE" }
        #expect(deletes.count == 1)
        #expect(UploadE2ETests.journal(state).isEmpty)
      } else if status == 0 {
        // Chunk 4 was read (and checked) before the rewrite: every byte sent is the old file.
        let stored = try #require(
          await emulator.store.attachmentBytes(
            listID: ids.list, taskID: ids.task, attachmentID: attachments.first?.id ?? ""))
        #expect(SHA256.hex(stored) == SHA256.hex(old))
      } else {
        // The rewrite beat the read of chunk 4: refused, nothing attached.
        #expect(status == 1)
        #expect(attachments.isEmpty)
      }
    }
  }

  /// A server that confirms bytes it was never sent is refused: session deleted, exit 1.
  @Test func serverClaimingUnsentBytesFailsAsAProtocolError() async throws {
    let state = try UploadE2ETests.makeDirectory()
    defer { try? FileManager.default.removeItem(atPath: state) }
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#2=overclaim"]) }) {
      emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let file = state + "/claimed.bin"
      try Data(EmulatorFixture.bytes(Self.size, seed: 92)).write(to: URL(fileURLWithPath: file))
      let child = Self.uploadChild(emulator, ids: ids, file: file, state: state)
      try child.start()
      var lines: [String] = []
      for await line in child.lines { lines.append(line) }
      #expect(await child.waitForExit(timeout: .seconds(60)) == 1)
      let events = UploadE2ETests.events(lines)
      let failed = events.first { $0["event"] as? String == "failed" }
      #expect(failed?["reason"] as? String == "protocol_error")
      // Only what the server really got before the lie is reported as acknowledged.
      let acknowledged = events.filter { $0["event"] as? String == "chunk_sent" }
        .compactMap { ($0["next"] as? NSNumber)?.intValue }
      #expect(acknowledged == [Self.chunk])
      #expect(child.standardError().contains("was sent only \(2 * Self.chunk)"))
      let deletes = await emulator.store.requestLog().filter { $0.method == "DELETE" }
      #expect(deletes.count == 1)
      let attachments = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      #expect(!attachments.contains { $0.name == "claimed.bin" })
    }
  }
}
