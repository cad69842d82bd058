import TerminalCore

/// The global search's rows, appended to `KeyBindings.table`. `F` (find) is free in every pane;
/// `/` stays the filter of the pane in front.
extension KeyBindings {
  static let searchRows: [KeyBinding] = [
    KeyBinding(
      // Last in the footer, and the hint that gives way when uploads fill the row.
      [.char("F")], .search, "search every list (titles and notes)", .global, footer: "search",
      footerOptional: true, disabled: SearchRules.open),
    KeyBinding(
      [.enter], .searchJump, "go to the task", .search, footer: "go", disabled: SearchRules.jump),
    KeyBinding([.escape], .searchClose, "close the search", .search, footer: "close"),
    KeyBinding([.backspace], .searchErase, "erase a character", .search),
    KeyBinding([.up], .moveUp, "previous match", .search),
    KeyBinding([.down], .moveDown, "next match", .search),
    KeyBinding([.pageUp], .pageUp, "page up", .search),
    KeyBinding([.pageDown], .pageDown, "page down", .search),
  ]
}

/// When the search keys do nothing, with the reason the status line shows.
enum SearchRules {
  static func open(_ state: AppState) -> String? {
    if state.picker != nil { return "close the file picker first" }
    return state.lists.value == nil ? "wait for the lists to load" : nil
  }

  static func jump(_ state: AppState) -> String? {
    state.search?.selectedHit == nil ? "no matching task" : nil
  }
}
