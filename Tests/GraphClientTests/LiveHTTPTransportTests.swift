import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Testing

@Suite struct LiveHTTPTransportTests {
  @Test func connectionRefusedOnAClosedLoopbackPort() async throws {
    let port = try closedLoopbackPort()
    // A long connect timeout: AHC's connect-retry loop would wait all of it.
    let transport = LiveHTTPTransport(
      configuration: LiveHTTPTransportConfiguration(connectTimeout: .seconds(120)))
    defer { Task { await transport.shutdown() } }
    let started = ContinuousClock.now
    await #expect(throws: TransportError.connectionRefused(host: "127.0.0.1")) {
      _ = try await transport.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/v1.0"))
    }
    // A third of that timeout: CI's two cores are shared with the whole suite, which has held a
    // test back for ten seconds before it ran.
    #expect(ContinuousClock.now - started < .seconds(40))
    let line = GraphError.transport(.connectionRefused(host: "127.0.0.1")).description
    #expect(line.contains("connection refused") && !line.contains("\n"))
  }

  @Test func dnsFailureOnAnInvalidName() async throws {
    let transport = LiveHTTPTransport(configuration: LiveHTTPTransportConfiguration())
    defer { Task { await transport.shutdown() } }
    await #expect(throws: TransportError.dnsFailure(host: "nonexistent.invalid")) {
      _ = try await transport.send(
        HTTPRequest(method: "GET", url: "https://nonexistent.invalid/v1.0/me"))
    }
  }

  @Test func tlsFailureAgainstAPlainHTTPPort() async throws {
    try await withLiveEmulator { emulator, _ in
      // The handshake counts against the connect timeout; on a loaded machine the emulator may
      // take longer than the 2 s default to answer the ClientHello, and this test is about the
      // kind of error, not its speed.
      let transport = LiveHTTPTransport(
        configuration: LiveHTTPTransportConfiguration(connectTimeout: .seconds(30)))
      defer { Task { await transport.shutdown() } }
      do {
        _ = try await transport.send(
          HTTPRequest(method: "GET", url: "https://127.0.0.1:\(emulator.port)/v1.0/me"))
        Issue.record("expected a TLS failure")
      } catch let TransportError.tlsFailure(host, detail) {
        #expect(host == "127.0.0.1")
        #expect(!detail.isEmpty)
        let line = GraphError.transport(.tlsFailure(host: host, detail: detail)).description
        #expect(!line.contains("\n"))
      }
    }
  }

  @Test(arguments: [
    "http://graph.microsoft.com/v1.0/me", "http://10.0.0.1/x", "ftp://127.0.0.1/x",
  ])
  func plainHTTPIsRefusedExceptToLoopback(url: String) async throws {
    let transport = LiveHTTPTransport(configuration: LiveHTTPTransportConfiguration())
    defer { Task { await transport.shutdown() } }
    await #expect {
      _ = try await transport.send(HTTPRequest(method: "GET", url: url))
    } throws: { error in
      if case TransportError.invalidURL = error { return true }
      return false
    }
  }

  @Test func responseBodyIsCapped() async throws {
    try await withLiveEmulator { emulator, _ in
      let small = LiveHTTPTransport(
        configuration: LiveHTTPTransportConfiguration(maxResponseBytes: 100))
      defer { Task { await small.shutdown() } }
      let request = HTTPRequest(
        method: "GET", url: emulator.graphBaseURL + "/me/todo/lists",
        headers: [(name: "Authorization", value: "Bearer test-token")])
      await #expect(throws: TransportError.responseTooLarge(limit: 100)) {
        _ = try await small.send(request)
      }
    }
  }

  @Test func deadlineGivesTimedOut() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["get#1=latency:ms=3000"]) }) {
      emulator, transport in
      let request = HTTPRequest(
        method: "GET", url: emulator.graphBaseURL + "/me/todo/lists",
        headers: [(name: "Authorization", value: "Bearer test-token")],
        timeout: .milliseconds(200))
      // The answer comes after 3 s: only the 200 ms deadline can make this a timeout.
      await #expect(throws: TransportError.timedOut) { _ = try await transport.send(request) }
    }
  }

  @Test func cancellingTheTaskStopsAnUploadMidBody() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/big.bin"
    try Data(repeating: 7, count: 2_000_000).write(to: URL(fileURLWithPath: path))
    try await withLiveEmulator({
      // 2 MB at 20 kB/s would take 100 s.
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=20000"])
    }) { emulator, transport in
      let graph = try emulator.session(transport)
      let list = try #require(try await graph.lists().all().first)
      let task = try #require(try await graph.tasks(listID: list.id).all().first)
      let upload = try await graph.openUploadSession(
        listID: list.id, taskID: task.id,
        info: AttachmentInfo(name: "big.bin", size: 2_000_000, contentType: nil))
      let request = HTTPRequest(
        method: "PUT", url: try #require(upload.uploadUrl) + "/content",
        headers: [
          (name: "Authorization", value: "Bearer test-token"),
          (name: "Content-Type", value: "application/octet-stream"),
          (name: "Content-Range", value: "bytes 0-1999999/2000000"),
        ], body: .file(path: path, offset: 0, length: 2_000_000))
      let (started, startedContinuation) = AsyncStream<Void>.makeStream()
      let sending = Task {
        try await transport.send(request, progress: { _ in startedContinuation.yield() })
      }
      for await _ in started { break }
      let cancelledAt = ContinuousClock.now
      sending.cancel()
      await #expect(throws: TransportError.cancelled) { _ = try await sending.value }
      #expect(ContinuousClock.now - cancelledAt < .seconds(40))
    }
  }

  @Test func unreadableBodyFileFailsBeforeAnyRequest() async throws {
    let transport = LiveHTTPTransport(configuration: LiveHTTPTransportConfiguration())
    defer { Task { await transport.shutdown() } }
    let port = try closedLoopbackPort()
    await #expect {
      _ = try await transport.send(
        HTTPRequest(
          method: "PUT", url: "http://127.0.0.1:\(port)/x",
          body: .file(path: "/nonexistent/file", offset: 0, length: 10)))
    } throws: { error in
      if case TransportError.bodyUnreadable = error { return true }
      return false
    }
  }

  @Test func proxyComesFromHTTPSProxyAndHonoursNoProxy() throws {
    let settings = try #require(
      ProxySettings.fromEnvironment([
        "HTTPS_PROXY": "http://user:pw@proxy.corp:3128",
        "NO_PROXY": "localhost, .internal.corp,example.org:443,*.svc",
      ]))
    #expect(settings.url == "http://user:pw@proxy.corp:3128")
    #expect(settings.appliesTo(host: "graph.microsoft.com"))
    #expect(!settings.appliesTo(host: "a.internal.corp"))
    #expect(!settings.appliesTo(host: "internal.corp"))
    #expect(!settings.appliesTo(host: "example.org"))
    #expect(!settings.appliesTo(host: "x.svc"))
    #expect(settings.appliesTo(host: "notexample.org"))
    #expect(ProxySettings.fromEnvironment(["HTTP_PROXY": "http://p:1"]) == nil)
    let lower = try #require(
      ProxySettings.fromEnvironment(["https_proxy": "p:1", "HTTPS_PROXY": "q:2", "no_proxy": "*"]))
    #expect(lower.url == "p:1")
    #expect(!lower.appliesTo(host: "graph.microsoft.com"))
  }

  @Test(arguments: [
    ("127.0.0.1", true), ("127.8.9.10", true), ("localhost", true), ("::1", true),
    ("[::1]", true), ("128.0.0.1", false), ("graph.microsoft.com", false), ("127.0.0", false),
  ])
  func loopbackRecognition(host: String, loopback: Bool) {
    #expect(LoopbackHost.isLoopback(host) == loopback)
  }
}
