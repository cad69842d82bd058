import Foundation
import TerminalCore

// The prompt: a line editor for titles and names, or the yes/no before deleting a task.

/// Types `character` into the open prompt; false when no prompt takes text.
func typeIntoPrompt(_ state: inout AppState, _ character: Character) -> Bool {
  guard var prompt = state.edit.prompt, prompt.takesText else { return false }
  prompt.editor.insert(character)
  state.edit.prompt = prompt
  return true
}

/// The line editor's keys, Enter and Esc.
func editorCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  guard var prompt = state.edit.prompt else { return [] }
  switch command {
  case .editorStart: prompt.editor.moveToStart()
  case .editorEnd: prompt.editor.moveToEnd()
  case .editorLeft: prompt.editor.moveLeft()
  case .editorRight: prompt.editor.moveRight()
  case .editorKillEnd: prompt.editor.killToEnd()
  case .editorKillStart: prompt.editor.killToStart()
  case .editorKillWord: prompt.editor.killWordBackward()
  case .editorErase: prompt.editor.eraseBackward()
  case .editorCancel:
    state.edit.prompt = nil
    return []
  default:
    state.edit.prompt = nil
    return acceptPrompt(&state, prompt)
  }
  state.edit.prompt = prompt
  return []
}

/// Enter: the write the prompt asked for.
private func acceptPrompt(_ state: inout AppState, _ prompt: Prompt) -> [Effect] {
  let text = prompt.editor.trimmed
  switch prompt.kind {
  case .newTask, .renameTask, .dueDate, .deleteTask:
    return acceptTaskPrompt(&state, prompt.kind, text: text)
  case .newStep, .renameStep:
    return acceptStepPrompt(&state, prompt.kind, text: text)
  case .newList, .renameList, .deleteList:
    return acceptListPrompt(&state, prompt.kind, text: text)
  }
}
