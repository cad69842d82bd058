import Foundation
import GraphModels

/// Coalesces byte-progress events to at most one per `interval` per upload; milestones pass.
///
/// Pure (time is passed in). A held-back progress event is released when its window ends, or
/// just before a terminal milestone of the same upload, so the last progress (acknowledged =
/// size) always arrives before `completed`.
public struct ProgressThrottle: Sendable {
  /// Minimum seconds between two progress events of one upload.
  public let interval: Double
  private var lastEmitted: [UploadID: Date] = [:]
  private var pending: [UploadID: UploadEvent] = [:]

  /// A throttle allowing one progress event per `interval` seconds per upload.
  public init(interval: Double = 0.1) {
    self.interval = interval
  }

  /// The events to publish now for `event`, in order.
  public mutating func offer(_ event: UploadEvent, now: Date) -> [UploadEvent] {
    let id = event.uploadID
    guard event.isMilestone else {
      if let last = lastEmitted[id], now.timeIntervalSince(last) < interval {
        pending[id] = event
        return []
      }
      pending[id] = nil
      lastEmitted[id] = now
      return [event]
    }
    var out: [UploadEvent] = []
    if Self.isTerminal(event) {
      if let held = pending.removeValue(forKey: id) { out.append(held) }
      lastEmitted[id] = nil
    }
    out.append(event)
    return out
  }

  /// Held-back progress whose window has ended.
  public mutating func due(now: Date) -> [UploadEvent] {
    var out: [UploadEvent] = []
    for (id, event) in pending {
      if let last = lastEmitted[id], now.timeIntervalSince(last) < interval { continue }
      out.append(event)
      lastEmitted[id] = now
      pending[id] = nil
    }
    return out
  }

  /// True while some progress is held back.
  public var hasPending: Bool { !pending.isEmpty }

  static func isTerminal(_ event: UploadEvent) -> Bool {
    switch event {
    case .completed, .failed, .cancelled, .paused: return true
    default: return false
    }
  }
}
