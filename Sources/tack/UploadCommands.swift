import ArgumentParser
import Foundation

// Stubs: replaced by the upload engine work (issue 4).

struct UploadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "upload", abstract: "Attach files.")
  @OptionGroup var global: GlobalOptions
}

struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume", abstract: "Finish journaled uploads.")
  @OptionGroup var global: GlobalOptions
}

struct UploadsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "uploads", abstract: "List journaled uploads.")
  @OptionGroup var global: GlobalOptions
}
