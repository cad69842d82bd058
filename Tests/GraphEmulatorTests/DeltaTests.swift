import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// The delta functions for lists and tasks: rounds, paging, changes, removals and expiry.
@Suite struct DeltaTests {
  typealias F = EmulatorFixture
  static let json = ("Content-Type", "application/json")

  /// Every page of one round from `url`.
  struct Round {
    var values: [[String: Any]] = []
    var pages: [InProcessEmulator.Reply] = []
    var deltaLink = ""

    var ids: [String] { values.compactMap { $0["id"] as? String } }
    var removedIDs: [String] {
      values.filter { $0["@removed"] != nil }.compactMap { $0["id"] as? String }
    }
    func value(_ id: String) -> [String: Any]? { values.first { $0["id"] as? String == id } }
  }

  static func round(
    _ emulator: InProcessEmulator, _ url: String, pageSize: Int? = nil
  ) async throws -> Round {
    var result = Round()
    var next: String? = url
    var headers = [F.auth]
    if let pageSize { headers.append(("Prefer", "odata.maxpagesize=\(pageSize)")) }
    while let link = next {
      let reply = try await emulator.send("GET", link, headers: headers)
      try #require(
        reply.status == 200, "\(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
      result.pages.append(reply)
      result.values += reply.json["value"] as? [[String: Any]] ?? []
      next = reply.json["@odata.nextLink"] as? String
      #expect(next == nil || reply.json["@odata.deltaLink"] == nil)
      if next == nil { result.deltaLink = try #require(reply.json["@odata.deltaLink"] as? String) }
      #expect(result.pages.count < 1000)
    }
    return result
  }

  static func list(_ emulator: InProcessEmulator, _ name: String = "Tasks") async throws -> String {
    try #require(await emulator.store.lists().first { $0.displayName == name }).id
  }

  static func tasksDeltaURL(_ emulator: InProcessEmulator, _ listID: String) -> String {
    "\(emulator.graphBaseURL)/me/todo/lists/\(F.escape(listID))/tasks/delta"
  }

  static func send(
    _ emulator: InProcessEmulator, _ method: String, _ path: String, _ body: String? = nil
  ) async throws -> InProcessEmulator.Reply {
    try await emulator.send(
      method, emulator.graphBaseURL + path, headers: [F.auth, json],
      body: body.map { Array($0.utf8) })
  }

  // MARK: Rounds and paging

  @Test func theFirstRoundPagesEveryTaskAndEndsWithADeltaLink() async throws {
    try await withHandler { emulator in
      let listID = try await Self.list(emulator)
      let stored = try #require(await emulator.store.tasks(listID: listID)).map(\.id)
      try #require(stored.count > 2)
      let round = try await Self.round(emulator, Self.tasksDeltaURL(emulator, listID), pageSize: 2)
      #expect(round.ids == stored)
      #expect(round.pages.count == (stored.count + 1) / 2)
      #expect(round.pages.first?.header("Preference-Applied") == "odata.maxpagesize=2")
      #expect(round.deltaLink.contains("/tasks/delta?$deltatoken="))
      #expect(round.removedIDs.isEmpty)
      #expect(round.values.allSatisfy { $0["title"] is String && $0["@odata.etag"] is String })
    }
  }

  @Test func anUnchangedCollectionAnswersOneEmptyPageWithANewDeltaLink() async throws {
    try await withHandler { emulator in
      let listID = try await Self.list(emulator)
      let first = try await Self.round(emulator, Self.tasksDeltaURL(emulator, listID))
      let second = try await Self.round(emulator, first.deltaLink)
      #expect(second.pages.count == 1)
      #expect(second.values.isEmpty)
      #expect(second.deltaLink != first.deltaLink)
    }
  }

  @Test func aRoundFromTheDeltaLinkReportsAddedChangedAndRemovedTasks() async throws {
    try await withHandler { emulator in
      let listID = try await Self.list(emulator)
      let first = try await Self.round(emulator, Self.tasksDeltaURL(emulator, listID))
      let path = "/me/todo/lists/\(F.escape(listID))/tasks"
      let (renamed, deleted) = (first.ids[0], first.ids[1])
      let added = try await Self.send(emulator, "POST", path, #"{"title":"Fresh"}"#)
      let addedID = try #require(added.json["id"] as? String)
      _ = try await Self.send(
        emulator, "PATCH", path + "/\(F.escape(renamed))", #"{"title":"Renamed"}"#)
      let gone = try await Self.send(emulator, "DELETE", path + "/\(F.escape(deleted))")
      #expect(gone.status == 204)

      let second = try await Self.round(emulator, first.deltaLink)
      #expect(Set(second.ids) == [addedID, renamed, deleted])
      #expect(second.value(addedID)?["title"] as? String == "Fresh")
      #expect(second.value(renamed)?["title"] as? String == "Renamed")
      #expect(second.value(renamed)?["importance"] is String)
      let removal = try #require(second.value(deleted))
      #expect(removal.count == 2)
      #expect((removal["@removed"] as? [String: Any])?["reason"] as? String == "deleted")
      let third = try await Self.round(emulator, second.deltaLink)
      #expect(third.values.isEmpty)
    }
  }

  @Test func listsDeltaReportsANewARenamedAndADeletedList() async throws {
    try await withHandler { emulator in
      let url = emulator.graphBaseURL + "/me/todo/lists/delta"
      let first = try await Self.round(emulator, url)
      #expect(first.ids == (await emulator.store.lists()).map(\.id))
      #expect(first.values.allSatisfy { $0["displayName"] is String })
      let created = try await Self.send(
        emulator, "POST", "/me/todo/lists", #"{"displayName":"New"}"#)
      let newID = try #require(created.json["id"] as? String)
      _ = try await Self.send(
        emulator, "PATCH", "/me/todo/lists/\(F.escape(newID))", #"{"displayName":"Newer"}"#)
      let doomed = try await Self.send(emulator, "POST", "/me/todo/lists", #"{"displayName":"X"}"#)
      let doomedID = try #require(doomed.json["id"] as? String)
      _ = try await Self.send(emulator, "DELETE", "/me/todo/lists/\(F.escape(doomedID))")

      let second = try await Self.round(emulator, first.deltaLink)
      #expect(second.ids == [newID, doomedID])
      #expect(second.value(newID)?["displayName"] as? String == "Newer")
      #expect(second.removedIDs == [doomedID])
    }
  }

  @Test func aTaskChangedWhilePagingComesAgainInTheNextRound() async throws {
    try await withHandler { emulator in
      let listID = try await Self.list(emulator)
      let url = Self.tasksDeltaURL(emulator, listID)
      let page1 = try await emulator.send(
        "GET", url, headers: [F.auth, ("Prefer", "odata.maxpagesize=1")])
      let firstID = try #require((page1.json["value"] as? [[String: Any]])?.first?["id"] as? String)
      await emulator.store.setTaskTitle(listID: listID, taskID: firstID, "Edited meanwhile")
      var rest = try await Self.round(
        emulator, try #require(page1.json["@odata.nextLink"] as? String))
      let stored = try #require(await emulator.store.tasks(listID: listID)).map(\.id)
      #expect([firstID] + rest.ids == stored)
      rest = try await Self.round(emulator, rest.deltaLink)
      #expect(rest.ids == [firstID])
      #expect(rest.value(firstID)?["title"] as? String == "Edited meanwhile")
    }
  }

  @Test func aReplayedNextLinkAnswersTheSamePagesAndDeltaLink() async throws {
    try await withHandler { emulator in
      let url = emulator.graphBaseURL + "/me/todo/lists/delta"
      let paged = try await emulator.send(
        "GET", url, headers: [F.auth, ("Prefer", "odata.maxpagesize=3")])
      let link = try #require(paged.json["@odata.nextLink"] as? String)
      // As a client does when an answer is lost and it sends the link again.
      let one = try await Self.round(emulator, link)
      let two = try await Self.round(emulator, link)
      #expect(!one.ids.isEmpty)
      #expect(one.ids == two.ids)
      #expect(one.deltaLink == two.deltaLink)
    }
  }

  @Test func selectKeepsOnlyTheChosenPropertiesForTheWholeRound() async throws {
    try await withHandler { emulator in
      let listID = try await Self.list(emulator)
      let round = try await Self.round(
        emulator, Self.tasksDeltaURL(emulator, listID) + "?$select=title", pageSize: 2)
      #expect(round.pages.count > 1)
      for value in round.values {
        #expect(Set(value.keys).subtracting(["id", "title", "@odata.etag"]).isEmpty)
      }
    }
  }

  // MARK: Refusals and expiry

  @Test func forgottenSyncStateAnswers410SyncStateNotFound() async throws {
    try await withHandler { emulator in
      let url = emulator.graphBaseURL + "/me/todo/lists/delta"
      let first = try await Self.round(emulator, url)
      await emulator.store.expireDeltaTokens()
      let reply = try await emulator.send("GET", first.deltaLink, headers: [F.auth])
      #expect(reply.status == 410)
      #expect(reply.errorCode == "syncStateNotFound")
      #expect((reply.json["error"] as? [String: Any])?["message"] as? String != nil)
      // A full round still works, and its link does too.
      let again = try await Self.round(emulator, url)
      #expect(try await Self.round(emulator, again.deltaLink).values.isEmpty)
    }
  }

  @Test func aDeltaTokenPastItsLifetimeAnswers410() async throws {
    try await withHandler({ $0.deltaTokenLifetime = .zero }) { emulator in
      let url = emulator.graphBaseURL + "/me/todo/lists/delta"
      let first = try await Self.round(emulator, url, pageSize: 2)
      #expect(first.pages.count > 1)
      let reply = try await emulator.send("GET", first.deltaLink, headers: [F.auth])
      #expect(reply.status == 410)
      #expect(reply.errorCode == "syncStateNotFound")
    }
  }

  @Test func aDeltaExpireFaultLosesTheStateBeforeThatRequest() async throws {
    try await withHandler({
      $0.faults = try FaultPlan(specs: ["delta#3=expire"])
      try $0.apply(mode: "delta-expired-status=400")
    }) { emulator in
      let url = emulator.graphBaseURL + "/me/todo/lists/delta"
      let first = try await Self.round(emulator, url, pageSize: 100)
      let second = try await Self.round(emulator, first.deltaLink, pageSize: 100)
      let third = try await emulator.send("GET", second.deltaLink, headers: [F.auth])
      #expect(third.status == 400)
      #expect(third.errorCode == "syncStateNotFound")
      #expect(try await Self.round(emulator, url, pageSize: 100).pages.count == 1)
    }
  }

  @Test func aSkipTokenOfAForgottenRoundAnswers410AndAGarbledOne400() async throws {
    try await withHandler { emulator in
      let listID = try await Self.list(emulator)
      let url = Self.tasksDeltaURL(emulator, listID)
      let page = try await emulator.send(
        "GET", url, headers: [F.auth, ("Prefer", "odata.maxpagesize=1")])
      let next = try #require(page.json["@odata.nextLink"] as? String)
      await emulator.store.expireDeltaTokens()
      #expect(try await emulator.send("GET", next, headers: [F.auth]).status == 410)
      let garbled = try await emulator.send("GET", url + "?$skiptoken=%25%25", headers: [F.auth])
      #expect(garbled.status == 400)
    }
  }

  @Test func aTokenOfAnotherCollectionIsABadRequest() async throws {
    try await withHandler { emulator in
      let lists = try await Self.round(emulator, emulator.graphBaseURL + "/me/todo/lists/delta")
      let token = try #require(lists.deltaLink.components(separatedBy: "$deltatoken=").last)
      let listID = try await Self.list(emulator)
      let reply = try await emulator.send(
        "GET", Self.tasksDeltaURL(emulator, listID) + "?$deltatoken=\(token)", headers: [F.auth])
      #expect(reply.status == 400)
    }
  }

  @Test func taskDeltaOfAMissingListIs404AndUnsupportedOptionsAre400() async throws {
    try await withHandler { emulator in
      let missing = try await emulator.send(
        "GET", Self.tasksDeltaURL(emulator, "AAMkADnope="), headers: [F.auth])
      #expect(missing.status == 404)
      let listID = try await Self.list(emulator)
      let filtered = try await emulator.send(
        "GET", Self.tasksDeltaURL(emulator, listID) + "?$filter=title%20eq%20'x'",
        headers: [F.auth])
      #expect(filtered.status == 400)
      let posted = try await emulator.send(
        "POST", Self.tasksDeltaURL(emulator, listID), headers: [F.auth, Self.json], body: [])
      #expect(posted.status == 405)
      let anonymous = try await emulator.send("GET", Self.tasksDeltaURL(emulator, listID))
      #expect(anonymous.status == 401)
    }
  }

  @Test func theFullyQualifiedFunctionNameIsTheSameFunction() async throws {
    try await withHandler { emulator in
      let round = try await Self.round(
        emulator, emulator.graphBaseURL + "/me/todo/lists/microsoft.graph.delta()")
      #expect(round.ids == (await emulator.store.lists()).map(\.id))
    }
  }

  @Test func theDeltaSelectorCountsOnlyDeltaRequests() async throws {
    try await withHandler({ $0.faults = try FaultPlan(specs: ["delta#1=503"]) }) { emulator in
      let lists = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists", headers: [F.auth])
      #expect(lists.status == 200)
      let url = emulator.graphBaseURL + "/me/todo/lists/delta"
      #expect(try await emulator.send("GET", url, headers: [F.auth]).status == 503)
      #expect(try await emulator.send("GET", url, headers: [F.auth]).status == 200)
      #expect(FaultPlan.syntaxHelp.contains("delta"))
    }
  }
}
