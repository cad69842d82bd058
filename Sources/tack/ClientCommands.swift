import ArgumentParser
import Foundation

// Stubs: replaced by the Graph client work (issue 3).

struct LoginCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "login", abstract: "Sign in.")
  @OptionGroup var global: GlobalOptions
}

struct LogoutCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "logout", abstract: "Sign out.")
  @OptionGroup var global: GlobalOptions
}

struct WhoamiCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the account.")
  @OptionGroup var global: GlobalOptions
}

struct ListsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "lists", abstract: "Show lists.")
  @OptionGroup var global: GlobalOptions
}

struct TasksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "tasks", abstract: "Show tasks.")
  @OptionGroup var global: GlobalOptions
}

struct AttachmentsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attachments", abstract: "Show attachments.")
  @OptionGroup var global: GlobalOptions
}
