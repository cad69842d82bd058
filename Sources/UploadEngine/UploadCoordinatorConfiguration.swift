import GraphModels

/// Tunables of the coordinator.
public struct UploadCoordinatorConfiguration: Sendable {
  /// Files uploading at once (1…4; each session is sequential, so this bounds requests too).
  public var maxConcurrentUploads: Int
  /// Requests in flight over all uploads (Graph's per-app concurrency limit is 4).
  public var maxRequestsInFlight: Int
  /// Bytes per PUT for new uploads.
  public var chunkSize: Int64
  /// Retry budget, delays, stall timeout and expiry margin of each upload.
  public var machine: UploadStateMachine.Configuration
  /// Minimum seconds between byte-progress events of one upload.
  public var progressInterval: Double
  /// Deadline of the best-effort DELETE on cancel.
  public var deleteTimeout: Duration
  /// Deadline of one PUT's response head; the stall watchdog catches silence much sooner.
  public var putTimeout: Duration
  /// The cap on bytes per second of all uploads together at start (nil: none); see
  /// `UploadCoordinator.setBandwidthLimit(_:)` to change it while they run.
  public var bandwidthLimit: Int?
  /// The account whose token `graph` carries, recorded in each new journal entry.
  public var account: String?

  /// Defaults suit Graph; concurrency is clamped to 1…4.
  public init(
    maxConcurrentUploads: Int = 2, maxRequestsInFlight: Int = 4,
    chunkSize: Int64 = UploadLimits.defaultChunkSize,
    machine: UploadStateMachine.Configuration = UploadStateMachine.Configuration(),
    progressInterval: Double = 0.1, deleteTimeout: Duration = .seconds(3),
    putTimeout: Duration = .seconds(900), bandwidthLimit: Int? = nil
  ) {
    self.maxConcurrentUploads = min(max(maxConcurrentUploads, 1), 4)
    self.maxRequestsInFlight = min(max(maxRequestsInFlight, 1), 4)
    self.chunkSize = chunkSize
    self.machine = machine
    self.progressInterval = progressInterval
    self.deleteTimeout = deleteTimeout
    self.putTimeout = putTimeout
    self.bandwidthLimit = bandwidthLimit
  }
}
