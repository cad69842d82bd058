import Foundation
import GraphClient
import GraphModels

extension UploadStateMachine {
  /// The typed state (swift-nio's `NIOTypedHTTPServerUpgraderStateMachine` style): each phase
  /// carries the data that only matters while it lasts, so nothing stale survives a transition.
  /// `State` is its public label.
  enum Phase: Sendable {
    case idle
    case creating(Creating)
    case sending(Sending)
    case querying(Querying)
    case reconciling(Reconciling)
    case refreshing(Refreshing)
    case waiting(Waiting)
    case replacing(Replacing)
    case paused(Paused)
    case abandoning(Abandoning)
    case completed(attachmentID: String)
    case failed(reason: String)
    case cancelled

    /// `createUploadSession`, or the single POST of a 0-byte file.
    struct Creating: Sendable {
      var emptyAttachment: Bool
      var interruption: Interruption?
    }

    /// A PUT of `range` to `url`, watched for stalls.
    struct Sending: Sendable {
      var url: String
      var range: ContentRange
      /// When the PUT started; its throughput sample is measured from here.
      var startedAt: Date
      /// When the body's sent-bytes count last moved.
      var lastMovementAt: Date
      var lastSample: Int64 = 0
      var interruption: Interruption?
    }

    /// A status GET to `url`.
    struct Querying: Sendable {
      var url: String
      var interruption: Interruption?
    }

    /// The task's attachments are being listed.
    struct Reconciling: Sendable {
      var interruption: Interruption?
    }

    /// A token refresh; `repeating` is the operation that got the 401 and runs again after it.
    struct Refreshing: Sendable {
      var repeating: UploadOperation?
      var interruption: Interruption?
    }

    /// A wait of `seconds`, then `then`.
    struct Waiting: Sendable {
      var seconds: Double
      var then: FollowUp
      var interruption: Interruption?
    }

    /// The old session at `url` is being deleted before its replacement is created.
    struct Replacing: Sendable {
      var url: String
      var interruption: Interruption?
    }

    /// Stopped by the user. `listing` is set when a PUT that raced the pause completed the upload
    /// without naming the attachment: the attachment listing it started still runs.
    struct Paused: Sendable {
      var listing: Bool
    }

    /// The session at `url` is being deleted on the way to `cancelled` or `failed`. A stop
    /// requested before the file was found changed still applies to the DELETE.
    struct Abandoning: Sendable {
      var url: String
      var interruption: Interruption?
    }
  }

  /// What to do once a wait or a token refresh ends.
  enum FollowUp: Sendable, Equatable {
    /// Learn the server's offset (status GET, or the journal offset when that is unsupported).
    case query
    case reconcile
    /// Refresh the token again, then repeat `repeating` (the operation that got the 401).
    case refresh(repeating: UploadOperation?)
    case repeatOperation(UploadOperation)
  }

  /// A request to stop the operation in flight, and why.
  enum Interruption: Sendable, Equatable {
    case pause
    case cancel
    case stall
  }

  enum StatusSupport: Sendable, Equatable {
    case unknown
    case supported
    case unsupported
  }

  enum Abandonment: Sendable, Equatable {
    case cancel
    /// The session is deleted and the upload fails with this reason and code.
    case fail(String, FailureCode)
  }

  struct Session: Sendable, Equatable {
    var url: String
    var expiration: Date?
    var createdAt: Date?
  }

  /// The session and what the server confirmed in it. It is journaled, so it outlives phases:
  /// a paused or failed upload keeps it for a later resume.
  struct SessionLedger: Sendable, Equatable {
    var session: Session?
    /// The server's offset in the current session, as last confirmed (or, after a 416 with no
    /// status GET, as inferred; `offsetIsGuess` says which).
    var acknowledged: Int64 = 0
    /// The highest offset ever confirmed; monotonic, ends at the size.
    var acknowledgedHigh: Int64 = 0
    var lastConfirmedOffset: Int64 = 0
    var offsetIsGuess = false
    var finalChunkSent = false
    /// One past the last byte this session was ever sent (or, after a restart, could have been):
    /// a server confirming more claims bytes it never received.
    var sentLimit: Int64 = 0
    /// Why the session was dropped, reported when its replacement is adopted.
    var replacementReason: String?

