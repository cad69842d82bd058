import Foundation
import GraphModels

/// The members a task POST or PATCH sets. A double optional is "leave" (nil), "clear"
/// (`.some(nil)`) or "set".
struct TaskChanges: Sendable {
  var title: String?
  var status: String?
  var importance: String?
  var isReminderOn: Bool?
  var categories: [String]?
  var body: ItemBody?
  var dueDateTime: DateTimeTimeZone??
  var completedDateTime: DateTimeTimeZone??

  /// Applies the changes; `completedDateTime` follows `status` (set on entering `completed`,
  /// cleared on leaving it) unless the request set it.
  func apply(to task: inout TodoTask, now: Date) {
    if let title { task.title = title }
    if let importance { task.importance = importance }
    if let isReminderOn { task.isReminderOn = isReminderOn }
    if let categories { task.categories = categories }
    if let body { task.body = body }
    if let dueDateTime { task.dueDateTime = dueDateTime }
    if let status {
      let was = task.status
      task.status = status
      if status == "completed", was != "completed" {
        task.completedDateTime = DateTimeTimeZone(
          dateTime: String(GraphDate.format(now).dropLast()), timeZone: "UTC")
      } else if status != "completed" {
        task.completedDateTime = nil
      }
    }
    if let completedDateTime { task.completedDateTime = completedDateTime }
  }
}

/// Reading and checking the JSON bodies of writes; a problem is the Graph error to answer.
enum WriteBodies {
  struct Invalid: Error {
    var answer: Answer
  }

  static let bodyLimit = 1_000_000

  /// Members of todoTask that are read-only or not modelled here: accepted and ignored.
  static let ignoredTaskMembers: Set<String> = [
    "id", "createddatetime", "lastmodifieddatetime", "bodylastmodifieddatetime", "hasattachments",
    "reminderdatetime", "startdatetime", "recurrence",
  ]

  /// The request body as a JSON object.
  static func object(_ call: Call) async throws(Invalid) -> [String: JSONValue] {
    let out = call.out
    guard case .bytes(let bytes) = await call.readPlainBody(limit: bodyLimit) else {
      throw Invalid(answer: out.error(400, "BadRequest", "Maximum request length exceeded."))
    }
    guard let value = try? GraphJSON.decoder().decode(JSONValue.self, from: Data(bytes)),
      case .object(let members) = value
    else {
      throw Invalid(
        answer: out.error(400, "BadRequest", "Unable to read JSON request payload."))
    }
    return members.filter { !$0.key.hasPrefix("@odata.") }
  }

  static func invalid(_ call: Call, _ message: String) -> Invalid {
    Invalid(answer: call.out.error(400, "invalidRequest", message))
  }

  /// A task POST (`creating`: `title` is required) or PATCH body.
  static func task(_ call: Call, creating: Bool) async throws(Invalid) -> TaskChanges {
    let members = try await object(call)
    var changes = TaskChanges()
    for (key, value) in members {
      switch key.lowercased() {
      case "title": changes.title = try string(call, key, value)
      case "status": changes.status = try choice(call, key, value, TodoValues.statuses)
      case "importance": changes.importance = try choice(call, key, value, TodoValues.importances)
      case "isreminderon":
        guard case .bool(let flag) = value else { throw invalid(call, "\(key) must be a boolean.") }
        changes.isReminderOn = flag
      case "categories":
        guard let items = value.arrayValue?.compactMap(\.stringValue),
          items.count == value.arrayValue?.count
        else { throw invalid(call, "\(key) must be an array of strings.") }
        changes.categories = items
      case "body": changes.body = try itemBody(call, value)
      case "duedatetime": changes.dueDateTime = .some(try dateTime(call, key, value))
      case "completeddatetime": changes.completedDateTime = .some(try dateTime(call, key, value))
      case let other where ignoredTaskMembers.contains(other): continue
      default:
        throw invalid(
          call, "The property '\(key)' does not exist on type 'microsoft.graph.todoTask'.")
      }
    }
    if creating, (changes.title ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
      throw invalid(call, "The title property is required and cannot be empty.")
    }
    if !creating, let title = changes.title, title.trimmingCharacters(in: .whitespaces).isEmpty {
      throw invalid(call, "The title cannot be empty.")
    }
    return changes
  }

