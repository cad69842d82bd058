import Foundation
import GraphClient
import GraphModels

/// The decisions of one upload, with no I/O and no clock of its own (swift-nio style).
///
/// Feed it inputs with the current time; it returns actions for the coordinator to perform in
/// order. At most one operation is in flight, so a session stays sequential. The rules it
/// encodes (DESIGN.md §6): the next offset always comes from the server; after an ambiguous
/// failure ask the server (status GET, or when that is unsupported fall back to the last
/// acknowledged offset and let a 416 correct it); a 416 resynchronises and never loops; a lost
/// session gets bounded retries and is then replaced, with every later request going to the new
/// URL; a session that would expire before the upload can finish is replaced early; a 401
/// refreshes the token once; a lost final answer is settled by listing the task's attachments.
public struct UploadStateMachine: Sendable {
  /// Tunables; defaults suit Graph, tests shrink the delays.
  public struct Configuration: Sendable {
    /// Budget of consecutive failed attempts without progress, and the backoff curve.
    public var retryPolicy: RetryPolicy
    /// How often a 404 for the session is retried before the session is replaced.
    public var sessionNotFoundRetries: Int
    /// Wait before retrying after a 404 (grows linearly with each retry).
    public var sessionNotFoundDelay: Double
    /// Session replacements allowed per upload (lost, rejected or about to expire).
    public var maxSessionRecreations: Int
    /// Seconds without body bytes moving (or without an answer) before a PUT is abandoned.
    public var stallTimeout: Double
    /// Seconds of slack kept before a session's expiry.
    public var expiryMargin: Double
    /// Attachments modified this long before the session was created still match a lost upload
    /// (covers clock skew between us and the service).
    public var reconcileSkew: Double
    /// Values in 0..<1 for backoff jitter; injected so tests are deterministic.
    public var random: @Sendable () -> Double

    public init(
      retryPolicy: RetryPolicy = RetryPolicy(maxRetries: 6, baseDelay: 0.5, maxDelay: 30),
      sessionNotFoundRetries: Int = 2,
      sessionNotFoundDelay: Double = 1,
      maxSessionRecreations: Int = 3,
      stallTimeout: Double = 30,
      expiryMargin: Double = 15,
      reconcileSkew: Double = 600,
      random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
      self.retryPolicy = retryPolicy
      self.sessionNotFoundRetries = sessionNotFoundRetries
      self.sessionNotFoundDelay = sessionNotFoundDelay
      self.maxSessionRecreations = maxSessionRecreations
      self.stallTimeout = stallTimeout
      self.expiryMargin = expiryMargin
      self.reconcileSkew = reconcileSkew
      self.random = random
    }
  }

  /// Where the upload stands. Exactly one operation is in flight in the "…ing" states.
  public enum State: Sendable, Equatable {
    /// Built, nothing sent yet (possibly holding a journaled session to resume).
    case idle
    /// `createUploadSession`, or the single POST of a 0-byte file, is in flight.
    case creating
    /// A PUT of this range is in flight.
    case sending(ContentRange)
    /// A status GET is in flight to learn the server's offset.
    case querying
    /// The task's attachments are being listed to settle a possibly completed upload.
    case reconciling
    /// A token refresh after a 401 is in flight; the rejected operation then repeats once.
    case refreshing
    /// Waiting before a retry (Retry-After, backoff, or a grace period after a 404).
    case waiting
    /// The old session is being deleted before its replacement is created.
    case replacing
    /// Stopped by the user; session and journal kept, nothing in flight.
    case paused
    /// The session is being deleted on the way to `cancelled` or `failed`.
    case abandoning
    /// Attached; the journal entry is gone.
    case completed(attachmentID: String)
    /// Gave up; the journal entry is kept when the upload can still be resumed.
    case failed(reason: String)
    /// Cancelled by the user; session deleted (best effort) and journal entry gone.
    case cancelled
  }

  /// What to do once a wait or a token refresh ends.
  private enum FollowUp: Sendable, Equatable {
    /// PUT from the acknowledged offset.
    case resend
    /// Learn the server's offset (status GET, or the journal offset when that is unsupported).
    case query
    case create
    case reconcile
    case repeatOperation(UploadOperation)
  }

  /// A request to stop the operation in flight, and why.
  private enum Interruption: Sendable, Equatable {
    case pause
    case cancel
    case stall
  }

  private enum StatusSupport: Sendable, Equatable {
    case unknown
    case supported
    case unsupported
  }

  private enum Abandonment: Sendable, Equatable {
    case cancel
    case fail(String)
  }

  private struct Session: Sendable, Equatable {
    var url: String
    var expiration: Date?
    var createdAt: Date?
  }

  public let id: UploadID
  public let name: String
  public let size: Int64
  public private(set) var planner: ChunkPlanner
  public private(set) var state: State = .idle
  private let configuration: Configuration

  private var session: Session?
  /// The server's offset in the current session, as last confirmed (or, after a 416 with no
  /// status GET, as inferred; `offsetIsGuess` says which).
  public private(set) var acknowledged: Int64 = 0
  /// The acknowledged channel: the highest offset ever confirmed; monotonic, ends at `size`.
  public private(set) var acknowledgedHigh: Int64 = 0
  private var offsetIsGuess = false
  private var finalChunkSent = false

