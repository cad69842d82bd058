import GraphModels

/// The tasks pane's rows, kept as positions in the open list's task array: the open tasks that
/// pass the filter, then the completed ones. Built once when the list, the filter or the tasks
/// change; a page that arrives only appends its own positions (O(page)), so a 10,000-task list
/// that loads page by page is never re-filtered or re-grouped per page.
public struct TaskRows: Sendable, Hashable {
  /// What the rows were built from: a different key means they are stale.
  struct Key: Sendable, Hashable {
    var listID: String?
    var needle: String
    /// `AppState.tasksGeneration` when built (it moves on every change to any list's tasks).
    var generation: Int
  }

  var key = Key(listID: nil, needle: "", generation: -1)
  /// Positions of the open tasks that pass the filter, in list order.
  public internal(set) var open: [Int] = []
  /// Positions of the completed tasks that pass the filter, in list order.
  public internal(set) var completed: [Int] = []
  /// How many times the rows were built from the whole list (pages append instead).
  public internal(set) var rebuilds = 0

  /// The rows of `tasks` under `filter`, from `start` on, appended to these.
  mutating func append(_ tasks: [TodoTask], from start: Int, filter: FilterState) {
    for index in start..<tasks.count where filter.matches(tasks[index].title) {
      if AppState.isCompleted(tasks[index]) {
        completed.append(index)
      } else {
        open.append(index)
      }
    }
  }
}

/// The visible tasks in pane order, read through `TaskRows` without copying the list: count and
/// subscript are O(1).
public struct VisibleTasks: RandomAccessCollection, Sendable {
  let tasks: [TodoTask]
  let open: [Int]
  let completed: [Int]

  public var startIndex: Int { 0 }
  public var endIndex: Int { open.count + completed.count }

  public subscript(position: Int) -> TodoTask {
    position < open.count ? tasks[open[position]] : tasks[completed[position - open.count]]
  }
}

extension AppState {
  var currentTaskRowsKey: TaskRows.Key {
    TaskRows.Key(listID: openListID, needle: tasksFilter.needle, generation: tasksGeneration)
  }

  /// The rows for the current list, filter and tasks: the kept ones when current, else built.
  var currentTaskRows: TaskRows {
    let key = currentTaskRowsKey
    if taskRows.key == key { return taskRows }
    var rows = TaskRows(key: key, rebuilds: taskRows.rebuilds + 1)
    rows.append(openTasks.value ?? [], from: 0, filter: tasksFilter)
    return rows
  }

  /// Keeps `taskRows` current (the reducer calls it after every action): free when nothing
  /// changed, one pass over the list when something did.
  mutating func syncTaskRows() {
    if taskRows.key != currentTaskRowsKey { taskRows = currentTaskRows }
  }

  /// Tasks of the open list that pass the tasks filter: open ones, then the Completed group
  /// (when it is shown).
  public var visibleTasks: VisibleTasks {
    let rows = currentTaskRows
    return VisibleTasks(
      tasks: openTasks.value ?? [], open: rows.open,
      completed: edit.showCompleted ? rows.completed : [])
  }

  /// Completed tasks of the open list that pass the filter (shown or not).
  public var completedCount: Int { currentTaskRows.completed.count }

  /// How many rows of `visibleTasks` come before the Completed group.
  public var openTaskCount: Int { currentTaskRows.open.count }
}
