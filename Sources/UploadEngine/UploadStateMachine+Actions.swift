import Foundation
import GraphModels

/// What each event of `UploadStateMachine` can lead to: one small action type per event
/// (swift-nio's typed state machines), so the coordinator handles exactly the outcomes an event
/// can have and nothing else.
extension UploadStateMachine {
  /// A journal write or an event, performed in order before the next operation starts.
  public enum Step: Sendable, Hashable {
    /// Write the journal entry atomically before doing anything else.
    case saveJournal(SessionProgress)
    /// Delete the journal entry.
    case removeJournal
    /// Publish an event.
    case emit(UploadEvent)
  }

  /// The upload moves on: `steps` in order, then `perform` (at most one operation, so a session
  /// stays sequential; none when the upload settled).
  public struct Transition: Sendable, Hashable, ExpressibleByArrayLiteral {
    public var steps: [Step]
    public var perform: UploadOperation?

    public init(steps: [Step] = [], perform: UploadOperation? = nil) {
      self.steps = steps
      self.perform = perform
    }

    public init(arrayLiteral steps: Step...) {
      self.init(steps: steps)
    }

    mutating func append(_ step: Step) {
      steps.append(step)
    }

    /// Both transitions' steps in order, and the one operation either starts. Two operations
    /// at once would break the one-request-per-session rule: that is a bug, and it stops here.
    static func + (lhs: Transition, rhs: Transition) -> Transition {
      if let first = lhs.perform, let second = rhs.perform {
        preconditionFailure(
          "UploadStateMachine: two operations in one transition (\(first), \(second))")
      }
      return Transition(steps: lhs.steps + rhs.steps, perform: lhs.perform ?? rhs.perform)
    }

    static func += (lhs: inout Transition, rhs: Transition) {
      lhs = lhs + rhs
    }
  }

  /// `start(now:)`: the first request (create the session, post a 0-byte file, or ask a
  /// journaled session where it stopped).
  public enum StartAction: Sendable, Hashable {
    /// Already started: nothing more to do.
    case none
    case perform(UploadOperation)
  }

  /// `pause()`.
  public enum PauseAction: Sendable, Hashable {
    /// Nothing to pause (already paused, stopping or settled).
    case none
    /// Cancel the operation in flight now; its result still comes back and settles the pause.
    case abortInFlight
    /// Paused before anything was sent: publish this event.
    case paused(UploadEvent)
  }

  /// `resume(now:)`.
  public enum ResumeAction: Sendable, Hashable {
    /// Nothing to resume (still running, or its session is being deleted); a pause still
    /// settling is called off.
    case none
    case proceed(Transition)
  }

  /// `cancel()`.
  public enum CancelAction: Sendable, Hashable {
    /// Already cancelled, settled or being abandoned.
    case none
    /// Cancel the operation in flight now; its result then deletes the session.
    case abortInFlight
    /// Delete the session (an operation) or, without one, end now.
    case abandon(Transition)
  }

  /// `tick(sentBytes:now:)`: the stall watchdog.
  public enum TickAction: Sendable, Hashable {
    case none
    /// No body bytes moved for the stall timeout: cancel the PUT (it is retried after asking).
    case abortInFlight
  }

  /// `fileChanged(_:)`.
  public enum FileChangedAction: Sendable, Hashable {
    /// The upload already ended.
    case none
    /// Delete the session and fail (or, when a cancel was pending, end cancelled).
    case abandon(Transition)
  }

  /// `operationFinished(_:now:)`: the result of the operation in flight.
  public enum ResultAction: Sendable, Hashable {
    /// Nothing was in flight to take the result.
    case none
    case proceed(Transition)
  }
}
