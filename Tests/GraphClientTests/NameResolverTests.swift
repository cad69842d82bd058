import GraphClient
import GraphModels
import Testing

@Suite struct NameResolverTests {
  let lists = [
    TodoTaskList(id: "AAA=", displayName: "Tasks"),
    TodoTaskList(id: "BBB=", displayName: "Groceries 🛒"),
    TodoTaskList(id: "CCC=", displayName: "Work"),
    TodoTaskList(id: "DDD=", displayName: "work"),
    TodoTaskList(id: "EEE=", displayName: "Travel"),
    TodoTaskList(id: "FFF=", displayName: "Travel"),
  ]

  func resolve(_ query: String) -> NameMatch<TodoTaskList> {
    NameResolver.resolve(query, in: lists, id: \.id, name: \.displayName)
  }

  @Test func exactIDWins() {
    guard case .found(let list) = resolve("CCC=") else { Issue.record("not found"); return }
    #expect(list.displayName == "Work")
  }

  @Test func exactNameBeatsCaseInsensitiveName() {
    guard case .found(let list) = resolve("work") else { Issue.record("not found"); return }
    #expect(list.id == "DDD=")
  }

  @Test func caseInsensitiveNameWhenUnique() {
    guard case .found(let list) = resolve("tasks") else { Issue.record("not found"); return }
    #expect(list.id == "AAA=")
  }

  @Test func caseInsensitiveCollisionIsAmbiguous() {
    guard case .ambiguous(let candidates) = resolve("WORK") else {
      Issue.record("expected ambiguity"); return
    }
    #expect(Set(candidates.map(\.id)) == ["CCC=", "DDD="])
  }

  @Test func duplicateExactNamesAreAmbiguous() {
    guard case .ambiguous(let candidates) = resolve("Travel") else {
      Issue.record("expected ambiguity"); return
    }
    #expect(candidates.map(\.id) == ["EEE=", "FFF="])
  }

  @Test func unknownNameSuggestsTheClosest() {
    guard case .notFound(let suggestions) = resolve("Grocery") else {
      Issue.record("expected no match"); return
    }
    #expect(suggestions.first?.id == "BBB=")
    guard case .notFound(let typo) = resolve("Taks") else { Issue.record("matched"); return }
    #expect(typo.map(\.id).contains("AAA="))
    guard case .notFound(let none) = resolve("zzzzzzzzzz") else { Issue.record("matched"); return }
    #expect(none.isEmpty)
  }
}
