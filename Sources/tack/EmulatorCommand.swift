import ArgumentParser
import Foundation
import GraphEmulator

/// `tack emulator`: run the Graph emulator on 127.0.0.1.
struct EmulatorCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "emulator",
    abstract: "Run the built-in Microsoft Graph emulator on 127.0.0.1.",
    discussion: """
      Prints the Graph base URL on the first line of stdout, the login base URL on the \
      second and this run's approval-hook secret on the third (POST \
      /_emulator/device/approve?secret=SECRET approves pending device codes), then serves until Ctrl-C or SIGTERM. Point tack at it with --graph-url and \
      --login-url (or TACK_GRAPH_URL / TACK_LOGIN_URL).

      \(FaultPlan.syntaxHelp)

      Modes (--mode name=value): overlap=rangeError|acceptCurrent, gap=rangeError|badRequest,
        oversize-chunk=413|400, fragment-multiple=on|off, create-status=200|201,
        keys=pascal|camel, ranges=bare|openEnded, location=path|odataKey|controls, status-get=on|off,
        session-lifetime=SECONDS, token-lifetime=SECONDS, page-size=N, auto-approve=POLLS,
        interval=SECONDS, device-code-lifetime=SECONDS, enforce-interval=on|off,
        revoke-refresh=on|off, expect-continue=on|off, seed=demo|small|empty,
        delta-token-lifetime=SECONDS, delta-expired-status=410|400, long-list=N (a list of N
        tasks; with --fault get#*=latency:ms=150, a slow page-by-page load)
      """
  )

  @Option(help: "Port to listen on; 0 picks a free one.")
  var port: Int = 0

  @Option(help: "Address to bind (loopback by default).")
  var host: String = "127.0.0.1"

  @Option(help: "Accept exactly this bearer token (otherwise tokens the emulator issued).")
  var token: String?

  @Option(
    name: .customLong("fault"), parsing: .upToNextOption,
    help: "Faults to inject (one or more, repeatable); see the syntax below.")
  var faults: [String] = []

  @Option(help: "Whether GET {uploadUrl} answers with the session state: on or off.")
  var statusGet: String = "on"

  @Option(
    name: .customLong("mode"), parsing: .upToNextOption,
    help: "Behaviour switches name=value (one or more, repeatable).")
  var modes: [String] = []

  @Option(help: "Approve device codes automatically after this many token polls.")
  var autoApprove: Int?

  func run() throws {
    var options = EmulatorOptions()
    options.port = port
    options.host = host
    options.token = token
    options.autoApproveAfterPolls = autoApprove
    do {
      options.faults = try FaultPlan(specs: faults)
      try options.apply(mode: "status-get=\(statusGet)")
      for mode in modes { try options.apply(mode: mode) }
    } catch {
      throw TackFailure(code: TackExit.usage, message: "\(error)")
    }
    let startOptions = options
    let signals = SignalWaiter(signals: [SIGINT, SIGTERM])
    try runBlocking {
      let emulator: GraphEmulator
      do {
        emulator = try await GraphEmulator.start(startOptions)
      } catch {
        throw TackFailure(code: 1, message: "\(error)")
      }
      // Unbuffered, so a parent process reading our stdout sees the URLs at once.
      FileHandle.standardOutput.write(
        Data("\(emulator.graphBaseURL)\n\(emulator.loginBaseURL)\n\(emulator.hookSecret)\n".utf8))
      await signals.wait()
      await emulator.stop()
    }
  }
}

/// Waits for one of `signals`, which are otherwise ignored (so the default action never runs).
// @unchecked: the sources are set once in init and only kept alive afterwards; the stream is
// safe to iterate from one task.
final class SignalWaiter: @unchecked Sendable {
  private let stream: AsyncStream<Int32>
  private let sources: [any DispatchSourceSignal]

  init(signals: [Int32]) {
    let (stream, continuation) = AsyncStream<Int32>.makeStream()
    self.stream = stream
    sources = signals.map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { continuation.yield(number) }
      source.resume()
      return source
    }
  }

  /// Returns the first signal that arrives.
  @discardableResult
  func wait() async -> Int32 {
    for await number in stream { return number }
    return 0
  }
}
