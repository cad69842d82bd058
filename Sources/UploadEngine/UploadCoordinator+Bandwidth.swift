import GraphModels

extension UploadCoordinator {
  /// Caps the bytes per second of all this coordinator's uploads together; nil (or ≤ 0) lifts
  /// the cap. Safe from any thread and at any time: the PUTs in flight obey the new cap from
  /// their next piece (≤ 64 KiB), so the change reaches the wire well within a second.
  public nonisolated func setBandwidthLimit(_ bytesPerSecond: Int?) {
    bandwidth.setBytesPerSecond(bytesPerSecond)
  }

  /// The cap in bytes per second; nil when there is none.
  public nonisolated var bandwidthLimit: Int? { bandwidth.bytesPerSecond }
}

extension BandwidthLimiter {
  /// The deadline of a PUT of `length` bytes: `base`, plus the time the current cap needs to
  /// send them (a cap lowered while the PUT runs may still outlast it; the engine then asks the
  /// server where it stopped, as after any timeout).
  func deadline(for length: Int64, base: Duration) -> Duration {
    guard let rate = bytesPerSecond, rate > 0 else { return base }
    return base + .seconds(Double(length) / Double(rate))
  }
}
