import AppCore
import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import TestSupport
import Testing
import UploadEngine

@testable import AppRuntime

/// With a delta store, the engine loads a list through its first delta round (page by page),
/// keeps the link, and the next load is one delta round trip applied to the stored tasks.
struct TaskDeltaEngineTests {
  /// A delta store in memory.
  final class MemoryDeltas: DeltaLinkStore {
    let stored = Mutex<[String: (tasks: [TodoTask], link: String)]>([:])

    func tasksWithDeltaLink(listID: String) -> (tasks: [TodoTask], link: String)? {
      stored.withLock { $0[listID] }
    }

    func storeTasks(listID: String, _ tasks: [TodoTask], deltaLink: String) {
      stored.withLock { $0[listID] = (tasks, deltaLink) }
    }

    let lists = Mutex<(lists: [TodoTaskList], link: String)?>(nil)

    func listsWithDeltaLink() -> (lists: [TodoTaskList], link: String)? {
      lists.withLock { $0 }
    }

    func storeLists(_ lists: [TodoTaskList], deltaLink: String) {
      self.lists.withLock { $0 = (lists, deltaLink) }
    }
  }

  struct Fixture {
    let emulator: InProcessEmulator
    let session: GraphSession
    let engine: LiveRuntimeEngine
    let deltas = MemoryDeltas()
    let listID: String

    init() async throws {
      var options = EmulatorOptions()
      options.seed = .small
      options.token = EmulatorFixture.token
      emulator = try InProcessEmulator(options, authority: "127.0.0.1:9")
      session = try GraphSession(
        baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: EmulatorFixture.token),
        transport: InProcessTransport(emulator), pageSize: 2)
      var services = RuntimeServices(
        session: session, coordinator: UploadCoordinator(graph: session, journal: nil),
        journal: nil)
      services.deltaLinks = deltas
      engine = LiveRuntimeEngine(services)
      listID = try #require(await emulator.store.lists().first { $0.displayName == "Tasks" }).id
    }

    /// Loads the list's tasks and returns the pages posted, each as its task titles.
    func load() async throws -> [[String]] {
      let bus = try EventBus()
      engine.perform(.loadTasks(listID: listID), reportingTo: bus)
      await engine.taskLoadsSettled()
      var pages: [[String]] = []
      for case .action(let action) in bus.drain() {
        if case .tasksPage(_, let tasks, _, _) = action { pages.append(tasks.map(\.title)) }
        if case .tasksLoaded(_, .failure(let error)) = action { Issue.record("\(error.message)") }
      }
      return pages
    }

    func requests() async -> [String] {
      await emulator.store.requestLog().map { "\($0.method) \($0.path)" }
    }
  }

  @Test func theFirstLoadIsADeltaRoundPageByPageAndTheNextOneRoundTrip() async throws {
    let fixture = try await Fixture()
    let titles = try #require(await fixture.emulator.store.tasks(listID: fixture.listID))
      .map(\.title)
    let first = try await fixture.load()
    #expect(first.count > 1, "pages of two show as they arrive")
    #expect(first.flatMap { $0 } == titles)
    let stored = try #require(fixture.deltas.tasksWithDeltaLink(listID: fixture.listID))
    #expect(stored.tasks.map(\.title) == titles)
    #expect(stored.link.contains("/tasks/delta"))

    // A change at the server arrives with one delta request.
    let renamed = stored.tasks[0]
    await fixture.emulator.store.setTaskTitle(
      listID: fixture.listID, taskID: renamed.id, "Renamed at the server")
    await fixture.emulator.store.clearRequestLog()
    let second = try await fixture.load()
    #expect(await fixture.requests().count == 1)
    #expect(await fixture.requests().first?.hasSuffix("/tasks/delta") == true)
    #expect(second.count == 1)
    #expect(second.first?.first == "Renamed at the server")
    #expect(second.first?.count == titles.count)
    #expect(fixture.deltas.tasksWithDeltaLink(listID: fixture.listID)?.link != stored.link)
  }

  @Test func aLinkTheServiceNoLongerKnowsFallsBackToAFullLoad() async throws {
    let fixture = try await Fixture()
    _ = try await fixture.load()
    let stored = try #require(fixture.deltas.tasksWithDeltaLink(listID: fixture.listID))
    let expired = stored.link.replacingOccurrences(
      of: "$deltatoken=", with: "$deltatoken=gone")
    fixture.deltas.storeTasks(
      listID: fixture.listID, [TodoTask(id: "stale", title: "Stale")], deltaLink: expired)
    let pages = try await fixture.load()
    let titles = try #require(await fixture.emulator.store.tasks(listID: fixture.listID))
      .map(\.title)
    #expect(pages == [titles], "the full load replaced the stored copy")
    #expect(fixture.deltas.tasksWithDeltaLink(listID: fixture.listID)?.link != expired)
  }

  @Test func anItemARoundReportsTwiceOrRemovesIsShownOnceAndStoredAsLastReported() {
    var round = DeltaRoundCopy()
    let first = round.add([
      .changed(TodoTask(id: "A", title: "a")), .changed(TodoTask(id: "B", title: "b")),
    ])
    #expect(first.map(\.id) == ["A", "B"])
    #expect(!round.rewritten)
    let second = round.add([
      .changed(TodoTask(id: "A", title: "a again")), .changed(TodoTask(id: "C", title: "c")),
      .removed(id: "B"), .removed(id: "unknown"),
    ])
    #expect(second.map(\.id) == ["C"])
    #expect(round.tasks.map(\.title) == ["a again", "c"])
    #expect(round.rewritten, "rows already posted changed: the round ends with a replacing page")
  }

  @Test func listsLoadThroughADeltaRoundAndARenameArrivesInOneRoundTrip() async throws {
    let fixture = try await Fixture()
    func loadLists() async throws -> [String] {
      try await LiveRuntimeEngine.listsByDelta(fixture.session, fixture.deltas).map(\.displayName)
    }
    let names = await fixture.emulator.store.lists().map(\.displayName)
    #expect(try await loadLists() == names)
    let stored = try #require(fixture.deltas.listsWithDeltaLink())
    #expect(stored.link.contains("/lists/delta"))
    _ = try await fixture.session.renameList(listID: fixture.listID, displayName: "Renamed list")
    await fixture.emulator.store.clearRequestLog()
    let renamed = try await loadLists()
    #expect(await fixture.requests() == ["GET " + stored.link.pathOnly])
    #expect(renamed.contains("Renamed list"))
    #expect(renamed.count == names.count)
  }
}

extension String {
  /// The path of a URL (what the emulator's request log keeps).
  fileprivate var pathOnly: String { URLComponents(string: self)?.path ?? self }
}
