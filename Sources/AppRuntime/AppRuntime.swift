import AppCore
import Foundation
import TerminalCore

#if canImport(Glibc)
  import Glibc
#endif

/// The program loop (research/tui.md §2.1, variant A): the main thread owns the terminal and
/// sleeps in `poll` on the terminal and a self-pipe. Keys, resizes, signals, Graph answers and
/// upload events become actions; `reduce` turns them into effects, which the engine runs off the
/// main actor and whose results come back as actions. A frame clock renders the whole screen at most every
/// `refreshInterval`, and only when something changed.
@MainActor
public final class AppRuntime {
  private let terminal: any TerminalBackend
  private let connection: EngineConnection
  /// The shown account's engine; nil until signed in, and while a switch makes a new one.
  var engine: (any RuntimeEngine)?
  /// Every account's engine made so far, by account id (`""` without accounts): uploads run
  /// on the engine of the account that started them (AppRuntime+Accounts).
  var engines: [String: any RuntimeEngine] = [:]
  /// The accounts `A` switches between; nil with one account or none.
  let accounts: EngineAccounts?
  /// The shown account's read cache, and every account's opened so far.
  var readCache: (any RuntimeReadCache)?
  var readCaches: [String: any RuntimeReadCache] = [:]
  /// Effects for the shown account that wait for its engine (during a switch).
  var pendingEffects: [Effect] = []
  /// The cap the user chose with `b` (nil: not changed this run), for engines made later.
  var chosenBandwidthLimit: Int??
  /// Engines that have not yet paused their uploads for the quit.
  var quitWaits = 0
  private let configuration: RuntimeConfiguration
  let bus: EventBus
  var state: AppState
  private var dirty = true
  private var lastFrame: ContinuousClock.Instant?
  var exit: RuntimeExit?
  private var quitting = false
  private var terminalGone = false
  private let clock: RuntimeClock
  private let wait: RuntimeWait

  /// A runtime drawing on `terminal`.
  public convenience init(
    terminal: any TerminalBackend, services: RuntimeServices,
    configuration: RuntimeConfiguration = RuntimeConfiguration()
  ) throws {
    try self.init(terminal: terminal, connection: .ready(services), configuration: configuration)
  }

  /// A runtime drawing on `terminal` that reaches Graph through `connection`.
  public convenience init(
    terminal: any TerminalBackend, connection: RuntimeConnection,
    configuration: RuntimeConfiguration = RuntimeConfiguration()
  ) throws {
    try self.init(
      terminal: terminal, engine: connection.live, configuration: configuration, clock: .live,
      wait: pollDescriptors, accounts: configuration.accounts?.live)
  }

  /// A runtime whose engine, clock and wait are chosen by the caller: a test steps it with an
  /// engine that answers at once, a clock it moves, and a wait that returns at once.
  init(
    terminal: any TerminalBackend, engine connection: EngineConnection,
    configuration: RuntimeConfiguration, clock: RuntimeClock,
    wait: @escaping RuntimeWait, accounts: EngineAccounts? = nil
  ) throws {
    self.terminal = terminal
    self.accounts = accounts
    self.readCache = configuration.readCache
    self.connection = connection
    self.configuration = configuration
    self.clock = clock
    self.wait = wait
    self.bus = try EventBus()
    self.state = AppState(
      size: terminal.size, glyphs: terminal.glyphs, now: clock.date(),
      accountLabel: configuration.accountLabel, workingDirectory: configuration.workingDirectory,
      homeDirectory: configuration.homeDirectory)
    state.downloadDirectory =
      configuration.downloadDirectory
      ?? RuntimeConfiguration.userDownloadDirectory(
        home: configuration.homeDirectory, workingDirectory: configuration.workingDirectory)
    // "today" for due dates is the user's day.
    state.edit.timeZone = .current
    if let accounts {
      state.accounts = AccountsState(all: accounts.all, current: accounts.current)
      if let cache = configuration.readCache { readCaches[accounts.current] = cache }
    }
  }

  /// Runs until the user quits; the terminal is restored before it returns.
  public func run() -> RuntimeExit {
    start()
    while exit == nil {
      step()
    }
    for engine in engines.values { engine.stop() }
    terminal.shutdown()
    return exit ?? .quit
  }

  /// How the loop ended, once it has.
  var outcome: RuntimeExit? { exit }

