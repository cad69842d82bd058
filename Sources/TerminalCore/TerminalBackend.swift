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

/// An in-memory terminal for tests: keys are queued by the test and frames are recorded.
@MainActor
public final class TestTerminal: TerminalBackend {
  public var size: Size
  public var glyphs: GlyphSet
  public var inputDescriptors: [Int32] { [] }
  /// Every buffer presented, oldest first.
  public private(set) var frames: [Buffer] = []
  /// How many times `invalidate`, `suspend` and `shutdown` were called.
  public private(set) var invalidations = 0
  public private(set) var suspensions = 0
  public private(set) var shutdowns = 0
  private var pending: [KeyEvent] = []
  private var signals: [TerminalSignal] = []

  /// A terminal of `size` drawing with `glyphs`.
  public init(size: Size = Size(width: 80, height: 24), glyphs: GlyphSet = .unicode) {
    self.size = size
    self.glyphs = glyphs
  }

  /// The last frame presented, if any.
  public var lastFrame: Buffer? { frames.last }

  /// Queues keys for the next `readKeys`.
  public func send(_ keys: KeyEvent...) {
    pending.append(contentsOf: keys)
  }

  /// Queues typed text as `.char` keys.
  public func type(_ text: String) {
    pending.append(contentsOf: text.map { KeyEvent.char($0) })
  }

  /// Changes the size and queues `.resize`, as a terminal does on SIGWINCH.
  public func resize(to newSize: Size) {
    size = newSize
    pending.append(.resize)
  }

  public func present(_ buffer: Buffer) {
    frames.append(buffer)
  }

  public func readKeys() -> [KeyEvent] {
    defer { pending.removeAll() }
    return pending
  }

  /// Queues a signal for the next `takeSignals`.
  public func raise(_ signal: TerminalSignal) {
    signals.append(signal)
  }

  public func takeSignals() -> [TerminalSignal] {
    defer { signals.removeAll() }
    return signals
  }

  public func invalidate() { invalidations += 1 }
  public func suspend() { suspensions += 1 }
  public func shutdown() { shutdowns += 1 }
}
