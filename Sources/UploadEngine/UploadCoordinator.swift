import Foundation
import GraphClient
import GraphModels
import Logging
import Synchronization

/// Where an upload goes: a task of a list (names are for display only).
public struct UploadTarget: Sendable, Hashable {
  public var listID: String
  public var taskID: String
  public var listName: String?
  public var taskTitle: String?

  /// A target by ids; the names only label journal entries.
  public init(listID: String, taskID: String, listName: String? = nil, taskTitle: String? = nil) {
    self.listID = listID
    self.taskID = taskID
    self.listName = listName
    self.taskTitle = taskTitle
  }
}

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

  /// Defaults suit Graph; concurrency is clamped to 1…4.
  public init(
    maxConcurrentUploads: Int = 2, maxRequestsInFlight: Int = 4,
    chunkSize: Int64 = UploadLimits.defaultChunkSize,
    machine: UploadStateMachine.Configuration = UploadStateMachine.Configuration(),
    progressInterval: Double = 0.1, deleteTimeout: Duration = .seconds(3),
    putTimeout: Duration = .seconds(900)
  ) {
    self.maxConcurrentUploads = min(max(maxConcurrentUploads, 1), 4)
    self.maxRequestsInFlight = min(max(maxRequestsInFlight, 1), 4)
    self.chunkSize = chunkSize
    self.machine = machine
    self.progressInterval = progressInterval
    self.deleteTimeout = deleteTimeout
    self.putTimeout = putTimeout
  }
}

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
}

