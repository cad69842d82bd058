import Foundation
import GraphModels

/// The OData query options the emulator honours on collections: `$filter` (a documented
/// subset) and `$select`. Anything else in `$filter` is a 400, never silently ignored.
struct QueryOptions {
  /// One `field op 'value'` or `contains(field,'value')` term; terms are joined by `and`.
  enum Term: Equatable {
    case equals(field: String, value: String, negated: Bool)
    case contains(field: String, value: String)
    case notNull(field: String)
  }

  var terms: [Term] = []
  var select: [String]?

  /// Parses `$filter` and `$select`; nil `error` when they are usable.
  static func parse(_ query: [String: String]) -> (QueryOptions, error: String?) {
    var options = QueryOptions()
    if let select = query["$select"] {
      options.select = select.split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    guard let filter = query["$filter"]?.trimmingCharacters(in: .whitespaces), !filter.isEmpty
    else {
      return (options, nil)
    }
    for part in filter.components(separatedBy: " and ") {
      guard let term = parseTerm(part.trimmingCharacters(in: .whitespaces)) else {
        return (options, "Invalid filter clause: \(part)")
      }
      options.terms.append(term)
    }
    return (options, nil)
  }

  static func parseTerm(_ text: String) -> Term? {
    if text.lowercased().hasPrefix("contains("), text.hasSuffix(")") {
      let inner = text.dropFirst(9).dropLast()
      let parts = inner.split(separator: ",", maxSplits: 1).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard parts.count == 2, let value = quoted(parts[1]) else { return nil }
      return .contains(field: parts[0], value: value)
    }
    let words = text.split(separator: " ", maxSplits: 2).map(String.init)
    guard words.count == 3 else { return nil }
    let op = words[1].lowercased()
    guard op == "eq" || op == "ne" else { return nil }
    if words[2] == "null" {
      return op == "ne" ? .notNull(field: words[0]) : nil
    }
    guard let value = quoted(words[2]) else { return nil }
    return .equals(field: words[0], value: value, negated: op == "ne")
  }

  static func quoted(_ text: String) -> String? {
    guard text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") else { return nil }
    return String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
  }

  /// Whether an item whose fields `value(field)` returns passes every term.
  func matches(_ value: (String) -> String?) -> Bool {
    terms.allSatisfy { term in
      switch term {
      case .equals(let field, let expected, let negated):
        return (value(field) == expected) != negated
      case .contains(let field, let needle):
        return value(field)?.localizedCaseInsensitiveContains(needle) ?? false
      case .notNull(let field):
        return value(field) != nil
      }
    }
  }

  /// Keeps only the selected properties (plus `id` and OData annotations) when `$select` is set.
  func project(_ object: [String: JSONValue]) -> [String: JSONValue] {
    guard let select else { return object }
    let keep = Set(select.map { $0.lowercased() } + ["id"])
    return object.filter { keep.contains($0.key.lowercased()) || $0.key.hasPrefix("@odata.") }
  }
}
