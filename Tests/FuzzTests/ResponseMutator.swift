import Foundation
import GraphClient

/// One kind of damage done to a real answer of the emulator.
enum MutationKind: String, CaseIterable, Sendable {
  case status
  case retryAfter
  case dropHeader
  case garbleHeader
  case duplicateHeader
  case knownMember
  case anyNode
  case rangeForms
  case truncate
  case emptyBody
  case invalidUTF8
  case replaceBody
  case hugeBody
  case errorBody
  case transportFailure
}

/// Damages answers: each function takes the real answer and the case's generator and returns
/// the damaged answer with a short note of what was done (or throws a `TransportError`).
enum ResponseMutator {
  static func apply(_ kind: MutationKind, to response: HTTPResponse, rng: inout SplitMix64) throws
    -> (HTTPResponse, String)
  {
    var out = response
    switch kind {
    case .status:
      let status =
        rng.chance(15) ? Int.random(in: 100...999, using: &rng) : rng.pick(OddValues.statuses)
      out.status = status
      var note = "status \(response.status)→\(status)"
      if [429, 503, 504].contains(status) || rng.chance(20) {
        let value = rng.pick(OddValues.retryAfter)
        set(&out, "Retry-After", value)
        note += " Retry-After \(OddValues.label(value))"
      }
      return (out, note)
    case .retryAfter:
      out.status = rng.pick([429, 503, 504, 500, 502])
      let value = rng.pick(OddValues.retryAfter)
      set(&out, "Retry-After", value)
      return (out, "status \(out.status) Retry-After \(OddValues.label(value))")
    case .dropHeader:
      let names = Set(response.headers.map { $0.name.lowercased() })
        .union(["location", "content-type", "retry-after", "request-id"]).sorted()
      let name = rng.pick(names)
      out.headers.removeAll { $0.name.lowercased() == name }
      return (out, "drop header \(name)")
    case .garbleHeader:
      let (name, value) = oddHeader(response, rng: &rng)
      set(&out, name, value)
      return (out, "header \(name): \(OddValues.label(value))")
    case .duplicateHeader:
      let (name, value) = oddHeader(response, rng: &rng)
      let before = rng.chance(50)
      if before {
        out.headers.insert((name, value), at: 0)
      } else {
        out.headers.append((name, value))
      }
      return (out, "extra \(name): \(OddValues.label(value)) \(before ? "first" : "last")")
    case .knownMember, .anyNode, .rangeForms, .hugeBody:
      return try mutateJSON(kind, response, rng: &rng)
    case .truncate:
      guard !response.body.isEmpty else { return (out, "truncate (body already empty)") }
      let cut = Int.random(in: 0..<response.body.count, using: &rng)
      out.body = response.body.prefix(cut)
      return (out, "truncate body at \(cut) of \(response.body.count)")
    case .emptyBody:
      out.body = Data()
      return (out, "empty body")
    case .invalidUTF8:
      let bad = rng.pick(OddValues.invalidUTF8)
      var bytes = [UInt8](response.body)
      let quotes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\"") }
      let at =
        quotes.isEmpty
        ? Int.random(in: 0...bytes.count, using: &rng) : rng.pick(quotes) + 1
      bytes.insert(contentsOf: bad, at: at)
      out.body = Data(bytes)
      return (out, "invalid UTF-8 \(bad) at \(at)")
    case .replaceBody:
      var body = rng.pick(OddValues.bodies)
      if body == "\u{FEFF}{}" { body = "\u{FEFF}" + String(decoding: response.body, as: UTF8.self) }
      out.body = Data(body.utf8)
      return (out, "body \(OddValues.label(body))")
    case .errorBody:
      return errorBody(response, rng: &rng)
    case .transportFailure:
      let error = rng.pick([
        TransportError.connectionClosed, .timedOut, .other("fuzz: connection reset by peer"),
      ])
      throw error
    }
  }

  /// A header that matters to the client, with an odd value for it.
  private static func oddHeader(_ response: HTTPResponse, rng: inout SplitMix64) -> (
    String, String
  ) {
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return ("Content-Type", rng.pick(OddValues.contentTypes))
    case 1: return ("Location", rng.pick(OddValues.locations(from: response.header("Location"))))
    case 2: return ("Retry-After", rng.pick(OddValues.retryAfter))
    case 3: return ("request-id", rng.pick(OddValues.requestIDs))
    default: return ("Content-Length", rng.pick(OddValues.contentLengths))
    }
  }

  private static func set(_ response: inout HTTPResponse, _ name: String, _ value: String) {
    response.headers.removeAll { $0.name.lowercased() == name.lowercased() }
    response.headers.append((name, value))
  }

  /// A Graph error answer whose fields are odd.
  private static func errorBody(_ response: HTTPResponse, rng: inout SplitMix64) -> (
    HTTPResponse, String
  ) {
    var out = response
    out.status = rng.pick([400, 401, 403, 404, 409, 410, 412, 413, 416, 429, 500, 503])
    let message = rng.pick(OddValues.strings)
    let code: FuzzJSON =
      rng.chance(70)
      ? .string(rng.pick(OddValues.strings + ["itemNotFound", "invalidRange"])) : .number("7")
    let inner: FuzzJSON = .object([
      ("request-id", .string(rng.pick(OddValues.requestIDs))), ("date", .string("\u{1b}[0m")),
    ])
    let body: FuzzJSON = .object([
      ("error", .object([("code", code), ("message", .string(message)), ("innerError", inner)]))
    ])
    out.body = Data(body.text.utf8)
    set(&out, "Content-Type", "application/json")
    return (
      out,
      "status \(out.status) error body code \(code.text.prefix(20)) message \(OddValues.label(message))"
    )
  }

  /// Structure and type damage; a body that is not JSON gets truncated instead.
  private static func mutateJSON(
    _ kind: MutationKind, _ response: HTTPResponse, rng: inout SplitMix64
  ) throws -> (HTTPResponse, String) {
    guard let tree = FuzzJSON(parsing: response.body) else {
      return try apply(.truncate, to: response, rng: &rng)
    }
    var out = response
    let (mutated, note) = mutate(tree, kind, rng: &rng)
    out.body = Data(mutated.text.utf8)
    return (out, note)
  }

  static let knownMembers = [
    "nextExpectedRanges", "@odata.nextLink", "uploadUrl", "expirationDateTime", "id", "name",
    "size", "value", "displayName", "title", "contentBytes", "lastModifiedDateTime",
    "createdDateTime", "contentType", "error", "code", "message",
  ]

  static func mutate(_ tree: FuzzJSON, _ kind: MutationKind, rng: inout SplitMix64) -> (
    FuzzJSON, String
  ) {
    switch kind {
    case .knownMember:
      let candidates = knownMembers.flatMap { tree.paths(named: $0) }
      guard !candidates.isEmpty else { return mutate(tree, .anyNode, rng: &rng) }
      return replace(tree, at: rng.pick(candidates), rng: &rng)
    case .rangeForms:
      let ranges = oddRanges(tree, rng: &rng)
      let existing = tree.paths(named: "nextExpectedRanges")
      let path =
        existing.first ?? [.key(rng.chance(50) ? "NextExpectedRanges" : "nextExpectedRanges")]
      let updated: FuzzJSON?
      if existing.isEmpty, case .object(var members) = tree, case .key(let key) = path[0] {
        members.append((key, ranges.0))
        updated = .object(members)
      } else {
        updated = tree.updating(path[...]) { _ in ranges.0 }
      }
      return (updated ?? .null, "\(path.label) = \(ranges.1)")
    case .hugeBody:
      let long = String(repeating: "x", count: 300_000)
      if case .object(var members) = tree, rng.chance(50) {
        members.append(("padding", .string(long)))
        return (.object(members), "extra member of 300,000 chars")
      }
      if let path = tree.paths(named: "value").first,
        let grown = tree.updating(
          path[...],
          { node in
            guard case .array(let items) = node, let item = items.first else { return node }
            return .array(Array(repeating: item, count: 1_000))
          })
      {
        return (grown, "\(path.label) repeated 1,000 times")
      }
      return (.raw(String(repeating: " ", count: 300_000) + tree.text), "300,000 spaces first")
    default:
      return replace(tree, at: rng.pick(tree.paths), rng: &rng)
    }
  }

  /// Deletes the node at `path` or gives it an odd value.
  private static func replace(_ tree: FuzzJSON, at path: [FuzzJSON.Step], rng: inout SplitMix64)
    -> (FuzzJSON, String)
  {
    if !path.isEmpty, rng.chance(25) {
      return (tree.updating(path[...]) { _ in nil } ?? .null, "delete \(path.label)")
    }
    let (value, label) = OddValues.anyValue(&rng)
    return (tree.updating(path[...]) { _ in value } ?? value, "\(path.label) = \(label)")
  }

  /// An odd `nextExpectedRanges` value, near the real offset when there is one.
  private static func oddRanges(_ tree: FuzzJSON, rng: inout SplitMix64) -> (FuzzJSON, String) {
    var offset: Int64 = 0
    if let path = tree.paths(named: "nextExpectedRanges").first,
      let node = tree.node(at: path), case .array(let items) = node,
      case .string(let first)? = items.first
    {
      offset = Int64(first.split(separator: "-").first ?? "") ?? 0
    }
    let near = [offset - 1, offset + 1, offset + 1000, 0, offset * 2 + 7, Int64.max].map {
      "\($0)-"
    }
    switch Int.random(in: 0..<5, using: &rng) {
    case 0:
      let count = Int.random(in: 1...3, using: &rng)
      let items = (0..<count).map { _ in rng.pick(OddValues.ranges + near) }
      return (.array(items.map(FuzzJSON.string)), "\(items)")
    case 1:
      let items = (0..<500).map { FuzzJSON.string("\($0 * 2)-\($0 * 2)") }
      return (.array(items), "500 ranges")
    case 2:
      let text = rng.pick(near)
      return (.array([.string(text)]), "[\(text)]")
    case 3:
      return (.array([.number(rng.pick(OddValues.numbers))]), "a number, not a string")
    default:
      let (value, label) = OddValues.anyValue(&rng)
      return (value, label)
    }
  }
}

extension FuzzJSON {
  /// The node at `path`, if there is one.
  func node(at path: [Step]) -> FuzzJSON? {
    var current = self
    for step in path {
      switch (current, step) {
      case (.array(let items), .index(let index)) where items.indices.contains(index):
        current = items[index]
      case (.object(let members), .key(let key)):
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        current = member.value
      default: return nil
      }
    }
    return current
  }
}
