import Foundation
import GraphModels
import TerminalCore

/// Applies `action` to `state` and returns the work the runtime must do.
///
/// Pure: no clock, no I/O. Time arrives as data (`tick`, upload events carry their date).
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
  let tasksBefore = state.tasksGeneration
  let effects = reduceAction(&state, action)
  state.syncTaskRows()
  // Tasks that arrive while the global search is open join its matches at once.
  if state.tasksGeneration != tasksBefore, case .some = state.search { refreshSearch(&state) }
  return effects
}

private func reduceAction(_ state: inout AppState, _ action: Action) -> [Effect] {
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
    return tick(&state, date)
  case .signal(let signal):
    return handleSignal(&state, signal)
  case .listsLoaded(let result):
    return refreshLists(&state, result)
  case .tasksLoaded(let listID, let result):
    return tasksFinished(&state, listID: listID, result)
  case .tasksPage(let listID, let tasks, let first, let more):
    return tasksPage(&state, listID: listID, tasks, first: first, more: more)
  case .cachedListsLoaded(let lists, let savedAt):
    return cachedListsLoaded(&state, lists, savedAt: savedAt)
  case .cachedTasksLoaded(let listID, let tasks, let savedAt):
    return cachedTasksLoaded(&state, listID: listID, tasks, savedAt: savedAt)
  case .attachmentsLoaded(_, let taskID, let result):
    return attachmentsLoaded(&state, taskID: taskID, result)
  case .directoryListed(let path, let result):
    directoryListed(&state, path: path, result)
    return []
  case .attachmentDownloaded(let name, let result):
    attachmentDownloaded(&state, name: name, result)
    return []
  case .attachmentDeleted(let listID, let taskID, let name, let result):
    return attachmentDeleted(&state, listID: listID, taskID: taskID, name: name, result)
  case .uploadsQueued(let queued):
    uploadsQueued(&state, queued)
    return []
  case .uploadsAttached(let held, let background):
    uploadsAttached(&state, held, background: background)
    return []
  case .uploadsRejected(let errors):
    if let first = errors.first {
      let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
      showError(&state, first.message + more)
    }
    return []
  case .upload(let event, let date):
    return uploadEvent(&state, event, at: date)
  case .bandwidthLimit(let rate):
    state.bandwidthCap = BandwidthCap(reported: rate)
    return []
  case .journalFound(let uploads):
    if !uploads.isEmpty { state.overlay = .resumeOffer(uploads) }
    return []
  case .signInStarted, .signInPrompted, .signInFinished:
    signIn(&state, action)
    return []
  case .notice(let text, let until):
    // An error on the status line stays until a key: a notice does not hide it.
    guard state.status?.kind != .error else { return [] }
    let expires = max(until ?? state.now, state.now.addingTimeInterval(5))
    state.status = StatusMessage(text, kind: .info, expires: expires)
    return []
  case .edited(let result):
    return taskEdited(&state, result)
  case .fromAccount(let generation, let answer):
    return accountAnswer(&state, generation: generation, answer)
  }
}

private func tick(_ state: inout AppState, _ date: Date) -> [Effect] {
  state.now = date
  if let expires = state.status?.expires, expires <= date { state.status = nil }
  return retryOfflineIfDue(&state)
}

private func handleSignal(_ state: inout AppState, _ signal: TerminalSignal) -> [Effect] {
  switch signal {
  case .interrupt: return perform(&state, .interrupt)
  case .terminate, .hangup:
    // Nobody can answer a question: leave now. Uploads in the agent keep going; the in-process
    // engine pauses its own and keeps the journal.
    state.isQuitting = true
    return [.quit(.keep)]
  }
}

// MARK: Results

private func attachmentDownloaded(
  _ state: inout AppState, name: String, _ result: Result<String, AppError>
) {
  switch result {
  case .success(let path):
    showInfo(&state, "Saved \(Sanitizer.clean(name)) to \(Sanitizer.clean(path))")
  case .failure(let error): showError(&state, "Download of \(name) failed: \(error.message)")
  }
}

private func attachmentDeleted(
  _ state: inout AppState, listID: String, taskID: String, name: String,
  _ result: Result<Void, AppError>
) -> [Effect] {
  switch result {
  case .success: showInfo(&state, "Deleted \(name)")
  case .failure(let error): showError(&state, "Could not delete \(name): \(error.message)")
  }
  return [.loadAttachments(listID: listID, taskID: taskID)]
}

private func attachmentsLoaded(
  _ state: inout AppState, taskID: String, _ result: Result<[TaskFileAttachment], AppError>
) -> [Effect] {
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
}

private func directoryListed(
  _ state: inout AppState, path: String, _ result: Result<[DirectoryEntry], AppError>
) {
  guard var picker = state.picker, picker.directory == path else { return }
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
}

/// The uploads a backend holds as the interface attaches to it (the agent's, at start).
private func uploadsAttached(_ state: inout AppState, _ held: [QueuedUpload], background: Bool) {
  state.uploadsInBackground = background
  // Rows already shown belong to the same (shown account's) backend.
  for index in state.uploads.indices { state.uploads[index].inBackground = background }
  uploadsQueued(
    &state,
    held.map { row in
      var row = row
      row.inBackground = background
      return row
    }, announce: false)
  let running = held.filter(\.phase.isActive).count
  if running > 0 {
    showInfo(
      &state,
      "Attached to \(running) upload\(running == 1 ? "" : "s") running in the background")
  }
}

