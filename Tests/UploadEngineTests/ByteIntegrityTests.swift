import Foundation
import GraphClient
import GraphModels
import TestSupport
import Testing

@testable import UploadEngine

/// The engine sends only bytes it hashed, never counts unsent bytes, and hashing stops on demand.
@Suite struct ByteIntegrityTests {
  static let chunk: Int64 = 327_680

  static func temporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = NSTemporaryDirectory() + "tack-bytes-" + UUID().uuidString
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  // MARK: Chunk hashes

  @Test func firstPassHashesTheWholeFileAndEachChunk() throws {
    let bytes = EmulatorFixture.bytes(1_000_000, seed: 70)
    let path = try Self.temporaryFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let digests = try RegularFile.digests(of: path, expectedSize: 1_000_000, chunkSize: Self.chunk)
    #expect(digests.sha256 == SHA256.hex(bytes))
    let expected = stride(from: 0, to: bytes.count, by: Int(Self.chunk)).map {
      SHA256.hex(bytes[$0..<min($0 + Int(Self.chunk), bytes.count)])
    }
    #expect(digests.chunkHashes == expected)
  }

  @Test func theFirstPassIsRightAcrossReadBlocksOnBothThreads() throws {
    // 3 MB in 1 MiB reads: chunk edges fall inside blocks, the whole hash runs beside them.
    let bytes = EmulatorFixture.bytes(3_000_000, seed: 72)
    let path = try Self.temporaryFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let digests = try RegularFile.digests(of: path, expectedSize: 3_000_000, chunkSize: Self.chunk)
    #expect(digests.sha256 == SHA256.hex(bytes))
    #expect(
      digests.chunkHashes
        == stride(from: 0, to: bytes.count, by: Int(Self.chunk)).map {
          SHA256.hex(bytes[$0..<min($0 + Int(Self.chunk), bytes.count)])
        })
  }

  @Test func verifiedBytesAreTheHashedOnesOnAndOffTheGrid() throws {
    let bytes = EmulatorFixture.bytes(1_000_000, seed: 71)
    let path = try Self.temporaryFile(bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let digests = try RegularFile.digests(of: path, expectedSize: 1_000_000, chunkSize: Self.chunk)
    for (first, last) in [(0, 327_679), (327_680, 655_359), (100_000, 427_679), (983_040, 999_999)]
    {
      let range = ContentRange(first: Int64(first), last: Int64(last), total: 1_000_000)
      let body = try digests.verifiedBytes(of: path, range: range, size: 1_000_000)
      #expect(body == Data(bytes[first...last]))
    }
    // One byte changed in chunk 2, size and everything else kept: chunks 2 and any range
    // touching it are refused; chunk 1 still reads.
    var edited = bytes
    edited[400_000] ^= 0xFF
    try Data(edited).write(to: URL(fileURLWithPath: path))
    let onGrid = ContentRange(first: 327_680, last: 655_359, total: 1_000_000)
    #expect(try digests.verifiedBytes(of: path, range: onGrid, size: 1_000_000) == nil)
    let straddling = ContentRange(first: 100_000, last: 427_679, total: 1_000_000)
    #expect(try digests.verifiedBytes(of: path, range: straddling, size: 1_000_000) == nil)
    let first = ContentRange(first: 0, last: 327_679, total: 1_000_000)
    #expect(try digests.verifiedBytes(of: path, range: first, size: 1_000_000) != nil)
  }

  @Test func hashingStopsWhenItsTaskIsCancelled() async throws {
    let path = try Self.temporaryFile(EmulatorFixture.bytes(4_000_000, seed: 72))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let task = Task.detached {
      withUnsafeCurrentTask { $0?.cancel() }
      return try RegularFile.digests(of: path, expectedSize: 4_000_000, chunkSize: Self.chunk)
    }
    await #expect(throws: CancellationError.self) { try await task.value }
  }

  @Test func aFifoIsRefusedWithoutBlocking() throws {
    let path = NSTemporaryDirectory() + "tack-fifo-" + UUID().uuidString
    #expect(mkfifo(path, 0o600) == 0)
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(throws: UploadInputError.self) {
      _ = try RegularFile.digests(of: path, expectedSize: 10, chunkSize: Self.chunk)
    }
    #expect(FileInspector.nonRegularProblem(path)?.kind == .notRegular)
    #expect(FileInspector.nonRegularProblem(path + "-missing") == nil)
  }

  @Test func journalEntriesWithoutChunkHashesStillLoad() throws {
    let file = LocalFile(
      path: "/tmp/a.bin", name: "a.bin", size: 10, modificationTimeNanoseconds: 1,
      contentType: "application/octet-stream", sha256: "ab")
    var entry = UploadJournalEntry(
      id: "e1", file: file, listID: "L", taskID: "T", graphBaseURL: "http://127.0.0.1:1/v1.0",
      chunkSize: 5, now: Date(timeIntervalSince1970: 1_800_000_000))
    entry.chunkHashes = ["c1", "c2"]
    let encoded = try JSONEncoder().encode(entry)
    var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
    #expect(object["chunkHashes"] as? [String] == ["c1", "c2"])
    object["chunkHashes"] = nil
    let old = try JSONSerialization.data(withJSONObject: object)
    let decoded = try JSONDecoder().decode(UploadJournalEntry.self, from: old)
    #expect(decoded.chunkHashes == nil)
    #expect(decoded.id == "e1")
  }

  // MARK: The machine

  @Test func aFileChangeWhileAPauseSettlesFailsInsteadOfPausing() throws {
    var harness = try MachineHarness(size: 1_000_000, chunk: Self.chunk)
    harness.startWithSession()
    #expect(harness.send(.pause) == [.abortInFlight])
    let actions = harness.send(.fileChanged("a.bin changed during the upload"))
    #expect(actions == [.perform(.deleteSession(url: MachineHarness.url1))])
    let ended = harness.send(.answered(HTTPResponse(status: 204)))
    #expect(ended.contains(.removeJournal))
    #expect(
      ended.contains(
        .emit(.failed(id: "u1", reason: "a.bin changed during the upload", code: .fileChanged))))
    guard case .failed = harness.machine.outcome else {
      Issue.record("ended \(String(describing: harness.machine.outcome)), not failed")
      return
    }
  }

  @Test func aPutAnswerClaimingUnsentBytesIsAProtocolError() throws {
    var harness = try MachineHarness(size: 1_000_000, chunk: Self.chunk)
    harness.startWithSession()
    let actions = harness.send(.answered(MachineHarness.next(["655361-"])))
    #expect(actions == [.perform(.deleteSession(url: MachineHarness.url1))])
    #expect(harness.machine.acknowledgedHigh == 0)
    let ended = harness.send(.answered(HTTPResponse(status: 204)))
    #expect(
      ended.contains { action in
        if case .emit(.failed(_, let reason, .protocolError)) = action {
          return reason.contains("327680")
        }
        return false
      })
  }

  @Test func aStatusAfterRestartMayConfirmTheChunkInFlightButNoMore() throws {
    let progress = SessionProgress(
      uploadUrl: MachineHarness.url1, expiration: Date(timeIntervalSince1970: 1_900_000_000),
      sessionCreatedAt: nil, acknowledgedOffset: Self.chunk, chunkSize: Self.chunk,
      finalChunkSent: false)
    var accepted = try MachineHarness(size: 1_000_000, chunk: Self.chunk, resumingFrom: progress)
    accepted.send(.start)
    accepted.send(.answered(MachineHarness.next(["655360-"])))
    #expect(accepted.machine.acknowledged == 655_360)
    var lying = try MachineHarness(size: 1_000_000, chunk: Self.chunk, resumingFrom: progress)
    lying.send(.start)
    let actions = lying.send(.answered(MachineHarness.next(["655361-"])))
    #expect(actions == [.perform(.deleteSession(url: MachineHarness.url1))])
    #expect(lying.machine.acknowledged == Self.chunk)
  }
}
