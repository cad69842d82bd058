import Foundation
import GraphClient
import GraphModels
import Logging
import Synchronization

/// Runs uploads: performs what each `UploadStateMachine` asks over a `GraphSession`, journals,
/// and publishes events.
///
/// Several files upload at once (default 2); each session stays sequential. Pause cancels the
/// in-flight request at once and keeps session and journal; cancel also deletes both.
public actor UploadCoordinator {
  /// Every upload's events. Byte progress is coalesced per upload; milestones are never dropped.
  public nonisolated let events: AsyncStream<UploadEvent>
  nonisolated let continuation: AsyncStream<UploadEvent>.Continuation

  let graph: GraphSession
  let journal: UploadJournal?
  let configuration: UploadCoordinatorConfiguration
  let clock: any UploadClock
  let logger: Logger

  var uploads: [UploadID: Record] = [:]
  private var order: [UploadID] = []
  /// Uploads waiting for a slot, with the input that starts them.
  private var queue: [(id: UploadID, input: UploadInput)] = []
  var throttle: ProgressThrottle
  private var settleWaiters: [CheckedContinuation<Void, Never>] = []
  let limiter: RequestLimiter
  /// The cap on bytes per second shared by every PUT of this coordinator.
  nonisolated let bandwidth: BandwidthLimiter

  /// How an upload began, which decides what a changed file means.
  enum Origin: Sendable {
    /// A new upload (or a re-run of `tack upload` for a journaled file): a changed file starts afresh.
    case fresh(resuming: UploadJournalEntry?)
    /// `tack resume`: a changed file is refused.
    case journal(UploadJournalEntry)
  }

  /// Body bytes written so far by the PUT in flight (set from the transport's callback thread).
  final class SentCounter: Sendable {
    let value = Mutex<Int64>(0)
  }

  struct Record {
    var file: LocalFile
    var target: UploadTarget
    var origin: Origin
    var chunkSize: Int64
    var machine: UploadStateMachine?
    var entry: UploadJournalEntry?
    var operation: Task<Completed, Never>?
    var driving = false
    var holdsSlot = false
    var sent = SentCounter()
    var lastToken: String?
    /// An outcome reached before the machine existed (hashing failed, changed file refused).
    var earlyOutcome: UploadOutcome?
    /// A pause or cancel that arrived while the file was being hashed.
    var pendingControl: UploadInput?
    /// This process's ownership of the upload, held from the first request until it settles.
    var lock: FileLock?
    /// The first hashing pass, while it runs (a pause or cancel stops it).
    var hashing: Task<FileDigests, any Error>?
    /// Whole-file and per-chunk SHA-256 from the first pass: every PUT is checked against them.
    var digests: FileDigests?
    /// The next chunk, read and checked while the current PUT runs (dropped when driving stops).
    var prefetch: ChunkPrefetch?
  }

  /// An operation's result and the token it used (a refresh must name the rejected token).
  struct Completed: Sendable {
    var input: UploadInput
    var token: String?
  }

  /// A coordinator over `graph`; `journal` nil keeps nothing on disk (tests, demo).
  /// `pacingClock` times the bandwidth cap (a test drives its own). `sharedBandwidth`, when
  /// given, is the cap of several coordinators together (one per account in the interface);
  /// `configuration.bandwidthLimit` is then the shared limiter's business.
  public init(
    graph: GraphSession, journal: UploadJournal?,
    configuration: UploadCoordinatorConfiguration = UploadCoordinatorConfiguration(),
    clock: any UploadClock = SystemUploadClock(),
    pacingClock: any PacingClock = ContinuousPacingClock(),
    sharedBandwidth: BandwidthLimiter? = nil
  ) {
    _ = ChunkBufferMemory.applied
    self.graph = graph
    self.journal = journal
    self.configuration = configuration
    self.clock = clock
    self.logger = graph.logger
    self.limiter = RequestLimiter(limit: configuration.maxRequestsInFlight)
    self.bandwidth =
      sharedBandwidth
      ?? BandwidthLimiter(bytesPerSecond: configuration.bandwidthLimit, clock: pacingClock)
    self.throttle = ProgressThrottle(interval: configuration.progressInterval)
    (events, continuation) = AsyncStream.makeStream(
      of: UploadEvent.self, bufferingPolicy: .unbounded)
  }

  // MARK: - Commands

  /// Checks `path` and queues it for `target`; throws before any request when it cannot be sent.
  ///
  /// A journaled upload of the same file to the same task resumes instead (from the server's
  /// offset); if the file changed since, its old session is deleted and the upload starts afresh.
  public func upload(path: String, to target: UploadTarget, chunkSize: Int64? = nil)
    throws(UploadInputError) -> UploadID
  {
    let file = try FileInspector.inspect(path)
    let chunk = chunkSize ?? configuration.chunkSize
    guard chunk >= 1, chunk <= UploadLimits.maxChunkSize else {
      throw UploadInputError(
        kind: .invalidOption, path: path,
        detail: ChunkPlanner.PlanError.chunkSizeOutOfRange(chunk).description)
    }
    let previous = journal?.load().entries.first {
      $0.matches(
        path: file.path, listID: target.listID, taskID: target.taskID, graphBaseURL: graph.baseURL)
    }
    if let previous, let existing = uploads[previous.id], existing.machine?.isSettled == false {
      return previous.id
    }
    let id = previous?.id ?? Self.newID()
    add(
      id,
      Record(file: file, target: target, origin: .fresh(resuming: previous), chunkSize: chunk))
    enqueue(id, .start)
    return id
  }

  /// Resumes a journaled upload (`tack resume`, or the TUI at start). A file whose size,
  /// modification time or SHA-256 changed is refused: its session is deleted and the upload
  /// fails with a reason saying to upload the file again.
  @discardableResult
  public func resume(journaled entry: UploadJournalEntry) -> UploadID {
    if let existing = uploads[entry.id], existing.machine?.isSettled == false { return entry.id }
    let file = LocalFile(
      path: entry.filePath, name: entry.name, size: entry.fileSize,
      modificationTimeNanoseconds: entry.modificationTimeNanoseconds,
      contentType: entry.contentType, sha256: entry.sha256)
    let target = UploadTarget(
      listID: entry.listID, taskID: entry.taskID, listName: entry.listName,
      taskTitle: entry.taskTitle)
    add(
      entry.id,
      Record(file: file, target: target, origin: .journal(entry), chunkSize: entry.chunkSize))
    enqueue(entry.id, .start)
    return entry.id
  }

  /// Pauses: the request in flight is cancelled now; session and journal are kept.
  public func pause(_ id: UploadID) {
    if let record = uploads[id], record.machine == nil, record.driving {
      uploads[id]?.pendingControl = .pause
      record.hashing?.cancel()
      return
    }
    if let index = queue.firstIndex(where: { $0.id == id }) {
      queue.remove(at: index)
      if uploads[id]?.machine == nil {
        uploads[id]?.earlyOutcome = .paused
        publish(.paused(id: id, acknowledged: 0))
        checkSettled()
        return
      }
    }
    _ = feed(id, .pause)
  }

  /// Pauses every upload.
  public func pauseAll() {
    for id in order { pause(id) }
  }

  /// Resumes a paused (or retries a failed) upload: the server is asked where it stopped.
  public func resume(_ id: UploadID) {
    guard let record = uploads[id], !queue.contains(where: { $0.id == id }) else { return }
    if record.machine == nil {
      guard record.earlyOutcome == .paused else { return }
      uploads[id]?.earlyOutcome = nil
      enqueue(id, .start)
      return
    }
    guard record.machine?.outcome == .paused || isResumableFailure(record.machine?.outcome)
    else {
      // Lets a resume cancel a pause that is still settling.
      if let operation = feed(id, .resume) { startDriver(id, operation) }
      return
    }
    enqueue(id, .resume)
  }

  /// Resumes every paused upload.
  public func resumeAll() {
    for id in order
    where uploads[id]?.machine?.outcome == .paused || uploads[id]?.earlyOutcome == .paused {
      resume(id)
    }
  }

  /// Cancels: aborts the request in flight, deletes the session (best effort) and the journal.
  public func cancel(_ id: UploadID) {
    if let index = queue.firstIndex(where: { $0.id == id }) { queue.remove(at: index) }
    guard let record = uploads[id] else { return }
    if record.machine == nil, record.driving {
      uploads[id]?.pendingControl = .cancel
      record.hashing?.cancel()
      return
    }
    if record.machine == nil {
      if record.earlyOutcome == nil || record.earlyOutcome == .paused {
        uploads[id]?.earlyOutcome = .cancelled
        publish(.cancelled(id: id))
      }
      checkSettled()
      return
    }
    // A paused upload's session may be driven by another process by now: delete it only as its
    // owner.
    if !record.driving, !claim(id) {
      checkSettled()
      return
    }
    if let operation = feed(id, .cancel) { startDriver(id, operation) }
  }

  /// The current view of every upload, in the order they were added.
  public func summaries() -> [UploadSummary] {
    order.compactMap { id in
      guard let record = uploads[id] else { return nil }
      let machine = record.machine
      var sent = machine?.acknowledged ?? 0
      if case .sending(let range) = machine?.state {
        sent = range.first + record.sent.value.withLock { $0 }
      }
      return UploadSummary(
        id: id, name: record.file.name, path: record.file.path, size: record.file.size,
        chunkSize: machine?.planner.chunkSize ?? record.chunkSize, sent: sent,
        acknowledged: machine?.acknowledgedHigh ?? 0,
        outcome: record.earlyOutcome ?? machine?.outcome, target: record.target)
    }
  }

  /// The outcome of `id`, once settled (completed, failed, cancelled or paused).
  public func outcome(_ id: UploadID) -> UploadOutcome? {
    guard let record = uploads[id] else { return nil }
    if let early = record.earlyOutcome { return early }
    guard !record.driving else { return nil }
    return record.machine?.outcome
  }

  /// Waits until every upload is settled (or paused) and returns the outcomes.
  public func waitUntilSettled() async -> [UploadID: UploadOutcome] {
    while !allSettled {
      await withCheckedContinuation { settleWaiters.append($0) }
    }
    var outcomes: [UploadID: UploadOutcome] = [:]
    for id in order { outcomes[id] = outcome(id) }
    return outcomes
  }

  /// Ends the event stream (after the uploads settled).
  public func finishEvents() {
    continuation.finish()
  }

  // MARK: - Scheduling

  private static func newID() -> UploadID {
    var generator = SystemRandomNumberGenerator()
    return (0..<4).map { _ in
      String(format: "%04x", UInt16.random(in: 0...UInt16.max, using: &generator))
    }
    .joined()
  }

  private func add(_ id: UploadID, _ record: Record) {
    if uploads[id] == nil { order.append(id) }
    uploads[id] = record
  }

  private func isResumableFailure(_ outcome: UploadOutcome?) -> Bool {
    if case .failed = outcome { return true }
    return false
  }

  private var slotsInUse: Int { uploads.values.filter(\.holdsSlot).count }

  private func enqueue(_ id: UploadID, _ input: UploadInput) {
    queue.append((id, input))
    schedule()
  }

  private func schedule() {
    while slotsInUse < configuration.maxConcurrentUploads, !queue.isEmpty {
      let (id, input) = queue.removeFirst()
      guard uploads[id] != nil else { continue }
      uploads[id]?.holdsSlot = true
      uploads[id]?.driving = true
      Task { await self.begin(id, input) }
    }
  }

  private var allSettled: Bool {
    queue.isEmpty
      && uploads.values.allSatisfy { record in
        !record.driving && (record.earlyOutcome != nil || record.machine?.isSettled == true)
      }
  }

  private func checkSettled() {
    guard allSettled else { return }
    let waiters = settleWaiters
    settleWaiters = []
    for waiter in waiters { waiter.resume() }
  }

  /// Prepares the machine (hashing, identity checks) if needed, then feeds the first input.
  private func begin(_ id: UploadID, _ input: UploadInput) async {
    guard claim(id) else {
      release(id)
      return
    }
    if uploads[id]?.machine == nil {
      guard await prepare(id) else {
        release(id)
        return
      }
      if let control = uploads[id]?.pendingControl {
        uploads[id]?.pendingControl = nil
        if let operation = feed(id, control) {
          await drive(id, operation)
        } else {
          release(id)
        }
        return
      }
    }
    guard let operation = feed(id, input) else {
      release(id)
      return
    }
    await drive(id, operation)
  }

  private func startDriver(_ id: UploadID, _ operation: UploadOperation) {
    guard uploads[id]?.driving == false else { return }
    uploads[id]?.driving = true
    Task { await self.drive(id, operation) }
  }

  private func drive(_ id: UploadID, _ first: UploadOperation) async {
    var operation = first
    while true {
      let input = await run(id, operation)
      guard let next = feed(id, input) else { break }
      operation = next
    }
    release(id)
  }

  func release(_ id: UploadID) {
    uploads[id]?.driving = false
    uploads[id]?.prefetch = nil
    if let record = uploads[id], record.earlyOutcome != nil || record.machine?.isSettled == true {
      uploads[id]?.holdsSlot = false
      disown(id)
    }
    schedule()
    checkSettled()
  }

  // MARK: - Events

  func publish(_ event: UploadEvent) {
    for out in throttle.offer(event, now: clock.now()) { continuation.yield(out) }
  }
}