  private var inFlight: UploadOperation?
  private var followUp: FollowUp?
  private var interruption: Interruption?
  private var statusSupport: StatusSupport = .unknown
  private var failedAttempts = 0
  private var rangeErrors = 0
  private var sessionNotFound = 0
  private var recreations = 0
  private var refreshedForCurrentOperation = false
  /// The operation that got a 401, repeated once the token is refreshed.
  private var repeatAfterRefresh: UploadOperation?
  private var pendingRecreationReason: String?
  private var announceResume = false
  /// Set while the session is being deleted for good: nil reason means a user cancel.
  private var abandonment: Abandonment?

  private var sendStartedAt: Date?
  private var lastMovementAt: Date?
  private var lastSentSample: Int64 = 0
  /// Bytes per second, smoothed over acknowledged PUTs.
  public private(set) var throughput: Double?
  /// Server clock minus ours, from `Date` headers (only trusted beyond a couple of seconds).
  private var clockSkew: Double = 0

  /// A fresh upload, or (with `resumingFrom`) one whose session was journaled earlier.
  public init(
    id: UploadID, name: String, size: Int64, chunkSize: Int64,
    configuration: Configuration = Configuration(), resumingFrom progress: SessionProgress? = nil
  ) throws(ChunkPlanner.PlanError) {
    self.id = id
    self.name = name
    self.size = size
    self.planner = try ChunkPlanner(size: size, chunkSize: progress?.chunkSize ?? chunkSize)
    self.configuration = configuration
    if let progress, let url = progress.uploadUrl {
      session = Session(
        url: url, expiration: progress.expiration, createdAt: progress.sessionCreatedAt)
      acknowledged = min(max(progress.acknowledgedOffset, 0), size)
      acknowledgedHigh = acknowledged
      lastConfirmedOffset = acknowledged
      finalChunkSent = progress.finalChunkSent
    }
  }

  /// The journal snapshot of the current session.
  public var progress: SessionProgress {
    SessionProgress(
      uploadUrl: session?.url, expiration: session?.expiration,
      sessionCreatedAt: session?.createdAt,
      acknowledgedOffset: offsetIsGuess ? lastConfirmedOffset : acknowledged,
      chunkSize: planner.chunkSize, finalChunkSent: finalChunkSent)
  }

  private var lastConfirmedOffset: Int64 = 0

  /// The current session's upload URL, if there is one.
  public var uploadURL: String? { session?.url }

  /// The operation in flight, if any.
  public var operationInFlight: UploadOperation? { inFlight }

  /// The end result, once the upload is settled (or paused).
  public var outcome: UploadOutcome? {
    switch state {
    case .completed(let attachmentID): return .completed(attachmentID: attachmentID)
    case .failed(let reason): return .failed(reason: reason, authentication: failedOnAuthentication)
    case .cancelled: return .cancelled
    case .paused: return .paused
    default: return nil
    }
  }

  private var failedOnAuthentication = false

  /// True once nothing more will happen without a user command.
  public var isSettled: Bool { outcome != nil }

  // MARK: - Inputs

  /// Handles one input at time `now` and returns what to do, in order.
  public mutating func handle(_ input: UploadInput, now: Date) -> [UploadAction] {
    switch input {
    case .start: return start(now: now)
    case .pause: return pause()
    case .resume: return resume(now: now)
    case .cancel: return cancel()
    case .tick(let sent): return tick(sent: sent, now: now)
    case .fileChanged(let reason): return fileChanged(reason)
    case .answered, .transportFailed, .attachmentsListed, .tokenRefreshed, .tokenRefreshFailed,
      .timerFired:
      guard let operation = inFlight else { return [] }
      inFlight = nil
      return settle(operation, with: input, now: now)
    }
  }

  private mutating func start(now: Date) -> [UploadAction] {
    guard state == .idle else { return [] }
    if session != nil {
      announceResume = true
      lastConfirmedOffset = acknowledged
      return query(now: now)
    }
    return planner.isEmpty ? perform(.createEmptyAttachment, as: .creating) : createSession()
  }

  private mutating func pause() -> [UploadAction] {
    switch state {
    case .idle:
      state = .paused
      return [.emit(.paused(id: id, acknowledged: acknowledgedHigh))]
    case .creating, .sending, .querying, .reconciling, .refreshing, .waiting, .replacing:
      guard interruption == nil || interruption == .stall else { return [] }
      interruption = .pause
      return [.abortInFlight]
    case .paused, .abandoning, .completed, .failed, .cancelled:
      return []
    }
  }

  private mutating func resume(now: Date) -> [UploadAction] {
    switch state {
    case .paused, .failed:
      if abandonment != nil { return [] }
      resetBudgets()
      failedOnAuthentication = false
      interruption = nil
      announceResume = true
      if session != nil { return query(now: now) }
      state = .idle
      return planner.isEmpty ? perform(.createEmptyAttachment, as: .creating) : createSession()
    case .idle:
      return start(now: now)
    default:
      // Resuming while a pause is still settling cancels the pause.
      if interruption == .pause { interruption = nil }
      return []
    }
  }

