import AppCore
import Foundation
import GraphModels
import TerminalCore
import TerminalTesting
import Testing

@testable import AppRuntime

/// The program loop driven by hand: keys go into a test terminal, effects come out to a fake
/// engine, its answers come back as actions, and frames are read off the terminal.
@MainActor
struct AppRuntimeTests {
  @Test func startingLoadsTheListsAndTheirAnswerIsDrawn() throws {
    let harness = try Harness()
    harness.runtime.start()
    #expect(harness.engine.isStarted)
    #expect(harness.engine.performed == [.loadLists])
    #expect(harness.terminal.frames.count == 1)
    #expect(!harness.screen.contains("仕事 (Work)"))

    harness.nextFrame()
    #expect(harness.terminal.frames.count == 2)
    #expect(harness.screen.contains("仕事 (Work)"))
  }

  @Test func aKeyIsReducedAndItsFrameIsPresentedAtOnce() throws {
    let harness = try Harness()
    harness.startWithLists()
    let before = harness.terminal.frames.count
    // No time passes: a key is drawn without waiting for the frame clock.
    harness.terminal.send(.down, .enter)
    harness.runtime.step()
    #expect(harness.terminal.frames.count == before + 1)
    #expect(harness.engine.performed.last == .loadTasks(listID: "L2"))
    #expect(harness.screen.contains("Tasks · 仕事 (Work)"))

    // The tasks arrive without a key and without time passing: a load result is drawn at once
    // (only upload progress and ticks wait for the frame clock).
    harness.runtime.step()
    #expect(harness.terminal.frames.count == before + 2)
    #expect(harness.screen.contains("Quarterly report"))
  }

