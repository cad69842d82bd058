import Foundation
import GraphModels
import HTTPTypes

/// Upload sessions: `…/attachments/createUploadSession`, the session's URL (status GET and
/// cancel DELETE) and `{uploadUrl}/content` (chunk PUTs).
struct UploadSessionsResource: Sendable {
  let store: EmulatorStore
  let options: EmulatorOptions

  enum Route: Equatable {
    case create(listID: String, taskID: String)
    case session(id: String)
    case content(id: String)

    /// The upload session the route names, if any.
    var sessionID: String? {
      switch self {
      case .create: return nil
      case .session(let id), .content(let id): return id
      }
    }
  }

  static func match(_ path: TodoPath) -> Route? {
    guard path.word(1) == "tasks" else { return nil }
    switch (path.count, path.word(3)) {
    case (5, "attachments") where path.word(4) == "createuploadsession":
      return .create(listID: path[0], taskID: path[2])
    case (5, "attachmentsessions"): return .session(id: path[4])
    case (6, "attachmentsessions") where path.word(5) == "content": return .content(id: path[4])
    default: return nil
    }
  }

  /// The largest createUploadSession body.
  static let bodyLimit = 65_536

  func respond<W: Wire & ~Copyable>(_ route: Route, _ call: Call, wire: borrowing W) async
    -> Handler.Outcome
  {
    switch (call.method, route) {
    case (.post, .create(let listID, let taskID)):
      return .respond(await create(listID, taskID, call))
    case (.get, .session(let id)): return .respond(await status(id, call))
    case (.delete, .session(let id)):
      guard await store.cancelSession(id, now: call.out.now) else {
        return call.notFound("upload session")
      }
      return .respond(call.out.empty(.noContent))
    case (.put, .session):
      // The SDK helpers' failure mode: PUT to the session URL without `/content`.
      return .respond(call.out.error(404, "UnknownError", "Unknown Error"))
    case (.put, .content(let id)): return await putChunk(id, call, wire: wire)
    default: return call.notAllowed()
    }
  }

  /// `NextExpectedRanges` entry in the configured form: `"N"` (documented) or `"N-"`.
  func rangeText(_ next: Int) -> String {
    options.rangeForm == .bare ? "\(next)" : "\(next)-"
  }

  /// `…/lists/{l}/tasks/{t}` under `users/{id}`, the form upload URLs and Locations use.
  private func taskPath(_ base: String, listID: String, taskID: String) -> String {
    let (list, task) = (GraphObject.escape(listID), GraphObject.escape(taskID))
    return "\(base)/users/\(store.userID)/todo/lists/\(list)/tasks/\(task)"
  }

  // MARK: Create

  private func create(_ listID: String, _ taskID: String, _ call: Call) async -> Answer {
    let out = call.out
    guard case .bytes(let bytes) = await call.readPlainBody(limit: Self.bodyLimit) else {
      return out.error(400, "BadRequest", "The request body is too large.")
    }
    let info: SessionInfo
    switch Self.validateCreate(bytes) {
    case .failure(let rejection): return rejection.answer(out)
    case .success(let valid): info = valid
    }
    guard
      let session = await store.createSession(
        listID: listID, taskID: taskID, name: info.name, size: info.size,
        contentType: info.contentType, now: out.now)
    else {
      return out.error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    }
    let uploadURL =
      taskPath(call.base, listID: listID, taskID: taskID)
      + "/attachmentSessions/\(GraphObject.escape(session.id))"
    return out.json(
      HTTPResponse.Status(code: options.createStatus),
      .object([
        "@odata.context": .string("\(call.base)/$metadata#microsoft.graph.uploadSession"),
        "uploadUrl": .string(uploadURL),
        "expirationDateTime": .string(GraphDate.format(session.expiresAt)),
        "nextExpectedRanges": .array([.string("0-")]),
      ]))
  }

  /// A createUploadSession body's `attachmentInfo`, checked.
  struct SessionInfo: Equatable {
    var name: String
    var size: Int64
    var contentType: String
  }

  /// Checks a createUploadSession body. Pure: the store is not touched.
  static func validateCreate(_ bytes: [UInt8]) -> Result<SessionInfo, Rejection> {
    guard let raw = try? GraphJSON.decoder().decode(JSONValue.self, from: Data(bytes)) else {
      return .failure(Rejection(400, "BadRequest", "Unable to read JSON request payload."))
    }
    guard let info = raw[caseInsensitive: "attachmentInfo"],
      let name = info[caseInsensitive: "name"]?.stringValue, !name.isEmpty,
      let sizeValue = info[caseInsensitive: "size"]?.numberValue, sizeValue.rounded() == sizeValue
    else {
      return .failure(
        Rejection(
          400, "invalidRequest", "attachmentInfo with attachmentType, name and size is required."))
    }
    guard info[caseInsensitive: "attachmentType"]?.stringValue?.lowercased() == "file" else {
      return .failure(Rejection(400, "invalidRequest", "attachmentType must be 'file'."))
    }
    let size = Int64(sizeValue)
    guard size >= 0 else {
      return .failure(Rejection(400, "invalidRequest", "size must not be negative."))
    }
    guard size <= UploadLimits.maxFileSize else {
      return .failure(
        Rejection(
          400, "invalidRequest",
          "The attachment size exceeds the maximum of \(UploadLimits.maxFileSize) bytes."))
    }
    let contentType =
      info[caseInsensitive: "contentType"]?.stringValue ?? "application/octet-stream"
    return .success(SessionInfo(name: name, size: size, contentType: contentType))
  }

