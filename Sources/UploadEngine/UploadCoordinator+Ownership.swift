import Foundation
import GraphClient
import GraphModels

/// One owner per upload: the journal entry's lock is taken before the first request and let go
/// when the upload settles, so two processes never drive the same session.
extension UploadCoordinator {
  /// Takes the lock of `id` (once per drive). False when the upload ended here: another process
  /// drives it, or finished it since it was queued.
  func claim(_ id: UploadID) -> Bool {
    guard let journal, let record = uploads[id], record.lock == nil else { return true }
    if case .skipped = record.earlyOutcome { uploads[id]?.earlyOutcome = nil }
    let claim: UploadJournal.Claim
    do {
      claim = try journal.claim(id)
    } catch {
      // Without a journal directory there is no journal to share either: go on unowned.
      logger.error(
        "cannot lock the upload journal entry", metadata: ["error": .string("\(error)")])
      return true
    }
    switch claim {
    case .heldBy(let pid):
      let who = pid > 0 ? "process \(pid)" : "another process"
      skip(id, "\(record.file.name) is being uploaded by \(who)")
      return false
    case .owned(let lock):
      uploads[id]?.lock = lock
    }
    guard record.machine == nil else { return true }
    // What the journal says now, not when the upload was queued: another process may have
    // advanced the session, or finished the upload and removed the entry.
    switch record.origin {
    case .journal:
      guard let current = journal.entry(id) else {
        disown(id)
        skip(id, "\(record.file.name) was finished by another process")
        return false
      }
      uploads[id]?.origin = .journal(current)
    case .fresh(.some):
      uploads[id]?.origin = .fresh(resuming: journal.entry(id))
    case .fresh(.none):
      break
    }
    return true
  }

  /// Lets go of the lock of `id` (removing the lock file while still holding it).
  func disown(_ id: UploadID) {
    uploads[id]?.lock?.release(removing: true)
    uploads[id]?.lock = nil
  }

  private func skip(_ id: UploadID, _ reason: String) {
    logger.notice("upload skipped", metadata: ["reason": .string(reason)])
    uploads[id]?.earlyOutcome = .skipped(reason: UploadStateMachine.sanitize(reason))
  }
}
