import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import TestSupport
import Testing
@testable import UploadEngine

extension UploadCoordinatorTests {
  // MARK: §6.10 changed files

  @Test func resumeRefusesAChangedFileAndDeletesTheOldSession() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1000000"])
    }) { rig in
      let path = try rig.file("edit.bin", EmulatorFixture.bytes(1_000_000, seed: 16))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      await rig.coordinator.pause(id)
      _ = await rig.coordinator.waitUntilSettled()
      // Same size, other bytes.
      _ = try rig.file("edit.bin", EmulatorFixture.bytes(1_000_000, seed: 17))
      let entry = try #require(rig.journal.load().entries.first)
      let log = EventLog()
      let second = rig.restartedCoordinator(log: log)
      let resumedID = await second.resume(journaled: entry)
      let outcome = await second.waitUntilSettled()[resumedID]
      guard case .failed(let reason, _) = outcome else {
        Issue.record("expected refusal, got \(String(describing: outcome))")
        return
      }
      #expect(reason.contains("changed"))
      #expect(reason.contains("upload the file again"))
      #expect(rig.journal.load().entries.isEmpty)
      #expect(await rig.emulator.store.openSessionCount() == 0)
      #expect(await rig.attachments().allSatisfy { $0.name != "edit.bin" })
    }
  }

  @Test func uploadingAChangedJournaledFileAgainStartsAfresh() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#1-2=bandwidth:bps=1000000"])
    }) { rig in
      let path = try rig.file("again.bin", EmulatorFixture.bytes(1_000_000, seed: 18))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      await rig.coordinator.pause(id)
      _ = await rig.coordinator.waitUntilSettled()
      let edited = EmulatorFixture.bytes(1_000_000, seed: 19)
      _ = try rig.file("again.bin", edited)
      let log = EventLog()
      let second = rig.restartedCoordinator(log: log)
      let againID = try await second.upload(path: path, to: rig.target)
      #expect(againID == id)
      guard case .completed(let attachmentID) = await second.waitUntilSettled()[againID] else {
        Issue.record("not completed")
        return
      }
      #expect(SHA256.hex(try #require(await rig.bytes(of: attachmentID))) == SHA256.hex(edited))
      #expect(await log.events.contains { if case .sessionRecreated = $0 { true } else { false } })
      #expect(await rig.emulator.store.openSessionCount() == 0)
    }
  }

  @Test func uploadingAnUnchangedJournaledFileAgainResumesFromTheServerOffset() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#1-3=bandwidth:bps=1000000"])
    }) { rig in
      let bytes = EmulatorFixture.bytes(1_000_000, seed: 20)
      let path = try rig.file("same.bin", bytes)
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      await rig.coordinator.pause(id)
      _ = await rig.coordinator.waitUntilSettled()
      let acknowledged = try #require(rig.journal.load().entries.first?.acknowledgedOffset)
      #expect(acknowledged > 0)
      let log = EventLog()
      let second = rig.restartedCoordinator(log: log)
      let againID = try await second.upload(path: path, to: rig.target)
      guard case .completed(let attachmentID) = await second.waitUntilSettled()[againID] else {
        Issue.record("not completed")
        return
      }
      #expect(SHA256.hex(try #require(await rig.bytes(of: attachmentID))) == SHA256.hex(bytes))
      let resumedFrom = await log.events.compactMap { event -> Int64? in
        if case .resumed(_, let from) = event { return from }
        return nil
      }
      #expect(resumedFrom.first.map { $0 >= acknowledged } == true)
      #expect(await rig.requests().filter { $0.path.hasSuffix("createUploadSession") }.count == 1)
    }
  }

  // MARK: §6.11 progress channels

  @Test func acknowledgedProgressIsMonotonicEndsAtTheSizeAndIsCoalesced() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=2000000", "put#3=reset:after=150000"])
    }) { rig in
      let size = 900_000
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(size, seed: 21))
      let events = await rig.log.events
      let times = await rig.log.times
      var acknowledged: [Int64] = []
      var sent: [Int64] = []
      var progressTimes: [Date] = []
      for (event, time) in zip(events, times) {
        if case .progress(_, let s, let a, _) = event {
          sent.append(s)
          acknowledged.append(a)
          progressTimes.append(time)
        }
      }
      #expect(acknowledged == acknowledged.sorted())
      #expect(acknowledged.last == Int64(size))
      #expect(sent.last == Int64(size))
      #expect(sent.allSatisfy { $0 <= Int64(size) })
      // At most ten byte-progress events per second (plus the final one before completion).
      let span = (progressTimes.last ?? Date()).timeIntervalSince(progressTimes.first ?? Date())
      #expect(Double(progressTimes.count) <= span * 10 + 3)
      #expect(events.last.map(isCompleted) == true)
    }
  }

  // MARK: §6.12 concurrency

  @Test func severalFilesUploadConcurrentlyWithEachSessionSequential() async throws {
    let rendezvous = Rendezvous()
    try await withRig(
      emulator: { $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=3000000"]) },
      gate: { request in if request.method == "PUT" { await rendezvous.arrive() } }
    ) { rig in
      var expected: [String: String] = [:]
      var ids: [UploadID] = []
      for index in 0..<4 {
        let bytes = EmulatorFixture.bytes(600_000, seed: UInt64(30 + index))
        let name = "file\(index).bin"
        expected[name] = SHA256.hex(bytes)
        ids.append(
          try await rig.coordinator.upload(path: try rig.file(name, bytes), to: rig.target))
      }
      let outcomes = await rig.coordinator.waitUntilSettled()
      for id in ids {
        guard case .completed(let attachmentID) = outcomes[id] else {
          Issue.record("not completed: \(String(describing: outcomes[id]))")
          continue
        }
        let attachment = try #require(await rig.attachments().first { $0.id == attachmentID })
        #expect(
          SHA256.hex(try #require(await rig.bytes(of: attachmentID))) == expected[attachment.name])
      }
      let state = rig.transport.state.withLock { $0 }
      #expect(state.maxPutsInFlight == 2)
      #expect(state.maxPerSession == 1)
      #expect(state.maxInFlight <= 4)
    }
  }

  // MARK: Input checks and names

  @Test func badInputIsRejectedBeforeAnyRequest() async throws {
    try await withRig { rig in
      let big = rig.directory + "/big.bin"
      _ = FileManager.default.createFile(atPath: big, contents: nil)
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
      try handle.truncate(atOffset: 25_000_001)
      try handle.close()
      let exact = rig.directory + "/exact.bin"
      _ = FileManager.default.createFile(atPath: exact, contents: nil)
      let exactHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: exact))
      try exactHandle.truncate(atOffset: 25_000_000)
      try exactHandle.close()
      let fifo = rig.directory + "/pipe"
      #expect(mkfifo(fifo, 0o600) == 0)
      let cases: [(String, UploadInputError.Kind)] = [
        (big, .tooLarge), (rig.directory, .directory), (rig.directory + "/gone.bin", .missing),
        (fifo, .notRegular), ("/dev/null", .notRegular),
      ]
      for (path, kind) in cases {
        do {
          _ = try await rig.coordinator.upload(path: path, to: rig.target)
          Issue.record("accepted \(path)")
        } catch let error as UploadInputError {
          #expect(error.kind == kind)
          #expect(!error.description.contains("\n"))
          #expect(error.description.hasPrefix(path))
        } catch {
          Issue.record("unexpected \(error)")
        }
      }
      do {
        _ = try await rig.coordinator.upload(path: exact, to: rig.target, chunkSize: 4_000_001)
        Issue.record("accepted an oversize chunk")
      } catch let error as UploadInputError {
        #expect(error.kind == .invalidOption)
      } catch {
        Issue.record("unexpected \(error)")
      }
      #expect(await rig.requests().isEmpty)
      // Exactly the limit is accepted.
      #expect(throws: Never.self) { _ = try FileInspector.inspect(exact) }
    }
  }

  @Test func emptyFileIsAttached() async throws {
    try await withRig { rig in
      let attachmentID = try await Self.uploadAndVerify(rig, [], name: "empty.txt")
      let attachment = try #require(await rig.attachments().first { $0.id == attachmentID })
      #expect(attachment.size == 0)
      #expect(attachment.name == "empty.txt")
      #expect(attachment.contentType == "text/plain")
    }
  }

  @Test func namesAreTheBaseNameWithUnicodeIntactAndContentTypeFromTheExtension() async throws {
    try await withRig { rig in
      let name = "Ünïcödé 報告 🚀.PDF"
      let attachmentID = try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(10), name: name)
      let attachment = try #require(await rig.attachments().first { $0.id == attachmentID })
      #expect(attachment.name == name)
      #expect(attachment.contentType == "application/pdf")
    }
  }

  @Test func fileEditedDuringTheUploadIsNotAttached() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1000000"])
    }) { rig in
      let path = try rig.file("moving.bin", EmulatorFixture.bytes(800_000, seed: 40))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      _ = try rig.file("moving.bin", EmulatorFixture.bytes(800_001, seed: 41))
      guard case .failed(let reason, _) = await rig.coordinator.waitUntilSettled()[id] else {
        Issue.record("expected failure")
        return
      }
      #expect(reason.contains("changed"))
      #expect(await rig.emulator.store.openSessionCount() == 0)
    }
  }
}
