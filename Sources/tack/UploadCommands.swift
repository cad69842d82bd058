import AgentProtocol
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

  @Option(
    help: ArgumentHelp(
      "Cap all uploads together at RATE bytes per second (500k, 2M; 0 = none).",
      valueName: "RATE"))
  var bwlimit: String?

  @Flag(help: "Return once the upload sessions exist; the agent keeps uploading.")
  var detach = false

  @Flag(name: .customLong("no-agent"), help: "Upload in this process, not through the agent.")
  var noAgent = false

  @Argument(help: "Files to attach.")
  var files: [String] = []

  func validate() throws {
    guard !files.isEmpty else { throw ValidationError("give at least one file to attach") }
    if detach, noAgent {
      throw ValidationError("--detach leaves the uploads to the agent; drop --no-agent")
    }
    if let chunkSize, chunkSize < 1 || chunkSize > UploadLimits.maxChunkSize {
      throw ValidationError(
        "--chunk-size must be between 1 and \(UploadLimits.maxChunkSize) bytes")
    }
  }

  /// Checks every file before any request is made; each problem is one line, exit 2.
  static func checkFiles(_ files: [String]) throws {
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
  }

  func run() throws {
    let bandwidth = try BandwidthOption.configuration(Composition.context(global), flag: bwlimit)
    try Self.checkFiles(files)
    let files = files
    let listQuery = list
    let taskQuery = task
    let chunkSize = chunkSize
    let json = json
    let (detach, noAgent) = (detach, noAgent)
    let capFlag = bwlimit == nil ? nil : bandwidth
    let code = try UploadRun.withServices(global) { services in
      let list = try await Composition.resolveList(listQuery, session: services.session)
      let task = try await Composition.resolveTask(taskQuery, in: list, session: services.session)
      let target = UploadTarget(
        listID: list.id, taskID: task.id, listName: list.displayName, taskTitle: task.title)
      if !AgentLink.disabled(services.context, noAgent: noAgent),
        let code = try await AgentLink.withAgent(
          services.context, start: true,
          { connection in
            // The cap is the agent's, for all its uploads (as rclone's live --bwlimit).
            if let limit = capFlag {
              _ = try await connection.request(.setBandwidth) {
                $0.bytesPerSecond = Int64(limit.bandwidthLimit ?? 0)
              }
            }
            return try await AgentFollow(json: json, detach: detach).run(connection, .enqueue) {
              $0.files = files.map(FileInspector.absolutePath)
              $0.target = AgentTarget(target)
              $0.chunkSize = chunkSize
            }
          })
      {
        return code
      }
      let run = UploadRun(services: services, json: json, configuration: bandwidth)
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

  @Flag(name: .customLong("no-agent"), help: "Upload in this process, not through the agent.")
  var noAgent = false

  @Flag(help: "Resume every paused upload of the agent and the journal, without following them.")
  var all = false

  @Argument(help: "Upload ids to resume through the agent (`tack uploads` lists them).")
  var ids: [String] = []

  func run() throws {
    if all || !ids.isEmpty {
      try UploadControl.run(.resume, ids: ids, all: all, global: global)
      return
    }
    let (context, _, loaded) = try JournalReading.load(global)
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
    // Only regular files, checked before any work: a FIFO or device now at a journaled path
    // would block or never end.
    let refused = mine.compactMap { FileInspector.nonRegularProblem($0.filePath) }
    if let last = refused.last {
      for problem in refused.dropLast() {
        TackMain.printError("tack: \(Composition.oneLine(problem.description))")
      }
      throw TackFailure(code: TackExit.usage, message: Composition.oneLine(last.description))
    }
    let bandwidth = try BandwidthOption.configuration(context)
    let code =
      try Self.resumeThroughAgent(
        mine, global: global, context: context, noAgent: noAgent, json: json)
      ?? AccountResume.run(
        mine, global: global, context: context, json: json, configuration: bandwidth)
    if code != TackExit.success { throw TackFailure(code: code, message: "") }
  }
}

extension ResumeCommand {
  /// Resumes `entries` through the agent when it serves their account (the default one: an
  /// explicit `--account` uploads in this process); nil when this process must do it.
  static func resumeThroughAgent(
    _ entries: [UploadJournalEntry], global: GlobalOptions, context: ClientContext,
    noAgent: Bool, json: Bool
  ) throws -> Int32? {
    guard !AgentLink.disabled(context, noAgent: noAgent) else { return nil }
    let serving = (try? context.storedTokens())??.accountName.lowercased()
    guard entries.allSatisfy({ $0.account == nil || $0.account?.lowercased() == serving }) else {
      return nil
    }
    let result = Mutex<Int32?>(nil)
    try Composition.run(global) { services in
      let code = try await AgentLink.withAgent(services.context, start: true) {
        try await AgentFollow(json: json, detach: false).run($0, .resumeJournal) {
          $0.uploads = entries.map(\.id)
        }
      }
      result.withLock { $0 = code }
    }
    return result.withLock { $0 }
  }
}

/// `tack uploads [--json]`: list journaled (unfinished) uploads; no network.
struct UploadsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uploads", abstract: "List the agent's and the journal's uploads.",
    discussion: "An upload another tack process is driving now shows as running, with its pid.")

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Print the uploads as a JSON array on stdout.")
  var json = false

  @Flag(help: "Then print the agent's upload events as NDJSON until none runs.")
  var follow = false

  @Flag(name: .customLong("no-agent"), help: "Read only the journal; do not ask the agent.")
  var noAgent = false

  func run() throws {
    let (context, journal, loaded) = try JournalReading.load(global)
    var agent: [AgentUploadState] = []
    if !AgentLink.disabled(context, noAgent: noAgent) {
      agent = try UploadsAgentView.fetch(context, journal: journal, entries: loaded.entries) ?? []
    }
    let journaled = Set(loaded.entries.map(\.id))
    let agentOnly = agent.filter { !journaled.contains($0.uploadID) }
    let drivers = loaded.entries.map { journal.driver(of: $0.id) }
    defer { if follow, !agent.isEmpty { try? UploadsAgentView.follow(context) } }
    if json {
      Output.json(
        zip(loaded.entries, drivers).map { Self.jsonObject($0, driver: $1) }
          + agentOnly.map(UploadsAgentView.jsonObject))
      return
    }
    var table = TextTable(
      headers: ["ID", "FILE", "SIZE", "ACKNOWLEDGED", "TASK", "SESSION EXPIRES", "STATE"],
      rows: [], flexible: [1, 4], trailing: [2])
    for (entry, driver) in zip(loaded.entries, drivers) {
      let percent = entry.fileSize > 0 ? entry.acknowledgedOffset * 100 / entry.fileSize : 0
      let task = [entry.listName, entry.taskTitle].compactMap { $0 }.joined(separator: " / ")
      table.rows.append([
        entry.id, Composition.oneLine(entry.filePath), String(entry.fileSize),
        "\(entry.acknowledgedOffset) (\(percent)%)",
        Composition.oneLine(task.isEmpty ? entry.taskID : task),
        entry.expirationDateTime.map { GraphDate.format($0).prefix(19) + "Z" } ?? "-",
        driver.map { "running (pid \($0))" } ?? "stopped",
      ])
    }
    table.rows += agentOnly.map(UploadsAgentView.row)
    Output.table(table, empty: "No journaled uploads.")
  }

  static func jsonObject(_ entry: UploadJournalEntry, driver: Int32?) -> JSONValue {
    var object: [String: JSONValue] = [
      "id": .string(entry.id), "file": .string(entry.filePath), "name": .string(entry.name),
      "size": .number(Double(entry.fileSize)),
      "acknowledged": .number(Double(entry.acknowledgedOffset)),
      "list_id": .string(entry.listID), "task_id": .string(entry.taskID),
      "running": .bool(driver != nil),
    ]
    if let driver { object["pid"] = .number(Double(driver)) }
    if let account = entry.account { object["account"] = .string(account) }
    if let name = entry.listName { object["list_name"] = .string(name) }
    if let title = entry.taskTitle { object["task_title"] = .string(title) }
    if let expiration = entry.expirationDateTime {
      object["expiration"] = .string(GraphDate.format(expiration))
    }
    return .object(object)
  }
}

/// Runs a batch of uploads to the end: events to the screen or NDJSON, signals, exit code.
struct UploadRun: Sendable {
  let services: ClientServices
  let json: Bool
  /// The engine's settings (the bandwidth cap of `--bwlimit` or the config file).
  var configuration = UploadCoordinatorConfiguration()

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
    var configuration = configuration
    configuration.account = services.account?.name
    let coordinator = UploadCoordinator(
      graph: services.session, journal: journal, configuration: configuration)
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
      case .completed, .skipped: continue
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

/// Reading the journal for `tack resume` and `tack uploads`.
enum JournalReading {
  /// This configuration's context, its journal and the journal's entries; each unreadable entry
  /// is reported on stderr.
  static func load(_ global: GlobalOptions) throws -> (
    ClientContext, UploadJournal, (entries: [UploadJournalEntry], problems: [JournalProblem])
  ) {
    let context = try Composition.context(global)
    let journal = UploadJournal(directory: context.paths.uploadJournalDirectory)
    let loaded = journal.load()
    for problem in loaded.problems { TackMain.printError("tack: \(problem)") }
    return (context, journal, loaded)
  }
}
