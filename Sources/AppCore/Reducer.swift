import Foundation
import GraphModels
import TerminalCore

/// Applies `action` to `state` and returns the work the runtime must do.
///
/// Pure: no clock, no I/O. Time arrives as data (`tick`, upload events carry their date).
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
  switch action {
  case .key(let key):
    return handleKey(&state, key)
  case .command(let command):
    return perform(&state, command)
  case .resized(let size):
    state.size = size
    clampSelections(&state)
    return []
  case .tick(let date):
    state.now = date
    if let expires = state.status?.expires, expires <= date { state.status = nil }
    return []
  case .signal(let signal):
    switch signal {
    case .interrupt: return perform(&state, .interrupt)
    case .terminate, .hangup:
      // Nobody can answer a question: pause, keep the journal, leave.
      state.isQuitting = true
      return [.quit]
    }
  case .listsLoaded(let result):
    return listsLoaded(&state, result)
  case .tasksLoaded(let listID, let result):
    return tasksLoaded(&state, listID: listID, result)
  case .attachmentsLoaded(_, let taskID, let result):
    switch result {
    case .success(let attachments):
      state.attachments[taskID] = .loaded(attachments)
      setHasAttachments(&state, taskID: taskID, !attachments.isEmpty)
    case .failure(let error):
      state.attachments[taskID] = .failed(error.message)
      showError(&state, error.message)
    }
    clampSelections(&state)
    return []
  case .directoryListed(let path, let result):
    guard var picker = state.picker, picker.directory == path else { return [] }
    switch result {
    case .success(let entries): picker.entries = .loaded(entries)
    case .failure(let error): picker.entries = .failed(error.message)
    }
    if let name = picker.selectAfterLoad {
      if let index = picker.visibleEntries.firstIndex(where: { $0.name == name }) {
        picker.listState.select(
          index, count: picker.visibleEntries.count, viewport: Layout(state).pickerViewport)
      }
      picker.selectAfterLoad = nil
    }
    state.picker = picker
    clampSelections(&state)
    return []
  case .attachmentDownloaded(let name, let result):
    switch result {
    case .success(let path): showInfo(&state, "Saved \(name) to \(path)")
    case .failure(let error): showError(&state, "Download of \(name) failed: \(error.message)")
    }
    return []
  case .attachmentDeleted(let listID, let taskID, let name, let result):
    switch result {
    case .success: showInfo(&state, "Deleted \(name)")
    case .failure(let error): showError(&state, "Could not delete \(name): \(error.message)")
    }
    return [.loadAttachments(listID: listID, taskID: taskID)]
  case .uploadsQueued(let queued):
    for item in queued {
      if let index = state.uploads.firstIndex(where: { $0.id == item.id }) {
        state.uploads[index] = UploadRow(item)
      } else {
        state.uploads.append(UploadRow(item))
      }
    }
    if !queued.isEmpty {
      showInfo(
        &state, queued.count == 1 ? "Queued \(queued[0].name)" : "Queued \(queued.count) files")
    }
    clampSelections(&state)
    return []
  case .uploadsRejected(let errors):
    if let first = errors.first {
      let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
      showError(&state, first.message + more)
    }
    return []
  case .upload(let event, let date):
    return uploadEvent(&state, event, at: date)
  case .journalFound(let uploads):
    if !uploads.isEmpty { state.overlay = .resumeOffer(uploads) }
    return []
  case .signInStarted:
    state.overlay = .signIn(SignInState())
    return []
  case .signInPrompted(let code, let date):
    state.overlay = .signIn(
      SignInState(code: code, expires: date.addingTimeInterval(TimeInterval(code.expiresIn))))
    return []
  case .signInFinished(let result):
    switch result {
    case .success:
      state.overlay = nil
      showInfo(&state, "Signed in")
    case .failure(let error):
      var signIn = SignInState(failure: error.message)
      if case .signIn(let current) = state.overlay {
        signIn.code = current.code
        signIn.expires = current.expires
      }
      state.overlay = .signIn(signIn)
    }
    return []
  }
}

// MARK: Keys and commands

private func handleKey(_ state: inout AppState, _ key: KeyEvent) -> [Effect] {
  if key == .resize { return [] }
  if key != .ctrl("c") { state.interrupts = 0 }
  // Errors stay until the user does something.
  if state.status?.kind == .error { state.status = nil }
  if let binding = KeyBindings.binding(for: key, in: state) {
    return perform(&state, binding)
  }
  if case .char(let character) = key {
    editFilter(&state) { $0.text.append(character) }
  }
  return []
}

