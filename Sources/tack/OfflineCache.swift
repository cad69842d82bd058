import Foundation
import GraphModels
import Logging
import ReadCache

/// The commands' side of the read cache: which account's cache, storing what was fetched, and
/// answering `--offline`.
enum OfflineCache {
  /// The account the cache belongs to. The one place this is derived: the Graph URL plus the
  /// signed-in account `--account` or the default picks (its `AccountID.storageKey`), so two
  /// accounts never share a cache; `access-token` for `TACK_ACCESS_TOKEN`; the identity host
  /// and tenant while nobody is signed in.
  static func accountID(_ context: ClientContext) -> String {
    let graph = ClientContext.trimmed(context.graphURL).lowercased()
    if context.staticToken != nil { return graph + "|access-token" }
    if let tokens = try? context.storedTokens() {
      return graph + "|" + tokens.accountID.storageKey
    }
    return graph + "|" + context.loginURL.lowercased() + "/" + context.tenant.lowercased()
  }

  static func directory(_ context: ClientContext) -> String {
    CacheLocation.directory(environment: context.environment)
  }

  /// The cache to store into, or nil (logged) when it cannot be opened: a cache never fails a
  /// command that works without it.
  static func writable(_ context: ClientContext, logger: Logger) -> ReadCache? {
    do {
      let cache = try ReadCache.open(directory: directory(context), account: accountID(context))
      if let aside = cache.recoveredFrom {
        logger.notice("damaged read cache moved aside", metadata: ["path": "\(aside)"])
      }
      return cache
    } catch {
      logger.notice("read cache unavailable", metadata: ["error": "\(error)"])
      return nil
    }
  }

  /// Stores with `body`, logging instead of failing.
  static func store(
    _ services: ClientServices, _ body: (ReadCache, Date) throws -> Void
  ) {
    guard let cache = writable(services.context, logger: services.logger) else { return }
    do {
      try body(cache, Date())
    } catch {
      services.logger.notice("read cache not updated", metadata: ["error": "\(error)"])
    }
  }

  /// The existing cache, or exit 4 with what to do.
  static func require(_ context: ClientContext) throws -> ReadCache {
    guard
      let cache = ReadCache.openExisting(directory: directory(context), account: accountID(context))
    else {
      throw TackFailure(
        code: TackExit.noCache,
        message:
          "no offline cache for \(Composition.oneLine(context.graphURL)) yet: run `tack lists` "
          + "or `tack tasks --list …` online once (cache: \(directory(context)))")
    }
    return cache
  }

  static func lists(_ cache: ReadCache) throws -> CachedSnapshot<[JSONValue]> {
    guard let lists = cache.rawLists() else {
      throw TackFailure(
        code: TackExit.noCache,
        message: "the offline cache has no lists yet: run `tack lists` online once")
    }
    return lists
  }

  /// `tack lists --offline`.
  static func printLists(_ global: GlobalOptions, json: Bool) throws {
    let cache = try require(try Composition.context(global))
    let raw = try lists(cache).value
    if json {
      Output.json(raw)
    } else {
      ListsCommand.printTable(raw.compactMap { try? $0.decode(as: TodoTaskList.self) })
    }
  }

  /// `tack tasks --list … --offline`: the list is resolved among the cached lists.
  static func printTasks(_ global: GlobalOptions, list query: String, json: Bool) throws {
    let cache = try require(try Composition.context(global))
    let lists = try lists(cache).value.compactMap { try? $0.decode(as: TodoTaskList.self) }
    let list = try Composition.resolveList(query, in: lists)
    guard let tasks = cache.rawTasks(listID: list.id) else {
      throw TackFailure(
        code: TackExit.noCache,
        message:
          "the offline cache has no tasks of \"\(Composition.oneLine(list.displayName))\": run "
          + "`tack tasks --list \(list.id)` online once")
    }
    if json {
      Output.json(tasks.value)
    } else {
      TasksCommand.printTable(
        tasks.value.compactMap { try? $0.decode(as: TodoTask.self) }, list: list)
    }
  }
}
