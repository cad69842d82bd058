import Foundation

/// An arbitrary JSON value, kept verbatim so Graph objects can be printed exactly as received.
public enum JSONValue: Codable, Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value):
      if value.rounded() == value, abs(value) < 1e15 {
        try container.encode(Int64(value))
      } else {
        try container.encode(value)
      }
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// The member named `key`, matched without regard to case (Graph's casing drifts).
  public subscript(caseInsensitive key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    if let exact = members[key] { return exact }
    let lowered = key.lowercased()
    return members.first { $0.key.lowercased() == lowered }?.value
  }

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  public var numberValue: Double? {
    switch self {
    case .number(let value): return value
    case .string(let value): return Double(value)
    default: return nil
    }
  }

  public var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  /// Re-decodes this value as a typed model.
  public func decode<T: Decodable>(as type: T.Type) throws -> T {
    let data = try JSONEncoder().encode(self)
    return try GraphJSON.decoder().decode(T.self, from: data)
  }
}

/// JSON coders configured for Graph payloads.
public enum GraphJSON {
  public static func decoder() -> JSONDecoder {
    JSONDecoder()
  }

  public static func encoder(pretty: Bool = false) -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
    return encoder
  }
}
