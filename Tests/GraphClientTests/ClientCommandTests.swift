import Foundation
import GraphEmulator
import GraphModels
import Hummingbird
import Logging
import TestSupport
import Testing

/// The client commands as a user runs them: the `tack` binary against the emulator.
@Suite struct ClientCommandTests {
  struct Run {
    var status: Int32?
    var stdout: [String]
    var stderr: String
  }

  /// Runs `tack` with a private XDG state/config and the given environment.
  func tack(_ arguments: [String], environment: [String: String], home: TemporaryDirectory)
    async throws -> Run
  {
    var env = environment
    env["XDG_STATE_HOME"] = home.path + "/state"
    env["XDG_CONFIG_HOME"] = home.path + "/config"
    env["HOME"] = home.path
    env["TACK_CLIENT_ID"] = env["TACK_CLIENT_ID"] ?? ""
    env["TACK_ACCESS_TOKEN"] = env["TACK_ACCESS_TOKEN"] ?? ""
    env["HTTPS_PROXY"] = ""
    env["https_proxy"] = ""
    let child = ChildProcess(TackBinary.url, arguments, environment: env)
    try child.start()
    var lines: [String] = []
    for await line in child.lines { lines.append(line) }
    let status = await child.waitForExit(timeout: .seconds(120))
    return Run(status: status, stdout: lines, stderr: child.standardError())
  }

  func graphEnvironment(_ emulator: GraphEmulator, token: String? = "test-token") -> [String:
    String]
  {
    var env = ["TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_LOGIN_URL": emulator.loginBaseURL]
    if let token { env["TACK_ACCESS_TOKEN"] = token }
    return env
  }

