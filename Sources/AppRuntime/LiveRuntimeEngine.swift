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
  /// Set once the loop asked to quit: the end of the upload events is then expected.
  let leaving = Mutex(false)

  init(_ services: RuntimeServices) {
    self.services = services
  }

  func start(reportingTo bus: EventBus) {
    let uploads = services.uploads
    let (journal, offer) = (services.journal, journalOffer)
    let task = Task.detached {
      // The rows of what the backend already holds come before any of their events.
      let held = await uploads.attached()
      if uploads.outlivesProcess {
        bus.post(.uploadsAttached(held.map { QueuedUpload($0) }, background: true))
      }
      if let journal {
        let offered = offer(journal, Set(held.map(\.id)))
        if !offered.isEmpty { bus.post(.journalFound(offered)) }
      }
      for await event in uploads.events {
        bus.post(.upload(event, at: Date()))
      }
      if uploads.outlivesProcess, !self.leaving.withLock({ $0 }), !Task.isCancelled {
        bus.post(
          .notice(
            "The upload agent went away: its uploads stay journaled; tack uploads shows them",
            until: nil))
      }
    }
    eventsTask.withLock { $0 = task }
    bus.post(.bandwidthLimit(uploads.bandwidthLimit))
    if let notice = services.uploadNotice { bus.post(.notice(notice, until: nil)) }
    services.notices?.connect { notice in bus.post(.notice(notice.text, until: notice.until)) }
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
      services.uploads.setBandwidthLimit(rate)
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
      let deltas = services.deltaLinks
      Task.detached {
        bus.post(
          .listsLoaded(
            await Self.result {
              guard let deltas else { return try await session.lists().all() }
              return try await Self.listsByDelta(session, deltas)
            }))
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
}
