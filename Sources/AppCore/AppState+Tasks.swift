import Foundation
import GraphModels

/// Derived values for task editing, steps and the Completed group.
extension AppState {
  /// True for a task To Do shows under "Completed".
  public static func isCompleted(_ task: TodoTask) -> Bool { task.status == "completed" }

  /// True while a write to `task` waits for Graph.
  public func isPending(_ task: TodoTask) -> Bool { edit.pending[task.id] != nil }

  /// The selected task's steps.
  public var selectedSteps: Loadable<[ChecklistItem]> {
    guard let task = selectedTask else { return .idle }
    return edit.steps[task.id] ?? .idle
  }

  /// The highlighted step.
  public var selectedStep: ChecklistItem? {
    let all = selectedSteps.value ?? []
    return all.indices.contains(edit.stepsState.selected) ? all[edit.stepsState.selected] : nil
  }

  /// The steps pane is drawn when it has the focus or the selected task has steps.
  public var showsSteps: Bool {
    focus == .steps || !(selectedSteps.value ?? []).isEmpty
  }

  /// True for To Do's built-in lists ("Tasks", "Flagged emails"), which cannot be renamed or
  /// deleted.
  public static func isBuiltIn(_ list: TodoTaskList) -> Bool {
    guard let name = list.wellknownListName else { return false }
    return TodoValues.wellKnownLists.contains(name)
  }
}
