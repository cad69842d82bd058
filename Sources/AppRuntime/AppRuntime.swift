import AppCore
import Foundation
import GraphClient
import GraphModels
import TerminalCore
import UploadEngine

#if canImport(Glibc)
  import Glibc
#endif

/// The live objects the interface works with.
public struct RuntimeServices: Sendable {
  public var session: GraphSession
  public var coordinator: UploadCoordinator
  /// Offered for resume at start; nil in the demo (its sessions die with the emulator).
  public var journal: UploadJournal?
  public var fileSystem: any FileSystemBrowser

  public init(
    session: GraphSession, coordinator: UploadCoordinator, journal: UploadJournal?,
    fileSystem: any FileSystemBrowser = LocalFileSystem()
  ) {
    self.session = session
    self.coordinator = coordinator
    self.journal = journal
    self.fileSystem = fileSystem
  }
}

/// How the interface reaches Graph: already signed in, or after a device-code sign-in.
public enum RuntimeConnection: Sendable {
  case ready(RuntimeServices)
  /// Signs in first: `signIn` hands the device code to `show` (the modal displays it), waits
  /// until the user finished on another device, and returns the services.
  case signIn(
    @Sendable (_ show: @escaping @Sendable (DeviceCodeResponse) -> Void) async throws
      -> RuntimeServices)
}

/// Choices for one run of the interface.
public struct RuntimeConfiguration: Sendable {
  /// The frame clock: at most one frame per interval while things move (`--refresh-ms`).
  public var refreshInterval: Duration
  /// Shown in the header (`demo`, or the account).
  public var accountLabel: String
  public var workingDirectory: String
  public var homeDirectory: String

  public init(
    refreshInterval: Duration = .milliseconds(100), accountLabel: String = "",
    workingDirectory: String = FileManager.default.currentDirectoryPath,
    homeDirectory: String = NSHomeDirectory()
  ) {
    self.refreshInterval = refreshInterval
    self.accountLabel = accountLabel
    self.workingDirectory = workingDirectory
    self.homeDirectory = homeDirectory
  }
}

/// How the interface ended.
public enum RuntimeExit: Sendable, Hashable {
  /// The user quit; active uploads were paused and stay journaled.
  case quit
  /// Ctrl-C twice: left at once.
  case forced
}

/// The program loop (research/tui.md §2.1, variant A): the main thread owns the terminal and
/// sleeps in `poll` on the terminal and a self-pipe. Keys, resizes, signals, Graph answers and
/// upload events become actions; `reduce` turns them into effects, which run on detached tasks
/// and come back as actions. A frame clock renders the whole screen at most every
/// `refreshInterval`, and only when something changed.
@MainActor
public final class AppRuntime {
  private let terminal: any TerminalBackend
  private let connection: RuntimeConnection
  /// Nil until signed in.
  private var services: RuntimeServices?
  private let configuration: RuntimeConfiguration
  private let bus: EventBus
  private var state: AppState
  private var dirty = true
  private var lastFrame: ContinuousClock.Instant?
  private var exit: RuntimeExit?
  private var quitting = false
  private var terminalGone = false
  private var eventsTask: Task<Void, Never>?
  private let clock = ContinuousClock()
  /// Frames presented (for `tack-bench`).
  public private(set) var framesPresented = 0
  /// When the first frame showing loaded lists was presented (for `tack-bench`).
  public private(set) var firstListsFrame: ContinuousClock.Instant?

  /// A runtime drawing on `terminal`.
  public convenience init(
    terminal: any TerminalBackend, services: RuntimeServices,
    configuration: RuntimeConfiguration = RuntimeConfiguration()
  ) throws {
    try self.init(terminal: terminal, connection: .ready(services), configuration: configuration)
  }

