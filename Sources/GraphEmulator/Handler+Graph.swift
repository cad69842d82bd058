import Foundation
import GraphModels
import HTTPTypes
import HummingbirdCore
import NIOCore

extension Handler {
  func graph(
    _ request: Request, route: Route, out: Responses, body: BodyFaults,
    writer: borrowing ResponseWriter, channel: any Channel
  ) async -> Outcome {
    let method = request.method
    func notAllowed() -> Outcome {
      .respond(
        out.error(
          405, "MethodNotAllowed",
          "The HTTP method '\(method.rawValue)' is not supported for this resource."))
    }
    func notFound(_ what: String) -> Outcome {
      .respond(
        out.error(
          404, "ErrorItemNotFound", "The specified object was not found in the store. (\(what))"))
    }
    // Answers name the version the request used (`v1.0` or `beta`).
    let version = request.uri.path.split(separator: "/").first.map(String.init) ?? "v1.0"
    let base = "http://\(request.head.authority ?? "\(options.host)")/\(version)"
    switch route {
    case .me:
      guard method == .get else { return notAllowed() }
      return .respond(
        out.json(
          .ok,
          .object([
            "@odata.context": .string("\(base)/$metadata#users/$entity"),
            "id": .string(store.userID), "displayName": .string(store.userName),
            "userPrincipalName": .string(store.userPrincipalName),
          ])))

    case .lists:
      guard method == .get else { return notAllowed() }
      let lists = await store.lists()
      return .respond(
        page(
          lists, request: request, out: out,
          context: "\(base)/$metadata#users('\(store.userID)')/todo/lists",
          fields: Self.listField
        ) { list in
          var value = Self.object(list)
          value["@odata.type"] = .string("#microsoft.graph.todoTaskList")
          value["@odata.etag"] = .string("W/\"\(list.id.prefix(12))\"")
          return .object(value)
        })

    case .list(let listID):
      guard method == .get else { return notAllowed() }
      guard let list = await store.lists().first(where: { $0.id == listID }) else {
        return notFound("list")
      }
      return .respond(
        out.encodable(
          .ok, list, context: "\(base)/$metadata#users('\(store.userID)')/todo/lists/$entity"))

    case .tasks(let listID):
      guard method == .get else { return notAllowed() }
      guard let tasks = await store.tasks(listID: listID) else { return notFound("list") }
      return .respond(
        page(
          tasks, request: request, out: out,
          context: "\(base)/$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks",
          fields: Self.taskField
        ) { task in
          var value = Self.object(task)
          value["@odata.etag"] = .string("W/\"\(task.id.suffix(16))\"")
          return .object(value)
        })

    case .task(let listID, let taskID):
      guard method == .get else { return notAllowed() }
      guard let task = await store.task(listID: listID, taskID: taskID) else {
        return notFound("task")
      }
      var value = Self.object(task)
      value["@odata.etag"] = .string("W/\"\(task.id.suffix(16))\"")
      value["@odata.context"] = .string(
        "\(base)/$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks/$entity")
      return .respond(out.json(.ok, .object(value)))

    case .attachments(let listID, let taskID):
      if method == .post {
        return await createSmallAttachment(
          request, listID: listID, taskID: taskID, out: out, channel: channel)
      }
      guard method == .get else { return notAllowed() }
      guard let attachments = await store.attachments(listID: listID, taskID: taskID) else {
        return notFound("task")
      }
      return .respond(
        page(
          attachments, request: request, out: out,
          context:
            "\(base)/$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks('\(taskID)')/attachments",
          fields: Self.attachmentField
        ) { attachment in
          var value = Self.object(attachment)
          value["@odata.type"] = .string("#microsoft.graph.taskFileAttachment")
          return .object(value)
        })

    case .attachment(let listID, let taskID, let attachmentID):
      switch method {
      case .get:
        guard
          let record = await store.attachmentRecord(
            listID: listID, taskID: taskID, attachmentID: attachmentID)
        else { return notFound("attachment") }
        var value = Self.object(record.model)
        value["@odata.type"] = .string("#microsoft.graph.taskFileAttachment")
        value["@odata.context"] = .string(
          "\(base)/$metadata#users('\(store.userID)')/todo/lists('\(listID)')/tasks('\(taskID)')/attachments/$entity"
        )
        value["contentBytes"] = .string(Data(record.bytes).base64EncodedString())
        return .respond(out.json(.ok, .object(value)))
      case .delete:
        guard
          await store.deleteAttachment(listID: listID, taskID: taskID, attachmentID: attachmentID)
        else {
          return notFound("attachment")
        }
        return .respond(out.empty(.noContent))
      default: return notAllowed()
      }

    case .attachmentValue(let listID, let taskID, let attachmentID):
      guard method == .get else { return notAllowed() }
      guard
        let record = await store.attachmentRecord(
          listID: listID, taskID: taskID, attachmentID: attachmentID)
      else { return notFound("attachment") }
      return .respond(out.bytes(record.bytes, contentType: record.contentType))

    case .createSession(let listID, let taskID):
      guard method == .post else { return notAllowed() }
      return await createSession(
        request, listID: listID, taskID: taskID, out: out, base: base, channel: channel)

    case .session(let sessionID):
      switch method {
      case .get:
        guard options.statusGet else {
          return .respond(
            out.error(
              405, "MethodNotAllowed", "The HTTP method 'GET' is not supported for this resource."))
        }
        guard let session = await store.openSession(sessionID, now: out.now) else {
          return notFound("upload session")
        }
        return .respond(
          out.json(
            .ok,
            .object([
              "@odata.context": .string(
                "\(base)/$metadata#users('\(store.userID)')/todo/lists('\(session.listID)')/tasks('\(session.taskID)')/attachmentSessions/$entity"
              ),
              "id": .string(session.id),
              "expirationDateTime": .string(GraphDate.format(session.expiresAt)),
              "nextExpectedRanges": .array([.string(rangeText(session.data.count))]),
            ])))
      case .delete:
        guard await store.cancelSession(sessionID, now: out.now) else {
          return notFound("upload session")
        }
        return .respond(out.empty(.noContent))
      case .put:
        // The SDK helpers' failure mode: PUT to the session URL without `/content`.
        return .respond(out.error(404, "UnknownError", "Unknown Error"))
      default: return notAllowed()
      }

    case .sessionContent(let sessionID):
      guard method == .put else { return notAllowed() }
      return await putChunk(
        request, sessionID: sessionID, out: out, base: base, body: body, writer: writer,
        channel: channel)

    case .deviceCode, .token, .approveHook, .devicePage, .unknown:
      return .respond(out.error(400, "BadRequest", "Unsupported request."))
    }
  }