  private mutating func cancel() -> [UploadAction] {
    switch state {
    case .completed, .cancelled, .abandoning:
      return []
    case .idle, .paused, .failed:
      return abandon(.cancel)
    case .creating, .sending, .querying, .reconciling, .refreshing, .waiting, .replacing:
      interruption = .cancel
      return [.abortInFlight]
    }
  }

  /// Sent by the coordinator instead of starting a PUT whose file no longer matches.
  private mutating func fileChanged(_ reason: String) -> [UploadAction] {
    switch state {
    case .completed, .cancelled, .abandoning, .failed: return []
    default:
      inFlight = nil
      return abandon(.fail(Self.sanitize(reason)))
    }
  }

  private mutating func tick(sent: Int64, now: Date) -> [UploadAction] {
    guard case .sending = state, interruption == nil else { return [] }
    if sent != lastSentSample {
      lastSentSample = sent
      lastMovementAt = now
      return []
    }
    guard let last = lastMovementAt, now.timeIntervalSince(last) >= configuration.stallTimeout
    else { return [] }
    interruption = .stall
    return [.abortInFlight]
  }

  // MARK: - Results

  private mutating func settle(_ operation: UploadOperation, with input: UploadInput, now: Date)
    -> [UploadAction]
  {
    if case .answered(let response) = input {
      noteServerClock(response, now: now)
      if response.status != 401 { refreshedForCurrentOperation = false }
    }
    switch interruption {
    case .cancel:
      interruption = nil
      if case .answered(let response) = input, (200..<300).contains(response.status) {
        switch operation {
        case .put where response.status == 201:
          // The last chunk landed before the cancel did: the file is attached.
          return complete(response: response)
        case .createSession:
          if let created = try? UploadSessionState.parse(response.body), let url = created.uploadUrl
          {
            session = Session(url: url, expiration: created.expirationDateTime, createdAt: now)
          }
        default:
          break
        }
      }
      return abandon(.cancel)
    case .pause:
      interruption = nil
      // A PUT that raced the pause may have been accepted: keep what the server confirmed.
      var actions: [UploadAction] = []
      if case .answered(let response) = input, (200..<300).contains(response.status) {
        actions = settleWhilePausing(operation, response: response, now: now)
        if state != .paused, isSettled { return actions }
      }
      state = .paused
      return actions + [.emit(.paused(id: id, acknowledged: acknowledgedHigh))]
    case .stall:
      interruption = nil
      if case .answered(let response) = input, response.status < 300 { break }
      return ambiguousFailure(reason: .stalled, retryAfter: nil, detail: "no bytes moved", now: now)
    case nil:
      break
    }
    if case .tokenRefreshFailed(let reason) = input {
      // No token could be had for this request (or after a 401): only signing in helps.
      failedOnAuthentication = true
      return fail(reason)
    }
    switch operation {
    case .createSession: return sessionCreationSettled(input, now: now)
    case .createEmptyAttachment: return emptyAttachmentSettled(input, now: now)
    case .put(_, let range): return putSettled(range, input, now: now)
    case .queryStatus: return statusSettled(input, now: now)
    case .listAttachments: return listSettled(input, now: now)
    case .deleteSession: return deleteSettled()
    case .refreshToken: return refreshSettled(input, now: now)
    case .wait: return runFollowUp(now: now)
    }
  }

  /// Applies a successful answer that arrived while a pause was settling; returns its actions.
  private mutating func settleWhilePausing(
    _ operation: UploadOperation, response: HTTPResponse, now: Date
  ) -> [UploadAction] {
    switch operation {
    case .createSession:
      guard let created = try? UploadSessionState.parse(response.body), let url = created.uploadUrl
      else { return [] }
      return adoptSession(url: url, expiration: created.expirationDateTime, now: now)
    case .put(_, let range):
      if response.status == 201 || (response.header("Location") != nil && response.status < 300) {
        return complete(response: response, lastChunk: range)
      }
      guard let next = try? UploadSessionState.parse(response.body).nextOffset else { return [] }
      return acknowledge(next: next, sent: range, now: now)
    case .queryStatus:
      guard let next = try? UploadSessionState.parse(response.body).nextOffset else { return [] }
      return acknowledge(next: next, sent: nil, now: now)
    case .createEmptyAttachment:
      if let attachment = try? TaskFileAttachment.decodeSingle(from: response.body) {
        return finish(attachmentID: attachment.id)
      }
      return []
    default:
      return []
    }
  }

  private mutating func sessionCreationSettled(_ input: UploadInput, now: Date) -> [UploadAction] {
    switch input {
    case .answered(let response) where response.status == 200 || response.status == 201:
      guard let created = try? UploadSessionState.parse(response.body), let url = created.uploadUrl
      else {
        return fail("createUploadSession answered without an uploadUrl")
      }
      var actions = adoptSession(url: url, expiration: created.expirationDateTime, now: now)
      actions += nextPut(now: now)
      return actions
    case .answered(let response):
      return httpFailure(response, operation: .createSession, now: now)
    case .transportFailed(let error):
      return transportFailure(error, operation: .createSession, now: now)
    default:
      return unexpected(input)
    }
  }

