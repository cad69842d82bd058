import ArgumentParser
import Foundation
import GraphClient
import GraphModels
import Logging

/// `tack login`: device-code sign-in; the tokens are cached (0600) and refreshed silently.
struct LoginCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "login",
    abstract: "Sign in with a device code (no browser needed on this host).",
    discussion: """
      Shows a code and a URL: open the URL on any device, enter the code and sign in. Needs the \
      client id of an app registration (--client-id, TACK_CLIENT_ID or config.json; see README).
      """)

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try Composition.context(global)
    do {
      try runBlocking { try await Self.login(context) }
    } catch {
      throw Composition.failure(error)
    }
  }

  static func login(_ context: ClientContext) async throws {
    let clientID = try context.requireClientID()
    // Validates the Graph URL (https or loopback) before anyone types a code.
    _ = try GraphSession(
      baseURL: context.graphURL, tokens: StaticTokenProvider(token: ""),
      transport: ClosedTransport())
    let logger = Composition.makeLogger(context)
    let transport = Composition.makeTransport(context)
    do {
      let signIn = DeviceCodeSignIn(
        identity: Composition.identityClient(
          context, clientID: clientID, transport: transport, logger: logger),
        graphURL: context.graphURL, store: context.tokenStore,
        nameFallback: { await AccountNaming.lookUp($0, transport: transport, logger: logger) })
      let stored = try await signIn.run { progress in
        guard case .prompt(let code) = progress else { return }
        let minutes = max(1, code.expiresIn / 60)
        Output.status(
          "To sign in, open \(Composition.oneLine(code.verificationURI)) on any device and enter "
            + "the code \(Composition.oneLine(code.userCode))")
        Output.status("Waiting for the sign-in to finish (the code expires in \(minutes) min)…")
      }
      logger.info("signed in", metadata: ["tenant": "\(context.tenant)"])
      let session = try GraphSession(
        baseURL: context.graphURL, tokens: StaticTokenProvider(token: stored.accessToken),
        transport: transport, logger: logger)
      let account = await Account.describe(session)
      let name = Composition.oneLine(stored.accountName)
      Output.line(
        "Signed in as \(account ?? name). Account \(name) is the default (`tack accounts`). "
          + "Tokens: \(context.paths.tokenFile)")
      await transport.shutdown()
    } catch {
      await transport.shutdown()
      throw error
    }
  }
}

/// `tack logout`: forget the cached tokens of this sign-in.
struct LogoutCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logout", abstract: "Forget the cached sign-in (of the default account).",
    discussion: "--account NAME forgets that account's instead; the others stay signed in.")

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Forget every cached sign-in, not only this one.")
  var all = false

  func run() throws {
    do {
      let context = try Composition.context(global)
      let store = context.tokenStore
      if all {
        let accounts = try store.all()
        for tokens in accounts { try store.remove(tokens.account) }
        Output.line(accounts.isEmpty ? "No cached sign-in." : "Signed out (\(accounts.count)).")
        return
      }
      guard let tokens = try context.storedTokens() else {
        Output.line("Not signed in.")
        return
      }
      try store.remove(tokens.account)
      Output.line(
        "Signed out \(Composition.oneLine(tokens.accountName)). "
          + "(Tokens were deleted locally; they expire on their own.)")
    } catch {
      throw Composition.failure(error)
    }
  }
}

/// `tack whoami`: the account and the sign-in in use.
struct WhoamiCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "whoami", abstract: "Show the signed-in account.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    try Composition.run(global) { services in
      let context = services.context
      let account = await Account.describe(services.session)
      var rows: [[String]] = []
      if context.staticToken != nil {
        rows.append(["Token", "TACK_ACCESS_TOKEN (no sign-in, no cache)"])
      } else if let stored = try context.storedTokens() {
        rows.append(["Username", stored.accountName])
        rows.append(["Sign-in", "\(stored.loginURL) · tenant \(stored.tenant)"])
        rows.append(["Client id", stored.clientID])
        if let scope = stored.scope, !scope.isEmpty { rows.append(["Scopes", scope]) }
        rows.append(["Signed in", Account.format(stored.obtainedAt)])
      }
      rows.insert(
        ["Account", account ?? "(name not available: the sign-in lacks User.Read)"], at: 0)
      rows.insert(["Graph", context.graphURL], at: 1)
      // Proves the token works for To Do, which is what tack needs.
      let lists = try await services.session.lists().all()
      rows.append(["To Do", "\(lists.count) lists"])
      let width = rows.map { $0[0].count }.max() ?? 0
      for row in rows {
        Output.line(
          row[0].padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            + Composition.oneLine(row[1]))
      }
    }
  }
}

/// `tack lists [--json]`: every list, every page.
struct ListsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lists", abstract: "Show all To Do lists.")

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Print the Graph objects (every page) as one JSON array.")
  var json = false

  @Flag(help: "Answer from the offline cache, without the network (exit 4 when there is none).")
  var offline = false

  func run() throws {
    let json = json
    if offline { return try OfflineCache.printLists(global, json: json) }
    try Composition.run(global) { services in
      if json {
        let raw = try await services.session.rawLists().all()
        OfflineCache.store(services) { try $0.storeLists(raw, at: $1) }
        Output.json(raw)
        return
      }
      let lists = try await services.session.lists().all()
      OfflineCache.store(services) { try $0.storeLists(lists, at: $1) }
      Self.printTable(lists)
    }
  }

  static func printTable(_ lists: [TodoTaskList]) {
    let rows = lists.map { list in
      [
        list.displayName, Self.kind(list.wellknownListName),
        list.isShared == true ? "shared" : "", list.id,
      ]
    }
    Output.table(
      TextTable(headers: ["NAME", "KIND", "SHARED", "ID"], rows: rows, flexible: [0]),
      empty: "No lists.")
  }

  static func kind(_ name: String?) -> String {
    switch name {
    case .none, "none": return ""
    case "defaultList": return "default"
    case "flaggedEmails": return "flagged"
    case .some(let other): return other
    }
  }
}

