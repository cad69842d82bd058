import TerminalCore

/// The rows for editing tasks, steps and lists, appended to `KeyBindings.table`.
///
/// Keys a lazygit or htop user would guess, checked against the existing table: `r` and `x` stay
/// global upload keys (retry, cancel), so rename is `e` and done is Space.
extension KeyBindings {
  static let editRows: [KeyBinding] = taskRows + stepAndListRows + editorRows

  private static let taskRows: [KeyBinding] = [
    KeyBinding(
      [.char("n")], .newItem, "new task", .tasks, footer: "new", disabled: EditRules.newTask),
    KeyBinding([.char("e")], .rename, "rename the task", .tasks, disabled: EditRules.task),
    KeyBinding(
      [.char(" ")], .toggleDone, "mark done / not done", .tasks, disabled: EditRules.task),
    KeyBinding(
      [.char("i"), .char("!")], .toggleImportance, "important / not important", .tasks,
      disabled: EditRules.task),
    KeyBinding(
      [.char("D")], .setDue, "set or clear the due date", .tasks, disabled: EditRules.task),
    KeyBinding(
      [.char("d")], .deleteItem, "delete the task (asks first)", .tasks, disabled: EditRules.task),
    KeyBinding(
      [.char("c")], .toggleCompletedGroup, "show/hide the Completed group", .tasks,
      disabled: EditRules.completedGroup),
  ]

  private static let stepAndListRows: [KeyBinding] = [
    KeyBinding(
      [.char("n")], .newItem, "new step", .steps, footer: "new", disabled: EditRules.newStep),
    KeyBinding([.char("e")], .rename, "rename the step", .steps, disabled: EditRules.step),
    KeyBinding(
      [.char(" ")], .toggleDone, "tick / untick the step", .steps, footer: "tick",
      disabled: EditRules.step),
    KeyBinding([.escape, .left, .char("h")], .back, "back to tasks", .steps),

    KeyBinding([.char("n")], .newItem, "new list", .lists),
    KeyBinding([.char("e")], .rename, "rename the list", .lists, disabled: EditRules.list),
    KeyBinding(
      [.char("d")], .deleteItem, "delete the list (type its name)", .lists,
      disabled: EditRules.list),
  ]

  private static let editorRows: [KeyBinding] = [
    KeyBinding(
      [.enter], .editorAccept, "save", .editor, footer: "save", disabled: EditRules.accept),
    KeyBinding([.escape], .editorCancel, "cancel", .editor, footer: "cancel"),
    KeyBinding([.ctrl("a"), .home], .editorStart, "start of the line", .editor),
    KeyBinding([.ctrl("e"), .end], .editorEnd, "end of the line", .editor),
    KeyBinding([.ctrl("b"), .left], .editorLeft, "character left", .editor),
    KeyBinding([.ctrl("f"), .right], .editorRight, "character right", .editor),
    KeyBinding([.ctrl("k")], .editorKillEnd, "delete to the end", .editor),
    KeyBinding([.ctrl("u")], .editorKillStart, "delete to the start", .editor),
    KeyBinding([.ctrl("w")], .editorKillWord, "delete the word before", .editor),
    KeyBinding([.backspace], .editorErase, "erase a character", .editor),

    KeyBinding(
      [.char("y"), .enter], .editorAccept, "delete the task", .confirmDeleteTask, footer: "yes",
      hint: "delete"),
    KeyBinding(
      [.char("n"), .escape], .editorCancel, "keep it", .confirmDeleteTask, footer: "no",
      hint: "keep"),
  ]
}

/// When editing keys do nothing, with the reason the status line shows.
enum EditRules {
  static func newTask(_ state: AppState) -> String? {
    guard state.openListID != nil else { return "open a list first" }
    return state.openTasks.value == nil ? "wait for the list's tasks to load" : nil
  }

  static func task(_ state: AppState) -> String? {
    guard let task = state.selectedTask else { return "no task selected" }
    return state.isPending(task) ? "still saving “\(task.title)”" : nil
  }

  static func completedGroup(_ state: AppState) -> String? {
    state.completedCount == 0 ? "no completed tasks in this list" : nil
  }

  static func newStep(_ state: AppState) -> String? {
    guard let task = state.selectedTask else { return "no task selected" }
    if state.isPending(task) { return "wait until “\(task.title)” is saved" }
    return state.selectedSteps.value == nil ? "wait for the steps to load" : nil
  }

  static func step(_ state: AppState) -> String? {
    guard let step = state.selectedStep else { return "no step selected" }
    return state.edit.pendingSteps[step.id] != nil ? "still saving that step" : nil
  }

  static func list(_ state: AppState) -> String? {
    guard let list = state.selectedList else { return "no list selected" }
    if AppState.isBuiltIn(list) { return "“\(list.displayName)” is built into To Do" }
    return state.edit.pendingLists[list.id] != nil ? "still saving that list" : nil
  }

  static func accept(_ state: AppState) -> String? {
    guard let prompt = state.edit.prompt else { return nil }
    let text = prompt.editor.trimmed
    switch prompt.kind {
    case .dueDate:
      let parsed = DueDateParser.parse(text, now: state.now, timeZone: state.edit.timeZone)
      return parsed == nil ? "not a date: try \(DueDateParser.examples)" : nil
    case .deleteList(_, let name):
      return prompt.editor.text == name ? nil : "type the list's name exactly to delete it"
    case .deleteTask:
      return nil
    case .newTask, .renameTask, .newStep, .renameStep, .newList, .renameList:
      return text.isEmpty ? "type a name first (Esc cancels)" : nil
    }
  }
}
