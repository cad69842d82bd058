import Testing

@testable import TerminalCore

struct DisplayWidthTests {
  /// Values measured with glibc `wcwidth` under C.UTF-8 (research/tui.md §1.5).
  @Test(arguments: [
    ("a", 1), ("中", 2), ("🚀", 2), ("✅", 2), ("👨", 2), ("🛒", 2), ("❤", 1), ("\u{FE0F}", 0),
    ("\u{200D}", 0), ("🇺", 1), ("é", 1), ("\u{301}", 0), ("█", 1), ("▌", 1), ("│", 1), ("…", 1),
    ("ｱ", 1), ("Ａ", 2), ("한", 2), ("\u{200B}", 0), ("\u{AD}", 1),
  ])
  func scalarWidthMatchesGlibc(text: String, expected: Int) {
    #expect(DisplayWidth.of(text.unicodeScalars.first!) == expected)
  }

  @Test(arguments: [
    "\u{0}", "\u{7}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9B}", "\u{378}", "\u{FFFF}",
  ])
  func controlsAndUnassignedAreNotPrintable(text: String) {
    #expect(DisplayWidth.of(text.unicodeScalars.first!) == nil)
  }

  @Test(arguments: [
    ("plain", 5), ("中文 text", 9), ("e\u{301}te\u{301}", 3), ("❤️", 1), ("👨‍👩‍👧", 6), ("🇺🇸", 2),
    ("仕事 (Work)", 11), ("", 0), ("a\u{1B}b", 2),
  ])
  func stringWidthSumsScalars(text: String, expected: Int) {
    #expect(DisplayWidth.of(text) == expected)
  }

  @Test func everyGlyphIsOneColumnWide() {
    for set in [GlyphSet.unicode, .ascii] {
      let glyphs =
        [
          set.ellipsis, set.horizontal, set.vertical, set.topLeft, set.topRight, set.bottomLeft,
          set.bottomRight, set.pointer, set.marked, set.unmarked, set.unmarkable, set.moreAbove,
          set.moreBelow, set.attachment, set.done, set.important, set.gaugeFull, set.gaugeSending,
          set.gaugePending, set.gaugeRetrying, set.separator, set.dot, set.directory,
        ] + set.gaugeEighths
      for glyph in glyphs {
        #expect(DisplayWidth.of(glyph) == 1, "\(glyph)")
      }
      if !set.isUnicode {
        #expect(glyphs.allSatisfy { $0.unicodeScalars.allSatisfy(\.isASCII) })
      }
    }
  }

  @Test(arguments: [
    ("Hello world", 8, "Hello w…"),
    ("Hello", 5, "Hello"),
    ("Hello", 4, "Hel…"),
    ("中文字符", 5, "中文…"),
    ("中文字符", 4, "中…"),
    ("中文字符", 1, "…"),
    ("anything", 0, ""),
    ("e\u{301}e\u{301}e\u{301}", 3, "e\u{301}e\u{301}e\u{301}"),
    ("e\u{301}e\u{301}e\u{301}x", 3, "e\u{301}e\u{301}…"),
    ("🚀🚀🚀", 4, "🚀…"),
  ])
  func truncatesByWidthWithEllipsis(text: String, width: Int, expected: String) {
    let result = DisplayWidth.truncate(text, to: width)
    #expect(result == expected)
    #expect(DisplayWidth.of(result) <= width)
  }

  @Test func truncationDropsADanglingJoiner() {
    // 👨 ZWJ 👩: cutting after the first emoji must not leave the joiner before the ellipsis.
    #expect(DisplayWidth.truncate("👨\u{200D}👩xx", to: 3) == "👨…")
  }

  @Test func padAlignsByWidth() {
    #expect(DisplayWidth.pad("中", to: 4) == "中  ")
    #expect(DisplayWidth.pad("中", to: 4, alignment: .trailing) == "  中")
    #expect(DisplayWidth.pad("ab", to: 5, alignment: .center) == " ab  ")
    #expect(DisplayWidth.pad("abcdef", to: 4, ellipsis: "~") == "abc~")
  }
}
