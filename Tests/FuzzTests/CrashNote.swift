import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Names the cases in flight when the process dies of a trap (a `preconditionFailure` on
/// server input), so even a crash prints the seed that reproduces it.
///
/// Each lane's line is copied into a fixed buffer before its case runs; the signal handler
/// only `write`s those buffers (async-signal-safe), puts the previous handler back and returns,
/// so the trap repeats into the previous handler (the Swift backtracer, or the default).
enum CrashNote {
  static let lanes = 4
  static let capacity = 1024
  // Written by the lanes between cases and read only by the signal handler; a torn line in a
  // crash report is harmless, so no lock (a lock is not async-signal-safe anyway).
  nonisolated(unsafe) static let buffer: UnsafeMutablePointer<UInt8> = {
    let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: lanes * capacity)
    pointer.initialize(repeating: 0, count: lanes * capacity)
    return pointer
  }()
  nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]
  static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT]

  /// Installs the handler; `uninstall` puts the previous ones back.
  static func install() {
    _ = buffer
    for signal in signals {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = crashNoteHandler
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      var old = sigaction()
      sigaction(signal, &action, &old)
      previous[signal] = old
    }
  }

  static func uninstall() {
    for (signal, old) in previous {
      var action = old
      sigaction(signal, &action, nil)
    }
    previous = [:]
  }

  /// Records the line for `lane` (empty when the lane is idle).
  static func set(lane: Int, _ line: String) {
    let slot = buffer + (lane % lanes) * capacity
    let bytes = Array(line.utf8.prefix(capacity - 2)) + [UInt8(ascii: "\n")]
    slot.initialize(repeating: 0, count: capacity)
    if line.isEmpty { return }
    bytes.withUnsafeBufferPointer { source in
      slot.update(from: source.baseAddress!, count: source.count)
    }
  }
}

private func crashNoteHandler(_ signal: Int32) {
  let header = "\nfuzz: the process died in one of these cases:\n"
  _ = header.withCString { write(2, $0, strlen($0)) }
  for lane in 0..<CrashNote.lanes {
    let slot = CrashNote.buffer + lane * CrashNote.capacity
    let length = strlen(UnsafeRawPointer(slot).assumingMemoryBound(to: CChar.self))
    if length > 0 { _ = write(2, slot, length) }
  }
  if var old = CrashNote.previous[signal] {
    sigaction(signal, &old, nil)
  } else {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = SIG_DFL
    sigaction(signal, &action, nil)
  }
}