  /// Records a new session: journal first, then the event (DESIGN.md §6.1).
  private mutating func adoptSession(url: String, expiration: Date?, now: Date) -> [UploadAction] {
    session = Session(url: url, expiration: expiration, createdAt: now)
    acknowledged = 0
    lastConfirmedOffset = 0
    offsetIsGuess = false
    finalChunkSent = false
    sessionNotFound = 0
    rangeErrors = 0
    var actions: [UploadAction] = [.saveJournal(progress)]
    if let reason = pendingRecreationReason {
      pendingRecreationReason = nil
      actions.append(.emit(.sessionRecreated(id: id, reason: reason)))
    } else {
      actions.append(
        .emit(
          .sessionCreated(
            id: id, name: name, size: size, chunkSize: planner.chunkSize, expiration: expiration)))
    }
    return actions
  }

  private mutating func emptyAttachmentSettled(_ input: UploadInput, now: Date) -> [UploadAction] {
    switch input {
    case .answered(let response) where response.status == 200 || response.status == 201:
      if let attachment = try? TaskFileAttachment.decodeSingle(from: response.body) {
        return finish(attachmentID: attachment.id)
      }
      if let location = response.header("Location"),
        let attachmentID = AttachmentLocation.attachmentID(from: location)
      {
        return finish(attachmentID: attachmentID)
      }
      return reconcile()
    case .answered(let response):
      return httpFailure(response, operation: .createEmptyAttachment, now: now)
    case .transportFailed(let error):
      if error.isAmbiguous {
        // The POST may have created the attachment: look before posting again.
        return retryLater(
          reason: Self.reason(for: error), retryAfter: nil,
          detail: GraphError.transport(error).description,
          then: .reconcile)
      }
      return transportFailure(error, operation: .createEmptyAttachment, now: now)
    default:
      return unexpected(input)
    }
  }

  private mutating func putSettled(_ range: ContentRange, _ input: UploadInput, now: Date)
    -> [UploadAction]
  {
    guard case .answered(let response) = input else {
      if case .transportFailed(let error) = input {
        return transportFailure(
          error, operation: .put(url: session?.url ?? "", range: range), now: now)
      }
      return unexpected(input)
    }
    switch response.status {
    case 201:
      return complete(response: response, lastChunk: range)
    case 200, 202:
      if let state = try? UploadSessionState.parse(response.body), let next = state.nextOffset {
        if next <= range.first && next <= acknowledged {
          // The server took nothing: treat like a range error so this can never loop.
          return rangeError(range: range, response: response, now: now)
        }
        sampleThroughput(bytes: next - range.first, now: now)
        var actions = acknowledge(next: next, sent: range, now: now)
        if next >= size { actions += reconcile() } else { actions += nextPut(now: now) }
        return actions
      }
      if response.header("Location") != nil {
        return complete(response: response, lastChunk: range)
      }
      // A success without ranges: it may have been the end. Ask before sending more.
      return query(now: now)
    case 416:
      return rangeError(range: range, response: response, now: now)
    case 400, 409:
      let code = GraphErrorBody.parse(response.body)?.code.lowercased() ?? ""
      // A 400 at a guessed offset is most likely the service rejecting the guess.
      if code.contains("range") || code.contains("order") || code.contains("overlap")
        || (response.status == 400 && offsetIsGuess)
      {
        return rangeError(range: range, response: response, now: now)
      }
      return httpFailure(response, operation: .put(url: session?.url ?? "", range: range), now: now)
    case 413:
      return shrinkChunk(after: response, now: now)
    default:
      return httpFailure(response, operation: .put(url: session?.url ?? "", range: range), now: now)
    }
  }

  private mutating func statusSettled(_ input: UploadInput, now: Date) -> [UploadAction] {
    guard let url = session?.url else { return createSession() }
    switch input {
    case .answered(let response) where response.status == 200:
      statusSupport = .supported
      guard let state = try? UploadSessionState.parse(response.body) else {
        statusSupport = .unsupported
        return fallBackToJournalOffset(now: now)
      }
      guard let next = state.nextOffset else {
        // Nothing more expected: the upload may have completed with its answer lost.
        return reconcile()
      }
      var actions = acknowledge(next: next, sent: nil, now: now)
      actions += announceResumption()
      actions += next >= size ? reconcile() : nextPut(now: now)
      return actions
    case .answered(let response)
    where (response.status == 404 || response.status == 410) && statusSupport == .supported:
      return sessionLost(response: response, operation: .queryStatus(url: url), now: now)
    case .answered(let response) where [400, 404, 405, 501].contains(response.status):
      // Status GET is undocumented for To Do: without it, the journal offset is our best
      // knowledge, and a 416 (or a 404 for a dead session) will correct it.
      statusSupport = .unsupported
      return fallBackToJournalOffset(now: now)
    case .answered(let response):
      return httpFailure(response, operation: .queryStatus(url: url), now: now)
    case .transportFailed(let error):
      return transportFailure(error, operation: .queryStatus(url: url), now: now)
    default:
      return unexpected(input)
    }
  }

