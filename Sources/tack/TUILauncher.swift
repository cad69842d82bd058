import AppRuntime
import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import TerminalCore
import TerminalCurses
import UploadEngine

/// `tack` and `tack --demo`: sets up Graph access, then hands the main thread to the UI loop.
enum TUILauncher {
  /// Faults that make the demo feel like a real network: latency on every call, PUT bodies
  /// read at 1.2 MB/s (so the per-chunk bars visibly move), and one throttled PUT to show a retry.
  static let demoFaults = [
    "get#*=latency:ms=120", "post#*=latency:ms=150", "delete#*=latency:ms=80",
    "put#*=latency:ms=60", "put#*=bandwidth:bps=1200000", "put#4=429:retry-after=2",
  ]

  static func launch(
    global: GlobalOptions, demo: Bool, noAgent: Bool = false, refreshMilliseconds: Int
  ) throws {
    guard (10...5000).contains(refreshMilliseconds) else {
      throw TackFailure(
        code: TackExit.usage, message: "--refresh-ms must be between 10 and 5000")
    }
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      throw TackFailure(
        code: TackExit.usage,
        message:
          "the terminal UI needs a terminal; for scripts use `tack lists`, `tack tasks`, "
          + "`tack upload` (see `tack --help`)")
    }
    CrashGuard.reexecWithQuietBacktraces()
    let context = try Composition.context(global)
    _ = try BandwidthOption.configuration(context)  // a bad cap in the config file: exit 2 now
    let setup = try demo ? startDemo(context) : connect(context, noAgent: noAgent)
    let exit: RuntimeExit
    do {
      exit = try runInterface(setup, context: context, refreshMilliseconds: refreshMilliseconds)
    } catch {
      try? runBlocking { await setup.shutdown() }
      throw error
    }
    try? runBlocking { await setup.shutdown() }
    setup.readCache?.flush()
    setup.otherCaches.flush()
    if exit == .forced { throw TackFailure(code: TackExit.interrupted, message: "") }
  }

  /// Everything the interface runs on, and how to stop it afterwards.
  struct Setup: Sendable {
    var connection: RuntimeConnection
    var accountLabel: String
    var transport: LiveHTTPTransport
    var emulator: GraphEmulator?
    /// The offline read cache the panes start from (none for `--demo`).
    var readCache: TUIReadCache?
    /// The accounts `A` switches between (nil: one, or none).
    var accounts: RuntimeAccounts?
    /// The read caches of accounts shown after a switch, flushed with the first one's.
    var otherCaches = TUIReadCaches()

    func shutdown() async {
      await transport.shutdown()
      await emulator?.stop()
    }
  }

  private static func runInterface(
    _ setup: Setup, context: ClientContext, refreshMilliseconds: Int
  ) throws -> RuntimeExit {
    try? TackPaths.ensureDirectory(context.paths.stateDirectory)
    // Anything written to stderr while the screen is up would land on it; send it to the log.
    let savedError = CrashGuard.redirectStandardError(to: context.paths.logFile)
    defer { savedError.map(CrashGuard.restoreStandardError) }
    // The top-level code in main.swift runs on the main thread, which the loop must own.
    return try MainActor.assumeIsolated {
      let terminal: CursesTerminal
      do {
        terminal = try CursesTerminal()
      } catch let error as TerminalError {
        throw TackFailure(code: TackExit.usage, message: error.description)
      }
      do {
        var configuration = RuntimeConfiguration(
          refreshInterval: .milliseconds(refreshMilliseconds), accountLabel: setup.accountLabel)
        configuration.readCache = setup.readCache
        configuration.accounts = setup.accounts
        let runtime = try AppRuntime(
          terminal: terminal, connection: setup.connection, configuration: configuration)
        return runtime.run()
      } catch {
        terminal.shutdown()
        throw error
      }
    }
  }

  /// The emulator on 127.0.0.1 with the demo seed, signed in with a token it issued.
  private static func startDemo(_ context: ClientContext) throws -> Setup {
    var options = EmulatorOptions()
    options.seed = .demo
    options.faults = try FaultPlan(specs: demoFaults)
    let startOptions = options
    let logger = Composition.makeLogger(context)
    return try runBlocking {
      let emulator = try await GraphEmulator.start(startOptions)
      logger.info("demo emulator listening", metadata: ["graph": "\(emulator.graphBaseURL)"])
      let token = await emulator.store.issueToken()
      let transport = Composition.makeTransport(context)
      do {
        let notices = GraphNoticeRelay()
        let session = try GraphSession(
          baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: token.access),
          transport: transport, logger: logger, notify: { notices.send($0) })
        let coordinator = UploadCoordinator(graph: session, journal: nil)
        return Setup(
          connection: .ready(
            RuntimeServices(
              session: session, coordinator: coordinator, journal: nil, notices: notices)),
          accountLabel: "demo", transport: transport, emulator: emulator)
      } catch {
        await transport.shutdown()
        await emulator.stop()
        throw error
      }
    }
  }

  /// Microsoft Graph (or `--graph-url`); when nobody is signed in, the interface opens with the
  /// device-code sign-in.
  private static func connect(_ context: ClientContext, noAgent: Bool) throws -> Setup {
    let host = URLHost.written(in: context.graphURL) ?? context.graphURL
    // An unknown `--account` is an error, not a reason to sign in.
    if context.staticToken == nil, try Composition.catching({ try context.storedTokens() }) == nil {
      var setup = try signInSetup(context, label: host, noAgent: noAgent)
      setup.readCache = TUIReadCache.open(context)
      return setup
    }
    let services: ClientServices
    // The screen is the terminal: notices go to the status line, never to stderr.
    let notices = GraphNoticeRelay()
    do {
      services = try Composition.makeServices(context, notices: notices)
    } catch {
      throw Composition.failure(error)
    }
    // One cap for the uploads of every account the interface shows.
    let bandwidth = BandwidthLimiter(
      bytesPerSecond: (try? BandwidthOption.configuration(context))?.bandwidthLimit)
    var shown = runtimeServices(
      services.session, context, notices: notices, account: services.account?.name,
      bandwidth: bandwidth)
    shown.ownsJournaled = TUIAccounts.ownsJournaled(services.account?.name, unnamedToo: true)
    // Tasks loads go through delta rounds whose links the read cache keeps.
    let readCache = TUIReadCache.open(context)
    shown.deltaLinks = readCache
    // Before the screen opens: a cold agent start takes about a second.
    shown = try runBlocking { [shown] in
      var attached = shown
      await attached.useAgent(context, noAgent: noAgent)
      return attached
    }
    let otherCaches = TUIReadCaches()
    return Setup(
      connection: .ready(shown),
      accountLabel: services.account.map { Composition.oneLine($0.name) } ?? host,
      transport: services.transport, emulator: nil, readCache: readCache,
      accounts: TUIAccounts.make(
        context, shown: services.account,
        shared: .init(transport: services.transport, bandwidth: bandwidth, caches: otherCaches)),
      otherCaches: otherCaches)
  }

  static func runtimeServices(
    _ session: GraphSession, _ context: ClientContext, notices: GraphNoticeRelay,
    account: String?, bandwidth: BandwidthLimiter? = nil
  ) -> RuntimeServices {
    let journal = UploadJournal(directory: context.paths.uploadJournalDirectory)
    // The config file's cap; a bad one was refused before the screen opened.
    var configuration = (try? BandwidthOption.configuration(context)) ?? .init()
    configuration.account = account
    let coordinator = UploadCoordinator(
      graph: session, journal: journal, configuration: configuration, sharedBandwidth: bandwidth)
    return RuntimeServices(
      session: session, coordinator: coordinator, journal: journal, notices: notices)
  }

  /// The first run: the interface shows the device code and waits for the sign-in.
  private static func signInSetup(
    _ context: ClientContext, label: String, noAgent: Bool
  ) throws -> Setup {
    let clientID = try context.requireClientID()
    do {
      // Rejects a non-https Graph URL before anyone types a code.
      _ = try GraphSession(
        baseURL: context.graphURL, tokens: StaticTokenProvider(token: ""),
        transport: ClosedTransport())
    } catch {
      throw Composition.failure(error)
    }
    let logger = Composition.makeLogger(context)
    let transport = Composition.makeTransport(context)
    let connection = RuntimeConnection.signIn { show in
      let identity = Composition.identityClient(
        context, clientID: clientID, transport: transport, logger: logger)
      let signIn = DeviceCodeSignIn(
        identity: identity, graphURL: context.graphURL, store: context.tokenStore,
        nameFallback: { await AccountNaming.lookUp($0, transport: transport, logger: logger) })
      let stored = try await signIn.run { progress in
        if case .prompt(let code) = progress { show(code) }
      }
      logger.info("signed in from the terminal UI", metadata: ["tenant": "\(context.tenant)"])
      let tokens = RefreshingTokenProvider(
        tokens: stored, identity: identity, store: context.tokenStore)
      let notices = GraphNoticeRelay()
      let session = try GraphSession(
        baseURL: context.graphURL, tokens: tokens, transport: transport, logger: logger,
        notify: { notices.send($0) })
      var services = runtimeServices(
        session, context, notices: notices, account: stored.accountName)
      await services.useAgent(context, noAgent: noAgent)
      return services
    }
    return Setup(connection: connection, accountLabel: label, transport: transport, emulator: nil)
  }
}