    /// The offset the server is known to hold: the last confirmed one while `acknowledged` is a
    /// guess.
    var confirmedOffset: Int64 { offsetIsGuess ? lastConfirmedOffset : acknowledged }

    /// Starts over in `session` (nil while a replacement is being created) from offset 0.
    mutating func startOver(in session: Session?) {
      self.session = session
      acknowledged = 0
      lastConfirmedOffset = 0
      offsetIsGuess = false
      finalChunkSent = false
      sentLimit = 0
    }
  }
}

extension UploadStateMachine.Phase {
  /// The public label of this phase.
  var label: UploadStateMachine.State {
    switch self {
    case .idle: return .idle
    case .creating: return .creating
    case .sending(let sending): return .sending(sending.range)
    case .querying: return .querying
    case .reconciling: return .reconciling
    case .refreshing: return .refreshing
    case .waiting: return .waiting
    case .replacing: return .replacing
    case .paused: return .paused
    case .abandoning: return .abandoning
    case .completed(let attachmentID): return .completed(attachmentID: attachmentID)
    case .failed(let reason): return .failed(reason: reason)
    case .cancelled: return .cancelled
    }
  }

  /// The operation in flight in this phase, if any.
  var operation: UploadOperation? {
    switch self {
    case .creating(let creating):
      return creating.emptyAttachment ? .createEmptyAttachment : .createSession
    case .sending(let sending): return .put(url: sending.url, range: sending.range)
    case .querying(let querying): return .queryStatus(url: querying.url)
    case .reconciling: return .listAttachments
    case .refreshing: return .refreshToken
    case .waiting(let waiting): return .wait(seconds: waiting.seconds)
    case .replacing(let replacing): return .deleteSession(url: replacing.url)
    case .paused(let paused): return paused.listing ? .listAttachments : nil
    case .abandoning(let abandoning): return .deleteSession(url: abandoning.url)
    case .idle, .completed, .failed, .cancelled: return nil
    }
  }

  /// The stop requested for the operation in flight. Only phases that own an interruptible
  /// operation can take one; setting it anywhere else is a bug in the machine.
  var interruption: UploadStateMachine.Interruption? {
    get {
      switch self {
      case .creating(let creating): return creating.interruption
      case .sending(let sending): return sending.interruption
      case .querying(let querying): return querying.interruption
      case .reconciling(let reconciling): return reconciling.interruption
      case .refreshing(let refreshing): return refreshing.interruption
      case .waiting(let waiting): return waiting.interruption
      case .replacing(let replacing): return replacing.interruption
      case .abandoning(let abandoning): return abandoning.interruption
      case .idle, .paused, .completed, .failed, .cancelled: return nil
      }
    }
    set {
      switch self {
      case .creating(var creating):
        creating.interruption = newValue
        self = .creating(creating)
      case .sending(var sending):
        sending.interruption = newValue
        self = .sending(sending)
      case .querying(var querying):
        querying.interruption = newValue
        self = .querying(querying)
      case .reconciling(var reconciling):
        reconciling.interruption = newValue
        self = .reconciling(reconciling)
      case .refreshing(var refreshing):
        refreshing.interruption = newValue
        self = .refreshing(refreshing)
      case .waiting(var waiting):
        waiting.interruption = newValue
        self = .waiting(waiting)
      case .replacing(var replacing):
        replacing.interruption = newValue
        self = .replacing(replacing)
      case .abandoning(var abandoning):
        abandoning.interruption = newValue
        self = .abandoning(abandoning)
      case .idle, .paused, .completed, .failed, .cancelled:
        preconditionFailure("UploadStateMachine: nothing in flight to interrupt while \(label)")
      }
    }
  }
}
