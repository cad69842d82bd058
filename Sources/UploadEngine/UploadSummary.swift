import GraphModels

/// A point-in-time view of one upload, for screens.
public struct UploadSummary: Sendable, Hashable, Identifiable {
  public var id: UploadID
  public var name: String
  public var path: String
  public var size: Int64
  public var chunkSize: Int64
  /// Bytes handed to the network in this session (may rewind on retry).
  public var sent: Int64
  /// Bytes the server confirmed (monotonic).
  public var acknowledged: Int64
  public var outcome: UploadOutcome?
  public var target: UploadTarget

  /// A summary (the coordinator makes them; a client of the agent rebuilds them).
  public init(
    id: UploadID, name: String, path: String, size: Int64, chunkSize: Int64, sent: Int64,
    acknowledged: Int64, outcome: UploadOutcome?, target: UploadTarget
  ) {
    self.id = id
    self.name = name
    self.path = path
    self.size = size
    self.chunkSize = chunkSize
    self.sent = sent
    self.acknowledged = acknowledged
    self.outcome = outcome
    self.target = target
  }
}
