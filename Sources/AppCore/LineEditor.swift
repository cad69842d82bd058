/// A one-line text editor with the readline keys people expect (Ctrl-A/E/B/F/K/U/W,
/// Backspace, Left/Right). Pure: the reducer applies keys, the screen draws `text` and `cursor`.
public struct LineEditor: Sendable, Hashable {
  /// The text, as characters so the cursor never splits a grapheme.
  public private(set) var characters: [Character]
  /// Where the next character goes: 0 … `characters.count`.
  public private(set) var cursor: Int

  /// An editor holding `text` with the cursor at its end.
  public init(_ text: String = "") {
    characters = Array(text)
    cursor = characters.count
  }

  public var text: String { String(characters) }

  /// The text without leading and trailing white space.
  public var trimmed: String { text.trimmingCharacters(in: .whitespaces) }

  /// Types `character` at the cursor; control characters are refused.
  public mutating func insert(_ character: Character) {
    guard !character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { return }
    characters.insert(character, at: cursor)
    cursor += 1
  }

  /// Ctrl-A.
  public mutating func moveToStart() { cursor = 0 }
  /// Ctrl-E.
  public mutating func moveToEnd() { cursor = characters.count }
  /// Ctrl-B, Left.
  public mutating func moveLeft() { cursor = max(0, cursor - 1) }
  /// Ctrl-F, Right.
  public mutating func moveRight() { cursor = min(characters.count, cursor + 1) }

  /// Backspace: the character before the cursor.
  public mutating func eraseBackward() {
    guard cursor > 0 else { return }
    characters.remove(at: cursor - 1)
    cursor -= 1
  }

  /// Ctrl-K: from the cursor to the end.
  public mutating func killToEnd() { characters.removeSubrange(cursor...) }

  /// Ctrl-U: from the start to the cursor.
  public mutating func killToStart() {
    characters.removeSubrange(..<cursor)
    cursor = 0
  }

  /// Ctrl-W: the word before the cursor, and the spaces after it (as readline's unix-word-rubout).
  public mutating func killWordBackward() {
    var start = cursor
    while start > 0, characters[start - 1].isWhitespace { start -= 1 }
    while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
    characters.removeSubrange(start..<cursor)
    cursor = start
  }
}
