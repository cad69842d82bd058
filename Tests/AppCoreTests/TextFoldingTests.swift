import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// One folding rule for typed text: the `/` filters ignore case and accents.
struct TextFoldingTests {
  @Test(arguments: [
    ("cafe", "Café", true), ("CAFE", "café", true), ("ecole", "ÉCOLE", true),
    ("naive", "naïve", true), ("ｆｕｌｌ", "full", true), ("straße", "STRASSE", true),
    ("東京", "offsite in 東京", true), ("tea", "Café", false),
  ])
  func foldingIgnoresCaseAndAccents(needle: String, candidate: String, matches: Bool) {
    #expect(FilterState(text: needle).matches(candidate) == matches)
    #expect(TextFolding.matches(candidate, folded: TextFolding.fold(needle)) == matches)
  }

  @Test func slashFilterMatchesWithoutAccents() {
    var state = Fixtures.browsing()
    _ = reduce(&state, .key(.char("/")))
    for character in "RÉNEW PASSPÖRT" { _ = reduce(&state, .key(.char(character))) }
    #expect(state.visibleTasks.map(\.id) == ["T3"])
    _ = reduce(&state, .key(.escape))
    _ = reduce(&state, .key(.left))
    _ = reduce(&state, .key(.char("/")))
    for character in "GROCERIES" { _ = reduce(&state, .key(.char(character))) }
    #expect(state.visibleLists.map(\.id) == ["L2"])
  }
}
