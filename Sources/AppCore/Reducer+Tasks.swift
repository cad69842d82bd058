import Foundation
import GraphModels
import TerminalCore

// Tasks from the keyboard: each change shows at once, marked pending until Graph answers, and
// is put back as it was when Graph refuses it.

/// `n`, `e`, Space, `i`, `D`, `d`, `c`: what they mean in the focused pane.
func editCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  switch state.focus {
  case .lists: return listCommand(&state, command)
  case .steps: return stepCommand(&state, command)
  case .tasks: return taskCommand(&state, command)
  case .attachments, .uploads: return []
  }
}

private func taskCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  if command == .toggleCompletedGroup {
    state.edit.showCompleted.toggle()
    clampSelections(&state)
    return ensureAttachments(&state)
  }
  guard let listID = state.openListID else { return [] }
  if command == .newItem {
    state.edit.prompt = Prompt(.newTask(listID: listID))
    return []
  }
  guard let task = state.selectedTask else { return [] }
  switch command {
  case .rename:
    state.edit.prompt = Prompt(.renameTask(listID: listID, taskID: task.id), text: task.title)
    return []
  case .setDue:
    let current = task.dueDateTime.map { String($0.dateTime.prefix(10)) } ?? ""
    state.edit.prompt = Prompt(.dueDate(listID: listID, taskID: task.id), text: current)
    return []
  case .deleteItem:
    state.edit.prompt = Prompt(.deleteTask(listID: listID, taskID: task.id, title: task.title))
    return []
  case .toggleDone:
    let done = AppState.isCompleted(task)
    let status = done ? "notStarted" : "completed"
    return changeTask(&state, listID: listID, task, TaskPatch(status: status)) {
      $0.status = status
      if done { $0.completedDateTime = nil }
    }
  case .toggleImportance:
    let importance = task.importance == "high" ? "normal" : "high"
    return changeTask(&state, listID: listID, task, TaskPatch(importance: importance)) {
      $0.importance = importance
    }
  default:
    return []
  }
}

/// Enter in a task prompt.
func acceptTaskPrompt(_ state: inout AppState, _ kind: Prompt.Kind, text: String) -> [Effect] {
  switch kind {
  case .newTask(let listID):
    return addTask(&state, listID: listID, title: text)
  case .renameTask(let listID, let taskID):
    guard let task = findTask(state, listID: listID, id: taskID) else { return [] }
    return changeTask(&state, listID: listID, task, TaskPatch(title: text)) { $0.title = text }
  case .dueDate(let listID, let taskID):
    guard let task = findTask(state, listID: listID, id: taskID),
      let input = DueDateParser.parse(text, now: state.now, timeZone: state.edit.timeZone)
    else { return [] }
    switch input {
    case .day(let day):
      let due = DueDateParser.graphValue(day)
      return changeTask(&state, listID: listID, task, TaskPatch(dueDateTime: due)) {
        $0.dueDateTime = due
      }
    case .clear:
      return changeTask(&state, listID: listID, task, TaskPatch(clearDueDate: true)) {
        $0.dueDateTime = nil
      }
    }
  case .deleteTask(let listID, let taskID, _):
    return deleteTask(&state, listID: listID, taskID: taskID)
  default:
    return []
  }
}

private func addTask(_ state: inout AppState, listID: String, title: String) -> [Effect] {
  guard var tasks = state.tasks[listID]?.value else { return [] }
  let tempID = state.edit.temporaryID("task")
  // To Do puts a new task at the top of its list.
  tasks.insert(TodoTask(id: tempID, title: title, hasAttachments: false), at: 0)
  state.tasks[listID] = .loaded(tasks)
  state.edit.pending[tempID] = PendingWrite(listID: listID, before: nil)
  if listID == state.openListID,
    let index = state.visibleTasks.firstIndex(where: { $0.id == tempID })
  {
    state.tasksState.select(
      index, count: state.visibleTasks.count, viewport: Layout(state).tasksViewport)
    state.attachmentsState = ListState()
  }
  clampSelections(&state)
  return [.edit(.createTask(listID: listID, tempID: tempID, draft: TaskDraft(title: title)))]
}

