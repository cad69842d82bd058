import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// What only a real connection shows: resets, drops, slow bodies, `100 Continue` and framing.
/// Everything else is tested in-process (`withHandler`).
@Suite struct LoopbackTests {
  typealias F = EmulatorFixture

  @Test func resetMidBodyClosesTheConnectionAndStoresNothing() async throws {
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#1=reset:after=65536"]) }) {
      emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(2_000_000)
      let url = try await F.createSession(emulator, ids, name: "r", size: bytes.count)
      await #expect(throws: (any Error).self) {
        _ = try await F.putChunk(url, bytes, first: 0, last: 999_999, total: bytes.count)
      }
      let status = try await RawHTTP.send("GET", url, headers: [F.auth])
      #expect(try UploadSessionState.parse(status.body).nextOffset == 0)
    }
  }

  @Test func commitThenDropStoresTheChunkButSendsNoAnswer() async throws {
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#1=commit-drop"]) }) {
      emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(2_000_000)
      let url = try await F.createSession(emulator, ids, name: "d", size: bytes.count)
      await #expect(throws: (any Error).self) {
        _ = try await F.putChunk(url, bytes, first: 0, last: 999_999, total: bytes.count)
      }
      let status = try await RawHTTP.send("GET", url, headers: [F.auth])
      #expect(try UploadSessionState.parse(status.body).nextOffset == 1_000_000)
    }
  }

  @Test func commitThenDropOnTheLastChunkCreatesTheAttachment() async throws {
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#1=commit-drop"]) }) {
      emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(1000)
      let url = try await F.createSession(emulator, ids, name: "lost-final", size: bytes.count)
      await #expect(throws: (any Error).self) {
        _ = try await F.putChunk(url, bytes, first: 0, last: 999, total: bytes.count)
      }
      let attachments = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      #expect(attachments.map(\.name) == ["lost-final"])
    }
  }

  @Test func stallHoldsTheBodyThenCompletes() async throws {
    let clock = ContinuousClock()
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#1=stall:ms=400"]) }) {
      emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(300_000)
      let url = try await F.createSession(emulator, ids, name: "s", size: bytes.count)
      let start = clock.now
      let reply = try await F.putChunk(url, bytes, first: 0, last: 299_999, total: bytes.count)
      #expect(reply.status == 201)
      #expect(clock.now - start >= .milliseconds(400))
    }
  }

  @Test func bandwidthLimitsHowFastBodiesAreRead() async throws {
    let clock = ContinuousClock()
    try await withEmulator({ $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1000000"]) }) {
      emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(500_000)
      let url = try await F.createSession(emulator, ids, name: "b", size: bytes.count)
      let start = clock.now
      let reply = try await F.putChunk(url, bytes, first: 0, last: 499_999, total: bytes.count)
      #expect(reply.status == 201)
      #expect(clock.now - start >= .milliseconds(450))
    }
  }

  @Test func expectContinueIsAnsweredForCurl() async throws {
    try await withEmulator { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let size = 2_000_000
      let url = try await F.createSession(emulator, ids, name: "curl.bin", size: size)
      let file = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tack-curl-\(UUID().uuidString)")
      try Data(F.bytes(size)).write(to: file)
      defer { try? FileManager.default.removeItem(at: file) }
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      process.arguments = [
        "curl", "-sS", "-v", "-X", "PUT", "-H", "Authorization: Bearer \(F.token)",
        "-H", "Content-Range: bytes 0-\(size - 1)/\(size)", "--data-binary", "@\(file.path)",
        url + "/content",
      ]
      let errors = Pipe()
      process.standardError = errors
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      #expect(log.contains("Expect: 100-continue"))
      #expect(log.contains("HTTP/1.1 100 Continue"))
      #expect(log.contains("HTTP/1.1 201"))
    }
  }

  @Test func noContentHasNoLengthAndEveryAnswerHasADate() async throws {
    try await withEmulator { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let url = try await F.createSession(emulator, ids, name: "d", size: 10)
      let deleted = try await RawHTTP.send("DELETE", url, headers: [F.auth])
      #expect(deleted.status == 204)
      #expect(deleted.header("Content-Length") == nil)
      let date = try #require(deleted.header("Date"))
      let parsed = try #require(RetryAfter.httpDate(date))
      #expect(abs(parsed.timeIntervalSinceNow) < 120)
    }
  }
}
