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
  case discard
  case filterAccept
  case filterCancel
  case filterErase
}

/// Where a key is pressed: the binding table is looked up in the innermost context first.
public enum KeyContext: String, Sendable, Hashable, CaseIterable {
  /// Moving in whatever list or text has the focus.
  case navigation
  case global
  case lists
  case tasks
  case attachments
  case uploads
  case picker
  /// Typing a filter after `/`.
  case filter
  case help
  case dialog
  case resume
  /// Waiting for a device-code sign-in.
  case signIn

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
    case .dialog: return "Questions"
    case .resume: return "Resume offer"
    case .signIn: return "Sign-in"
    }
  }
}

/// One row of the binding table: keys, the command, help text, and where it applies.
public struct KeyBinding: Sendable, Hashable {
  public var keys: [KeyEvent]
  public var command: Command
  public var help: String
  public var context: KeyContext
  /// A short label when the binding is one of the few the footer shows for its context.
  public var footer: String?

  public init(
    _ keys: [KeyEvent], _ command: Command, _ help: String, _ context: KeyContext,
    footer: String? = nil
  ) {
    self.keys = keys
    self.command = command
    self.help = help
    self.context = context
    self.footer = footer
  }
}

/// The one table that drives key handling, the footer hints and the `?` overlay.
public enum KeyBindings {
  /// Every binding, grouped by context in the order the help overlay shows them.
  public static let table: [KeyBinding] = [
    // Moving is the same in every list.
    KeyBinding([.up, .char("k")], .moveUp, "move up", .navigation),
    KeyBinding([.down, .char("j")], .moveDown, "move down", .navigation),
    KeyBinding([.pageUp, .ctrl("u")], .pageUp, "page up", .navigation),
    KeyBinding([.pageDown, .ctrl("d")], .pageDown, "page down", .navigation),
    KeyBinding([.home, .char("g")], .moveTop, "first row", .navigation),
    KeyBinding([.end, .char("G")], .moveBottom, "last row", .navigation),

    KeyBinding([.tab], .nextPane, "next pane", .global, footer: "pane"),
    KeyBinding([.backTab], .previousPane, "previous pane", .global),
    KeyBinding([.char("a")], .attach, "attach files to the task", .global, footer: "attach"),
    KeyBinding([.char("p")], .togglePause, "pause/resume upload", .global, footer: "pause"),
    KeyBinding([.char("P")], .togglePauseAll, "pause/resume all uploads", .global),
    KeyBinding([.char("x")], .cancelUpload, "cancel upload", .global),
    KeyBinding([.char("r")], .retryUpload, "retry failed upload", .global),
    KeyBinding([.ctrl("r")], .refresh, "reload from Graph", .global),
    KeyBinding([.char("?")], .help, "help", .global, footer: "help"),
    KeyBinding([.ctrl("l")], .repaint, "redraw the screen", .global),
    KeyBinding([.ctrl("z")], .suspend, "suspend to the shell", .global),
    KeyBinding([.char("q")], .quit, "quit (uploads pause)", .global, footer: "quit"),
    KeyBinding([.ctrl("c")], .interrupt, "quit; twice forces", .global),

    KeyBinding([.enter, .right, .char("l")], .open, "open list", .lists, footer: "open"),
    KeyBinding([.char("/")], .filter, "filter lists", .lists, footer: "filter"),

    KeyBinding([.enter, .right, .char("l")], .open, "show attachments", .tasks, footer: "open"),
    KeyBinding([.escape, .left, .char("h")], .back, "back to lists", .tasks),
    KeyBinding([.char("/")], .filter, "filter tasks", .tasks, footer: "filter"),

    KeyBinding([.char("d")], .download, "download", .attachments, footer: "download"),
    KeyBinding([.char("D")], .delete, "delete (asks first)", .attachments, footer: "delete"),
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

    KeyBinding([.char("y"), .enter], .confirm, "yes", .dialog, footer: "yes"),
    KeyBinding([.char("n"), .escape], .deny, "no", .dialog, footer: "no"),

    KeyBinding([.enter, .char("y")], .confirm, "resume them now", .resume, footer: "resume"),
    KeyBinding([.escape, .char("n")], .deny, "not now (kept)", .resume, footer: "later"),
    KeyBinding([.char("X")], .discard, "discard them", .resume, footer: "discard"),

    KeyBinding([.char("q"), .escape], .quit, "give up and quit", .signIn, footer: "quit"),
  ]

  /// The contexts that apply in `state`, innermost first.
  public static func contexts(in state: AppState) -> [KeyContext] {
    switch state.overlay {
    case .help: return [.help, .navigation]
    case .confirmQuit, .confirmDelete: return [.dialog]
    case .resumeOffer: return [.resume]
    case .signIn: return [.signIn]
    case nil: break
    }
    if let picker = state.picker {
      return picker.filter.editing ? [.filter] : [.picker, .navigation, .global]
    }
    if state.editingFilter != nil { return [.filter] }
    switch state.focus {
    case .lists: return [.lists, .navigation, .global]
    case .tasks: return [.tasks, .navigation, .global]
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

  /// Why `command` does nothing in `state`, or nil when it is available.
  public static func disabledReason(_ command: Command, in state: AppState) -> String? {
    if state.picker != nil {
      switch command {
      case .attach: return "the file picker is already open"
      case .nextPane, .previousPane: return "close the file picker first (Esc)"
      default: break
      }
    }
    switch command {
    case .attach:
      if state.selectedTask == nil { return "select a task first (Enter on a list, then a task)" }
    case .togglePause, .cancelUpload:
      guard let upload = state.selectedUpload else { return "no uploads" }
      if upload.phase.isFinished { return "that upload is finished" }
      if command == .togglePause, case .failed = upload.phase {
        return "that upload failed: press r to retry"
      }
    case .togglePauseAll:
      if state.uploads.allSatisfy({ $0.phase.isFinished }) { return "no uploads to pause" }
    case .retryUpload:
      guard let upload = state.selectedUpload else { return "no uploads" }
      if case .failed = upload.phase { return nil }
      return "only a failed upload can be retried"
    case .download, .delete:
      if state.selectedAttachment == nil { return "no attachment selected" }
    case .open:
      if state.picker == nil, state.focus == .lists, state.selectedList == nil {
        return "no list selected"
      }
      if state.picker == nil, state.focus == .tasks, state.selectedTask == nil {
        return "no task selected"
      }
    default:
      break
    }
    return nil
  }

  /// The key names of a binding for help text, e.g. `↑/k`.
  public static func keyLabel(_ binding: KeyBinding, glyphs: GlyphSet) -> String {
    binding.keys.map { $0.label(glyphs: glyphs) }.joined(separator: "/")
  }
}
