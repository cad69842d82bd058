import Foundation

/// A To Do task list (`todoTaskList`).
public struct TodoTaskList: Codable, Sendable, Hashable, Identifiable {
  public var id: String
  public var displayName: String
  public var isOwner: Bool?
  public var isShared: Bool?
  /// `none`, `defaultList`, `flaggedEmails` or a value added later; kept as text.
  public var wellknownListName: String?

  public init(
    id: String, displayName: String, isOwner: Bool? = true, isShared: Bool? = false,
    wellknownListName: String? = "none"
  ) {
    self.id = id
    self.displayName = displayName
    self.isOwner = isOwner
    self.isShared = isShared
    self.wellknownListName = wellknownListName
  }
}

/// A `dateTimeTimeZone` value: a local date-time without offset and the zone it is in.
public struct DateTimeTimeZone: Codable, Sendable, Hashable {
  public var dateTime: String
  public var timeZone: String

  public init(dateTime: String, timeZone: String) {
    self.dateTime = dateTime
    self.timeZone = timeZone
  }
}

/// An `itemBody`.
public struct ItemBody: Codable, Sendable, Hashable {
  public var content: String
  public var contentType: String

  public init(content: String, contentType: String = "text") {
    self.content = content
    self.contentType = contentType
  }
}

/// A To Do task (`todoTask`). Unknown enum values are kept as text.
public struct TodoTask: Codable, Sendable, Hashable, Identifiable {
  public var id: String
  public var title: String
  public var status: String?
  public var importance: String?
  public var isReminderOn: Bool?
  public var hasAttachments: Bool?
  public var categories: [String]?
  public var body: ItemBody?
  public var createdDateTime: String?
  public var lastModifiedDateTime: String?
  public var dueDateTime: DateTimeTimeZone?
  public var completedDateTime: DateTimeTimeZone?

  public init(
    id: String, title: String, status: String? = "notStarted", importance: String? = "normal",
    isReminderOn: Bool? = false, hasAttachments: Bool? = nil, categories: [String]? = nil,
    body: ItemBody? = nil, createdDateTime: String? = nil, lastModifiedDateTime: String? = nil,
    dueDateTime: DateTimeTimeZone? = nil, completedDateTime: DateTimeTimeZone? = nil
  ) {
    self.id = id
    self.title = title
    self.status = status
    self.importance = importance
    self.isReminderOn = isReminderOn
    self.hasAttachments = hasAttachments
    self.categories = categories
    self.body = body
    self.createdDateTime = createdDateTime
    self.lastModifiedDateTime = lastModifiedDateTime
    self.dueDateTime = dueDateTime
    self.completedDateTime = completedDateTime
  }
}

/// A task file attachment (`taskFileAttachment`). `contentBytes` is absent from list answers.
public struct TaskFileAttachment: Codable, Sendable, Hashable, Identifiable {
  public var id: String
  public var name: String
  public var contentType: String?
  public var size: Int64
  public var lastModifiedDateTime: String?
  public var contentBytes: String?

  public init(
    id: String, name: String, contentType: String?, size: Int64,
    lastModifiedDateTime: String? = nil, contentBytes: String? = nil
  ) {
    self.id = id
    self.name = name
    self.contentType = contentType
    self.size = size
    self.lastModifiedDateTime = lastModifiedDateTime
    self.contentBytes = contentBytes
  }

  /// Accepts both the top-level entity and the documented `{"value": {...}}` wrapper.
  public static func decodeSingle(from data: Data) throws -> TaskFileAttachment {
    let raw = try GraphJSON.decoder().decode(JSONValue.self, from: data)
    if case .object(let members) = raw, members["id"] == nil, let inner = members["value"] {
      return try inner.decode(as: TaskFileAttachment.self)
    }
    return try raw.decode(as: TaskFileAttachment.self)
  }
}

/// One page of a Graph collection.
public struct GraphPage<Element: Decodable & Sendable>: Decodable, Sendable {
  public var value: [Element]
  /// The absolute URL of the next page, followed verbatim; absent on the last page.
  public var nextLink: String?
  /// The link that starts the next round of a delta function; only on a round's last page.
  public var deltaLink: String?

  enum CodingKeys: String, CodingKey {
    case value
    case nextLink = "@odata.nextLink"
    case deltaLink = "@odata.deltaLink"
  }

  public init(value: [Element], nextLink: String?, deltaLink: String? = nil) {
    self.value = value
    self.nextLink = nextLink
    self.deltaLink = deltaLink
  }
}
