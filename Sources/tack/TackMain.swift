import ArgumentParser
import Foundation

/// Process exit codes (DESIGN.md §3).
enum TackExit {
  static let success: Int32 = 0
  static let uploadFailed: Int32 = 1
  static let usage: Int32 = 2
  static let auth: Int32 = 3
  /// `--offline` and there is no cache to answer from.
  static let noCache: Int32 = 4
  static let interrupted: Int32 = 130
}

/// Raised by commands to exit with a code after printing `message` (one line) to stderr.
struct TackFailure: Error, CustomStringConvertible {
  var code: Int32
  var message: String
  var description: String { message }
}

enum TackMain {
  static func run() {
    unblockSignals()
    do {
      var command = try TackCommand.parseAsRoot()
      try command.run()
      exit(TackExit.success)
    } catch let failure as TackFailure {
      if !failure.message.isEmpty { printError("tack: \(failure.message)") }
      exit(failure.code)
    } catch let code as ExitCode {
      exit(code.rawValue)
    } catch {
      let exitCode = TackCommand.exitCode(for: error)
      let message = TackCommand.fullMessage(for: error)
      if exitCode == .success {
        print(message)
        exit(TackExit.success)
      }
      // ArgumentParser uses 64 for usage errors; our contract says 2.
      printError(message)
      exit(exitCode == .validationFailure ? TackExit.usage : exitCode.rawValue)
    }
  }

  /// A parent started from a Swift-concurrency thread (a test, a supervisor) may hand us a mask
  /// that blocks SIGTERM/SIGINT/SIGWINCH; we would then ignore them (research/tui.md §2.3).
  static func unblockSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    for number in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGCONT, SIGQUIT] {
      sigaddset(&set, number)
    }
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}

/// Runs async work from a synchronous command, blocking the calling thread until it finishes.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
  let box = BlockingResult<T>()
  let done = DispatchSemaphore(value: 0)
  Task.detached {
    do {
      box.set(.success(try await body()))
    } catch {
      box.set(.failure(error))
    }
    done.signal()
  }
  done.wait()
  return try box.get()
}

/// A result handed from the detached task to the blocked thread; the semaphore orders access.
private final class BlockingResult<T: Sendable>: @unchecked Sendable {
  // @unchecked: written once by the task before `signal()`, read once after `wait()`.
  private var result: Result<T, any Error>?

  func set(_ value: Result<T, any Error>) { result = value }

  func get() throws -> T {
    guard let result else { throw TackFailure(code: 1, message: "internal error: no result") }
    return try result.get()
  }
}
