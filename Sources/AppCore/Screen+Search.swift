import Foundation
import GraphModels
import TerminalCore

/// The global search modal: the query, the matches with their lists, and how many there are.
extension Screen {
  static func renderSearch(
    _ state: AppState, _ search: SearchState, _ area: Rect, into buffer: inout Buffer
  ) {
    let inner = Frame(title: "Search every list", borderStyle: .accent)
      .render(into: &buffer, area: area)
    let label = KeyBindings.keyName(.search, in: .global, glyphs: state.glyphs) + " "
    let x = inner.x + 1 + buffer.write(label, x: inner.x + 1, y: inner.y, style: .accent)
    renderField(search.editor, x: x, y: inner.y, width: inner.maxX - x - 1, into: &buffer)
    let listArea = Rect(x: inner.x, y: inner.y + 1, width: inner.width, height: inner.height - 2)
    let note = state.glyphs.isUnicode ? " (in notes)" : " (notes)"
    let rows = search.hits.map { hit in
      ListRow(
        clean(hit.title) + (hit.inNotes ? note : ""),
        trailing: DisplayWidth.pad(
          clean(hit.listName), to: min(24, DisplayWidth.of(clean(hit.listName))),
          ellipsis: state.glyphs.ellipsis))
    }
    let scope = GlobalSearch.scope(state)
    let loading = scope.loading > 0 ? ", loading \(scope.loading) more" : ""
    let empty =
      search.editor.text.isEmpty
      ? "Type to search \(Format.count(scope.tasks)) tasks in \(scope.lists) lists\(loading)"
      : "No match"
    ListView(rows: rows, emptyText: empty).render(
      into: &buffer, area: listArea, state: search.listState)
    guard !search.editor.text.isEmpty else { return }
    var summary = "\(Format.count(search.total)) match\(search.total == 1 ? "" : "es")"
    if search.total > search.hits.count { summary += ", first \(Format.count(search.hits.count))" }
    summary += " in \(scope.lists) lists\(loading)"
    buffer.write(summary, x: inner.x + 1, y: inner.maxY - 1, style: .dim, maxWidth: inner.width - 2)
  }
}
