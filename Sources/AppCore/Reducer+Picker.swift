import Foundation
import TerminalCore

// MARK: Picker

func changeDirectory(_ state: inout AppState, to path: String) -> [Effect] {
  guard var picker = state.picker else { return [] }
  picker.directory = path
  picker.entries = .loading
  picker.listState = ListState()
  picker.filter = FilterState()
  picker.selectAfterLoad = nil
  state.picker = picker
  return [.listDirectory(path: path)]
}

func toggleMark(_ state: inout AppState) {
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

func attachMarked(_ state: inout AppState) -> [Effect] {
  guard let picker = state.picker, !picker.marked.isEmpty else { return [] }
  state.pickerDirectory = picker.directory
  state.picker = nil
  return [.startUploads(paths: picker.marked.map(\.path), target: picker.target)]
}

// MARK: Filters

/// Changes the filter that applies now (picker, lists or tasks) and resets that selection.
func editFilter(
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
  case .attachments, .steps, .uploads:
    return
  }
}
