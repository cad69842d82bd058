import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

@Suite struct CollectionTests {
  /// Follows `@odata.nextLink` verbatim and returns every item and the page count.
  func collect(_ emulator: InProcessEmulator, _ url: String) async throws -> (
    items: [[String: Any]], pages: Int
  ) {
    var next: String? = url
    var items: [[String: Any]] = []
    var pages = 0
    while let link = next {
      let reply = try await emulator.send("GET", link, headers: [EmulatorFixture.auth])
      #expect(reply.status == 200)
      items += reply.json["value"] as? [[String: Any]] ?? []
      next = reply.json["@odata.nextLink"] as? String
      pages += 1
      if pages > 1000 { break }
    }
    return (items, pages)
  }

  @Test func listsArePagedWithASmallDefaultPageSize() async throws {
    try await withHandler { emulator in
      let expected = await emulator.store.lists().count
      let first = try await emulator.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists", headers: [EmulatorFixture.auth])
      #expect((first.json["value"] as? [Any])?.count == min(10, expected))
      let all = try await collect(emulator, emulator.graphBaseURL + "/me/todo/lists?$top=3")
      #expect(all.items.count == expected)
      #expect(all.pages == (expected + 2) / 3)
      let names = all.items.compactMap { $0["displayName"] as? String }
      #expect(names.contains("Groceries 🛒"))
      #expect(names.contains("仕事 (Work)"))
      #expect(names.contains("مهام المنزل"))
      let wellKnown = Set(all.items.compactMap { $0["wellknownListName"] as? String })
      #expect(wellKnown.isSuperset(of: ["defaultList", "flaggedEmails", "none"]))
    }
  }

  @Test func topIsHonouredUpToTheMaximum() async throws {
    try await withHandler { emulator in
      guard let big = await emulator.store.lists().first(where: { $0.displayName == "Big list" })
      else {
        Issue.record("no Big list")
        return
      }
      let url = "\(emulator.graphBaseURL)/me/todo/lists/\(EmulatorFixture.escape(big.id))/tasks"
      let capped = try await emulator.send(
        "GET", url + "?$top=500", headers: [EmulatorFixture.auth])
      #expect((capped.json["value"] as? [Any])?.count == 100)
      let all = try await collect(emulator, url + "?$top=25")
      #expect(all.items.count == 120)
      #expect(all.pages == 5)
      #expect(Set(all.items.compactMap { $0["id"] as? String }).count == 120)
      let bad = try await emulator.send("GET", url + "?$top=abc", headers: [EmulatorFixture.auth])
      #expect(bad.status == 400)
    }
  }

  @Test func theFullSeedHasAListOfFiveThousandTasks() async throws {
    try await withHandler({ $0.seed = .demo }) { emulator in
      guard let archive = await emulator.store.lists().first(where: { $0.displayName == "Archive" })
      else {
        Issue.record("no Archive list")
        return
      }
      let all = try await collect(
        emulator,
        "\(emulator.graphBaseURL)/me/todo/lists/\(EmulatorFixture.escape(archive.id))/tasks?$top=100"
      )
      #expect(all.items.count == 5000)
      #expect(all.pages == 50)
    }
  }

