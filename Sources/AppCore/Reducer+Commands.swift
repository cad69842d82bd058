import Foundation
import GraphModels
import TerminalCore

// MARK: Keys and commands

func handleKey(_ state: inout AppState, _ key: KeyEvent) -> [Effect] {
  if key == .resize { return [] }
  if key != .ctrl("c") { state.interrupts = 0 }
  // Errors stay until the user does something.
  if state.status?.kind == .error { state.status = nil }
  if let binding = KeyBindings.binding(for: key, in: state) {
    return perform(&state, binding)
  }
  if case .char(let character) = key {
    if typeIntoSearch(&state, character) { return [] }
    if typeIntoPrompt(&state, character) { return [] }
    editFilter(&state) { $0.text.append(character) }
  }
  return []
}

/// Runs `command` as its binding in the current contexts would.
func perform(_ state: inout AppState, _ command: Command) -> [Effect] {
  guard let binding = KeyBindings.binding(for: command, in: state) else {
    return execute(&state, command)
  }
  return perform(&state, binding)
}

/// Runs a binding's command unless its rule disables it now; then the status line says why.
func perform(_ state: inout AppState, _ binding: KeyBinding) -> [Effect] {
  if let reason = binding.disabledReason(in: state) {
    showInfo(&state, reason)
    return []
  }
  return execute(&state, binding.command)
}

private func execute(_ state: inout AppState, _ command: Command) -> [Effect] {
  switch command {
  case .moveUp, .moveDown, .pageUp, .pageDown, .moveTop, .moveBottom:
    return move(&state, command)
  case .nextPane, .previousPane:
    let panes = Pane.allCases.filter { $0 != .uploads || !state.uploads.isEmpty }
    let index = panes.firstIndex(of: state.focus) ?? 0
    let step = command == .nextPane ? 1 : panes.count - 1
    state.focus = panes[(index + step) % panes.count]
    return ensureAttachments(&state) + ensureSteps(&state)
  case .open:
    return open(&state)
  case .back:
    return back(&state)
  case .toggleMark:
    toggleMark(&state)
    return []
  case .filter, .filterAccept, .filterCancel, .filterErase:
    filterCommand(&state, command)
    return []
  case .attach:
    guard let task = state.selectedTask, let list = state.openList else { return [] }
    let target = AttachTarget(
      listID: list.id, taskID: task.id, listName: list.displayName, taskTitle: task.title)
    state.picker = FilePickerState(target: target, directory: state.pickerDirectory)
    return [.listDirectory(path: state.pickerDirectory)]
  case .togglePause, .togglePauseAll, .cancelUpload, .retryUpload:
    return uploadCommand(&state, command)
  case .cycleBandwidthLimit:
    return cycleBandwidthLimit(&state)
  case .download, .delete:
    return attachmentCommand(&state, command)
  case .help:
    state.overlay = .help(offset: 0)
    return []
  case .refresh:
    return refresh(&state)
  case .repaint:
    return [.repaint]
  case .suspend:
    return [.suspend]
  case .quit, .interrupt:
    return quit(&state, command)
  case .toggleHidden, .goHome, .parent:
    return pickerCommand(&state, command)
  case .confirm:
    return confirm(&state)
  case .quitPausing, .quitCancelling:
    guard state.overlay == .confirmQuit else { return [] }
    state.overlay = nil
    state.isQuitting = true
    return [.quit(command == .quitPausing ? .pause : .cancel)]
  case .deny, .discard:
    return answer(&state, command)
  case .newItem, .rename, .toggleDone, .toggleImportance, .setDue, .deleteItem,
    .toggleCompletedGroup:
    return editCommand(&state, command)
  case .editorStart, .editorEnd, .editorLeft, .editorRight, .editorKillEnd, .editorKillStart,
    .editorKillWord, .editorErase, .editorAccept, .editorCancel:
    return editorCommand(&state, command)
  case .chooseAccount:
    return openAccounts(&state)
  case .search, .searchJump, .searchClose, .searchErase:
    return searchCommand(&state, command)
  }
}

private func filterCommand(_ state: inout AppState, _ command: Command) {
  switch command {
  case .filter:
    editFilter(&state, startEditing: true) { _ in }
  case .filterAccept:
    editFilter(&state) { $0.editing = false }
  case .filterCancel:
    editFilter(&state) { $0 = FilterState() }
  default:
    editFilter(&state) { filter in
      if !filter.text.isEmpty { filter.text.removeLast() }
    }
  }
}

