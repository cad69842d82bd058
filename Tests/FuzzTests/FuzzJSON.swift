import Foundation
import GraphModels

/// SplitMix64: a tiny seeded generator, so every fuzz case replays from its seed.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniformly chosen element (the array must not be empty).
  mutating func pick<T>(_ choices: [T]) -> T {
    choices[Int.random(in: 0..<choices.count, using: &self)]
  }

  /// True with probability `percent` / 100.
  mutating func chance(_ percent: Int) -> Bool {
    Int.random(in: 0..<100, using: &self) < percent
  }
}

/// A JSON tree that can also hold text no JSON encoder would write (huge numbers verbatim,
/// `NaN`, broken escapes), with object members in a fixed order so a seed replays exactly.
indirect enum FuzzJSON {
  case null
  case bool(Bool)
  /// A number written verbatim, e.g. `1e309` or `18446744073709551616`.
  case number(String)
  case string(String)
  /// Text written as is, valid JSON or not.
  case raw(String)
  case array([FuzzJSON])
  case object([(key: String, value: FuzzJSON)])

  /// The tree of a JSON body; nil when the body is not JSON.
  init?(parsing data: Data) {
    guard let value = try? GraphJSON.decoder().decode(JSONValue.self, from: data) else {
      return nil
    }
    self.init(value)
  }

  init(_ value: JSONValue) {
    switch value {
    case .null: self = .null
    case .bool(let flag): self = .bool(flag)
    case .number(let number):
      if number.rounded() == number, abs(number) < 1e15 {
        self = .number(String(Int64(number)))
      } else {
        self = .number(String(number))
      }
    case .string(let text): self = .string(text)
    case .array(let items): self = .array(items.map(FuzzJSON.init))
    case .object(let members):
      self = .object(members.keys.sorted().map { ($0, FuzzJSON(members[$0] ?? .null)) })
    }
  }

  /// The JSON text.
  var text: String {
    switch self {
    case .null: return "null"
    case .bool(let flag): return flag ? "true" : "false"
    case .number(let raw), .raw(let raw): return raw
    case .string(let value): return Self.quote(value)
    case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
    case .object(let members):
      return "{" + members.map { Self.quote($0.key) + ":" + $0.value.text }.joined(separator: ",")
        + "}"
    }
  }

  static func quote(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// A step from a node to one of its children.
  enum Step {
    case index(Int)
    case key(String)
  }

  /// Every path in the tree, the root (`[]`) first.
  var paths: [[Step]] {
    var out: [[Step]] = [[]]
    switch self {
    case .array(let items):
      for (index, item) in items.enumerated() {
        out += item.paths.map { [.index(index)] + $0 }
      }
    case .object(let members):
      for member in members { out += member.value.paths.map { [.key(member.key)] + $0 } }
    default: break
    }
    return out
  }

  /// Paths whose last step is a member named `name` (case-insensitive).
  func paths(named name: String) -> [[Step]] {
    paths.filter { path in
      if case .key(let key) = path.last { return key.lowercased() == name.lowercased() }
      return false
    }
  }

  /// The tree with the node at `path` replaced by `transform(node)`; a nil result removes it.
  func updating(_ path: ArraySlice<Step>, _ transform: (FuzzJSON) -> FuzzJSON?) -> FuzzJSON? {
    guard let step = path.first else { return transform(self) }
    let rest = path.dropFirst()
    switch (self, step) {
    case (.array(var items), .index(let index)) where items.indices.contains(index):
      if let updated = items[index].updating(rest, transform) {
        items[index] = updated
      } else {
        items.remove(at: index)
      }
      return .array(items)
    case (.object(var members), .key(let key)):
      guard let index = members.firstIndex(where: { $0.key == key }) else { return self }
      if let updated = members[index].value.updating(rest, transform) {
        members[index].value = updated
      } else {
        members.remove(at: index)
      }
      return .object(members)
    default: return self
    }
  }
}

extension [FuzzJSON.Step] {
  /// `a.b[2]`, for mutation descriptions.
  var label: String {
    if isEmpty { return "(root)" }
    return map { step in
      switch step {
      case .index(let index): return "[\(index)]"
      case .key(let key): return ".\(key)"
      }
    }.joined()
  }
}
