import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Testing

/// The write calls against the emulator: retried only when safe, a lost task POST reconciled.
@Suite struct WriteClientTests {
  static func tasksList(_ emulator: GraphEmulator) async throws -> TodoTaskList {
    try #require(await emulator.store.lists().first { $0.displayName == "Tasks" })
  }

  static func count(_ emulator: GraphEmulator, _ listID: String, title: String) async -> Int {
    await emulator.store.tasks(listID: listID)?.filter { $0.title == title }.count ?? -1
  }

  @Test func aTaskPostWhoseAnswerIsLostIsFoundByListingNotRepeated() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["task#1=commit-drop"]) }) {
      emulator, transport in
      let session = try emulator.session(transport)
      let list = try await Self.tasksList(emulator)
      let task = try await session.createTask(
        listID: list.id, draft: TaskDraft(title: "Lost answer", importance: "high"))
      #expect(task.title == "Lost answer")
      #expect(await Self.count(emulator, list.id, title: "Lost answer") == 1)
      let posts = await emulator.store.requestLog().filter {
        $0.method == "POST" && $0.path.hasSuffix("/tasks")
      }
      #expect(posts.count == 1)
    }
  }

  @Test func aTaskPostRefusedWithA503IsSentAgainAfterListing() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["task#1=503"]) }) {
      emulator, transport in
      let clock = ManualClock()
      let session = try emulator.session(transport, clock: clock)
      let list = try await Self.tasksList(emulator)
      let task = try await session.createTask(listID: list.id, draft: TaskDraft(title: "Again"))
      #expect(task.status == "notStarted")
      #expect(await Self.count(emulator, list.id, title: "Again") == 1)
      #expect(clock.sleeps.count == 1)
    }
  }

  @Test func aTaskPostWithABadBodyIsNotRetried() async throws {
    try await withLiveEmulator { emulator, transport in
      let session = try emulator.session(transport)
      let list = try await Self.tasksList(emulator)
      await #expect(throws: GraphError.self) {
        _ = try await session.createTask(listID: list.id, draft: TaskDraft(title: " "))
      }
      #expect(await emulator.store.requestLog().filter { $0.method == "POST" }.count == 1)
    }
  }

  @Test func patchIsRetriedOn503AndCompletes() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["patch#1=503"]) }) {
      emulator, transport in
      let session = try emulator.session(transport)
      let list = try await Self.tasksList(emulator)
      let created = try await session.createTask(listID: list.id, draft: TaskDraft(title: "P"))
      let done = try await session.updateTask(
        listID: list.id, taskID: created.id, patch: TaskPatch(status: "completed"))
      #expect(done.status == "completed")
      #expect(done.completedDateTime?.timeZone == "UTC")
    }
  }

  @Test func aDeleteWhoseAnswerIsLostCountsAsDone() async throws {
    try await withLiveEmulator({ $0.faults = try FaultPlan(specs: ["delete#1=commit-drop"]) }) {
      emulator, transport in
      let session = try emulator.session(transport)
      let list = try await Self.tasksList(emulator)
      let created = try await session.createTask(listID: list.id, draft: TaskDraft(title: "D"))
      try await session.deleteTask(listID: list.id, taskID: created.id)
      #expect(await Self.count(emulator, list.id, title: "D") == 0)
    }
  }

  @Test func listsAndStepsRoundTrip() async throws {
    try await withLiveEmulator { emulator, transport in
      let session = try emulator.session(transport)
      let list = try await session.createList(displayName: "Trip")
      let renamed = try await session.renameList(listID: list.id, displayName: "Trip 2027")
      #expect(renamed.displayName == "Trip 2027")
      let task = try await session.createTask(listID: list.id, draft: TaskDraft(title: "Pack"))
      let step = try await session.createChecklistItem(
        listID: list.id, taskID: task.id, displayName: "Socks")
      let checked = try await session.updateChecklistItem(
        listID: list.id, taskID: task.id, itemID: step.id,
        patch: ChecklistItemPatch(isChecked: true))
      #expect(checked.isChecked == true)
      #expect(checked.checkedDateTime != nil)
      #expect(try await session.checklistItems(listID: list.id, taskID: task.id).all().count == 1)
      try await session.deleteChecklistItem(listID: list.id, taskID: task.id, itemID: step.id)
      #expect(try await session.checklistItems(listID: list.id, taskID: task.id).all().isEmpty)
      try await session.deleteList(listID: list.id)
      #expect(await emulator.store.lists().contains { $0.id == list.id } == false)
    }
  }

  @Test func theDefaultListCannotBeDeleted() async throws {
    try await withLiveEmulator { emulator, transport in
      let session = try emulator.session(transport)
      let list = try await Self.tasksList(emulator)
      await #expect(throws: GraphError.self) { try await session.deleteList(listID: list.id) }
    }
  }
}