/// Runs uploads: performs what each `UploadStateMachine` asks over a `GraphSession`, journals,
/// and publishes events.
///
/// Several files upload at once (default 2); each session stays sequential. Pause cancels the
/// in-flight request at once and keeps session and journal; cancel also deletes both.
public actor UploadCoordinator {
  /// Every upload's events. Byte progress is coalesced per upload; milestones are never dropped.
  public nonisolated let events: AsyncStream<UploadEvent>
  private nonisolated let continuation: AsyncStream<UploadEvent>.Continuation

  private let graph: GraphSession
  private let journal: UploadJournal?
  private let configuration: UploadCoordinatorConfiguration
  private let clock: any UploadClock
  private let logger: Logger

  private var uploads: [UploadID: Record] = [:]
  private var order: [UploadID] = []
  /// Uploads waiting for a slot, with the input that starts them.
  private var queue: [(id: UploadID, input: UploadInput)] = []
  private var throttle: ProgressThrottle
  private var settleWaiters: [CheckedContinuation<Void, Never>] = []
  private var requestsInFlight = 0
  private var requestWaiters: [CheckedContinuation<Void, Never>] = []

  /// How an upload began, which decides what a changed file means.
  private enum Origin: Sendable {
    /// A new upload (or a re-run of `tack upload` for a journaled file): a changed file starts afresh.
    case fresh(resuming: UploadJournalEntry?)
    /// `tack resume`: a changed file is refused.
    case journal(UploadJournalEntry)
  }

  /// Body bytes written so far by the PUT in flight (set from the transport's callback thread).
  private final class SentCounter: Sendable {
    let value = Mutex<Int64>(0)
  }

  private struct Record {
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
  }

  /// An operation's result and the token it used (a refresh must name the rejected token).
  private struct Completed: Sendable {
    var input: UploadInput
    var token: String?
  }

  /// A coordinator over `graph`; `journal` nil keeps nothing on disk (tests, demo).
  public init(
    graph: GraphSession, journal: UploadJournal?,
    configuration: UploadCoordinatorConfiguration = UploadCoordinatorConfiguration(),
    clock: any UploadClock = SystemUploadClock()
  ) {
    self.graph = graph
    self.journal = journal
    self.configuration = configuration
    self.clock = clock
    self.logger = graph.logger
    self.throttle = ProgressThrottle(interval: configuration.progressInterval)
    (events, continuation) = AsyncStream.makeStream(
      of: UploadEvent.self, bufferingPolicy: .unbounded)
  }

  /// `{uploadUrl}/content`, the documented PUT target: the segment goes on the path, before any
  /// query string, and never after a trailing slash.
  static func contentURL(_ uploadURL: String) -> String {
    var path = uploadURL
    var query = ""
    if let mark = uploadURL.firstIndex(of: "?") {
      path = String(uploadURL[..<mark])
      query = String(uploadURL[mark...])
    }
    while path.hasSuffix("/") { path.removeLast() }
    return path + "/content" + query
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

  private func release(_ id: UploadID) {
    uploads[id]?.driving = false
    if let record = uploads[id], record.holdsSlot {
      let settled = record.earlyOutcome != nil || record.machine?.isSettled == true
      if settled { uploads[id]?.holdsSlot = false }
    }
    schedule()
    checkSettled()
  }

  // MARK: - Preparation

  /// Hashes a new file, or proves a journaled one unchanged. False when the upload ended here.
  private func prepare(_ id: UploadID) async -> Bool {
    guard let record = uploads[id] else { return false }
    let path = record.file.path
    let digest: String
    do {
      digest = try await Task.detached(priority: .userInitiated) {
        try SHA256.hex(ofFileAt: path)
      }.value
    } catch {
      if case .journal(let entry) = record.origin {
        await refuseChanged(id, entry: entry, reason: "it can no longer be read (\(error))")
        return false
      }
      endEarly(id, reason: "\(record.file.path): cannot be read: \(error)")
      return false
    }
    switch record.origin {
    case .fresh(let previous):
      var file = record.file
      if let change = FileInspector.quickChange(of: file) {
        endEarly(id, reason: "\(file.path): changed while it was being read (\(change)); try again")
        return false
      }
      file.sha256 = digest
      if let previous {
        if let change = Self.difference(previous, file) {
          // The journaled session holds old bytes: never mix them with new ones.
          logger.notice(
            "journaled file changed; starting afresh", metadata: ["reason": .string(change)])
          await discardSession(previous)
          return makeMachine(id, file: file, resuming: nil, notice: Self.changedNotice(change))
        }
        return makeMachine(id, file: file, resuming: previous, notice: nil)
      }
      return makeMachine(id, file: file, resuming: nil, notice: nil)
    case .journal(let entry):
      var file = record.file
      file.sha256 = digest
      if let current = FileInspector.currentIdentity(file.path) {
        file.size = current.size
        file.modificationTimeNanoseconds = current.mtime
      } else {
        await refuseChanged(id, entry: entry, reason: "the file is gone")
        return false
      }
      if let change = Self.difference(entry, file) {
        await refuseChanged(id, entry: entry, reason: change)
        return false
      }
      return makeMachine(id, file: file, resuming: entry, notice: nil)
    }
  }

  private static func changedNotice(_ change: String) -> String {
    "the file changed since the interrupted upload (\(change)); its old session was deleted and the upload starts afresh"
  }

  /// How `file` differs from the journaled one, or nil when size, mtime and SHA-256 agree.
  static func difference(_ entry: UploadJournalEntry, _ file: LocalFile) -> String? {
    if entry.fileSize != file.size {
      return "its size changed from \(entry.fileSize) to \(file.size) bytes"
    }
    if entry.modificationTimeNanoseconds != file.modificationTimeNanoseconds {
      return "its modification time changed"
    }
    if entry.sha256 != file.sha256 { return "its contents changed (SHA-256 differs)" }
    return nil
  }

  private func makeMachine(
    _ id: UploadID, file: LocalFile, resuming entry: UploadJournalEntry?, notice: String?
  ) -> Bool {
    guard var record = uploads[id] else { return false }
    do {
      let machine = try UploadStateMachine(
        id: id, name: file.name, size: file.size, chunkSize: record.chunkSize,
        configuration: configuration.machine, resumingFrom: entry?.sessionProgress)
      record.machine = machine
    } catch {
      record.file = file
      uploads[id] = record
      endEarly(id, reason: "\(file.path): \(error)")
      return false
    }
    record.file = file
    var journalEntry =
      entry
      ?? UploadJournalEntry(
        id: id, file: file, listID: record.target.listID, taskID: record.target.taskID,
        listName: record.target.listName, taskTitle: record.target.taskTitle,
        graphBaseURL: graph.baseURL, chunkSize: record.chunkSize, now: clock.now())
    if entry == nil { journalEntry.sha256 = file.sha256 ?? "" }
    record.entry = journalEntry
    uploads[id] = record
    if let notice { publish(.sessionRecreated(id: id, reason: notice)) }
    return true
  }

  private func endEarly(_ id: UploadID, reason: String) {
    let clean = UploadStateMachine.sanitize(reason)
    uploads[id]?.earlyOutcome = .failed(reason: clean, authentication: false)
    publish(.failed(id: id, reason: clean))
  }

  /// `tack resume` of a changed file: say so, delete the old session and the journal entry.
  private func refuseChanged(_ id: UploadID, entry: UploadJournalEntry, reason: String) async {
    await discardSession(entry)
    endEarly(
      id,
      reason:
        "\(entry.filePath): not resumed because \(reason) since the upload started; its old"
        + " session was deleted — upload the file again to attach the current version")
  }

  private func discardSession(_ entry: UploadJournalEntry) async {
    if let url = entry.uploadUrl {
      _ = await Self.execute(
        .deleteSession(url: url), context: context(for: entry.id, fallbackPath: entry.filePath))
    }
    try? journal?.remove(entry.id)
  }

  // MARK: - Feeding the machine

  /// Feeds `input` and performs the resulting actions; returns the operation to start, if any.
  private func feed(_ id: UploadID, _ input: UploadInput) -> UploadOperation? {
    guard var record = uploads[id], var machine = record.machine else { return nil }
    let actions = machine.handle(input, now: clock.now())
    record.machine = machine
    uploads[id] = record
    var operation: UploadOperation?
    for action in actions {
      switch action {
      case .perform(let next): operation = next
      case .abortInFlight: uploads[id]?.operation?.cancel()
      case .saveJournal(let progress): saveJournal(id, progress)
      case .removeJournal: removeJournal(id)
      case .emit(let event): publish(event)
      }
    }
    if machine.isSettled, operation == nil, uploads[id]?.driving == false {
      release(id)
    }
    return operation
  }

  private func saveJournal(_ id: UploadID, _ progress: SessionProgress) {
    guard let journal, var entry = uploads[id]?.entry else { return }
    entry.sessionProgress = progress
    entry.updatedAt = clock.now()
    uploads[id]?.entry = entry
    guard entry.uploadUrl != nil else { return }
    do {
      try journal.save(entry)
    } catch {
      // The upload can go on; only crash recovery is weaker. Say so once per failure.
      logger.error(
        "cannot write the upload journal", metadata: ["error": .string(error.description)])
    }
  }

  private func removeJournal(_ id: UploadID) {
    do {
      try journal?.remove(id)
    } catch {
      logger.error(
        "cannot delete the upload journal entry", metadata: ["error": .string(error.description)])
    }
  }

  private func publish(_ event: UploadEvent) {
    for out in throttle.offer(event, now: clock.now()) { continuation.yield(out) }
  }

  // MARK: - Performing operations

  /// What an operation needs to run away from the actor.
  private struct Context: Sendable {
    var graph: GraphSession
    var clock: any UploadClock
    var logger: Logger
    var file: LocalFile
    var target: UploadTarget
    var sent: SentCounter
    var lastToken: String?
    var deleteTimeout: Duration
    var putTimeout: Duration
    var limiter: UploadCoordinator
  }

  private func context(for id: UploadID, fallbackPath: String = "") -> Context {
    let record = uploads[id]
    return Context(
      graph: graph, clock: clock, logger: logger,
      file: record?.file
        ?? LocalFile(
          path: fallbackPath, name: "", size: 0, modificationTimeNanoseconds: 0,
          contentType: "application/octet-stream"),
      target: record?.target ?? UploadTarget(listID: "", taskID: ""),
      sent: record?.sent ?? SentCounter(), lastToken: record?.lastToken,
      deleteTimeout: configuration.deleteTimeout, putTimeout: configuration.putTimeout,
      limiter: self)
  }

  /// Runs one operation (cancellable through `abortInFlight`) and returns its result.
  private func run(_ id: UploadID, _ operation: UploadOperation) async -> UploadInput {
    guard let record = uploads[id] else { return .transportFailed(.cancelled) }
    if case .put = operation, let change = FileInspector.quickChange(of: record.file) {
      return .fileChanged("\(record.file.path) changed during the upload (\(change)); not attached")
    }
    record.sent.value.withLock { $0 = 0 }
    let context = context(for: id)
    let task = Task { await Self.execute(operation, context: context) }
    uploads[id]?.operation = task
    var watchdog: Task<Void, Never>?
    if case .put = operation {
      let interval = max(
        0.02, min(configuration.progressInterval, configuration.machine.stallTimeout / 4))
      watchdog = Task { [clock] in
        while !Task.isCancelled {
          do { try await clock.sleep(seconds: interval) } catch { return }
          self.tick(id)
        }
      }
    }
    let completed = await task.value
    watchdog?.cancel()
    uploads[id]?.operation = nil
    if let token = completed.token { uploads[id]?.lastToken = token }
    if case .transportFailed(.bodyUnreadable) = completed.input,
      let change = FileInspector.quickChange(of: record.file)
    {
      // The file was rewritten under the PUT: its bytes can no longer be trusted.
      return .fileChanged("\(record.file.path) changed during the upload (\(change)); not attached")
    }
    return completed.input
  }

  /// Watchdog and sent-bytes progress for the PUT in flight.
  private func tick(_ id: UploadID) {
    guard let record = uploads[id], let machine = record.machine,
      case .sending(let range) = machine.state
    else { return }
    let sent = record.sent.value.withLock { $0 }
    publish(
      .progress(
        id: id, sent: range.first + sent, acknowledged: machine.acknowledgedHigh,
        size: machine.size))
    for event in throttle.due(now: clock.now()) { continuation.yield(event) }
    _ = feed(id, .tick(sentBytes: sent))
  }

  func acquireRequestSlot() async {
    while requestsInFlight >= configuration.maxRequestsInFlight {
      await withCheckedContinuation { requestWaiters.append($0) }
    }
    requestsInFlight += 1
  }

  func releaseRequestSlot() {
    requestsInFlight -= 1
    if !requestWaiters.isEmpty { requestWaiters.removeFirst().resume() }
  }

  private static func execute(_ operation: UploadOperation, context: Context) async -> Completed {
    switch operation {
    case .wait(let seconds):
      try? await context.clock.sleep(seconds: seconds)
      return Completed(input: .timerFired, token: nil)
    case .refreshToken:
      do {
        let token = try await context.graph.tokens.refresh(after: context.lastToken ?? "")
        return Completed(input: .tokenRefreshed, token: token)
      } catch {
        return Completed(input: tokenFailure(error), token: nil)
      }
    case .createSession:
      let info = AttachmentInfo(
        name: context.file.name, size: context.file.size, contentType: context.file.contentType)
      let request = context.graph.createUploadSessionRequest(
        listID: context.target.listID, taskID: context.target.taskID, info: info)
      return await send(request, context: context)
    case .createEmptyAttachment:
      let request = context.graph.smallAttachmentRequest(
        listID: context.target.listID, taskID: context.target.taskID, name: context.file.name,
        contentType: context.file.contentType, contentBytes: Data())
      return await send(request, context: context)
    case .put(let url, let range):
      let sent = context.sent
      return await send(
        HTTPRequest(
          method: "PUT", url: Self.contentURL(url),
          headers: [
            ("Content-Type", "application/octet-stream"), ("Content-Length", String(range.length)),
            ("Content-Range", range.description),
          ],
          body: .file(path: context.file.path, offset: range.first, length: range.length),
          timeout: context.putTimeout),
        context: context, progress: { bytes in sent.value.withLock { $0 = bytes } })
    case .queryStatus(let url):
      return await send(
        HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")]),
        context: context)
    case .deleteSession(let url):
      return await send(
        HTTPRequest(method: "DELETE", url: url, timeout: context.deleteTimeout), context: context)
    case .listAttachments:
      return await listAttachments(context: context)
    }
  }

  private static func listAttachments(context: Context) async -> Completed {
    var url = context.graph.url(
      context.graph.taskPath(listID: context.target.listID, taskID: context.target.taskID)
        + "/attachments")
    var attachments: [TaskFileAttachment] = []
    var token: String?
    for _ in 0..<100 {
      let result = await send(
        HTTPRequest(method: "GET", url: url, headers: [("Accept", "application/json")]),
        context: context)
      token = result.token ?? token
      guard case .answered(let response) = result.input, response.status == 200 else {
        return result
      }
      guard
        let page = try? GraphJSON.decoder().decode(
          GraphPage<TaskFileAttachment>.self, from: response.body)
      else {
        return Completed(
          input: .answered(
            HTTPResponse(status: 502, body: Data("unreadable attachment list".utf8))),
          token: token)
      }
      attachments += page.value
      guard let next = page.nextLink, !next.isEmpty, context.graph.isGraphURL(next) else { break }
      url = next
    }
    return Completed(input: .attachmentsListed(attachments), token: token)
  }

  /// Sends with a bearer token (to the Graph origin only) and a fresh `client-request-id`.
  private static func send(
    _ request: HTTPRequest, context: Context, progress: (@Sendable (Int64) -> Void)? = nil
  ) async -> Completed {
    var request = request
    var token: String?
    if context.graph.isGraphURL(request.url) {
      do {
        let current = try await context.graph.tokens.accessToken()
        token = current
        request.headers.append(("Authorization", "Bearer \(current)"))
      } catch {
        return Completed(input: tokenFailure(error), token: nil)
      }
    }
    let clientRequestID = UUID().uuidString.lowercased()
    request.headers.append(("client-request-id", clientRequestID))
    await context.limiter.acquireRequestSlot()
    let started = ContinuousClock.now
    let input: UploadInput
    do {
      let response = try await context.graph.transport.send(request, progress: progress)
      input = .answered(response)
      log(
        request, status: response.status, requestID: response.header("request-id"),
        clientRequestID: clientRequestID, started: started, logger: context.logger)
    } catch let error as TransportError {
      input = .transportFailed(Task.isCancelled ? .cancelled : error)
      log(
        request, status: nil, requestID: nil, clientRequestID: clientRequestID, started: started,
        logger: context.logger, error: "\(error)")
    } catch {
      input = .transportFailed(Task.isCancelled ? .cancelled : .other(String(describing: error)))
    }
    await context.limiter.releaseRequestSlot()
    return Completed(input: input, token: token)
  }

  private static func log(
    _ request: HTTPRequest, status: Int?, requestID: String?, clientRequestID: String,
    started: ContinuousClock.Instant, logger: Logger, error: String? = nil
  ) {
    var url = request.url
    if let question = url.firstIndex(of: "?") { url = String(url[..<question]) + "?…" }
    var metadata: Logger.Metadata = [
      "method": .string(request.method), "url": .string(url),
      "client-request-id": .string(clientRequestID),
      "ms": .stringConvertible(Int((ContinuousClock.now - started) / .milliseconds(1))),
    ]
    if let range = request.header("Content-Range") { metadata["range"] = .string(range) }
    if let status { metadata["status"] = .stringConvertible(status) }
    if let requestID { metadata["request-id"] = .string(requestID) }
    if let error { metadata["error"] = .string(error) }
    let quiet = status.map { (200..<300).contains($0) } ?? false
    logger.log(level: quiet ? .debug : .notice, "upload request", metadata: metadata)
  }

  /// A token failure as the machine sees it: unreachable identity service → retry; else sign-in.
  private static func tokenFailure(_ error: any Error) -> UploadInput {
    if Task.isCancelled || error is CancellationError { return .transportFailed(.cancelled) }
    if case GraphError.transport(let transport) = error { return .transportFailed(transport) }
    return .tokenRefreshFailed(describe(error))
  }

  private static func describe(_ error: any Error) -> String {
    if let graph = error as? GraphError { return graph.description }
    return String(describing: error)
  }
}
