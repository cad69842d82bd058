import TerminalCore

/// What the user can ask for; keys map to commands through `KeyBindings.table`.
public enum Command: String, Sendable, Hashable, CaseIterable {
  case moveUp
  case moveDown
  case pageUp
  case pageDown
  case moveTop
  case moveBottom
  case nextPane
  case previousPane
  case open
  case back
  case toggleMark
  case filter
  case attach
  case togglePause
  case togglePauseAll
  case cancelUpload
  case retryUpload
  case cycleBandwidthLimit
  case download
  case delete
  case help
  case refresh
  case repaint
  case suspend
  case quit
  case interrupt
  case toggleHidden
  case goHome
  case parent
  case confirm
  case deny
  /// Quit and pause the uploads the agent would otherwise keep running.
  case quitPausing
  /// Quit and cancel the uploads.
  case quitCancelling
  case discard
  case filterAccept
  case filterCancel
  case filterErase
  // Editing tasks, steps and lists (KeyBindings+Edit.swift).
  case newItem
  case rename
  case toggleDone
  case toggleImportance
  case setDue
  case deleteItem
  case toggleCompletedGroup
  case editorStart
  case editorEnd
  case editorLeft
  case editorRight
  case editorKillEnd
  case editorKillStart
  case editorKillWord
  case editorErase
  case editorAccept
  case editorCancel
  /// `A`: the account list (KeyBindings+Accounts.swift).
  case chooseAccount
  // The global search (KeyBindings+Search.swift).
  case search
  case searchJump
  case searchClose
  case searchErase
}

/// Where a key is pressed: the binding table is looked up in the innermost context first.
public enum KeyContext: String, Sendable, Hashable, CaseIterable {
  /// Moving in whatever list or text has the focus.
  case navigation
  case global
  case lists
  case tasks
  case steps
  case attachments
  case uploads
  case picker
  /// Typing a filter after `/`.
  case filter
  case help
  /// The question `q` asks while uploads run.
  case confirmQuit
  /// The question `q` asks while uploads run in the upload agent: keep, pause or cancel them.
  case confirmQuitBackground
  /// The question `D` asks before deleting an attachment.
  case confirmDelete
  case resume
  /// Waiting for a device-code sign-in.
  case signIn
  /// Typing a title or name in a prompt.
  case editor
  /// The question `d` asks before deleting a task.
  case confirmDeleteTask
  /// The account list `A` opens.
  case accounts
  /// Typing a query in the global search (`F`).
  case search

  /// The heading of the context in the help overlay.
  public var title: String {
    switch self {
    case .navigation: return "Moving"
    case .global: return "Everywhere"
    case .lists: return "Lists"
    case .tasks: return "Tasks"
    case .attachments: return "Attachments"
    case .uploads: return "Uploads"
    case .picker: return "File picker"
    case .filter: return "Filter"
    case .help: return "Help"
    case .confirmQuit: return "Quit question"
    case .confirmQuitBackground: return "Quit question (uploads in the background)"
    case .confirmDelete: return "Delete question"
    case .resume: return "Resume offer"
    case .signIn: return "Sign-in"
    case .steps: return "Steps"
    case .editor: return "Typing a title"
    case .confirmDeleteTask: return "Delete-task question"
    case .accounts: return "Account list"
    case .search: return "Searching every list"
    }
  }
}

/// One row of the binding table: keys, the command, help text, where it applies, and when not.
///
/// Everything about a key lives in its row (lazygit's `GetDisabledReason` on each binding): the
/// reducer, the footer, the dialogs' key lines and the `?` overlay all read it from here.
public struct KeyBinding: Sendable, Hashable {
  public var keys: [KeyEvent]
  public var command: Command
  public var help: String
  public var context: KeyContext
  /// A short label when the binding is one of the few the footer shows for its context.
  public var footer: String?
  /// The label in the key line of its context's dialog, when the dialog offers the binding.
  public var hint: String?
  /// True for a footer hint that gives its room to the others when the row is full (the key is
  /// still in `?`): the least used of a context's hints.
  public var footerOptional: Bool
  /// Why the binding does nothing in a state, or nil when it is available.
  public var disabled: @Sendable (AppState) -> String?

