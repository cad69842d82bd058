import AppCore
import Foundation
import GraphModels
import TerminalCore

/// A fixed clock value: tests never read the real one.
let t0 = Date(timeIntervalSince1970: 1_750_000_000)

enum Fixtures {
  static let lists = [
    TodoTaskList(id: "L1", displayName: "Tasks", wellknownListName: "defaultList"),
    TodoTaskList(id: "L2", displayName: "Groceries 🛒"),
    TodoTaskList(id: "L3", displayName: "仕事 (Work)"),
    TodoTaskList(id: "L4", displayName: "مهام"),
    TodoTaskList(id: "L5", displayName: "Big list"),
    TodoTaskList(id: "L6", displayName: "Evil \u{1B}]0;pwned\u{7}name\u{1B}[31m"),
  ]

  static let workTasks = [
    TodoTask(
      id: "T1", title: "Quarterly report", importance: "high", hasAttachments: true,
      dueDateTime: DateTimeTimeZone(dateTime: "2025-07-01T00:00:00.0000000", timeZone: "UTC")),
    TodoTask(
      id: "T2", title: "Expense claims for the offsite in 東京 with receipts", hasAttachments: false),
    TodoTask(id: "T3", title: "Renew passport", status: "completed", hasAttachments: false),
    TodoTask(id: "T4", title: "Call the bank ☎", hasAttachments: nil),
  ]

  static let reportAttachments = [
    TaskFileAttachment(
      id: "A1", name: "report-draft.pdf", contentType: "application/pdf", size: 1_234_567),
    TaskFileAttachment(
      id: "A2", name: "figures 数字.xlsx",
      contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", size: 48_213
    ),
  ]

  static let directory = [
    DirectoryEntry(name: "photos", path: "/home/ann/photos", kind: .directory),
    DirectoryEntry(name: ".config", path: "/home/ann/.config", kind: .directory),
    DirectoryEntry(name: "notes.txt", path: "/home/ann/notes.txt", kind: .regular, size: 2_048),
    DirectoryEntry(
      name: "slides.key", path: "/home/ann/slides.key", kind: .regular, size: 9_437_184),
    DirectoryEntry(
      name: "video.mov", path: "/home/ann/video.mov", kind: .regular, size: 31_000_000),
    DirectoryEntry(name: "fifo", path: "/home/ann/fifo", kind: .other),
    DirectoryEntry(
      name: "secret.key", path: "/home/ann/secret.key", kind: .regular, size: 10, isReadable: false),
    DirectoryEntry(name: ".hidden", path: "/home/ann/.hidden", kind: .regular, size: 1),
  ]

  /// State after start-up with lists loaded and "仕事 (Work)" open on "Quarterly report".
  static func browsing(glyphs: GlyphSet = .unicode) -> AppState {
    var state = AppState(
      glyphs: glyphs, now: t0, accountLabel: "demo", workingDirectory: "/home/ann",
      homeDirectory: "/home/ann")
    _ = reduce(&state, .listsLoaded(.success(lists)))
    _ = reduce(&state, .key(.down))
    _ = reduce(&state, .key(.down))
    _ = reduce(&state, .key(.enter))
    _ = reduce(&state, .tasksLoaded(listID: "L3", .success(workTasks)))
    _ = reduce(&state, .attachmentsLoaded(listID: "L3", taskID: "T1", .success(reportAttachments)))
    return state
  }

  static func queued(_ id: String, _ name: String, size: Int64, chunk: Int64 = 3_932_160)
    -> QueuedUpload
  {
    QueuedUpload(
      id: id, name: name, size: size, chunkSize: chunk, listID: "L3", taskID: "T1",
      taskTitle: "Quarterly report")
  }

  /// `browsing` with five uploads in different states.
  static func uploading(glyphs: GlyphSet = .unicode) -> AppState {
    var state = browsing(glyphs: glyphs)
    _ = reduce(
      &state,
      .uploadsQueued([
        queued("U1", "slides.key", size: 9_437_184),
        queued("U2", "scan-2025.pdf", size: 24_000_000),
        queued("U3", "notes.txt", size: 2_048),
        queued("U4", "holiday 写真.zip", size: 16_000_000),
        queued("U5", "broken.bin", size: 5_000_000),
      ]))
    let events: [(UploadEvent, Double)] = [
      (
        .sessionCreated(
          id: "U1", name: "slides.key", size: 9_437_184, chunkSize: 3_932_160, expiration: nil), 0
      ),
      (.progress(id: "U1", sent: 3_932_160, acknowledged: 0, size: 9_437_184), 1),
      (.chunkSent(id: "U1", start: 0, end: 3_932_159, next: 3_932_160), 1.5),
      (.progress(id: "U1", sent: 5_898_240, acknowledged: 3_932_160, size: 9_437_184), 2),
      (
        .sessionCreated(
          id: "U2", name: "scan-2025.pdf", size: 24_000_000, chunkSize: 3_932_160, expiration: nil),
        0
      ),
      (.chunkSent(id: "U2", start: 0, end: 7_864_319, next: 7_864_320), 1),
      (.retry(id: "U2", reason: .throttled, afterSeconds: 3.2, attempt: 1), 2),
      (
        .sessionCreated(
          id: "U3", name: "notes.txt", size: 2_048, chunkSize: 3_932_160, expiration: nil), 0
      ),
      (.completed(id: "U3", attachmentID: "A3", size: 2_048), 0.5),
      (
        .sessionCreated(
          id: "U4", name: "holiday 写真.zip", size: 16_000_000, chunkSize: 3_932_160, expiration: nil),
        0
      ),
      (.chunkSent(id: "U4", start: 0, end: 3_932_159, next: 3_932_160), 1),
      (.paused(id: "U4", acknowledged: 3_932_160), 1.2),
      (.failed(id: "U5", reason: "the file changed since it was queued"), 0.1),
    ]
    for (event, offset) in events {
      _ = reduce(&state, .upload(event, at: t0.addingTimeInterval(offset)))
    }
    _ = reduce(&state, .tick(t0.addingTimeInterval(2)))
    state.status = nil
    return state
  }
}
