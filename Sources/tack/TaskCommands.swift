import ArgumentParser
import Foundation
import GraphClient
import GraphModels
import UploadEngine

/// `tack add --list L TITLE [--due D] [--importance I] [--note T] [--attach FILE…] [--json]`.
struct AddCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "add", abstract: "Add a task to a list (and attach files to it).",
    discussion: """
      The task is created once: if Graph's answer is lost, tack looks for the task in the list \
      before trying again, so a retry never makes a duplicate. --attach uploads the files to the \
      new task exactly as `tack upload` does (progress, --json events, exit codes). With --json \
      the created task is printed as one JSON object on one line.
      """)

  enum Importance: String, ExpressibleByArgument, CaseIterable {
    case low, normal, high
  }

  @OptionGroup var global: GlobalOptions

  @Option(help: "The list: its id or its name.")
  var list: String

  @Argument(help: "The task's title.")
  var title: String

  @Option(help: "Due date, YYYY-MM-DD.")
  var due: String?

  @Option(help: "Importance (Graph's default: normal).")
  var importance: Importance?

  @Option(help: "A note (the task's body, plain text).")
  var note: String?

  @Option(
    name: .customLong("attach"), parsing: .upToNextOption,
    help: "Files to attach to the new task (one or more).")
  var attach: [String] = []

  @Flag(help: "Print the created task as JSON (and upload events as NDJSON).")
  var json = false

  func validate() throws {
    guard !title.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw ValidationError("the title must not be empty")
    }
    if let due, DueDate.parse(due) == nil {
      throw ValidationError("--due must be a date as YYYY-MM-DD, e.g. 2026-12-24 (got \(due))")
    }
  }

  var draft: TaskDraft {
    TaskDraft(
      title: title, importance: importance?.rawValue, body: note.map { ItemBody(content: $0) },
      dueDateTime: due.flatMap(DueDate.parse))
  }

  func run() throws {
    try UploadCommand.checkFiles(attach)
    let (listQuery, draft, files, json) = (list, draft, attach, json)
    let code = try UploadRun.withServices(global) { services in
      let list = try await Composition.resolveList(listQuery, session: services.session)
      let object = try await services.session.createTaskObject(listID: list.id, draft: draft)
      let task = try object.decode(as: TodoTask.self)
      if json {
        Output.jsonLine(object)
      } else {
        Output.line(
          "Added “\(Composition.oneLine(task.title))” to \(Composition.oneLine(list.displayName))"
            + " (id \(Composition.oneLine(task.id)))")
      }
      guard !files.isEmpty else { return TackExit.success }
      let target = UploadTarget(
        listID: list.id, taskID: task.id, listName: list.displayName, taskTitle: task.title)
      return try await UploadRun(services: services, json: json).perform { coordinator in
        var started: [(UploadID, String)] = []
        for file in files {
          started.append((try await coordinator.upload(path: file, to: target), file))
        }
        return started
      }
    }
    if code != TackExit.success { throw TackFailure(code: code, message: "") }
  }
}

/// `tack done --list L --task T`: mark a task completed.
struct DoneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "done", abstract: "Mark a task completed.")

  @OptionGroup var target: TaskTarget

  func run() throws {
    try target.update(TaskPatch(status: "completed")) { task, list in
      "Completed “\(task)” in \(list)"
    }
  }
}

/// `tack undone --list L --task T`: mark a completed task not started again.
struct UndoneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "undone", abstract: "Mark a completed task as not completed.")

  @OptionGroup var target: TaskTarget

  func run() throws {
    try target.update(TaskPatch(status: "notStarted")) { task, list in
      "Reopened “\(task)” in \(list)"
    }
  }
}

/// `tack rename --list L --task T NEW_TITLE`.
struct RenameCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rename", abstract: "Give a task a new title.")

  @OptionGroup var target: TaskTarget

  @Argument(help: "The new title.")
  var newTitle: String

  func validate() throws {
    guard !newTitle.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw ValidationError("the new title must not be empty")
    }
  }

  func run() throws {
    let newTitle = newTitle
    try target.update(TaskPatch(title: newTitle)) { old, list in
      "Renamed “\(old)” to “\(Composition.oneLine(newTitle))” in \(list)"
    }
  }
}

/// `tack delete --list L --task T --yes`: delete a task (asks first on a terminal).
struct DeleteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "delete", abstract: "Delete a task.",
    discussion: """
      Without --yes, tack asks for confirmation when stdin and stderr are a terminal and \
      refuses otherwise (exit 2).
      """)

  @OptionGroup var target: TaskTarget

  @Flag(help: "Delete without asking.")
  var yes = false

  func run() throws {
    let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1
    guard yes || interactive else {
      throw TackFailure(
        code: TackExit.usage,
        message: "not deleting without confirmation: pass --yes (stdin is not a terminal)")
    }
    let (listQuery, taskQuery, yes) = (target.list, target.task, yes)
    try Composition.run(target.global) { services in
      let session = services.session
      let list = try await Composition.resolveList(listQuery, session: session)
      let task = try await Composition.resolveTask(taskQuery, in: list, session: session)
      let (title, listName) = (
        Composition.oneLine(task.title), Composition.oneLine(list.displayName)
      )
      if !yes {
        FileHandle.standardError.write(Data("Delete “\(title)” from \(listName)? [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
          Output.status("Not deleted.")
          return
        }
      }
      try await session.deleteTask(listID: list.id, taskID: task.id)
      Output.line("Deleted “\(title)” from \(listName)")
    }
  }
}

/// `--list L --task T`, shared by the commands that change one task.
struct TaskTarget: ParsableArguments {
  @OptionGroup var global: GlobalOptions

  @Option(help: "The list: its id or its name.")
  var list: String

  @Option(help: "The task: its id or its title.")
  var task: String

  /// Resolves the task, sends `patch` and prints `message(old title, list name)`, sanitised.
  func update(_ patch: TaskPatch, message: @escaping @Sendable (String, String) -> String) throws {
    let (listQuery, taskQuery) = (list, task)
    try Composition.run(global) { services in
      let session = services.session
      let list = try await Composition.resolveList(listQuery, session: session)
      let task = try await Composition.resolveTask(taskQuery, in: list, session: session)
      _ = try await session.updateTask(listID: list.id, taskID: task.id, patch: patch)
      Output.line(
        message(Composition.oneLine(task.title), Composition.oneLine(list.displayName)))
    }
  }
}

/// `--due YYYY-MM-DD` as Graph's `dateTimeTimeZone` (midnight, UTC, as To Do stores due dates).
enum DueDate {
  static func parse(_ text: String) -> DateTimeTimeZone? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
      (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    var components = DateComponents()
    components.calendar = Calendar(identifier: .gregorian)
    components.timeZone = TimeZone(identifier: "UTC")
    (components.year, components.month, components.day) = (year, month, day)
    // Rejects 2026-02-30 and the like.
    guard components.isValidDate else { return nil }
    return DateTimeTimeZone(dateTime: "\(text)T00:00:00.0000000", timeZone: "UTC")
  }
}

extension Output {
  /// One object as one line of JSON on stdout, through the machine-output writer (controls,
  /// C1 and DEL escaped) like `json(_:)`.
  static func jsonLine(_ value: JSONValue) {
    let data = (try? MachineJSON.line(value)) ?? Data("{}\n".utf8)
    FileHandle.standardOutput.write(data)
  }
}
