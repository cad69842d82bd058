import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Logging
import Synchronization
import Testing

@Suite struct EmulatorClientTests {
  @Test func pagingFollowsNextLinkAcrossManyPages() async throws {
    try await withLiveEmulator { emulator, transport in
      let graph = try emulator.session(transport, pageSize: 7)
      let lists = try await graph.lists().all()
      let big = try #require(lists.first { $0.displayName == "Big list" })
      var pages = 0
      var ids: [String] = []
      for try await page in graph.tasks(listID: big.id) {
        pages += 1
        ids += page.map(\.id)
      }
      #expect(ids.count == 120)
      #expect(Set(ids).count == 120)
      #expect(pages == 18)  // 17 × 7 + 1
      let expected = await emulator.store.tasks(listID: big.id)?.map(\.id)
      #expect(ids == expected)
    }
  }

  @Test func fiveThousandTaskListLoadsEveryPage() async throws {
    try await withLiveEmulator({ $0.seed = .demo }) { emulator, transport in
      let graph = try emulator.session(transport)
      let lists = try await graph.lists().all()
      let archive = try #require(lists.first { $0.displayName == "Archive" })
      let tasks = try await graph.tasks(listID: archive.id).all()
      #expect(tasks.count == 5000)
      #expect(Set(tasks.map(\.id)).count == 5000)
      let raw = try await graph.rawTasks(listID: archive.id).all()
      #expect(raw.count == 5000)
      #expect(raw.first?[caseInsensitive: "@odata.etag"] != nil)
    }
  }

  @Test func throttledThenSuccessHonoursRetryAfter() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["get#1=429:retry-after=0.05"]) })
    {
      emulator, transport in
      let clock = ManualClock()
      let lists = try await emulator.session(transport, clock: clock).lists().all()
      #expect(!lists.isEmpty)
      #expect(clock.sleeps == [.milliseconds(50)])
      let statuses = await emulator.store.requestLog().map(\.status)
      #expect(statuses == [429, 200])
    }
  }

  @Test func unavailableThenSuccess() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["get#1=503"]) }) {
      emulator, transport in
      let clock = ManualClock()
      let lists = try await emulator.session(transport, clock: clock).lists().all()
      #expect(!lists.isEmpty)
      #expect(clock.sleeps.count == 1)
      #expect(await emulator.store.requestLog().map(\.status) == [503, 200])
    }
  }

  @Test func attachmentsListGetDownloadAndDelete() async throws {
    try await withLiveEmulator { emulator, transport in
      let graph = try emulator.session(transport)
      let work = try #require(try await graph.lists().all().first { $0.displayName == "仕事 (Work)" })
      let task = try #require(
        try await graph.tasks(listID: work.id).all().first { $0.title == "Quarterly report" })
      let fetched = try await graph.task(listID: work.id, taskID: task.id)
      #expect(fetched.title == "Quarterly report")
      let attachments = try await graph.attachments(listID: work.id, taskID: task.id).all()
      #expect(attachments.count == 2)
      #expect(attachments.allSatisfy { $0.contentBytes == nil })
      let first = attachments[0]
      let full = try await graph.attachment(
        listID: work.id, taskID: task.id, attachmentID: first.id)
      #expect(full.contentBytes != nil)
      let downloaded = try await graph.downloadAttachment(
        listID: work.id, taskID: task.id, attachmentID: first.id)
      #expect(Int64(downloaded.count) == first.size)
      let expected = await emulator.store.attachmentBytes(
        listID: work.id, taskID: task.id, attachmentID: first.id)
      #expect(downloaded == Data(expected ?? []))
      #expect(Data(base64Encoded: full.contentBytes ?? "") == Data(expected ?? []))
      try await graph.deleteAttachment(listID: work.id, taskID: task.id, attachmentID: first.id)
      let after = try await graph.attachments(listID: work.id, taskID: task.id).all()
      #expect(after.map(\.id) == [attachments[1].id])
    }
  }

  @Test func unknownTaskIsATypedNotFound() async throws {
    try await withLiveEmulator { emulator, transport in
      let graph = try emulator.session(transport)
      let list = try #require(try await graph.lists().all().first)
      do {
        _ = try await graph.task(listID: list.id, taskID: "no-such-task")
        Issue.record("expected 404")
      } catch let GraphError.service(status, _, _, requestID) {
        #expect(status == 404)
        #expect(requestID != nil)
      }
    }
  }

  @Test func fileBodyIsStreamedFromItsOffsetWithProgress() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let size = 700_000
    let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }
    let path = directory.path + "/data.bin"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try await withLiveEmulator { emulator, transport in
      let graph = try emulator.session(transport)
      let work = try #require(try await graph.lists().all().first { $0.displayName == "Big list" })
      let task = try #require(try await graph.tasks(listID: work.id).all().first)
      let upload = try await graph.openUploadSession(
        listID: work.id, taskID: task.id,
        info: AttachmentInfo(name: "data.bin", size: Int64(size), contentType: nil))
      let uploadURL = try #require(upload.uploadUrl)
      let reports = ProgressLog()
      var offset: Int64 = 0
      var last: HTTPResponse?
      for length in [Int64(400_000), 300_000] {
        let request = HTTPRequest(
          method: "PUT", url: uploadURL + "/content",
          headers: [
            (name: "Content-Type", value: "application/octet-stream"),
            (name: "Content-Range", value: "bytes \(offset)-\(offset + length - 1)/\(size)"),
          ], body: .file(path: path, offset: offset, length: length))
        last = try await graph.send(
          request, options: RequestOptions(retry: .never, progress: { reports.add($0) }))
        #expect(reports.values.last == length)
        #expect(reports.values == reports.values.sorted())
        reports.reset()
        offset += length
      }
      #expect(last?.status == 201)
      let id = try #require(last?.header("Location").flatMap(AttachmentLocation.attachmentID))
      let stored = await emulator.store.attachmentBytes(
        listID: work.id, taskID: task.id, attachmentID: id)
      #expect(stored == bytes)
    }
  }
}

/// Collects progress reports from the transport's event loop.
final class ProgressLog: Sendable {
  private let state = Synchronization.Mutex<[Int64]>([])
  func add(_ value: Int64) { state.withLock { $0.append(value) } }
  func reset() { state.withLock { $0.removeAll() } }
  var values: [Int64] { state.withLock { $0 } }
}
