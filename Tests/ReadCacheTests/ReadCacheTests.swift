import Foundation
import GraphModels
import Testing

@testable import ReadCache

/// The read cache on disk: what goes in comes out, with private modes, and damage is survived.
@Suite struct ReadCacheTests {
  static func directory() -> String {
    NSTemporaryDirectory() + "tack-cache-test-" + UUID().uuidString.prefix(8) + "/cache/tack"
  }

  static func remove(_ directory: String) {
    let root = URL(fileURLWithPath: directory).deletingLastPathComponent()
      .deletingLastPathComponent()
    try? FileManager.default.removeItem(at: root)
  }

  static func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
  }

  static let saved = Date(timeIntervalSince1970: 1_780_000_000)

  static func json(_ text: String) throws -> JSONValue {
    try GraphJSON.decoder().decode(JSONValue.self, from: Data(text.utf8))
  }

  @Test func listsAndTasksComeBackAsStoredWithTheirDate() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let cache = try ReadCache.open(directory: directory, account: "https://graph|alice")
    let lists = [
      try Self.json(#"{"id":"L1","displayName":"Work","@odata.etag":"W/\"1\"","extra":[1,2]}"#),
      try Self.json(#"{"id":"L2","displayName":"Home","wellknownListName":"defaultList"}"#),
    ]
    try cache.storeLists(lists, at: Self.saved)
    let tasks = [
      try Self.json(
        #"{"id":"T2","title":"Second","body":{"content":"milk","contentType":"text"}}"#),
      try Self.json(#"{"id":"T1","title":"First","status":"completed"}"#),
    ]
    try cache.storeTasks(listID: "L1", tasks, at: Self.saved.addingTimeInterval(60))

    // A second process opens the same file.
    let again = try #require(
      ReadCache.openExisting(directory: directory, account: "https://graph|alice"))
    #expect(again.rawLists()?.value == lists)
    #expect(again.rawLists()?.savedAt == Self.saved)
    #expect(again.lists()?.value.map(\.displayName) == ["Work", "Home"])
    #expect(again.tasks(listID: "L1")?.value.map(\.id) == ["T2", "T1"])
    #expect(again.tasks(listID: "L1")?.savedAt == Self.saved.addingTimeInterval(60))
    #expect(again.tasks(listID: "L2") == nil)
    #expect(again.lastTasksListID() == "L1")
    #expect(ReadCache.openExisting(directory: directory, account: "someone else") == nil)
  }

  @Test func storingACollectionAgainReplacesIt() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let cache = try ReadCache.open(directory: directory, account: "a")
    try cache.storeTasks(listID: "L", [TodoTask(id: "1", title: "old")], at: Self.saved)
    try cache.storeTasks(listID: "L", [TodoTask(id: "2", title: "new")], at: Self.saved)
    #expect(cache.tasks(listID: "L")?.value.map(\.title) == ["new"])
    #expect(cache.searchTasks("old").isEmpty)
    #expect(cache.searchTasks("new").map(\.taskID) == ["2"])
  }

  @Test func tasksKeepTheirDeltaLinkAndOnlyTheOpenedListIsTheLastSeen() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let cache = try ReadCache.open(directory: directory, account: "a")
    try cache.storeTasks(listID: "L1", [TodoTask(id: "1", title: "one")], at: Self.saved)
    #expect(cache.tasksDeltaLink(listID: "L1") == nil)
    try cache.storeTasks(
      listID: "L1", [TodoTask(id: "1", title: "one")], at: Self.saved,
      deltaLink: "https://graph/v1.0/me/todo/lists/L1/tasks/delta?$deltatoken=A",
      markLastSeen: false)
    #expect(cache.tasksDeltaLink(listID: "L1")?.hasSuffix("deltatoken=A") == true)
    // A plain store (a newer copy) keeps the link: it is still a sound base for it.
    try cache.storeTasks(
      listID: "L1", [TodoTask(id: "2", title: "two")], at: Self.saved, markLastSeen: false)
    #expect(cache.tasksDeltaLink(listID: "L1")?.hasSuffix("deltatoken=A") == true)
    // Lists loaded in the background do not become the one shown at start.
    try cache.storeTasks(
      listID: "L2", [TodoTask(id: "3", title: "three")], at: Self.saved, markLastSeen: false)
    #expect(cache.lastTasksListID() == "L1")
    try cache.markLastSeen(listID: "L2")
    #expect(cache.lastTasksListID() == "L2")
    #expect(cache.tasksDeltaLink(listID: "L2") == nil)
  }

  @Test func stepsAndAttachmentMetadataAreKeptButNeverFileBytes() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let cache = try ReadCache.open(directory: directory, account: "a")
    let attachment = TaskFileAttachment(
      id: "A", name: "report.pdf", contentType: "application/pdf", size: 1234,
      contentBytes: "SECRETBYTES")
    try cache.storeAttachments(listID: "L", taskID: "T", [attachment], at: Self.saved)
    try cache.storeSteps(
      listID: "L", taskID: "T",
      [try Self.json(#"{"id":"S","displayName":"step one","isChecked":true}"#)], at: Self.saved)
    let stored = try #require(cache.attachments(listID: "L", taskID: "T")?.value.first)
    #expect(stored.name == "report.pdf" && stored.size == 1234 && stored.contentBytes == nil)
    #expect(cache.steps(listID: "L", taskID: "T")?.value.map(\.displayName) == ["step one"])
    let bytes = try Data(contentsOf: URL(fileURLWithPath: cache.path))
    #expect(bytes.range(of: Data("SECRETBYTES".utf8)) == nil)
  }

  @Test func directoryIs0700AndFileIs0600() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let old = umask(0o022)
    defer { umask(old) }
    let cache = try ReadCache.open(directory: directory, account: "a")
    try cache.storeLists([TodoTaskList(id: "L", displayName: "x")], at: Self.saved)
    #expect(try Self.mode(directory) == 0o700)
    #expect(try Self.mode(cache.path) == 0o600)
  }

  @Test func aTruncatedFileIsMovedAsideAndRebuilt() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let cache = try ReadCache.open(directory: directory, account: "a")
    let tasks = (0..<400).map { TodoTask(id: "task-\($0)", title: "Task number \($0)") }
    try cache.storeTasks(listID: "L", tasks, at: Self.saved)
    let path = cache.path
    let size = try #require(
      try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    #expect(truncate(path, off_t(size / 2)) == 0)

    #expect(ReadCache.openExisting(directory: directory, account: "a") == nil)
    #expect(FileManager.default.fileExists(atPath: path + ".corrupt"))
    let rebuilt = try ReadCache.open(directory: directory, account: "a")
    #expect(rebuilt.tasks(listID: "L") == nil)
    try rebuilt.storeTasks(listID: "L", [TodoTask(id: "1", title: "again")], at: Self.saved)
    #expect(rebuilt.tasks(listID: "L")?.value.map(\.title) == ["again"])
  }

  @Test func aFileOfGarbageIsReplacedWhenOpened() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/" + CacheLocation.fileName(account: "a")
    try Data(repeating: 0x41, count: 10_000).write(to: URL(fileURLWithPath: path))
    let cache = try ReadCache.open(directory: directory, account: "a")
    #expect(cache.recoveredFrom == path + ".corrupt")
    #expect(cache.lists() == nil)
    try cache.storeLists([TodoTaskList(id: "L", displayName: "x")], at: Self.saved)
    #expect(cache.lists()?.value.count == 1)
  }

  @Test func searchFindsTitlesAndNotesByWordPrefix() throws {
    let directory = Self.directory()
    defer { Self.remove(directory) }
    let cache = try ReadCache.open(directory: directory, account: "a")
    try cache.storeTasks(
      listID: "L",
      [
        TodoTask(id: "1", title: "Quarterly report", body: ItemBody(content: "send to Ana")),
        TodoTask(id: "2", title: "Buy milk"),
      ], at: Self.saved)
    #expect(cache.searchTasks("quart").map(\.taskID) == ["1"])
    #expect(cache.searchTasks("ana").map(\.taskID) == ["1"])
    #expect(cache.searchTasks("(milk\"").map(\.taskID) == ["2"])
    #expect(cache.searchTasks("  ").isEmpty)
  }

  @Test func fileNamesStayInsideTheDirectory() {
    let name = CacheLocation.fileName(account: "../../etc/passwd|https://x")
    #expect(!name.contains("/"))
    #expect(name != CacheLocation.fileName(account: "../../etc/passwd|https://y"))
    #expect(CacheLocation.directory(environment: ["HOME": "/h"]) == "/h/.cache/tack")
    #expect(
      CacheLocation.directory(environment: ["HOME": "/h", "XDG_CACHE_HOME": "/c"]) == "/c/tack")
    #expect(
      CacheLocation.directory(environment: ["HOME": "/h", "XDG_CACHE_HOME": "rel"])
        == "/h/.cache/tack")
  }
}
