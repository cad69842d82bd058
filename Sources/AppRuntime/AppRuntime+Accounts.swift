import AppCore
import Foundation

/// Which engine runs an effect, and switching the shown account.
///
/// Loads and writes go to the shown account's engine and answer through a bus that tags them
/// with the switch generation they were issued under, so the reducer drops them once another
/// account is shown. Uploads belong to the engine (coordinator) of the account that started
/// them: it keeps running when the view switches, and pause, resume, retry and cancel reach
/// every engine, each acting only on the uploads it owns. The bandwidth cap and the quit
/// apply to all engines (the quit's choice too: an in-process engine pauses when asked to keep
/// its uploads, since they cannot outlive the process).
extension AppRuntime {
  /// Every engine made so far.
  var allEngines: [any RuntimeEngine] { Array(engines.values) }

  func route(_ effect: Effect) {
    switch effect {
    case .switchAccount(let id, let generation):
      switchAccount(to: id, generation: generation)
    case .pauseUpload, .resumeUpload, .retryUpload, .cancelUpload:
      // Upload ids are unique across coordinators; the others ignore ids they do not own.
      for engine in allEngines { engine.perform(effect, reportingTo: bus) }
    case .resumeJournaled, .discardJournaled:
      // The offer may come from an account no longer shown: each engine takes its own entries.
      for engine in allEngines { engine.perform(effect, reportingTo: bus) }
    case .setBandwidthLimit(let rate):
      chosenBandwidthLimit = .some(rate)
      for engine in allEngines { engine.perform(effect, reportingTo: bus) }
    case .loadLists, .loadTasks, .loadAttachments, .deleteAttachment, .edit:
      onShownEngine(effect) { engine, bus, generation in
        engine.perform(effect, reportingTo: bus.answering(generation: generation))
      }
    default:
      // Local work (the picker's directory, a download's save) and new uploads: the shown
      // account's engine; the answers stand whichever account is shown by then.
      onShownEngine(effect) { engine, bus, _ in engine.perform(effect, reportingTo: bus) }
    }
  }

  /// Runs `body` on the shown account's engine, or keeps `effect` until the switch made it.
  private func onShownEngine(
    _ effect: Effect, _ body: (any RuntimeEngine, EventBus, Int) -> Void
  ) {
    guard let engine else {
      if accounts != nil { pendingEffects.append(effect) }
      return
    }
    body(engine, bus, state.accounts.generation)
  }

  /// Asks every engine to leave its uploads as `uploads` says; the loop ends when all of them
  /// said so.
  func quitAll(_ uploads: QuitUploads) {
    quitWaits = engines.count
    for engine in allEngines { engine.perform(.quit(uploads), reportingTo: bus) }
  }

  /// One engine paused its uploads for the quit.
  func quitReady() {
    quitWaits -= 1
    if quitWaits <= 0 { exit = .quit }
  }

  /// `action` as the read cache should see it: an answer for the shown account unwrapped, one
  /// for an account no longer shown nil.
  func currentAnswer(_ action: Action) -> Action? {
    guard case .fromAccount(let generation, let answer) = action else { return action }
    return generation == state.accounts.generation ? currentAnswer(answer) : nil
  }

  // MARK: Switching

  /// The reducer emptied the panes for account `id`: its cached panes show at once, and its
  /// lists load on its engine, made now if this is its first time.
  private func switchAccount(to id: String, generation: Int) {
    guard let accounts else { return }
    pendingEffects = []
    if readCaches[id] == nil, let cache = accounts.readCache(id) { readCaches[id] = cache }
    readCache = readCaches[id]
    for action in readCache?.startup() ?? [] { dispatch(action) }
    if let known = engines[id] {
      engine = known
      apply(.loadLists)
      return
    }
    engine = nil
    let (bus, make) = (bus, accounts.engine)
    Task.detached {
      do {
        let engine = try await make(id)
        bus.post(.accountReady(id: id, generation: generation, .success(engine)))
      } catch {
        let reason = AppError(AppRuntime.describe(error))
        bus.post(.accountReady(id: id, generation: generation, .failure(reason)))
      }
    }
  }

  /// Account `id`'s engine is made: it starts (its upload events flow from now on, its journal
  /// offers its own unfinished uploads), and if the account is still shown, its lists load and
  /// the effects that waited run.
  func accountReady(
    _ id: String, generation: Int, _ result: Result<any RuntimeEngine, AppError>
  ) {
    switch result {
    case .success(let made):
      if engines[id] == nil, !state.isQuitting {
        engines[id] = made
        made.start(reportingTo: bus)
        if let chosen = chosenBandwidthLimit {
          made.perform(.setBandwidthLimit(chosen), reportingTo: bus)
          // After the engine's own report of its configured cap.
          bus.post(.bandwidthLimit(chosen))
        }
      }
      guard generation == state.accounts.generation, let shown = engines[id] else { return }
      engine = shown
      let waiting = pendingEffects
      pendingEffects = []
      apply(.loadLists)
      for effect in waiting { apply(effect) }
    case .failure(let error):
      guard generation == state.accounts.generation else { return }
      pendingEffects = []
      dispatch(.fromAccount(generation: generation, .listsLoaded(.failure(error))))
    }
  }
}
