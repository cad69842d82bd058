import Foundation
import GraphModels
import TerminalCore

// Lists from the keyboard: create, rename, and delete only after the name was typed.

func listCommand(_ state: inout AppState, _ command: Command) -> [Effect] {
  if command == .newItem {
    state.edit.prompt = Prompt(.newList)
    return []
  }
  guard let list = state.selectedList else { return [] }
  switch command {
  case .rename:
    state.edit.prompt = Prompt(.renameList(listID: list.id), text: list.displayName)
  case .deleteItem:
    state.edit.prompt = Prompt(.deleteList(listID: list.id, name: list.displayName))
  default:
    break
  }
  return []
}

func acceptListPrompt(_ state: inout AppState, _ kind: Prompt.Kind, text: String) -> [Effect] {
  guard var lists = state.lists.value else { return [] }
  switch kind {
  case .newList:
    let tempID = state.edit.temporaryID("list")
    lists.append(TodoTaskList(id: tempID, displayName: text))
    state.lists = .loaded(lists)
    state.edit.pendingLists[tempID] = PendingWrite(listID: "", before: nil)
    clampSelections(&state)
    return [.edit(.createList(tempID: tempID, name: text))]
  case .renameList(let listID):
    guard let index = lists.firstIndex(where: { $0.id == listID }) else { return [] }
    state.edit.pendingLists[listID] = PendingWrite(listID: "", before: lists[index])
    lists[index].displayName = text
    state.lists = .loaded(lists)
    return [.edit(.renameList(listID: listID, name: text))]
  case .deleteList(let listID, _):
    guard let index = lists.firstIndex(where: { $0.id == listID }) else { return [] }
    let list = lists.remove(at: index)
    state.lists = .loaded(lists)
    state.edit.pendingLists[listID] = PendingWrite(listID: "", before: list, index: index)
    let stopped = stopLoading(&state, listID: listID)
    if state.openListID == listID { state.openListID = nil }
    showInfo(&state, "Deleting the list “\(list.displayName)”…")
    clampSelections(&state)
    return stopped + [.edit(.deleteList(listID: listID))]
  default:
    return []
  }
}

func listEdited(_ state: inout AppState, _ result: EditResult) -> [Effect] {
  guard var lists = state.lists.value else { return [] }
  switch result {
  case .listCreated(let tempID, let result):
    state.edit.pendingLists[tempID] = nil
    guard let index = lists.firstIndex(where: { $0.id == tempID }) else { return [] }
    switch result {
    case .success(let list):
      lists[index] = list
      showInfo(&state, "Created the list “\(list.displayName)”")
    case .failure(let error):
      let name = lists.remove(at: index).displayName
      showError(&state, "Could not create the list “\(name)”: \(error.message)")
    }
  case .listRenamed(let listID, let result):
    let pending = state.edit.pendingLists.removeValue(forKey: listID)
    guard let index = lists.firstIndex(where: { $0.id == listID }) else { return [] }
    switch result {
    case .success(let list): lists[index] = list
    case .failure(let error):
      if let before = pending?.before { lists[index] = before }
      showError(&state, "Could not rename the list: \(error.message)")
    }
  case .listDeleted(let listID, let result):
    let pending = state.edit.pendingLists.removeValue(forKey: listID)
    let name = pending?.before?.displayName ?? "the list"
    switch result {
    case .success:
      state.tasks[listID] = nil
      showInfo(&state, "Deleted the list “\(name)”")
    case .failure(let error):
      if let before = pending?.before, !lists.contains(where: { $0.id == listID }) {
        lists.insert(before, at: min(pending?.index ?? 0, lists.count))
      }
      showError(&state, "Could not delete the list “\(name)”: \(error.message)")
    }
  default:
    return []
  }
  state.lists = .loaded(lists)
  clampSelections(&state)
  return []
}
