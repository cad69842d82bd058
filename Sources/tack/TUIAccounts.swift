import AppCore
import AppRuntime
import Foundation
import GraphClient
import Logging
import Synchronization
import UploadEngine

/// The accounts the interface can switch between with `A`: every stored sign-in of this
/// Graph, identity host and tenant (and client id, when given). Each one's session, upload
/// coordinator and read cache are made the first time it is shown, over the one connection
/// pool of the run.
enum TUIAccounts {
  /// The switchable accounts with `shown` current; nil with an access token, or when the shown
  /// account is not among them.
  /// What every account's services share in one run.
  struct Shared: Sendable {
    /// The connection pool.
    var transport: LiveHTTPTransport
    /// The upload cap of all accounts together.
    var bandwidth: BandwidthLimiter
    /// The read caches opened for switches, flushed at exit.
    var caches: TUIReadCaches
  }

  static func make(
    _ context: ClientContext, shown: AccountID?, shared: Shared
  ) -> RuntimeAccounts? {
    guard context.staticToken == nil, let shown,
      let (stored, defaultKey) = try? context.tokenStore.accounts()
    else { return nil }
    let here = stored.filter { tokens in
      tokens.loginURL == context.loginURL && tokens.tenant == context.tenant
        && (context.clientID == nil || tokens.clientID == context.clientID)
        && Composition.sameOrigin(tokens.graphURL, context.graphURL)
    }
    let names = Dictionary(
      here.map { ($0.accountID.storageKey, $0.accountName) },
      uniquingKeysWith: { first, _ in first })
    guard names[shown.storageKey] != nil else { return nil }
    let entries = here.map { tokens in
      AccountEntry(
        id: tokens.accountID.storageKey, label: Composition.oneLine(tokens.accountName),
        isDefault: tokens.account == defaultKey)
    }
    let logger = Composition.makeLogger(context)
    return RuntimeAccounts(
      all: entries, current: shown.storageKey,
      services: { id in
        guard let name = names[id] else { throw TackFailure(code: 2, message: "unknown account") }
        return try services(as: name, context, shared: shared, logger: logger)
      },
      readCache: { id in
        names[id].flatMap { shared.caches.cache(for: $0, choosing($0, context)) }
      })
  }

  /// `context` acting as the account named `name`.
  static func choosing(_ name: String, _ context: ClientContext) -> ClientContext {
    var chosen = context
    chosen.account = name
    return chosen
  }

  /// Which journaled uploads the account named `name` offers to resume: its own, and, for the
  /// account shown at start, those that name no account (from before several sign-ins).
  static func ownsJournaled(_ name: String?, unnamedToo: Bool)
    -> (@Sendable (UploadJournalEntry) -> Bool)?
  {
    guard let name else { return nil }
    return { $0.belongs(toAccount: name, includingUnnamed: unnamedToo) }
  }

  /// A signed-in session for `name`, with its own coordinator on the shared journal.
  private static func services(
    as name: String, _ context: ClientContext, shared: Shared, logger: Logger
  ) throws -> RuntimeServices {
    let chosen = choosing(name, context)
    let tokens = try Composition.tokenProvider(
      chosen, transport: shared.transport, logger: logger)
    let notices = GraphNoticeRelay()
    let session = try GraphSession(
      baseURL: chosen.graphURL, tokens: tokens, transport: shared.transport, logger: logger,
      notify: { notices.send($0) })
    var services = TUILauncher.runtimeServices(
      session, chosen, notices: notices, account: name, bandwidth: shared.bandwidth)
    services.ownsJournaled = ownsJournaled(name, unnamedToo: false)
    // The lists and tasks load through delta rounds whose links this account's cache keeps.
    services.deltaLinks = shared.caches.cache(for: name, chosen)
    return services
  }
}

/// The read caches the interface opened for accounts shown after a switch: each stores off the
/// main thread, and all are flushed before the program exits.
final class TUIReadCaches: Sendable {
  /// One cache per account name, opened once: the panes and the delta links share it.
  private let caches = Mutex<[String: TUIReadCache]>([:])

  /// The read cache of the account `context` names, opened on first use (nil when it cannot
  /// be opened, logged).
  func cache(for name: String, _ context: ClientContext) -> TUIReadCache? {
    caches.withLock { caches in
      if let cache = caches[name] { return cache }
      let cache = TUIReadCache.open(context)
      caches[name] = cache
      return cache
    }
  }

  /// Waits for every queued store.
  func flush() {
    for cache in caches.withLock({ Array($0.values) }) { cache.flush() }
  }
}
