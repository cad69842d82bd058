import GraphClient

/// Bounds the requests in flight over all uploads of a coordinator (Graph's per-app
/// concurrency limit is 4); waiters are admitted in arrival order.
actor RequestLimiter: RequestGate {
  private let limit: Int
  private var inFlight = 0
  private var waiters: [CheckedContinuation<Void, Never>] = []

  /// A limiter admitting `limit` requests at once.
  init(limit: Int) {
    self.limit = limit
  }

  func enter() async {
    while inFlight >= limit {
      await withCheckedContinuation { waiters.append($0) }
    }
    inFlight += 1
  }

  func leave() {
    inFlight -= 1
    if !waiters.isEmpty { waiters.removeFirst().resume() }
  }
}
