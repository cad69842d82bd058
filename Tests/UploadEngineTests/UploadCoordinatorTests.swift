import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import TestSupport
import Testing

@testable import UploadEngine

/// DESIGN.md §6, one test per behaviour, against the emulator's fault plan.
@Suite(.serialized) struct UploadCoordinatorTests {
  static let chunk: Int64 = 262_144

  /// Uploads `bytes` and returns the attachment id after checking the stored bytes.
  @discardableResult
  static func uploadAndVerify(
    _ rig: UploadRig, _ bytes: [UInt8], name: String = "data.bin", chunk: Int64? = nil
  ) async throws -> String {
    let path = try rig.file(name, bytes)
    let id = try await rig.coordinator.upload(path: path, to: rig.target, chunkSize: chunk)
    let outcomes = await rig.coordinator.waitUntilSettled()
    guard case .completed(let attachmentID) = try #require(outcomes[id]) else {
      Issue.record("not completed: \(String(describing: outcomes[id]))")
      return ""
    }
    let stored = try #require(await rig.bytes(of: attachmentID))
    #expect(SHA256.hex(stored) == SHA256.hex(bytes))
    return attachmentID
  }

  // MARK: §6.1 journal before the first PUT and after every acknowledgement

  @Test func journalIsWrittenBeforeTheFirstPutAndAfterEveryAcknowledgement() async throws {
    let seen = Mutex<[(range: String, entry: UploadJournalEntry?)]>([])
    let journalBox = Mutex<UploadJournal?>(nil)
    try await withRig(beforeSend: { request in
      guard request.method == "PUT", let journal = journalBox.withLock({ $0 }) else { return }
      let entry = journal.load().entries.first
      seen.withLock { $0.append((request.header("Content-Range") ?? "", entry)) }
    }) { rig in
      journalBox.withLock { $0 = rig.journal }
      let bytes = EmulatorFixture.bytes(600_000)
      try await Self.uploadAndVerify(rig, bytes)
      let puts = seen.withLock { $0 }
      #expect(puts.count == 3)
      let sha = SHA256.hex(bytes)
      for put in puts {
        let entry = try #require(put.entry, "no journal entry before \(put.range)")
        #expect(entry.sha256 == sha)
        #expect(entry.fileSize == 600_000)
        #expect(entry.uploadUrl != nil)
        #expect(entry.listID == rig.ids.list && entry.taskID == rig.ids.task)
        #expect(entry.graphBaseURL == rig.emulator.graphBaseURL)
        #expect(entry.chunkSize == Self.chunk)
        // The journal holds the server's offset as of this PUT's first byte.
        let first = Int64(put.range.dropFirst(6).split(separator: "-")[0])
        #expect(entry.acknowledgedOffset == first)
        #expect(entry.modificationTimeNanoseconds > 0)
      }
      // Completed: the entry is gone.
      #expect(rig.journal.load().entries.isEmpty)
    }
  }

  // MARK: §6.2 server is the truth; every documented answer variant

  @Test(arguments: [
    (
      "pascal bare path 200", EmulatorOptions.KeyCase.pascal, EmulatorOptions.RangeForm.bare,
      EmulatorOptions.LocationForm.path, 200
    ),
    ("camel open odata 201", .camel, .openEnded, .odataKey, 201),
  ])
  func toleratesEveryDocumentedAnswerForm(
    _ label: String, _ keys: EmulatorOptions.KeyCase, _ ranges: EmulatorOptions.RangeForm,
    _ location: EmulatorOptions.LocationForm, _ createStatus: Int
  ) async throws {
    try await withRig(emulator: {
      $0.intermediateKeys = keys
      $0.rangeForm = ranges
      $0.locationForm = location
      $0.createStatus = createStatus
    }) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(700_000, seed: 3))
      let puts = rig.transport.sent.filter { $0.method == "PUT" }
      #expect(puts.allSatisfy { $0.url.hasSuffix("/content") && $0.authorization })
      #expect(
        puts.map { $0.contentRange ?? "" } == [
          "bytes 0-262143/700000", "bytes 262144-524287/700000", "bytes 524288-699999/700000",
        ])
    }
  }

  @Test func nextOffsetComesFromTheServerAfterALostAnswer() async throws {
    // The second PUT is committed but its answer dropped: the third starts where the server
    // says, not where a local counter would.
    try await withRig(emulator: { $0.faults = try FaultPlan(specs: ["put#2=commit-drop"]) }) {
      rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(800_000, seed: 4))
      let requests = await rig.requests()
      #expect(!requests.contains { $0.status == 416 })
      let ranges = rig.transport.sent.filter { $0.method == "PUT" }.compactMap(\.contentRange)
      #expect(
        ranges == [
          "bytes 0-262143/800000", "bytes 262144-524287/800000", "bytes 524288-786431/800000",
          "bytes 786432-799999/800000",
        ])
    }
  }

  // MARK: §6.3 bodies rebuilt per attempt

  @Test func retriedPutRebuildsItsBodyFromTheFile() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#2=reset:after=100000", "put#3=503:retry-after=0.05"])
    }) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(600_000, seed: 5))
      let ranges = rig.transport.sent.filter { $0.method == "PUT" }.compactMap(\.contentRange)
      #expect(ranges.filter { $0 == "bytes 262144-524287/600000" }.count == 3)
    }
  }

  // MARK: §6.4 ambiguous failures ask the server; 416 resynchronises without loops

  @Test func ambiguousFailureAsksForStatusBeforeResending() async throws {
    try await withRig(emulator: { $0.faults = try FaultPlan(specs: ["put#1=500"]) }) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(300_000, seed: 6))
      let methods = rig.transport.sent.map(\.method)
      let firstPut = try #require(methods.firstIndex(of: "PUT"))
      #expect(methods[firstPut + 1] == "GET")
      #expect(methods[firstPut + 2] == "PUT")
    }
  }

  @Test(arguments: [EmulatorOptions.OverlapMode.rangeError, .acceptCurrent])
  func withoutStatusGetALostAnswerIsCorrectedByTheServer(_ overlap: EmulatorOptions.OverlapMode)
    async throws
  {
    try await withRig(emulator: {
      $0.statusGet = false
      $0.overlap = overlap
      $0.faults = try FaultPlan(specs: ["put#2=commit-drop"])
    }) { rig in
      let before = await rig.attachments().count
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(800_000, seed: 7))
      let requests = await rig.requests()
      // Resent from the journal offset: the server corrects it once (416), or says where it is.
      #expect(requests.filter { $0.status == 416 }.count == (overlap == .rangeError ? 1 : 0))
      #expect(await rig.attachments().count == before + 1)
      #expect(requests.filter { $0.method == "POST" }.count == 1)
      let ranges = rig.transport.sent.filter { $0.method == "PUT" }.compactMap(\.contentRange)
      #expect(ranges.filter { $0 == "bytes 262144-524287/800000" }.count == 2)
      #expect(ranges.last == "bytes 786432-799999/800000")
    }
  }

  @Test func failingStatusQueriesAreRetriedBeforeAnythingIsResent() async throws {
    try await withRig(
      emulator: { $0.faults = try FaultPlan(specs: ["put#2=commit-drop", "status#1=500"]) }
    ) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(700_000, seed: 8))
      let requests = await rig.requests()
      #expect(!requests.contains { $0.status == 416 })
      let sent = rig.transport.sent.map { "\($0.method) \($0.contentRange ?? "")" }
      #expect(sent.filter { $0.hasPrefix("GET") }.count == 2)
      #expect(sent.filter { $0 == "PUT bytes 262144-524287/700000" }.count == 1)
    }
  }

  // MARK: §6.5 lost and expiring sessions

  @Test func expiredSessionIsReplacedAndLaterRequestsUseTheNewURL() async throws {
    try await withRig(emulator: { $0.faults = try FaultPlan(specs: ["put#2=expire"]) }) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(700_000, seed: 9))
      let events = await rig.log.events
      #expect(events.contains { if case .sessionRecreated = $0 { true } else { false } })
      let requests = await rig.requests()
      #expect(requests.filter { $0.path.hasSuffix("createUploadSession") }.count == 2)
      // After the first success on the new session, no request goes to the old one.
      let puts = rig.transport.sent.filter { $0.method == "PUT" }
      let firstURL = try #require(puts.first?.url)
      let lastURL = try #require(puts.last?.url)
      #expect(firstURL != lastURL)
      let switchIndex = try #require(puts.lastIndex { $0.url == firstURL })
      #expect(puts[(switchIndex + 1)...].allSatisfy { $0.url == lastURL })
      #expect(await rig.emulator.store.openSessionCount() == 0)
    }
  }

  @Test func sessionIsReplacedBeforeItWouldExpire() async throws {
    // Sessions live 10 s; a 9.3 s throttle after the first chunk leaves too little time for the
    // rest, while a fresh session could do the whole file (in 0.5 s: room for CI's shared cores).
    try await withRig(emulator: {
      $0.sessionLifetime = .seconds(10)
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=2000000", "put#2=429:retry-after=9.3"])
    }) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(1_000_000, seed: 10))
      let events = await rig.log.events
      let reasons = events.compactMap { event -> String? in
        if case .sessionRecreated(_, let reason) = event { return reason }
        return nil
      }
      #expect(reasons.contains { $0.contains("expire") })
      let requests = await rig.requests()
      #expect(!requests.contains { $0.method == "PUT" && $0.status == 404 })
      #expect(requests.contains { $0.method == "DELETE" })
    }
  }

  // MARK: §6.6 lost final answer

  @Test(arguments: [true, false])
  func lostFinalAnswerIsReconciledWithoutADuplicate(_ statusGet: Bool) async throws {
    try await withRig(emulator: {
      $0.statusGet = statusGet
      $0.faults = try FaultPlan(specs: ["put#3=commit-drop"])
    }) { rig in
      let before = await rig.attachments().count
      let attachmentID = try await Self.uploadAndVerify(
        rig, EmulatorFixture.bytes(600_000, seed: 11), name: "Résumé 東京 🚀.pdf")
      let after = await rig.attachments()
      #expect(after.count == before + 1)
      #expect(after.contains { $0.id == attachmentID && $0.name == "Résumé 東京 🚀.pdf" })
      let requests = await rig.requests()
      #expect(requests.filter { $0.path.hasSuffix("createUploadSession") }.count == 1)
    }
  }

  // MARK: §6.7 401 refresh once; a token per request

  @Test func unauthorizedRefreshesOnceAndEveryRequestAsksForAFreshToken() async throws {
    let tokens = CountingTokenProvider()
    try await withRig(
      emulator: { $0.faults = try FaultPlan(specs: ["put#2=401"]) }, tokens: tokens
    ) { rig in
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(600_000, seed: 12))
      let counts = tokens.counts.withLock { $0 }
      #expect(counts.refresh == 1)
      // accessToken() (which refreshes a token near expiry) is asked before every request.
      #expect(counts.access >= rig.transport.sent.count)
    }
  }

  @Test func unauthorizedTwiceIsAnAuthenticationFailure() async throws {
    try await withRig(emulator: { $0.faults = try FaultPlan(specs: ["put#*=401"]) }) { rig in
      let path = try rig.file("a.bin", EmulatorFixture.bytes(1000))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      let outcome = await rig.coordinator.waitUntilSettled()[id]
      guard case .failed(_, let authentication) = outcome else {
        Issue.record("expected failure, got \(String(describing: outcome))")
        return
      }
      #expect(authentication)
    }
  }

  // MARK: §6.8 stall watchdog

  @Test func stalledPutIsAbandonedAndRetriedFromTheServerOffset() async throws {
    try await withRig(
      emulator: { $0.faults = try FaultPlan(specs: ["put#2=stall:ms=20000"]) },
      configuration: UploadRig.testConfiguration(stallTimeout: 0.6)
    ) { rig in
      // Only the watchdog reports a stall: a server that woke up would have answered the PUT.
      try await Self.uploadAndVerify(rig, EmulatorFixture.bytes(700_000, seed: 13))
      let events = await rig.log.events
      #expect(events.contains { if case .retry(_, .stalled, _, _) = $0 { true } else { false } })
    }
  }

  // MARK: §6.9 pause and cancel

  @Test func pauseStopsAtOnceKeepsTheSessionAndResumeAsksTheServer() async throws {
    try await withRig(emulator: {
      // The second PUT would take 52 s: a pause that waited for it would show.
      $0.faults = try FaultPlan(specs: ["put#2=bandwidth:bps=5000"])
    }) { rig in
      let bytes = EmulatorFixture.bytes(1_200_000, seed: 14)
      let path = try rig.file("pause.bin", bytes)
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      let pausedAt = ContinuousClock.now
      await rig.coordinator.pause(id)
      _ = await rig.log.first { if case .paused = $0 { true } else { false } }
      #expect(ContinuousClock.now - pausedAt < .seconds(26))
      #expect(await rig.coordinator.waitUntilSettled()[id] == .paused)
      #expect(rig.journal.load().entries.map(\.id) == [id])
      #expect(await rig.emulator.store.openSessionCount() == 1)
      let sentBeforeResume = rig.transport.sent.count
      await rig.coordinator.resume(id)
      let outcome = await rig.coordinator.waitUntilSettled()[id]
      guard case .completed(let attachmentID) = outcome else {
        Issue.record("not completed: \(String(describing: outcome))")
        return
      }
      #expect(SHA256.hex(try #require(await rig.bytes(of: attachmentID))) == SHA256.hex(bytes))
      // Resume asked the server (status GET) before sending more.
      #expect(rig.transport.sent[sentBeforeResume].method == "GET")
      #expect(await rig.log.events.contains { if case .resumed = $0 { true } else { false } })
    }
  }

  @Test func cancelAbortsDeletesTheSessionAndTheJournalEntry() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#2=bandwidth:bps=5000"])
    }) { rig in
      let path = try rig.file("cancel.bin", EmulatorFixture.bytes(1_200_000, seed: 15))
      let before = await rig.attachments().count
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      let cancelledAt = ContinuousClock.now
      await rig.coordinator.cancel(id)
      _ = await rig.log.first { if case .cancelled = $0 { true } else { false } }
      #expect(ContinuousClock.now - cancelledAt < .seconds(26))
      #expect(await rig.coordinator.waitUntilSettled()[id] == .cancelled)
      #expect(rig.journal.load().entries.isEmpty)
      #expect(await rig.emulator.store.openSessionCount() == 0)
      #expect(await rig.requests().contains { $0.method == "DELETE" && $0.status == 204 })
      #expect(await rig.attachments().count == before)
    }
  }

  @Test func pauseAndCancelRightAfterQueueingAreHonoured() async throws {
    try await withRig(configuration: UploadRig.testConfiguration(concurrent: 1)) { rig in
      let bytes = EmulatorFixture.bytes(3_000_000, seed: 42)
      let first = try await rig.coordinator.upload(
        path: try rig.file("p.bin", bytes), to: rig.target)
      let second = try await rig.coordinator.upload(
        path: try rig.file("q.bin", EmulatorFixture.bytes(1000, seed: 43)), to: rig.target)
      // The first is hashing (or about to), the second still queued.
      await rig.coordinator.pause(first)
      await rig.coordinator.cancel(second)
      let outcomes = await rig.coordinator.waitUntilSettled()
      #expect(outcomes[first] == .paused)
      #expect(outcomes[second] == .cancelled)
      #expect(!rig.transport.sent.contains { $0.method == "PUT" })
      await rig.coordinator.resume(first)
      guard case .completed(let attachmentID) = await rig.coordinator.waitUntilSettled()[first]
      else {
        Issue.record("not completed")
        return
      }
      #expect(SHA256.hex(try #require(await rig.bytes(of: attachmentID))) == SHA256.hex(bytes))
      #expect(await rig.attachments().filter { $0.name == "q.bin" }.isEmpty)
    }
  }
}