/// Runs `command` as its binding in the current contexts would.
private func perform(_ state: inout AppState, _ command: Command) -> [Effect] {
  guard let binding = KeyBindings.binding(for: command, in: state) else {
    return execute(&state, command)
  }
  return perform(&state, binding)
}

/// Runs a binding's command unless its rule disables it now; then the status line says why.
private func perform(_ state: inout AppState, _ binding: KeyBinding) -> [Effect] {
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
    return ensureAttachments(&state)
  case .open:
    return open(&state)
  case .back:
    return back(&state)
  case .toggleMark:
    toggleMark(&state)
    return []
  case .filter:
    editFilter(&state, startEditing: true) { _ in }
    return []
  case .filterAccept:
    editFilter(&state) { $0.editing = false }
    return []
  case .filterCancel:
    editFilter(&state) { $0 = FilterState() }
    return []
  case .filterErase:
    editFilter(&state) { filter in
      if !filter.text.isEmpty { filter.text.removeLast() }
    }
    return []
  case .attach:
    guard let task = state.selectedTask, let list = state.openList else { return [] }
    let target = AttachTarget(
      listID: list.id, taskID: task.id, listName: list.displayName, taskTitle: task.title)
    state.picker = FilePickerState(target: target, directory: state.pickerDirectory)
    return [.listDirectory(path: state.pickerDirectory)]
  case .togglePause:
    guard let upload = state.selectedUpload else { return [] }
    return [upload.phase == .paused ? .resumeUpload(upload.id) : .pauseUpload(upload.id)]
  case .togglePauseAll:
    let active = state.uploads.filter(\.phase.isActive)
    if !active.isEmpty { return active.map { .pauseUpload($0.id) } }
    return state.uploads.filter { $0.phase == .paused }.map { .resumeUpload($0.id) }
  case .cancelUpload:
    guard let upload = state.selectedUpload else { return [] }
    return [.cancelUpload(upload.id)]
  case .retryUpload:
    guard let upload = state.selectedUpload else { return [] }
    if let index = state.uploads.firstIndex(where: { $0.id == upload.id }) {
      state.uploads[index].phase = .queued
    }
    return [.retryUpload(upload.id)]
  case .download:
    guard let attachment = state.selectedAttachment, let task = state.selectedTask,
      let list = state.openList
    else { return [] }
    showInfo(&state, "Downloading \(attachment.name)...")
    return [
      .downloadAttachment(
        listID: list.id, taskID: task.id, attachmentID: attachment.id, name: attachment.name,
        directory: state.downloadDirectory)
    ]
  case .delete:
    guard let attachment = state.selectedAttachment, let task = state.selectedTask,
      let list = state.openList
    else { return [] }
    state.overlay = .confirmDelete(listID: list.id, taskID: task.id, attachment: attachment)
    return []
  case .help:
    state.overlay = .help(offset: 0)
    return []
  case .refresh:
    return refresh(&state)
  case .repaint:
    return [.repaint]
  case .suspend:
    return [.suspend]
  case .quit:
    if !state.activeUploads.isEmpty {
      state.overlay = .confirmQuit
      return []
    }
    state.isQuitting = true
    return [.quit]
  case .interrupt:
    state.interrupts += 1
    if state.interrupts >= 2 {
      state.isQuitting = true
      return [.forceQuit]
    }
    if state.activeUploads.isEmpty {
      state.isQuitting = true
      return [.quit]
    }
    state.overlay = .confirmQuit
    showInfo(&state, "Press Ctrl-C again to quit at once")
    return []
  case .toggleHidden:
    guard var picker = state.picker else { return [] }
    picker.showHidden.toggle()
    state.picker = picker
    clampSelections(&state)
    return []
  case .goHome:
    return changeDirectory(&state, to: state.homeDirectory)
  case .parent:
    guard let directory = state.picker?.directory, directory != "/" else { return [] }
    let effects = changeDirectory(&state, to: PathText.parent(of: directory))
    state.picker?.selectAfterLoad = PathText.lastComponent(directory)
    return effects
  case .confirm:
    return confirm(&state)
  case .deny:
    if case .resumeOffer = state.overlay {
      showInfo(&state, "Unfinished uploads kept: `tack resume` or the next start resumes them")
    }
    state.overlay = nil
    return []
  case .discard:
    guard case .resumeOffer(let uploads) = state.overlay else { return [] }
    state.overlay = nil
    showInfo(&state, "Discarded \(uploads.count) unfinished upload(s)")
    return [.discardJournaled(uploads.map(\.id))]
  }
}

