import AgentProtocol
import Foundation
import NIOCore

/// One connected client's outgoing lines, bounded: the agent never waits for a client. A client
/// that falls `capacity` lines behind (it stopped reading, or vanished) is disconnected.
final class AgentClientSink: Sendable {
  let id: Int
  let channel: any Channel
  let lines: AsyncStream<Data>
  private let continuation: AsyncStream<Data>.Continuation

  /// Lines held for a slow client before it is dropped (progress is coalesced to ten a second
  /// per upload, so this is minutes of events).
  static let capacity = 4096

  init(id: Int, channel: any Channel, capacity: Int = AgentClientSink.capacity) {
    self.id = id
    self.channel = channel
    (lines, continuation) = AsyncStream.makeStream(
      of: Data.self, bufferingPolicy: .bufferingOldest(capacity))
  }

  /// Queues `frame`; false when the client is too slow or gone (then it is closed).
  @discardableResult
  func send(_ frame: AgentFrame) -> Bool {
    guard let line = try? AgentCodec.encode(frame) else { return true }
    switch continuation.yield(line) {
    case .enqueued: return true
    case .dropped, .terminated:
      close()
      return false
    @unknown default:
      return true
    }
  }

  /// Ends the outgoing lines (the writer finishes what is queued) and closes the connection.
  func close() {
    continuation.finish()
    channel.close(promise: nil)
  }

  /// Ends the outgoing lines after what is queued; the connection closes when they are written.
  func finish() {
    continuation.finish()
  }
}