  @Test func oneTaskAndUnknownIds() async throws {
    try await withHandler { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "仕事 (Work)")
      let task = try await emulator.send(
        "GET", EmulatorFixture.taskURL(emulator, ids), headers: [EmulatorFixture.auth])
      #expect(task.status == 200)
      #expect(task.json["title"] as? String == "Quarterly report")
      #expect(task.json["@odata.etag"] != nil)
      let unknownTask = try await emulator.send(
        "GET",
        "\(emulator.graphBaseURL)/me/todo/lists/\(EmulatorFixture.escape(ids.list))/tasks/nope",
        headers: [EmulatorFixture.auth])
      #expect(unknownTask.status == 404)
      #expect(unknownTask.errorCode == "ErrorItemNotFound")
      let unknownList = try await emulator.send(
        "GET", "\(emulator.graphBaseURL)/me/todo/lists/nope/tasks", headers: [EmulatorFixture.auth])
      #expect(unknownList.status == 404)
    }
  }

  @Test func percentEncodedIdsResolve() async throws {
    try await withHandler { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      #expect(ids.list.hasSuffix("="))
      let encoded =
        "\(emulator.graphBaseURL)/me/todo/lists/\(ids.list.replacingOccurrences(of: "=", with: "%3D"))/tasks"
      let reply = try await emulator.send("GET", encoded, headers: [EmulatorFixture.auth])
      #expect(reply.status == 200)
    }
  }

  @Test func attachmentsListOmitsContentBytesAndGetReturnsThem() async throws {
    try await withHandler { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "仕事 (Work)")
      let base = EmulatorFixture.taskURL(emulator, ids) + "/attachments"
      let list = try await emulator.send("GET", base, headers: [EmulatorFixture.auth])
      let items = list.json["value"] as? [[String: Any]] ?? []
      #expect(items.count == 2)
      #expect(items.allSatisfy { $0["contentBytes"] == nil })
      #expect(
        items.allSatisfy { $0["@odata.type"] as? String == "#microsoft.graph.taskFileAttachment" })
      guard let first = items.first, let id = first["id"] as? String else { return }
      let one = try await emulator.send(
        "GET", base + "/" + EmulatorFixture.escape(id), headers: [EmulatorFixture.auth])
      let decoded = Data(base64Encoded: one.json["contentBytes"] as? String ?? "")
      let raw = try await emulator.send(
        "GET", base + "/" + EmulatorFixture.escape(id) + "/$value", headers: [EmulatorFixture.auth])
      #expect(raw.status == 200)
      #expect(raw.body == decoded)
      #expect(raw.body.count == first["size"] as? Int)
      #expect(raw.header("Content-Type") == first["contentType"] as? String)
      let deleted = try await emulator.send(
        "DELETE", base + "/" + EmulatorFixture.escape(id), headers: [EmulatorFixture.auth])
      #expect(deleted.status == 204)
      #expect(deleted.body.isEmpty)
      let again = try await emulator.send(
        "DELETE", base + "/" + EmulatorFixture.escape(id), headers: [EmulatorFixture.auth])
      #expect(again.status == 404)
      #expect(await emulator.store.attachments(listID: ids.list, taskID: ids.task)?.count == 1)
    }
  }

  @Test func smallAttachmentPostAndItsLimit() async throws {
    try await withHandler { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let url = EmulatorFixture.taskURL(emulator, ids) + "/attachments"
      let content = EmulatorFixture.bytes(1008)
      let body: [String: Any] = [
        "@odata.type": "#microsoft.graph.taskFileAttachment", "name": "smile.gif",
        "contentBytes": Data(content).base64EncodedString(), "contentType": "image/gif",
      ]
      let created = try await emulator.send(
        "POST", url, headers: [EmulatorFixture.auth, ("Content-Type", "application/json")],
        body: Array(try JSONSerialization.data(withJSONObject: body)))
      #expect(created.status == 201)
      #expect(created.json["size"] as? Int == 1008)
      #expect(created.json["contentBytes"] == nil)
      var big = body
      big["contentBytes"] = Data(EmulatorFixture.bytes(3_000_001)).base64EncodedString()
      let tooBig = try await emulator.send(
        "POST", url, headers: [EmulatorFixture.auth, ("Content-Type", "application/json")],
        body: Array(try JSONSerialization.data(withJSONObject: big)))
      #expect(tooBig.status == 400)
      let malformed = try await emulator.send(
        "POST", url, headers: [EmulatorFixture.auth, ("Content-Type", "application/json")],
        body: Array("{nope".utf8))
      #expect(malformed.status == 400)
      #expect(malformed.errorCode == "BadRequest")
      #expect(await emulator.store.attachments(listID: ids.list, taskID: ids.task)?.count == 1)
    }
  }

  @Test func seedEmbeddedInTheBinaryMatchesAssets() throws {
    let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Assets/seed.json")
    let text = try String(contentsOf: assets, encoding: .utf8)
    #expect(
      text.trimmingCharacters(in: .whitespacesAndNewlines)
        == GraphEmulator.seedJSON.trimmingCharacters(in: .whitespacesAndNewlines),
      "run Scripts/embed-seed.sh after editing Assets/seed.json")
  }
}
