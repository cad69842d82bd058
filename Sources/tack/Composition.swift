import Foundation
import GraphClient
import GraphModels
import Logging
import TerminalCore

/// Where and as whom the client commands talk to Graph, resolved from flags, the environment and
/// `$XDG_CONFIG_HOME/tack/config.json` (in that order of precedence).
struct ClientContext: Sendable {
  var cloud: GraphCloud
  /// Graph base URL, e.g. `https://graph.microsoft.com/v1.0`.
  var graphURL: String
  /// Identity host, e.g. `https://login.microsoftonline.com`.
  var loginURL: String
  var tenant: String
  var clientID: String?
  /// `TACK_ACCESS_TOKEN`: use this bearer token; no sign-in, no cache.
  var staticToken: String?
  /// `--account` / `TACK_ACCOUNT`: the signed-in account to use (nil: the default).
  var account: String?
  var paths: TackPaths
  var environment: [String: String]

  static func resolve(
    _ global: GlobalOptions,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> ClientContext {
    let paths = TackPaths(environment: environment)
    do {
      try paths.checkDirectories()
    } catch {
      throw TackFailure(code: TackExit.usage, message: Composition.oneLine(error.description))
    }
    let config = try TackConfigFile.load(path: paths.configFile)
    func nonEmpty(_ value: String?) -> String? {
      guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
        return nil
      }
      return value
    }
    let cloud = try GraphCloud.parse(nonEmpty(global.cloud) ?? nonEmpty(config.cloud) ?? "global")
    let graphURL =
      nonEmpty(global.graphURL) ?? nonEmpty(environment["TACK_GRAPH_URL"])
      ?? nonEmpty(config.graphURL) ?? cloud.graphBaseURL
    let loginURL =
      nonEmpty(global.loginURL) ?? nonEmpty(environment["TACK_LOGIN_URL"])
      ?? nonEmpty(config.loginURL) ?? cloud.loginBaseURL
    let tenant = try Tenant.validate(nonEmpty(global.tenant) ?? nonEmpty(config.tenant) ?? "common")
    let clientID =
      nonEmpty(global.clientID) ?? nonEmpty(environment["TACK_CLIENT_ID"])
      ?? nonEmpty(config.clientID)
    return ClientContext(
      cloud: cloud, graphURL: Self.trimmed(graphURL), loginURL: Self.trimmed(loginURL),
      tenant: tenant, clientID: clientID, staticToken: nonEmpty(environment["TACK_ACCESS_TOKEN"]),
      account: nonEmpty(global.account) ?? nonEmpty(environment["TACK_ACCOUNT"]), paths: paths,
      environment: environment)
  }

  static func trimmed(_ url: String) -> String {
    var text = url
    while text.hasSuffix("/") { text.removeLast() }
    return text
  }

  var tokenStore: TokenStore { TokenStore(path: paths.tokenFile) }

  /// The client id, or a usage error explaining where to get one.
  func requireClientID() throws -> String {
    guard let clientID else {
      throw TackFailure(
        code: TackExit.usage,
        message:
          "no client id: register an app (see README, \"Microsoft Graph setup\") and pass "
          + "--client-id, set TACK_CLIENT_ID, or put \"client_id\" in \(paths.configFile)")
    }
    return clientID
  }

  /// The stored sign-in to use: `--account` (`TACK_ACCOUNT`), else the default account of this
  /// identity host and tenant (and client id, when known); nil when nobody is signed in there.
  /// An unknown account name is a usage error (exit 2) naming the accounts there are.
  func storedTokens() throws -> StoredTokens? {
    try AccountChoice.select(self)
  }
}

/// The live objects a client command uses; `shutdown()` closes the connection pool.
struct ClientServices: Sendable {
  let context: ClientContext
  let transport: LiveHTTPTransport
  let logger: Logger
  let session: GraphSession
  /// The signed-in account the session acts for; nil with `TACK_ACCESS_TOKEN`.
  var account: AccountID?

  func shutdown() async {
    await transport.shutdown()
  }
}