  /// One line on stderr, starting `tack: `, with no crash report or backtrace.
  func expectOneLine(_ stderr: String, containing text: String) {
    let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true)
    #expect(lines.count == 1, "stderr: \(stderr)")
    #expect(stderr.hasPrefix("tack: "))
    #expect(stderr.contains(text), "stderr: \(stderr)")
    #expect(!stderr.contains("Fatal error") && !stderr.contains("backtrace"))
  }

  @Test func listsAsTableAndAsOneJSONArray() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    try await TestSupport.withEmulator { emulator in
      let expected = await emulator.store.lists()
      let table = try await tack(["lists"], environment: graphEnvironment(emulator), home: home)
      #expect(table.status == 0)
      #expect(table.stdout.first?.hasPrefix("NAME") == true)
      #expect(table.stdout.count == expected.count + 1)
      #expect(table.stdout.contains { $0.hasPrefix("仕事 (Work)") })
      let json = try await tack(
        ["lists", "--json"], environment: graphEnvironment(emulator), home: home)
      #expect(json.status == 0)
      let array = try JSONDecoder().decode(
        [JSONValue].self, from: Data(json.stdout.joined(separator: "\n").utf8))
      #expect(array.compactMap { $0[caseInsensitive: "id"]?.stringValue } == expected.map(\.id))
    }
  }

  @Test func tasksJSONHoldsEveryPage() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    try await TestSupport.withEmulator({ $0.maxPageSize = 25 }) { emulator in
      let run = try await tack(
        ["tasks", "--list", "big LIST", "--json"], environment: graphEnvironment(emulator),
        home: home)
      #expect(run.status == 0)
      let array = try JSONDecoder().decode(
        [JSONValue].self, from: Data(run.stdout.joined(separator: "\n").utf8))
      #expect(array.count == 120)
      let gets = await emulator.store.requestLog().filter { $0.path.hasSuffix("/tasks") }
      #expect(gets.count == 5)
    }
  }

  @Test func attachmentsByListAndTaskName() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    try await TestSupport.withEmulator { emulator in
      let run = try await tack(
        ["attachments", "--list", "仕事 (work)", "--task", "Quarterly report"],
        environment: graphEnvironment(emulator), home: home)
      #expect(run.status == 0)
      #expect(run.stdout.count == 3)
      #expect(run.stdout.contains { $0.hasPrefix("report-draft.docx") })
    }
  }

  @Test func unknownListExitsTwoNamingTheClosest() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    try await TestSupport.withEmulator { emulator in
      let run = try await tack(
        ["tasks", "--list", "grocery"], environment: graphEnvironment(emulator), home: home)
      #expect(run.status == 2)
      expectOneLine(run.stderr, containing: "Groceries")
      #expect(run.stdout.isEmpty)
    }
  }

  @Test func ambiguousListExitsTwoListingCandidatesWithIDs() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    let lists =
      #"{"value":[{"id":"L1=","displayName":"Errands"},{"id":"L2=","displayName":"errands"},{"id":"L3=","displayName":"Home"}]}"#
    let router = Router()
    router.get("/v1.0/me/todo/lists") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: lists)))
    }
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) },
      logger: Logger(label: "fake-graph", factory: { _ in SwiftLogNoOpLogHandler() }))
    let server = Task { try await app.runService() }
    defer { server.cancel() }
    var iterator = ports.makeAsyncIterator()
    let port = try #require(await iterator.next())
    let run = try await tack(
      ["tasks", "--list", "ERRANDS"],
      environment: ["TACK_GRAPH_URL": "http://127.0.0.1:\(port)/v1.0", "TACK_ACCESS_TOKEN": "t"],
      home: home)
    #expect(run.status == 2)
    expectOneLine(run.stderr, containing: "matches 2 lists")
    #expect(run.stderr.contains("L1=") && run.stderr.contains("L2=") && !run.stderr.contains("L3="))
  }

  @Test func networkFailuresAreOneClearLine() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    let closed = try closedLoopbackPort()
    try await TestSupport.withEmulator { emulator in
      let cases: [(String, String)] = [
        ("http://127.0.0.1:\(closed)/v1.0", "connection refused"),
        ("https://nonexistent.invalid/v1.0", "cannot resolve nonexistent.invalid"),
        ("https://127.0.0.1:\(emulator.port)/v1.0", "TLS handshake with 127.0.0.1 failed"),
      ]
      for (url, text) in cases {
        let run = try await tack(
          ["lists"], environment: ["TACK_GRAPH_URL": url, "TACK_ACCESS_TOKEN": "t"], home: home)
        #expect(run.status == 1, "\(url)")
        expectOneLine(run.stderr, containing: text)
      }
    }
  }

  @Test func notSignedInIsAnAuthErrorAndARejectedTokenToo() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    try await TestSupport.withEmulator { emulator in
      let none = try await tack(
        ["lists"], environment: graphEnvironment(emulator, token: nil), home: home)
      #expect(none.status == 3)
      expectOneLine(none.stderr, containing: "tack login")
      let wrong = try await tack(
        ["lists"], environment: graphEnvironment(emulator, token: "wrong"), home: home)
      #expect(wrong.status == 3)
      expectOneLine(wrong.stderr, containing: "TACK_ACCESS_TOKEN")
    }
  }

  @Test func loginThenListsWithTheCachedTokenKeepsTokensOutOfTheLog() async throws {
    let home = try TemporaryDirectory()
    defer { home.remove() }
    try await TestSupport.withEmulator({
      $0.token = nil
      $0.deviceCodeInterval = 1
      $0.autoApproveAfterPolls = 1
    }) { emulator in
      var env = graphEnvironment(emulator, token: nil)
      env["TACK_LOG_LEVEL"] = "trace"
      let login = try await tack(["login", "--client-id", "demo"], environment: env, home: home)
      #expect(login.status == 0, "\(login.stderr)")
      #expect(login.stderr.contains("enter the code"))
      #expect(login.stdout.first?.hasPrefix("Signed in as Demo User") == true)
      let tokenFile = home.path + "/state/tack/tokens.json"
      let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions]
      #expect((mode as? NSNumber)?.intValue == 0o600)
      await emulator.store.expireAccessTokens()  // forces a refresh on the next run
      env["TACK_CLIENT_ID"] = "demo"
      let lists = try await tack(["lists"], environment: env, home: home)
      #expect(lists.status == 0, "\(lists.stderr)")
      let whoami = try await tack(["whoami"], environment: env, home: home)
      #expect(whoami.status == 0)
      #expect(whoami.stdout.first?.contains("Demo User") == true)
      let cache = try JSONDecoder().decode(
        JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: tokenFile)))
      guard case .object(let accounts)? = cache[caseInsensitive: "accounts"],
        let account = accounts.values.first
      else {
        Issue.record("no account in the cache")
        return
      }
      let secrets = ["accessToken", "refreshToken"].compactMap {
        account[caseInsensitive: $0]?.stringValue
      }
      #expect(secrets.count == 2)
      let log = try String(contentsOfFile: home.path + "/state/tack/tack.log", encoding: .utf8)
      #expect(log.contains("request-id="))
      for secret in secrets { #expect(!log.contains(secret)) }
      let logout = try await tack(["logout"], environment: env, home: home)
      #expect(logout.status == 0)
      #expect(!FileManager.default.fileExists(atPath: tokenFile))
    }
  }
}