  @Test func onlyProgressAndTicksWaitForTheFrameClock() {
    let now = ManualRuntimeClock.start
    #expect(AppRuntime.waitsForTheFrameClock(.tick(now)))
    #expect(
      AppRuntime.waitsForTheFrameClock(
        .upload(.progress(id: "U1", sent: 1, acknowledged: 0, size: 2), at: now)))
    #expect(!AppRuntime.waitsForTheFrameClock(.listsLoaded(.success([]))))
    #expect(!AppRuntime.waitsForTheFrameClock(.tasksLoaded(listID: "L1", .success([]))))
    #expect(!AppRuntime.waitsForTheFrameClock(.notice("waiting", until: nil)))
  }

  @Test func attachOnATaskOpensThePickerOnTheWorkingDirectory() throws {
    let harness = try Harness()
    harness.startWithLists()
    harness.openWorkList()
    harness.terminal.type("a")
    harness.runtime.step()
    #expect(harness.engine.performed.last == .listDirectory(path: "/home/ann"))
    #expect(harness.screen.contains("Attach to Quarterly report"))

    harness.nextFrame()
    #expect(harness.screen.contains("notes.txt"))
    #expect(harness.screen.contains("slides.key"))

    // Below "..": marking a file and pressing Enter hands the upload to the engine.
    harness.terminal.send(.down, .char(" "), .enter)
    harness.runtime.step()
    #expect(
      harness.engine.performed.last
        == .startUploads(
          paths: ["/home/ann/notes.txt"],
          target: AttachTarget(
            listID: "L2", taskID: "T1", listName: "仕事 (Work)", taskTitle: "Quarterly report")))
    #expect(!harness.screen.contains("Attach to"))
  }

  @Test func uploadEventsFromTheEngineAppearOnTheFrameClock() throws {
    let harness = try Harness()
    harness.startWithLists()
    // A key draws a frame now; upload events in the same instant wait for the frame clock.
    harness.terminal.send(.down)
    harness.runtime.step()
    let now = ManualRuntimeClock.start
    harness.engine.emit(
      .sessionCreated(
        id: "U1", name: "slides.key", size: 9_437_184, chunkSize: 3_932_160, expiration: nil),
      at: now)
    harness.engine.emit(
      .progress(id: "U1", sent: 3_932_160, acknowledged: 3_932_160, size: 9_437_184), at: now)
    let before = harness.terminal.frames.count
    harness.runtime.step()
    // Within the refresh interval of the last frame nothing is drawn.
    #expect(harness.terminal.frames.count == before)

    harness.nextFrame()
    #expect(harness.terminal.frames.count == before + 1)
    let row = harness.screen.split(separator: "\n").first { $0.contains("slides.key") }
    #expect(row?.contains("3.9/9.4 MB") == true)
    #expect(row?.contains("sending") == true)
  }

  @Test func quitAsksWhileUploadsRunThenPausesThemOnceAndEndsTheLoop() throws {
    let harness = try Harness()
    harness.startWithLists()
    harness.engine.emit(
      .sessionCreated(
        id: "U1", name: "a.bin", size: 10_000_000, chunkSize: 3_932_160, expiration: nil),
      at: ManualRuntimeClock.start)
    harness.nextFrame()

    harness.terminal.type("q")
    harness.runtime.step()
    #expect(harness.screen.contains("Quit?"))
    #expect(!harness.engine.performed.contains(.quit(.keep)))

    harness.terminal.type("y")
    // A terminate signal in the same turn must not pause the uploads a second time.
    harness.terminal.raise(.terminate)
    harness.runtime.step()
    #expect(harness.engine.performed.filter { $0 == .quit(.keep) }.count == 1)
    #expect(harness.runtime.outcome == nil)

    // The engine reported that the uploads are paused: the loop ends.
    harness.runtime.step()
    #expect(harness.runtime.outcome == .quit)
  }

  @Test func runReturnsOnceTheEngineIsPausedAndRestoresTheTerminal() throws {
    let terminal = TestTerminal()
    let engine = FakeEngine()
    var waits = 0
    let runtime = try AppRuntime(
      terminal: terminal, engine: .ready(engine), configuration: RuntimeConfiguration(),
      clock: ManualRuntimeClock().clock,
      wait: { _, _ in
        waits += 1
        // A loop that never ends fails the test instead of hanging it.
        if waits > 50 { terminal.send(.ctrl("c"), .ctrl("c")) }
      })
    terminal.type("q")
    #expect(runtime.run() == .quit)
    #expect(waits == 2)
    #expect(engine.performed.first == .loadLists)
    #expect(engine.performed.filter { $0 == .quit(.keep) }.count == 1)
    #expect(engine.isStopped)
    #expect(terminal.shutdowns == 1)
  }

  @Test func resizeLaysTheScreenOutAgainAtTheNewSize() throws {
    let harness = try Harness(size: Size(width: 80, height: 24))
    harness.startWithLists()
    #expect(harness.terminal.lastFrame?.width == 80)

    harness.terminal.resize(to: Size(width: 120, height: 30))
    harness.runtime.step()
    #expect(harness.terminal.lastFrame?.width == 120)
    #expect(harness.terminal.lastFrame?.height == 30)
    #expect(harness.screen.split(separator: "\n").first?.hasSuffix("test") == true)

    harness.terminal.resize(to: Size(width: 60, height: 20))
    harness.runtime.step()
    #expect(harness.screen.contains("Terminal too small: 60×20"))
  }

  @Test func repaintAndSuspendReachTheTerminal() throws {
    let harness = try Harness()
    harness.startWithLists()
    let performed = harness.engine.performed
    harness.terminal.send(.ctrl("l"))
    harness.runtime.step()
    #expect(harness.terminal.invalidations == 1)
    harness.terminal.send(.ctrl("z"))
    harness.runtime.step()
    #expect(harness.terminal.suspensions == 1)
    // Neither is work for the engine.
    #expect(harness.engine.performed == performed)
  }

  @Test func signInShowsTheCodeThenConnectsTheEngine() async throws {
    let engine = FakeEngine()
    let gate = AsyncStream<Void>.makeStream()
    let code = DeviceCodeResponse(
      userCode: "FRWQDE7YL", deviceCode: "device", verificationURI: "https://example.com/device",
      expiresIn: 900, interval: 5, message: nil)
    let terminal = TestTerminal(size: Size(width: 100, height: 30))
    let clock = ManualRuntimeClock()
    // The real wait: each step sleeps in poll until the sign-in task posts to the bus.
    let runtime = try AppRuntime(
      terminal: terminal,
      engine: .signIn { show in
        show(code)
        for await _ in gate.stream {}
        return engine
      }, configuration: RuntimeConfiguration(), clock: clock.clock, wait: pollDescriptors)
    runtime.start()
    var screen = ""
    // Bounded by wall time, not by a step count: on a loaded machine the sign-in task may need
    // more than a few poll turns to post to the bus.
    let deadline = ContinuousClock.now + .seconds(20)
    while !screen.contains("FRWQDE7YL") && ContinuousClock.now < deadline {
      clock.advance(by: .milliseconds(100))
      runtime.step()
      screen = terminal.lastFrame?.lines().joined(separator: "\n") ?? ""
      // The sign-in task needs a cooperative thread; this loop gives its own back.
      await Task.yield()
    }
    #expect(screen.contains("Sign in"))
    #expect(screen.contains("FRWQDE7YL"))
    #expect(!engine.isStarted)

    gate.continuation.finish()
    while !engine.isStarted && ContinuousClock.now < deadline + .seconds(20) {
      runtime.step()
      await Task.yield()
    }
    #expect(engine.isStarted)
    #expect(engine.performed == [.loadLists])
    clock.advance(by: .milliseconds(100))
    runtime.step()
    #expect(terminal.lastFrame.map { $0.lines().joined().contains("FRWQDE7YL") } == false)
  }
}
