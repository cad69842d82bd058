import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// `--mode long-list=N`: a list of N tasks to load page by page (the long-list benchmark's).
@Suite struct LongListModeTests {
  @Test func longListAddsAListOfThatManyTasksServedInPages() async throws {
    try await withHandler({ try $0.apply(mode: "long-list=250") }) { emulator in
      let lists = await emulator.store.lists()
      let long = try #require(lists.first { $0.displayName == "Long list" })
      let url =
        "\(emulator.graphBaseURL)/me/todo/lists/\(EmulatorFixture.escape(long.id))/tasks?$top=100"
      var next: String? = url
      var titles: [String] = []
      var pages = 0
      while let link = next, pages < 10 {
        let reply = try await emulator.send("GET", link, headers: [EmulatorFixture.auth])
        #expect(reply.status == 200)
        let items = reply.json["value"] as? [[String: Any]] ?? []
        titles += items.compactMap { $0["title"] as? String }
        next = reply.json["@odata.nextLink"] as? String
        pages += 1
      }
      #expect(pages == 3)
      #expect(titles.count == 250)
      #expect(titles.first == "Long list task 1")
      #expect(titles.last == "Long list task 250")
    }
  }

  @Test(arguments: ["long-list=0", "long-list=lots", "long-list=100001"])
  func longListRefusesCountsOutOfRange(mode: String) {
    var options = EmulatorOptions()
    #expect(throws: EmulatorError.self) { try options.apply(mode: mode) }
  }

  @Test func withoutTheModeThereIsNoLongList() async throws {
    try await withHandler { emulator in
      #expect(await !emulator.store.lists().contains { $0.displayName == "Long list" })
    }
  }
}
