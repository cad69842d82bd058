import Foundation
import GraphClient
import GraphModels

/// The decisions of one upload, with no I/O and no clock of its own (swift-nio style).
///
/// Each event is a method (`start`, `pause`, `resume`, `cancel`, `tick`, `fileChanged`,
/// `operationFinished`) taking the current time where it matters, and returns its own action
/// type naming only what that event can lead to (`+Actions`). At most one operation is in
/// flight, so a session stays sequential. The rules it
/// encodes (DESIGN.md §6): the next offset always comes from the server; after an ambiguous
/// failure ask the server (status GET, or when that is unsupported fall back to the last
/// acknowledged offset and let a 416 correct it); a 416 resynchronises and never loops; a lost
/// session gets bounded retries and is then replaced, with every later request going to the new
/// URL; a session that would expire before the upload can finish is replaced early; a 401
/// refreshes the token once; a lost final answer is settled by listing the task's attachments.
///
/// The machine is split like async-http-client's connection pool: this file holds the type, its
/// events and the dispatch of answers; `+Actions` what each event can lead to; `+Phase` the typed state (each phase carries its own
/// data, swift-nio style); `+Sending` session creation and the PUTs; `+Recovery` status queries,
/// reconciling and session replacement; `+Interruption` pause, cancel and the stall watchdog;
/// `+Failure` retries and giving up; `+Budget` the retry budgets.
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

  /// Where the upload stands, as a label of the typed `Phase`. Exactly one operation is in flight
  /// in the "…ing" states.
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

  public let id: UploadID
  public let name: String
  public let size: Int64
  public internal(set) var planner: ChunkPlanner
  let configuration: Configuration

  /// Where the upload stands, with the data that matters only while it lasts.
  var phase: Phase = .idle
  /// The session and the offsets the server confirmed in it; journaled, so it outlives phases.
  var ledger = SessionLedger()
  /// Every retry budget of the upload.
  var budget: RetryBudget
  /// Whether the status GET works; learned once and kept for the whole upload.
  var statusSupport: StatusSupport = .unknown
  /// Server clock minus ours, from `Date` headers (only trusted beyond a couple of seconds).
  var clockSkew: Double = 0
  /// Bytes per second, smoothed over acknowledged PUTs.
  public internal(set) var throughput: Double?
  /// Set by start and resume: the first offset learned afterwards is announced as `resumed`,
  /// however many waits and queries it takes to learn it.
  var announceResume = false
  /// Set once the session is being deleted for good. It outlives the DELETE's own retries, and
  /// a paused or failed upload that has it set can no longer be resumed.
  var abandonment: Abandonment?
  /// Only signing in again can help: set by an authentication failure, cleared by a resume.
  var failedOnAuthentication = false

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
    self.budget = RetryBudget(configuration)
    if let progress, let url = progress.uploadUrl {
      let offset = min(max(progress.acknowledgedOffset, 0), size)
      ledger.session = Session(
        url: url, expiration: progress.expiration, createdAt: progress.sessionCreatedAt)
      ledger.acknowledged = offset
      ledger.acknowledgedHigh = offset
      ledger.lastConfirmedOffset = offset
      ledger.finalChunkSent = progress.finalChunkSent
      // A PUT may have been in flight when the journal was last written.
      ledger.sentLimit = progress.finalChunkSent ? size : min(size, offset + planner.chunkSize)
    }
  }

  /// Where the upload stands.
  public var state: State { phase.label }

  /// The server's offset in the current session, as last confirmed (or, after a 416 with no
  /// status GET, as inferred).
  public var acknowledged: Int64 { ledger.acknowledged }

  /// The acknowledged channel: the highest offset ever confirmed; monotonic, ends at `size`.
  public var acknowledgedHigh: Int64 { ledger.acknowledgedHigh }

  /// The journal snapshot of the current session.
  public var progress: SessionProgress {
    SessionProgress(
      uploadUrl: ledger.session?.url, expiration: ledger.session?.expiration,
      sessionCreatedAt: ledger.session?.createdAt, acknowledgedOffset: ledger.confirmedOffset,
      chunkSize: planner.chunkSize, finalChunkSent: ledger.finalChunkSent)
  }

  /// The current session's upload URL, if there is one.
  public var uploadURL: String? { ledger.session?.url }

  /// The operation in flight, if any.
  public var operationInFlight: UploadOperation? { phase.operation }

  /// The end result, once the upload is settled (or paused).
  public var outcome: UploadOutcome? {
    switch phase {
    case .completed(let attachmentID): return .completed(attachmentID: attachmentID)
    case .failed(let reason): return .failed(reason: reason, authentication: failedOnAuthentication)
    case .cancelled: return .cancelled
    case .paused: return .paused
    default: return nil
    }
  }

  /// True once nothing more will happen without a user command.
  public var isSettled: Bool { outcome != nil }

  // MARK: - Events

  /// Begins: creates a session (or posts a 0-byte file), or asks a journaled session where it
  /// stopped. A machine that already started ignores it (the coordinator can queue one upload's
  /// start twice when `resume(journaled:)` is called twice before it runs).
  public mutating func start(now: Date) -> StartAction {
    guard case .idle = phase else { return .none }
    guard let operation = startTransition(now: now).perform else {
      preconditionFailure("UploadStateMachine: start began no operation (while \(state))")
    }
    return .perform(operation)
  }

  /// The result of the operation in flight (an answer, a transport failure, a listing, a token,
  /// or the end of a wait), at time `now`.
  public mutating func operationFinished(_ result: UploadInput, now: Date) -> ResultAction {
    switch result {
    case .answered, .transportFailed, .attachmentsListed, .tokenRefreshed, .tokenRefreshFailed,
      .timerFired:
      guard let operation = phase.operation else { return .none }
      return .proceed(settle(operation, in: phase, with: result, now: now))
    case .start, .pause, .resume, .cancel, .tick, .fileChanged:
      preconditionFailure("UploadStateMachine: \(result) is not a result (while \(state))")
    }
  }

  /// The first operation of a new machine (start, or resume before anything was sent).
  mutating func startTransition(now: Date) -> Transition {
    if ledger.session != nil {
      announceResume = true
      ledger.lastConfirmedOffset = ledger.acknowledged
      return query(now: now)
    }
    return planner.isEmpty ? createEmptyAttachment() : createSession()
  }

  /// Enters a phase that has an operation in flight, and starts that operation.
  mutating func begin(_ next: Phase) -> Transition {
    guard let operation = next.operation else {
      preconditionFailure("UploadStateMachine: begin(\(next.label)) has no operation to start")
    }
    phase = next
    return Transition(perform: operation)
  }

  // MARK: - Results

  /// The result of `operation`, in flight in `settled` (the phase stays current until a
  /// decision replaces it, so a failure names the phase the answer arrived in).
  private mutating func settle(
    _ operation: UploadOperation, in settled: Phase, with input: UploadInput, now: Date
  ) -> Transition {
    if case .answered(let response) = input {
      noteServerClock(response, now: now)
      if response.status != 401 { budget.answeredWithoutRejection() }
    }
    if let refusal = refuseOverclaim(operation, input) { return refusal }
    if let interruption = settled.interruption,
      let actions = settleInterrupted(operation, by: interruption, with: input, now: now)
    {
      return actions
    }
    if case .abandoning = settled {
      // The DELETE is best effort: whatever came back (even no token), the stop stands.
      return finishAbandon()
    }
    if case .tokenRefreshFailed(let reason) = input {
      // No token could be had for this request (or after a 401): only signing in helps.
      failedOnAuthentication = true
      return fail(reason)
    }
    switch settled {
    case .creating(let creating):
      return creating.emptyAttachment
        ? emptyAttachmentSettled(input, now: now) : sessionCreationSettled(input, now: now)
    case .sending(let sending): return putSettled(sending, input, now: now)
    case .querying: return statusSettled(input, now: now)
    case .reconciling, .paused: return listSettled(input, now: now)
    case .refreshing(let refreshing): return refreshSettled(refreshing, input, now: now)
    case .waiting(let waiting): return runFollowUp(waiting.then, now: now)
    case .replacing: return createSession()
    case .abandoning: return finishAbandon()
    case .idle, .completed, .failed, .cancelled:
      preconditionFailure("UploadStateMachine: \(input) settled while \(settled.label)")
    }
  }
}
