import Foundation
import GraphClient
import GraphModels
import Testing

@testable import UploadEngine

/// The upload engine's waits: capped per wait, bounded in all.
@Suite struct WaitBudgetTests {
  typealias H = MachineHarness

  static func configuration(budget: Double) -> UploadStateMachine.Configuration {
    UploadStateMachine.Configuration(
      retryPolicy: RetryPolicy(
        maxRetries: 6, baseDelay: 0.5, maxDelay: 30, totalWaitBudget: budget),
      sessionNotFoundRetries: 2, sessionNotFoundDelay: 1, maxSessionRecreations: 3,
      stallTimeout: 30, expiryMargin: 15, random: { 0.5 })
  }

  @Test func aRetryAfterLongerThanTheCapWaitsOnlyTheCap() throws {
    var h = try H(size: 20, chunk: 8)
    h.startWithSession()
    let actions = h.send(
      .answered(H.error(429, code: "TooManyRequests", headers: [("Retry-After", "3600")])))
    #expect(actions.waitSeconds == 120)
  }

  @Test func waitsPastTheBudgetFailTheUploadWithAClearReason() throws {
    var h = try H(size: 20, chunk: 8, configuration: Self.configuration(budget: 100))
    h.startWithSession()
    let throttled = H.error(429, code: "TooManyRequests", headers: [("Retry-After", "60")])
    #expect(h.send(.answered(throttled)).waitSeconds == 60)
    h.advance(60)
    h.send(.timerFired)
    h.send(.answered(throttled))
    guard case .failed(let reason, false) = h.machine.outcome else {
      Issue.record("expected the upload to give up, got \(String(describing: h.machine.outcome))")
      return
    }
    #expect(reason.contains("100 s budget of waits"))
  }

  @Test func theWaitBudgetIsNotRefilledByProgress() {
    var budget = UploadStateMachine.RetryBudget(
      maxFailedAttempts: 2, maxSessionNotFound: 1, maxRecreations: 1)
    let first = budget.spendWait(60, within: 100)
    budget.progressMade()
    let overBudget = budget.spendWait(60, within: 100)
    let rest = budget.spendWait(40, within: 100)
    #expect(first && !overBudget && rest)
  }
}