  /// A runtime drawing on `terminal` that reaches Graph through `connection`.
  public init(
    terminal: any TerminalBackend, connection: RuntimeConnection,
    configuration: RuntimeConfiguration = RuntimeConfiguration()
  ) throws {
    self.terminal = terminal
    self.connection = connection
    self.configuration = configuration
    self.bus = try EventBus()
    self.state = AppState(
      size: terminal.size, glyphs: terminal.glyphs, now: Date(),
      accountLabel: configuration.accountLabel, workingDirectory: configuration.workingDirectory,
      homeDirectory: configuration.homeDirectory)
  }

  /// Runs until the user quits; the terminal is restored before it returns.
  public func run() -> RuntimeExit {
    start()
    while exit == nil {
      step()
    }
    eventsTask?.cancel()
    terminal.shutdown()
    return exit ?? .quit
  }

  /// Starts loading and listening (after signing in if needed); `run` calls it.
  func start() {
    switch connection {
    case .ready(let services):
      connect(services)
    case .signIn(let signIn):
      let bus = bus
      dispatch(.signInStarted)
      Task.detached {
        do {
          let services = try await signIn { code in bus.post(.signInPrompted(code, at: Date())) }
          bus.post(.connected(services))
        } catch {
          bus.post(.signInFinished(.failure(AppError(Self.describe(error)))))
        }
      }
    }
    render()
  }

  /// Begins work against Graph: upload events, the lists, the journal's offer.
  private func connect(_ services: RuntimeServices) {
    self.services = services
    let bus = bus
    let coordinator = services.coordinator
    eventsTask = Task.detached {
      for await event in coordinator.events {
        bus.post(.upload(event, at: Date()))
      }
    }
    apply(.loadLists)
    state.lists = .loading
    if let journal = services.journal {
      let baseURL = services.session.baseURL
      Task.detached {
        let found = journal.load().entries.filter { $0.isJournaled(forGraphBase: baseURL) }
        let offered = found.map { entry in
          JournaledUpload(
            id: entry.id, name: entry.name, size: entry.fileSize,
            acknowledged: entry.acknowledgedOffset, taskTitle: entry.taskTitle,
            expiration: entry.expirationDateTime)
        }
        if !offered.isEmpty { bus.post(.journalFound(offered)) }
      }
    }
  }

  /// One turn of the loop: wait, collect, reduce, run effects, maybe render.
  func step() {
    var descriptors = terminalGone ? [] : terminal.inputDescriptors
    descriptors.append(bus.readDescriptor)
    var fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    _ = poll(&fds, nfds_t(fds.count), pollTimeout())

    var actions: [Action] = []
    var keyPressed = false
    if !terminalGone, let first = fds.first, first.fd == terminal.inputDescriptors.first,
      first.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    {
      // The SSH link or the terminal went away: nobody will read the screen again.
      terminalGone = true
      actions.append(.signal(.hangup))
    }
    if !terminalGone {
      for key in terminal.readKeys() {
        keyPressed = true
        actions.append(key == .resize ? .resized(terminal.size) : .key(key))
      }
      actions += terminal.takeSignals().map { .signal($0) }
    }
    for event in bus.drain() {
      switch event {
      case .action(let action): actions.append(action)
      case .quitReady: exit = .quit
      case .connected(let services):
        connect(services)
        actions.append(.signInFinished(.success(())))
      }
    }
    if needsClock { actions.append(.tick(Date())) }
    for action in actions {
      dispatch(action)
    }
    if exit != nil { return }
    if dirty && (keyPressed || frameDue) { render() }
  }

  private func dispatch(_ action: Action) {
    let effects = reduce(&state, action)
    dirty = true
    if case .listsLoaded = action, firstListsFrame == nil { render(listsArrived: true) }
    for effect in effects { apply(effect) }
  }

  private var frameDue: Bool {
    guard let lastFrame else { return true }
    return clock.now - lastFrame >= configuration.refreshInterval
  }

  /// The clock matters while uploads move, a countdown runs, or a message will expire.
  private var needsClock: Bool {
    if case .signIn = state.overlay { return true }
    return state.status?.expires != nil || state.uploads.contains { $0.phase.isActive }
  }

