import Foundation
import GraphClient
import Synchronization

/// What one case does to the answers it gets: which ones, and how.
struct MutationPlan: Sendable, CustomStringConvertible {
  var kind: MutationKind
  /// The first answer to damage, counting from 0 in the order requests were sent.
  var first: Int
  /// Damage every answer from `first` on, not only that one.
  var persistent: Bool
  /// Seeds the choices made while damaging.
  var seed: UInt64

  var description: String {
    "\(kind.rawValue) on answer #\(first)\(persistent ? " and every later one" : "")"
  }
}

/// Forwards to `inner` and damages the answers `plan` names; remembers what it did.
final class MutatingTransport: HTTPTransport {
  private struct State {
    var rng: SplitMix64
    var answers = 0
    var applied: [String] = []
  }

  let inner: any HTTPTransport
  let plan: MutationPlan
  private let state: Mutex<State>

  init(inner: any HTTPTransport, plan: MutationPlan) {
    self.inner = inner
    self.plan = plan
    state = Mutex(State(rng: SplitMix64(seed: plan.seed)))
  }

  /// What was damaged, e.g. `#2 PUT: status 202→416`.
  var applied: [String] { state.withLock { $0.applied } }

  var answers: Int { state.withLock { $0.answers } }

  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    let response = try await inner.send(request, progress: progress)
    return try state.withLock { state in
      let index = state.answers
      state.answers += 1
      guard index == plan.first || (plan.persistent && index > plan.first) else { return response }
      do {
        let (damaged, note) = try ResponseMutator.apply(plan.kind, to: response, rng: &state.rng)
        state.applied.append("#\(index) \(request.method): \(note)")
        return damaged
      } catch let error as TransportError {
        state.applied.append("#\(index) \(request.method): answer lost (\(error))")
        throw error
      }
    }
  }
}