private func uploadCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  if command == .togglePauseAll {
    let active = state.uploads.filter(\.phase.isActive)
    if !active.isEmpty { return active.map { .pauseUpload($0.id) } }
    return state.uploads.filter { $0.phase == .paused }.map { .resumeUpload($0.id) }
  }
  guard let upload = state.selectedUpload else { return [] }
  switch command {
  case .togglePause:
    return [upload.phase == .paused ? .resumeUpload(upload.id) : .pauseUpload(upload.id)]
  case .cancelUpload:
    return [.cancelUpload(upload.id)]
  default:
    if let index = state.uploads.firstIndex(where: { $0.id == upload.id }) {
      state.uploads[index].phase = .queued
    }
    return [.retryUpload(upload.id)]
  }
}

private func attachmentCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  guard let attachment = state.selectedAttachment, let task = state.selectedTask,
    let list = state.openList
  else { return [] }
  if command == .delete {
    state.overlay = .confirmDelete(listID: list.id, taskID: task.id, attachment: attachment)
    return []
  }
  showInfo(&state, "Downloading \(attachment.name)...")
  return [
    .downloadAttachment(
      listID: list.id, taskID: task.id, attachmentID: attachment.id, name: attachment.name,
      directory: state.downloadDirectory)
  ]
}

private func quit(_ state: inout AppState, _ command: Command) -> [Effect] {
  if command == .quit {
    if !state.activeUploads.isEmpty {
      state.overlay = .confirmQuit
      return []
    }
    state.isQuitting = true
    return [.quit(.keep)]
  }
  state.interrupts += 1
  if state.interrupts >= 2 {
    state.isQuitting = true
    return [.forceQuit]
  }
  if state.activeUploads.isEmpty {
    state.isQuitting = true
    return [.quit(.keep)]
  }
  state.overlay = .confirmQuit
  showInfo(&state, "Press Ctrl-C again to quit at once")
  return []
}

private func pickerCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  switch command {
  case .toggleHidden:
    guard var picker = state.picker else { return [] }
    picker.showHidden.toggle()
    state.picker = picker
    clampSelections(&state)
    return []
  case .goHome:
    return changeDirectory(&state, to: state.homeDirectory)
  default:
    guard let directory = state.picker?.directory, directory != "/" else { return [] }
    let effects = changeDirectory(&state, to: PathText.parent(of: directory))
    state.picker?.selectAfterLoad = PathText.lastComponent(directory)
    return effects
  }
}

/// No (`deny`) or discard in a question.
private func answer(_ state: inout AppState, _ command: Command) -> [Effect] {
  if command == .discard {
    guard case .resumeOffer(let uploads) = state.overlay else { return [] }
    state.overlay = nil
    showInfo(&state, "Discarded \(uploads.count) unfinished upload(s)")
    return [.discardJournaled(uploads.map(\.id))]
  }
  if case .resumeOffer = state.overlay {
    showInfo(&state, "Unfinished uploads kept: `tack resume` or the next start resumes them")
  }
  state.overlay = nil
  return []
}

func move(_ state: inout AppState, _ command: Command) -> [Effect] {
  let layout = Layout(state)
  func apply(_ list: inout ListState, count: Int, viewport: Int) {
    switch command {
    case .moveUp: list.move(by: -1, count: count, viewport: viewport)
    case .moveDown: list.move(by: 1, count: count, viewport: viewport)
    case .pageUp: list.move(by: -viewport, count: count, viewport: viewport)
    case .pageDown: list.move(by: viewport, count: count, viewport: viewport)
    case .moveTop: list.select(0, count: count, viewport: viewport)
    default: list.select(count - 1, count: count, viewport: viewport)
    }
  }
  if case .accounts = state.overlay { return moveAccountSelection(&state, command) }
  if case .help(let offset) = state.overlay {
    let count = Screen.helpLines(state).count
    var list = ListState(selected: offset, offset: offset)
    // Scrolling text: the "selection" is the top line.
    let viewport = layout.helpViewport
    apply(&list, count: max(1, count - viewport + 1), viewport: 1)
    state.overlay = .help(offset: list.selected)
    return []
  }
  if var search = state.search {
    apply(&search.listState, count: search.hits.count, viewport: layout.pickerViewport)
    state.search = search
    return []
  }
  if var picker = state.picker {
    apply(&picker.listState, count: picker.visibleEntries.count, viewport: layout.pickerViewport)
    state.picker = picker
    return []
  }
  switch state.focus {
  case .lists:
    apply(&state.listsState, count: state.visibleLists.count, viewport: layout.listsViewport)
    return []
  case .tasks:
    let before = state.selectedTask?.id
    apply(&state.tasksState, count: state.visibleTasks.count, viewport: layout.tasksViewport)
    if state.selectedTask?.id != before {
      state.attachmentsState = ListState()
      state.edit.stepsState = ListState()
    }
    return ensureAttachments(&state)
  case .attachments:
    let count = state.selectedAttachments.value?.count ?? 0
    apply(&state.attachmentsState, count: count, viewport: layout.attachmentsViewport)
    return []
  case .uploads:
    apply(&state.uploadsState, count: state.uploads.count, viewport: layout.uploadsViewport)
    return []
  case .steps:
    let count = state.selectedSteps.value?.count ?? 0
    apply(&state.edit.stepsState, count: count, viewport: layout.stepsViewport)
    return []
  }
}

