import Foundation
import GraphModels
import Testing

/// Folding a delta round by id, and applying it to a stored array.
@Suite struct DeltaApplierTests {
  static func task(_ id: String, _ title: String) -> TodoTask { TodoTask(id: id, title: title) }

  static let stored = [task("a", "A"), task("b", "B"), task("c", "C")]

  @Test func changesReplaceInPlaceRemovalsGoAndNewItemsAreAppended() {
    let page = DeltaPage(
      changed: [Self.task("d", "D"), Self.task("b", "B2")], removed: ["a", "zz"], deltaLink: "l",
      isFullLoad: false)
    let applied = DeltaApplier.apply(page, to: Self.stored)
    #expect(applied.map(\.id) == ["b", "c", "d"])
    #expect(applied.map(\.title) == ["B2", "C", "D"])
  }

  @Test func aFullLoadReplacesEverything() {
    let page = DeltaPage(
      changed: [Self.task("x", "X")], removed: [], deltaLink: "l", isFullLoad: true)
    #expect(DeltaApplier.apply(page, to: Self.stored).map(\.id) == ["x"])
  }

  @Test func anEmptyRoundLeavesTheStoreAsItWas() {
    let page = DeltaPage<TodoTask>(changed: [], removed: [], deltaLink: "l", isFullLoad: false)
    #expect(DeltaApplier.apply(page, to: Self.stored) == Self.stored)
  }

  @Test func aLaterReportOfAnIDWinsWithinARound() {
    let page = DeltaPage<TodoTask>(
      entries: [
        .changed(Self.task("a", "A1")), .changed(Self.task("n", "N")), .removed(id: "n"),
        .removed(id: "b"), .changed(Self.task("b", "B again")), .changed(Self.task("a", "A2")),
      ], deltaLink: "l", isFullLoad: false)
    #expect(page.changed.map(\.title) == ["A2", "B again"])
    #expect(page.removed == ["n"])
    let applied = DeltaApplier.apply(page, to: Self.stored)
    #expect(applied.map(\.title) == ["A2", "B again", "C"])
  }

  @Test func aRemovalIsReadFromItsAnnotationAndAnythingElseAsTheItem() throws {
    let removal = try GraphJSON.decoder().decode(
      JSONValue.self, from: Data(#"{"id":"t1","@removed":{"reason":"deleted"}}"#.utf8))
    let changed = try GraphJSON.decoder().decode(
      JSONValue.self, from: Data(#"{"id":"t2","title":"Two","@odata.etag":"W/\"x\""}"#.utf8))
    let broken = try GraphJSON.decoder().decode(JSONValue.self, from: Data(#"{"id":"t3"}"#.utf8))
    let anonymous = try GraphJSON.decoder().decode(
      JSONValue.self, from: Data(#"{"@removed":{"reason":"deleted"}}"#.utf8))
    guard case .removed(let id)? = DeltaEntry<TodoTask>.read(removal) else {
      Issue.record("a removal was not read as one")
      return
    }
    #expect(id == "t1")
    guard case .changed(let task)? = DeltaEntry<TodoTask>.read(changed) else {
      Issue.record("a task was not read as one")
      return
    }
    #expect(task.title == "Two")
    #expect(DeltaEntry<TodoTask>.read(broken) == nil)
    #expect(DeltaEntry<TodoTask>.read(anonymous) == nil)
  }
}
