import AppCore
import Foundation
import GraphModels
import Synchronization
import TerminalCore
import TerminalTesting
import Testing

@testable import AppRuntime

/// Two accounts, each behind its own fake engine: `A` switches the panes to the other account's
/// lists (its engine made on the first switch), late answers for the old one are dropped, and
/// uploads stay with the engine of the account that started them.
@MainActor
struct AccountSwitchRuntimeTests {
  static let one = AccountEntry(id: "one", label: "demo@tack.invalid", isDefault: true)
  static let two = AccountEntry(id: "two", label: "second@tack.invalid")

  /// Account two's To Do: one list with one task.
  static let secondTodo: @Sendable (Effect) -> [Action] = { effect in
    switch effect {
    case .loadLists:
      return [.listsLoaded(.success([TodoTaskList(id: "S1", displayName: "Side project")]))]
    case .loadTasks(let listID):
      return [.tasksLoaded(listID: listID, .success([TodoTask(id: "S1T1", title: "Fix bike")]))]
    default:
      return []
    }
  }

  /// The accounts whose engine the factory was asked for, in order.
  final class Made: Sendable {
    private let ids = Mutex<[String]>([])
    func append(_ id: String) { ids.withLock { $0.append(id) } }
    var all: [String] { ids.withLock { $0 } }
  }

  /// A runtime showing account one whose engine for account two is made when first asked for.
  @MainActor
  struct Rig {
    let terminal = TestTerminal(size: Size(width: 100, height: 30))
    let clock = ManualRuntimeClock()
    let first: FakeEngine
    let second = FakeEngine(answer: AccountSwitchRuntimeTests.secondTodo)
    let made = Made()
    let runtime: AppRuntime

    init() throws {
      // Account one's answers to the Work list's tasks are held back: they arrive "late".
      first = FakeEngine { effect in
        effect == .loadTasks(listID: "L2") ? [] : FakeEngine.todo(effect)
      }
      let (second, made) = (second, made)
      let accounts = EngineAccounts(
        all: [AccountSwitchRuntimeTests.one, AccountSwitchRuntimeTests.two], current: "one",
        engine: { id in
          made.append(id)
          guard id == "two" else { throw AppError("unknown account \(id)") }
          return second
        }, readCache: { _ in nil })
      runtime = try AppRuntime(
        terminal: terminal, engine: .ready(first),
        configuration: RuntimeConfiguration(accountLabel: "demo@tack.invalid"),
        clock: clock.clock, wait: pollDescriptors, accounts: accounts)
    }

    var screen: String { terminal.lastFrame?.lines().joined(separator: "\n") ?? "" }

    /// Steps (each waits in poll for the bus) until `condition` holds, or 25 s passed;
    /// between steps the test gives its thread back, so the runtime's own tasks (an account's
    /// engine being made) run even when every cooperative thread is in such a loop.
    func step(until condition: () -> Bool) async {
      let deadline = ContinuousClock.now + .seconds(25)
      while !condition() && ContinuousClock.now < deadline {
        clock.advance(by: .milliseconds(100))
        runtime.step()
        await Task.yield()
      }
    }
  }

