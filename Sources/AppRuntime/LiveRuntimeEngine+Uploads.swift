import AppCore
import Foundation
import GraphClient
import GraphModels
import UploadEngine

/// Upload effects, run on the services' `UploadBackend` (in this process or in the agent).
extension LiveRuntimeEngine {
  func commandUploads(_ effect: Effect, _ bus: EventBus) {
    let uploads = services.uploads
    switch effect {
    case .startUploads(let paths, let target):
      Task.detached { await Self.startUploads(paths, target, uploads, bus) }
    case .pauseUpload(let id):
      Task.detached { await uploads.pause(id) }
    case .resumeUpload(let id), .retryUpload(let id):
      Task.detached { await uploads.resume(id) }
    case .cancelUpload(let id):
      Task.detached { await uploads.cancel(id) }
    case .resumeJournaled(let ids):
      guard let journal = services.journal else { return }
      let ids = owned(ids, journal)
      Task.detached { await Self.resumeJournaled(ids, journal, uploads, bus) }
    case .discardJournaled(let ids):
      guard let journal = services.journal else { return }
      let (ids, session) = (owned(ids, journal), services.session)
      Task.detached { await Self.discardJournaled(ids, journal, session) }
    case .quit(let choice):
      leaving.withLock { $0 = true }
      Task.detached {
        await Self.leave(uploads, choice)
        bus.post(.quitReady)
      }
    default:
      break
    }
  }

  /// Does what the quit asked with the uploads, then lets go of them. Uploads that cannot
  /// outlive this process are paused when asked to keep them (the journal keeps them).
  private static func leave(_ uploads: any UploadBackend, _ choice: QuitUploads) async {
    switch choice {
    case .keep where uploads.outlivesProcess: break
    case .keep, .pause: await uploads.pauseAll()
    case .cancel: await uploads.cancelAll()
    }
    // Pausing cancels requests in flight at once; the journal already holds the offsets.
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await uploads.waitUntilSettled() }
      group.addTask { try? await Task.sleep(for: .seconds(3)) }
      await group.next()
      group.cancelAll()
    }
    await uploads.detach()
  }

  /// What the journal offers to resume at start: this account's unfinished uploads, but none
  /// the backend already holds, and (with the agent) none another process drives or whose
  /// owner died: the agent resumes those by itself.
  var journalOffer: @Sendable (UploadJournal, Set<UploadID>) -> [JournaledUpload] {
    let baseURL = services.session.baseURL
    let owns = services.ownsJournaled ?? { _ in true }
    let agent = services.uploads.outlivesProcess
    return { journal, held in
      journal.load().entries.filter { entry in
        guard entry.isJournaled(forGraphBase: baseURL), owns(entry), !held.contains(entry.id)
        else { return false }
        return !agent || (journal.driver(of: entry.id) == nil && !journal.wasAbandoned(entry.id))
      }.map { entry in
        JournaledUpload(
          id: entry.id, name: entry.name, size: entry.fileSize,
          acknowledged: entry.acknowledgedOffset, taskTitle: entry.taskTitle,
          expiration: entry.expirationDateTime)
      }
    }
  }

  /// The journaled uploads of `ids` this account owns: with several accounts every engine is
  /// asked, and each resumes (or discards) only its own, with its own token.
  private func owned(_ ids: [UploadID], _ journal: UploadJournal) -> [UploadID] {
    guard let owns = services.ownsJournaled else { return ids }
    return ids.filter { id in journal.entry(id).map(owns) ?? false }
  }

  /// `rows` marked with where they run: in the agent (they outlive the interface) or here.
  private static func marked(_ rows: [QueuedUpload], _ uploads: any UploadBackend)
    -> [QueuedUpload]
  {
    rows.map { row in
      var row = row
      row.inBackground = uploads.outlivesProcess
      return row
    }
  }

  private static func startUploads(
    _ paths: [String], _ target: AttachTarget, _ uploads: any UploadBackend, _ bus: EventBus
  ) async {
    var queued: [QueuedUpload] = []
    var rejected: [AppError] = []
    let uploadTarget = UploadTarget(
      listID: target.listID, taskID: target.taskID, listName: target.listName,
      taskTitle: target.taskTitle)
    for path in paths {
      do {
        let id = try await uploads.upload(path: path, to: uploadTarget, chunkSize: nil)
        if let summary = await uploads.summaries().first(where: { $0.id == id }) {
          var row = QueuedUpload(summary, taskTitle: target.taskTitle)
          row.phase = .queued
          queued.append(row)
        } else {
          queued.append(
            QueuedUpload(
              id: id, name: PathText.lastComponent(path), size: 0,
              chunkSize: UploadLimits.defaultChunkSize, listID: target.listID,
              taskID: target.taskID, taskTitle: target.taskTitle))
        }
      } catch {
        rejected.append(AppError(AppRuntime.describe(error)))
      }
    }
    if !queued.isEmpty { bus.post(.uploadsQueued(Self.marked(queued, uploads))) }
    if !rejected.isEmpty { bus.post(.uploadsRejected(rejected)) }
  }

  private static func resumeJournaled(
    _ ids: [UploadID], _ journal: UploadJournal, _ uploads: any UploadBackend, _ bus: EventBus
  ) async {
    var queued: [QueuedUpload] = []
    var skipped: [AppError] = []
    for id in ids {
      guard let entry = journal.entry(id) else { continue }
      if let pid = journal.driver(of: id) {
        // Another process drives it (`tack resume`, another TUI): not ours to resume.
        skipped.append(AppError("\(entry.name) is being uploaded by process \(pid)"))
        continue
      }
      await uploads.resume(journaled: entry)
      queued.append(
        QueuedUpload(
          id: entry.id, name: entry.name, size: entry.fileSize, chunkSize: entry.chunkSize,
          acknowledged: entry.acknowledgedOffset, listID: entry.listID, taskID: entry.taskID,
          taskTitle: entry.taskTitle ?? ""))
    }
    if !queued.isEmpty { bus.post(.uploadsQueued(Self.marked(queued, uploads))) }
    if !skipped.isEmpty { bus.post(.uploadsRejected(skipped)) }
  }

  /// Forgets journaled uploads: their sessions are deleted on a best-effort basis.
  private static func discardJournaled(
    _ ids: [UploadID], _ journal: UploadJournal, _ session: GraphSession
  ) async {
    for id in ids {
      guard let entry = journal.entry(id) else { continue }
      await entry.discard(graph: session, journal: journal)
    }
  }
}
