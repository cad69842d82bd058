import Foundation
import GraphModels

/// A task's file attachments: `…/tasks/{task}/attachments`, `…/attachments/{id}` and
/// `…/attachments/{id}/$value`. Large files arrive through `UploadSessionsResource`.
struct AttachmentsResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case all(listID: String, taskID: String)
    case one(listID: String, taskID: String, attachmentID: String)
    case value(listID: String, taskID: String, attachmentID: String)
  }

  static func match(_ path: TodoPath) -> Route? {
    guard path.word(1) == "tasks", path.word(3) == "attachments" else { return nil }
    switch path.count {
    case 4: return .all(listID: path[0], taskID: path[2])
    case 5 where path.word(4) != "createuploadsession":
      return .one(listID: path[0], taskID: path[2], attachmentID: path[4])
    case 6 where path.word(5) == "$value":
      return .value(listID: path[0], taskID: path[2], attachmentID: path[4])
    default: return nil
    }
  }

  /// The largest JSON body of a small-attachment POST.
  static let bodyLimit = 8_000_000
  /// The largest file a small-attachment POST may carry; larger ones need an upload session.
  static let contentLimit = 3_000_000

  func respond(_ route: Route, _ call: Call) async -> Handler.Outcome {
    switch (call.method, route) {
    case (.get, .all(let listID, let taskID)): return await all(listID, taskID, call)
    case (.post, .all(let listID, let taskID)): return .respond(await create(listID, taskID, call))
    case (.get, .one(let listID, let taskID, let id)): return await one(listID, taskID, id, call)
    case (.delete, .one(let listID, let taskID, let id)):
      guard await store.deleteAttachment(listID: listID, taskID: taskID, attachmentID: id) else {
        return call.notFound("attachment")
      }
      return .respond(call.out.empty(.noContent))
    case (.get, .value(let listID, let taskID, let id)):
      guard
        let record = await store.attachmentRecord(listID: listID, taskID: taskID, attachmentID: id)
      else { return call.notFound("attachment") }
      return .respond(call.out.bytes(record.bytes, contentType: record.contentType))
    default: return call.notAllowed()
    }
  }

  private func context(_ listID: String, _ taskID: String) -> String {
    "$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks('\(taskID)')/attachments"
  }

  private func all(_ listID: String, _ taskID: String, _ call: Call) async -> Handler.Outcome {
    guard let attachments = await store.attachments(listID: listID, taskID: taskID) else {
      return call.notFound("task")
    }
    return .respond(
      call.page(
        attachments, options: options, context: "\(call.base)/\(context(listID, taskID))",
        fields: Self.field
      ) { attachment in .object(Self.members(attachment)) })
  }

  private func one(_ listID: String, _ taskID: String, _ id: String, _ call: Call) async
    -> Handler.Outcome
  {
    guard
      let record = await store.attachmentRecord(listID: listID, taskID: taskID, attachmentID: id)
    else { return call.notFound("attachment") }
    var value = Self.members(record.model)
    value["@odata.context"] = .string("\(call.base)/\(context(listID, taskID))/$entity")
    value["contentBytes"] = .string(Data(record.bytes).base64EncodedString())
    return .respond(call.out.json(.ok, .object(value)))
  }

  /// `POST …/attachments` with the file inline as base64 (files of at most 3 MB).
  private func create(_ listID: String, _ taskID: String, _ call: Call) async -> Answer {
    let out = call.out
    guard case .bytes(let bytes) = await call.readPlainBody(limit: Self.bodyLimit) else {
      return out.error(400, "BadRequest", "Maximum request length exceeded.")
    }
    guard let raw = try? GraphJSON.decoder().decode(JSONValue.self, from: Data(bytes)) else {
      return out.error(400, "BadRequest", "Unable to read JSON request payload.")
    }
    guard let name = raw[caseInsensitive: "name"]?.stringValue, !name.isEmpty,
      let base64 = raw[caseInsensitive: "contentBytes"]?.stringValue
    else {
      return out.error(400, "invalidRequest", "The name and contentBytes properties are required.")
    }
    guard let content = Data(base64Encoded: base64) else {
      return out.error(400, "invalidRequest", "contentBytes is not valid base64.")
    }
    guard content.count <= Self.contentLimit else {
      return out.error(400, "BadRequest", "Maximum request length exceeded.")
    }
    let contentType = raw[caseInsensitive: "contentType"]?.stringValue ?? "application/octet-stream"
    guard
      let attachment = await store.addAttachment(
        listID: listID, taskID: taskID, name: name, contentType: contentType, bytes: Array(content),
        now: out.now)
    else {
      return out.error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    }
    return out.json(.created, .object(Self.members(attachment)))
  }

  /// An attachment as JSON with its OData type (never its bytes).
  static func members(_ attachment: TaskFileAttachment) -> [String: JSONValue] {
    var value = GraphObject.members(attachment)
    value["@odata.type"] = .string("#microsoft.graph.taskFileAttachment")
    return value
  }

  /// An attachment's value for `$filter`.
  static func field(_ attachment: TaskFileAttachment, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return attachment.id
    case "name": return attachment.name
    case "contenttype": return attachment.contentType
    default: return nil
    }
  }
}