  /// A list POST or PATCH body: `displayName`, a non-empty string.
  static func listName(_ call: Call) async throws(Invalid) -> String {
    let members = try await object(call)
    var name: String?
    for (key, value) in members {
      switch key.lowercased() {
      case "displayname": name = try string(call, key, value)
      case "id", "isowner", "isshared", "wellknownlistname": continue
      default:
        throw invalid(
          call, "The property '\(key)' does not exist on type 'microsoft.graph.todoTaskList'.")
      }
    }
    guard let name, !name.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw invalid(call, "The displayName property is required and cannot be empty.")
    }
    return name
  }

  /// A step POST (`creating`: `displayName` is required) or PATCH body.
  static func checklistItem(_ call: Call, creating: Bool) async throws(Invalid)
    -> ChecklistItemPatch
  {
    let members = try await object(call)
    var patch = ChecklistItemPatch()
    for (key, value) in members {
      switch key.lowercased() {
      case "displayname": patch.displayName = try string(call, key, value)
      case "ischecked":
        guard case .bool(let flag) = value else { throw invalid(call, "\(key) must be a boolean.") }
        patch.isChecked = flag
      case "id", "createddatetime", "checkeddatetime": continue
      default:
        throw invalid(
          call, "The property '\(key)' does not exist on type 'microsoft.graph.checklistItem'.")
      }
    }
    let name = patch.displayName?.trimmingCharacters(in: .whitespaces)
    if (creating && name == nil) || name?.isEmpty == true {
      throw invalid(call, "The displayName property is required and cannot be empty.")
    }
    return patch
  }

  // MARK: Members

  static func string(_ call: Call, _ key: String, _ value: JSONValue) throws(Invalid) -> String {
    guard let text = value.stringValue else { throw invalid(call, "\(key) must be a string.") }
    return text
  }

  static func choice(_ call: Call, _ key: String, _ value: JSONValue, _ allowed: [String])
    throws(Invalid) -> String
  {
    let text = try string(call, key, value)
    guard let match = allowed.first(where: { $0.lowercased() == text.lowercased() }) else {
      throw invalid(
        call,
        "Requested value '\(text)' was not found for \(key); expected one of "
          + allowed.joined(separator: ", ") + ".")
    }
    return match
  }

  static func itemBody(_ call: Call, _ value: JSONValue) throws(Invalid) -> ItemBody {
    guard case .object = value, let content = value[caseInsensitive: "content"]?.stringValue
    else { throw invalid(call, "body must be an itemBody with a content string.") }
    let kind = value[caseInsensitive: "contentType"]?.stringValue ?? "text"
    guard ["text", "html"].contains(kind.lowercased()) else {
      throw invalid(call, "body.contentType must be text or html.")
    }
    return ItemBody(content: content, contentType: kind.lowercased())
  }

  /// A `dateTimeTimeZone` or null.
  static func dateTime(_ call: Call, _ key: String, _ value: JSONValue) throws(Invalid)
    -> DateTimeTimeZone?
  {
    if case .null = value { return nil }
    guard case .object = value, let text = value[caseInsensitive: "dateTime"]?.stringValue,
      let zone = value[caseInsensitive: "timeZone"]?.stringValue,
      GraphDate.parse(text.hasSuffix("Z") ? text : text + "Z") != nil
    else {
      throw invalid(
        call, "\(key) must be a dateTimeTimeZone: {\"dateTime\": \"…\", \"timeZone\": \"…\"}.")
    }
    return DateTimeTimeZone(dateTime: text, timeZone: zone)
  }
}

extension Call {
  /// The answer to a write that has changed the store; a commit-then-drop fault closes the
  /// connection instead, so the client never learns the write happened.
  func committed(_ answer: Answer) async -> Handler.Outcome {
    guard body.commitThenDrop else { return .respond(answer) }
    await close()
    return .dropped
  }
}
