import Foundation
import GraphModels
import TerminalCore

/// Where an upload is in its life, as the uploads pane shows it.
public enum UploadPhase: Sendable, Hashable {
  /// Waiting for a free slot or for its session.
  case queued
  case sending
  /// Waiting until `until` before trying again.
  case retrying(reason: RetryReason, until: Date)
  case paused
  case completed
  case failed(String)
  case cancelled

  /// True while the upload still moves on its own.
  public var isActive: Bool {
    switch self {
    case .queued, .sending, .retrying: return true
    case .paused, .completed, .failed, .cancelled: return false
    }
  }

  /// True once nothing more will happen without the user.
  public var isFinished: Bool {
    switch self {
    case .completed, .cancelled: return true
    default: return false
    }
  }
}

/// Information the runtime has when an upload is queued (new or resumed from the journal).
public struct QueuedUpload: Sendable, Hashable {
  public var id: UploadID
  public var name: String
  public var size: Int64
  public var chunkSize: Int64
  /// Bytes the server already holds (a resumed upload).
  public var acknowledged: Int64
  public var listID: String
  public var taskID: String
  public var taskTitle: String

  public init(
    id: UploadID, name: String, size: Int64, chunkSize: Int64, acknowledged: Int64 = 0,
    listID: String, taskID: String, taskTitle: String
  ) {
    self.id = id
    self.name = name
    self.size = size
    self.chunkSize = chunkSize
    self.acknowledged = acknowledged
    self.listID = listID
    self.taskID = taskID
    self.taskTitle = taskTitle
  }
}

/// One row of the uploads pane.
public struct UploadRow: Sendable, Hashable, Identifiable {
  public var id: UploadID
  public var name: String
  public var size: Int64
  public var chunkSize: Int64
  /// Bytes on the wire or acknowledged; may rewind on a retry.
  public var sent: Int64
  /// Bytes the server acknowledged; only grows.
  public var acknowledged: Int64
  public var phase: UploadPhase
  public var retries: Int
  public var listID: String
  public var taskID: String
  public var taskTitle: String
  /// Acknowledged bytes per second since the upload last (re)started sending; nil until known.
  public var rate: Double?
  /// Where the rate is measured from: acknowledged bytes and time when sending (re)started.
  var rateBaseBytes: Int64 = 0
  var rateBaseDate: Date?

  public init(_ queued: QueuedUpload) {
    id = queued.id
    name = queued.name
    size = queued.size
    chunkSize = queued.chunkSize
    sent = queued.acknowledged
    acknowledged = queued.acknowledged
    phase = .queued
    retries = 0
    listID = queued.listID
    taskID = queued.taskID
    taskTitle = queued.taskTitle
  }

  /// The chunk segments for the gauge.
  public var segments: [SegmentState] {
    var retrying = false
    if case .retrying = phase { retrying = true }
    return SegmentedGauge.segments(
      size: size, chunkSize: chunkSize, acknowledged: acknowledged,
      sent: phase == .sending || retrying ? max(sent, acknowledged) : acknowledged,
      retrying: retrying, completed: phase == .completed)
  }

  /// Seconds left at the current rate, nil when unknown.
  public var secondsLeft: Double? {
    guard phase == .sending, let rate, rate > 1 else { return nil }
    return Double(size - acknowledged) / rate
  }

  /// Marks the upload as sending from `date`, restarting the rate measurement if it was not.
  mutating func startSending(at date: Date) {
    guard phase != .sending else { return }
    phase = .sending
    rateBaseBytes = acknowledged
    rateBaseDate = date
  }

  /// Records that the server acknowledged up to `bytes` at `date`.
  ///
  /// The rate counts acknowledged bytes only: bytes "sent" include what sits in socket buffers
  /// (megabytes on a fast link), which would make the rate jump and then drop to zero.
  mutating func acknowledge(_ bytes: Int64, at date: Date) {
    guard bytes > acknowledged else { return }
    acknowledged = bytes
    sent = max(sent, bytes)
    guard let base = rateBaseDate else { return }
    let elapsed = date.timeIntervalSince(base)
    if elapsed >= 0.5 { rate = Double(acknowledged - rateBaseBytes) / elapsed }
  }
}