/// `tack tasks --list ID|NAME [--json]`: every task of a list.
struct TasksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tasks", abstract: "Show all tasks of a list.")

  @OptionGroup var global: GlobalOptions

  @Option(help: "The list: its id or its name.")
  var list: String

  @Flag(help: "Print the Graph objects (every page) as one JSON array.")
  var json = false

  @Flag(help: "Answer from the offline cache, without the network (exit 4 when there is none).")
  var offline = false

  func run() throws {
    let (query, json) = (list, json)
    if offline { return try OfflineCache.printTasks(global, list: query, json: json) }
    try Composition.run(global) { services in
      let session = services.session
      let list = try await Composition.resolveList(query, session: session)
      if json {
        let raw = try await session.rawTasks(listID: list.id).all()
        OfflineCache.store(services) { try $0.storeTasks(listID: list.id, raw, at: $1) }
        Output.json(raw)
        return
      }
      let tasks = try await session.tasks(listID: list.id).all()
      OfflineCache.store(services) { try $0.storeTasks(listID: list.id, tasks, at: $1) }
      Self.printTable(tasks, list: list)
    }
  }

  static func printTable(_ tasks: [TodoTask], list: TodoTaskList) {
    let rows = tasks.map { task in
      [
        task.title, task.status ?? "",
        task.dueDateTime.map { String($0.dateTime.prefix(10)) } ?? "",
        task.hasAttachments == true ? "yes" : "", task.id,
      ]
    }
    Output.table(
      TextTable(headers: ["TITLE", "STATUS", "DUE", "FILES", "ID"], rows: rows, flexible: [0]),
      empty: "No tasks in \"\(Composition.oneLine(list.displayName))\".")
  }
}

/// `tack attachments --list ID|NAME --task ID|TITLE [--json]`: a task's attachments.
struct AttachmentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attachments", abstract: "Show a task's attachments.")

  @OptionGroup var global: GlobalOptions

  @Option(help: "The list: its id or its name.")
  var list: String

  @Option(help: "The task: its id or its title.")
  var task: String

  @Flag(help: "Print the Graph objects (every page) as one JSON array.")
  var json = false

  func run() throws {
    let (listQuery, taskQuery, json) = (list, task, json)
    try Composition.run(global) { services in
      let session = services.session
      let list = try await Composition.resolveList(listQuery, session: session)
      let task = try await Composition.resolveTask(taskQuery, in: list, session: session)
      if json {
        Output.json(try await session.rawAttachments(listID: list.id, taskID: task.id).all())
        return
      }
      let attachments = try await session.attachments(listID: list.id, taskID: task.id).all()
      let rows = attachments.map { item in
        [
          item.name, ByteCount.format(item.size), item.contentType ?? "",
          item.lastModifiedDateTime.map {
            String($0.prefix(16)).replacingOccurrences(of: "T", with: " ")
          }
            ?? "",
          item.id,
        ]
      }
      Output.table(
        TextTable(
          headers: ["NAME", "SIZE", "TYPE", "MODIFIED", "ID"], rows: rows, flexible: [0, 2],
          trailing: [1]),
        empty: "No attachments on \"\(Composition.oneLine(task.title))\".")
    }
  }
}

// MARK: Helpers

/// What the client commands print.
enum Output {
  /// A result line on stdout.
  static func line(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  /// A progress or instruction line on stderr (keeps stdout clean for scripts).
  static func status(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// The objects as one JSON array on stdout.
  static func json(_ values: [JSONValue]) {
    let data = (try? MachineJSON.document(values)) ?? Data("[]\n".utf8)
    FileHandle.standardOutput.write(data)
  }

  static func table(_ table: TextTable, empty: String) {
    if table.rows.isEmpty {
      status(empty)
      return
    }
    FileHandle.standardOutput.write(Data(table.render(width: TextTable.terminalWidth()).utf8))
  }
}

/// The account's display name, when the token may read `/me` (it needs User.Read; tack asks only
/// for Tasks.ReadWrite, so a 403 is expected and not an error).
enum Account {
  static func describe(_ session: GraphSession) async -> String? {
    guard
      let me = try? await session.getJSON(JSONValue.self, url: session.url("/me")),
      case .object = me
    else { return nil }
    let name = me[caseInsensitive: "displayName"]?.stringValue
    let principal =
      me[caseInsensitive: "userPrincipalName"]?.stringValue
      ?? me[caseInsensitive: "mail"]?.stringValue
    switch (name, principal) {
    case (let name?, let principal?): return "\(name) <\(principal)>"
    case (let name?, nil): return name
    case (nil, let principal?): return principal
    case (nil, nil): return nil
    }
  }

  static func format(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}

/// A transport that refuses everything: lets `GraphSession` validate a URL without a network.
struct ClosedTransport: HTTPTransport {
  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    throw TransportError.other("no transport")
  }
}
