import CNcursesw
import CTermGuard
import Glibc
import TerminalCore

/// Why the terminal UI cannot start.
public enum TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Standard input or output is not a terminal.
  case notATerminal
  /// `TERM` is unset or `dumb`: ncurses would draw garbage (research/tui.md §3.13).
  case unsupportedTerminal(String)
  /// ncurses could not set up the terminal.
  case initializationFailed(String)

  public var description: String {
    switch self {
    case .notATerminal: return "the terminal UI needs a terminal on standard input and output"
    case .unsupportedTerminal(let term):
      return "the terminal type \"\(term)\" cannot show the terminal UI"
    case .initializationFailed(let reason): return "cannot set up the terminal: \(reason)"
    }
  }
}

/// How the backend shows styles.
public enum ColorMode: Sendable, Hashable {
  /// Colours with the terminal's default background (`use_default_colors`).
  case colors
  /// Bold, dim, reverse and underline only: `NO_COLOR` or a terminal without colours.
  case attributes
}

/// Start-up choices for `CursesTerminal`; the defaults read the environment.
public struct CursesOptions: Sendable {
  /// Force the attribute-only theme even when colours are available.
  public var noColor: Bool
  /// Force ASCII glyphs even in a UTF-8 locale.
  public var ascii: Bool

  /// Options from the environment: `NO_COLOR` (non-empty) turns colours off.
  public init(noColor: Bool? = nil, ascii: Bool = false) {
    let noColorValue = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
    self.noColor = noColor ?? !noColorValue.isEmpty
    self.ascii = ascii
  }
}

/// The ncurses backend: owns the terminal from `init` until `shutdown`.
///
/// Only one may exist at a time, on the main thread. It reads keys with `wget_wch` (so typed
/// non-ASCII text arrives whole), draws a frame with `erase` + one `refresh` so ncurses sends only
/// the difference, and restores the terminal on `shutdown` and, through `CTermGuard`, on a crash.
@MainActor
public final class CursesTerminal: TerminalBackend {
  public private(set) var size: Size
  public let glyphs: GlyphSet
  /// Colours or the attribute-only theme, as decided at start-up.
  public let colorMode: ColorMode
  /// True when the locale's codeset is UTF-8.
  public let isUTF8: Bool
  public var inputDescriptors: [Int32] { [STDIN_FILENO, signalPipe.read] }

  private var screen: OpaquePointer?
  private var active = true
  private let signalPipe: (read: Int32, write: Int32)
  private var theme: [Style: (attributes: attr_t, pair: Int16)] = [:]

  /// Takes over the terminal: locale, raw keys, alternate screen, colours, crash guard.
  public init(options: CursesOptions = CursesOptions()) throws {
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      throw TerminalError.notATerminal
    }
    let term = getenv("TERM").map { String(cString: $0) } ?? ""
    if term.isEmpty || term == "dumb" { throw TerminalError.unsupportedTerminal(term) }

    // A parent that spawned us from a Swift-concurrency thread may have blocked these.
    tg_unblock_signals()
    // Before this, wcwidth is -1 for all non-ASCII and ncurses drops such text.
    setlocale(LC_ALL, "")
    let codeset = cnc_codeset().map { String(cString: $0) } ?? ""
    isUTF8 = codeset == "UTF-8"
    glyphs = isUTF8 && !options.ascii ? .unicode : .ascii

    var fds: [Int32] = [-1, -1]
    guard tg_pipe(&fds) == 0 else {
      throw TerminalError.initializationFailed("cannot create a pipe")
    }
    signalPipe = (fds[0], fds[1])
    // Before newterm, so that ncurses installs no handler of its own for these.
    tg_route_signals(signalPipe.write)
    tg_save(STDOUT_FILENO)

    guard let screen = cnc_newterm_stdio() else {
      close(fds[0])
      close(fds[1])
      throw TerminalError.initializationFailed("ncurses does not know the terminal \"\(term)\"")
    }
    self.screen = screen
    set_term(screen)
    if getenv("ESCDELAY") == nil { set_escdelay(25) }
    // raw: Ctrl-C and Ctrl-Z arrive as keys, so quitting and suspending go through the app.
    raw()
    noecho()
    nonl()
    let window = cnc_stdscr()
    keypad(window, true)
    nodelay(window, true)
    intrflush(window, false)
    curs_set(0)