  public init(
    _ keys: [KeyEvent], _ command: Command, _ help: String, _ context: KeyContext,
    footer: String? = nil, footerOptional: Bool = false, hint: String? = nil,
    disabled: @escaping @Sendable (AppState) -> String? = { _ in nil }
  ) {
    self.keys = keys
    self.command = command
    self.help = help
    self.context = context
    self.footer = footer
    self.footerOptional = footerOptional
    self.hint = hint
    self.disabled = disabled
  }

  /// Why the binding does nothing in `state`, or nil when it is available.
  public func disabledReason(in state: AppState) -> String? {
    disabled(state)
  }

  // A row is identified by what it shows and does; its rule is code and is not compared.
  public static func == (lhs: KeyBinding, rhs: KeyBinding) -> Bool {
    lhs.keys == rhs.keys && lhs.command == rhs.command && lhs.help == rhs.help
      && lhs.context == rhs.context && lhs.footer == rhs.footer && lhs.hint == rhs.hint
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(keys)
    hasher.combine(command)
    hasher.combine(context)
  }
}

/// The one table that drives key handling, the footer hints and the `?` overlay.
public enum KeyBindings {
  /// Every binding, grouped by context in the order the help overlay shows them.
  public static let table: [KeyBinding] = coreRows + editRows + accountRows + searchRows

