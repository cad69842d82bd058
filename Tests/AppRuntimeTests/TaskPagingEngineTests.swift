import AppCore
import Foundation
import GraphClient
import GraphModels
import Testing
import UploadEngine

@testable import AppRuntime

/// The program's engine loads a list's tasks page by page and stops when told to.
struct TaskPagingEngineTests {
  /// Serves tasks one per page, `pages` pages; the page `blockedAt` waits until its request is
  /// cancelled. Every request and cancellation is reported on `events`.
  final class PagedTransport: HTTPTransport {
    let pages: Int
    let blockedAt: Int?
    let events: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init(pages: Int, blockedAt: Int? = nil) {
      self.pages = pages
      self.blockedAt = blockedAt
      (events, continuation) = AsyncStream.makeStream(of: String.self)
    }

    func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
      -> HTTPResponse
    {
      let query = URLComponents(string: request.url)?.queryItems ?? []
      let page = query.first { $0.name == "page" }?.value.flatMap { Int($0) } ?? 1
      continuation.yield("request \(page)")
      if page == blockedAt {
        do {
          try await Task.sleep(for: .seconds(600))
        } catch {
          continuation.yield("cancelled \(page)")
          throw error
        }
      }
      let next =
        page < pages
        ? #", "@odata.nextLink": "http://127.0.0.1:9/v1.0/me/todo/lists/L/tasks?page=\#(page + 1)""#
        : ""
      let body = #"{"value": [{"id": "T\#(page)", "title": "Task \#(page)"}]\#(next)}"#
      return HTTPResponse(
        status: 200, headers: [("Content-Type", "application/json")], body: Data(body.utf8))
    }
  }

  func engine(_ transport: PagedTransport) throws -> LiveRuntimeEngine {
    let session = try GraphSession(
      baseURL: "http://127.0.0.1:9/v1.0", tokens: StaticTokenProvider(token: "t"),
      transport: transport)
    return LiveRuntimeEngine(
      RuntimeServices(
        session: session, coordinator: UploadCoordinator(graph: session, journal: nil),
        journal: nil))
  }

  /// The pages posted to `bus`, as (ids, first, more), and whether any other task result came.
  func pages(_ bus: EventBus) -> (pages: [[String]], flags: [[Bool]], other: Int) {
    var pages: [[String]] = []
    var flags: [[Bool]] = []
    var other = 0
    for case .action(let action) in bus.drain() {
      switch action {
      case .tasksPage(_, let tasks, let first, let more):
        pages.append(tasks.map(\.id))
        flags.append([first, more])
      case .tasksLoaded: other += 1
      default: break
      }
    }
    return (pages, flags, other)
  }

  @Test func eachPageIsPostedAsItArrivesAndTheLastSaysSo() async throws {
    let transport = PagedTransport(pages: 3)
    let engine = try engine(transport)
    let bus = try EventBus()
    engine.perform(.loadTasks(listID: "L"), reportingTo: bus)
    await engine.taskLoadsSettled()
    let posted = pages(bus)
    #expect(posted.pages == [["T1"], ["T2"], ["T3"]])
    #expect(posted.flags == [[true, true], [false, true], [false, false]])
    #expect(posted.other == 0)
  }

  @Test func stoppingALoadCancelsTheRequestInFlightAndPostsNothingMore() async throws {
    let transport = PagedTransport(pages: 100, blockedAt: 3)
    let engine = try engine(transport)
    let bus = try EventBus()
    engine.perform(.loadTasks(listID: "L"), reportingTo: bus)
    var events = transport.events.makeAsyncIterator()
    #expect(await events.next() == "request 1")
    #expect(await events.next() == "request 2")
    #expect(await events.next() == "request 3")
    engine.perform(.stopLoadingTasks(listID: "L"), reportingTo: bus)
    #expect(await events.next() == "cancelled 3")
    await engine.taskLoadsSettled()
    let posted = pages(bus)
    #expect(posted.pages == [["T1"], ["T2"]])
    #expect(posted.other == 0, "a stopped load reported a result")
  }
}
