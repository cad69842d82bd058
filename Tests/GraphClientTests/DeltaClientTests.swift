import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// `listsDelta` / `tasksDelta` against the in-process emulator: a first sync, changes in one
/// round trip, and the full load when the stored link is refused.
@Suite struct DeltaClientTests {
  static func emulator(_ configure: (inout EmulatorOptions) throws -> Void = { _ in }) throws
    -> InProcessEmulator
  {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    try configure(&options)
    return try InProcessEmulator(options, authority: "127.0.0.1:9")
  }

  static func session(
    _ emulator: InProcessEmulator, pageSize: Int = 100, limits: PagingLimits = PagingLimits()
  ) throws -> GraphSession {
    try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: EmulatorFixture.token),
      transport: InProcessTransport(emulator), pageSize: pageSize, clock: ManualClock(),
      pagingLimits: limits)
  }

  static func tasksList(_ emulator: InProcessEmulator) async throws -> String {
    try #require(await emulator.store.lists().first { $0.displayName == "Tasks" }).id
  }

  /// The delta GETs the emulator saw since the log was cleared, with their statuses.
  static func deltaRequests(_ emulator: InProcessEmulator) async -> [Int] {
    await emulator.store.requestLog().filter { $0.path.hasSuffix("/delta") }.map(\.status)
  }

  @Test func afterAFirstSyncAnAddedRenamedAndDeletedTaskArriveInOneDeltaRoundTrip() async throws {
    let emulator = try Self.emulator()
    let session = try Self.session(emulator)
    let listID = try await Self.tasksList(emulator)
    let first = try await session.tasksDelta(listID: listID, link: nil)
    #expect(first.isFullLoad)
    #expect(first.changed.map(\.id) == (await emulator.store.tasks(listID: listID))?.map(\.id))
    #expect(first.removed.isEmpty)

    let added = try await session.createTask(listID: listID, draft: TaskDraft(title: "Added"))
    let (renamed, deleted) = (first.changed[0], first.changed[1])
    _ = try await session.updateTask(
      listID: listID, taskID: renamed.id, patch: TaskPatch(title: "Renamed"))
    try await session.deleteTask(listID: listID, taskID: deleted.id)
    await emulator.store.clearRequestLog()

    let second = try await session.tasksDelta(listID: listID, link: first.deltaLink)
    #expect(await Self.deltaRequests(emulator) == [200])
    #expect(await emulator.store.requestLog().count == 1)
    #expect(!second.isFullLoad)
    #expect(Set(second.changed.map(\.id)) == [added.id, renamed.id])
    #expect(second.changed.first { $0.id == renamed.id }?.title == "Renamed")
    #expect(second.removed == [deleted.id])
    #expect(second.deltaLink != first.deltaLink)

    let applied = DeltaApplier.apply(second, to: first.changed)
    let stored = try #require(await emulator.store.tasks(listID: listID))
    #expect(applied.map(\.id) == stored.map(\.id))
    #expect(applied.map(\.title) == stored.map(\.title))
  }

  @Test func anExpiredDeltaLinkFallsBackToAFullLoad() async throws {
    let emulator = try Self.emulator()
    let session = try Self.session(emulator)
    let listID = try await Self.tasksList(emulator)
    let first = try await session.tasksDelta(listID: listID, link: nil)
    _ = try await session.createTask(listID: listID, draft: TaskDraft(title: "While away"))
    await emulator.store.expireDeltaTokens()
    await emulator.store.clearRequestLog()

    let page = try await session.tasksDelta(listID: listID, link: first.deltaLink)
    #expect(page.isFullLoad)
    #expect(page.fullLoadReason?.contains("410 syncStateNotFound") == true)
    #expect(await Self.deltaRequests(emulator) == [410, 200])
    let stored = try #require(await emulator.store.tasks(listID: listID))
    #expect(DeltaApplier.apply(page, to: first.changed).map(\.id) == stored.map(\.id))
    #expect(stored.contains { $0.title == "While away" })
    // The new link works.
    #expect(try await session.tasksDelta(listID: listID, link: page.deltaLink).changed.isEmpty)
  }

  @Test func a400OnAStoredLinkAlsoMeansAFullLoad() async throws {
    let emulator = try Self.emulator { try $0.apply(mode: "delta-expired-status=400") }
    let session = try Self.session(emulator)
    let first = try await session.listsDelta(link: nil)
    await emulator.store.expireDeltaTokens()
    let page = try await session.listsDelta(link: first.deltaLink)
    #expect(page.isFullLoad)
    #expect(page.fullLoadReason?.contains("400") == true)
    #expect(page.changed.map(\.id) == (await emulator.store.lists()).map(\.id))
  }

  @Test func aRoundLostBetweenItsPagesOnAStoredLinkMeansAFullLoad() async throws {
    // Delta request 3 is the second page of the round from the stored link.
    let emulator = try Self.emulator { $0.faults = try FaultPlan(specs: ["delta#3=expire"]) }
    let first = try await Self.session(emulator).listsDelta(link: nil)
    let session = try Self.session(emulator, pageSize: 1)
    for name in ["One", "Two", "Three"] {
      _ = try await session.createList(displayName: name)
    }
    await emulator.store.clearRequestLog()
    let page = try await session.listsDelta(link: first.deltaLink)
    #expect(page.isFullLoad)
    #expect(page.changed.map(\.id) == (await emulator.store.lists()).map(\.id))
    #expect(Array(await Self.deltaRequests(emulator).prefix(2)) == [200, 410])
  }

  @Test func withoutFallbackARefusedLinkThrowsDeltaLinkExpired() async throws {
    let emulator = try Self.emulator()
    let session = try Self.session(emulator)
    let first = try await session.listsDelta(link: nil)
    await emulator.store.expireDeltaTokens()
    let error = await #expect(throws: DeltaLinkExpired.self) {
      _ = try await session.listsDelta(link: first.deltaLink, fullLoadOnExpiry: false)
    }
    #expect(error?.status == 410)
    #expect(error?.code == "syncStateNotFound")
    #expect(error?.description.contains("full load") == true)
  }

  @Test func aStoredLinkOffTheGraphOriginIsNotSentAndLoadsInFull() async throws {
    let emulator = try Self.emulator()
    let session = try Self.session(emulator)
    await emulator.store.clearRequestLog()
    let page = try await session.listsDelta(
      link: "https://elsewhere.example/v1.0/me/todo/lists/delta?$deltatoken=x")
    #expect(page.isFullLoad)
    #expect(page.fullLoadReason?.contains("Graph URL") == true)
    #expect(await emulator.store.requestLog().allSatisfy { !$0.path.contains("elsewhere") })
    #expect(await Self.deltaRequests(emulator) == [200])
  }

  @Test func aRoundFollowsNextLinksWithinThePagingLimits() async throws {
    let emulator = try Self.emulator()
    let lists = await emulator.store.lists()
    try #require(lists.count > 2)
    let paged = try await Self.session(emulator, pageSize: 2).listsDelta(link: nil)
    #expect(paged.changed.map(\.id) == lists.map(\.id))
    #expect(await Self.deltaRequests(emulator).count == (lists.count + 1) / 2)
    let limited = try Self.session(emulator, pageSize: 1, limits: PagingLimits(maxPages: 2))
    await #expect(throws: GraphError.self) { _ = try await limited.listsDelta(link: nil) }
  }

  @Test func theFirstRoundOfAMissingListIsAnErrorNotAFullLoad() async throws {
    let emulator = try Self.emulator()
    let session = try Self.session(emulator)
    let error = await #expect(throws: GraphError.self) {
      _ = try await session.tasksDelta(listID: "AAMkADnope=", link: nil)
    }
    guard case .service(let status, _, _, _)? = error else {
      Issue.record("expected a service error, got \(String(describing: error))")
      return
    }
    #expect(status == 404)
  }

  @Test func listChangesArriveAndApplyByID() async throws {
    let emulator = try Self.emulator()
    let session = try Self.session(emulator)
    let first = try await session.listsDelta(link: nil)
    let created = try await session.createList(displayName: "Fresh")
    let doomed = try #require(first.changed.first { $0.wellknownListName == "none" })
    try await session.deleteList(listID: doomed.id)
    let second = try await session.listsDelta(link: first.deltaLink)
    #expect(second.changed.map(\.id) == [created.id])
    #expect(second.removed == [doomed.id])
    let applied = DeltaApplier.apply(second, to: first.changed)
    #expect(applied.map(\.id) == (await emulator.store.lists()).map(\.id))
  }
}
