import Testing

@testable import TerminalCore

struct SanitizerTests {
  @Test(arguments: [
    ("\u{1B}[31mred\u{1B}[0m", "red"),
    ("\u{1B}[2J\u{1B}[Hcleared", "cleared"),
    ("\u{1B}]0;evil title\u{7}after", "after"),
    ("\u{1B}]8;;http://x.example\u{1B}\\link\u{1B}]8;;\u{1B}\\", "link"),
    ("\u{1B}P+q544e\u{1B}\\dcs", "dcs"),
    ("\u{1B}_apc\u{1B}\\x", "x"),
    ("\u{9B}31mC1 csi", "C1 csi"),
    ("\u{9D}0;t\u{9C}C1 osc", "C1 osc"),
    ("\u{90}dcs\u{9C}ok", "ok"),
    ("\u{1B}(0lqk\u{1B}(B", "lqk"),
    ("\u{1B}7saved\u{1B}8", "saved"),
    ("bell\u{7}back\u{8}space\u{7F}", "bellbackspace"),
    ("a\tb\nc\r\nd", "a b c  d"),
    ("line\u{2028}sep", "line sep"),
    ("evil\u{202E}txt.exe", "eviltxt.exe"),
    ("iso\u{2067}late\u{2069}", "isolate"),
    ("nul\u{0}byte", "nulbyte"),
    ("unassigned\u{378}", "unassigned\u{FFFD}"),
    ("\u{1B}[31", ""),
    ("\u{1B}]never ends", ""),
  ])
  func stripsControlsAndSequences(input: String, expected: String) {
    #expect(Sanitizer.clean(input) == expected)
  }

  @Test(arguments: ["Groceries 🛒", "仕事 (Work)", "مهام", "e\u{301}te\u{301}", "🇺🇸", "plain"])
  func keepsPrintableText(text: String) {
    #expect(Sanitizer.clean(text) == text)
  }

  @Test func emojiSelectorsAndJoinersAreRemovedSoWidthsAgree() {
    #expect(Sanitizer.clean("Travel ✈\u{FE0F} 2027") == "Travel ✈ 2027")
    #expect(Sanitizer.clean("👨\u{200D}👩\u{200D}👧") == "👨👩👧")
    // A joiner between letters (used by some scripts) stays.
    #expect(Sanitizer.clean("क\u{200D}ष") == "क\u{200D}ष")
    #expect(DisplayWidth.of(Sanitizer.clean("❤\u{FE0F}!")) == 2)
    let raw = Sanitizer(normalizeEmoji: false)
    #expect(raw.clean("✈\u{FE0F}") == "✈\u{FE0F}")
  }

  @Test func canKeepBidiControls() {
    let sanitizer = Sanitizer(keepBidiControls: true)
    #expect(sanitizer.clean("a\u{202E}b") == "a\u{202E}b")
  }

  @Test func cleanedTextHasNoControls() {
    var input = ""
    for value in 0..<0xA0 { input.unicodeScalars.append(Unicode.Scalar(value)!) }
    let output = Sanitizer.clean(input)
    #expect(output.unicodeScalars.allSatisfy { DisplayWidth.of($0) != nil })
  }
}
