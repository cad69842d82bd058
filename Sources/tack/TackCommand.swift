import ArgumentParser
import Foundation

/// `tack`: the TUI, or a scripting subcommand.
struct TackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tack",
    abstract: "Attach files to Microsoft To Do tasks from a terminal.",
    discussion: """
      With no subcommand, opens the terminal UI against Microsoft Graph (signing in first if \
      needed). `tack --demo` opens it against the built-in emulator on 127.0.0.1 with seeded data.
      Exit codes: 0 success, 1 an upload failed, 2 usage or input error, 3 authentication error.
      """,
    subcommands: [
      LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, ListsCommand.self,
      TasksCommand.self, AttachmentsCommand.self, AddCommand.self, DoneCommand.self,
      UndoneCommand.self, RenameCommand.self, DeleteCommand.self, UploadCommand.self,
      ResumeCommand.self, UploadsCommand.self, EmulatorCommand.self, AccountsCommand.self,
      AgentCommand.self, PauseCommand.self, CancelCommand.self,
    ]
  )

  @OptionGroup var global: GlobalOptions

  @Flag(help: "Run against the built-in Graph emulator with seeded data; no account needed.")
  var demo = false

  @Option(name: .customLong("refresh-ms"), help: "Screen refresh interval in milliseconds.")
  var refreshMilliseconds: Int = 100

  @Flag(
    name: .customLong("no-agent"),
    help: "Upload in this process, not through the upload agent (uploads pause on quit).")
  var noAgent = false

  func run() throws {
    try TUILauncher.launch(
      global: global, demo: demo, noAgent: noAgent, refreshMilliseconds: refreshMilliseconds)
  }
}

/// Options every command accepts (DESIGN.md §3).
struct GlobalOptions: ParsableArguments {
  @Option(help: "Graph base URL (env TACK_GRAPH_URL).")
  var graphURL: String?

  @Option(help: "Identity base URL (env TACK_LOGIN_URL).")
  var loginURL: String?

  @Option(help: "National cloud: global, usgov or dod.")
  var cloud: String?

  @Option(help: "Tenant: common, organizations, consumers, or a tenant id or domain.")
  var tenant: String?

  @Option(help: "Application (client) id of your app registration (env TACK_CLIENT_ID).")
  var clientID: String?

  @Option(help: "The signed-in account to use, by username (env TACK_ACCOUNT; `tack accounts`).")
  var account: String?
}