  /// Starts loading and listening (after signing in if needed); `run` calls it.
  func start() {
    for action in readCache?.startup() ?? [] { dispatch(action) }
    switch connection {
    case .ready(let engine):
      connect(engine)
    case .signIn(let signIn):
      let bus = bus
      let date = clock.date
      dispatch(.signInStarted)
      Task.detached {
        do {
          let engine = try await signIn { code in bus.post(.signInPrompted(code, at: date())) }
          bus.post(.connected(engine))
        } catch {
          bus.post(.signInFinished(.failure(AppError(Self.describe(error)))))
        }
      }
    }
    render()
  }

  /// Begins work against Graph: upload events, the lists, the journal's offer.
  private func connect(_ engine: any RuntimeEngine) {
    self.engine = engine
    engines[state.accounts.current ?? ""] = engine
    engine.start(reportingTo: bus)
    apply(.loadLists)
    if state.lists.value == nil { state.lists = .loading }
  }

  /// One turn of the loop: wait, collect, reduce, run effects, maybe render.
  func step() {
    var descriptors = terminalGone ? [] : terminal.inputDescriptors
    descriptors.append(bus.readDescriptor)
    var fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    wait(&fds, pollTimeout())

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
      case .quitReady: quitReady()
      case .accountReady(let id, let generation, let result):
        accountReady(id, generation: generation, result)
      case .connected(let engine):
        connect(engine)
        actions.append(.signInFinished(.success(())))
      }
    }
    if needsClock { actions.append(.tick(clock.date())) }
    for action in actions {
      dispatch(action)
    }
    if exit != nil { return }
    let prompt = keyPressed || actions.contains { !Self.waitsForTheFrameClock($0) }
    if dirty && (prompt || frameDue) { render() }
  }

  /// Upload progress and clock ticks are drawn at the frame rate (`--refresh-ms`); anything else
  /// (a key, lists or tasks arriving, an error) is drawn at once, so a load never waits a frame.
  static func waitsForTheFrameClock(_ action: Action) -> Bool {
    switch action {
    case .upload, .tick: return true
    default: return false
    }
  }

  func dispatch(_ action: Action) {
    if let answer = currentAnswer(action) { readCache?.record(answer) }
    let open = state.openListID
    let effects = reduce(&state, action)
    if let opened = state.openListID, opened != open { readCache?.opened(listID: opened) }
    dirty = true
    for effect in effects { apply(effect) }
  }

  private var frameDue: Bool {
    guard let lastFrame else { return true }
    return clock.now() - lastFrame >= configuration.refreshInterval
  }

  /// The clock matters while uploads move, a countdown runs, or a message will expire.
  private var needsClock: Bool {
    if case .signIn = state.overlay { return true }
    // A cached pane's title says how old it is.
    if state.cached.lists != nil || !state.cached.tasks.isEmpty { return true }
    return state.status?.expires != nil || state.uploads.contains { $0.phase.isActive }
  }

  private func pollTimeout() -> Int32 {
    let interval = configuration.refreshInterval
    if dirty, let lastFrame {
      let remaining = interval - (clock.now() - lastFrame)
      return Int32(max(0, min(1000, Self.milliseconds(remaining))))
    }
    // Idle: one wake-up a second at most; nothing is drawn unless state changed.
    return needsClock ? Int32(max(10, min(1000, Self.milliseconds(interval)))) : 1000
  }

  private static func milliseconds(_ duration: Duration) -> Int64 {
    duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
  }

  private func render() {
    guard !terminalGone else { return }
    terminal.present(Screen.render(state))
    lastFrame = clock.now()
    dirty = false
  }

  // MARK: Effects

  func apply(_ effect: Effect) {
    switch effect {
    case .repaint:
      terminal.invalidate()
      dirty = true
    case .suspend:
      terminal.suspend()
      // The size may have changed while we were stopped.
      dispatch(.resized(terminal.size))
      render()
    case .forceQuit:
      exit = .forced
    case .quit where engines.isEmpty:
      exit = .quit
    case .quit(let uploads):
      guard !quitting else { return }
      quitting = true
      quitAll(uploads)
    default:
      // Everything else talks to Graph or the engines, which exist once signed in.
      route(effect)
    }
  }

  /// A one-line description of `error` for the status line.
  nonisolated static func describe(_ error: any Error) -> String {
    let text = Sanitizer.clean(String(describing: error))
    return text.trimmingCharacters(in: .whitespaces)
  }
}
