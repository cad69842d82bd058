import Foundation
import TestSupport
import Testing

/// `tack` against a scripted server giving answers Graph never gives: redirects, a mistyped
/// item, a next link to another origin. Each must end in a clear line and the right exit code.
@Suite struct GraphAnswerTests {
  struct Run {
    var status: Int32?
    var stdout: String
    var stderr: String
  }

  static let listsPage = """
    {"value":[{"id":"L1","displayName":"Groceries","wellknownListName":"none"}]}
    """
  static let tasksPage = """
    {"value":[{"id":"T1","title":"Buy milk","status":"notStarted"}]}
    """
  static let redirect = ScriptedHTTPServer.Reply(
    status: "302 Found",
    headers: [("Location", "https://login.example.test/"), ("Content-Type", "application/json")],
    body: #"{"value":[]}"#)

  static func tack(
    _ arguments: [String], server: ScriptedHTTPServer, timeout: Duration = .seconds(30)
  ) async throws -> Run {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent(
      "tack-answers-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: state) }
    let child = ChildProcess(
      TackBinary.url, arguments,
      environment: [
        "TACK_GRAPH_URL": server.graphURL, "TACK_ACCESS_TOKEN": "test-token",
        "XDG_STATE_HOME": state.path, "XDG_CONFIG_HOME": state.path, "XDG_CACHE_HOME": state.path,
      ])
    try child.start()
    let collected = Task {
      var lines: [String] = []
      for await line in child.lines { lines.append(line) }
      return lines.joined(separator: "\n")
    }
    let status = await child.waitForExit(timeout: timeout)
    if status == nil { child.signal(SIGKILL) }
    return Run(status: status, stdout: await collected.value, stderr: child.standardError())
  }

  /// Lists and tasks answer normally; anything under `redirected` answers 302.
  static func server(redirecting redirected: String) throws -> ScriptedHTTPServer {
    try ScriptedHTTPServer { _, target in
      if target.contains(redirected) { return redirect }
      if target.contains("/attachments") { return .json(#"{"value":[]}"#) }
      if target.contains("/tasks") { return .json(tasksPage) }
      return .json(listsPage)
    }
  }

  @Test(arguments: [
    (["lists"], "/me/todo/lists"),
    (["tasks", "--list", "Groceries"], "/tasks"),
    (["attachments", "--list", "Groceries", "--task", "Buy milk"], "/attachments"),
  ])
  func aRedirectIsAnErrorNamingTheStatus(arguments: [String], redirected: String) async throws {
    let server = try Self.server(redirecting: redirected)
    defer { server.stop() }
    let run = try await Self.tack(arguments, server: server)
    #expect(run.status == 1)
    #expect(run.stderr.contains("302 Found (redirect to https://login.example.test/)"))
    #expect(run.stderr.contains("Graph never redirects"))
    #expect(!server.requests.contains { $0.contains("login.example.test") })
  }

  static let mixedLists = """
    {"value":[{"id":"L1","displayName":"Groceries"},{"id":"bad-1","displayName":42},
    {"id":"L3","displayName":"Work"}]}
    """

  @Test func aMistypedItemIsSkippedWithOneWarning() async throws {
    let server = try ScriptedHTTPServer { _, _ in .json(Self.mixedLists) }
    defer { server.stop() }
    let run = try await Self.tack(["lists"], server: server)
    #expect(run.status == 0)
    #expect(run.stdout.contains("Groceries") && run.stdout.contains("Work"))
    let warnings = run.stderr.split(separator: "\n")
    #expect(warnings == ["tack: skipped 1 list that could not be read (id bad-1)"])
  }

  @Test func jsonOutputKeepsTheMistypedItem() async throws {
    let server = try ScriptedHTTPServer { _, _ in .json(Self.mixedLists) }
    defer { server.stop() }
    let run = try await Self.tack(["lists", "--json"], server: server)
    #expect(run.status == 0)
    let objects = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]]
    #expect(objects?.map { $0["id"] as? String } == ["L1", "bad-1", "L3"])
    #expect(objects?[1]["displayName"] as? Int == 42)
  }

  @Test func aNextLinkToAnotherOriginIsAnError() async throws {
    let elsewhere = try ScriptedHTTPServer { _, _ in .json(Self.listsPage) }
    defer { elsewhere.stop() }
    let link = "\(elsewhere.graphURL)/me/todo/lists?$skiptoken=2"
    let server = try ScriptedHTTPServer { _, _ in
      .json(#"{"value":[{"id":"L1","displayName":"Groceries"}],"@odata.nextLink":"\#(link)"}"#)
    }
    defer { server.stop() }
    for arguments in [["lists"], ["lists", "--json"]] {
      let run = try await Self.tack(arguments, server: server)
      #expect(run.status == 1)
      #expect(run.stderr.contains("leaves the Graph origin"))
      #expect(!run.stdout.contains("Groceries"))
    }
    #expect(elsewhere.requests.isEmpty)
  }

  @Test func aNextLinkThatNeverEndsStopsAtThePageLimit() async throws {
    let counter = Counter()
    let server = try ScriptedHTTPServer { _, _ in
      let page = counter.next()
      return .json(
        #"{"value":[],"@odata.nextLink":"http://127.0.0.1:\#(counter.port)/v1.0/me/todo/lists?p=\#(page)"}"#
      )
    }
    counter.port = server.port
    defer { server.stop() }
    // A thousand connections: allow for CI's shared cores.
    let run = try await Self.tack(["lists"], server: server, timeout: .seconds(240))
    #expect(run.status == 1)
    #expect(run.stderr.contains("stopped after 1000 pages"))
    #expect(server.requests.count == 1000)
  }
}

/// A thread-safe page counter for the scripted server.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0
  private var storedPort = 0
  var port: Int {
    get { lock.withLock { storedPort } }
    set { lock.withLock { storedPort = newValue } }
  }

  func next() -> Int {
    lock.withLock {
      value += 1
      return value
    }
  }
}
