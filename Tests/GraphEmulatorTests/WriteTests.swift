import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

/// Writes to lists, tasks and steps, as Graph v1.0 documents them.
@Suite struct WriteTests {
  typealias F = EmulatorFixture
  static let json = ("Content-Type", "application/json")

  static func send(
    _ emulator: InProcessEmulator, _ method: String, _ path: String, _ body: String? = nil
  ) async throws -> InProcessEmulator.Reply {
    try await emulator.send(
      method, emulator.graphBaseURL + path, headers: [F.auth, json],
      body: body.map { Array($0.utf8) })
  }

  static func listPath(_ emulator: InProcessEmulator, _ name: String) async throws -> String {
    let list = try #require(await emulator.store.lists().first { $0.displayName == name })
    return "/me/todo/lists/\(F.escape(list.id))"
  }

  static func newTask(_ emulator: InProcessEmulator, _ title: String = "Buy milk") async throws
    -> (list: String, task: String, reply: InProcessEmulator.Reply)
  {
    let list = try await listPath(emulator, "Tasks")
    let reply = try await send(emulator, "POST", list + "/tasks", #"{"title":"\#(title)"}"#)
    let id = try #require(reply.json["id"] as? String)
    return (list, list + "/tasks/\(F.escape(id))", reply)
  }

  // MARK: Tasks

  @Test func postingATaskAnswers201WithTheEntityAndStoresIt() async throws {
    try await withHandler { emulator in
      let list = try await Self.listPath(emulator, "Tasks")
      let reply = try await Self.send(
        emulator, "POST", list + "/tasks",
        #"{"title":"Buy milk","importance":"high","body":{"content":"2 l","contentType":"text"},"dueDateTime":{"dateTime":"2026-12-24T00:00:00.0000000","timeZone":"UTC"}}"#
      )
      #expect(reply.status == 201)
      #expect(reply.json["title"] as? String == "Buy milk")
      #expect(reply.json["importance"] as? String == "high")
      #expect(reply.json["status"] as? String == "notStarted")
      #expect((reply.json["@odata.etag"] as? String)?.hasPrefix("W/\"") == true)
      #expect(reply.json["createdDateTime"] as? String != nil)
      let id = try #require(reply.json["id"] as? String)
      let got = try await Self.send(emulator, "GET", list + "/tasks/\(F.escape(id))")
      #expect(got.status == 200)
      #expect((got.json["dueDateTime"] as? [String: Any])?["timeZone"] as? String == "UTC")
    }
  }

  @Test func completingSetsCompletedDateTimeAndReopeningClearsIt() async throws {
    try await withHandler { emulator in
      let (_, task, created) = try await Self.newTask(emulator)
      let done = try await Self.send(emulator, "PATCH", task, #"{"status":"completed"}"#)
      #expect(done.status == 200)
      let completed = try #require(done.json["completedDateTime"] as? [String: Any])
      #expect(completed["timeZone"] as? String == "UTC")
      #expect(GraphDate.parse((completed["dateTime"] as? String ?? "") + "Z") != nil)
      #expect(done.json["@odata.etag"] as? String != created.json["@odata.etag"] as? String)
      #expect(
        done.json["lastModifiedDateTime"] as? String != nil)
      let reopened = try await Self.send(emulator, "PATCH", task, #"{"status":"notStarted"}"#)
      #expect(reopened.status == 200)
      #expect(reopened.json["completedDateTime"] == nil)
      #expect(reopened.json["@odata.etag"] as? String != done.json["@odata.etag"] as? String)
    }
  }

  @Test func patchRenamesAndClearsTheDueDate() async throws {
    try await withHandler { emulator in
      let (_, task, _) = try await Self.newTask(emulator)
      _ = try await Self.send(
        emulator, "PATCH", task,
        #"{"dueDateTime":{"dateTime":"2026-12-24T00:00:00","timeZone":"UTC"}}"#)
      let reply = try await Self.send(
        emulator, "PATCH", task, #"{"title":"Buy oat milk","dueDateTime":null}"#)
      #expect(reply.status == 200)
      #expect(reply.json["title"] as? String == "Buy oat milk")
      #expect(reply.json["dueDateTime"] == nil)
    }
  }

  @Test func deleteAnswers204ThenTheTaskIsGone() async throws {
    try await withHandler { emulator in
      let (_, task, _) = try await Self.newTask(emulator)
      let reply = try await Self.send(emulator, "DELETE", task)
      #expect(reply.status == 204)
      #expect(reply.body.isEmpty)
      #expect(try await Self.send(emulator, "GET", task).status == 404)
      #expect(try await Self.send(emulator, "DELETE", task).status == 404)
    }
  }

  @Test(arguments: [
    ("not json", "BadRequest"), ("[1]", "BadRequest"), (#"{}"#, "invalidRequest"),
    (#"{"title":""}"#, "invalidRequest"), (#"{"title":5}"#, "invalidRequest"),
    (#"{"title":"a","status":"finished"}"#, "invalidRequest"),
    (#"{"title":"a","importance":"urgent"}"#, "invalidRequest"),
    (#"{"title":"a","dueDateTime":"2026-12-24"}"#, "invalidRequest"),
    (#"{"title":"a","isReminderOn":"yes"}"#, "invalidRequest"),
    (#"{"title":"a","colour":"red"}"#, "invalidRequest"),
  ])
  func invalidTaskBodiesAre400WithAGraphError(body: String, code: String) async throws {
    try await withHandler { emulator in
      let list = try await Self.listPath(emulator, "Tasks")
      let before = await emulator.store.tasks(listID: String(list.split(separator: "/").last ?? ""))
      let reply = try await Self.send(emulator, "POST", list + "/tasks", body)
      #expect(reply.status == 400)
      #expect(reply.errorCode == code)
      let error = reply.json["error"] as? [String: Any]
      #expect((error?["message"] as? String)?.isEmpty == false)
      #expect((error?["innerError"] as? [String: Any])?["request-id"] != nil)
      let after = await emulator.store.tasks(listID: String(list.split(separator: "/").last ?? ""))
      #expect(before?.count == after?.count)
    }
  }

  @Test func invalidPatchLeavesTheTaskAlone() async throws {
    try await withHandler { emulator in
      let (_, task, _) = try await Self.newTask(emulator)
      let reply = try await Self.send(emulator, "PATCH", task, #"{"status":"done"}"#)
      #expect(reply.status == 400)
      #expect(try await Self.send(emulator, "GET", task).json["status"] as? String == "notStarted")
    }
  }

  @Test(arguments: ["POST", "PATCH", "DELETE"])
  func unknownIdsAre404(method: String) async throws {
    try await withHandler { emulator in
      let list = try await Self.listPath(emulator, "Tasks")
      let path = method == "POST" ? "/me/todo/lists/nope/tasks" : list + "/tasks/nope"
      let reply = try await Self.send(emulator, method, path, #"{"title":"x"}"#)
      #expect(reply.status == 404)
      #expect(reply.errorCode == "ErrorItemNotFound")
    }
  }

  // MARK: Lists

  @Test func listsAreCreatedRenamedAndDeleted() async throws {
    try await withHandler { emulator in
      let created = try await Self.send(
        emulator, "POST", "/me/todo/lists", #"{"displayName":"Trip"}"#)
      #expect(created.status == 201)
      #expect(created.json["wellknownListName"] as? String == "none")
      let id = try #require(created.json["id"] as? String)
      let path = "/me/todo/lists/\(F.escape(id))"
      let renamed = try await Self.send(emulator, "PATCH", path, #"{"displayName":"Trip 2027"}"#)
      #expect(renamed.status == 200)
      #expect(renamed.json["displayName"] as? String == "Trip 2027")
      #expect(renamed.json["@odata.etag"] as? String != created.json["@odata.etag"] as? String)
      #expect(try await Self.send(emulator, "DELETE", path).status == 204)
      #expect(try await Self.send(emulator, "GET", path).status == 404)
    }
  }

  @Test(arguments: ["Tasks", "Flagged emails"])
  func wellKnownListsCannotBeDeleted(name: String) async throws {
    try await withHandler { emulator in
      let path = try await Self.listPath(emulator, name)
      let reply = try await Self.send(emulator, "DELETE", path)
      #expect(reply.status == 400)
      #expect(reply.errorCode == "invalidRequest")
      #expect(try await Self.send(emulator, "GET", path).status == 200)
    }
  }

  @Test(arguments: [#"{}"#, #"{"displayName":""}"#, #"{"displayName":3}"#, "{"])
  func listBodiesWithoutANameAre400(body: String) async throws {
    try await withHandler { emulator in
      let reply = try await Self.send(emulator, "POST", "/me/todo/lists", body)
      #expect(reply.status == 400)
    }
  }

  // MARK: Steps

  @Test func stepsAreAddedCheckedRenamedAndDeleted() async throws {
    try await withHandler { emulator in
      let (_, task, _) = try await Self.newTask(emulator)
      let steps = task + "/checklistItems"
      let created = try await Self.send(emulator, "POST", steps, #"{"displayName":"Oat"}"#)
      #expect(created.status == 201)
      #expect(created.json["isChecked"] as? Bool == false)
      #expect(created.json["createdDateTime"] as? String != nil)
      let id = try #require(created.json["id"] as? String)
      let step = steps + "/\(F.escape(id))"
      let checked = try await Self.send(emulator, "PATCH", step, #"{"isChecked":true}"#)
      #expect(checked.status == 200)
      #expect(checked.json["checkedDateTime"] as? String != nil)
      #expect(checked.json["@odata.etag"] as? String != created.json["@odata.etag"] as? String)
      let renamed = try await Self.send(emulator, "PATCH", step, #"{"displayName":"Soy"}"#)
      #expect(renamed.json["displayName"] as? String == "Soy")
      let all = try await Self.send(emulator, "GET", steps)
      #expect((all.json["value"] as? [[String: Any]])?.count == 1)
      #expect(try await Self.send(emulator, "GET", step).json["displayName"] as? String == "Soy")
      #expect(try await Self.send(emulator, "DELETE", step).status == 204)
      #expect(try await Self.send(emulator, "GET", step).status == 404)
      #expect(try await Self.send(emulator, "PATCH", step, #"{"isChecked":false}"#).status == 404)
    }
  }

  @Test(arguments: [#"{}"#, #"{"displayName":""}"#, #"{"displayName":"a","isChecked":"y"}"#])
  func invalidStepBodiesAre400(body: String) async throws {
    try await withHandler { emulator in
      let (_, task, _) = try await Self.newTask(emulator)
      let reply = try await Self.send(emulator, "POST", task + "/checklistItems", body)
      #expect(reply.status == 400)
      #expect(reply.errorCode == "invalidRequest")
    }
  }

  @Test func stepsOfAnUnknownTaskAre404() async throws {
    try await withHandler { emulator in
      let list = try await Self.listPath(emulator, "Tasks")
      let reply = try await Self.send(emulator, "GET", list + "/tasks/nope/checklistItems")
      #expect(reply.status == 404)
    }
  }

  // MARK: Faults

  @Test(arguments: ["task#1=503", "post#1=503", "any#1=503"])
  func writeSelectorsCountTaskWrites(spec: String) async throws {
    try await withHandler({ $0.faults = try FaultPlan(specs: [spec]) }) { emulator in
      let list = try await Self.listPath(emulator, "Tasks")
      let reply = try await Self.send(emulator, "POST", list + "/tasks", #"{"title":"x"}"#)
      #expect(reply.status == 503)
    }
  }

  @Test func patchAndStepSelectorsCountOnlyTheirRequests() async throws {
    try await withHandler({ $0.faults = try FaultPlan(specs: ["patch#1=429", "step#1=500"]) }) {
      emulator in
      let (_, task, _) = try await Self.newTask(emulator)
      #expect(try await Self.send(emulator, "PATCH", task, #"{"title":"y"}"#).status == 429)
      #expect(try await Self.send(emulator, "PATCH", task, #"{"title":"y"}"#).status == 200)
      let steps = task + "/checklistItems"
      #expect(try await Self.send(emulator, "GET", steps).status == 200)
      #expect(try await Self.send(emulator, "POST", steps, #"{"displayName":"a"}"#).status == 500)
    }
  }

  @Test func commitThenDropStoresTheTaskButLosesTheAnswer() async throws {
    try await withHandler({ $0.faults = try FaultPlan(specs: ["task#1=commit-drop"]) }) {
      emulator in
      let list = try await Self.listPath(emulator, "Tasks")
      await #expect(throws: InProcessEmulator.ConnectionDropped.self) {
        _ = try await Self.send(emulator, "POST", list + "/tasks", #"{"title":"Lost answer"}"#)
      }
      let tasks = try await Self.send(emulator, "GET", list + "/tasks?$top=500")
      let titles = (tasks.json["value"] as? [[String: Any]])?.compactMap { $0["title"] as? String }
      #expect(titles?.filter { $0 == "Lost answer" }.count == 1)
    }
  }

  @Test func theNewSelectorsParse() throws {
    let plan = try FaultPlan(specs: [
      "patch#1=500", "list#2=503", "task#*=commit-drop", "step#1+=429",
    ])
    #expect(plan.rules.map(\.selector) == [.patch, .list, .task, .step])
    #expect(FaultPlan.syntaxHelp.contains("patch"))
  }
}
