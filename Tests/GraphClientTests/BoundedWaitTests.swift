import Foundation
import GraphClient
import GraphModels
import Synchronization
import Testing

/// Every wait of a `GraphSession` is capped, counted against a budget, and announced when long.
@Suite struct BoundedWaitTests {
  static let now = Date(timeIntervalSince1970: 1_800_000_000)

  final class Notices: Sendable {
    private let list = Mutex<[GraphNotice]>([])
    var all: [GraphNotice] { list.withLock { $0 } }
    func record(_ notice: GraphNotice) { list.withLock { $0.append(notice) } }
  }

  func session(
    _ transport: ScriptedTransport, clock: ManualClock = ManualClock(),
    policy: RetryPolicy = .default, limits: PagingLimits = PagingLimits(),
    notices: Notices = Notices()
  ) throws -> GraphSession {
    try GraphSession(
      baseURL: "https://graph.example.test/v1.0", tokens: StaticTokenProvider(token: "t"),
      transport: transport, retryPolicy: policy, clock: clock, random: { 0.5 },
      now: { Self.now }, pagingLimits: limits, notify: { notices.record($0) })
  }

  static func throttled(_ seconds: String) -> ScriptedTransport.Step {
    .respond(HTTPResponse(status: 429, headers: [(name: "Retry-After", value: seconds)]))
  }

  @Test func aRetryAfterLongerThanTheCapWaitsOnlyTheCap() async throws {
    let clock = ManualClock()
    let transport = ScriptedTransport([Self.throttled("3600")])
    _ = try await session(transport, clock: clock).lists().all()
    #expect(clock.sleeps == [.seconds(120)])
  }

  @Test func aLongWaitIsAnnouncedWithItsReasonAndEnd() async throws {
    let notices = Notices()
    let transport = ScriptedTransport([Self.throttled("30"), Self.throttled("2")])
    _ = try await session(transport, notices: notices).lists().all()
    let until = Self.now.addingTimeInterval(30)
    #expect(
      notices.all == [.waiting(seconds: 30, reason: "429 Too Many Requests", until: until)])
    let formatter = DateFormatter()
    formatter.dateFormat = "HH:mm:ss"
    #expect(
      notices.all.first?.text
        == "Graph asked us to wait 30 s (429 Too Many Requests); retrying at "
        + formatter.string(from: until))
  }

  @Test func aLongNetworkBackoffIsAnnouncedAsTheNetworksNotGraphs() async throws {
    let notices = Notices()
    let transport = ScriptedTransport([.fail(.timedOut)])
    // Half of a 20 s base delay, with the injected random of 0.5.
    let policy = RetryPolicy(baseDelay: 20)
    _ = try await session(transport, policy: policy, notices: notices).lists().all()
    #expect(notices.all.count == 1)
    let text = notices.all.first?.text ?? ""
    #expect(text.hasPrefix("network trouble, waiting 10 s ("))
    #expect(!text.contains("Graph asked"))
  }

  @Test func waitingPastTheBudgetEndsWithAClearError() async throws {
    let clock = ManualClock()
    let transport = ScriptedTransport(fallback: { _ in
      HTTPResponse(status: 503, headers: [(name: "Retry-After", value: "60")])
    })
    let policy = RetryPolicy(maxRetries: 5, totalWaitBudget: 100)
    await #expect {
      try await session(transport, clock: clock, policy: policy).lists().all()
    } throws: { error in
      guard case GraphError.limit(let text) = error else { return false }
      return text.contains("past the 100 s this command may spend waiting")
    }
    #expect(clock.sleeps == [.seconds(60)])
    #expect(transport.requests.count == 2)
  }

  @Test func aResponseOverTheSizeLimitIsNotRetried() async throws {
    let transport = ScriptedTransport([.fail(.responseTooLarge(limit: 1024))])
    await #expect {
      try await session(transport).lists().all()
    } throws: { error in
      guard case GraphError.transport(.responseTooLarge(1024)) = error else { return false }
      return "\(error)".contains("larger than 1024 bytes")
    }
    #expect(transport.requests.count == 1)
  }

  // MARK: Only 2xx is success

  static let redirect = HTTPResponse.json(
    302, #"{"value":[]}"#, headers: [(name: "Location", value: "https://elsewhere.test/x")])

  @Test func aRedirectIsAnErrorNamingTheStatusAndTarget() async throws {
    let transport = ScriptedTransport([.respond(Self.redirect)])
    await #expect {
      try await session(transport).lists().all()
    } throws: { error in
      "\(error)"
        == "the server answered 302 Found (redirect to https://elsewhere.test/x) — Graph never "
        + "redirects; check --graph-url or your proxy"
    }
    #expect(transport.requests.count == 1)
  }

  @Test func aRedirectedDownloadSavesNothing() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let transport = ScriptedTransport([.respond(Self.redirect)])
    await #expect(throws: GraphError.self) {
      _ = try await session(transport).downloadAttachment(
        listID: "L", taskID: "T", attachmentID: "A")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  @Test func aRedirectedDeleteIsNotADeletion() async throws {
    let transport = ScriptedTransport([.respond(HTTPResponse(status: 301))])
    await #expect {
      try await session(transport).deleteAttachment(listID: "L", taskID: "T", attachmentID: "A")
    } throws: { error in
      guard case GraphError.redirected(301, nil) = error else { return false }
      return true
    }
  }

  // MARK: Paging

  @Test func aMistypedItemIsSkippedAndAnnouncedOnce() async throws {
    let notices = Notices()
    let transport = ScriptedTransport([
      .respond(
        .json(
          200,
          #"{"value":[{"id":"1","title":"one"},{"id":"bad","title":7}],"@odata.nextLink":"https://graph.example.test/v1.0/p2"}"#
        )),
      .respond(.json(200, #"{"value":[{"id":"3","title":"three"},{"title":null}]}"#)),
    ])
    let tasks = try await session(transport, notices: notices).tasks(listID: "L").all()
    #expect(tasks.map(\.id) == ["1", "3"])
    #expect(notices.all == [.skipped(count: 2, noun: "task", ids: ["bad"])])
    #expect(notices.all.first?.text == "skipped 2 tasks that could not be read (id bad)")
  }

  @Test func aNextLinkThatChangesForeverStopsAtThePageLimit() async throws {
    let counter = Mutex(0)
    let transport = ScriptedTransport(fallback: { _ in
      let page = counter.withLock {
        $0 += 1
        return $0
      }
      return .json(
        200, #"{"value":[],"@odata.nextLink":"https://graph.example.test/v1.0/p?n=\#(page)"}"#)
    })
    let limits = PagingLimits(maxPages: 25, maxItems: 1000)
    await #expect {
      try await session(transport, limits: limits).lists().all()
    } throws: { error in
      "\(error)".contains("stopped after 25 pages of lists")
    }
    #expect(transport.requests.count == 25)
  }

  @Test func aCollectionPastTheItemLimitStopsWithAnError() async throws {
    let page =
      #"{"value":[{"id":"a"},{"id":"b"},{"id":"c"}],"@odata.nextLink":"https://graph.example.test/v1.0/p"}"#
    let transport = ScriptedTransport([.respond(.json(200, page))])
    let limits = PagingLimits(maxPages: 10, maxItems: 2)
    await #expect {
      try await session(transport, limits: limits).rawLists().all()
    } throws: { error in
      "\(error)".contains("stopped after 2 items")
    }
  }
}