  private static let coreRows: [KeyBinding] = [
    // Moving is the same in every list.
    KeyBinding([.up, .char("k")], .moveUp, "move up", .navigation),
    KeyBinding([.down, .char("j")], .moveDown, "move down", .navigation),
    KeyBinding([.pageUp, .ctrl("u")], .pageUp, "page up", .navigation),
    KeyBinding([.pageDown, .ctrl("d")], .pageDown, "page down", .navigation),
    KeyBinding([.home, .char("g")], .moveTop, "first row", .navigation),
    KeyBinding([.end, .char("G")], .moveBottom, "last row", .navigation),

    KeyBinding(
      [.tab], .nextPane, "next pane", .global, footer: "pane", disabled: Rules.changePane),
    KeyBinding([.backTab], .previousPane, "previous pane", .global, disabled: Rules.changePane),
    KeyBinding(
      [.char("a")], .attach, "attach files to the task", .global, footer: "attach",
      disabled: Rules.attach),
    KeyBinding(
      [.char("p")], .togglePause, "pause/resume upload", .global, footer: "pause",
      disabled: Rules.togglePause),
    KeyBinding(
      [.char("P")], .togglePauseAll, "pause/resume all uploads", .global,
      disabled: Rules.togglePauseAll),
    KeyBinding([.char("x")], .cancelUpload, "cancel upload", .global, disabled: Rules.cancel),
    KeyBinding([.char("r")], .retryUpload, "retry failed upload", .global, disabled: Rules.retry),
    KeyBinding(
      [.char("b")], .cycleBandwidthLimit, "cap upload speed: off, 500 kB/s, 1 MB/s, 5 MB/s",
      .global, disabled: { $0.bandwidthCap == .unknown ? "uploads are not ready yet" : nil }),
    KeyBinding([.ctrl("r")], .refresh, "reload from Graph", .global),
    KeyBinding([.char("?")], .help, "help", .global, footer: "help"),
    KeyBinding([.ctrl("l")], .repaint, "redraw the screen", .global),
    KeyBinding([.ctrl("z")], .suspend, "suspend to the shell", .global),
    KeyBinding([.char("q")], .quit, "quit (asks while uploads run)", .global, footer: "quit"),
    KeyBinding([.ctrl("c")], .interrupt, "quit; twice forces", .global),

    KeyBinding(
      [.enter, .right, .char("l")], .open, "open list", .lists, footer: "open",
      disabled: { $0.selectedList == nil ? "no list selected" : nil }),
    KeyBinding([.char("/")], .filter, "filter lists", .lists, footer: "filter"),

    KeyBinding(
      // The footer's room goes to `n new` (KeyBindings+Edit); Enter is in `?`.
      [.enter, .right, .char("l")], .open, "show attachments", .tasks,
      disabled: { $0.selectedTask == nil ? "no task selected" : nil }),
    KeyBinding([.escape, .left, .char("h")], .back, "back to lists", .tasks),
    KeyBinding([.char("/")], .filter, "filter tasks", .tasks, footer: "filter"),

    KeyBinding(
      [.char("d")], .download, "download", .attachments, footer: "download",
      disabled: Rules.attachment),
    KeyBinding(
      [.char("D")], .delete, "delete (asks first)", .attachments, footer: "delete",
      disabled: Rules.attachment),
    KeyBinding([.escape, .left, .char("h")], .back, "back to tasks", .attachments),

    KeyBinding([.escape, .left, .char("h")], .back, "back to tasks", .uploads),

    KeyBinding([.char(" ")], .toggleMark, "mark/unmark file", .picker, footer: "mark"),
    KeyBinding(
      [.enter, .right, .char("l")], .open, "open directory, or attach the marked files", .picker,
      footer: "open"),
    KeyBinding([.backspace, .left, .char("h")], .parent, "parent directory", .picker),
    KeyBinding([.char("~")], .goHome, "home directory", .picker),
    KeyBinding([.char(".")], .toggleHidden, "show/hide hidden files", .picker),
    KeyBinding([.char("/")], .filter, "filter as you type", .picker, footer: "filter"),
    KeyBinding([.escape], .back, "close without attaching", .picker, footer: "close"),

    KeyBinding([.enter], .filterAccept, "keep the filter", .filter, footer: "keep"),
    KeyBinding([.escape], .filterCancel, "clear the filter", .filter, footer: "clear"),
    KeyBinding([.backspace], .filterErase, "erase a character", .filter),

    KeyBinding([.escape, .char("?"), .char("q")], .back, "close help", .help, footer: "close"),

    KeyBinding(
      [.char("y"), .enter], .confirm, "quit; uploads pause", .confirmQuit, footer: "yes",
      hint: "quit"),
    KeyBinding([.char("n"), .escape], .deny, "stay", .confirmQuit, footer: "no", hint: "stay"),

    KeyBinding(
      [.enter, .char("k")], .confirm, "quit; the agent keeps uploading", .confirmQuitBackground,
      footer: "keep", hint: "keep uploading"),
    KeyBinding(
      [.char("p")], .quitPausing, "quit; pause the uploads (journal kept)",
      .confirmQuitBackground, footer: "pause", hint: "pause them"),
    KeyBinding(
      [.char("x")], .quitCancelling, "quit; cancel the uploads", .confirmQuitBackground,
      footer: "cancel", hint: "cancel them"),
    KeyBinding(
      [.escape, .char("n")], .deny, "stay", .confirmQuitBackground, footer: "stay", hint: "stay"),

    KeyBinding(
      [.char("y"), .enter], .confirm, "delete the attachment", .confirmDelete, footer: "yes",
      hint: "delete"),
    KeyBinding(
      [.char("n"), .escape], .deny, "keep it", .confirmDelete, footer: "no", hint: "keep"),

    KeyBinding(
      [.enter, .char("y")], .confirm, "resume them now", .resume, footer: "resume",
      hint: "resume all"),
    KeyBinding(
      [.escape, .char("n")], .deny, "not now (kept)", .resume, footer: "later",
      hint: "later (kept)"),
    KeyBinding(
      [.char("X")], .discard, "discard them", .resume, footer: "discard", hint: "discard"),

    KeyBinding(
      [.char("q"), .escape], .quit, "give up and quit", .signIn, footer: "quit", hint: "quit"),
  ]

  /// The contexts that apply in `state`, innermost first.
  public static func contexts(in state: AppState) -> [KeyContext] {
    switch state.overlay {
    case .help: return [.help, .navigation]
    case .confirmQuit:
      return [state.backgroundUploads.isEmpty ? .confirmQuit : .confirmQuitBackground]
    case .confirmDelete: return [.confirmDelete]
    case .resumeOffer: return [.resume]
    case .signIn: return [.signIn]
    case .accounts: return [.accounts, .navigation]
    case nil: break
    }
    if state.search != nil { return [.search] }
    if let prompt = state.edit.prompt { return prompt.takesText ? [.editor] : [.confirmDeleteTask] }
    if let picker = state.picker {
      return picker.filter.editing ? [.filter] : [.picker, .navigation, .global]
    }
    if state.editingFilter != nil { return [.filter] }
    switch state.focus {
    case .lists: return [.lists, .navigation, .global]
    case .tasks: return [.tasks, .navigation, .global]
    case .steps: return [.steps, .navigation, .global]
    case .attachments: return [.attachments, .navigation, .global]
    case .uploads: return [.uploads, .navigation, .global]
    }
  }

