import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// Bad input gets a Graph error body and leaves the store unchanged.
@Suite struct StrictnessTests {
  typealias F = EmulatorFixture

  /// Starts a 1,000-byte session with its first 400 bytes uploaded.
  func halfway(_ emulator: InProcessEmulator) async throws -> (url: String, bytes: [UInt8]) {
    let ids = try await F.firstTask(emulator, list: "Tasks")
    let bytes = F.bytes(1000)
    let url = try await F.createSession(emulator, ids, name: "strict", size: 1000)
    let first = try await F.putChunk(emulator, url, bytes, first: 0, last: 399, total: 1000)
    #expect(first.status == 200)
    return (url, bytes)
  }

  func offset(_ emulator: InProcessEmulator, _ url: String) async -> Int64? {
    let id =
      url.split(separator: "/").last.map { String($0).removingPercentEncoding ?? String($0) } ?? ""
    return await emulator.store.sessionOffset(sessionID: id)
  }

  @Test func putWithoutContentSegmentIs404() async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      let reply = try await emulator.send(
        "PUT", url, headers: [F.auth, ("Content-Range", "bytes 400-999/1000")],
        body: Array(bytes[400...]))
      #expect(reply.status == 404)
      #expect(await offset(emulator, url) == 400)
    }
  }

  @Test func missingOrWrongBearerIs401() async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      let missing = try await emulator.send(
        "PUT", url + "/content", headers: [("Content-Range", "bytes 400-999/1000")],
        body: Array(bytes[400...]))
      #expect(missing.status == 401)
      #expect(missing.errorCode == "InvalidAuthenticationToken")
      #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
      let wrong = try await emulator.send(
        "PUT", url + "/content",
        headers: [("Authorization", "Bearer nope"), ("Content-Range", "bytes 400-999/1000")],
        body: Array(bytes[400...]))
      #expect(wrong.status == 401)
      let lists = try await emulator.send("GET", emulator.graphBaseURL + "/me/todo/lists")
      #expect(lists.status == 401)
      #expect(await offset(emulator, url) == 400)
    }
  }

  @Test(arguments: [
    "bytes 400-999", "bytes=400-999/1000", "bytes 999-400/1000", "", "bytes 400-999/2000",
  ])
  func badContentRangeIs400(header: String) async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      var headers = [F.auth]
      if !header.isEmpty { headers.append(("Content-Range", header)) }
      let reply = try await emulator.send(
        "PUT", url + "/content", headers: headers, body: Array(bytes[400...]))
      #expect(reply.status == 400)
      #expect(reply.errorCode == "invalidRequest")
      #expect(await offset(emulator, url) == 400)
    }
  }

  @Test func lengthMismatchIs400() async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      let reply = try await emulator.send(
        "PUT", url + "/content", headers: [F.auth, ("Content-Range", "bytes 400-999/1000")],
        body: Array(bytes[400..<900]))
      #expect(reply.status == 400)
      #expect(await offset(emulator, url) == 400)
    }
  }

  @Test func overlapAndGapAre416InvalidRange() async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      let overlap = try await F.putChunk(emulator, url, bytes, first: 0, last: 399, total: 1000)
      #expect(overlap.status == 416)
      #expect(overlap.errorCode == "invalidRange")
      let gap = try await F.putChunk(emulator, url, bytes, first: 500, last: 999, total: 1000)
      #expect(gap.status == 416)
      #expect(gap.errorCode == "invalidRange")
      #expect(await offset(emulator, url) == 400)
    }
  }

  @Test func overlapMayBeAcceptedAndGapMayBe400() async throws {
    try await withHandler({
      $0.overlap = .acceptCurrent
      $0.gap = .badRequest
    }) { emulator in
      let (url, bytes) = try await halfway(emulator)
      let overlap = try await F.putChunk(emulator, url, bytes, first: 0, last: 399, total: 1000)
      #expect(overlap.status == 200)
      #expect(overlap.json["NextExpectedRanges"] as? [String] == ["400"])
      let straddle = try await F.putChunk(emulator, url, bytes, first: 200, last: 599, total: 1000)
      #expect(straddle.json["NextExpectedRanges"] as? [String] == ["600"])
      let gap = try await F.putChunk(emulator, url, bytes, first: 800, last: 999, total: 1000)
      #expect(gap.status == 400)
      #expect(await offset(emulator, url) == 600)
    }
  }

  @Test(arguments: [413, 400])
  func chunkOverFourMillionBytesIsRejected(status: Int) async throws {
    try await withHandler({ $0.oversizeChunkStatus = status }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(5_000_000)
      let url = try await F.createSession(emulator, ids, name: "o", size: bytes.count)
      let reply = try await F.putChunk(
        emulator, url, bytes, first: 0, last: 4_000_000, total: bytes.count)
      #expect(reply.status == status)
      let ok = try await F.putChunk(
        emulator, url, bytes, first: 0, last: 3_999_999, total: bytes.count)
      #expect(ok.status == 200)
    }
  }

  @Test func fragmentMultipleRuleIsSwitchable() async throws {
    try await withHandler({ $0.enforceFragmentMultiple = true }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(1_000_000)
      let url = try await F.createSession(emulator, ids, name: "m", size: bytes.count)
      let odd = try await F.putChunk(
        emulator, url, bytes, first: 0, last: 99_999, total: bytes.count)
      #expect(odd.status == 400)
      let aligned = try await F.putChunk(
        emulator, url, bytes, first: 0, last: 327_679, total: bytes.count)
      #expect(aligned.status == 200)
      let lastPart = try await F.putChunk(
        emulator, url, bytes, first: 327_680, last: 999_999, total: bytes.count)
      #expect(lastPart.status == 201)
    }
  }

  @Test func sessionOverTwentyFiveMillionBytesIs400() async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let body = #"{"attachmentInfo":{"attachmentType":"file","name":"huge","size":25000001}}"#
      let reply = try await emulator.send(
        "POST", F.taskURL(emulator, ids) + "/attachments/createUploadSession",
        headers: [F.auth, ("Content-Type", "application/json")], body: Array(body.utf8))
      #expect(reply.status == 400)
      #expect(await emulator.store.openSessionCount() == 0)
    }
  }

  @Test(arguments: [
    "{nope", #"{"attachmentInfo":{"name":"a"}}"#,
    #"{"attachmentInfo":{"attachmentType":"item","name":"a","size":1}}"#,
  ])
  func malformedSessionRequestsAre400(body: String) async throws {
    try await withHandler { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let reply = try await emulator.send(
        "POST", F.taskURL(emulator, ids) + "/attachments/createUploadSession",
        headers: [F.auth, ("Content-Type", "application/json")], body: Array(body.utf8))
      #expect(reply.status == 400)
      #expect(await emulator.store.openSessionCount() == 0)
    }
  }

  @Test func afterExpiryPutsAre404ItemNotFound() async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      await emulator.store.expireAllSessions()
      let reply = try await F.putChunk(emulator, url, bytes, first: 400, last: 999, total: 1000)
      #expect(reply.status == 404)
      #expect(reply.errorCode == "ErrorItemNotFound")
    }
  }

  @Test func sessionLifetimeIsConfigurable() async throws {
    try await withHandler({ $0.sessionLifetime = .zero }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(10)
      let url = try await F.createSession(emulator, ids, name: "z", size: 10)
      let reply = try await F.putChunk(emulator, url, bytes, first: 0, last: 9, total: 10)
      #expect(reply.status == 404)
    }
  }

  @Test func unknownSessionAndTaskAre404() async throws {
    try await withHandler { emulator in
      let (url, bytes) = try await halfway(emulator)
      let bogus = url.replacingOccurrences(of: "attachmentSessions/", with: "attachmentSessions/x")
      let reply = try await F.putChunk(emulator, bogus, bytes, first: 400, last: 999, total: 1000)
      #expect(reply.status == 404)
      let body = #"{"attachmentInfo":{"attachmentType":"file","name":"a","size":1}}"#
      let noTask = try await emulator.send(
        "POST",
        emulator.graphBaseURL + "/me/todo/lists/nope/tasks/nope/attachments/createUploadSession",
        headers: [F.auth, ("Content-Type", "application/json")], body: Array(body.utf8))
      #expect(noTask.status == 404)
    }
  }

  @Test func errorBodiesCarryRequestIdsAndEchoTheClientRequestId() async throws {
    try await withHandler { emulator in
      let reply = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists/nope/tasks",
        headers: [F.auth, ("client-request-id", "abc-123")])
      #expect(reply.status == 404)
      #expect(reply.header("client-request-id") == "abc-123")
      let requestID = try #require(reply.header("request-id"))
      let parsed = try #require(GraphErrorBody.parse(reply.body))
      #expect(parsed.code == "ErrorItemNotFound")
      #expect(parsed.requestID == requestID)
      #expect(parsed.clientRequestID == "abc-123")
      #expect(!parsed.message.isEmpty)
    }
  }

  @Test func unknownRoutesAreGraphErrors() async throws {
    try await withHandler { emulator in
      let reply = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/calendar", headers: [F.auth])
      #expect(reply.status == 400)
      #expect(GraphErrorBody.parse(reply.body) != nil)
      let method = try await emulator.send(
        "PATCH", emulator.graphBaseURL + "/me/todo/lists", headers: [F.auth])
      #expect(method.status == 405)
    }
  }
}
