import AppCore
import Foundation
import GraphClient
import GraphModels
import TerminalCore
import UploadEngine

/// Shows upload events: NDJSON on stdout, a live block on a terminal, or plain lines.
///
/// Rows are AppCore's `UploadRow`, folded by the same function as the TUI's, so `tack upload`
/// and the uploads pane show the same bytes, rate and ETA for the same upload.
actor UploadDisplay {
  private let json: Bool
  private let terminal: Bool
  /// One row per registered upload, in the order the files were given.
  private var rows: [UploadRow] = []
  private var paths: [UploadID: String] = [:]
  /// Events, with the time they arrived, for uploads not registered yet.
  private var early: [(event: UploadEvent, date: Date)] = []
  private var drawnLines = 0
  private var lastDraw = Date.distantPast

  init(json: Bool, terminal: Bool) {
    self.json = json
    self.terminal = terminal
  }

  func register(_ id: UploadID, path: String) {
    if paths[id] == nil {
      paths[id] = path
      let size = FileInspector.currentIdentity(FileInspector.absolutePath(path))?.size ?? 0
      // The command knows no chunk size before the session exists; the line does not need it.
      rows.append(
        UploadRow(
          QueuedUpload(
            id: id, name: (path as NSString).lastPathComponent, size: size, chunkSize: 0,
            listID: "", taskID: "", taskTitle: "")))
    }
    let held = early.filter { $0.event.uploadID == id }
    early.removeAll { $0.event.uploadID == id }
    for (event, date) in held { show(event, at: date) }
  }

  func consume(_ events: AsyncStream<UploadEvent>) async {
    for await event in events {
      // The rate is measured from when events arrive, as in the TUI, even for held ones.
      let date = Date()
      if paths[event.uploadID] == nil {
        // Events can arrive before the command learns which file an id belongs to.
        early.append((event, date))
        continue
      }
      show(event, at: date)
    }
  }

  func finish(outcomes: [UploadID: UploadOutcome]) {
    for (event, date) in early { show(event, at: date) }
    early.removeAll()
    if terminal { draw(force: true) }
    for row in rows {
      // Another process owns it: one line, not a failure (the exit code ignores it).
      if case .skipped(let reason) = outcomes[row.id] {
        TackMain.printError("tack: \(Composition.oneLine(reason))")
      }
    }
    guard !json else { return }
    for row in rows {
      guard let path = paths[row.id] else { continue }
      let name = Composition.oneLine(path)
      switch outcomes[row.id] {
      case .paused:
        Output.status("\(name): paused; run the same command again or `tack resume` to continue")
      case .failed(let reason, _) where !terminal:
        _ = reason  // already printed as it happened
      default:
        break
      }
    }
  }

  private func show(_ event: UploadEvent, at date: Date) {
    guard let path = paths[event.uploadID] else { return }
    if json, let object = event.jsonObject(file: path), let line = try? MachineJSON.line(object) {
      FileHandle.standardOutput.write(line)
    }
    UploadRow.fold(event, at: date, into: &rows)
    if case .failed(_, let reason, _) = event, json || terminal {
      TackMain.printError("tack: \(Composition.oneLine(path)): \(Composition.oneLine(reason))")
    }
    guard !json else { return }
    if terminal {
      draw(force: event.isMilestone)
    } else if let line = Self.logLine(event, at: date) {
      Output.status("\(Composition.oneLine(path)): \(Composition.oneLine(line))")
    }
  }

  /// The line a milestone prints when stderr is not a terminal.
  private static func logLine(_ event: UploadEvent, at date: Date) -> String? {
    switch event {
    case .sessionCreated(_, _, let size, let chunkSize, _):
      return "session created (\(size) bytes, chunks of \(chunkSize))"
    case .progress:
      return nil
    case .chunkSent(_, _, _, let next):
      return "\(next) bytes acknowledged"
    case .retry(_, let reason, let after, _):
      guard after >= RetryPolicy.announceThreshold else { return retryText(reason, seconds: after) }
      let formatter = DateFormatter()
      formatter.dateFormat = "HH:mm:ss"
      return retryText(reason, seconds: after) + " until "
        + formatter.string(from: date.addingTimeInterval(after))
    case .paused(_, let acknowledged):
      return "paused at \(acknowledged) bytes"
    case .resumed(_, let from):
      return "resuming from byte \(from) (the server's offset)"
    case .sessionRecreated(_, let reason):
      return "new upload session: \(reason)"
    case .completed(_, let attachmentID, let size):
      return "attached (\(size) bytes, id \(attachmentID))"
    case .failed(_, let reason, _):
      return "failed: \(reason)"
    case .cancelled:
      return "cancelled"
    }
  }

  private static func retryText(_ reason: RetryReason, seconds: Double) -> String {
    let reasonText = reason.rawValue.replacingOccurrences(of: "_", with: " ")
    return "retrying in \(String(format: "%.1f", seconds)) s (\(reasonText))"
  }

  /// Rewrites one line per file in place, at most ten times a second.
  private func draw(force: Bool) {
    let now = Date()
    guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let width = max(40, Self.stderrWidth() - 1)
    let longest = rows.map { DisplayWidth.of(Composition.oneLine($0.name)) }.max() ?? 10
    let nameWidth = min(max(longest, 8), max(8, width / 3))
    var out = ""
    if drawnLines > 0 { out += "\u{1B}[\(drawnLines)F" }
    for row in rows {
      let line = Self.render(row, nameWidth: nameWidth, now: now)
      out += "\u{1B}[2K" + DisplayWidth.truncate(line, to: width) + "\n"
    }
    drawnLines = rows.count
    FileHandle.standardError.write(Data(out.utf8))
  }

  private static func render(_ row: UploadRow, nameWidth: Int, now: Date) -> String {
    let done = row.phase == .completed
    let fraction = row.size > 0 ? Double(row.acknowledged) / Double(row.size) : (done ? 1 : 0)
    let sentFraction = row.size > 0 ? Double(row.sent) / Double(row.size) : fraction
    // `#` acknowledged by the server, `=` sent but not yet acknowledged, `-` pending.
    let barWidth = 20
    let acknowledgedCells = Int((fraction * Double(barWidth)).rounded(.down))
    let sentCells = Int((sentFraction * Double(barWidth)).rounded(.down))
    var bar = ""
    for cell in 0..<barWidth {
      bar += cell < acknowledgedCells ? "#" : (cell < sentCells ? "=" : "-")
    }
    var text = "[\(bar)] \(String(format: "%3d", Int(fraction * 100)))% "
    text += Format.progress(row.acknowledged, of: row.size)
    if row.phase == .sending, let rate = row.rate, rate > 0 {
      text += " \(Format.rate(rate))"
      if let left = row.secondsLeft { text += " ETA \(Format.duration(left))" }
    }
    text += "  \(stateText(row, now: now))"
    let name = Composition.oneLine(row.name)
    return DisplayWidth.pad(name, to: nameWidth) + "  " + text
  }

  /// The state word at the end of a line.
  private static func stateText(_ row: UploadRow, now: Date) -> String {
    switch row.phase {
    case .queued: return "queued"
    case .sending: return "uploading"
    case .retrying(let reason, let until):
      return retryText(reason, seconds: max(0, until.timeIntervalSince(now)))
    case .paused: return "paused"
    case .completed: return "attached"
    case .failed: return "failed"
    case .cancelled: return "cancelled"
    }
  }

  private static func stderrWidth() -> Int {
    var size = winsize()
    if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    return 80
  }
}
