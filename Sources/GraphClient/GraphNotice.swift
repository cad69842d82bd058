import Foundation
import GraphModels
import Synchronization

/// Something a user should see while a command runs, though it is not an error: a long wait,
/// or items of a listing that were skipped. Commands print `text` on stderr; the TUI shows it
/// on the status line.
public enum GraphNotice: Sendable, Equatable {
  /// Graph (`askedByGraph`: a 429/503 answer) or a network failure (backing off before a retry)
  /// made us wait `seconds`, because of `reason`, until `until`.
  case waiting(seconds: Double, reason: String, until: Date, askedByGraph: Bool = true)
  /// `count` items of a listing could not be read and were left out; `ids` names some of them.
  case skipped(count: Int, noun: String, ids: [String])

  /// One line, without the `tack: ` prefix.
  public var text: String {
    switch self {
    case .waiting(let seconds, let reason, let until, let askedByGraph):
      let wait = "\(Int(seconds.rounded(.up))) s (\(reason)); retrying at "
      return (askedByGraph ? "Graph asked us to wait " : "network trouble, waiting ") + wait
        + Self.localClock(until)
    case .skipped(let count, let noun, let ids):
      let what = count == 1 ? noun : noun + "s"
      var line = "skipped \(count) \(what) that could not be read"
      let named = ids.filter { !$0.isEmpty }.prefix(3)
      if !named.isEmpty {
        line += " (id \(named.joined(separator: ", "))\(ids.count > named.count ? ", …" : ""))"
      }
      return line
    }
  }
}

extension GraphNotice {
  /// `HH:mm:ss` of `date` in the local time zone, from libc (`localtime_r` reads the zone from
  /// `TZ` or /etc/localtime) rather than a `DateFormatter`, which would load ICU's calendars.
  static func localClock(_ date: Date) -> String {
    var time = time_t(date.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    guard localtime_r(&time, &parts) != nil else {
      return GraphDate.format(date, fractionDigits: 0)
    }
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
  }

  /// When a wait ends; nil for notices that are not waits.
  public var until: Date? {
    if case .waiting(_, _, let until, _) = self { return until }
    return nil
  }
}

/// Hands notices to a receiver connected later: a session is made before the interface that
/// shows its notices exists. Notices sent before `connect` are dropped.
public final class GraphNoticeRelay: Sendable {
  private let receiver = Mutex<(@Sendable (GraphNotice) -> Void)?>(nil)

  public init() {}

  /// Passes `notice` to the connected receiver, if any.
  public func send(_ notice: GraphNotice) {
    let current = receiver.withLock { $0 }
    current?(notice)
  }

  /// Sends every later notice to `receive`.
  public func connect(_ receive: @escaping @Sendable (GraphNotice) -> Void) {
    receiver.withLock { $0 = receive }
  }
}
