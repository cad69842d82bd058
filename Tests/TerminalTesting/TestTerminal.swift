import TerminalCore

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
