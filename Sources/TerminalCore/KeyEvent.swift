/// One key press (or a resize) as the backend decodes it.
public enum KeyEvent: Sendable, Hashable {
  /// A printable character, as typed (`j`, `J`, `?`, `é`, `中`).
  case char(Character)
  case up
  case down
  case left
  case right
  case enter
  case tab
  case backTab
  case escape
  case backspace
  case delete
  case pageUp
  case pageDown
  case home
  case end
  /// Ctrl with a letter, lowercased (`ctrl("c")` for Ctrl-C).
  case ctrl(Character)
  /// The terminal changed size; read the new size from the backend.
  case resize
  /// F1 to F12 (`function(1)`).
  case function(Int)

  /// The key's name in help text: `j`, `Space`, `Enter`, `Ctrl-L`, `↑` (or `Up` in ASCII).
  public func label(glyphs: GlyphSet = .unicode) -> String {
    let unicode = glyphs.isUnicode
    switch self {
    case .char(" "): return "Space"
    case .char(let character): return String(character)
    case .up: return unicode ? "↑" : "Up"
    case .down: return unicode ? "↓" : "Down"
    case .left: return unicode ? "←" : "Left"
    case .right: return unicode ? "→" : "Right"
    case .enter: return "Enter"
    case .tab: return "Tab"
    case .backTab: return "S-Tab"
    case .escape: return "Esc"
    case .backspace: return "Bksp"
    case .delete: return "Del"
    case .pageUp: return "PgUp"
    case .pageDown: return "PgDn"
    case .home: return "Home"
    case .end: return "End"
    case .ctrl(let character): return "Ctrl-" + String(character).uppercased()
    case .resize: return "Resize"
    case .function(let number): return "F\(number)"
    }
  }
}
