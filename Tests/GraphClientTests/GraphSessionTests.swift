import Foundation
import GraphClient
import GraphModels
import Testing

@Suite struct GraphSessionTests {
  func session(
    _ transport: ScriptedTransport, clock: ManualClock = ManualClock(),
    tokens: any AccessTokenProvider = StaticTokenProvider(token: "secret-token"),
    policy: RetryPolicy = .default, pageSize: Int = 100
  ) throws -> GraphSession {
    try GraphSession(
      baseURL: "https://graph.example.test/v1.0/", tokens: tokens, transport: transport,
      retryPolicy: policy, pageSize: pageSize, clock: clock, random: { 0.5 })
  }

  @Test func sendsBearerAndNewClientRequestIDOnlyToTheGraphOrigin() async throws {
    let transport = ScriptedTransport([
      .respond(
        .json(
          200,
          #"{"value":[{"id":"a","displayName":"A"}],"@odata.nextLink":"https://graph.example.test/v1.0/next"}"#
        )),
      .respond(.json(200, #"{"value":[{"id":"b","displayName":"B"}]}"#)),
    ])
    let lists = try await session(transport).lists().all()
    #expect(lists.map(\.id) == ["a", "b"])
    let requests = transport.requests
    #expect(requests[0].url == "https://graph.example.test/v1.0/me/todo/lists?$top=100")
    #expect(requests[0].header("Authorization") == "Bearer secret-token")
    let ids = requests.compactMap { $0.header("client-request-id") }
    #expect(ids.count == 2 && ids[0] != ids[1])
    let other = try await session(ScriptedTransport()).send(
      HTTPRequest(method: "GET", url: "https://other.example.test/x"))
    #expect(other.status == 200)
  }

  @Test func aNextLinkOffTheGraphOriginIsAnErrorNotFollowed() async throws {
    let transport = ScriptedTransport([
      .respond(
        .json(
          200,
          #"{"value":[{"id":"a","displayName":"A"}],"@odata.nextLink":"https://other.example.test/next"}"#
        ))
    ])
    await #expect {
      try await session(transport).lists().all()
    } throws: { error in
      "\(error)".contains("leaves the Graph origin (https://other.example.test)")
    }
    #expect(transport.requests.count == 1)
  }

  @Test func followsNextLinkVerbatimAcrossPages() async throws {
    let link = "https://graph.example.test/v1.0/me/todo/lists/L%3D/tasks?$top=2&$skiptoken=a%2Bb"
    let transport = ScriptedTransport([
      .respond(.json(200, #"{"value":[{"id":"1","title":"one"}],"@odata.nextLink":"\#(link)"}"#)),
      .respond(.json(200, #"{"value":[{"id":"2","title":"two"}]}"#)),
    ])
    let tasks = try await session(transport, pageSize: 2).tasks(listID: "L=").all()
    #expect(tasks.map(\.title) == ["one", "two"])
    #expect(transport.requests[0].url.hasSuffix("/me/todo/lists/L%3D/tasks?$top=2"))
    #expect(transport.requests[1].url == link)
  }

  @Test func repeatedNextLinkStopsInsteadOfLooping() async throws {
    let link = "https://graph.example.test/v1.0/me/todo/lists?$top=100"
    let transport = ScriptedTransport(fallback: { _ in
      .json(200, #"{"value":[],"@odata.nextLink":"\#(link)"}"#)
    })
    await #expect(throws: GraphError.self) { try await session(transport).lists().all() }
    #expect(transport.requests.count == 1)
  }

  @Test(arguments: ["0.05", "2.128", "1"])
  func throttledRequestWaitsForRetryAfterThenSucceeds(retryAfter: String) async throws {
    let clock = ManualClock()
    let transport = ScriptedTransport([
      .respond(
        .json(
          429, #"{"error":{"code":"TooManyRequests","message":"Please retry again later."}}"#,
          headers: [(name: "Retry-After", value: retryAfter)]))
    ])
    let lists = try await session(transport, clock: clock).lists().all()
    #expect(lists.isEmpty)
    #expect(transport.requests.count == 2)
    let expected = Duration.milliseconds(Int64((Double(retryAfter)! * 1000).rounded(.up)))
    #expect(clock.sleeps == [expected])
  }

  @Test func retryAfterAsHTTPDateIsHonoured() async throws {
    let clock = ManualClock()
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
    let transport = ScriptedTransport([
      .respond(
        HTTPResponse(
          status: 503, headers: [(name: "Retry-After", value: "Sun, 06 Nov 1994 08:49:40 GMT")]))
    ])
    let session = try GraphSession(
      baseURL: "https://graph.example.test/v1.0", tokens: StaticTokenProvider(token: "t"),
      transport: transport, clock: clock, random: { 0.5 }, now: { now })
    _ = try await session.lists().all()
    #expect(clock.sleeps == [.seconds(3)])
  }

  @Test func serviceUnavailableWithoutRetryAfterBacksOffWithJitter() async throws {
    let clock = ManualClock()
    let transport = ScriptedTransport([
      .respond(HTTPResponse(status: 503)), .respond(HTTPResponse(status: 504)),
    ])
    let policy = RetryPolicy(maxRetries: 3, baseDelay: 0.5, maxDelay: 30)
    _ = try await session(transport, clock: clock, policy: policy).lists().all()
    // random() = 0.5: half of 0.5 s, then half of 1 s.
    #expect(clock.sleeps == [.milliseconds(250), .milliseconds(500)])
  }

  @Test func retryBudgetIsBoundedAndEndsInATypedError() async throws {
    let clock = ManualClock()
    let transport = ScriptedTransport(fallback: { _ in
      .json(
        429, #"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
        headers: [(name: "Retry-After", value: "0.01"), (name: "request-id", value: "rid-1")])
    })
    let policy = RetryPolicy(maxRetries: 2)
    do {
      _ = try await session(transport, clock: clock, policy: policy).lists().all()
      Issue.record("expected a throttling error")
    } catch let GraphError.service(status, code, _, requestID) {
      #expect(status == 429 && code == "TooManyRequests" && requestID == "rid-1")
    }
    #expect(transport.requests.count == 3)
    #expect(clock.sleeps.count == 2)
  }

  @Test func postIsNotRetriedUnlessTheCallerOptsIn() async throws {
    let transport = ScriptedTransport([.respond(HTTPResponse(status: 503))])
    let graph = try session(transport)
    let request = HTTPRequest(
      method: "POST", url: graph.url("/me/todo/lists"), body: .bytes(Data()))
    await #expect(throws: GraphError.self) { _ = try await graph.send(request) }
    #expect(transport.requests.count == 1)

    let again = ScriptedTransport([.respond(HTTPResponse(status: 503))])
    let response = try await session(again).send(request, options: RequestOptions(retry: .always))
    #expect(response.status == 200)
    #expect(again.requests.count == 2)
  }

  @Test func timeoutOfAnIdempotentRequestIsRetriedButRefusedConnectionIsNot() async throws {
    let transport = ScriptedTransport([.fail(.timedOut)])
    _ = try await session(transport).lists().all()
    #expect(transport.requests.count == 2)

    let refused = ScriptedTransport([.fail(.connectionRefused(host: "graph.example.test"))])
    do {
      _ = try await session(refused).lists().all()
      Issue.record("expected a transport error")
    } catch let GraphError.transport(error) {
      #expect(error == .connectionRefused(host: "graph.example.test"))
    }
    #expect(refused.requests.count == 1)
  }

  @Test func unauthorizedRefreshesOnceAndRetries() async throws {
    let tokens = CountingTokenProvider()
    let transport = ScriptedTransport([
      .respond(.json(401, #"{"error":{"code":"InvalidAuthenticationToken","message":"expired"}}"#))
    ])
    _ = try await session(transport, tokens: tokens).lists().all()
    #expect(await tokens.refreshes == 1)
    #expect(
      transport.requests.map { $0.header("Authorization") } == ["Bearer token-0", "Bearer token-1"])
  }

  @Test func secondUnauthorizedIsAnErrorNotALoop() async throws {
    let tokens = CountingTokenProvider()
    let transport = ScriptedTransport(fallback: { _ in
      .json(401, #"{"error":{"code":"InvalidAuthenticationToken","message":"nope"}}"#)
    })
    do {
      _ = try await session(transport, tokens: tokens).lists().all()
      Issue.record("expected 401")
    } catch let GraphError.service(status, code, _, _) {
      #expect(status == 401 && code == "InvalidAuthenticationToken")
    }
    #expect(await tokens.refreshes == 1)
    #expect(transport.requests.count == 2)
  }

  @Test func errorBodyIsTypedByCodeAndStatus() async throws {
    let transport = ScriptedTransport([
      .respond(
        .json(
          404,
          #"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store.","innererror":{"request-id":"abc","date":"2020-01-01T00:00:00"}}}"#
        ))
    ])
    do {
      _ = try await session(transport).task(listID: "l", taskID: "t")
      Issue.record("expected 404")
    } catch let error as GraphError {
      guard case .service(404, "ErrorItemNotFound", _, "abc") = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(!error.description.contains("\n"))
    }
  }

  @Test func singleAttachmentAcceptsBothShapes() async throws {
    let entity =
      #"{"id":"att=","name":"a.txt","contentType":"text/plain","size":3,"contentBytes":"YWJj"}"#
    let transport = ScriptedTransport([
      .respond(.json(200, entity)), .respond(.json(200, #"{"value":\#(entity)}"#)),
    ])
    let graph = try session(transport)
    let first = try await graph.attachment(listID: "l", taskID: "t", attachmentID: "att=")
    let second = try await graph.attachment(listID: "l", taskID: "t", attachmentID: "att=")
    #expect(first == second)
    #expect(first.contentBytes == "YWJj")
    #expect(transport.requests[0].url.hasSuffix("/attachments/att%3D"))
  }

  @Test func retrySleepIsCancellable() async throws {
    let transport = ScriptedTransport([
      .respond(HTTPResponse(status: 429, headers: [(name: "Retry-After", value: "120")]))
    ])
    let graph = try GraphSession(
      baseURL: "https://graph.example.test/v1.0", tokens: StaticTokenProvider(token: "t"),
      transport: transport)
    let started = ContinuousClock.now
    let task = Task { try await graph.lists().all() }
    while transport.requests.isEmpty { await Task.yield() }
    task.cancel()
    await #expect(throws: CancellationError.self) { _ = try await task.value }
    // Half the 120 s wait: generous for CI's shared cores, far below a sleep that ignored cancel.
    #expect(ContinuousClock.now - started < .seconds(60))
  }

  @Test(arguments: ["http://graph.example.test/v1.0", "ftp://x/y", "not a url"])
  func nonHTTPSGraphURLIsRefused(url: String) {
    #expect(throws: GraphError.self) {
      _ = try GraphSession(
        baseURL: url, tokens: StaticTokenProvider(token: "t"), transport: ScriptedTransport())
    }
  }

  @Test(arguments: ["http://127.0.0.1:8080/v1.0", "http://localhost:1/v1.0", "http://[::1]:9/v1.0"])
  func loopbackMayUsePlainHTTP(url: String) throws {
    _ = try GraphSession(
      baseURL: url, tokens: StaticTokenProvider(token: "t"), transport: ScriptedTransport())
  }
}