  private mutating func listSettled(_ input: UploadInput, now: Date) -> [UploadAction] {
    switch input {
    case .attachmentsListed(let attachments):
      if let match = matchingAttachment(in: attachments) { return finish(attachmentID: match.id) }
      if planner.isEmpty { return perform(.createEmptyAttachment, as: .creating) }
      return recreate(reason: "the upload session was lost before the file was attached")
    case .answered(let response):
      return httpFailure(response, operation: .listAttachments, now: now)
    case .transportFailed(let error):
      return transportFailure(error, operation: .listAttachments, now: now)
    default:
      return unexpected(input)
    }
  }

  private mutating func deleteSettled() -> [UploadAction] {
    switch state {
    case .replacing:
      return createSession()
    case .abandoning:
      return finishAbandon()
    default:
      return []
    }
  }

  private mutating func refreshSettled(_ input: UploadInput, now: Date) -> [UploadAction] {
    switch input {
    case .tokenRefreshed:
      followUp = repeatAfterRefresh.map { .repeatOperation($0) } ?? .query
      repeatAfterRefresh = nil
      return runFollowUp(now: now)
    case .transportFailed(let error):
      // The identity endpoint could not be reached: a network problem, not a sign-in one.
      return retryLater(
        reason: Self.reason(for: error), retryAfter: nil,
        detail: GraphError.transport(error).description, then: .repeatOperation(.refreshToken))
    default:
      return unexpected(input)
    }
  }

  // MARK: - Decisions

  /// Starts the PUT from the acknowledged offset, or settles the upload when nothing is left.
  private mutating func nextPut(now: Date) -> [UploadAction] {
    guard let session else { return createSession() }
    guard let range = planner.chunk(from: acknowledged) else { return reconcile() }
    if shouldReplaceBeforeExpiry(now: now) {
      return recreate(
        reason: "the session would expire before the upload could finish", deleting: session.url)
    }
    var actions: [UploadAction] = []
    if planner.isFinal(range) && !finalChunkSent {
      finalChunkSent = true
      actions.append(.saveJournal(progress))
    }
    sendStartedAt = now
    lastMovementAt = now
    lastSentSample = 0
    actions += perform(.put(url: session.url, range: range), as: .sending(range))
    return actions
  }

  private mutating func createSession() -> [UploadAction] {
    perform(.createSession, as: .creating)
  }

  private mutating func perform(_ operation: UploadOperation, as newState: State) -> [UploadAction]
  {
    state = newState
    inFlight = operation
    return [.perform(operation)]
  }

  /// Asks the server where it stands, or falls back when it cannot be asked.
  private mutating func query(now: Date) -> [UploadAction] {
    guard let session else { return createSession() }
    if statusSupport == .unsupported { return fallBackToJournalOffset(now: now) }
    return perform(.queryStatus(url: session.url), as: .querying)
  }

  private mutating func fallBackToJournalOffset(now: Date) -> [UploadAction] {
    acknowledged = lastConfirmedOffsetOrCurrent
    offsetIsGuess = false
    return announceResumption() + nextPut(now: now)
  }

  private var lastConfirmedOffsetOrCurrent: Int64 {
    offsetIsGuess ? lastConfirmedOffset : acknowledged
  }

  private mutating func announceResumption() -> [UploadAction] {
    guard announceResume else { return [] }
    announceResume = false
    return [.emit(.resumed(id: id, from: acknowledged))]
  }

  /// Takes the server's `next` offset as the truth, journals it and reports it.
  private mutating func acknowledge(next: Int64, sent range: ContentRange?, now: Date)
    -> [UploadAction]
  {
    let clamped = min(max(next, 0), size)
    // Reported as far as the last confirmation: a guessed span is reported once confirmed.
    let previous = lastConfirmedOffset
    acknowledged = clamped
    lastConfirmedOffset = clamped
    offsetIsGuess = false
    if clamped > previous {
      failedAttempts = 0
      rangeErrors = 0
      sessionNotFound = 0
    }
    // Journal first: anyone who sees the event may rely on the entry being on disk.
    var actions: [UploadAction] = [.saveJournal(progress)]
    if let range {
      if range.first > previous && clamped >= range.first {
        actions.append(
          .emit(.chunkSent(id: id, start: previous, end: range.first - 1, next: range.first)))
      }
      actions.append(.emit(.chunkSent(id: id, start: range.first, end: range.last, next: clamped)))
    } else if clamped > previous {
      actions.append(.emit(.chunkSent(id: id, start: previous, end: clamped - 1, next: clamped)))
    }
    acknowledgedHigh = max(acknowledgedHigh, clamped)
    actions.append(
      .emit(.progress(id: id, sent: clamped, acknowledged: acknowledgedHigh, size: size)))
    return actions
  }