  /// `NextExpectedRanges` entry in the configured form: `"N"` (documented) or `"N-"`.
  func rangeText(_ next: Int) -> String {
    options.rangeForm == .bare ? "\(next)" : "\(next)-"
  }

  static func listField(_ list: TodoTaskList, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return list.id
    case "displayname": return list.displayName
    case "wellknownlistname": return list.wellknownListName
    case "isowner": return list.isOwner.map(String.init)
    case "isshared": return list.isShared.map(String.init)
    default: return nil
    }
  }

  static func taskField(_ task: TodoTask, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return task.id
    case "title": return task.title
    case "status": return task.status
    case "importance": return task.importance
    case "body/content": return task.body?.content
    case "duedatetime/datetime": return task.dueDateTime?.dateTime
    case "completeddatetime/datetime": return task.completedDateTime?.dateTime
    case "hasattachments": return task.hasAttachments.map(String.init)
    default: return nil
    }
  }

  static func attachmentField(_ attachment: TaskFileAttachment, _ field: String) -> String? {
    switch field.lowercased() {
    case "id": return attachment.id
    case "name": return attachment.name
    case "contenttype": return attachment.contentType
    default: return nil
    }
  }

  static func object(_ value: some Encodable) -> [String: JSONValue] {
    guard let data = try? GraphJSON.encoder().encode(value),
      case .object(let members) = (try? GraphJSON.decoder().decode(JSONValue.self, from: data))
        ?? .null
    else { return [:] }
    return members
  }

  /// One page of a collection; `$top` is honoured up to the maximum, `$skiptoken` is opaque.
  func page<Item>(
    _ all: [Item], request: Request, out: Responses, context: String,
    fields: (Item, String) -> String?, render: (Item) -> JSONValue
  ) -> Response {
    let query = Self.query(request)
    let (selection, problem) = QueryOptions.parse(query)
    if let problem { return out.error(400, "BadRequest", problem) }
    let items =
      selection.terms.isEmpty
      ? all
      : all.filter { item in
        selection.matches { fields(item, $0) }
      }
    var size = options.defaultPageSize
    if let top = query["$top"] {
      guard let value = Int(top), value >= 0 else {
        return out.error(400, "BadRequest", "Invalid value '\(top)' for query option $top.")
      }
      size = min(max(value, 1), options.maxPageSize)
    }
    var skip = 0
    if let token = query["$skiptoken"] {
      guard let data = Data(base64Encoded: token),
        let text = String(data: data, encoding: .utf8), text.hasPrefix("skip="),
        let value = Int(text.dropFirst(5)), value >= 0
      else { return out.error(400, "BadRequest", "The $skiptoken is not valid.") }
      skip = value
    }
    // Render only this page: a 5,000-task list must not be encoded whole for every request.
    let slice = items.dropFirst(skip).prefix(size).map { item -> JSONValue in
      guard selection.select != nil, case .object(let members) = render(item) else {
        return render(item)
      }
      return .object(selection.project(members))
    }
    var body: [String: JSONValue] = ["@odata.context": .string(context), "value": .array(slice)]
    if skip + size < items.count {
      let token = Data("skip=\(skip + size)".utf8).base64EncodedString()
      let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
      let authority = request.head.authority ?? options.host
      // The link carries the request's other options ($filter, $select…), as Graph's do.
      let kept = (request.uri.query ?? "").split(separator: "&").filter { pair in
        let name = (pair.split(separator: "=").first.map(String.init) ?? "").removingPercentEncoding
        return name != "$top" && name != "$skiptoken"
      }
      let prefix = kept.isEmpty ? "" : kept.joined(separator: "&") + "&"
      body["@odata.nextLink"] = .string(
        "http://\(authority)\(request.uri.path)?\(prefix)$top=\(size)&$skiptoken=\(encoded)")
    }
    return out.json(.ok, .object(body))
  }

  // MARK: Attachments

  func createSmallAttachment(
    _ request: Request, listID: String, taskID: String, out: Responses, channel: any Channel
  )
    async -> Outcome
  {
    guard
      case .bytes(let bytes) = await readBody(
        request, limit: 8_000_000, faults: BodyFaults(), channel: channel)
    else {
      return .respond(out.error(400, "BadRequest", "Maximum request length exceeded."))
    }
    guard let raw = try? GraphJSON.decoder().decode(JSONValue.self, from: Data(bytes)) else {
      return .respond(out.error(400, "BadRequest", "Unable to read JSON request payload."))
    }
    guard let name = raw[caseInsensitive: "name"]?.stringValue, !name.isEmpty,
      let base64 = raw[caseInsensitive: "contentBytes"]?.stringValue
    else {
      return .respond(
        out.error(400, "invalidRequest", "The name and contentBytes properties are required."))
    }
    guard let content = Data(base64Encoded: base64) else {
      return .respond(out.error(400, "invalidRequest", "contentBytes is not valid base64."))
    }
    guard content.count <= 3_000_000 else {
      return .respond(out.error(400, "BadRequest", "Maximum request length exceeded."))
    }
    let contentType = raw[caseInsensitive: "contentType"]?.stringValue ?? "application/octet-stream"
    guard
      let attachment = await store.addAttachment(
        listID: listID, taskID: taskID, name: name, contentType: contentType, bytes: Array(content),
        now: out.now)
    else {
      return .respond(
        out.error(404, "ErrorItemNotFound", "The specified object was not found in the store."))
    }
    var value = Self.object(attachment)
    value["@odata.type"] = .string("#microsoft.graph.taskFileAttachment")
    return .respond(out.json(.created, .object(value)))
  }

  // MARK: Upload sessions

  func createSession(
    _ request: Request, listID: String, taskID: String, out: Responses, base: String,
    channel: any Channel
  )
    async -> Outcome
  {
    guard
      case .bytes(let bytes) = await readBody(
        request, limit: 65_536, faults: BodyFaults(), channel: channel)
    else {
      return .respond(out.error(400, "BadRequest", "The request body is too large."))
    }
    guard let raw = try? GraphJSON.decoder().decode(JSONValue.self, from: Data(bytes)) else {
      return .respond(out.error(400, "BadRequest", "Unable to read JSON request payload."))
    }
    guard let info = raw[caseInsensitive: "attachmentInfo"],
      let name = info[caseInsensitive: "name"]?.stringValue, !name.isEmpty,
      let sizeValue = info[caseInsensitive: "size"]?.numberValue, sizeValue.rounded() == sizeValue
    else {
      return .respond(
        out.error(
          400, "invalidRequest", "attachmentInfo with attachmentType, name and size is required."))
    }
    guard info[caseInsensitive: "attachmentType"]?.stringValue?.lowercased() == "file" else {
      return .respond(out.error(400, "invalidRequest", "attachmentType must be 'file'."))
    }
    let size = Int64(sizeValue)
    guard size >= 0 else {
      return .respond(out.error(400, "invalidRequest", "size must not be negative."))
    }
    guard size <= UploadLimits.maxFileSize else {
      return .respond(
        out.error(
          400, "invalidRequest",
          "The attachment size exceeds the maximum of \(UploadLimits.maxFileSize) bytes."))
    }
    let contentType =
      info[caseInsensitive: "contentType"]?.stringValue ?? "application/octet-stream"
    guard
      let session = await store.createSession(
        listID: listID, taskID: taskID, name: name, size: size, contentType: contentType,
        now: out.now)
    else {
      return .respond(
        out.error(404, "ErrorItemNotFound", "The specified object was not found in the store."))
    }
    let uploadURL =
      "\(base)/users/\(store.userID)/todo/lists/\(Self.escape(listID))/tasks/\(Self.escape(taskID))/attachmentSessions/\(Self.escape(session.id))"
    return .respond(
      out.json(
        HTTPResponse.Status(code: options.createStatus),
        .object([
          "@odata.context": .string("\(base)/$metadata#microsoft.graph.uploadSession"),
          "uploadUrl": .string(uploadURL),
          "expirationDateTime": .string(GraphDate.format(session.expiresAt)),
          "nextExpectedRanges": .array([.string("0-")]),
        ])))
  }

  /// Percent-encodes a path segment (ids may hold `=`; `/` would split the path).
  static func escape(_ segment: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~=!$&'()*+,;:@")
    return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
  }

  func putChunk(
    _ request: Request, sessionID: String, out: Responses, base: String, body: BodyFaults,
    writer: borrowing ResponseWriter, channel: any Channel
  ) async -> Outcome {
    guard let session = await store.openSession(sessionID, now: out.now) else {
      return .respond(
        out.error(404, "ErrorItemNotFound", "The upload session was not found or has expired."))
    }
    guard let header = request.headers[Responses.contentRangeName],
      let range = ContentRange(parsing: header)
    else {
      return .respond(
        out.error(400, "invalidRequest", "The Content-Range header is missing or malformed."))
    }
    guard range.total == session.size else {
      return .respond(
        out.error(
          400, "invalidRequest",
          "The Content-Range total \(range.total) does not match the session size \(session.size).")
      )
    }
    guard let lengthText = request.headers[.contentLength], let length = Int64(lengthText) else {
      return .respond(out.error(400, "invalidRequest", "The Content-Length header is required."))
    }
    guard length == range.length else {
      return .respond(
        out.error(
          400, "invalidRequest",
          "Content-Length \(length) does not match Content-Range length \(range.length)."))
    }
    guard length <= UploadLimits.maxChunkSize else {
      return .respond(
        out.error(
          options.oversizeChunkStatus,
          options.oversizeChunkStatus == 413 ? "RequestEntityTooLarge" : "invalidRequest",
          "The upper limit of the number of bytes for each PUT operation is \(UploadLimits.maxChunkSize)."
        ))
    }
    let isLast = range.last == session.size - 1
    if options.enforceFragmentMultiple, !isLast, length % UploadLimits.fragmentMultiple != 0 {
      return .respond(
        out.error(
          400, "invalidRequest", "Each fragment but the last must be a multiple of 320 KiB."))
    }
    let expected = Int64(session.data.count)
    if range.first > expected {
      switch options.gap {
      case .rangeError:
        return .respond(
          out.error(
            416, "invalidRange", "The uploaded fragment is out of order.",
            innerCode: "fragmentOutOfOrder"))
      case .badRequest:
        return .respond(out.error(400, "invalidRequest", "The uploaded fragment is out of order."))
      }
    }
    if range.first < expected, options.overlap == .rangeError {
      return .respond(
        out.error(
          416, "invalidRange", "Uploaded fragment overlaps with existing data.",
          innerCode: "fragmentOverlap"))
    }
    if options.answerExpectContinue, request.headers[.expect]?.lowercased() == "100-continue" {
      try? await writer.writeInformationalHead(HTTPResponse(status: .continue))
    }
    let read = await readBody(request, limit: Int(length), faults: body, channel: channel)
    let bytes: [UInt8]
    switch read {
    case .dropped: return .dropped
    case .failed: return .dropped
    case .tooLarge:
      return .respond(out.error(400, "invalidRequest", "The body is longer than Content-Length."))
    case .bytes(let data): bytes = data
    }
    guard Int64(bytes.count) == length else {
      return .respond(
        out.error(400, "invalidRequest", "The body length does not match Content-Length."))
    }
    let outcome = await store.appendChunk(
      sessionID: sessionID, offset: range.first, bytes: bytes, now: Date())
    if body.commitThenDrop {
      try? await channel.close()
      return .dropped
    }
    switch outcome {
    case .gone:
      return .respond(
        out.error(404, "ErrorItemNotFound", "The upload session was not found or has expired."))
    case .accepted(let next, let expiresAt):
      let rangeText = rangeText(Int(next))
      let keys =
        options.intermediateKeys == .pascal
        ? ("ExpirationDateTime", "NextExpectedRanges")
        : ("expirationDateTime", "nextExpectedRanges")
      return .respond(
        out.json(
          .ok,
          .object([
            keys.0: .string(GraphDate.format(expiresAt)), keys.1: .array([.string(rangeText)]),
          ])))
    case .completed(let attachment):
      let id = options.locationForm == .path ? Self.escape(attachment.id) : "('\(attachment.id)')"
      let separator = options.locationForm == .path ? "/" : ""
      var extra = HTTPFields()
      extra[.location] =
        "\(base)/users/\(store.userID)/todo/lists/\(Self.escape(session.listID))/tasks/\(Self.escape(session.taskID))/Attachments\(separator)\(id)"
      return .respond(out.empty(.created, extra: extra))
    }
  }
}
