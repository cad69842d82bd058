import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

@Suite struct FaultPlanParsingTests {
  @Test func parsesSelectorsOrdinalsAndKinds() throws {
    let plan = try FaultPlan(specs: [
      "put#2=429:retry-after=1.5", "any#*=latency:ms=40", "get#3-5=503", "put#4+=commit-drop",
      "put#1=reset:after=1024", "status#1=500", "token#2=oauth:error=slow_down",
      "put#*=bandwidth:bps=1000",
    ])
    #expect(
      plan.rules[0]
        == .init(selector: .put, first: 2, last: 2, kind: .status(code: 429, retryAfter: "1.5")))
    #expect(
      plan.rules[1] == .init(selector: .any, first: 1, last: nil, kind: .latency(milliseconds: 40)))
    #expect(plan.rules[2].matches(ordinal: 4) && !plan.rules[2].matches(ordinal: 6))
    #expect(plan.rules[3].matches(ordinal: 400) && !plan.rules[3].matches(ordinal: 3))
    #expect(plan.rules[4].kind == .reset(afterBytes: 1024))
    #expect(plan.rules[6].kind == .oauthError("slow_down"))
  }

  @Test(arguments: [
    "put", "put#2", "nope#1=500", "put#0=500", "put#x=500", "put#1=teapot", "put#1=latency",
    "put#3-1=500",
  ])
  func rejectsBadSpecsWithTheSyntax(spec: String) {
    #expect(throws: EmulatorError.self) { try FaultPlan(specs: [spec]) }
  }

  @Test func modesAreParsedFromNameValue() throws {
    var options = EmulatorOptions()
    try options.apply(mode: "overlap=acceptCurrent")
    try options.apply(mode: "status-get=off")
    try options.apply(mode: "create-status=201")
    #expect(options.overlap == .acceptCurrent)
    #expect(options.statusGet == false)
    #expect(options.createStatus == 201)
    #expect(throws: EmulatorError.self) { try options.apply(mode: "create-status=202") }
    #expect(throws: EmulatorError.self) { try options.apply(mode: "nonsense=1") }
  }
}

@Suite struct FaultInjectionTests {
  typealias F = EmulatorFixture

  func lists(_ emulator: InProcessEmulator) async throws -> InProcessEmulator.Reply {
    try await emulator.send("GET", emulator.graphBaseURL + "/me/todo/lists", headers: [F.auth])
  }

  @Test func latencyDelaysTheChosenRequest() async throws {
    let clock = ContinuousClock()
    try await withHandler({ $0.faults = try FaultPlan(specs: ["get#1=latency:ms=300"]) }) {
      emulator in
      let start = clock.now
      let reply = try await lists(emulator)
      #expect(reply.status == 200)
      #expect(clock.now - start >= .milliseconds(300))
    }
  }

  @Test(arguments: [
    (429, "TooManyRequests", "2.128"), (503, "serviceNotAvailable", "1"),
    (500, "generalException", nil), (504, "gatewayTimeout", nil),
  ])
  func statusFaultsAnswerWithRetryAfter(status: Int, code: String, retryAfter: String?) async throws
  {
    let spec = "get#1=\(status)" + (retryAfter.map { ":retry-after=\($0)" } ?? "")
    try await withHandler({ $0.faults = try FaultPlan(specs: [spec]) }) { emulator in
      let first = try await lists(emulator)
      #expect(first.status == status)
      #expect(first.errorCode == code)
      #expect(first.header("Retry-After") == retryAfter)
      let second = try await lists(emulator)
      #expect(second.status == 200)
    }
  }

  @Test func injected401IsInvalidAuthenticationToken() async throws {
    try await withHandler({ $0.faults = try FaultPlan(specs: ["get#1=401"]) }) { emulator in
      let reply = try await lists(emulator)
      #expect(reply.status == 401)
      #expect(reply.errorCode == "InvalidAuthenticationToken")
    }
  }

  @Test func expireFaultEndsTheSessionBeforeTheRequest() async throws {
    try await withHandler({ $0.faults = try FaultPlan(specs: ["put#2=expire"]) }) { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let bytes = F.bytes(1000)
      let url = try await F.createSession(emulator, ids, name: "e", size: bytes.count)
      #expect(
        try await F.putChunk(emulator, url, bytes, first: 0, last: 499, total: 1000).status == 200)
      let second = try await F.putChunk(emulator, url, bytes, first: 500, last: 999, total: 1000)
      #expect(second.status == 404)
      #expect(second.errorCode == "ErrorItemNotFound")
    }
  }

}
