import AsyncHTTPClient
import NIOCore
import Synchronization

/// Ends a streamed request body in the same event-loop turn as its last write.
///
/// AsyncHTTPClient 1.37.0 leaks the connection when a response's body and end arrive in one read
/// before the request body stream has reported its end: `RequestBag.StateMachine
/// .consumeMoreBodyData` (case `.buffering(_, next: .eof)`) moves to `.finished` whatever the
/// request stream's state, so the later `finishRequestBodyStream` returns `.none`, the end never
/// reaches the HTTP/1 handler, and the connection stays in `.running(.streaming, .endReceived)`,
/// leased for ever. A fast server (our emulator on loopback) answers inside the window between
/// the last write and the producer's future completing after its task and event-loop hops.
/// Holding back the piece that completes the body, writing it on the request's own event loop
/// and returning that write's future as the stream's result leaves no such window.
enum FinalPieceWriter {
  /// Runs `producer` with a writer that holds back the piece completing `length` bytes, then
  /// writes that piece on `loop`, which must be the request's (delegate) event loop. The
  /// producer's task joins `producers`, which cancels it when the request ends.
  static func stream(
    length: Int64, on loop: any EventLoop, into writer: HTTPClient.Body.StreamWriter,
    producers: BodyProducers,
    producer: @escaping @Sendable (HTTPClient.Body.StreamWriter) async throws -> Void
  ) -> EventLoopFuture<Void> {
    let holder = Holder(length: length)
    let holding = HTTPClient.Body.StreamWriter { part in
      holder.keepIfLast(part) ? loop.makeSucceededVoidFuture() : writer.write(part)
    }
    let produced = loop.makePromise(of: Void.self)
    let task = Task { try await producer(holding) }
    producers.add(task)
    produced.completeWithTask { try await task.value }
    return produced.futureResult.flatMap {
      guard let last = holder.last else { return loop.makeSucceededVoidFuture() }
      return writer.write(last)
    }
  }

  private final class Holder: Sendable {
    private struct State {
      var remaining: Int64
      var last: IOData?
    }

    private let state: Mutex<State>

    init(length: Int64) {
      state = Mutex(State(remaining: length, last: nil))
    }

    /// Counts `part`; true when it completes the body and is kept instead of written.
    func keepIfLast(_ part: IOData) -> Bool {
      state.withLock { state in
        state.remaining -= Int64(part.readableBytes)
        guard state.remaining == 0, state.last == nil, part.readableBytes > 0 else { return false }
        state.last = part
        return true
      }
    }

    var last: IOData? { state.withLock { $0.last } }
  }
}