  /// A 201 (or a success carrying `Location`): the attachment exists. `lastChunk` is the PUT
  /// that completed it, reported as `chunk_sent` like every other chunk.
  private mutating func complete(response: HTTPResponse, lastChunk: ContentRange? = nil)
    -> [UploadAction]
  {
    if let location = response.header("Location"),
      let attachmentID = AttachmentLocation.attachmentID(from: location)
    {
      return finish(attachmentID: attachmentID, lastChunk: lastChunk)
    }
    if let attachment = try? TaskFileAttachment.decodeSingle(from: response.body) {
      return finish(attachmentID: attachment.id, lastChunk: lastChunk)
    }
    // Attached, but the answer does not say as what: find it by name and size.
    return reconcile()
  }

  private mutating func finish(attachmentID: String, lastChunk: ContentRange? = nil)
    -> [UploadAction]
  {
    // Everything past the last confirmation is reported now, so chunk_sent ends at the size
    // even when the final answer was lost (reconcile) or followed a guessed offset.
    let reported = min(lastConfirmedOffset, size)
    state = .completed(attachmentID: attachmentID)
    inFlight = nil
    acknowledged = size
    acknowledgedHigh = size
    lastConfirmedOffset = size
    var actions: [UploadAction] = [.removeJournal]
    if let lastChunk, lastChunk.last == size - 1, lastChunk.first >= reported {
      if lastChunk.first > reported {
        actions.append(
          .emit(
            .chunkSent(id: id, start: reported, end: lastChunk.first - 1, next: lastChunk.first))
        )
      }
      actions.append(
        .emit(.chunkSent(id: id, start: lastChunk.first, end: lastChunk.last, next: size)))
    } else if reported < size {
      actions.append(.emit(.chunkSent(id: id, start: reported, end: size - 1, next: size)))
    }
    return actions + [
      .emit(.progress(id: id, sent: size, acknowledged: size, size: size)),
      .emit(.completed(id: id, attachmentID: attachmentID, size: size)),
    ]
  }

  private mutating func reconcile() -> [UploadAction] {
    perform(.listAttachments, as: .reconciling)
  }

  private func matchingAttachment(in attachments: [TaskFileAttachment]) -> TaskFileAttachment? {
    let candidates = attachments.filter { $0.name == name && $0.size == size }
    let earliest = session?.createdAt.map {
      $0.addingTimeInterval(clockSkew - configuration.reconcileSkew)
    }
    let recent = candidates.filter { attachment in
      guard let earliest, let text = attachment.lastModifiedDateTime,
        let modified = GraphDate.parse(text)
      else { return true }
      return modified >= earliest
    }
    return recent.max { lhs, rhs in
      (lhs.lastModifiedDateTime ?? "") < (rhs.lastModifiedDateTime ?? "")
    }
  }

  /// 416 (or an equivalent 400/409): the server disagrees about the offset.
  private mutating func rangeError(range: ContentRange, response: HTTPResponse, now: Date)
    -> [UploadAction]
  {
    rangeErrors += 1
    if rangeErrors > 2 {
      // Twice corrected and still rejected: this session cannot be trusted.
      return finalChunkSent
        ? reconcile() : recreate(reason: "the server kept rejecting the byte ranges")
    }
    var actions: [UploadAction] = [
      .emit(.retry(id: id, reason: .rangeMismatch, afterSeconds: 0, attempt: rangeErrors))
    ]
    if let state = try? UploadSessionState.parse(response.body), let next = state.nextOffset {
      actions += acknowledge(next: next, sent: nil, now: now)
      actions += next >= size ? reconcile() : nextPut(now: now)
      return actions
    }
    if statusSupport != .unsupported, session != nil {
      return actions + query(now: now)
    }
    let innerCode = GraphErrorBody.parse(response.body)?.innerCode?.lowercased() ?? ""
    if innerCode == "fragmentoutoforder" || range.first > lastConfirmedOffset {
      // We are ahead of the server (a wrong guess): guessing further would only drift away.
      acknowledged = lastConfirmedOffset
      offsetIsGuess = false
      return actions + nextPut(now: now)
    }
    // No status GET: we resent from the last confirmed offset, so the overlap means the PUT
    // whose answer was lost did commit. Continue after it; a wrong guess gets another 416 and
    // the bound above. Its chunk_sent waits until the server confirms an offset beyond it.
    acknowledged = range.last + 1
    offsetIsGuess = true
    if acknowledged >= size { return actions + reconcile() }
    return actions + nextPut(now: now)
  }

  /// 404 for the session: bounded retries (it may be a transient lookup miss), then replace it.
  private mutating func sessionLost(response: HTTPResponse, operation: UploadOperation, now: Date)
    -> [UploadAction]
  {
    sessionNotFound += 1
    let expired = session?.expiration.map { $0 <= serverNow(now) } ?? false
    if !expired && sessionNotFound <= configuration.sessionNotFoundRetries {
      let delay = configuration.sessionNotFoundDelay * Double(sessionNotFound)
      return retryLater(
        reason: .sessionLost, retryAfter: delay, detail: describe(response),
        then: .repeatOperation(operation))
    }
    if finalChunkSent { return reconcile() }
    return recreate(
      reason: expired ? "the upload session expired" : "the upload session was not found")
  }

