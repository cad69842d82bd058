import Foundation
import GraphModels

/// Builds the emulator's starting data from the embedded copy of `Assets/seed.json`.
struct Seed {
  struct SeededTask {
    var task: TodoTask
    var attachments: [EmulatorStore.AttachmentRecord]
  }

  struct SeededList {
    var list: TodoTaskList
    var tasks: [SeededTask]
  }

  var userID: String
  var userName: String
  var userPrincipalName: String
  var lists: [SeededList]

  /// The seed file as embedded in the binary.
  static var embeddedJSON: String { SeedJSON.text }

  static func load(_ kind: EmulatorOptions.Seed) throws -> Seed {
    let raw = try GraphJSON.decoder().decode(JSONValue.self, from: Data(SeedJSON.text.utf8))
    let user = raw[caseInsensitive: "user"]
    var seed = Seed(
      userID: user?[caseInsensitive: "id"]?.stringValue ?? "6f9a2a92-8527-4d64-837e-b5312852f36d",
      userName: user?[caseInsensitive: "displayName"]?.stringValue ?? "Demo User",
      userPrincipalName: user?[caseInsensitive: "userPrincipalName"]?.stringValue
        ?? "demo@tack.invalid",
      lists: [])
    guard kind != .empty, let lists = raw[caseInsensitive: "lists"]?.arrayValue else { return seed }
    let created = Date(timeIntervalSince1970: 1_764_000_000)
    for (listNumber, entry) in lists.enumerated() {
      if kind == .small, case .bool(true) = entry[caseInsensitive: "full"] ?? .null { continue }
      let listID = stableID("list", listNumber) + "="
      var isOwner = true
      if case .bool(let value) = entry[caseInsensitive: "isOwner"] ?? .null { isOwner = value }
      var isShared = false
      if case .bool(let value) = entry[caseInsensitive: "isShared"] ?? .null { isShared = value }
      let list = TodoTaskList(
        id: listID, displayName: entry[caseInsensitive: "displayName"]?.stringValue ?? "List",
        isOwner: isOwner, isShared: isShared,
        wellknownListName: entry[caseInsensitive: "wellknownListName"]?.stringValue ?? "none")
      var tasks: [SeededTask] = []
      var specs = entry[caseInsensitive: "tasks"]?.arrayValue ?? []
      if let generate = entry[caseInsensitive: "generate"],
        let count = generate[caseInsensitive: "count"]?.numberValue,
        let pattern = generate[caseInsensitive: "title"]?.stringValue
      {
        specs = (1...max(1, Int(count))).map { n in
          var spec: [String: JSONValue] = [
            "title": .string(pattern.replacingOccurrences(of: "{n}", with: String(n)))
          ]
          if n % 7 == 0 { spec["status"] = .string("completed") }
          if n % 11 == 0 { spec["importance"] = .string("high") }
          return .object(spec)
        }
      }
      for (taskNumber, spec) in specs.enumerated() {
        let taskID = stableID("task-\(listNumber)", taskNumber)
        let stamp = GraphDate.format(created.addingTimeInterval(Double(taskNumber) * 61))
        var task = TodoTask(
          id: taskID, title: spec[caseInsensitive: "title"]?.stringValue ?? "Task",
          status: spec[caseInsensitive: "status"]?.stringValue ?? "notStarted",
          importance: spec[caseInsensitive: "importance"]?.stringValue ?? "normal",
          isReminderOn: false, hasAttachments: false, categories: [],
          body: ItemBody(content: "", contentType: "text"), createdDateTime: stamp,
          lastModifiedDateTime: stamp)
        if let due = spec[caseInsensitive: "due"]?.stringValue {
          task.dueDateTime = DateTimeTimeZone(dateTime: due + "T00:00:00.0000000", timeZone: "UTC")
        }
        var attachments: [EmulatorStore.AttachmentRecord] = []
        for (attachmentNumber, item) in (spec[caseInsensitive: "attachments"]?.arrayValue ?? [])
          .enumerated()
        {
          let name = item[caseInsensitive: "name"]?.stringValue ?? "file.bin"
          let size = Int(item[caseInsensitive: "size"]?.numberValue ?? 1024)
          attachments.append(
            EmulatorStore.AttachmentRecord(
              id: stableID("att-\(listNumber)-\(taskNumber)", attachmentNumber) + "=", name: name,
              contentType: item[caseInsensitive: "contentType"]?.stringValue
                ?? ContentTypes.forFileName(name),
              bytes: sampleBytes(name: name, size: size), lastModified: created))
        }
        task.hasAttachments = !attachments.isEmpty
        tasks.append(SeededTask(task: task, attachments: attachments))
      }
      seed.lists.append(SeededList(list: list, tasks: tasks))
    }
    return seed
  }

  /// A Graph-looking id that is the same on every run (so scripts and snapshots can name it).
  static func stableID(_ kind: String, _ number: Int) -> String {
    let digest = SHA256.hex(Array("\(kind)#\(number)".utf8))
    let bytes = stride(from: 0, to: 36, by: 2).compactMap { offset -> UInt8? in
      let start = digest.index(digest.startIndex, offsetBy: offset)
      return UInt8(digest[start..<digest.index(start, offsetBy: 2)], radix: 16)
    }
    return "AAMkAD"
      + Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "+", with: "-")
  }

  /// Deterministic content for seeded attachments.
  static func sampleBytes(name: String, size: Int) -> [UInt8] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for byte in name.utf8 { state = (state ^ UInt64(byte)) &* 0x1000_0000_01B3 }
    var bytes = [UInt8](repeating: 0, count: size)
    for index in 0..<size {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      bytes[index] = UInt8(truncatingIfNeeded: state)
    }
    return bytes
  }
}