  // MARK: Status

  private func status(_ sessionID: String, _ call: Call) async -> Answer {
    let out = call.out
    guard options.statusGet else {
      return out.error(
        405, "MethodNotAllowed", "The HTTP method 'GET' is not supported for this resource.")
    }
    guard let session = await store.openSession(sessionID, now: out.now) else {
      return out.error(
        404, "ErrorItemNotFound",
        "The specified object was not found in the store. (upload session)")
    }
    return out.json(
      .ok,
      .object([
        "@odata.context": .string(
          "\(call.base)/$metadata#users('\(store.userID)')/todo/lists('\(session.listID)')/tasks('\(session.taskID)')/attachmentSessions/$entity"
        ),
        "id": .string(session.id),
        "expirationDateTime": .string(GraphDate.format(session.expiresAt)),
        "nextExpectedRanges": .array([.string(rangeText(session.data.count))]),
      ]))
  }

  // MARK: Chunks

  /// `PUT {uploadUrl}/content`: validate the headers, invite and read the body, then commit.
  private func putChunk<W: Wire & ~Copyable>(_ sessionID: String, _ call: Call, wire: borrowing W)
    async -> Handler.Outcome
  {
    let (request, out) = (call.request, call.out)
    guard let session = await store.openSession(sessionID, now: out.now) else {
      return .respond(Self.sessionGone.answer(out))
    }
    let chunk: ValidChunk
    switch Self.validateChunk(
      contentRange: request.headers[Responses.contentRangeName],
      contentLength: request.headers[.contentLength], sessionSize: session.size,
      sessionOffset: Int64(session.data.count), options: options)
    {
    case .failure(let rejection): return .respond(rejection.answer(out))
    case .success(let valid): chunk = valid
    }
    if options.answerExpectContinue, request.headers[.expect]?.lowercased() == "100-continue" {
      await wire.sendContinue()
    }
    let bytes: [UInt8]
    switch await call.readBody(limit: Int(chunk.length)) {
    case .dropped, .failed: return .dropped
    case .tooLarge:
      return .respond(out.error(400, "invalidRequest", "The body is longer than Content-Length."))
    case .bytes(let data): bytes = data
    }
    guard Int64(bytes.count) == chunk.length else {
      return .respond(
        out.error(400, "invalidRequest", "The body length does not match Content-Length."))
    }
    let outcome = await store.appendChunk(
      sessionID: sessionID, offset: chunk.range.first, bytes: bytes, now: Date())
    if call.body.commitThenDrop {
      await call.close()
      return .dropped
    }
    if call.body.overclaim, case .accepted(let next, let expiresAt) = outcome {
      // A broken server: it claims the next chunk too, which was never sent.
      let claimed = EmulatorStore.ChunkOutcome.accepted(
        next: next + Int64(bytes.count), expiresAt: expiresAt)
      return .respond(answer(claimed, session: session, call))
    }
    return .respond(answer(outcome, session: session, call))
  }

  static let sessionGone = Rejection(
    404, "ErrorItemNotFound", "The upload session was not found or has expired.")

  /// The answer to a stored chunk: the next range, or `201` with the attachment's Location.
  private func answer(
    _ outcome: EmulatorStore.ChunkOutcome, session: EmulatorStore.SessionRecord, _ call: Call
  ) -> Answer {
    switch outcome {
    case .gone:
      return Self.sessionGone.answer(call.out)
    case .accepted(let next, let expiresAt):
      let keys =
        options.intermediateKeys == .pascal
        ? ("ExpirationDateTime", "NextExpectedRanges")
        : ("expirationDateTime", "nextExpectedRanges")
      return call.out.json(
        .ok,
        .object([
          keys.0: .string(GraphDate.format(expiresAt)),
          keys.1: .array([.string(rangeText(Int(next)))]),
        ]))
    case .completed(let attachment):
      let id =
        switch options.locationForm {
        case .path: GraphObject.escape(attachment.id)
        case .odataKey: "('\(attachment.id)')"
        case .controls: GraphObject.escape(attachment.id) + "%1B%07%C2%9B%7F"
        }
      let separator = options.locationForm == .odataKey ? "" : "/"
      var extra = HTTPFields()
      extra[.location] =
        taskPath(call.base, listID: session.listID, taskID: session.taskID)
        + "/Attachments\(separator)\(id)"
      return call.out.empty(.created, extra: extra)
    }
  }
}
