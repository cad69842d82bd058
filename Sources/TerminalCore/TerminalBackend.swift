/// What the program loop needs from a terminal: its size, a way to show a frame, and keys.
///
/// A backend is owned by the main actor: ncurses is not thread-safe, and the loop that drives
/// it runs on the real main thread (research/tui.md §2.1).
@MainActor
public protocol TerminalBackend: AnyObject {
  /// The current size in columns and rows.
  var size: Size { get }
  /// The glyphs this terminal can show (ASCII when the locale is not UTF-8).
  var glyphs: GlyphSet { get }
  /// Descriptors to `poll` for reading: keys arrive, or a signal was routed. The first one is
  /// the terminal: a hang-up there means the user is gone.
  var inputDescriptors: [Int32] { get }
  /// Shows `buffer`; only the cells that changed since the last frame reach the terminal.
  func present(_ buffer: Buffer)
  /// The keys that arrived since the last call, without blocking.
  func readKeys() -> [KeyEvent]
  /// Termination signals (interrupt, terminate, hang-up) that arrived since the last call.
  func takeSignals() -> [TerminalSignal]
  /// Makes the next `present` redraw every cell (Ctrl-L).
  func invalidate()
  /// Hands the terminal back to the shell and stops the process until it is continued (Ctrl-Z).
  func suspend()
  /// Restores the terminal; safe to call more than once.
  func shutdown()
}

/// A signal the backend turned into an event instead of letting it kill the process.
public enum TerminalSignal: Sendable, Hashable {
  /// SIGINT from outside (Ctrl-C itself arrives as the key `ctrl("c")`).
  case interrupt
  /// SIGTERM or SIGQUIT.
  case terminate
  /// SIGHUP: the terminal went away.
  case hangup
}
