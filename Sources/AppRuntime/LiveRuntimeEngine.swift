import AppCore
import Foundation
import GraphClient
import GraphModels
import Synchronization
import TerminalCore
import UploadEngine

#if canImport(Glibc)
  import Glibc
#endif

/// The program's engine: Graph calls and upload commands on detached tasks, never on the main
/// actor (which sits in `poll`); each result is posted back to the loop as an action.
final class LiveRuntimeEngine: RuntimeEngine {
  let services: RuntimeServices
  private let eventsTask = Mutex<Task<Void, Never>?>(nil)
  /// Task loads under way, by list id (LiveRuntimeEngine+Paging).
  let taskLoads = Mutex<[String: Task<Void, Never>]>([:])

  init(_ services: RuntimeServices) {
    self.services = services
  }

  func start(reportingTo bus: EventBus) {
    let coordinator = services.coordinator
    let task = Task.detached {
      for await event in coordinator.events {
        bus.post(.upload(event, at: Date()))
      }
    }
    eventsTask.withLock { $0 = task }
    bus.post(.bandwidthLimit(coordinator.bandwidthLimit))
    services.notices?.connect { notice in bus.post(.notice(notice.text, until: notice.until)) }
    if let journal = services.journal {
      let baseURL = services.session.baseURL
      let owns = services.ownsJournaled ?? { _ in true }
      Task.detached {
        let found = journal.load().entries.filter {
          $0.isJournaled(forGraphBase: baseURL) && owns($0)
        }
        let offered = found.map { entry in
          JournaledUpload(
            id: entry.id, name: entry.name, size: entry.fileSize,
            acknowledged: entry.acknowledgedOffset, taskTitle: entry.taskTitle,
            expiration: entry.expirationDateTime)
        }
        if !offered.isEmpty { bus.post(.journalFound(offered)) }
      }
    }
  }

  func stop() {
    eventsTask.withLock { $0?.cancel() }
    taskLoads.withLock { loads in loads.values.forEach { $0.cancel() } }
  }

  func perform(_ effect: Effect, reportingTo bus: EventBus) {
    switch effect {
    case .loadTasks(let listID):
      loadTasks(listID, bus)
    case .stopLoadingTasks(let listID):
      stopLoadingTasks(listID)
    case .loadLists, .loadAttachments, .listDirectory:
      load(effect, bus)
    case .downloadAttachment, .deleteAttachment:
      changeAttachment(effect, bus)
    case .startUploads, .pauseUpload, .resumeUpload, .retryUpload, .cancelUpload,
      .resumeJournaled, .discardJournaled, .quit:
      commandUploads(effect, bus)
    case .setBandwidthLimit(let rate):
      services.coordinator.setBandwidthLimit(rate)
    case .edit(let edit):
      performEdit(edit, bus)
    case .repaint, .suspend, .forceQuit, .switchAccount:
      break
    }
  }

  private func load(_ effect: Effect, _ bus: EventBus) {
    let session = services.session
    switch effect {
    case .loadLists:
      Task.detached {
        bus.post(.listsLoaded(await Self.result { try await session.lists().all() }))
      }
    case .loadAttachments(let listID, let taskID):
      Task.detached {
        let result = await Self.result {
          try await session.attachments(listID: listID, taskID: taskID).all()
        }
        bus.post(.attachmentsLoaded(listID: listID, taskID: taskID, result))
      }
    case .listDirectory(let path):
      let fileSystem = services.fileSystem
      Task.detached {
        let result = await Self.result { try fileSystem.list(path) }
        bus.post(.directoryListed(path: path, result))
      }
    default:
      break
    }
  }

  private func changeAttachment(_ effect: Effect, _ bus: EventBus) {
    let session = services.session
    switch effect {
    case .downloadAttachment(let listID, let taskID, let attachmentID, let name, let directory):
      Task.detached {
        let result = await Self.result {
          let bytes = try await session.downloadAttachment(
            listID: listID, taskID: taskID, attachmentID: attachmentID)
          return try Self.save(bytes, in: directory, name: Sanitizer.clean(name))
        }
        bus.post(.attachmentDownloaded(name: name, result))
      }
    case .deleteAttachment(let listID, let taskID, let attachmentID, let name):
      Task.detached {
        let result = await Self.result {
          try await session.deleteAttachment(
            listID: listID, taskID: taskID, attachmentID: attachmentID)
        }
        bus.post(.attachmentDeleted(listID: listID, taskID: taskID, name: name, result))
      }
    default:
      break
    }
  }

