import AppCore
import Foundation
import GraphModels
import Synchronization
import TerminalCore
import TerminalTesting

@testable import AppRuntime

/// Stands in for Graph and the upload engine: records every effect and answers at once, on the
/// caller's thread, so the loop sees the answer on its next step and no test waits.
final class FakeEngine: RuntimeEngine {
  private struct State {
    var bus: EventBus?
    var performed: [Effect] = []
    /// The bus each effect was to be answered on, by effect.
    var answerBuses: [Effect: EventBus] = [:]
    var stopped = false
  }

  private let state = Mutex(State())
  /// The actions that answer an effect (none for commands such as `pauseUpload`).
  private let answer: @Sendable (Effect) -> [Action]

  init(answer: @escaping @Sendable (Effect) -> [Action] = FakeEngine.todo) {
    self.answer = answer
  }

  func start(reportingTo bus: EventBus) {
    state.withLock { $0.bus = bus }
  }

  func perform(_ effect: Effect, reportingTo bus: EventBus) {
    state.withLock {
      $0.performed.append(effect)
      $0.answerBuses[effect] = bus
    }
    for action in answer(effect) { bus.post(action) }
    // The program's engine pauses every upload, waits for them to settle, then says so.
    if case .quit = effect { bus.post(.quitReady) }
  }

  func stop() {
    state.withLock { $0.stopped = true }
  }

  /// Every effect the loop handed over, oldest first.
  var performed: [Effect] { state.withLock { $0.performed } }
  var isStarted: Bool { state.withLock { $0.bus != nil } }
  var isStopped: Bool { state.withLock { $0.stopped } }

  /// Posts `action` on the bus it was started with, as the program's engine reports its cap.
  func report(_ action: Action) {
    state.withLock { $0.bus }?.post(action)
  }

  /// Answers `effect` now, on the bus it was handed with: an answer arriving late.
  func answerLate(_ effect: Effect, with action: Action) {
    state.withLock { $0.answerBuses[effect] }?.post(action)
  }

  /// Reports an upload event, as the coordinator's event stream does.
  func emit(_ event: UploadEvent, at date: Date) {
    state.withLock { $0.bus }?.post(.upload(event, at: date))
  }

  /// A small To Do account: two lists, two tasks in "仕事 (Work)", one attachment, two files.
  static let todo: @Sendable (Effect) -> [Action] = { effect in
    switch effect {
    case .loadLists:
      return [
        .listsLoaded(
          .success([
            TodoTaskList(id: "L1", displayName: "Tasks", wellknownListName: "defaultList"),
            TodoTaskList(id: "L2", displayName: "仕事 (Work)"),
          ]))
      ]
    case .loadTasks(let listID):
      return [
        .tasksLoaded(
          listID: listID,
          .success([
            TodoTask(id: "T1", title: "Quarterly report", hasAttachments: true),
            TodoTask(id: "T2", title: "Renew passport", hasAttachments: false),
          ]))
      ]
    case .loadAttachments(let listID, let taskID):
      let attachments =
        taskID == "T1"
        ? [TaskFileAttachment(id: "A1", name: "report-draft.docx", contentType: nil, size: 52_000)]
        : []
      return [.attachmentsLoaded(listID: listID, taskID: taskID, .success(attachments))]
    case .listDirectory(let path):
      return [
        .directoryListed(
          path: path,
          .success([
            DirectoryEntry(
              name: "notes.txt", path: path + "/notes.txt", kind: .regular, size: 2_048),
            DirectoryEntry(
              name: "slides.key", path: path + "/slides.key", kind: .regular, size: 9_437_184),
          ]))
      ]
    default:
      return []
    }
  }
}

/// A clock the test moves by hand: the frame clock only advances when the test says so.
final class ManualRuntimeClock: Sendable {
  private let offset = Mutex<Duration>(.zero)
  private let origin = ContinuousClock.now
  /// The wall-clock time at the start.
  static let start = Date(timeIntervalSince1970: 1_750_000_000)

  func advance(by duration: Duration) {
    offset.withLock { $0 += duration }
  }

  var clock: RuntimeClock {
    RuntimeClock(
      now: { self.origin + self.offset.withLock { $0 } },
      date: {
        let elapsed = self.offset.withLock { $0 }.components
        return Self.start.addingTimeInterval(
          Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
      })
  }
}

/// A runtime on a test terminal and a fake engine, stepped by hand: every `step` runs one turn
/// of the loop without waiting.
@MainActor
struct Harness {
  let terminal: TestTerminal
  let engine: FakeEngine
  let clock = ManualRuntimeClock()
  let runtime: AppRuntime

  init(
    size: Size = Size(width: 100, height: 30), engine: FakeEngine = FakeEngine(),
    wait: @escaping RuntimeWait = { _, _ in }
  ) throws {
    terminal = TestTerminal(size: size)
    self.engine = engine
    runtime = try AppRuntime(
      terminal: terminal, engine: .ready(engine),
      configuration: RuntimeConfiguration(
        accountLabel: "test", workingDirectory: "/home/ann", homeDirectory: "/home/ann"),
      clock: clock.clock, wait: wait)
  }

  /// The text of the last frame presented.
  var screen: String { terminal.lastFrame?.lines().joined(separator: "\n") ?? "" }

  /// Starts the runtime and lets the lists arrive (and the tasks of the list opened with them)
  /// and be drawn.
  func startWithLists() {
    runtime.start()
    // Each turn takes in the answers to the effects of the turn before.
    for _ in 0..<3 { runtime.step() }
    nextFrame()
  }

  /// One turn after the frame interval has passed, so anything that changed is drawn.
  func nextFrame() {
    clock.advance(by: .milliseconds(100))
    runtime.step()
  }

  /// Opens "仕事 (Work)" on its first task, "Quarterly report".
  func openWorkList() {
    terminal.send(.down, .enter)
    runtime.step()
    runtime.step()
    nextFrame()
  }
}
