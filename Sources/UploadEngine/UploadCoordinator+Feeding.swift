import Foundation
import GraphModels

extension UploadCoordinator {
  /// What an upload's machine asked for after one input, performed once its state is stored.
  struct Reaction: Sendable {
    /// Cancel the operation in flight now (its result still comes back).
    var abort = false
    var transition: UploadStateMachine.Transition = []
  }

  /// Feeds `input` to the machine and performs what it asks, in order; returns the operation
  /// to start, if any.
  func feed(_ id: UploadID, _ input: UploadInput) -> UploadOperation? {
    guard var record = uploads[id], var machine = record.machine else { return nil }
    let reaction = Self.react(&machine, to: input, now: clock.now())
    record.machine = machine
    uploads[id] = record
    if reaction.abort { uploads[id]?.operation?.cancel() }
    for step in reaction.transition.steps {
      switch step {
      case .saveJournal(let progress): saveJournal(id, progress)
      case .removeJournal: removeJournal(id)
      case .emit(let event): publish(event)
      }
    }
    let operation = reaction.transition.perform
    if machine.isSettled, operation == nil, uploads[id]?.driving == false {
      release(id)
    }
    return operation
  }

  /// Hands `input` to the machine's event of that name; each event's own action type says
  /// what it can lead to, and this is where each outcome is given its meaning.
  static func react(_ machine: inout UploadStateMachine, to input: UploadInput, now: Date)
    -> Reaction
  {
    switch input {
    case .start:
      switch machine.start(now: now) {
      case .none: return Reaction()
      case .perform(let operation): return Reaction(transition: .init(perform: operation))
      }
    case .pause:
      switch machine.pause() {
      case .none: return Reaction()
      case .abortInFlight: return Reaction(abort: true)
      case .paused(let event): return Reaction(transition: [.emit(event)])
      }
    case .resume:
      switch machine.resume(now: now) {
      case .none: return Reaction()
      case .proceed(let transition): return Reaction(transition: transition)
      }
    case .cancel:
      switch machine.cancel() {
      case .none: return Reaction()
      case .abortInFlight: return Reaction(abort: true)
      case .abandon(let transition): return Reaction(transition: transition)
      }
    case .tick(let sent):
      switch machine.tick(sentBytes: sent, now: now) {
      case .none: return Reaction()
      case .abortInFlight: return Reaction(abort: true)
      }
    case .fileChanged(let reason):
      switch machine.fileChanged(reason) {
      case .none: return Reaction()
      case .abandon(let transition): return Reaction(transition: transition)
      }
    case .answered, .transportFailed, .attachmentsListed, .tokenRefreshed, .tokenRefreshFailed,
      .timerFired:
      switch machine.operationFinished(input, now: now) {
      case .none: return Reaction()
      case .proceed(let transition): return Reaction(transition: transition)
      }
    }
  }

  private func saveJournal(_ id: UploadID, _ progress: SessionProgress) {
    guard let journal, var entry = uploads[id]?.entry else { return }
    entry.sessionProgress = progress
    entry.updatedAt = clock.now()
    uploads[id]?.entry = entry
    guard entry.uploadUrl != nil else { return }
    do {
      try journal.save(entry)
    } catch {
      // The upload can go on; only crash recovery is weaker. Say so once per failure.
      logger.error(
        "cannot write the upload journal", metadata: ["error": .string(error.description)])
    }
  }

  private func removeJournal(_ id: UploadID) {
    do {
      try journal?.remove(id)
    } catch {
      logger.error(
        "cannot delete the upload journal entry", metadata: ["error": .string(error.description)])
    }
  }
}
