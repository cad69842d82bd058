import ArgumentParser
import Foundation
import GraphClient
import GraphModels
import Logging

/// `tack accounts [--json] [--default NAME]`: the signed-in accounts, the default marked.
struct AccountsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "accounts", abstract: "List the signed-in accounts (the default marked *).",
    discussion: """
      `tack login` adds an account (the others stay signed in) and makes it the default. Any \
      command takes --account NAME (or TACK_ACCOUNT) to act as another; `tack logout --account \
      NAME` signs one out.
      """)

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Print the accounts as a JSON array on stdout.")
  var json = false

  @Option(name: .customLong("default"), help: "Make this account the default.")
  var makeDefault: String?

  func run() throws {
    do {
      var context = try Composition.context(global)
      let store = context.tokenStore
      if let name = makeDefault {
        context.account = name
        guard let tokens = try context.storedTokens() else {
          throw TackFailure(code: TackExit.usage, message: "no account named \"\(name)\"")
        }
        try store.makeDefault(tokens.account)
        Output.line("Default account: \(Composition.oneLine(tokens.accountName))")
        return
      }
      let (all, defaultKey) = try store.accounts()
      if json {
        Output.json(all.map { Self.jsonObject($0, isDefault: $0.account == defaultKey) })
        return
      }
      let rows = all.map { tokens in
        [
          tokens.account == defaultKey ? "*" : "", tokens.accountName,
          Self.host(tokens.loginURL), tokens.tenant, tokens.clientID,
          Account.format(tokens.obtainedAt),
        ]
      }
      Output.table(
        TextTable(
          headers: ["", "ACCOUNT", "SIGN-IN HOST", "TENANT", "CLIENT ID", "SIGNED IN"], rows: rows,
          flexible: [1]),
        empty: "No accounts: run `tack login`.")
    } catch {
      throw Composition.failure(error)
    }
  }

  /// One account for `--json`: never a token.
  static func jsonObject(_ tokens: StoredTokens, isDefault: Bool) -> JSONValue {
    var object: [String: JSONValue] = [
      "name": .string(tokens.accountName), "default": .bool(isDefault),
      "login_url": .string(tokens.loginURL), "graph_url": .string(tokens.graphURL),
      "tenant": .string(tokens.tenant), "client_id": .string(tokens.clientID),
      "signed_in": .string(GraphDate.format(tokens.obtainedAt)),
      "id": .string(tokens.accountID.storageKey),
    ]
    if let scope = tokens.scope { object["scopes"] = .string(scope) }
    return .object(object)
  }

  static func host(_ url: String) -> String {
    guard let components = URLComponents(string: url), let host = URLHost.written(in: url) else {
      return url
    }
    return components.port.map { "\(host):\($0)" } ?? host
  }
}

/// Which account a command acts as, and the one-time migration of an old token cache.
enum AccountChoice {
  /// `--account` / `TACK_ACCOUNT`, else the default (`AccountSelection`).
  static func select(_ context: ClientContext) throws -> StoredTokens? {
    let (all, defaultKey) = try context.tokenStore.accounts()
    switch AccountSelection.pick(
      name: context.account, in: all, defaultKey: defaultKey, loginURL: context.loginURL,
      tenant: context.tenant, clientID: context.clientID)
    {
    case .found(let tokens):
      return tokens
    case .notSignedIn:
      return nil
    case .unknown(let name, let known):
      let names = known.map { Composition.oneLine($0) }.joined(separator: ", ")
      throw TackFailure(
        code: TackExit.usage,
        message: "no account named \"\(Composition.oneLine(name))\"; "
          + (known.isEmpty
            ? "nobody is signed in: run `tack login`" : "signed in: \(names)"))
    case .undecided(let names):
      throw TackFailure(
        code: TackExit.usage,
        message: "several accounts are signed in (\(names.joined(separator: ", "))) and none "
          + "is the default: pass --account NAME or run `tack accounts --default NAME`")
    }
  }

  /// Names the accounts of a cache written before Tack kept several (once; see
  /// `TokenStore.migrate`): from the access token's claims, else `GET /me`, else "default".
  static func migrateIfNeeded(_ context: ClientContext) throws {
    let store = context.tokenStore
    guard context.staticToken == nil, store.needsMigration() else { return }
    let logger = Composition.makeLogger(context)
    let names = try runBlocking {
      let transport = Composition.makeTransport(context)
      do {
        let names = try await store.migrate { tokens in
          if let name = JWTClaims.username(of: tokens.accessToken) { return name }
          return await AccountNaming.lookUp(tokens, transport: transport, logger: logger)
        }
        await transport.shutdown()
        return names
      } catch {
        await transport.shutdown()
        throw error
      }
    }
    logger.notice("token cache migrated", metadata: ["accounts": "\(names)"])
  }
}
