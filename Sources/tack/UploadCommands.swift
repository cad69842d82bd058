import ArgumentParser
import Dispatch
import Foundation
import GraphClient
import GraphModels
import Synchronization
import TerminalCore
import UploadEngine

/// `tack upload`: attach files to a task through resumable upload sessions.
struct UploadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "upload",
    abstract: "Attach files to a task (resumable; Ctrl-C pauses).",
    discussion: """
      Files of up to 25,000,000 bytes are sent in chunks of at most 4,000,000 bytes through an \
      upload session. Progress goes to stderr when it is a terminal; --json prints NDJSON events \
      on stdout. Ctrl-C (or SIGTERM) pauses cleanly and keeps the journal: run the same command \
      again, or `tack resume`, to continue where the server stopped. Exit codes: 0 every file \
      attached, 1 an upload failed, 2 usage or input error, 3 authentication error, 130 interrupted.
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: "The list, by id or name.")
  var list: String

  @Option(help: "The task, by id or title.")
  var task: String

  @Option(
    name: .customLong("chunk-size"),
    help: "Bytes per PUT, 1 to 4000000 (default 3932160 = 12 × 320 KiB).")
  var chunkSize: Int64?

  @Flag(help: "Print one JSON event per line on stdout.")
  var json = false

  @Argument(help: "Files to attach.")
  var files: [String] = []

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one file to attach") }
    if let chunkSize, chunkSize < 1 || chunkSize > UploadLimits.maxChunkSize {
      throw ValidationError(
        "--chunk-size must be between 1 and \(UploadLimits.maxChunkSize) bytes")
    }
  }

  func run() throws {
    // Every file is checked before any request is made.
    var problems: [String] = []
    for file in files {
      do {
        _ = try FileInspector.inspect(file)
      } catch {
        problems.append(Composition.oneLine(error.description))
      }
    }
    if !problems.isEmpty {
      for problem in problems.dropLast() { TackMain.printError("tack: \(problem)") }
      throw TackFailure(code: TackExit.usage, message: problems.last ?? "")
    }
    let files = files
    let listQuery = list
    let taskQuery = task
    let chunkSize = chunkSize
    let json = json
    let code = try UploadRun.withServices(global) { services in
      let list = try await Composition.resolveList(listQuery, session: services.session)
      let task = try await Composition.resolveTask(taskQuery, in: list, session: services.session)
      let target = UploadTarget(
        listID: list.id, taskID: task.id, listName: list.displayName, taskTitle: task.title)
      let run = UploadRun(services: services, json: json)
      return try await run.perform { coordinator in
        var started: [(UploadID, String)] = []
        for file in files {
          let id = try await coordinator.upload(path: file, to: target, chunkSize: chunkSize)
          started.append((id, file))
        }
        return started
      }
    }
    if code != TackExit.success { throw TackFailure(code: code, message: "") }
  }
}

/// `tack resume`: finish every journaled upload.
struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume",
    abstract: "Finish every journaled upload, from where the server stopped.",
    discussion: """
      A file whose size, modification time or contents changed since its upload started is \
      not resumed: its old session is deleted and you are told to upload it again.
      """)

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Print one JSON event per line on stdout.")
  var json = false

  func run() throws {
    let context = try Composition.context(global)
    let journal = UploadJournal(directory: context.paths.uploadJournalDirectory)
    let loaded = journal.load()
    for problem in loaded.problems { TackMain.printError("tack: \(problem)") }
    let mine = loaded.entries.filter { $0.isJournaled(forGraphBase: context.graphURL) }
    let others = Set(loaded.entries.map(\.graphBaseURL)).filter {
      !UploadJournalEntry.sameGraphBase($0, context.graphURL)
    }
    for base in others.sorted() {
      TackMain.printError(
        "tack: skipping uploads journaled for \(Composition.oneLine(base)); "
          + "run `tack resume --graph-url \(Composition.oneLine(base))` for them")
    }
    guard !mine.isEmpty else {
      Output.status("No journaled uploads to resume.")
      return
    }
    let json = json
    let code = try UploadRun.withServices(global) { services in
      let run = UploadRun(services: services, json: json)
      return try await run.perform { coordinator in
        var started: [(UploadID, String)] = []
        for entry in mine {
          started.append((await coordinator.resume(journaled: entry), entry.filePath))
        }
        return started
      }
    }
    if code != TackExit.success { throw TackFailure(code: code, message: "") }
  }
}

/// `tack uploads`: list journaled (unfinished) uploads; no network.
struct UploadsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uploads", abstract: "List journaled (unfinished) uploads.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try Composition.context(global)
    let loaded = UploadJournal(directory: context.paths.uploadJournalDirectory).load()
    for problem in loaded.problems { TackMain.printError("tack: \(problem)") }
    var table = TextTable(
      headers: ["ID", "FILE", "SIZE", "ACKNOWLEDGED", "TASK", "SESSION EXPIRES"], rows: [],
      flexible: [1, 4], trailing: [2])
    for entry in loaded.entries {
      let percent = entry.fileSize > 0 ? entry.acknowledgedOffset * 100 / entry.fileSize : 0
      let task = [entry.listName, entry.taskTitle].compactMap { $0 }.joined(separator: " / ")
      table.rows.append([
        entry.id, Composition.oneLine(entry.filePath), String(entry.fileSize),
        "\(entry.acknowledgedOffset) (\(percent)%)",
        Composition.oneLine(task.isEmpty ? entry.taskID : task),
        entry.expirationDateTime.map { GraphDate.format($0).prefix(19) + "Z" } ?? "-",
      ])
    }
    Output.table(table, empty: "No journaled uploads.")
  }
}

/// Runs a batch of uploads to the end: events to the screen or NDJSON, signals, exit code.
struct UploadRun: Sendable {
  let services: ClientServices
  let json: Bool

  /// Like `Composition.run`, but the body's exit code comes back instead of `Void`.
  static func withServices(
    _ global: GlobalOptions, _ body: @escaping @Sendable (ClientServices) async throws -> Int32
  ) throws -> Int32 {
    let result = Mutex<Int32>(TackExit.success)
    try Composition.run(global) { services in
      let code = try await body(services)
      result.withLock { $0 = code }
    }
    return result.withLock { $0 }
  }

  /// Starts uploads with `start` and waits for all of them; returns the exit code.
  func perform(
    _ start: @Sendable (UploadCoordinator) async throws -> [(UploadID, String)]
  ) async throws -> Int32 {
    let journal = UploadJournal(directory: services.context.paths.uploadJournalDirectory)
    let coordinator = UploadCoordinator(graph: services.session, journal: journal)
    let display = UploadDisplay(json: json, terminal: !json && isatty(STDERR_FILENO) == 1)
    let signals = SignalWatcher { await coordinator.pauseAll() }
    defer { signals.stop() }
    let events = coordinator.events
    let printer = Task { await display.consume(events) }
    let started: [(UploadID, String)]
    do {
      started = try await start(coordinator)
    } catch {
      // A file vanished or changed between the checks and now: stop the ones already queued.
      await coordinator.pauseAll()
      _ = await coordinator.waitUntilSettled()
      await coordinator.finishEvents()
      await printer.value
      if let input = error as? UploadInputError {
        throw TackFailure(code: TackExit.usage, message: Composition.oneLine(input.description))
      }
      throw error
    }
    for (id, path) in started { await display.register(id, path: path) }
    let outcomes = await coordinator.waitUntilSettled()
    await coordinator.finishEvents()
    await printer.value
    await display.finish(outcomes: outcomes)
    return Self.exitCode(
      started.map { outcomes[$0.0] }, interrupted: signals.interrupted)
  }

  static func exitCode(_ outcomes: [UploadOutcome?], interrupted: Bool) -> Int32 {
    if interrupted, outcomes.contains(where: { $0 == .paused }) { return TackExit.interrupted }
    var code = TackExit.success
    for outcome in outcomes {
      switch outcome {
      case .completed: continue
      case .failed(_, true): return TackExit.auth
      case .paused where interrupted: return TackExit.interrupted
      default: code = TackExit.uploadFailed
      }
    }
    return code
  }
}

/// SIGINT/SIGTERM pause the uploads (journal kept); a second signal exits at once.
final class SignalWatcher: @unchecked Sendable {
  // @unchecked: `sources` is set once in init and afterwards only cancelled (DispatchSource
  // methods are thread-safe); the counter is behind a Mutex.
  private final class Counter: Sendable {
    let value = Mutex(0)
  }

  private let sources: [any DispatchSourceSignal]
  private let count = Counter()

  init(onFirst: @escaping @Sendable () async -> Void) {
    var sources: [any DispatchSourceSignal] = []
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for number in [SIGINT, SIGTERM] {
      sigaddset(&unblock, number)
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      sources.append(source)
    }
    // A parent that blocked these (a test runner, a shell pipeline) must not stop us pausing.
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    self.sources = sources
    for source in sources {
      source.setEventHandler { [count] in
        let seen = count.value.withLock { value -> Int in
          value += 1
          return value
        }
        if seen > 1 { _exit(TackExit.interrupted) }
        TackMain.printError(
          "tack: pausing uploads (the journal is kept; press Ctrl-C again to quit now)")
        Task { await onFirst() }
      }
      source.resume()
    }
  }

  var interrupted: Bool { count.value.withLock { $0 } > 0 }

  func stop() {
    for source in sources { source.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}

/// Shows upload events: NDJSON on stdout, a live block on a terminal, or plain lines.
actor UploadDisplay {
  private struct Row {
    var path: String
    var name: String
    var size: Int64 = 0
    var sent: Int64 = 0
    var acknowledged: Int64 = 0
    var state = "queued"
    var firstSample: (time: Date, bytes: Int64)?
    var rate: Double?
  }

  private let json: Bool
  private let terminal: Bool
  private var rows: [UploadID: Row] = [:]
  private var order: [UploadID] = []
  private var early: [UploadEvent] = []
  private var drawnLines = 0
  private var lastDraw = Date.distantPast

  init(json: Bool, terminal: Bool) {
    self.json = json
    self.terminal = terminal
  }

  func register(_ id: UploadID, path: String) {
    if rows[id] == nil {
      order.append(id)
      var row = Row(path: path, name: (path as NSString).lastPathComponent)
      row.size = FileInspector.currentIdentity(FileInspector.absolutePath(path))?.size ?? 0
      rows[id] = row
    }
    let held = early.filter { $0.uploadID == id }
    early.removeAll { $0.uploadID == id }
    for event in held { show(event) }
  }

  func consume(_ events: AsyncStream<UploadEvent>) async {
    for await event in events {
      if rows[event.uploadID] == nil {
        // Events can arrive before the command learns which file an id belongs to.
        early.append(event)
        continue
      }
      show(event)
    }
  }

  func finish(outcomes: [UploadID: UploadOutcome]) {
    for event in early { show(event) }
    early.removeAll()
    if terminal { draw(force: true) }
    guard !json else { return }
    for id in order {
      guard let row = rows[id] else { continue }
      let name = Composition.oneLine(row.path)
      switch outcomes[id] {
      case .paused:
        Output.status("\(name): paused; run the same command again or `tack resume` to continue")
      case .failed(let reason, _) where !terminal:
        _ = reason  // already printed as it happened
      default:
        break
      }
    }
  }

  private func show(_ event: UploadEvent) {
    let id = event.uploadID
    guard var row = rows[id] else { return }
    if json, let object = event.jsonObject(file: row.path),
      let data = try? JSONSerialization.data(
        withJSONObject: Self.foundation(object), options: [.sortedKeys, .withoutEscapingSlashes])
    {
      FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
    var line: String?
    switch event {
    case .sessionCreated(_, _, let size, let chunkSize, _):
      row.size = size
      row.state = "uploading"
      line = "session created (\(size) bytes, chunks of \(chunkSize))"
    case .progress(_, let sent, let acknowledged, let size):
      row.size = size
      row.sent = sent
      row.acknowledged = acknowledged
      let now = Date()
      if let first = row.firstSample {
        let elapsed = now.timeIntervalSince(first.time)
        if elapsed > 0.3 { row.rate = Double(sent - first.bytes) / elapsed }
      } else {
        row.firstSample = (now, sent)
      }
    case .chunkSent(_, _, _, let next):
      row.acknowledged = max(row.acknowledged, next)
      row.state = "uploading"
      line = "\(next) bytes acknowledged"
    case .retry(_, let reason, let after, _):
      row.state = String(
        format: "retrying in %.1f s (%@)", after,
        reason.rawValue.replacingOccurrences(of: "_", with: " "))
      line = row.state
    case .paused(_, let acknowledged):
      row.acknowledged = max(row.acknowledged, acknowledged)
      row.state = "paused"
      line = "paused at \(acknowledged) bytes"
    case .resumed(_, let from):
      row.state = "uploading"
      row.firstSample = nil
      line = "resuming from byte \(from) (the server's offset)"
    case .sessionRecreated(_, let reason):
      row.state = "new session"
      line = "new upload session: \(reason)"
    case .completed(_, let attachmentID, let size):
      row.size = size
      row.sent = size
      row.acknowledged = size
      row.state = "attached"
      line = "attached (\(size) bytes, id \(attachmentID))"
    case .failed(_, let reason):
      row.state = "failed"
      line = "failed: \(reason)"
      if json || terminal {
        TackMain.printError(
          "tack: \(Composition.oneLine(row.path)): \(Composition.oneLine(reason))")
      }
    case .cancelled:
      row.state = "cancelled"
      line = "cancelled"
    }
    rows[id] = row
    guard !json else { return }
    if terminal {
      draw(force: event.isMilestone)
    } else if let line {
      Output.status("\(Composition.oneLine(row.path)): \(Composition.oneLine(line))")
    }
  }

  /// Rewrites one line per file in place, at most ten times a second.
  private func draw(force: Bool) {
    let now = Date()
    guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    let width = max(40, Self.stderrWidth() - 1)
    let longest =
      order.compactMap { rows[$0].map { DisplayWidth.of(Composition.oneLine($0.name)) } }.max()
      ?? 10
    let nameWidth = min(max(longest, 8), max(8, width / 3))
    var out = ""
    if drawnLines > 0 { out += "\u{1B}[\(drawnLines)F" }
    for id in order {
      guard let row = rows[id] else { continue }
      let line = Self.render(row, nameWidth: nameWidth)
      out += "\u{1B}[2K" + DisplayWidth.truncate(line, to: width) + "\n"
    }
    drawnLines = order.count
    FileHandle.standardError.write(Data(out.utf8))
  }

  private static func render(_ row: Row, nameWidth: Int) -> String {
    let done = row.state == "attached"
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
    text += Self.fraction(row.acknowledged, of: row.size)
    if let rate = row.rate, rate > 0, row.state == "uploading" {
      text += " \(bytes(Int64(rate)))/s"
      let remaining = Double(row.size - row.acknowledged) / rate
      if remaining.isFinite, remaining >= 0 {
        text += " ETA \(Int(remaining) / 60):\(String(format: "%02d", Int(remaining) % 60))"
      }
    }
    text += "  \(row.state)"
    let name = Composition.oneLine(row.name)
    return DisplayWidth.pad(name, to: nameWidth) + "  " + text
  }

  /// `done/total unit`, both in the total's unit.
  static func fraction(_ done: Int64, of total: Int64) -> String {
    switch total {
    case ..<10_000: return "\(done)/\(total) B"
    case ..<1_000_000:
      return String(format: "%.0f/%.0f kB", Double(done) / 1_000, Double(total) / 1_000)
    default:
      return String(format: "%.1f/%.1f MB", Double(done) / 1_000_000, Double(total) / 1_000_000)
    }
  }

  /// A byte count for people: B, kB or MB (powers of ten, as the limits are stated).
  static func bytes(_ count: Int64) -> String {
    switch count {
    case ..<10_000: return "\(count) B"
    case ..<1_000_000: return String(format: "%.0f kB", Double(count) / 1_000)
    default: return String(format: "%.1f MB", Double(count) / 1_000_000)
    }
  }

  private static func stderrWidth() -> Int {
    var size = winsize()
    if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    return 80
  }

  /// `JSONValue` as Foundation objects, for compact one-line output.
  private static func foundation(_ value: JSONValue) -> Any {
    switch value {
    case .object(let members): return members.mapValues(foundation)
    case .array(let items): return items.map(foundation)
    case .string(let text): return text
    case .number(let number):
      if number.rounded() == number, abs(number) < 1e15 { return Int64(number) }
      return number
    case .bool(let flag): return flag
    case .null: return NSNull()
    }
  }
}