  /// Replaces the session: every later request goes to the new URL, from offset 0.
  private mutating func recreate(reason: String, deleting oldURL: String? = nil) -> [UploadAction] {
    recreations += 1
    guard recreations <= configuration.maxSessionRecreations else {
      return fail("gave up after replacing the upload session \(recreations - 1) times: \(reason)")
    }
    pendingRecreationReason = reason
    session = nil
    acknowledged = 0
    lastConfirmedOffset = 0
    offsetIsGuess = false
    finalChunkSent = false
    if let oldURL { return perform(.deleteSession(url: oldURL), as: .replacing) }
    return createSession()
  }

  private func serverNow(_ now: Date) -> Date { now.addingTimeInterval(clockSkew) }

  /// True when the session would expire before the rest of the file can be sent, and a new
  /// session could finish the whole file in its lifetime (otherwise replacing it cannot help).
  private func shouldReplaceBeforeExpiry(now: Date) -> Bool {
    guard let session, let expiration = session.expiration else { return false }
    let left = expiration.timeIntervalSince(serverNow(now))
    let remaining = Double(size - acknowledged)
    let lifetime = session.createdAt.map { expiration.timeIntervalSince(serverNow($0)) }
    guard let rate = throughput, rate > 0 else {
      // No measurement yet: only a session already inside the margin is replaced.
      return left <= configuration.expiryMargin && (lifetime ?? 0) > 2 * configuration.expiryMargin
    }
    let needed = remaining / rate * 1.2 + configuration.expiryMargin
    guard needed > left else { return false }
    let wholeFile = Double(size) / rate * 1.2 + configuration.expiryMargin
    return lifetime.map { wholeFile < $0 } ?? true
  }

  private mutating func sampleThroughput(bytes: Int64, now: Date) {
    guard bytes > 0, let started = sendStartedAt else { return }
    let seconds = max(now.timeIntervalSince(started), 0.001)
    let sample = Double(bytes) / seconds
    throughput = throughput.map { 0.5 * $0 + 0.5 * sample } ?? sample
  }

  /// 413: the server wants smaller PUTs. Halve (keeping 320 KiB multiples) and carry on.
  private mutating func shrinkChunk(after response: HTTPResponse, now: Date) -> [UploadAction] {
    let multiple = UploadLimits.fragmentMultiple
    let half = planner.chunkSize / 2
    let smaller = half >= multiple ? half / multiple * multiple : half
    guard smaller >= 1, smaller < planner.chunkSize,
      let planner = try? ChunkPlanner(size: size, chunkSize: smaller)
    else { return fail(describe(response)) }
    self.planner = planner
    return nextPut(now: now)
  }

  private mutating func httpFailure(_ response: HTTPResponse, operation: UploadOperation, now: Date)
    -> [UploadAction]
  {
    let detail = describe(response)
    let retryAfter = RetryAfter.seconds(response.header("Retry-After"), now: now)
    switch response.status {
    case 401:
      guard !refreshedForCurrentOperation else {
        failedOnAuthentication = true
        return fail("the access token was rejected again after a refresh: \(detail)")
      }
      refreshedForCurrentOperation = true
      repeatAfterRefresh = operation
      return [.emit(.retry(id: id, reason: .unauthorized, afterSeconds: 0, attempt: 1))]
        + perform(.refreshToken, as: .refreshing)
    case 403:
      // Forbidden is a permission problem: only signing in again (and consenting) helps.
      failedOnAuthentication = true
      return fail(detail)
    case 404, 410:
      switch operation {
      case .put, .queryStatus:
        return sessionLost(response: response, operation: operation, now: now)
      default:
        return fail(detail)
      }
    case 429:
      // Refused before it was processed: the same request may simply be repeated.
      return retryLater(
        reason: .throttled, retryAfter: retryAfter, detail: detail,
        then: .repeatOperation(operation))
    case 408, 500, 502, 503, 504:
      if case .put = operation {
        return ambiguousFailure(
          reason: response.status == 408 || response.status == 504 ? .timeout : .serverError,
          retryAfter: retryAfter, detail: detail, now: now)
      }
      return retryLater(
        reason: .serverError, retryAfter: retryAfter, detail: detail,
        then: followUpAfterAmbiguity(operation))
    default:
      return fail(detail)
    }
  }

  private mutating func transportFailure(
    _ error: TransportError, operation: UploadOperation, now: Date
  )
    -> [UploadAction]
  {
    let detail = GraphError.transport(error).description
    if case .bodyUnreadable = error { return fail(detail) }
    if case .invalidURL = error { return fail(detail) }
    if case .put = operation, error.isAmbiguous {
      return ambiguousFailure(
        reason: Self.reason(for: error), retryAfter: nil, detail: detail, now: now)
    }
    return retryLater(
      reason: Self.reason(for: error), retryAfter: nil, detail: detail,
      then: error.isAmbiguous ? followUpAfterAmbiguity(operation) : .repeatOperation(operation))
  }

