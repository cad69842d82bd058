import AgentProtocol
import Foundation
import GraphModels
import Testing

@Suite struct AgentCodecTests {
  static let target = AgentTarget(
    listID: "L1", taskID: "T1", listName: "Tasks", taskTitle: "Report \u{9B}31m")

  static func roundTrip(_ frame: AgentFrame) throws -> AgentFrame {
    let line = try AgentCodec.encode(frame)
    #expect(line.last == UInt8(ascii: "\n"))
    #expect(!line.dropLast().contains(UInt8(ascii: "\n")))
    return try AgentCodec.decode(line.dropLast())
  }

  @Test(arguments: [
    AgentFrame.hello(AgentHello(graphURL: "http://127.0.0.1:1/v1.0")),
    .welcome(AgentWelcome(pid: 42, graphURL: "https://graph.microsoft.com/v1.0")),
    .refused(message: "run `tack agent stop`"),
    .request(
      AgentRequest(
        id: 7, operation: .enqueue, files: ["/tmp/a b.bin"], target: target, chunkSize: 320)),
    .request(AgentRequest(id: 8, operation: .pause, uploads: ["abcd"], all: false)),
    .request(AgentRequest(id: 9, operation: .setBandwidth, bytesPerSecond: 500_000)),
    .reply(
      AgentReply(
        id: 7, ok: true, started: [AgentStarted(uploadID: "u1", file: "/tmp/a b.bin")])),
    .reply(AgentReply(id: 8, ok: false, message: "no such upload", code: 2, unknown: ["x"])),
    .snapshot([
      AgentUploadState(
        uploadID: "u1", name: "a.bin", file: "/tmp/a.bin", size: 10, chunkSize: 5, sent: 5,
        acknowledged: 5, phase: .running, target: target)
    ]),
    .settled(
      AgentUploadState(
        uploadID: "u1", name: "a.bin", file: "/tmp/a.bin", size: 10, chunkSize: 5, sent: 10,
        acknowledged: 10, phase: .completed, attachmentID: "att", target: target)),
  ])
  func everyFrameSurvivesOneLine(_ frame: AgentFrame) throws {
    #expect(try Self.roundTrip(frame) == frame)
  }

  @Test(arguments: [
    UploadEvent.sessionCreated(
      id: "u", name: "n", size: 9, chunkSize: 3,
      expiration: GraphDate.parse("2026-12-02T10:00:00Z")),
    .progress(id: "u", sent: 4, acknowledged: 3, size: 9),
    .chunkSent(id: "u", start: 0, end: 2, next: 3),
    .retry(id: "u", reason: .throttled, afterSeconds: 1.5, attempt: 2),
    .paused(id: "u", acknowledged: 3), .resumed(id: "u", from: 3),
    .sessionRecreated(id: "u", reason: "expired"),
    .completed(id: "u", attachmentID: "a", size: 9),
    .failed(id: "u", reason: "the file changed", code: .fileChanged),
    .failed(id: "u", reason: "HTTP 500", code: nil), .cancelled(id: "u"),
  ])
  func everyUploadEventSurvivesTheSocket(_ event: UploadEvent) throws {
    #expect(try Self.roundTrip(.event(event, file: "/f")) == .event(event, file: "/f"))
  }

  @Test func eventFrameCarriesTheCLIsNDJSONObjectUnchanged() throws {
    let event = UploadEvent.chunkSent(id: "u", start: 0, end: 9, next: 10)
    let line = try AgentCodec.encode(.event(event, file: "/f"))
    let value = try JSONDecoder().decode(JSONValue.self, from: line)
    guard case .object(let members) = value else {
      Issue.record("not an object")
      return
    }
    #expect(members["event"] == event.jsonObject(file: "/f"))
  }

  @Test(arguments: [
    "", "[]", "{\"type\":\"nonsense\"}", "{\"hello\":{}}", "{\"type\":\"request\"}",
    "{\"type\":\"request\",\"request\":{\"id\":1,\"op\":\"explode\"}}",
    "{\"type\":\"event\",\"event\":{\"event\":\"chunk_sent\",\"upload_id\":\"u\"}}",
    "{\"type\":\"event\",\"event\":{\"event\":\"retry\",\"upload_id\":\"u\",\"reason\":\"x\"}}",
  ])
  func malformedLinesAreProtocolErrorsNotCrashes(_ text: String) {
    #expect(throws: AgentProtocolError.self) { try AgentCodec.decode(Array(text.utf8)) }
  }

  @Test func controlCharactersInNamesAreEscapedOnTheWire() throws {
    let line = try AgentCodec.encode(
      .request(AgentRequest(id: 1, operation: .enqueue, files: ["/x"], target: Self.target)))
    #expect(!line.contains(0x9B))
    #expect(String(decoding: line, as: UTF8.self).contains("\\u009b"))
  }
}