private func open(_ state: inout AppState) -> [Effect] {
  if let picker = state.picker {
    guard let entry = picker.selectedEntry else { return [] }
    if entry.kind == .directory { return changeDirectory(&state, to: entry.path) }
    if picker.marked.isEmpty {
      guard entry.isMarkable else {
        showInfo(&state, "\(entry.name): \(entry.unmarkableReason ?? "cannot be attached")")
        return []
      }
      state.picker?.marked = [entry]
    }
    return attachMarked(&state)
  }
  switch state.focus {
  case .lists:
    guard let list = state.selectedList else { return [] }
    state.focus = .tasks
    return openList(&state, list.id)
  case .tasks:
    state.focus = .attachments
    state.attachmentsState = ListState()
    return ensureAttachments(&state) + ensureSteps(&state)
  case .attachments, .steps, .uploads:
    return []
  }
}

private func back(_ state: inout AppState) -> [Effect] {
  if case .help = state.overlay {
    state.overlay = nil
    return []
  }
  if let picker = state.picker {
    if !picker.filter.text.isEmpty {
      state.picker?.filter = FilterState()
      clampSelections(&state)
      return []
    }
    state.pickerDirectory = picker.directory
    state.picker = nil
    showInfo(&state, "Nothing attached")
    return []
  }
  switch state.focus {
  case .tasks:
    if !state.tasksFilter.text.isEmpty {
      state.tasksFilter = FilterState()
      clampSelections(&state)
    } else {
      state.focus = .lists
    }
  case .attachments, .steps, .uploads: state.focus = .tasks
  case .lists: break
  }
  return []
}

private func confirm(_ state: inout AppState) -> [Effect] {
  switch state.overlay {
  case .confirmQuit:
    state.overlay = nil
    state.isQuitting = true
    return [.quit(.keep)]
  case .confirmDelete(let listID, let taskID, let attachment):
    state.overlay = nil
    showInfo(&state, "Deleting \(attachment.name)...")
    return [
      .deleteAttachment(
        listID: listID, taskID: taskID, attachmentID: attachment.id, name: attachment.name)
    ]
  case .resumeOffer(let uploads):
    state.overlay = nil
    return [.resumeJournaled(uploads.map(\.id))]
  case .accounts(let selected):
    return useAccount(&state, at: selected)
  case .help, .signIn, nil:
    return []
  }
}

private func refresh(_ state: inout AppState) -> [Effect] {
  switch state.focus {
  // What is shown stays until the new answer replaces it: no flicker, no lost selection.
  case .lists:
    if state.lists.value == nil { state.lists = .loading }
    return [.loadLists]
  case .tasks:
    guard let id = state.openListID else { return [] }
    if let load = state.taskLoads[id] {
      showInfo(&state, "Still loading: \(Format.count(load.received)) tasks so far")
      return []
    }
    if state.tasks[id]?.value == nil { state.tasks[id] = .loading }
    return [loadTasks(&state, listID: id)]
  case .attachments:
    guard let task = state.selectedTask, let list = state.openList else { return [] }
    if state.attachments[task.id]?.value == nil { state.attachments[task.id] = .loading }
    return [.loadAttachments(listID: list.id, taskID: task.id)]
  case .steps:
    guard let task = state.selectedTask, let listID = state.openListID else { return [] }
    if state.edit.steps[task.id]?.value == nil { state.edit.steps[task.id] = .loading }
    return [.edit(.loadSteps(listID: listID, taskID: task.id))]
  case .uploads:
    return []
  }
}
