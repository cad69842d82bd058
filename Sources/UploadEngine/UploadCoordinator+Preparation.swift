import Foundation
import GraphClient
import GraphModels
import Logging

extension UploadCoordinator {
  /// Hashes a new file, or proves a journaled one unchanged. False when the upload ended here.
  func prepare(_ id: UploadID) async -> Bool {
    guard let record = uploads[id] else { return false }
    let (path, size, chunkSize) = (record.file.path, record.file.size, record.chunkSize)
    let hashing = Task.detached(priority: .userInitiated) {
      try RegularFile.digests(of: path, expectedSize: size, chunkSize: chunkSize)
    }
    uploads[id]?.hashing = hashing
    let digests: FileDigests
    do {
      digests = try await hashing.value
      uploads[id]?.hashing = nil
    } catch {
      uploads[id]?.hashing = nil
      if error is CancellationError { return stoppedWhileHashing(id) }
      let detail = (error as? UploadInputError)?.detail ?? "it can no longer be read (\(error))"
      if case .journal(let entry) = record.origin {
        await refuseChanged(id, entry: entry, reason: detail)
        return false
      }
      endEarly(id, reason: "\(record.file.path): \(detail)")
      return false
    }
    uploads[id]?.digests = digests
    let digest = digests.sha256
    switch record.origin {
    case .fresh(let previous):
      var file = record.file
      if let change = FileInspector.quickChange(of: file) {
        endEarly(id, reason: "\(file.path): changed while it was being read (\(change)); try again")
        return false
      }
      file.sha256 = digest
      if let previous {
        if let change = Self.difference(previous, file) {
          // The journaled session holds old bytes: never mix them with new ones.
          logger.notice(
            "journaled file changed; starting afresh", metadata: ["reason": .string(change)])
          await discardSession(previous)
          return makeMachine(id, file: file, resuming: nil, notice: Self.changedNotice(change))
        }
        return makeMachine(id, file: file, resuming: previous, notice: nil)
      }
      return makeMachine(id, file: file, resuming: nil, notice: nil)
    case .journal(let entry):
      var file = record.file
      file.sha256 = digest
      if let current = FileInspector.currentIdentity(file.path) {
        file.size = current.size
        file.modificationTimeNanoseconds = current.mtime
      } else {
        await refuseChanged(id, entry: entry, reason: "the file is gone")
        return false
      }
      if let change = Self.difference(entry, file) ?? Self.difference(entry, digests) {
        await refuseChanged(id, entry: entry, reason: change)
        return false
      }
      return makeMachine(id, file: file, resuming: entry, notice: nil)
    }
  }

  /// Journaled chunk hashes (when the entry has them, on the same grid) that disagree with the
  /// file now; nil when they agree or the entry predates them.
  static func difference(_ entry: UploadJournalEntry, _ digests: FileDigests) -> String? {
    guard let recorded = entry.chunkHashes, entry.chunkSize == digests.chunkSize,
      recorded != digests.chunkHashes
    else { return nil }
    return "its contents changed (a chunk's SHA-256 differs)"
  }

  /// A pause or cancel stopped the hashing: the upload settles without a machine.
  private func stoppedWhileHashing(_ id: UploadID) -> Bool {
    if case .cancel = uploads[id]?.pendingControl {
      uploads[id]?.earlyOutcome = .cancelled
      publish(.cancelled(id: id))
    } else {
      uploads[id]?.earlyOutcome = .paused
      publish(.paused(id: id, acknowledged: 0))
    }
    uploads[id]?.pendingControl = nil
    return false
  }

  private static func changedNotice(_ change: String) -> String {
    "the file changed since the interrupted upload (\(change)); its old session was deleted and the upload starts afresh"
  }

  /// How `file` differs from the journaled one, or nil when size, mtime and SHA-256 agree.
  static func difference(_ entry: UploadJournalEntry, _ file: LocalFile) -> String? {
    if entry.fileSize != file.size {
      return "its size changed from \(entry.fileSize) to \(file.size) bytes"
    }
    if entry.modificationTimeNanoseconds != file.modificationTimeNanoseconds {
      return "its modification time changed"
    }
    if entry.sha256 != file.sha256 { return "its contents changed (SHA-256 differs)" }
    return nil
  }

  private func makeMachine(
    _ id: UploadID, file: LocalFile, resuming entry: UploadJournalEntry?, notice: String?
  ) -> Bool {
    guard var record = uploads[id] else { return false }
    do {
      let machine = try UploadStateMachine(
        id: id, name: file.name, size: file.size, chunkSize: record.chunkSize,
        configuration: configuration.machine, resumingFrom: entry?.sessionProgress)
      record.machine = machine
    } catch {
      record.file = file
      uploads[id] = record
      endEarly(id, reason: "\(file.path): \(error)")
      return false
    }
    record.file = file
    var journalEntry =
      entry
      ?? UploadJournalEntry(
        id: id, file: file, listID: record.target.listID, taskID: record.target.taskID,
        listName: record.target.listName, taskTitle: record.target.taskTitle,
        graphBaseURL: graph.baseURL, chunkSize: record.chunkSize, now: clock.now())
    if entry == nil {
      journalEntry.sha256 = file.sha256 ?? ""
      journalEntry.account = configuration.account
    }
    if let digests = record.digests, digests.chunkSize == journalEntry.chunkSize {
      journalEntry.chunkHashes = digests.chunkHashes
    }
    record.entry = journalEntry
    uploads[id] = record
    if let notice { publish(.sessionRecreated(id: id, reason: notice)) }
    return true
  }

  private func endEarly(_ id: UploadID, reason: String) {
    let clean = UploadStateMachine.sanitize(reason)
    uploads[id]?.earlyOutcome = .failed(reason: clean, authentication: false)
    publish(.failed(id: id, reason: clean))
  }

  /// `tack resume` of a changed file: say so, delete the old session and the journal entry.
  private func refuseChanged(_ id: UploadID, entry: UploadJournalEntry, reason: String) async {
    await discardSession(entry)
    endEarly(
      id,
      reason:
        "\(entry.filePath): not resumed because \(reason) since the upload started; its old"
        + " session was deleted — upload the file again to attach the current version")
  }

  private func discardSession(_ entry: UploadJournalEntry) async {
    await entry.discard(
      graph: graph, journal: journal, timeout: configuration.deleteTimeout, gate: limiter)
  }
}
