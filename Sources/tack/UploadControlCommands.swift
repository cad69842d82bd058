import AgentProtocol
import ArgumentParser
import Foundation
import UploadAgent

/// `tack pause|resume|cancel ID…|--all`: tell the agent.
enum UploadControl {
  static func run(_ operation: AgentOperation, ids: [String], all: Bool, global: GlobalOptions)
    throws
  {
    guard all || !ids.isEmpty else {
      throw TackFailure(
        code: TackExit.usage, message: "give upload ids (`tack uploads` lists them) or --all")
    }
    let context = try Composition.context(global)
    // Only a resume needs an agent that is not running: it picks uploads up from the journal.
    let reply = try runBlocking {
      try await AgentLink.withAgent(context, start: operation == .resume, explain: false) {
        try await $0.request(operation) {
          $0.uploads = ids.isEmpty ? nil : ids
          $0.all = all ? true : nil
        }
      }
    }
    guard let reply else {
      if operation == .resume {
        throw TackFailure(
          code: 1, message: "the upload agent did not start; see \(context.paths.logFile)")
      }
      throw TackFailure(
        code: TackExit.usage,
        message: "no upload agent is running, so nothing uploads in the background; "
          + "`tack uploads` lists journaled uploads")
    }
    guard reply.ok else {
      throw TackFailure(
        code: reply.code ?? 1, message: Composition.oneLine(reply.message ?? "refused"))
    }
  }
}

/// `tack pause ID…|--all`: pause uploads the agent runs (session and journal kept).
struct PauseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pause", abstract: "Pause uploads the agent runs (the journal is kept).")

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Pause every upload.")
  var all = false

  @Argument(help: "Upload ids (`tack uploads` lists them).")
  var ids: [String] = []

  func run() throws {
    try UploadControl.run(.pause, ids: ids, all: all, global: global)
  }
}

/// `tack cancel ID…|--all`: cancel uploads the agent runs (session and journal deleted).
struct CancelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel uploads the agent runs (their sessions and journal entries are deleted).")

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Cancel every upload.")
  var all = false

  @Argument(help: "Upload ids (`tack uploads` lists them).")
  var ids: [String] = []

  func run() throws {
    try UploadControl.run(.cancel, ids: ids, all: all, global: global)
  }
}
