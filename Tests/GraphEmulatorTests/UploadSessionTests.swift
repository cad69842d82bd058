import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

@Suite struct UploadSessionTests {
  typealias F = EmulatorFixture

  @Test func createUploadSessionAnswersTheDocumentedShape() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let body = #"{"attachmentInfo":{"attachmentType":"file","name":"flower","size":3483322}}"#
      let reply = try await emulator.send(
        "POST", F.taskURL(emulator, ids) + "/attachments/createUploadSession",
        headers: [F.auth, ("Content-Type", "application/json")], body: Array(body.utf8))
      #expect(reply.status == 200)
      #expect(reply.json["nextExpectedRanges"] as? [String] == ["0-"])
      let url = try #require(reply.json["uploadUrl"] as? String)
      let pattern =
        #"/v1\.0/users/[0-9a-f-]{36}/todo/lists/[^/]+/tasks/[^/]+/attachmentSessions/[^/]+$"#
      #expect(url.range(of: pattern, options: .regularExpression) != nil)
      #expect(!url.contains("authtoken"))
      let expiry = try #require(GraphDate.parse(reply.json["expirationDateTime"] as? String ?? ""))
      #expect(expiry.timeIntervalSinceNow > 800)
    }
  }

  @Test func createStatusIsSwitchable() async throws {
    try await withHandler({ $0.createStatus = 201 }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let body = #"{"attachmentInfo":{"attachmentType":"file","name":"a","size":10}}"#
      let reply = try await emulator.send(
        "POST", F.taskURL(emulator, ids) + "/attachments/createUploadSession",
        headers: [F.auth, ("Content-Type", "application/json")], body: Array(body.utf8))
      #expect(reply.status == 201)
    }
  }

  @Test func intermediateAnswerIsPascalCaseWithABareStart() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(3_483_322)
      let url = try await F.createSession(emulator, ids, name: "flower", size: bytes.count)
      let reply = try await F.putChunk(
        emulator, url, bytes, first: 0, last: 2_097_151, total: bytes.count)
      #expect(reply.status == 200)
      #expect(reply.json["NextExpectedRanges"] as? [String] == ["2097152"])
      #expect(reply.json["ExpirationDateTime"] is String)
      #expect(reply.json["nextExpectedRanges"] == nil)
    }
  }

  @Test(arguments: [EmulatorOptions.KeyCase.camel, .pascal])
  func keyCaseAndRangeFormAreSwitchable(keys: EmulatorOptions.KeyCase) async throws {
    try await withHandler({
      $0.intermediateKeys = keys
      $0.rangeForm = .openEnded
    }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(1000)
      let url = try await F.createSession(emulator, ids, name: "x", size: bytes.count)
      let reply = try await F.putChunk(emulator, url, bytes, first: 0, last: 499, total: 1000)
      let key = keys == .camel ? "nextExpectedRanges" : "NextExpectedRanges"
      #expect(reply.json[key] as? [String] == ["500-"])
      let state = try UploadSessionState.parse(reply.body)
      #expect(state.nextOffset == 500)
    }
  }

  @Test func finalAnswerIs201WithLocationAndEmptyBody() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(5000)
      let url = try await F.createSession(emulator, ids, name: "notes.txt", size: bytes.count)
      _ = try await F.putChunk(emulator, url, bytes, first: 0, last: 2999, total: 5000)
      let final = try await F.putChunk(emulator, url, bytes, first: 3000, last: 4999, total: 5000)
      #expect(final.status == 201)
      #expect(final.body.isEmpty)
      let location = try #require(final.header("Location"))
      #expect(location.contains("/Attachments/"))
      let id = try #require(AttachmentLocation.attachmentID(from: location))
      #expect(
        await emulator.store.attachmentBytes(listID: ids.list, taskID: ids.task, attachmentID: id)
          == bytes)
    }
  }

  @Test func locationMayUseODataKeySyntax() async throws {
    try await withHandler({ $0.locationForm = .odataKey }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(10)
      let url = try await F.createSession(emulator, ids, name: "k", size: 10)
      let final = try await F.putChunk(emulator, url, bytes, first: 0, last: 9, total: 10)
      let location = try #require(final.header("Location"))
      #expect(location.contains("/Attachments('"))
      let id = try #require(AttachmentLocation.attachmentID(from: location))
      #expect(
        await emulator.store.attachmentBytes(listID: ids.list, taskID: ids.task, attachmentID: id)
          == bytes)
    }
  }

  @Test func fullTwentyFiveMillionByteUploadStoresExactlyTheBytes() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Groceries 🛒")
      let size = 25_000_000
      let bytes = F.bytes(size, seed: 25)
      let url = try await F.createSession(emulator, ids, name: "big 🎞.bin", size: size)
      var offset = 0
      var last: InProcessEmulator.Reply?
      while offset < size {
        let end = min(offset + 4_000_000, size) - 1
        let reply = try await F.putChunk(
          emulator, url, bytes, first: offset, last: end, total: size)
        if end < size - 1 {
          #expect(reply.status == 200)
          #expect(reply.json["NextExpectedRanges"] as? [String] == ["\(end + 1)"])
        }
        last = reply
        offset = end + 1
      }
      #expect(last?.status == 201)
      let attachments = try #require(
        await emulator.store.attachments(listID: ids.list, taskID: ids.task))
      let stored = try #require(attachments.first { $0.name == "big 🎞.bin" })
      #expect(stored.size == Int64(size))
      let storedBytes = try #require(
        await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: stored.id))
      #expect(SHA256.hex(storedBytes) == SHA256.hex(bytes))
      let listed = try await emulator.send(
        "GET", F.taskURL(emulator, ids) + "/attachments", headers: [F.auth])
      let item = (listed.json["value"] as? [[String: Any]])?.first {
        $0["name"] as? String == "big 🎞.bin"
      }
      #expect(item?["size"] as? Int == size)
    }
  }

  @Test func cancelDeletesTheSessionAndLaterRequestsAre404() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(100)
      let url = try await F.createSession(emulator, ids, name: "c", size: 100)
      let deleted = try await emulator.send("DELETE", url, headers: [F.auth])
      #expect(deleted.status == 204)
      let put = try await F.putChunk(emulator, url, bytes, first: 0, last: 99, total: 100)
      #expect(put.status == 404)
      #expect(put.errorCode == "ErrorItemNotFound")
      let status = try await emulator.send("GET", url, headers: [F.auth])
      #expect(status.status == 404)
      #expect(await emulator.store.attachments(listID: ids.list, taskID: ids.task)?.isEmpty == true)
    }
  }

  @Test func statusGetReportsTheNextRange() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(1000)
      let url = try await F.createSession(emulator, ids, name: "s", size: 1000)
      _ = try await F.putChunk(emulator, url, bytes, first: 0, last: 399, total: 1000)
      let status = try await emulator.send("GET", url, headers: [F.auth])
      #expect(status.status == 200)
      #expect(try UploadSessionState.parse(status.body).nextOffset == 400)
    }
  }

  @Test func statusGetCanBeSwitchedOff() async throws {
    try await withHandler({ $0.statusGet = false }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let url = try await F.createSession(emulator, ids, name: "s", size: 1000)
      let status = try await emulator.send("GET", url, headers: [F.auth])
      #expect(status.status == 405)
    }
  }

  @Test func severalSessionsAtOnceStayIndependent() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let results = try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
        for n in 0..<6 {
          group.addTask {
            let size = 600_000 + n * 1000
            let bytes = F.bytes(size, seed: UInt64(n + 7))
            let url = try await F.createSession(emulator, ids, name: "par-\(n)", size: size)
            var offset = 0
            while offset < size {
              let end = min(offset + 100_000, size) - 1
              _ = try await F.putChunk(emulator, url, bytes, first: offset, last: end, total: size)
              offset = end + 1
            }
            return ("par-\(n)", bytes)
          }
        }
        var all: [(String, [UInt8])] = []
        for try await item in group { all.append(item) }
        return all
      }
      let attachments = try #require(
        await emulator.store.attachments(listID: ids.list, taskID: ids.task))
      for (name, bytes) in results {
        let stored = try #require(attachments.first { $0.name == name })
        let data = await emulator.store.attachmentBytes(
          listID: ids.list, taskID: ids.task, attachmentID: stored.id)
        #expect(data == bytes)
      }
    }
  }
}