  private func pollTimeout() -> Int32 {
    let interval = configuration.refreshInterval
    if dirty, let lastFrame {
      let wait = interval - (clock.now - lastFrame)
      return Int32(max(0, min(1000, Self.milliseconds(wait))))
    }
    // Idle: one wake-up a second at most; nothing is drawn unless state changed.
    return needsClock ? Int32(max(10, min(1000, Self.milliseconds(interval)))) : 1000
  }

  private static func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
  }

  private func render(listsArrived: Bool = false) {
    guard !terminalGone else { return }
    terminal.present(Screen.render(state))
    framesPresented += 1
    lastFrame = clock.now
    dirty = false
    if listsArrived { firstListsFrame = clock.now }
  }

  // MARK: Effects

  private func apply(_ effect: Effect) {
    let bus = bus
    switch effect {
    case .repaint:
      terminal.invalidate()
      dirty = true
      return
    case .suspend:
      terminal.suspend()
      // The size may have changed while we were stopped.
      dispatch(.resized(terminal.size))
      render()
      return
    case .forceQuit:
      exit = .forced
      return
    case .quit where services == nil:
      exit = .quit
      return
    default:
      break
    }
    // Everything else talks to Graph or the engine, which exist once signed in.
    guard let services else { return }
    let session = services.session
    let coordinator = services.coordinator
    switch effect {
    case .loadLists:
      Task.detached {
        bus.post(.listsLoaded(await Self.result { try await session.lists().all() }))
      }
    case .loadTasks(let listID):
      Task.detached {
        let result = await Self.result { try await session.tasks(listID: listID).all() }
        bus.post(.tasksLoaded(listID: listID, result))
      }
    case .loadAttachments(let listID, let taskID):
      Task.detached {
        let result = await Self.result {
          try await session.attachments(listID: listID, taskID: taskID).all()
        }
        bus.post(.attachmentsLoaded(listID: listID, taskID: taskID, result))
      }
    case .listDirectory(let path):
      let fileSystem = services.fileSystem
      Task.detached {
        let result = await Self.result { try fileSystem.list(path) }
        bus.post(.directoryListed(path: path, result))
      }
    case .startUploads(let paths, let target):
      Task.detached { await Self.startUploads(paths, target, coordinator, bus) }
    case .pauseUpload(let id):
      Task.detached { await coordinator.pause(id) }
    case .resumeUpload(let id), .retryUpload(let id):
      Task.detached { await coordinator.resume(id) }
    case .cancelUpload(let id):
      Task.detached { await coordinator.cancel(id) }
    case .resumeJournaled(let ids):
      guard let journal = services.journal else { return }
      Task.detached { await Self.resumeJournaled(ids, journal, coordinator, bus) }
    case .discardJournaled(let ids):
      guard let journal = services.journal else { return }
      Task.detached { await Self.discardJournaled(ids, journal, session) }
    case .downloadAttachment(let listID, let taskID, let attachmentID, let name, let directory):
      Task.detached {
        let result = await Self.result {
          let path = Self.freePath(in: directory, name: Sanitizer.clean(name))
          try await session.downloadAttachment(
            listID: listID, taskID: taskID, attachmentID: attachmentID, to: path)
          return path
        }
        bus.post(.attachmentDownloaded(name: name, result))
      }
    case .deleteAttachment(let listID, let taskID, let attachmentID, let name):
      Task.detached {
        let result = await Self.result {
          try await session.deleteAttachment(
            listID: listID, taskID: taskID, attachmentID: attachmentID)
        }
        bus.post(.attachmentDeleted(listID: listID, taskID: taskID, name: name, result))
      }
    case .repaint, .suspend, .forceQuit:
      break
    case .quit:
      guard !quitting else { return }
      quitting = true
      Task.detached {
        // Pausing cancels requests in flight at once; the journal already holds the offsets.
        await coordinator.pauseAll()
        await withTaskGroup(of: Void.self) { group in
          group.addTask { _ = await coordinator.waitUntilSettled() }
          group.addTask { try? await Task.sleep(for: .seconds(3)) }
          await group.next()
          group.cancelAll()
        }
        bus.post(.quitReady)
      }
    }
  }

  // MARK: Background work (nonisolated: never on the main actor, which sits in poll)

  /// Runs `body`; errors become a one-line `AppError`.
  private nonisolated static func result<T: Sendable>(
    _ body: @Sendable () async throws -> T
  ) async -> Result<T, AppError> {
    do {
      return .success(try await body())
    } catch let error as AppError {
      return .failure(error)
    } catch {
      return .failure(AppError(Self.describe(error)))
    }
  }

  /// A one-line description of `error` for the status line.
  nonisolated static func describe(_ error: any Error) -> String {
    let text = Sanitizer.clean(String(describing: error))
    return text.trimmingCharacters(in: .whitespaces)
  }

  private nonisolated static func startUploads(
    _ paths: [String], _ target: AttachTarget, _ coordinator: UploadCoordinator, _ bus: EventBus
  ) async {
    var queued: [QueuedUpload] = []
    var rejected: [AppError] = []
    let uploadTarget = UploadTarget(
      listID: target.listID, taskID: target.taskID, listName: target.listName,
      taskTitle: target.taskTitle)
    for path in paths {
      do {
        let id = try await coordinator.upload(path: path, to: uploadTarget)
        let summary = await coordinator.summaries().first { $0.id == id }
        queued.append(
          QueuedUpload(
            id: id, name: summary?.name ?? PathText.lastComponent(path),
            size: summary?.size ?? 0,
            chunkSize: summary?.chunkSize ?? UploadLimits.defaultChunkSize,
            acknowledged: summary?.acknowledged ?? 0, listID: target.listID,
            taskID: target.taskID, taskTitle: target.taskTitle))
      } catch {
        rejected.append(AppError(describe(error)))
      }
    }
    if !queued.isEmpty { bus.post(.uploadsQueued(queued)) }
    if !rejected.isEmpty { bus.post(.uploadsRejected(rejected)) }
  }

  private nonisolated static func resumeJournaled(
    _ ids: [UploadID], _ journal: UploadJournal, _ coordinator: UploadCoordinator, _ bus: EventBus
  ) async {
    var queued: [QueuedUpload] = []
    for id in ids {
      guard let entry = journal.entry(id) else { continue }
      await coordinator.resume(journaled: entry)
      queued.append(
        QueuedUpload(
          id: entry.id, name: entry.name, size: entry.fileSize, chunkSize: entry.chunkSize,
          acknowledged: entry.acknowledgedOffset, listID: entry.listID, taskID: entry.taskID,
          taskTitle: entry.taskTitle ?? ""))
    }
    if !queued.isEmpty { bus.post(.uploadsQueued(queued)) }
  }

  /// Forgets journaled uploads: their sessions are deleted on a best-effort basis.
  private nonisolated static func discardJournaled(
    _ ids: [UploadID], _ journal: UploadJournal, _ session: GraphSession
  ) async {
    for id in ids {
      guard let entry = journal.entry(id) else { continue }
      await entry.discard(graph: session, journal: journal)
    }
  }

  /// `directory/name`, or `name (1)`, `name (2)`… when taken, so nothing is overwritten.
  nonisolated static func freePath(in directory: String, name: String) -> String {
    let safe = name.replacingOccurrences(of: "/", with: "_")
    var candidate = PathText.join(directory, safe)
    var counter = 1
    let (stem, suffix): (String, String) = {
      guard let dot = safe.lastIndex(of: "."), dot != safe.startIndex else { return (safe, "") }
      return (String(safe[..<dot]), String(safe[dot...]))
    }()
    while access(candidate, F_OK) == 0 {
      candidate = PathText.join(directory, "\(stem) (\(counter))\(suffix)")
      counter += 1
    }
    return candidate
  }
}
