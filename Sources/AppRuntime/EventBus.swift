import AppCore
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Something background work hands to the UI loop.
enum RuntimeEvent: Sendable {
  case action(Action)
  /// Uploads are paused (or the wait timed out): the loop may exit.
  case quitReady
  /// The sign-in finished: Graph is reachable through this engine.
  case connected(any RuntimeEngine)
  /// The engine of account `id`, made for the switch to it under `generation` (or why not).
  case accountReady(id: String, generation: Int, Result<any RuntimeEngine, AppError>)
}

/// A queue from any task or thread to the UI loop, with a self-pipe that wakes its `poll`.
///
/// The UI loop owns the main thread and never awaits, so an `AsyncStream` cannot reach it
/// (research/tui.md §2.2): posting appends under a lock and writes one byte to the pipe.
final class EventBus: Sendable {
  private let channel: Channel
  /// Set on a bus that answers effects issued under an account switch (`answering`).
  private let generation: Int?
  /// The descriptor the loop polls.
  var readDescriptor: Int32 { channel.readDescriptor }

  init() throws {
    channel = try Channel()
    generation = nil
  }

  private init(channel: Channel, generation: Int) {
    self.channel = channel
    self.generation = generation
  }

  /// The same queue, where every action arrives as `Action.fromAccount(generation:…)`: the
  /// reducer drops it once another account is shown.
  func answering(generation: Int) -> EventBus {
    EventBus(channel: channel, generation: generation)
  }

  /// Queues `event` and wakes the loop; safe from any thread.
  func post(_ event: RuntimeEvent) {
    var event = event
    if let generation, case .action(let action) = event {
      event = .action(.fromAccount(generation: generation, action))
    }
    channel.queue.withLock { $0.append(event) }
    var byte: UInt8 = 1
    // A full pipe (EAGAIN) already guarantees a wake-up.
    _ = write(channel.writeDescriptor, &byte, 1)
  }

  /// Queues an action.
  func post(_ action: Action) {
    post(.action(action))
  }

  /// Everything queued so far, oldest first; empties the pipe too.
  func drain() -> [RuntimeEvent] {
    var bytes = [UInt8](repeating: 0, count: 256)
    while read(channel.readDescriptor, &bytes, bytes.count) > 0 {}
    return channel.queue.withLock { events in
      defer { events.removeAll(keepingCapacity: true) }
      return events
    }
  }

  /// The queue and its pipe, shared by a bus and the buses answering for it.
  private final class Channel: Sendable {
    let queue = Mutex<[RuntimeEvent]>([])
    let readDescriptor: Int32
    let writeDescriptor: Int32

    init() throws {
      var fds: [Int32] = [-1, -1]
      guard pipe(&fds) == 0 else { throw AppError("cannot create a pipe (errno \(errno))") }
      for fd in fds {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
      }
      readDescriptor = fds[0]
      writeDescriptor = fds[1]
    }

    deinit {
      close(readDescriptor)
      close(writeDescriptor)
    }
  }
}
