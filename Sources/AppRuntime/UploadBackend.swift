import AppCore
import Foundation
import GraphModels
import UploadEngine

/// Where the interface's uploads run: the runtime's only way to start, steer and watch them.
///
/// `UploadCoordinator` runs them in this process (`--no-agent`, the demo, accounts other than
/// the agent's); the composition root's agent backend hands them to `tack agent`, where they
/// outlive the terminal.
public protocol UploadBackend: Sendable {
  /// True when the uploads go on after this process leaves (the agent), so quitting may leave
  /// them running; false when quitting must pause them.
  var outlivesProcess: Bool { get }
  /// Every upload event, in order, until the backend ends.
  var events: AsyncStream<UploadEvent> { get }
  /// Starts uploading `path` to `target`; throws when the file cannot be sent.
  func upload(path: String, to target: UploadTarget, chunkSize: Int64?) async throws -> UploadID
  func pause(_ id: UploadID) async
  func resume(_ id: UploadID) async
  func cancel(_ id: UploadID) async
  /// Continues a journaled upload at the server's offset.
  @discardableResult func resume(journaled entry: UploadJournalEntry) async -> UploadID
  func pauseAll() async
  /// Cancels every upload not finished (their sessions are deleted, the journal forgets them).
  func cancelAll() async
  /// Returns once nothing is in flight (at once when another process runs the uploads).
  @discardableResult func waitUntilSettled() async -> [UploadID: UploadOutcome]
  /// The cap on bytes per second of every upload together; nil: none.
  var bandwidthLimit: Int? { get }
  func setBandwidthLimit(_ bytesPerSecond: Int?)
  /// What the backend holds now: the name, size and chunk size of a new row.
  func summaries() async -> [UploadSummary]
  /// The uploads the backend already held when this process attached (started by another
  /// command or another interface); empty in-process.
  func attached() async -> [UploadSummary]
  /// Leaves the uploads to themselves: closes the link to the agent (nothing in-process).
  func detach() async
}

extension QueuedUpload {
  /// The row of an upload a backend reports (re-attached, or just queued).
  init(_ summary: UploadSummary, taskTitle fallback: String = "") {
    self.init(
      id: summary.id, name: summary.name, size: summary.size, chunkSize: summary.chunkSize,
      acknowledged: summary.acknowledged, listID: summary.target.listID,
      taskID: summary.target.taskID, taskTitle: summary.target.taskTitle ?? fallback)
    switch summary.outcome {
    case nil, .skipped: phase = .queued
    case .completed: phase = .completed
    case .failed(let reason, _): phase = .failed(reason)
    case .paused: phase = .paused
    case .cancelled: phase = .cancelled
    }
  }
}

/// The in-process engine: the uploads end (paused, journaled) with this process.
extension UploadCoordinator: UploadBackend {
  public nonisolated var outlivesProcess: Bool { false }

  public func cancelAll() {
    for summary in summaries() where outcome(summary.id).map(Self.unfinished) ?? true {
      cancel(summary.id)
    }
  }

  private static func unfinished(_ outcome: UploadOutcome) -> Bool {
    switch outcome {
    case .paused, .failed: return true
    case .completed, .cancelled, .skipped: return false
    }
  }

  public func attached() -> [UploadSummary] { [] }

  public func detach() {}
}