  private func commandUploads(_ effect: Effect, _ bus: EventBus) {
    let coordinator = services.coordinator
    switch effect {
    case .startUploads(let paths, let target):
      Task.detached { await Self.startUploads(paths, target, coordinator, bus) }
    case .pauseUpload(let id):
      Task.detached { await coordinator.pause(id) }
    case .resumeUpload(let id), .retryUpload(let id):
      Task.detached { await coordinator.resume(id) }
    case .cancelUpload(let id):
      Task.detached { await coordinator.cancel(id) }
    case .resumeJournaled(let ids):
      guard let journal = services.journal else { return }
      let ids = owned(ids, journal)
      Task.detached { await Self.resumeJournaled(ids, journal, coordinator, bus) }
    case .discardJournaled(let ids):
      guard let journal = services.journal else { return }
      let (ids, session) = (owned(ids, journal), services.session)
      Task.detached { await Self.discardJournaled(ids, journal, session) }
    case .quit:
      Task.detached {
        // Pausing cancels requests in flight at once; the journal already holds the offsets.
        await coordinator.pauseAll()
        await withTaskGroup(of: Void.self) { group in
          group.addTask { _ = await coordinator.waitUntilSettled() }
          group.addTask { try? await Task.sleep(for: .seconds(3)) }
          await group.next()
          group.cancelAll()
        }
        bus.post(.quitReady)
      }
    default:
      break
    }
  }

  /// The journaled uploads of `ids` this account owns: with several accounts every engine is
  /// asked, and each resumes (or discards) only its own, with its own token.
  private func owned(_ ids: [UploadID], _ journal: UploadJournal) -> [UploadID] {
    guard let owns = services.ownsJournaled else { return ids }
    return ids.filter { id in journal.entry(id).map(owns) ?? false }
  }

  // MARK: Background work

  /// Runs `body`; errors become a one-line `AppError`.
  static func result<T: Sendable>(
    _ body: @Sendable () async throws -> T
  ) async -> Result<T, AppError> {
    do {
      return .success(try await body())
    } catch let error as AppError {
      return .failure(error)
    } catch {
      return .failure(AppError(AppRuntime.describe(error)))
    }
  }

  private static func startUploads(
    _ paths: [String], _ target: AttachTarget, _ coordinator: UploadCoordinator, _ bus: EventBus
  ) async {
    var queued: [QueuedUpload] = []
    var rejected: [AppError] = []
    let uploadTarget = UploadTarget(
      listID: target.listID, taskID: target.taskID, listName: target.listName,
      taskTitle: target.taskTitle)
    for path in paths {
      do {
        let id = try await coordinator.upload(path: path, to: uploadTarget)
        let summary = await coordinator.summaries().first { $0.id == id }
        queued.append(
          QueuedUpload(
            id: id, name: summary?.name ?? PathText.lastComponent(path),
            size: summary?.size ?? 0,
            chunkSize: summary?.chunkSize ?? UploadLimits.defaultChunkSize,
            acknowledged: summary?.acknowledged ?? 0, listID: target.listID,
            taskID: target.taskID, taskTitle: target.taskTitle))
      } catch {
        rejected.append(AppError(AppRuntime.describe(error)))
      }
    }
    if !queued.isEmpty { bus.post(.uploadsQueued(queued)) }
    if !rejected.isEmpty { bus.post(.uploadsRejected(rejected)) }
  }

  private static func resumeJournaled(
    _ ids: [UploadID], _ journal: UploadJournal, _ coordinator: UploadCoordinator, _ bus: EventBus
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
      await coordinator.resume(journaled: entry)
      queued.append(
        QueuedUpload(
          id: entry.id, name: entry.name, size: entry.fileSize, chunkSize: entry.chunkSize,
          acknowledged: entry.acknowledgedOffset, listID: entry.listID, taskID: entry.taskID,
          taskTitle: entry.taskTitle ?? ""))
    }
    if !queued.isEmpty { bus.post(.uploadsQueued(queued)) }
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
