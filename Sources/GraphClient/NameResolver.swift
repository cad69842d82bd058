import Foundation

/// The outcome of looking up `--list ID|NAME` or `--task ID|TITLE`.
public enum NameMatch<Item: Sendable>: Sendable {
  case found(Item)
  /// Nothing matched; `suggestions` are the closest names, best first (may be empty).
  case notFound(suggestions: [Item])
  /// Several items share the name at the first rule that matched.
  case ambiguous([Item])
}

/// Resolves a user's reference to a list or task: exact id, else exact name, else the name
/// without regard to case. Never guesses between several candidates.
public enum NameResolver {
  public static func resolve<Item: Sendable>(
    _ query: String, in items: [Item], id: (Item) -> String, name: (Item) -> String
  ) -> NameMatch<Item> {
    if let match = items.first(where: { id($0) == query }) { return .found(match) }
    let exact = items.filter { name($0) == query }
    if exact.count == 1 { return .found(exact[0]) }
    if exact.count > 1 { return .ambiguous(exact) }
    let folded = fold(query)
    let loose = items.filter { fold(name($0)) == folded }
    if loose.count == 1 { return .found(loose[0]) }
    if loose.count > 1 { return .ambiguous(loose) }
    return .notFound(suggestions: closest(query, in: items, name: name))
  }

  /// Up to `limit` names nearest to `query`: containing it first, then by edit distance.
  public static func closest<Item>(
    _ query: String, in items: [Item], name: (Item) -> String, limit: Int = 3
  ) -> [Item] {
    let folded = Array(fold(query))
    guard !folded.isEmpty else { return [] }
    var scored: [(score: Int, index: Int)] = []
    for (index, item) in items.enumerated() {
      let candidate = fold(name(item))
      let distance: Int
      if candidate.contains(String(folded)) || String(folded).contains(candidate) {
        distance = 0
      } else {
        // Also against each word, so "grocery" finds "Groceries 🛒".
        let words = candidate.split(whereSeparator: { $0 == " " }).map { Array($0) }
        distance = ([Array(candidate)] + words).map { editDistance(folded, $0) }.min() ?? Int.max
      }
      let threshold = max(2, folded.count / 2)
      if distance <= threshold { scored.append((distance, index)) }
    }
    scored.sort { ($0.score, $0.index) < ($1.score, $1.index) }
    return scored.prefix(limit).map { items[$0.index] }
  }

  static func fold(_ text: String) -> String {
    text.folding(options: [.caseInsensitive, .widthInsensitive], locale: nil)
      .trimmingCharacters(in: .whitespaces)
  }

  static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }
}
