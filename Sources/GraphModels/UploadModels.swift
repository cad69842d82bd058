import Foundation

/// Size limits for To Do attachments, taken at their strictest documented reading.
public enum UploadLimits {
  /// The largest file an upload session accepts ("between 0 MB to 25 MB", read as 25 × 10⁶).
  public static let maxFileSize: Int64 = 25_000_000
  /// The most bytes one `PUT {uploadUrl}/content` may carry ("less than 4 MB", read as 4 × 10⁶).
  public static let maxChunkSize: Int64 = 4_000_000
  /// The default chunk: 12 × 320 KiB, below every reading of "4 MB" and a 320 KiB multiple.
  public static let defaultChunkSize: Int64 = 3_932_160
  /// OneDrive's fragment granularity; an emulator switch enforces it for To Do too.
  public static let fragmentMultiple: Int64 = 327_680
}

/// `attachmentInfo`, the body of `createUploadSession`.
public struct AttachmentInfo: Codable, Sendable, Hashable {
  public var attachmentType: String
  public var name: String
  public var size: Int64
  public var contentType: String?

  public init(name: String, size: Int64, contentType: String?, attachmentType: String = "file") {
    self.attachmentType = attachmentType
    self.name = name
    self.size = size
    self.contentType = contentType
  }
}

/// The request body of `POST …/attachments/createUploadSession`.
public struct CreateUploadSessionRequest: Codable, Sendable, Hashable {
  public var attachmentInfo: AttachmentInfo

  public init(attachmentInfo: AttachmentInfo) {
    self.attachmentInfo = attachmentInfo
  }
}

/// An upload session, or the state answer of an intermediate PUT or a status GET.
///
/// Keys are matched without regard to case: the create answer is camelCase, the documented
/// intermediate PUT answer is PascalCase (`ExpirationDateTime`, `NextExpectedRanges`).
public struct UploadSessionState: Sendable, Hashable {
  public var uploadUrl: String?
  public var expirationDateTime: Date?
  public var nextExpectedRanges: [ByteRange]

  public init(uploadUrl: String?, expirationDateTime: Date?, nextExpectedRanges: [ByteRange]) {
    self.uploadUrl = uploadUrl
    self.expirationDateTime = expirationDateTime
    self.nextExpectedRanges = nextExpectedRanges
  }

  /// The first byte the server expects next, if it said.
  public var nextOffset: Int64? { nextExpectedRanges.map(\.start).min() }

  /// Parses a session JSON object, tolerating key casing and every documented range form.
  public static func parse(_ data: Data) throws -> UploadSessionState {
    let raw = try GraphJSON.decoder().decode(JSONValue.self, from: data)
    return try parse(raw)
  }

  public static func parse(_ raw: JSONValue) throws -> UploadSessionState {
    guard case .object = raw else {
      throw GraphModelError.malformed("upload session is not an object")
    }
    let url = raw[caseInsensitive: "uploadUrl"]?.stringValue
    let expiry = raw[caseInsensitive: "expirationDateTime"]?.stringValue.flatMap(GraphDate.parse)
    var ranges: [ByteRange] = []
    if let list = raw[caseInsensitive: "nextExpectedRanges"]?.arrayValue {
      for item in list {
        guard let text = item.stringValue, let range = ByteRange(parsing: text) else {
          throw GraphModelError.malformed("unreadable nextExpectedRanges entry")
        }
        ranges.append(range)
      }
    }
    return UploadSessionState(
      uploadUrl: url, expirationDateTime: expiry, nextExpectedRanges: ranges)
  }
}

/// A zero-based byte range as written in `nextExpectedRanges`: `N`, `N-` or `N-M` (inclusive end).
public struct ByteRange: Sendable, Hashable, CustomStringConvertible {
  public var start: Int64
  /// Inclusive end, or nil for "to the end of the file".
  public var end: Int64?

  public init(start: Int64, end: Int64?) {
    self.start = start
    self.end = end
  }

  public init?(parsing text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let parts = trimmed.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
    guard let first = parts.first, let start = Int64(first), start >= 0 else { return nil }
    self.start = start
    if parts.count == 2, !parts[1].isEmpty {
      guard let end = Int64(parts[1]), end >= start else { return nil }
      self.end = end
    } else {
      self.end = nil
    }
  }

  public var description: String {
    if let end { return "\(start)-\(end)" }
    return "\(start)-"
  }
}

/// A `Content-Range: bytes a-b/total` request header value.
public struct ContentRange: Sendable, Hashable, CustomStringConvertible {
  public var first: Int64
  public var last: Int64
  public var total: Int64

  public init(first: Int64, last: Int64, total: Int64) {
    self.first = first
    self.last = last
    self.total = total
  }

  public var length: Int64 { last - first + 1 }

  public var description: String { "bytes \(first)-\(last)/\(total)" }

  /// Parses `bytes a-b/total`; nil for anything else (including `*` forms).
  public init?(parsing header: String) {
    let text = header.trimmingCharacters(in: .whitespaces)
    guard text.lowercased().hasPrefix("bytes ") else { return nil }
    let rest = text.dropFirst(6)
    let slash = rest.split(separator: "/", omittingEmptySubsequences: false)
    guard slash.count == 2, let total = Int64(slash[1]) else { return nil }
    let bounds = slash[0].split(separator: "-", omittingEmptySubsequences: false)
    guard bounds.count == 2, let first = Int64(bounds[0]), let last = Int64(bounds[1]) else {
      return nil
    }
    guard first >= 0, last >= first, last < total else { return nil }
    self.init(first: first, last: last, total: total)
  }
}

/// Reads the attachment id from the final PUT's `Location` header.
///
/// Accepts `…/Attachments/{id}` and OData key syntax `…/Attachments('{id}')`; percent-escapes
/// in the segment are decoded.
public enum AttachmentLocation {
  /// The attachment id a `Location` header names, without control characters (a header value
  /// reaches stdout and the journal, so it is cleaned like any other untrusted text).
  public static func attachmentID(from location: String) -> String? {
    var path = location
    if let query = path.firstIndex(of: "?") { path = String(path[..<query]) }
    while path.hasSuffix("/") { path.removeLast() }
    guard var segment = path.split(separator: "/").last.map(String.init), !segment.isEmpty else {
      return nil
    }
    if let open = segment.firstIndex(of: "("), segment.hasSuffix(")") {
      var key = String(
        segment[segment.index(after: open)..<segment.index(before: segment.endIndex)])
      if key.hasPrefix("'"), key.hasSuffix("'"), key.count >= 2 {
        key = String(key.dropFirst().dropLast())
      }
      segment = key
    }
    let decoded = MachineJSON.stripControls(segment.removingPercentEncoding ?? segment)
    return decoded.isEmpty ? nil : decoded
  }
}

/// Errors raised while reading wire values.
public enum GraphModelError: Error, Sendable, Equatable, CustomStringConvertible {
  case malformed(String)

  public var description: String {
    switch self {
    case .malformed(let what): return "malformed Graph response: \(what)"
    }
  }
}