/// Builders shared by the client and upload commands.
enum Composition {
  /// A logger writing to `$XDG_STATE_HOME/tack/tack.log` (never to the terminal); a silent one
  /// when the file cannot be opened. `TACK_LOG_LEVEL` sets the level (default `info`).
  static func makeLogger(_ context: ClientContext, label: String = "tack") -> Logger {
    let level =
      context.environment["TACK_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
      ?? .info
    guard let file = try? LogFile(path: context.paths.logFile) else {
      return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
    }
    return FileLogHandler.logger(label: label, file: file, level: level)
  }

  static func makeTransport(_ context: ClientContext) -> LiveHTTPTransport {
    LiveHTTPTransport(configuration: .fromEnvironment(context.environment))
  }

  static func identityClient(
    _ context: ClientContext, clientID: String, transport: any HTTPTransport, logger: Logger
  ) -> IdentityClient {
    IdentityClient(
      loginBaseURL: context.loginURL, tenant: context.tenant, clientID: clientID,
      transport: transport, logger: logger)
  }

  /// The token provider: `TACK_ACCESS_TOKEN` if set, else the stored sign-in (refreshing it as
  /// needed). Throws an auth failure (exit 3) when nobody is signed in.
  static func tokenProvider(
    _ context: ClientContext, transport: any HTTPTransport, logger: Logger
  ) throws -> any AccessTokenProvider {
    if let token = context.staticToken { return StaticTokenProvider(token: token) }
    guard let tokens = try context.storedTokens() else {
      throw TackFailure(code: TackExit.auth, message: "not signed in: run `tack login` first")
    }
    guard sameOrigin(tokens.graphURL, context.graphURL) else {
      throw TackFailure(
        code: TackExit.auth,
        message:
          "the stored sign-in is for \(tokens.graphURL), not \(context.graphURL): run "
          + "`tack login` with the same --graph-url")
    }
    let identity = IdentityClient(
      loginBaseURL: tokens.loginURL, tenant: tokens.tenant, clientID: tokens.clientID,
      scopes: tokens.requestedScopes ?? IdentityClient.legacyScopes, transport: transport,
      logger: logger)
    return RefreshingTokenProvider(tokens: tokens, identity: identity, store: context.tokenStore)
  }

  static func sameOrigin(_ a: String, _ b: String) -> Bool {
    guard let left = URLComponents(string: a), let right = URLComponents(string: b) else {
      return false
    }
    return left.scheme?.lowercased() == right.scheme?.lowercased()
      && URLHost.written(in: a)?.lowercased() == URLHost.written(in: b)?.lowercased()
      && left.port == right.port
  }

  /// Resolves flags, environment and config file, and migrates an old token cache; errors
  /// become one-line failures.
  static func context(_ global: GlobalOptions) throws -> ClientContext {
    do {
      let context = try ClientContext.resolve(global)
      try AccountChoice.migrateIfNeeded(context)
      return context
    } catch {
      throw failure(error)
    }
  }

  /// Builds a signed-in session for `context`; its notices go to `notices`, or to stderr.
  static func makeServices(_ context: ClientContext, notices: GraphNoticeRelay? = nil) throws
    -> ClientServices
  {
    let logger = makeLogger(context)
    let transport = makeTransport(context)
    do {
      let tokens = try tokenProvider(context, transport: transport, logger: logger)
      let session = try GraphSession(
        baseURL: context.graphURL, tokens: tokens, transport: transport, logger: logger,
        notify: { @Sendable notice in
          if let notices {
            notices.send(notice)
          } else {
            Output.status("tack: " + oneLine(notice.text))
          }
        })
      let account = try context.staticToken == nil ? context.storedTokens()?.accountID : nil
      return ClientServices(
        context: context, transport: transport, logger: logger, session: session,
        account: account)
    } catch {
      Task { await transport.shutdown() }
      throw error
    }
  }

  /// Runs `body` with signed-in services, blocking the calling thread; any error becomes a
  /// one-line `TackFailure` with the right exit code.
  static func run(
    _ global: GlobalOptions, _ body: @escaping @Sendable (ClientServices) async throws -> Void
  ) throws {
    let context = try context(global)
    do {
      try runBlocking {
        let services = try makeServices(context)
        do {
          try await body(services)
          await services.shutdown()
        } catch {
          services.logger.notice("command failed", metadata: ["error": "\(error)"])
          await services.shutdown()
          throw error
        }
      }
    } catch {
      throw failure(error)
    }
  }

  // MARK: Errors

  /// `body`'s value; its error as a one-line failure.
  static func catching<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { throw failure(error) }
  }

