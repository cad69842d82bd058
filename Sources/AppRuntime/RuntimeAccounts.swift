import AppCore
import Foundation

/// The signed-in accounts `A` switches between, and how the composition root reaches each:
/// the runtime makes an account's services the first time it is shown and keeps them (and
/// its uploads) for the rest of the run.
public struct RuntimeAccounts: Sendable {
  /// Every account, in the order the account list shows them.
  public var all: [AccountEntry]
  /// The id of the account shown at start (whose services the connection holds).
  public var current: String
  /// Signs in as account `id` (refreshing its stored tokens as needed).
  public var services: @Sendable (_ id: String) async throws -> RuntimeServices
  /// Account `id`'s offline read cache, or nil when it has none.
  public var readCache: @Sendable (_ id: String) -> (any RuntimeReadCache)?

  public init(
    all: [AccountEntry], current: String,
    services: @escaping @Sendable (_ id: String) async throws -> RuntimeServices,
    readCache: @escaping @Sendable (_ id: String) -> (any RuntimeReadCache)? = { _ in nil }
  ) {
    self.all = all
    self.current = current
    self.services = services
    self.readCache = readCache
  }
}

/// `RuntimeAccounts` as the loop uses them: engines instead of services, so a test can switch
/// between fake engines.
struct EngineAccounts: Sendable {
  var all: [AccountEntry]
  var current: String
  var engine: @Sendable (_ id: String) async throws -> any RuntimeEngine
  var readCache: @Sendable (_ id: String) -> (any RuntimeReadCache)?
}

extension RuntimeAccounts {
  /// The same accounts, reached through the program's engine.
  var live: EngineAccounts {
    let services = services
    return EngineAccounts(
      all: all, current: current, engine: { LiveRuntimeEngine(try await services($0)) },
      readCache: readCache)
  }
}
