import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization

/// `tack-bench delta`: refreshing the 5,000-task list of the demo seed ("Archive") by a delta round against
/// a full reload (what `tack tasks` and the TUI do today): requests, bytes, time.
///
/// The emulator runs on loopback in this process; a counting transport around the live one
/// counts what crosses the wire. Requests and bytes do not depend on the build; times do
/// (run it in debug only to compare the two ways, not to quote latency).
enum DeltaBench {
  static let token = "bench-token"
  static let listName = "Archive"

  /// What one refresh cost.
  struct Cost {
    var requests = 0
    var bodyBytes = 0
    var headerBytes = 0
    var milliseconds = 0.0
    var items = 0

    var line: String {
      "\(requests) requests, \(bodyBytes) B of bodies + \(headerBytes) B of headers, "
        + "\(items) items, \(Int(milliseconds.rounded())) ms"
    }
  }

  static func run(_ arguments: [String]) async -> Int32 {
    guard arguments.isEmpty else {
      FileHandle.standardError.write(Data("usage: tack-bench delta\n".utf8))
      return 2
    }
    do {
      try await measure()
      return 0
    } catch {
      FileHandle.standardError.write(Data("tack-bench delta: \(error)\n".utf8))
      return 1
    }
  }

  static func measure() async throws {
    var options = EmulatorOptions()
    options.seed = .demo
    options.token = token
    let emulator = try await GraphEmulator.start(options)
    let transport = CountingTransport(inner: LiveHTTPTransport())
    do {
      try await report(emulator, transport)
      await transport.shutdown()
      await emulator.stop()
    } catch {
      await transport.shutdown()
      await emulator.stop()
      throw error
    }
  }

  static func report(_ emulator: GraphEmulator, _ transport: CountingTransport) async throws {
    let session = try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: token),
      transport: transport)
    guard let list = await emulator.store.lists().first(where: { $0.displayName == listName }),
      let stored = await emulator.store.tasks(listID: list.id)
    else { throw BenchError("the demo seed has no list named \(listName)") }
    print(
      "tack-bench delta: \"\(listName)\" (\(stored.count) tasks), loopback emulator, "
        + "page size \(session.pageSize)")

    let full = try await transport.measure { try await session.tasks(listID: list.id).all().count }
    print("  full reload (GET …/tasks, every page):   \(full.line)")
    var link = ""
    let first = try await transport.measure {
      let page = try await session.tasksDelta(listID: list.id, link: nil)
      link = page.deltaLink
      return page.changed.count
    }
    print("  delta, first sync (no link):             \(first.line)")
    let unchanged = try await transport.measure {
      let page = try await session.tasksDelta(listID: list.id, link: link)
      link = page.deltaLink
      return page.changed.count + page.removed.count
    }
    print("  delta refresh, list unchanged:           \(unchanged.line)")
    if let task = stored.first {
      await emulator.store.setTaskTitle(listID: list.id, taskID: task.id, "Renamed by the bench")
    }
    let oneChange = try await transport.measure {
      try await session.tasksDelta(listID: list.id, link: link).changed.count
    }
    print("  delta refresh, one task renamed:         \(oneChange.line)")
    let saved = full.bodyBytes + full.headerBytes - unchanged.bodyBytes - unchanged.headerBytes
    print(
      "  unchanged refresh: \(unchanged.requests) vs \(full.requests) requests, "
        + "\(unchanged.bodyBytes + unchanged.headerBytes) vs \(full.bodyBytes + full.headerBytes) B "
        + "(\(saved) B saved)")
  }
}

/// Counts the requests and the answer bytes that pass through `inner`.
final class CountingTransport: HTTPTransport {
  private let inner: LiveHTTPTransport
  private let counts = Mutex(DeltaBench.Cost())

  init(inner: LiveHTTPTransport) { self.inner = inner }

  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    let response = try await inner.send(request, progress: progress)
    counts.withLock { cost in
      cost.requests += 1
      cost.bodyBytes += response.body.count
      // `Name: value\r\n` per field, as they came on the wire (HTTP/1.1).
      cost.headerBytes += response.headers.reduce(0) {
        $0 + $1.name.utf8.count + $1.value.utf8.count + 4
      }
    }
    return response
  }

  /// What `work` cost; it returns how many items it got.
  func measure(_ work: () async throws -> Int) async throws -> DeltaBench.Cost {
    counts.withLock { $0 = DeltaBench.Cost() }
    let start = ContinuousClock.now
    let items = try await work()
    let elapsed = ContinuousClock.now - start
    var cost = counts.withLock { $0 }
    cost.items = items
    cost.milliseconds =
      Double(elapsed.components.seconds) * 1000
      + Double(elapsed.components.attoseconds) / 1e15
    return cost
  }

  func shutdown() async { await inner.shutdown() }
}
