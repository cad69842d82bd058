import AppCore
import Foundation
import GraphClient
import GraphModels

/// Task, step and list writes through GraphSession's write calls. Their retry rules live
/// there: PATCH and DELETE are retried (idempotent); a task POST whose answer was lost is
/// reconciled by listing the list, never blindly repeated; step and list POSTs are not retried.
extension LiveRuntimeEngine {
  func performEdit(_ effect: EditEffect, _ bus: EventBus) {
    let session = services.session
    Task.detached {
      bus.post(.edited(await Self.edit(effect, session)))
    }
  }

  private static func edit(_ effect: EditEffect, _ session: GraphSession) async -> EditResult {
    switch effect {
    case .createTask(let listID, let tempID, let draft):
      let result = await outcome { try await session.createTask(listID: listID, draft: draft) }
      return .taskCreated(listID: listID, tempID: tempID, result)
    case .updateTask(let listID, let taskID, let patch):
      let result = await outcome {
        try await session.updateTask(listID: listID, taskID: taskID, patch: patch)
      }
      return .taskUpdated(listID: listID, taskID: taskID, result)
    case .deleteTask(let listID, let taskID):
      let result = await outcome { try await session.deleteTask(listID: listID, taskID: taskID) }
      return .taskDeleted(listID: listID, taskID: taskID, result)
    case .loadSteps(let listID, let taskID):
      let result = await outcome {
        try await session.checklistItems(listID: listID, taskID: taskID).all()
      }
      return .stepsLoaded(taskID: taskID, result)
    case .createStep(let listID, let taskID, let tempID, let name):
      let result = await outcome {
        try await session.createChecklistItem(listID: listID, taskID: taskID, displayName: name)
      }
      return .stepCreated(taskID: taskID, tempID: tempID, result)
    case .updateStep(let listID, let taskID, let itemID, let patch):
      let result = await outcome {
        try await session.updateChecklistItem(
          listID: listID, taskID: taskID, itemID: itemID, patch: patch)
      }
      return .stepUpdated(taskID: taskID, itemID: itemID, result)
    case .createList(let tempID, let name):
      return .listCreated(
        tempID: tempID, await outcome { try await session.createList(displayName: name) })
    case .renameList(let listID, let name):
      let result = await outcome {
        try await session.renameList(listID: listID, displayName: name)
      }
      return .listRenamed(listID: listID, result)
    case .deleteList(let listID):
      return .listDeleted(
        listID: listID, await outcome { try await session.deleteList(listID: listID) })
    }
  }

  /// Runs `body`; errors become a one-line, sanitised `AppError`.
  private static func outcome<T: Sendable>(
    _ body: @Sendable () async throws -> T
  ) async -> Result<T, AppError> {
    do {
      return .success(try await body())
    } catch {
      return .failure(AppError(AppRuntime.describe(error)))
    }
  }
}
