import Foundation

/// Finds the `tack` executable built alongside the running test bundle.
public enum TackBinary {
  /// The build products directory (where the test bundle and `tack` live).
  public static var productsDirectory: URL {
    var url = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
    while url.path != "/" && url.pathExtension != "xctest" { url.deleteLastPathComponent() }
    if url.pathExtension == "xctest" { return url.deletingLastPathComponent() }
    // Fallback: the package's default build folder.
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug")
  }

  public static var url: URL { productsDirectory.appendingPathComponent("tack") }
}

/// A child process with pipes. `tack` unblocks its own signals, so SIGTERM reaches it even when
/// the test thread that spawned it had them blocked.
public final class ChildProcess: @unchecked Sendable {
  // @unchecked: the Process is configured before start() and then only queried or signalled
  // (thread-safe in Foundation); the streams are safe to use from any task.
  public let process = Process()
  private let stdoutPipe = Pipe()
  private let stderrPipe = Pipe()
  private let exits = AsyncStream<Int32>.makeStream()
  /// Every line the child writes to stdout, in order.
  public let lines: AsyncStream<String>
  private let lineContinuation: AsyncStream<String>.Continuation

  public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) {
    (lines, lineContinuation) = AsyncStream<String>.makeStream()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SWIFT_BACKTRACE"] = "enable=no"
    // Uploads stay in the child unless a test opts into the per-user agent (`TACK_NO_AGENT`
    // set to "" and its own XDG_RUNTIME_DIR): no agent outlives a test.
    env["TACK_NO_AGENT"] = "1"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    process.standardOutput = stdoutPipe
    process.standardError = stderrPipe
    process.standardInput = FileHandle.nullDevice
    let continuation = exits.continuation
    process.terminationHandler = { finished in
      continuation.yield(finished.terminationStatus)
      continuation.finish()
    }
  }

  public func start() throws {
    try process.run()
    let handle = stdoutPipe.fileHandleForReading
    let continuation = lineContinuation
    Thread.detachNewThread {
      var buffer = Data()
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        for byte in chunk {
          if byte == UInt8(ascii: "\n") {
            continuation.yield(String(decoding: buffer, as: UTF8.self))
            buffer.removeAll()
          } else {
            buffer.append(byte)
          }
        }
      }
      if !buffer.isEmpty { continuation.yield(String(decoding: buffer, as: UTF8.self)) }
      continuation.finish()
    }
  }

  /// Everything the child wrote to stderr (call after it exited).
  public func standardError() -> String {
    String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  }

  /// The first stdout line matching `predicate`, or nil at end of output or the deadline.
  public func waitForLine(
    timeout: Duration = .seconds(30), _ predicate: @escaping @Sendable (String) -> Bool
  )
    async -> String?
  {
    await firstOrDeadline(timeout) { [lines] in
      for await line in lines where predicate(line) { return line }
      return nil
    }
  }

  public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

  /// The exit status, or nil if the child is still running at the deadline.
  public func waitForExit(timeout: Duration = .seconds(30)) async -> Int32? {
    await firstOrDeadline(timeout) { [exits] in
      for await status in exits.stream { return status }
      return nil
    }
  }
}

/// Runs `work` and returns its result, or nil once `timeout` has passed.
public func firstOrDeadline<T: Sendable>(
  _ timeout: Duration, _ work: @escaping @Sendable () async -> T?
) async -> T? {
  await withTaskGroup(of: T?.self) { group in
    group.addTask { await work() }
    group.addTask {
      try? await Task.sleep(for: timeout)
      return nil
    }
    let first = await group.next() ?? nil
    group.cancelAll()
    return first
  }
}
