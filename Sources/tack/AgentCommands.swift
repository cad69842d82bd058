import AgentProtocol
import AppCore
import ArgumentParser
import Foundation
import GraphClient
import GraphModels
import Logging
import UploadAgent
import UploadEngine

/// `tack agent`: the per-user upload agent (DECISIONS.md 2026-12-02, "The upload agent").
struct AgentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "agent",
    abstract: "Run the upload agent that owns this user's uploads.",
    discussion: """
      `tack upload` and `tack resume` start the agent on demand, detached; it exits after a \
      quiet minute with nothing uploading. --foreground runs it in this process (for a \
      `systemd --user` unit). SIGTERM or `tack agent stop` pauses its uploads, keeps the \
      journal and exits.
      """,
    subcommands: [AgentStatusCommand.self, AgentStopCommand.self])

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Run the agent in this process instead of starting it detached.")
  var foreground = false

  /// Seconds with nothing uploading and no client before the agent exits (tests shorten it;
  /// also `TACK_AGENT_IDLE_S`).
  @Option(name: .customLong("idle-exit"), help: .hidden)
  var idleExit: Double?

  func run() throws {
    let context = try Composition.context(global)
    let paths = AgentLink.paths(context)
    do {
      try paths.prepare()
    } catch {
      throw TackFailure(code: TackExit.usage, message: Composition.oneLine(error.description))
    }
    guard foreground else {
      let pid = try runBlocking {
        try await AgentLink.withAgent(context, start: true, explain: false) {
          $0.welcome.pid
        }
      }
      guard let pid else {
        throw TackFailure(
          code: 1, message: "the upload agent did not start; see \(context.paths.logFile)")
      }
      Output.status("upload agent running (pid \(pid), socket \(paths.socket))")
      return
    }
    try runForeground(context, paths: paths)
  }

  private func idleSeconds(_ context: ClientContext) -> Double {
    idleExit ?? context.environment["TACK_AGENT_IDLE_S"].flatMap(Double.init) ?? 60
  }

  private func runForeground(_ context: ClientContext, paths: AgentPaths) throws {
    let lock: FileLock?
    do {
      lock = try FileLock.acquire(paths.lock)
    } catch {
      throw TackFailure(code: 1, message: Composition.oneLine(error.description))
    }
    guard let lock else {
      let holder = FileLock.holder(of: paths.lock).map { " (pid \($0))" } ?? ""
      Output.status("an upload agent is already running\(holder)")
      return
    }
    defer { lock.release() }
    let idle = idleSeconds(context)
    try Composition.run(global) { services in
      let logger = Composition.makeLogger(context, label: "tack.agent")
      let journal = UploadJournal(directory: context.paths.uploadJournalDirectory)
      let coordinator = UploadCoordinator(graph: services.session, journal: journal)
      let settings = AgentSettings(
        paths: paths, graphURL: context.graphURL, idleExit: .milliseconds(Int64(idle * 1000)))
      let core = AgentCore(
        coordinator: coordinator, journal: journal, settings: settings, logger: logger)
      try await AgentServer(core: core).runUntilStopped()
    }
  }
}

/// `tack agent status`: whether an agent runs, and what it does.
struct AgentStatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status", abstract: "Show whether the upload agent runs and what it uploads.")

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Print the status as JSON on stdout.")
  var json = false

  func run() throws {
    let context = try Composition.context(global)
    let status = try runBlocking {
      try await AgentLink.withAgent(context, start: false, explain: false) {
        try await $0.request(.status).status
      }
    }
    guard let status = status ?? nil else {
      if json {
        Output.jsonLine(.object(["running": .bool(false)]))
      } else {
        Output.status("no upload agent is running")
      }
      return
    }
    if json {
      Output.jsonLine(
        .object([
          "running": .bool(true), "pid": .number(Double(status.pid)),
          "socket": .string(status.socketPath), "graph_url": .string(status.graphURL),
          "active": .number(Double(status.active)), "clients": .number(Double(status.clients)),
          "bytes_per_second": status.bytesPerSecond.map { .number(Double($0)) } ?? .null,
        ]))
    } else {
      let cap = status.bytesPerSecond.map { ", capped at " + Format.rate(Double($0)) } ?? ""
      Output.status(
        "upload agent running: pid \(status.pid), \(status.active) uploading\(cap), socket "
          + status.socketPath)
    }
  }
}

/// `tack agent stop`: pause every upload (journal kept) and let the agent exit.
struct AgentStopCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stop",
    abstract: "Pause the agent's uploads (the journal is kept) and stop it.")

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let context = try Composition.context(global)
    let stopped = try runBlocking {
      try await AgentLink.withAgent(context, start: false, explain: false) {
        connection -> Int32 in
        _ = try await connection.request(.stop)
        // The agent closes the connection once its uploads are paused.
        while try await connection.next() != nil {}
        return connection.welcome.pid
      }
    }
    guard let pid = stopped ?? nil else {
      Output.status("no upload agent is running")
      return
    }
    Output.status(
      "upload agent (pid \(pid)) stopped; its uploads are paused (`tack resume` continues them)")
  }
}
