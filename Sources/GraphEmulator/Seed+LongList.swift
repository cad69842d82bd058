import Foundation
import GraphModels

extension Seed {
  /// "Long list": `count` generated tasks, every 7th completed and every 11th important, as the
  /// seed's generated list; the ids are stable across runs.
  static func longList(_ count: Int) -> SeededList {
    let created = Date(timeIntervalSince1970: 1_764_000_000)
    let listID = stableID("long-list", count) + "="
    let list = TodoTaskList(
      id: listID, displayName: "Long list", isOwner: true, isShared: false,
      wellknownListName: "none")
    let tasks = (1...max(1, count)).map { number -> SeededTask in
      let stamp = GraphDate.format(created.addingTimeInterval(Double(number) * 61))
      let task = TodoTask(
        id: stableID("long-task", number), title: "Long list task \(number)",
        status: number % 7 == 0 ? "completed" : "notStarted",
        importance: number % 11 == 0 ? "high" : "normal", isReminderOn: false,
        hasAttachments: false, categories: [], body: ItemBody(content: "", contentType: "text"),
        createdDateTime: stamp, lastModifiedDateTime: stamp)
      return SeededTask(task: task, attachments: [])
    }
    return SeededList(list: list, tasks: tasks)
  }
}