private func uploadsQueued(
  _ state: inout AppState, _ queued: [QueuedUpload], announce: Bool = true
) {
  for item in queued {
    if let index = state.uploads.firstIndex(where: { $0.id == item.id }) {
      state.uploads[index] = UploadRow(item)
    } else {
      state.uploads.append(UploadRow(item))
    }
  }
  if announce, !queued.isEmpty {
    showInfo(
      &state, queued.count == 1 ? "Queued \(queued[0].name)" : "Queued \(queued.count) files")
  }
  clampSelections(&state)
}

private func signIn(_ state: inout AppState, _ action: Action) {
  switch action {
  case .signInStarted:
    state.overlay = .signIn(SignInState())
  case .signInPrompted(let code, let date):
    state.overlay = .signIn(
      SignInState(code: code, expires: date.addingTimeInterval(TimeInterval(code.expiresIn))))
  case .signInFinished(.success):
    state.overlay = nil
    showInfo(&state, "Signed in")
  case .signInFinished(.failure(let error)):
    var signIn = SignInState(failure: error.message)
    if case .signIn(let current) = state.overlay {
      signIn.code = current.code
      signIn.expires = current.expires
    }
    state.overlay = .signIn(signIn)
  default:
    break
  }
}

// MARK: Lists, tasks, attachments

func listsLoaded(_ state: inout AppState, _ result: Result<[TodoTaskList], AppError>)
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

func tasksLoaded(
  _ state: inout AppState, listID: String, _ result: Result<[TodoTask], AppError>
) -> [Effect] {
  switch result {
  case .success(let tasks):
    state.tasks[listID] = .loaded(keepingRowsBeingCreated(state, listID: listID, tasks))
  case .failure(let error):
    state.tasks[listID] = .failed(error.message)
    showError(&state, "Could not load tasks: \(error.message)")
  }
  clampSelections(&state)
  return listID == state.openListID ? ensureAttachments(&state) : []
}

/// Graph's `tasks` for a list, below the rows still being created there (a reload must not
/// drop a new task whose POST has not answered yet).
func keepingRowsBeingCreated(_ state: AppState, listID: String, _ tasks: [TodoTask])
  -> [TodoTask]
{
  let creating = (state.tasks[listID]?.value ?? []).filter {
    TaskEditState.isTemporary($0.id) && state.edit.pending[$0.id] != nil
  }
  return creating.isEmpty ? tasks : creating + tasks
}

func openList(_ state: inout AppState, _ listID: String) -> [Effect] {
  var effects: [Effect] = []
  if state.openListID != listID {
    if let left = state.openListID { effects += stopLoading(&state, listID: left) }
    state.openListID = listID
    state.tasksState = ListState()
    state.tasksFilter = FilterState()
    state.attachmentsState = ListState()
  }
  switch state.tasks[listID] {
  case .loaded? where state.cached.tasks[listID] != nil && state.taskLoads[listID] == nil:
    // Cached rows whose refresh was stopped when the user left the list: refresh them now.
    return effects + [loadTasks(&state, listID: listID)] + ensureAttachments(&state)
  case .loaded?, .loading?:
    return effects + ensureAttachments(&state)
  case .idle?, .failed?, nil:
    state.tasks[listID] = .loading
    return effects + [loadTasks(&state, listID: listID)]
  }
}

/// Loads the selected task's attachments unless known; a task without any needs no request.
func ensureAttachments(_ state: inout AppState) -> [Effect] {
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

// MARK: Uploads

private func uploadEvent(_ state: inout AppState, _ event: UploadEvent, at date: Date) -> [Effect] {
  let known = state.uploads.count
  guard let index = UploadRow.fold(event, at: date, into: &state.uploads) else { return [] }
  if state.uploads.count != known {
    // Learnt from an event (another client's upload in the agent): the shown account's kind.
    state.uploads[index].inBackground = state.uploadsInBackground
    clampSelections(&state)
  }
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
  case .failed(_, let reason, _):
    showError(&state, "\(row.name): \(reason)")
  case .sessionCreated, .progress, .chunkSent, .retry, .paused, .resumed, .cancelled:
    break
  }
  return []
}

// MARK: Helpers

/// Keeps every selection inside its list after data or the size changed.
func clampSelections(_ state: inout AppState) {
  state.syncTaskRows()
  let layout = Layout(state)
  state.listsState.clamp(count: state.visibleLists.count, viewport: layout.listsViewport)
  state.tasksState.clamp(count: state.visibleTasks.count, viewport: layout.tasksViewport)
  state.attachmentsState.clamp(
    count: state.selectedAttachments.value?.count ?? 0, viewport: layout.attachmentsViewport)
  state.uploadsState.clamp(count: state.uploads.count, viewport: layout.uploadsViewport)
  state.edit.stepsState.clamp(
    count: state.selectedSteps.value?.count ?? 0, viewport: layout.stepsViewport)
  if var picker = state.picker {
    picker.listState.clamp(count: picker.visibleEntries.count, viewport: layout.pickerViewport)
    state.picker = picker
  }
  if state.focus == .uploads && state.uploads.isEmpty { state.focus = .tasks }
}

func showInfo(_ state: inout AppState, _ text: String) {
  state.status = StatusMessage(text, kind: .info, expires: state.now.addingTimeInterval(5))
}

func showError(_ state: inout AppState, _ text: String) {
  state.status = StatusMessage(text, kind: .error)
}