    if !options.noColor && has_colors() {
      start_color()
      let defaults = use_default_colors() == OK
      colorMode = .colors
      theme = Self.colorTheme(defaultBackground: defaults)
    } else {
      colorMode = .attributes
      theme = Self.attributeTheme()
    }

    var rows: Int32 = 0
    var columns: Int32 = 0
    cnc_getmaxyx(window, &rows, &columns)
    size = Size(width: Int(columns), height: Int(rows))

    let restore = Self.restoreSequence()
    _ = restore.withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) { chars in
        tg_install(chars.baseAddress, chars.count)
      }
    }
  }

  public func present(_ buffer: Buffer) {
    guard active else { return }
    erase()
    let rows = min(buffer.height, size.height)
    for y in 0..<rows {
      for run in buffer.runs(row: y) where run.x < size.width {
        let room = size.width - run.x
        var text =
          DisplayWidth.of(run.text) > room
          ? DisplayWidth.truncate(run.text, to: room, ellipsis: "") : run.text
        if !isUTF8 { text = Self.asciiOnly(text) }
        let (attributes, pair) = theme[run.style] ?? (cnc_A_NORMAL(), 0)
        attr_set(attributes, pair, nil)
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        // At the bottom-right cell ncurses reports ERR (it cannot advance) but draws the text.
        _ = mvaddwstr(Int32(y), Int32(run.x), wide)
      }
    }
    attr_set(cnc_A_NORMAL(), 0, nil)
    CNcursesw.refresh()
  }

  public func readKeys() -> [KeyEvent] {
    guard active else { return [] }
    var keys: [KeyEvent] = []
    let window = cnc_stdscr()
    while true {
      var code: wint_t = 0
      let status = wget_wch(window, &code)
      if status == ERR { break }
      if status == KEY_CODE_YES {
        if let key = specialKey(Int32(bitPattern: code)) { keys.append(key) }
      } else if let key = Self.characterKey(code) {
        keys.append(key)
      }
      // Never starve the loop: a paste of megabytes is read over several iterations.
      if keys.count >= 4096 { break }
    }
    return keys
  }

  public func takeSignals() -> [TerminalSignal] {
    var signals: [TerminalSignal] = []
    var bytes = [UInt8](repeating: 0, count: 64)
    while true {
      let count = read(signalPipe.read, &bytes, bytes.count)
      if count <= 0 { break }
      for byte in bytes.prefix(count) {
        switch Int32(byte) {
        case SIGINT: signals.append(.interrupt)
        case SIGHUP: signals.append(.hangup)
        default: signals.append(.terminate)
        }
      }
    }
    return signals
  }

  public func invalidate() {
    guard active else { return }
    clearok(cnc_curscr(), true)
  }

  public func suspend() {
    guard active else { return }
    endwin()
    tg_suspend_self()
    // Back in the foreground: the next refresh re-enters program mode; repaint everything.
    clearok(cnc_curscr(), true)
    CNcursesw.refresh()
    updateSize()
  }

  public func shutdown() {
    guard active else { return }
    active = false
    endwin()
    tg_uninstall()
    if let screen {
      delscreen(screen)
      self.screen = nil
    }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
    signal(SIGHUP, SIG_DFL)
    signal(SIGQUIT, SIG_DFL)
    close(signalPipe.read)
    close(signalPipe.write)
  }

  private func updateSize() {
    var rows: Int32 = 0
    var columns: Int32 = 0
    cnc_getmaxyx(cnc_stdscr(), &rows, &columns)
    size = Size(width: Int(columns), height: Int(rows))
  }

  private func specialKey(_ code: Int32) -> KeyEvent? {
    switch code {
    case KEY_UP: return .up
    case KEY_DOWN: return .down
    case KEY_LEFT: return .left
    case KEY_RIGHT: return .right
    case KEY_ENTER: return .enter
    case KEY_BACKSPACE: return .backspace
    case KEY_DC: return .delete
    case KEY_PPAGE: return .pageUp
    case KEY_NPAGE: return .pageDown
    case KEY_HOME: return .home
    case KEY_END: return .end
    case KEY_BTAB: return .backTab
    case KEY_RESIZE:
      updateSize()
      return .resize
    case (KEY_F0 + 1)...(KEY_F0 + 12): return .function(Int(code - KEY_F0))
    default: return nil
    }
  }

  /// Outside a UTF-8 locale ncurses cannot print other characters and would misplace what
  /// follows: show one `?` per column instead.
  static func asciiOnly(_ text: String) -> String {
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
    var result = ""
    for scalar in text.unicodeScalars {
      if scalar.isASCII {
        result.unicodeScalars.append(scalar)
      } else if let width = DisplayWidth.of(scalar), width > 0 {
        result += String(repeating: "?", count: width)
      }
    }
    return result
  }

  /// The key for a character `wget_wch` returned as text.
  static func characterKey(_ code: wint_t) -> KeyEvent? {
    switch code {
    case 9: return .tab
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    case 1...26:
      return .ctrl(Character(Unicode.Scalar(UInt8(code) + 96)))
    case 0..<32: return nil
    default:
      guard let scalar = Unicode.Scalar(code), DisplayWidth.of(scalar) != nil else { return nil }
      return .char(Character(scalar))
    }
  }

  /// Bytes that undo what initscr did: attributes off, cursor shown, keypad off, normal screen.
  private static func restoreSequence() -> [UInt8] {
    var bytes: [UInt8] = []
    for capability in ["sgr0", "cnorm", "rmkx", "rmcup"] {
      if let value = cnc_tigetstr(capability) {
        bytes.append(contentsOf: Array(String(cString: value).utf8))
      }
    }
    // Mouse reporting off, in case it was ever switched on.
    bytes.append(contentsOf: Array("\u{1B}[?1006l\u{1B}[?1002l\u{1B}[?1000l".utf8))
    return bytes
  }

  private static func colorTheme(defaultBackground: Bool) -> [Style: (attr_t, Int16)] {
    let background = Int16(defaultBackground ? -1 : Int32(COLOR_BLACK))
    let colors: [(Int16, Int32)] = [
      (1, COLOR_CYAN), (2, COLOR_RED), (3, COLOR_GREEN), (4, COLOR_YELLOW), (5, COLOR_BLUE),
    ]
    for (pair, foreground) in colors {
      init_pair(pair, Int16(foreground), background)
    }
    let bold = cnc_A_BOLD()
    let normal = cnc_A_NORMAL()
    return [
      .normal: (normal, 0),
      .selected: (cnc_A_REVERSE() | bold, 0),
      .selectedInactive: (cnc_A_REVERSE(), 0),
      .dim: (cnc_A_DIM(), 0),
      .header: (bold, 0),
      .accent: (bold, 1),
      .error: (bold, 2),
      .ok: (normal, 3),
      .warn: (bold, 4),
      .barAcked: (normal, 3),
      .barSending: (bold, 1),
      .barPending: (cnc_A_DIM(), 0),
      .barRetrying: (bold, 2),
    ]
  }

  private static func attributeTheme() -> [Style: (attr_t, Int16)] {
    let bold = cnc_A_BOLD()
    let normal = cnc_A_NORMAL()
    return [
      .normal: (normal, 0),
      .selected: (cnc_A_REVERSE() | bold, 0),
      .selectedInactive: (cnc_A_UNDERLINE(), 0),
      .dim: (cnc_A_DIM(), 0),
      .header: (bold, 0),
      .accent: (bold, 0),
      .error: (cnc_A_REVERSE() | bold, 0),
      .ok: (normal, 0),
      .warn: (bold, 0),
      .barAcked: (normal, 0),
      .barSending: (bold, 0),
      .barPending: (cnc_A_DIM(), 0),
      .barRetrying: (cnc_A_REVERSE(), 0),
    ]
  }
}