private func move(_ state: inout AppState, _ command: Command) -> [Effect] {
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
  if case .help(let offset) = state.overlay {
    let count = Screen.helpLines(state).count
    var list = ListState(selected: offset, offset: offset)
    // Scrolling text: the "selection" is the top line.
    let viewport = layout.helpViewport
    apply(&list, count: max(1, count - viewport + 1), viewport: 1)
    state.overlay = .help(offset: list.selected)
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
    if state.selectedTask?.id != before { state.attachmentsState = ListState() }
    return ensureAttachments(&state)
  case .attachments:
    let count = state.selectedAttachments.value?.count ?? 0
    apply(&state.attachmentsState, count: count, viewport: layout.attachmentsViewport)
    return []
  case .uploads:
    apply(&state.uploadsState, count: state.uploads.count, viewport: layout.uploadsViewport)
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
    return ensureAttachments(&state)
  case .attachments, .uploads:
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
  case .attachments, .uploads: state.focus = .tasks
  case .lists: break
  }
  return []
}

private func confirm(_ state: inout AppState) -> [Effect] {
  switch state.overlay {
  case .confirmQuit:
    state.overlay = nil
    state.isQuitting = true
    return [.quit]
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
    if state.tasks[id]?.value == nil { state.tasks[id] = .loading }
    return [.loadTasks(listID: id)]
  case .attachments:
    guard let task = state.selectedTask, let list = state.openList else { return [] }
    if state.attachments[task.id]?.value == nil { state.attachments[task.id] = .loading }
    return [.loadAttachments(listID: list.id, taskID: task.id)]
  case .uploads:
    return []
  }
}

// MARK: Lists, tasks, attachments

private func listsLoaded(_ state: inout AppState, _ result: Result<[TodoTaskList], AppError>)
  -> [Effect]
{
  switch result {
  case .success(let lists):
    state.lists = .loaded(lists)
    clampSelections(&state)
    // Show something useful at once: the first list's tasks.
    if state.openListID == nil, let first = state.selectedList {
      return openList(&state, first.id)
    }
    return []
  case .failure(let error):
    state.lists = .failed(error.message)
    showError(&state, "Could not load lists: \(error.message)")
    return []
  }
}

private func tasksLoaded(
  _ state: inout AppState, listID: String, _ result: Result<[TodoTask], AppError>
) -> [Effect] {
  switch result {
  case .success(let tasks):
    state.tasks[listID] = .loaded(tasks)
  case .failure(let error):
    state.tasks[listID] = .failed(error.message)
    showError(&state, "Could not load tasks: \(error.message)")
  }
  clampSelections(&state)
  return listID == state.openListID ? ensureAttachments(&state) : []
}

private func openList(_ state: inout AppState, _ listID: String) -> [Effect] {
  if state.openListID != listID {
    state.openListID = listID
    state.tasksState = ListState()
    state.tasksFilter = FilterState()
    state.attachmentsState = ListState()
  }
  switch state.tasks[listID] {
  case .loaded?, .loading?:
    return ensureAttachments(&state)
  case .idle?, .failed?, nil:
    state.tasks[listID] = .loading
    return [.loadTasks(listID: listID)]
  }
}

/// Loads the selected task's attachments unless known; a task without any needs no request.
private func ensureAttachments(_ state: inout AppState) -> [Effect] {
  guard let task = state.selectedTask, let list = state.openList else { return [] }
  switch state.attachments[task.id] {
  case .loaded?, .loading?: return []
  case .idle?, .failed?, nil: break
  }
  if task.hasAttachments == false {
    state.attachments[task.id] = .loaded([])
    return []
  }
  state.attachments[task.id] = .loading
  return [.loadAttachments(listID: list.id, taskID: task.id)]
}

private func setHasAttachments(_ state: inout AppState, taskID: String, _ value: Bool) {
  for (listID, loadable) in state.tasks {
    guard var tasks = loadable.value, let index = tasks.firstIndex(where: { $0.id == taskID })
    else { continue }
    tasks[index].hasAttachments = value
    state.tasks[listID] = .loaded(tasks)
  }
}

// MARK: Picker

