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
  /// Where it stands: `queued` for a new one; a re-attached upload may be further along.
  public var phase: UploadPhase = .queued
  /// True when the upload agent runs it, so it outlives the interface.
  public var inBackground = false

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
  /// True when the upload agent runs it (it goes on after the interface quits).
  public var inBackground: Bool
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
    phase = queued.phase
    retries = 0
    listID = queued.listID
    taskID = queued.taskID
    taskTitle = queued.taskTitle
    inBackground = queued.inBackground
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

// MARK: Folding engine events

extension UploadRow {
  /// Applies `event` (received at `date`) to the row of its upload in `rows`; returns that row's
  /// index, or nil when the upload is unknown.
  ///
  /// The one fold of engine events into rows: the TUI's reducer and `tack upload`'s progress
  /// both call it, so both show the same bytes, rate and ETA for the same upload. A
  /// `sessionCreated` for an unknown upload adds a row (the runtime may learn of it first).
  @discardableResult
  public static func fold(_ event: UploadEvent, at date: Date, into rows: inout [UploadRow])
    -> Int?
  {
    let id = event.uploadID
    if case .sessionCreated(_, let name, let size, let chunkSize, _) = event,
      !rows.contains(where: { $0.id == id })
    {
      rows.append(
        UploadRow(
          QueuedUpload(
            id: id, name: name, size: size, chunkSize: chunkSize, listID: "", taskID: "",
            taskTitle: "")))
    }
    guard let index = rows.firstIndex(where: { $0.id == id }) else { return nil }
    rows[index].apply(event, at: date)
    return index
  }

  /// Applies one engine event to this row: bytes, phase, retries and rate.
  public mutating func apply(_ event: UploadEvent, at date: Date) {
    switch event {
    case .sessionCreated(_, _, let size, let chunkSize, _):
      self.size = size
      self.chunkSize = chunkSize
      if phase == .queued { startSending(at: date) }
    case .progress(_, let sent, let acknowledged, _):
      switch phase {
      case .queued, .retrying: startSending(at: date)
      default: break
      }
      self.sent = sent
      acknowledge(acknowledged, at: date)
    case .chunkSent(_, _, _, let next):
      acknowledge(next, at: date)
    case .retry(_, let reason, let after, _):
      retries += 1
      phase = .retrying(reason: reason, until: date.addingTimeInterval(after))
    case .paused(_, let acknowledged):
      acknowledge(acknowledged, at: date)
      sent = self.acknowledged
      phase = .paused
      rate = nil
    case .resumed(_, let from):
      self.acknowledged = max(self.acknowledged, from)
      sent = from
      rate = nil
      startSending(at: date)
    case .sessionRecreated:
      break
    case .completed(_, _, let size):
      acknowledged = size
      sent = size
      phase = .completed
      rate = nil
    case .failed(_, let reason, _):
      phase = .failed(reason)
      rate = nil
    case .cancelled:
      phase = .cancelled
      rate = nil
    }
  }
}