/// Changes `task` in the list at once and asks Graph for the same change.
private func changeTask(
  _ state: inout AppState, listID: String, _ task: TodoTask, _ patch: TaskPatch,
  _ change: (inout TodoTask) -> Void
) -> [Effect] {
  var changed = task
  change(&changed)
  replaceTask(&state, listID: listID, id: task.id, with: changed)
  state.edit.pending[task.id] = PendingWrite(listID: listID, before: task)
  clampSelections(&state)
  return [.edit(.updateTask(listID: listID, taskID: task.id, patch: patch))]
}

private func deleteTask(_ state: inout AppState, listID: String, taskID: String) -> [Effect] {
  guard var tasks = state.tasks[listID]?.value,
    let index = tasks.firstIndex(where: { $0.id == taskID })
  else { return [] }
  let task = tasks.remove(at: index)
  state.tasks[listID] = .loaded(tasks)
  state.edit.pending[taskID] = PendingWrite(listID: listID, before: task, index: index)
  showInfo(&state, "Deleting “\(task.title)”…")
  clampSelections(&state)
  return [.edit(.deleteTask(listID: listID, taskID: taskID))] + ensureAttachments(&state)
}

// MARK: Graph's answers

func taskEdited(_ state: inout AppState, _ result: EditResult) -> [Effect] {
  switch result {
  case .taskCreated(let listID, let tempID, let result):
    state.edit.pending[tempID] = nil
    let title = findTask(state, listID: listID, id: tempID)?.title ?? ""
    switch result {
    case .success(let created):
      replaceTask(&state, listID: listID, id: tempID, with: created)
      showInfo(&state, "Added “\(created.title)”")
    case .failure(let error):
      replaceTask(&state, listID: listID, id: tempID, with: nil)
      showError(&state, "Could not add “\(title)”: \(error.message)")
    }
  case .taskUpdated(let listID, let taskID, let result):
    let pending = state.edit.pending.removeValue(forKey: taskID)
    switch result {
    case .success(var saved):
      if saved.hasAttachments == nil {
        saved.hasAttachments = findTask(state, listID: listID, id: taskID)?.hasAttachments
      }
      replaceTask(&state, listID: listID, id: taskID, with: saved)
    case .failure(let error):
      if let before = pending?.before {
        replaceTask(&state, listID: listID, id: taskID, with: before)
      }
      let title = pending?.before?.title ?? "the task"
      showError(&state, "Could not save “\(title)”: \(error.message)")
    }
  case .taskDeleted(let listID, let taskID, let result):
    let pending = state.edit.pending.removeValue(forKey: taskID)
    let title = pending?.before?.title ?? "the task"
    switch result {
    case .success:
      state.attachments[taskID] = nil
      state.edit.steps[taskID] = nil
      showInfo(&state, "Deleted “\(title)”")
    case .failure(let error):
      if let before = pending?.before, var tasks = state.tasks[listID]?.value,
        !tasks.contains(where: { $0.id == taskID })
      {
        tasks.insert(before, at: min(pending?.index ?? 0, tasks.count))
        state.tasks[listID] = .loaded(tasks)
      }
      showError(&state, "Could not delete “\(title)”: \(error.message)")
    }
  default:
    return stepOrListEdited(&state, result)
  }
  clampSelections(&state)
  return ensureAttachments(&state)
}

// MARK: Helpers

/// The task `id` of list `listID`, if loaded.
func findTask(_ state: AppState, listID: String, id: String) -> TodoTask? {
  state.tasks[listID]?.value?.first { $0.id == id }
}

/// Puts `task` in place of the row `id` (or removes that row when nil).
func replaceTask(_ state: inout AppState, listID: String, id: String, with task: TodoTask?) {
  guard var tasks = state.tasks[listID]?.value, let index = tasks.firstIndex(where: { $0.id == id })
  else { return }
  if let task { tasks[index] = task } else { tasks.remove(at: index) }
  state.tasks[listID] = .loaded(tasks)
}