private func changeDirectory(_ state: inout AppState, to path: String) -> [Effect] {
  guard var picker = state.picker else { return [] }
  picker.directory = path
  picker.entries = .loading
  picker.listState = ListState()
  picker.filter = FilterState()
  picker.selectAfterLoad = nil
  state.picker = picker
  return [.listDirectory(path: path)]
}

private func toggleMark(_ state: inout AppState) {
  guard var picker = state.picker, let entry = picker.selectedEntry else { return }
  if entry.kind == .directory {
    showInfo(&state, "Directories cannot be attached: Enter opens them")
    return
  }
  if let reason = entry.unmarkableReason {
    showInfo(&state, "\(entry.name): \(reason)")
    return
  }
  if let index = picker.marked.firstIndex(where: { $0.path == entry.path }) {
    picker.marked.remove(at: index)
  } else {
    picker.marked.append(entry)
  }
  picker.listState.move(
    by: 1, count: picker.visibleEntries.count, viewport: Layout(state).pickerViewport)
  state.picker = picker
}

private func attachMarked(_ state: inout AppState) -> [Effect] {
  guard let picker = state.picker, !picker.marked.isEmpty else { return [] }
  state.pickerDirectory = picker.directory
  state.picker = nil
  return [.startUploads(paths: picker.marked.map(\.path), target: picker.target)]
}

// MARK: Filters

/// Changes the filter that applies now (picker, lists or tasks) and resets that selection.
private func editFilter(
  _ state: inout AppState, startEditing: Bool = false, _ change: (inout FilterState) -> Void
) {
  if var picker = state.picker {
    guard startEditing || picker.filter.editing || !picker.filter.text.isEmpty else { return }
    if startEditing { picker.filter.editing = true }
    change(&picker.filter)
    picker.listState = ListState()
    state.picker = picker
    return
  }
  switch state.focus {
  case .lists:
    guard startEditing || state.listsFilter.editing else { return }
    if startEditing { state.listsFilter.editing = true }
    change(&state.listsFilter)
    state.listsState = ListState()
  case .tasks:
    guard startEditing || state.tasksFilter.editing else { return }
    if startEditing { state.tasksFilter.editing = true }
    change(&state.tasksFilter)
    state.tasksState = ListState()
  case .attachments, .uploads:
    return
  }
}

// MARK: Uploads

private func uploadEvent(_ state: inout AppState, _ event: UploadEvent, at date: Date) -> [Effect] {
  let known = state.uploads.count
  guard let index = UploadRow.fold(event, at: date, into: &state.uploads) else { return [] }
  if state.uploads.count != known { clampSelections(&state) }
  let row = state.uploads[index]
  switch event {
  case .sessionRecreated(_, let reason):
    showInfo(&state, "\(row.name): new upload session (\(reason))")
  case .completed:
    showInfo(
      &state, "Attached \(row.name) to \(row.taskTitle.isEmpty ? "the task" : row.taskTitle)")
    setHasAttachments(&state, taskID: row.taskID, true)
    if state.attachments[row.taskID] != nil, !row.listID.isEmpty {
      return [.loadAttachments(listID: row.listID, taskID: row.taskID)]
    }
  case .failed(_, let reason):
    showError(&state, "\(row.name): \(reason)")
  case .sessionCreated, .progress, .chunkSent, .retry, .paused, .resumed, .cancelled:
    break
  }
  return []
}

// MARK: Helpers

/// Keeps every selection inside its list after data or the size changed.
func clampSelections(_ state: inout AppState) {
  let layout = Layout(state)
  state.listsState.clamp(count: state.visibleLists.count, viewport: layout.listsViewport)
  state.tasksState.clamp(count: state.visibleTasks.count, viewport: layout.tasksViewport)
  state.attachmentsState.clamp(
    count: state.selectedAttachments.value?.count ?? 0, viewport: layout.attachmentsViewport)
  state.uploadsState.clamp(count: state.uploads.count, viewport: layout.uploadsViewport)
  if var picker = state.picker {
    picker.listState.clamp(count: picker.visibleEntries.count, viewport: layout.pickerViewport)
    state.picker = picker
  }
  if state.focus == .uploads && state.uploads.isEmpty { state.focus = .tasks }
}

private func showInfo(_ state: inout AppState, _ text: String) {
  state.status = StatusMessage(text, kind: .info, expires: state.now.addingTimeInterval(5))
}

private func showError(_ state: inout AppState, _ text: String) {
  state.status = StatusMessage(text, kind: .error)
}