  /// Maps any error to a one-line message and the exit code of DESIGN.md §3.
  static func failure(_ error: any Error) -> TackFailure {
    switch error {
    case let failure as TackFailure:
      return TackFailure(code: failure.code, message: oneLine(failure.message))
    case let graph as GraphError:
      return TackFailure(code: exitCode(graph), message: oneLine(graph.description))
    case is CancellationError:
      return TackFailure(code: TackExit.interrupted, message: "interrupted")
    default:
      return TackFailure(code: 1, message: oneLine(String(describing: error)))
    }
  }

  static func exitCode(_ error: GraphError) -> Int32 {
    switch error {
    case .authentication: return TackExit.auth
    case .service(let status, _, _, _) where status == 401 || status == 403: return TackExit.auth
    case .service(let status, _, _, _) where status == 400 || status == 404: return TackExit.usage
    case .input: return TackExit.usage
    case .transport(.invalidURL): return TackExit.usage
    case .service, .transport, .malformed, .redirected, .limit: return 1
    }
  }

  /// Untrusted text made safe for the terminal and kept to one line.
  static func oneLine(_ text: String) -> String {
    Sanitizer.clean(text).trimmingCharacters(in: .whitespaces)
  }

  // MARK: Name resolution

  /// Finds a list by id, exact name, or name without regard to case. Unknown → exit 2 naming the
  /// closest matches; ambiguous → exit 2 listing the candidates with their ids.
  static func resolveList(_ query: String, session: GraphSession) async throws -> TodoTaskList {
    try resolveList(query, in: try await session.lists().all())
  }

  /// The same resolution among lists already at hand (the offline cache's).
  static func resolveList(_ query: String, in lists: [TodoTaskList]) throws -> TodoTaskList {
    try pick(
      NameResolver.resolve(query, in: lists, id: \.id, name: \.displayName), query: query,
      noun: "list", plural: "lists", flag: "--list", name: \.displayName, id: \.id)
  }

  /// Finds a task of `list` by id, exact title, or title without regard to case.
  static func resolveTask(_ query: String, in list: TodoTaskList, session: GraphSession)
    async throws -> TodoTask
  {
    // An id-like reference is tried directly first, so a 5,000-task list is not fetched for it.
    if query.count >= 20, !query.contains(" ") {
      do {
        return try await session.task(listID: list.id, taskID: query)
      } catch GraphError.service(let status, _, _, _) where status == 404 || status == 400 {
        // Not an id after all: fall back to titles.
      }
    }
    let tasks = try await session.tasks(listID: list.id).all()
    return try pick(
      NameResolver.resolve(query, in: tasks, id: \.id, name: \.title), query: query,
      noun: "task", plural: "tasks", flag: "--task", name: \.title, id: \.id,
      place: " in \"\(oneLine(list.displayName))\"")
  }

  private static func pick<Item: Sendable>(
    _ match: NameMatch<Item>, query: String, noun: String, plural: String, flag: String,
    name: (Item) -> String, id: (Item) -> String, place: String = ""
  ) throws -> Item {
    func describe(_ item: Item) -> String { "\"\(oneLine(name(item)))\" (id \(oneLine(id(item))))" }
    switch match {
    case .found(let item):
      return item
    case .notFound(let suggestions):
      var message = "no \(noun)\(place) matches \"\(oneLine(query))\""
      if suggestions.isEmpty {
        message += "; `tack lists` / `tack tasks` show what exists"
      } else {
        message += "; closest: " + suggestions.map(describe).joined(separator: ", ")
      }
      throw TackFailure(code: TackExit.usage, message: message)
    case .ambiguous(let candidates):
      let shown = candidates.prefix(10).map(describe).joined(separator: ", ")
      let more = candidates.count > 10 ? ", …" : ""
      throw TackFailure(
        code: TackExit.usage,
        message:
          "\"\(oneLine(query))\" matches \(candidates.count) \(plural)\(place): \(shown)\(more); "
          + "pass the id with \(flag)"
      )
    }
  }
}
