import AppCore
import Foundation
import GraphModels
import Synchronization
import TerminalCore
import TerminalTesting
import Testing

@testable import AppRuntime

/// A read cache that answers from memory and records what the loop hands it.
final class MemoryReadCache: RuntimeReadCache {
  private let recorded = Mutex<[Action]>([])
  let start: [Action]

  init(start: [Action]) { self.start = start }

  func startup() -> [Action] { start }
  func record(_ action: Action) { recorded.withLock { $0.append(action) } }
  var actions: [Action] { recorded.withLock { $0 } }
}

/// The loop starts from the read cache before Graph answers, and hands Graph's answers to it.
@MainActor
struct ReadCacheSeamTests {
  @Test func theFirstFrameShowsTheCacheAndGraphsAnswerReplacesIt() throws {
    let savedAt = ManualRuntimeClock.start.addingTimeInterval(-300)
    let cache = MemoryReadCache(start: [
      .cachedListsLoaded(
        [
          TodoTaskList(id: "L1", displayName: "Tasks"),
          TodoTaskList(id: "L2", displayName: "仕事 (Work)"),
        ], savedAt: savedAt),
      .cachedTasksLoaded(
        listID: "L2", [TodoTask(id: "T9", title: "Cached task")], savedAt: savedAt),
    ])
    let terminal = TestTerminal(size: Size(width: 100, height: 30))
    let engine = FakeEngine()
    let clock = ManualRuntimeClock()
    var configuration = RuntimeConfiguration(
      accountLabel: "test", workingDirectory: "/home/ann", homeDirectory: "/home/ann")
    configuration.readCache = cache
    let runtime = try AppRuntime(
      terminal: terminal, engine: .ready(engine), configuration: configuration,
      clock: clock.clock, wait: { _, _ in })
    func screen() -> String { terminal.lastFrame?.lines().joined(separator: "\n") ?? "" }

    runtime.start()
    // The first frame, before any answer: the cached panes, marked with their age.
    #expect(terminal.frames.count == 1)
    #expect(screen().contains("Lists · cached 5 min ago"), "\(screen())")
    #expect(screen().contains("Tasks · 仕事 (Work) · cached 5 min ago"))
    #expect(screen().contains("Cached task"))
    #expect(engine.performed == [.loadLists])

    // Graph's lists arrive; the open list's tasks are asked for again and replace the cache.
    for _ in 0..<3 { runtime.step() }
    clock.advance(by: .milliseconds(100))
    runtime.step()
    #expect(engine.performed.contains(.loadTasks(listID: "L2")))
    #expect(screen().contains("Quarterly report"), "\(screen())")
    #expect(!screen().contains("cached"))
    #expect(
      cache.actions.contains {
        if case .listsLoaded(.success) = $0 { return true }
        return false
      })
    #expect(
      cache.actions.contains {
        if case .tasksLoaded("L2", .success) = $0 { return true }
        return false
      })
  }
}