  @Test func switchingShowsTheOtherAccountDropsLateAnswersAndKeepsUploadsRunning() async throws {
    let rig = try Rig()
    rig.runtime.start()
    rig.first.report(.bandwidthLimit(nil))
    await rig.step { rig.screen.contains("仕事 (Work)") }
    #expect(rig.screen.contains("demo@tack.invalid"))
    // Account one starts an upload, and opens the Work list (its tasks are still on their way).
    rig.first.emit(
      .sessionCreated(
        id: "U1", name: "big.bin", size: 10_000_000, chunkSize: 3_932_160, expiration: nil),
      at: ManualRuntimeClock.start)
    rig.terminal.send(.down, .enter)
    await rig.step {
      rig.screen.contains("big.bin") && rig.first.performed.contains(.loadTasks(listID: "L2"))
    }

    // A, down, Enter: account two is made, started and asked for its lists.
    rig.terminal.send(.char("A"))
    rig.runtime.step()
    #expect(rig.screen.contains("Accounts") && rig.screen.contains("second@tack.invalid"))
    rig.terminal.send(.down, .enter)
    await rig.step { rig.screen.contains("Fix bike") }
    #expect(rig.made.all == ["two"])
    #expect(rig.second.isStarted)
    #expect(rig.second.performed.prefix(2) == [.loadLists, .loadTasks(listID: "S1")])
    #expect(rig.screen.contains("Side project"))
    #expect(!rig.screen.contains("仕事 (Work)"))
    #expect(rig.screen.split(separator: "\n").first?.contains("second@tack.invalid") == true)

    // Account one's tasks arrive after the switch: dropped, not shown under account two.
    rig.first.answerLate(
      .loadTasks(listID: "L2"),
      with: .tasksLoaded(listID: "L2", .success([TodoTask(id: "T9", title: "Stale task")])))
    rig.runtime.step()
    rig.clock.advance(by: .milliseconds(100))
    rig.runtime.step()
    #expect(!rig.screen.contains("Stale task"))

    // The upload of account one still reports, and its commands reach account one's engine.
    rig.first.emit(
      .progress(id: "U1", sent: 3_932_160, acknowledged: 3_932_160, size: 10_000_000),
      at: ManualRuntimeClock.start)
    await rig.step { rig.screen.contains("3.9/10.0 MB") }
    rig.terminal.send(.char("p"))
    rig.runtime.step()
    #expect(rig.first.performed.contains(.pauseUpload("U1")))
    // The cap goes to every engine.
    rig.terminal.send(.char("b"))
    rig.runtime.step()
    #expect(
      rig.first.performed.contains { if case .setBandwidthLimit = $0 { true } else { false } })
    #expect(
      rig.second.performed.contains { if case .setBandwidthLimit = $0 { true } else { false } })

    // Switching back reuses account one's engine; quitting pauses both and then ends.
    rig.terminal.send(.char("A"), .up, .enter)
    await rig.step { rig.screen.contains("仕事 (Work)") }
    #expect(rig.made.all == ["two"])
    #expect(rig.first.performed.filter { $0 == .loadLists }.count == 2)
    rig.runtime.step()
    // Account two's journal offer, answered while account one is shown, reaches both engines
    // (each resumes only the entries of its own account).
    rig.second.report(
      .journalFound([JournaledUpload(id: "J2", name: "left.bin", size: 10, acknowledged: 5)]))
    await rig.step { rig.screen.contains("Resume uploads?") }
    rig.terminal.send(.enter)
    rig.runtime.step()
    #expect(rig.first.performed.contains(.resumeJournaled(["J2"])))
    #expect(rig.second.performed.contains(.resumeJournaled(["J2"])))
    rig.terminal.send(.char("q"), .char("y"))
    await rig.step { rig.runtime.outcome != nil }
    #expect(rig.runtime.outcome == .quit)
    #expect(rig.first.performed.filter { $0 == .quit(.keep) }.count == 1)
    #expect(rig.second.performed.filter { $0 == .quit(.keep) }.count == 1)
  }

  @Test func anAccountThatCannotSignInSaysSoAndOthersStayReachable() async throws {
    let terminal = TestTerminal(size: Size(width: 100, height: 30))
    let clock = ManualRuntimeClock()
    let first = FakeEngine()
    let accounts = EngineAccounts(
      all: [Self.one, Self.two], current: "one",
      engine: { _ in throw AppError("not signed in: run `tack login` first") },
      readCache: { _ in nil })
    let runtime = try AppRuntime(
      terminal: terminal, engine: .ready(first), configuration: RuntimeConfiguration(),
      clock: clock.clock, wait: pollDescriptors, accounts: accounts)
    runtime.start()
    terminal.send(.char("A"), .down, .enter)
    var screen = ""
    let deadline = ContinuousClock.now + .seconds(25)
    while !screen.contains("not signed in") && ContinuousClock.now < deadline {
      clock.advance(by: .milliseconds(100))
      runtime.step()
      screen = terminal.lastFrame?.lines().joined(separator: "\n") ?? ""
    }
    #expect(screen.contains("Could not load lists: not signed in"))
    // Back to account one: its engine answers again.
    terminal.send(.char("A"), .up, .enter)
    while !screen.contains("仕事 (Work)") && ContinuousClock.now < deadline {
      clock.advance(by: .milliseconds(100))
      runtime.step()
      screen = terminal.lastFrame?.lines().joined(separator: "\n") ?? ""
    }
    #expect(screen.contains("仕事 (Work)"))
  }

  @Test func theSwitchStartsFromTheOtherAccountsCacheAndStoresIntoItsOwn() async throws {
    let savedAt = ManualRuntimeClock.start.addingTimeInterval(-180)
    let cacheOne = MemoryReadCache(start: [])
    let cacheTwo = MemoryReadCache(start: [
      .cachedListsLoaded([TodoTaskList(id: "S1", displayName: "Side project")], savedAt: savedAt)
    ])
    let first = FakeEngine { effect in
      effect == .loadTasks(listID: "L1") ? [] : FakeEngine.todo(effect)
    }
    let second = FakeEngine(answer: Self.secondTodo)
    // Account two's sign-in waits until the test lets it finish.
    let gate = AsyncStream<Void>.makeStream()
    let accounts = EngineAccounts(
      all: [Self.one, Self.two], current: "one",
      engine: { _ in
        for await _ in gate.stream {}
        return second
      }, readCache: { $0 == "two" ? cacheTwo : nil })
    var configuration = RuntimeConfiguration()
    configuration.readCache = cacheOne
    let terminal = TestTerminal(size: Size(width: 100, height: 30))
    let clock = ManualRuntimeClock()
    let runtime = try AppRuntime(
      terminal: terminal, engine: .ready(first), configuration: configuration,
      clock: clock.clock, wait: pollDescriptors, accounts: accounts)
    func screen() -> String { terminal.lastFrame?.lines().joined(separator: "\n") ?? "" }
    func step(until condition: () -> Bool) async {
      let deadline = ContinuousClock.now + .seconds(25)
      while !condition() && ContinuousClock.now < deadline {
        clock.advance(by: .milliseconds(100))
        runtime.step()
        await Task.yield()
      }
    }
    runtime.start()
    await step {
      screen().contains("仕事 (Work)") && first.performed.contains(.loadTasks(listID: "L1"))
    }

    // Before account two's engine exists, its cached lists show, marked.
    terminal.send(.char("A"), .down, .enter)
    runtime.step()
    #expect(screen().contains("Side project") && screen().contains("cached 3 min ago"))
    #expect(!second.isStarted)
    // A reload asked for meanwhile waits for the engine; a late answer of account one is
    // neither shown nor stored in either cache.
    terminal.send(.ctrl("r"))
    first.answerLate(
      .loadTasks(listID: "L1"),
      with: .tasksLoaded(listID: "L1", .success([TodoTask(id: "T9", title: "Stale task")])))
    runtime.step()
    gate.continuation.finish()
    await step { screen().contains("Fix bike") }
    #expect(second.performed.filter { $0 == .loadLists }.count == 2)
    #expect(!screen().contains("Stale task") && !screen().contains("cached"))
    func stored(_ cache: MemoryReadCache) -> [String] {
      cache.actions.compactMap { action in
        switch action {
        case .listsLoaded(.success(let lists)): return "lists:" + lists.map(\.id).joined()
        case .tasksLoaded(let listID, _): return "tasks:" + listID
        default: return nil
        }
      }
    }
    #expect(stored(cacheOne) == ["lists:L1L2"])
    #expect(stored(cacheTwo).contains("lists:S1") && stored(cacheTwo).contains("tasks:S1"))
    #expect(!stored(cacheTwo).contains("tasks:L1"))
  }
}
