import Foundation
import GraphClient
import Testing

@testable import UploadEngine

/// The upload's retry budgets: what spends each one and what refills it.
@Suite struct RetryBudgetTests {
  typealias Budget = UploadStateMachine.RetryBudget

  private func budget() -> Budget {
    Budget(maxFailedAttempts: 2, maxSessionNotFound: 1, maxRecreations: 1)
  }

  @Test func limitsComeFromTheConfiguration() {
    let configuration = UploadStateMachine.Configuration(
      retryPolicy: RetryPolicy(maxRetries: 4, baseDelay: 0.5, maxDelay: 30),
      sessionNotFoundRetries: 3, maxSessionRecreations: 5)
    let budget = Budget(configuration)
    #expect(budget.maxFailedAttempts == 4)
    #expect(budget.maxSessionNotFound == 3)
    #expect(budget.maxRecreations == 5)
  }

  @Test func eachBudgetGrantsUpToItsLimitThenReportsTheAttemptsSpent() {
    var budget = budget()
    let failed = (0..<3).map { _ in budget.spendFailedAttempt() }
    #expect(failed == [.granted(attempt: 1), .granted(attempt: 2), .exhausted(attempts: 3)])
    let ranges = (0..<3).map { _ in budget.spendRangeError() }
    #expect(ranges == [.granted(attempt: 1), .granted(attempt: 2), .exhausted(attempts: 3)])
    let lookups = (0..<2).map { _ in budget.spendSessionNotFound() }
    #expect(lookups == [.granted(attempt: 1), .exhausted(attempts: 2)])
    let recreations = (0..<2).map { _ in budget.spendRecreation() }
    #expect(recreations == [.granted(attempt: 1), .exhausted(attempts: 2)])
  }

  @Test func progressRefillsTheAttemptBudgetsButNeverTheRecreations() {
    var budget = budget()
    _ = budget.spendFailedAttempt()
    _ = budget.spendRangeError()
    _ = budget.spendSessionNotFound()
    _ = budget.spendRecreation()
    budget.progressMade()
    #expect(budget.failedAttempts == 0)
    #expect(budget.rangeErrors == 0)
    #expect(budget.sessionNotFound == 0)
    #expect(budget.recreations == 1)
  }

  @Test func aNewSessionRefillsOnlyThePerSessionBudgets() {
    var budget = budget()
    _ = budget.spendFailedAttempt()
    _ = budget.spendRangeError()
    _ = budget.spendSessionNotFound()
    budget.sessionAdopted()
    #expect(budget.failedAttempts == 1)
    #expect(budget.rangeErrors == 0)
    #expect(budget.sessionNotFound == 0)
  }

  @Test func oneTokenRefreshPerOperation() {
    var budget = budget()
    let first = budget.spendTokenRefresh()
    let second = budget.spendTokenRefresh()
    #expect(first && !second)
    // Any answer but a 401 proves the refreshed token: a later 401 may refresh again.
    budget.answeredWithoutRejection()
    let afterAnAnswer = budget.spendTokenRefresh()
    #expect(afterAnAnswer)
  }

  @Test func aResumeRefillsEverythingButTheRecreations() {
    var budget = budget()
    _ = budget.spendFailedAttempt()
    _ = budget.spendRangeError()
    _ = budget.spendSessionNotFound()
    _ = budget.spendRecreation()
    _ = budget.spendTokenRefresh()
    budget.resumedByUser()
    #expect(budget.failedAttempts == 0)
    #expect(budget.rangeErrors == 0)
    #expect(budget.sessionNotFound == 0)
    #expect(budget.tokenRefreshSpent == false)
    #expect(budget.recreations == 1)
  }

  @Test func replacementsAreCountedOverTheUploadWhileLookupsAreCountedPerSession() throws {
    // Each new session may miss two lookups again, but the fourth lost session exceeds the
    // three replacements allowed for the whole upload.
    var h = try MachineHarness(
      size: 20, chunk: 8, configuration: MachineHarness.configuration(maxRetries: 20))
    h.startWithSession()
    for _ in 0..<3 {
      h.send(.answered(MachineHarness.error(404, code: "itemNotFound")))
      h.send(.timerFired)
      h.send(.answered(MachineHarness.error(404, code: "itemNotFound")))
      h.send(.timerFired)
      h.send(.answered(MachineHarness.error(404, code: "itemNotFound")))
      h.send(.attachmentsListed([]))
      h.send(.answered(MachineHarness.session(url: MachineHarness.url2, expires: h.now + 900)))
    }
    #expect(h.machine.budget.recreations == 3)
    h.send(.answered(MachineHarness.error(404, code: "itemNotFound")))
    h.send(.timerFired)
    h.send(.answered(MachineHarness.error(404, code: "itemNotFound")))
    h.send(.timerFired)
    h.send(.answered(MachineHarness.error(404, code: "itemNotFound")))
    h.send(.attachmentsListed([]))
    guard case .failed(let reason, _) = h.machine.outcome else {
      Issue.record("expected a failure, got \(String(describing: h.machine.outcome))")
      return
    }
    #expect(reason.contains("replacing the upload session 3 times"))
  }
}