  private func followUpAfterAmbiguity(_ operation: UploadOperation) -> FollowUp {
    switch operation {
    case .put: return .query
    case .createEmptyAttachment: return .reconcile
    default: return .repeatOperation(operation)
    }
  }

  /// The PUT may or may not have been committed: wait, then ask before resending.
  private mutating func ambiguousFailure(
    reason: RetryReason, retryAfter: Double?, detail: String, now: Date
  ) -> [UploadAction] {
    retryLater(reason: reason, retryAfter: retryAfter, detail: detail, then: .query)
  }

  private mutating func retryLater(
    reason: RetryReason, retryAfter: Double?, detail: String, then next: FollowUp
  ) -> [UploadAction] {
    failedAttempts += 1
    guard failedAttempts <= configuration.retryPolicy.maxRetries else {
      return fail("gave up after \(failedAttempts) attempts: \(detail)")
    }
    let delay = configuration.retryPolicy.delay(
      attempt: failedAttempts, retryAfter: retryAfter, random: configuration.random)
    followUp = next
    return [.emit(.retry(id: id, reason: reason, afterSeconds: delay, attempt: failedAttempts))]
      + perform(.wait(seconds: delay), as: .waiting)
  }

  private mutating func runFollowUp(now: Date) -> [UploadAction] {
    let next = followUp ?? .query
    followUp = nil
    switch next {
    case .resend: return nextPut(now: now)
    case .query: return query(now: now)
    case .create: return createSession()
    case .reconcile: return reconcile()
    case .repeatOperation(let operation):
      switch operation {
      case .put: return nextPut(now: now)
      case .queryStatus: return query(now: now)
      case .createSession: return createSession()
      case .createEmptyAttachment: return perform(.createEmptyAttachment, as: .creating)
      case .listAttachments: return reconcile()
      case .deleteSession(let url): return perform(.deleteSession(url: url), as: .abandoning)
      case .refreshToken: return perform(.refreshToken, as: .refreshing)
      case .wait: return query(now: now)
      }
    }
  }

  /// Deletes the session (best effort), drops the journal entry, and ends as cancelled or failed.
  private mutating func abandon(_ how: Abandonment) -> [UploadAction] {
    abandonment = how
    followUp = nil
    if let url = session?.url {
      return perform(.deleteSession(url: url), as: .abandoning)
    }
    return finishAbandon()
  }

  private mutating func finishAbandon() -> [UploadAction] {
    session = nil
    inFlight = nil
    switch abandonment {
    case .fail(let reason):
      state = .failed(reason: reason)
      return [.removeJournal, .emit(.failed(id: id, reason: reason))]
    case .cancel, nil:
      state = .cancelled
      return [.removeJournal, .emit(.cancelled(id: id))]
    }
  }

  /// Gives up; the journal entry stays so `tack resume` can try again later.
  private mutating func fail(_ reason: String) -> [UploadAction] {
    let clean = Self.sanitize(reason)
    state = .failed(reason: clean)
    inFlight = nil
    followUp = nil
    if session != nil { return [.saveJournal(progress), .emit(.failed(id: id, reason: clean))] }
    return [.emit(.failed(id: id, reason: clean))]
  }

  /// An input that cannot answer the operation in flight: a bug, but never a hang.
  private mutating func unexpected(_ input: UploadInput) -> [UploadAction] {
    fail("internal error: unexpected \(input) while \(state)")
  }

  private mutating func resetBudgets() {
    failedAttempts = 0
    rangeErrors = 0
    sessionNotFound = 0
    refreshedForCurrentOperation = false
  }

  private mutating func noteServerClock(_ response: HTTPResponse, now: Date) {
    guard let text = response.header("Date"), let date = RetryAfter.httpDate(text) else { return }
    let skew = date.timeIntervalSince(now)
    // Date headers have one-second resolution: ignore differences that small.
    clockSkew = abs(skew) > 2 ? skew : 0
  }

  private func describe(_ response: HTTPResponse) -> String {
    let body = GraphErrorBody.parse(response.body)
    let error = GraphError.service(
      status: response.status, code: body?.code ?? Self.statusName(response.status),
      message: body?.message ?? "", requestID: response.header("request-id"))
    return Self.sanitize(error.description)
  }

  static func statusName(_ status: Int) -> String {
    switch status {
    case 400: return "BadRequest"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "NotFound"
    case 413: return "PayloadTooLarge"
    case 416: return "RangeNotSatisfiable"
    case 429: return "TooManyRequests"
    case 500: return "InternalServerError"
    case 503: return "ServiceUnavailable"
    case 504: return "GatewayTimeout"
    default: return "HTTP\(status)"
    }
  }

  static func reason(for error: TransportError) -> RetryReason {
    switch error {
    case .timedOut: return .timeout
    default: return .network
    }
  }

  /// Strips control characters from server-provided text before it can reach a terminal.
  static func sanitize(_ text: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x00...0x1F, 0x7F...0x9F: scalars.append(" ")
      default: scalars.append(scalar)
      }
    }
    let line = String(scalars)
    return line.count > 300 ? String(line.prefix(300)) + "…" : line
  }
}