  /// The binding `key` triggers in `state`, if any.
  public static func binding(for key: KeyEvent, in state: AppState) -> KeyBinding? {
    // Ctrl-C always works, even in a dialog or while typing (research/tui.md §7.10).
    if key == .ctrl("c") { return table.first { $0.command == .interrupt } }
    for context in contexts(in: state) {
      if let binding = table.first(where: { $0.context == context && $0.keys.contains(key) }) {
        return binding
      }
    }
    return nil
  }

  /// The footer hints for `state`: the innermost context's, then the global ones.
  public static func footer(in state: AppState) -> [KeyBinding] {
    var seen = Set<Command>()
    var result: [KeyBinding] = []
    for context in contexts(in: state) {
      for binding in table where binding.context == context && binding.footer != nil {
        if seen.insert(binding.command).inserted { result.append(binding) }
      }
    }
    return result
  }

  /// The binding that runs `command` in `state`: the innermost context's, else its first row.
  public static func binding(for command: Command, in state: AppState) -> KeyBinding? {
    for context in contexts(in: state) {
      if let binding = table.first(where: { $0.context == context && $0.command == command }) {
        return binding
      }
    }
    return table.first { $0.command == command }
  }

  /// Why `command` does nothing in `state`, or nil when it is available.
  public static func disabledReason(_ command: Command, in state: AppState) -> String? {
    binding(for: command, in: state)?.disabledReason(in: state)
  }

  /// The bindings the open dialog offers on its key line, in table order; empty without one.
  public static func dialogHints(in state: AppState) -> [KeyBinding] {
    guard state.overlay != nil, let context = contexts(in: state).first else { return [] }
    return table.filter {
      $0.context == context && $0.hint != nil && $0.disabledReason(in: state) == nil
    }
  }

  /// The name of the first key of `command` in `context` (`Esc`, `Enter`), for text that
  /// mentions a key.
  public static func keyName(
    _ command: Command, in context: KeyContext, glyphs: GlyphSet = .unicode
  ) -> String {
    let binding = table.first { $0.context == context && $0.command == command }
    return binding?.keys.first?.label(glyphs: glyphs) ?? command.rawValue
  }

  /// The key names of a binding for help text, e.g. `↑/k`.
  public static func keyLabel(_ binding: KeyBinding, glyphs: GlyphSet) -> String {
    binding.keys.map { $0.label(glyphs: glyphs) }.joined(separator: "/")
  }
}

/// When bindings do nothing, with the reason the status line shows; shared by rows that
/// have the same rule.
private enum Rules {
  static func changePane(_ state: AppState) -> String? {
    guard state.picker != nil else { return nil }
    let close = KeyBindings.keyName(.back, in: .picker, glyphs: state.glyphs)
    return "close the file picker first (\(close))"
  }

  static func attach(_ state: AppState) -> String? {
    if state.picker != nil { return "the file picker is already open" }
    if let task = state.selectedTask, TaskEditState.isTemporary(task.id) {
      return "the task is still being created; attach once it is saved"
    }
    guard state.selectedTask == nil else { return nil }
    let open = KeyBindings.keyName(.open, in: .lists, glyphs: state.glyphs)
    return "select a task first (\(open) on a list, then a task)"
  }

  static func togglePause(_ state: AppState) -> String? {
    if let reason = cancel(state) { return reason }
    guard case .failed = state.selectedUpload?.phase else { return nil }
    let retry = KeyBindings.keyName(.retryUpload, in: .global, glyphs: state.glyphs)
    return "that upload failed: press \(retry) to retry"
  }

  static func cancel(_ state: AppState) -> String? {
    guard let upload = state.selectedUpload else { return "no uploads" }
    return upload.phase.isFinished ? "that upload is finished" : nil
  }

  static func togglePauseAll(_ state: AppState) -> String? {
    state.uploads.allSatisfy({ $0.phase.isFinished }) ? "no uploads to pause" : nil
  }

  static func retry(_ state: AppState) -> String? {
    guard let upload = state.selectedUpload else { return "no uploads" }
    if case .failed = upload.phase { return nil }
    return "only a failed upload can be retried"
  }

  static func attachment(_ state: AppState) -> String? {
    state.selectedAttachment == nil ? "no attachment selected" : nil
  }
}
