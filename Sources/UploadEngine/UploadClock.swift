import Foundation

/// Time for the coordinator: the wall clock (session expiry is a wall-clock date) and sleeps.
public protocol UploadClock: Sendable {
  func now() -> Date
  /// Sleeps; throws `CancellationError` when the task is cancelled.
  func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemUploadClock: UploadClock {
  /// The system clock.
  public init() {}

  public func now() -> Date { Date() }

  public func sleep(seconds: Double) async throws {
    guard seconds > 0 else {
      try Task.checkCancellation()
      return
    }
    try await Task.sleep(for: .nanoseconds(Int64((seconds * 1_000_000_000).rounded(.up))))
  }
}
