import Foundation

/// The upload engine's cap on bytes per second, as the interface knows it.
public enum BandwidthCap: Sendable, Hashable {
  /// The engine has not said yet (still signing in or starting): the key does nothing.
  case unknown
  case off
  case limited(bytesPerSecond: Int)

  /// What `b` steps through: off, then caps that leave room for a call or a busy link.
  public static let presets = [500_000, 1_000_000, 5_000_000]

  /// The cap in bytes per second; nil when there is none (or it is not known).
  public var bytesPerSecond: Int? {
    if case .limited(let rate) = self { return rate }
    return nil
  }

  /// The cap the engine reported: nil or ≤ 0 is none.
  public init(reported bytesPerSecond: Int?) {
    if let rate = bytesPerSecond, rate > 0 {
      self = .limited(bytesPerSecond: rate)
    } else {
      self = .off
    }
  }

  /// The next cap `b` sets: off → the smallest preset; a cap → the next preset above it (a
  /// configured 2 MB/s goes to 5 MB/s); the largest or above → off.
  public var next: BandwidthCap {
    switch self {
    case .unknown: return .unknown
    case .off: return .limited(bytesPerSecond: Self.presets[0])
    case .limited(let rate):
      guard let above = Self.presets.first(where: { $0 > rate }) else { return .off }
      return .limited(bytesPerSecond: above)
    }
  }

  /// `limit 1.0 MB/s` for the uploads pane's title; nil without a cap.
  public var titleText: String? {
    bytesPerSecond.map { "limit " + Format.rate(Double($0)) }
  }
}

/// `b`: the next preset cap, applied by the engine at once; the status line says which.
func cycleBandwidthLimit(_ state: inout AppState) -> [Effect] {
  let next = state.bandwidthCap.next
  guard next != .unknown else { return [] }
  state.bandwidthCap = next
  showInfo(
    &state,
    next.bytesPerSecond.map { "Uploads capped at \(Format.rate(Double($0)))" }
      ?? "Upload speed not capped")
  return [.setBandwidthLimit(next.bytesPerSecond)]
}
