import Foundation
import TestSupport
import Testing

@Suite struct EmulatorCommandTests {
  @Test func printsTheBaseURLsFirstAndStopsCleanlyOnSIGTERM() async throws {
    let child = ChildProcess(TackBinary.url, ["emulator", "--port", "0", "--token", "t0"])
    try child.start()
    let graph = try #require(await child.waitForLine { _ in true })
    #expect(
      graph.range(of: #"^http://127\.0\.0\.1:\d+/v1\.0$"#, options: .regularExpression) != nil)
    let login = try #require(await child.waitForLine { _ in true })
    #expect(graph.hasPrefix(login))
    let lists = try await RawHTTP.send(
      "GET", graph + "/me/todo/lists", headers: [("Authorization", "Bearer t0")])
    #expect(lists.status == 200)
    child.signal(SIGTERM)
    #expect(await child.waitForExit() == 0)
  }

  @Test func badFaultSpecIsAUsageErrorWithTheSyntax() async throws {
    let child = ChildProcess(TackBinary.url, ["emulator", "--fault", "put#x=teapot"])
    try child.start()
    #expect(await child.waitForExit() == 2)
    let message = child.standardError()
    #expect(message.contains("SELECTOR#ORDINALS=KIND"))
    #expect(!message.contains("Fatal error"))
  }
}

@Suite struct EmulatorCommandOptionTests {
  @Test func severalFaultsAfterOneFlag() async throws {
    let child = ChildProcess(
      TackBinary.url,
      ["emulator", "--token", "t1", "--fault", "get#1=503", "get#2=429:retry-after=0.5"])
    try child.start()
    let graph = try #require(await child.waitForLine { _ in true })
    let first = try await RawHTTP.send(
      "GET", graph + "/me/todo/lists", headers: [("Authorization", "Bearer t1")])
    let second = try await RawHTTP.send(
      "GET", graph + "/me/todo/lists", headers: [("Authorization", "Bearer t1")])
    #expect(first.status == 503)
    #expect(second.status == 429)
    #expect(second.header("Retry-After") == "0.5")
    child.signal(SIGTERM)
    #expect(await child.waitForExit() == 0)
  }
}
