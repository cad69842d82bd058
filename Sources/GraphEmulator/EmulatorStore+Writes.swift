import Foundation
import GraphModels

/// Creating, changing and deleting lists, tasks and steps. Every write bumps the entity's
/// version, so its `@odata.etag` changes.
extension EmulatorStore {
  /// An entity with the etag it has now.
  struct Tagged<Value: Sendable>: Sendable {
    var value: Value
    var etag: String
  }

  enum ListDeletion: Equatable {
    case deleted, notFound, wellKnown
  }

  static func etag(_ id: String, _ version: Int) -> String {
    let raw = "\(id.suffix(12)):\(version)"
    return "W/\"" + Data(raw.utf8).base64EncodedString() + "\""
  }

  // MARK: Reading with etags

  func taggedLists() -> [Tagged<TodoTaskList>] {
    records.map { Tagged(value: $0.list, etag: Self.etag($0.list.id, $0.version)) }
  }

  /// The task records of a list; `tagged` gives one its etag (a page tags only its own).
  func taskRecords(listID: String) -> [TaskRecord]? {
    listIndex[listID].map { records[$0].tasks }
  }

  nonisolated static func tagged(_ record: TaskRecord) -> Tagged<TodoTask> {
    Tagged(value: record.task, etag: etag(record.task.id, record.version))
  }

  func taggedTask(listID: String, taskID: String) -> Tagged<TodoTask>? {
    taskRecord(listID, taskID).map {
      Tagged(value: $0.task, etag: Self.etag($0.task.id, $0.version))
    }
  }

  /// The steps of a task, or nil when there is no such task.
  public func checklistItems(listID: String, taskID: String) -> [ChecklistItem]? {
    taskRecord(listID, taskID)?.checklist.map(\.value)
  }

  func taggedChecklistItems(listID: String, taskID: String) -> [Tagged<ChecklistItem>]? {
    taskRecord(listID, taskID)?.checklist
  }

  /// A fresh etag for a step (the store's serial never repeats).
  private func stepTag(_ item: ChecklistItem) -> Tagged<ChecklistItem> {
    _ = makeID("step")
    return Tagged(value: item, etag: Self.etag(item.id, serial))
  }

  // MARK: Lists

  func createList(displayName: String) -> Tagged<TodoTaskList> {
    let list = TodoTaskList(id: makeID("list") + "=", displayName: displayName)
    listIndex[list.id] = records.count
    records.append(ListRecord(list: list))
    delta.listChanged(list.id)
    return Tagged(value: list, etag: Self.etag(list.id, 1))
  }

  func renameList(listID: String, displayName: String) -> Tagged<TodoTaskList>? {
    guard let index = listIndex[listID] else { return nil }
    records[index].list.displayName = displayName
    records[index].version += 1
    delta.listChanged(listID)
    return Tagged(value: records[index].list, etag: Self.etag(listID, records[index].version))
  }

  func deleteList(listID: String) -> ListDeletion {
    guard let index = listIndex[listID] else { return .notFound }
    if let name = records[index].list.wellknownListName, TodoValues.wellKnownLists.contains(name) {
      return .wellKnown
    }
    records.remove(at: index)
    listIndex = Dictionary(uniqueKeysWithValues: records.enumerated().map { ($1.list.id, $0) })
    delta.listRemoved(listID)
    return .deleted
  }

  // MARK: Tasks

  func createTask(listID: String, changes: TaskChanges, now: Date) -> Tagged<TodoTask>? {
    guard let index = listIndex[listID] else { return nil }
    let stamp = GraphDate.format(now)
    var task = TodoTask(
      id: makeID("task") + "=", title: "", hasAttachments: false, categories: [],
      body: ItemBody(content: "", contentType: "text"), createdDateTime: stamp,
      lastModifiedDateTime: stamp)
    changes.apply(to: &task, now: now)
    records[index].taskIndex[task.id] = records[index].tasks.count
    records[index].tasks.append(TaskRecord(task: task))
    delta.taskChanged(listID: listID, taskID: task.id)
    return Tagged(value: task, etag: Self.etag(task.id, 1))
  }

  func updateTask(listID: String, taskID: String, changes: TaskChanges, now: Date)
    -> Tagged<TodoTask>?
  {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID] else { return nil }
    changes.apply(to: &records[l].tasks[t].task, now: now)
    records[l].tasks[t].task.lastModifiedDateTime = GraphDate.format(now)
    records[l].tasks[t].version += 1
    delta.taskChanged(listID: listID, taskID: taskID)
    let record = records[l].tasks[t]
    return Tagged(value: record.task, etag: Self.etag(taskID, record.version))
  }

  func deleteTask(listID: String, taskID: String) -> Bool {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID] else { return false }
    records[l].tasks.remove(at: t)
    records[l].taskIndex = Dictionary(
      uniqueKeysWithValues: records[l].tasks.enumerated().map { ($1.task.id, $0) })
    delta.taskRemoved(listID: listID, taskID: taskID)
    return true
  }

  // MARK: Steps

  func createChecklistItem(
    listID: String, taskID: String, displayName: String, isChecked: Bool, now: Date
  ) -> Tagged<ChecklistItem>? {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID] else { return nil }
    let stamp = GraphDate.format(now)
    let item = ChecklistItem(
      id: UUID().uuidString.lowercased(), displayName: displayName, isChecked: isChecked,
      createdDateTime: stamp, checkedDateTime: isChecked ? stamp : nil)
    let tagged = stepTag(item)
    records[l].tasks[t].checklist.append(tagged)
    touch(l, t, now: now)
    return tagged
  }

  func updateChecklistItem(
    listID: String, taskID: String, itemID: String, patch: ChecklistItemPatch, now: Date
  ) -> Tagged<ChecklistItem>? {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID],
      let i = records[l].tasks[t].checklist.firstIndex(where: { $0.value.id == itemID })
    else { return nil }
    var item = records[l].tasks[t].checklist[i].value
    if let name = patch.displayName { item.displayName = name }
    if let checked = patch.isChecked, checked != (item.isChecked ?? false) {
      item.isChecked = checked
      item.checkedDateTime = checked ? GraphDate.format(now) : nil
    }
    let tagged = stepTag(item)
    records[l].tasks[t].checklist[i] = tagged
    touch(l, t, now: now)
    return tagged
  }

  func deleteChecklistItem(listID: String, taskID: String, itemID: String, now: Date) -> Bool {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID],
      let i = records[l].tasks[t].checklist.firstIndex(where: { $0.value.id == itemID })
    else { return false }
    records[l].tasks[t].checklist.remove(at: i)
    touch(l, t, now: now)
    return true
  }

  /// A step changed: its task's modification time and etag change too.
  private func touch(_ l: Int, _ t: Int, now: Date) {
    records[l].tasks[t].task.lastModifiedDateTime = GraphDate.format(now)
    records[l].tasks[t].version += 1
    delta.taskChanged(listID: records[l].list.id, taskID: records[l].tasks[t].task.id)
  }
}
