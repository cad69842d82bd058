import Foundation
import GraphModels
import TerminalCore

// Steps (checklist items) of the selected task: loaded when the steps or attachments pane is
// entered, added, ticked and renamed with the same optimistic rule as tasks.

/// Loads the selected task's steps when its detail panes have the focus and they are not known.
func ensureSteps(_ state: inout AppState) -> [Effect] {
  guard state.focus == .steps || state.focus == .attachments, let task = state.selectedTask,
    let listID = state.openListID, !state.isPending(task)
  else { return [] }
  switch state.edit.steps[task.id] {
  case .loaded?, .loading?: return []
  case .idle?, .failed?, nil: break
  }
  state.edit.steps[task.id] = .loading
  return [.edit(.loadSteps(listID: listID, taskID: task.id))]
}

func stepCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  guard let listID = state.openListID, let task = state.selectedTask else { return [] }
  if command == .newItem {
    state.edit.prompt = Prompt(.newStep(listID: listID, taskID: task.id))
    return []
  }
  guard let step = state.selectedStep else { return [] }
  switch command {
  case .rename:
    state.edit.prompt = Prompt(
      .renameStep(listID: listID, taskID: task.id, itemID: step.id), text: step.displayName)
    return []
  case .toggleDone:
    let checked = !(step.isChecked ?? false)
    return changeStep(
      &state, listID: listID, taskID: task.id, step, ChecklistItemPatch(isChecked: checked)
    ) { $0.isChecked = checked }
  default:
    return []
  }
}

func acceptStepPrompt(_ state: inout AppState, _ kind: Prompt.Kind, text: String) -> [Effect] {
  switch kind {
  case .newStep(let listID, let taskID):
    guard var steps = state.edit.steps[taskID]?.value else { return [] }
    let tempID = state.edit.temporaryID("step")
    steps.append(ChecklistItem(id: tempID, displayName: text))
    state.edit.steps[taskID] = .loaded(steps)
    state.edit.pendingSteps[tempID] = PendingWrite(listID: listID, before: nil)
    if state.selectedTask?.id == taskID {
      state.edit.stepsState.select(
        steps.count - 1, count: steps.count, viewport: Layout(state).stepsViewport)
    }
    return [.edit(.createStep(listID: listID, taskID: taskID, tempID: tempID, name: text))]
  case .renameStep(let listID, let taskID, let itemID):
    guard let step = state.edit.steps[taskID]?.value?.first(where: { $0.id == itemID })
    else { return [] }
    return changeStep(
      &state, listID: listID, taskID: taskID, step, ChecklistItemPatch(displayName: text)
    ) { $0.displayName = text }
  default:
    return []
  }
}

private func changeStep(
  _ state: inout AppState, listID: String, taskID: String, _ step: ChecklistItem,
  _ patch: ChecklistItemPatch, _ change: (inout ChecklistItem) -> Void
) -> [Effect] {
  var changed = step
  change(&changed)
  replaceStep(&state, taskID: taskID, id: step.id, with: changed)
  state.edit.pendingSteps[step.id] = PendingWrite(listID: listID, before: step)
  return [.edit(.updateStep(listID: listID, taskID: taskID, itemID: step.id, patch: patch))]
}

/// Graph's answers about steps and lists.
func stepOrListEdited(_ state: inout AppState, _ result: EditResult) -> [Effect] {
  switch result {
  case .stepsLoaded(let taskID, .success(let steps)):
    state.edit.steps[taskID] = .loaded(steps)
  case .stepsLoaded(let taskID, .failure(let error)):
    state.edit.steps[taskID] = .failed(error.message)
    showError(&state, "Could not load steps: \(error.message)")
  case .stepCreated(let taskID, let tempID, let result):
    let name = state.edit.steps[taskID]?.value?.first { $0.id == tempID }?.displayName ?? ""
    state.edit.pendingSteps[tempID] = nil
    switch result {
    case .success(let step): replaceStep(&state, taskID: taskID, id: tempID, with: step)
    case .failure(let error):
      replaceStep(&state, taskID: taskID, id: tempID, with: nil)
      showError(&state, "Could not add the step “\(name)”: \(error.message)")
    }
  case .stepUpdated(let taskID, let itemID, let result):
    let pending = state.edit.pendingSteps.removeValue(forKey: itemID)
    switch result {
    case .success(let step): replaceStep(&state, taskID: taskID, id: itemID, with: step)
    case .failure(let error):
      if let before = pending?.before {
        replaceStep(&state, taskID: taskID, id: itemID, with: before)
      }
      let name = pending?.before?.displayName ?? "the step"
      showError(&state, "Could not save the step “\(name)”: \(error.message)")
    }
  default:
    return listEdited(&state, result)
  }
  clampSteps(&state)
  return []
}

/// Puts `step` in place of the step `id` (or removes it when nil).
private func replaceStep(
  _ state: inout AppState, taskID: String, id: String, with step: ChecklistItem?
) {
  guard var steps = state.edit.steps[taskID]?.value,
    let index = steps.firstIndex(where: { $0.id == id })
  else { return }
  if let step { steps[index] = step } else { steps.remove(at: index) }
  state.edit.steps[taskID] = .loaded(steps)
}

func clampSteps(_ state: inout AppState) {
  state.edit.stepsState.clamp(
    count: state.selectedSteps.value?.count ?? 0, viewport: Layout(state).stepsViewport)
}
