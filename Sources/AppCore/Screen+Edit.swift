import Foundation
import GraphModels
import TerminalCore

/// The task rows with the "Completed (N)" group, the steps pane and the prompt dialog.
extension Screen {
  /// Appended to a row whose write waits for Graph.
  static func savingMark(_ state: AppState) -> String {
    state.glyphs.isUnicode ? " (saving…)" : " (saving...)"
  }

  /// The rows of the tasks pane that fit in it: open tasks, the "Completed (N)" heading, then
  /// (when the group is open) the completed tasks. Only the visible window is built, so a frame
  /// costs the same for 40 tasks and for 10,000. The selection is moved past the heading, which
  /// is not a task, and made relative to the window.
  static func taskTable(_ state: AppState) -> TaskWindow {
    let glyphs = state.glyphs
    let visible = state.visibleTasks
    let completed = state.completedCount
    let heading = completed > 0 ? state.openTaskCount : Int.max
    let total = visible.count + (completed > 0 ? 1 : 0)
    var selection = state.tasksState
    if selection.selected >= heading { selection.selected += 1 }
    if selection.offset > heading { selection.offset += 1 }
    let viewport = Layout(state).tasksViewport
    let offset = selection.visibleOffset(count: total, viewport: viewport)
    let arrow =
      state.edit.showCompleted ? (glyphs.isUnicode ? "▾" : "v") : (glyphs.isUnicode ? "▸" : ">")
    let rows = (offset..<min(total, offset + viewport)).map { row -> TableRow in
      if row == heading {
        return TableRow(
          [
            .text(""), .text(arrow, style: .header), .text("Completed (\(completed))"), .text(""),
            .text(""),
          ], style: .header)
      }
      let task = visible[row > heading ? row - 1 : row]
      let done = AppState.isCompleted(task)
      return TableRow(
        [
          .text(done ? glyphs.done : " ", style: .ok),
          .text(task.importance == "high" ? glyphs.important : " ", style: .warn),
          .text(clean(task.title) + (state.isPending(task) ? savingMark(state) : "")),
          .text(task.dueDateTime.map { Format.day($0.dateTime) } ?? "", style: .dim),
          .text(task.hasAttachments == true ? glyphs.attachment : " ", style: .accent),
        ], style: done ? .dim : .normal)
    }
    return TaskWindow(
      rows: rows, selection: ListState(selected: selection.selected - offset, offset: 0),
      moreAbove: offset > 0, moreBelow: offset + viewport < total)
  }

  /// The visible part of the tasks pane.
  struct TaskWindow {
    var rows: [TableRow]
    var selection: ListState
    var moreAbove: Bool
    var moreBelow: Bool
  }

  static func renderSteps(_ state: AppState, _ area: Rect, into buffer: inout Buffer) {
    let steps = state.selectedSteps.value ?? []
    var title = "Steps"
    if !steps.isEmpty {
      title += " \(steps.filter { $0.isChecked == true }.count)/\(steps.count)"
    }
    let inner = frame(title, focused: state.focus == .steps).render(into: &buffer, area: area)
    let rows = steps.map { step in
      let checked = step.isChecked == true
      let saving = state.edit.pendingSteps[step.id] != nil ? savingMark(state) : ""
      return ListRow(
        clean(step.displayName) + saving, style: checked ? .dim : .normal,
        mark: checked ? .marked : .unmarked)
    }
    let empty: String
    switch state.selectedSteps {
    case .loading: empty = state.glyphs.isUnicode ? "Loading…" : "Loading..."
    case .failed(let reason): empty = "Failed: " + clean(reason)
    case .idle, .loaded:
      empty =
        "No steps (\(KeyBindings.keyName(.newItem, in: .steps, glyphs: state.glyphs)) adds one)"
    }
    ListView(rows: rows, focused: state.focus == .steps, emptyText: empty)
      .render(into: &buffer, area: inner, state: state.edit.stepsState)
  }

  /// What the prompt asks, in its frame's title and first line.
  static func promptTitle(_ prompt: Prompt, _ state: AppState) -> (title: String, lines: [String]) {
    func taskTitle(_ listID: String, _ taskID: String) -> String {
      clean(findTask(state, listID: listID, id: taskID)?.title ?? "")
    }
    switch prompt.kind {
    case .newTask(let listID):
      let list = state.lists.value?.first { $0.id == listID }?.displayName ?? ""
      return ("New task in " + clean(list), ["Title:"])
    case .renameTask: return ("Rename task", ["Title:"])
    case .dueDate(let listID, let taskID):
      return ("Due date", ["Due date of “\(taskTitle(listID, taskID))”:", DueDateParser.examples])
    case .deleteTask(_, _, let title):
      return ("Delete task?", ["“\(clean(title))”", "It is deleted from To Do for good."])
    case .newStep(let listID, let taskID):
      return ("New step", ["Step of “\(taskTitle(listID, taskID))”:"])
    case .renameStep: return ("Rename step", ["Step:"])
    case .newList: return ("New list", ["Name:"])
    case .renameList: return ("Rename list", ["Name:"])
    case .deleteList(_, let name):
      return ("Delete list?", ["Type “\(clean(name))” to delete it and all its tasks:"])
    }
  }

  static func renderPrompt(_ state: AppState, _ prompt: Prompt, into buffer: inout Buffer) {
    let (title, lines) = promptTitle(prompt, state)
    let width = min(state.size.width - 4, 64)
    var body = lines.enumerated().map { ($1, $0 == 0 ? Style.header : Style.dim) }
    let fieldLine = body.count
    if prompt.takesText { body.append(("", .normal)) }
    body.append(("", .normal))
    let context: KeyContext = prompt.takesText ? .editor : .confirmDeleteTask
    let keys = KeyBindings.table.filter { $0.context == context && $0.footer != nil }
      .map {
        ($0.keys.first?.label(glyphs: state.glyphs) ?? "") + " " + ($0.hint ?? $0.footer ?? "")
      }
    body.append((keys.joined(separator: "   "), .accent))
    dialog(title, body, width: width, into: &buffer)
    guard prompt.takesText else { return }
    let area = buffer.area.centered(width: width, height: body.count + 2)
    renderField(
      prompt.editor, x: area.x + 2, y: area.y + 1 + fieldLine, width: width - 4, into: &buffer)
  }

  /// The edited text with the cursor as a reversed cell; scrolled so the cursor stays in view.
  static func renderField(
    _ editor: LineEditor, x: Int, y: Int, width: Int, into buffer: inout Buffer
  ) {
    var first = 0
    let characters = editor.characters.map { Sanitizer.clean(String($0)) }
    func widthOf(_ range: Range<Int>) -> Int {
      characters[range].reduce(0) { $0 + DisplayWidth.of($1) }
    }
    while first < editor.cursor, widthOf(first..<editor.cursor) + 1 > width { first += 1 }
    var column = x
    for index in first..<characters.count {
      let cell = characters[index]
      guard column + DisplayWidth.of(cell) <= x + width else { break }
      column += buffer.write(
        cell, x: column, y: y, style: index == editor.cursor ? .selected : .normal)
    }
    if editor.cursor == characters.count, column < x + width {
      buffer.write(" ", x: column, y: y, style: .selected)
    }
  }
}
