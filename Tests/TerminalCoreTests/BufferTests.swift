import Testing

@testable import TerminalCore

struct BufferTests {
  @Test func writesTextAndReportsColumns() {
    var buffer = Buffer(width: 10, height: 2)
    #expect(buffer.write("hi", x: 1, y: 0) == 2)
    #expect(buffer.write("中文", x: 0, y: 1) == 4)
    #expect(buffer.lines() == [" hi", "中文"])
    #expect(buffer[0, 1].width == 2)
    #expect(buffer[1, 1].isContinuation)
  }

  @Test func truncatesAtTheRightEdgeAndAtMaxWidth() {
    var buffer = Buffer(width: 8, height: 2)
    buffer.write("overflowing", x: 2, y: 0)
    buffer.write("abcdef", x: 0, y: 1, maxWidth: 4)
    #expect(buffer.lines() == ["  overf…", "abc…"])
  }

  @Test func wideCharacterNeverSplitsAtTheEdge() {
    var buffer = Buffer(width: 5, height: 1)
    let used = buffer.write("ab中文", x: 0, y: 0)
    #expect(buffer.lines() == ["ab中…"])
    #expect(used == 5)
  }

  @Test func combiningMarksJoinThePreviousCell() {
    var buffer = Buffer(width: 4, height: 1)
    #expect(buffer.write("e\u{301}x", x: 0, y: 0) == 2)
    #expect(buffer[0, 0].text == "e\u{301}")
    #expect(buffer[1, 0].text == "x")
  }

  @Test func dropsControlsInsteadOfPrintingThem() {
    var buffer = Buffer(width: 6, height: 1)
    buffer.write("a\u{1B}b\u{7}c", x: 0, y: 0)
    #expect(buffer.lines() == ["abc"])
  }

  @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
    var buffer = Buffer(width: 6, height: 1)
    buffer.write("中文字", x: 0, y: 0)
    buffer.write("x", x: 1, y: 0)  // the second half of 中
    #expect(buffer.lines() == [" x文字"])
    buffer.write("y", x: 2, y: 0)  // the first half of 文
    #expect(buffer.lines() == [" xy 字"])
    #expect(buffer[3, 0].width == 1)
  }

  @Test func outOfBoundsWritesAreIgnored() {
    var buffer = Buffer(width: 3, height: 1)
    #expect(buffer.write("x", x: 3, y: 0) == 0)
    #expect(buffer.write("x", x: 0, y: 1) == 0)
    #expect(buffer.write("x", x: -1, y: 0) == 0)
    #expect(buffer.lines() == [""])
  }

  @Test func fillAndSetStyleAreClipped() {
    var buffer = Buffer(width: 4, height: 2)
    buffer.fill(Rect(x: 2, y: 1, width: 10, height: 10), with: "#", style: .dim)
    buffer.setStyle(.error, in: Rect(x: 3, y: 0, width: 5, height: 5))
    #expect(buffer.lines() == ["", "  ##"])
    #expect(buffer[3, 1].style == .error)
    #expect(buffer[2, 1].style == .dim)
  }

  @Test func runsGroupCellsByStyleAndSkipContinuations() {
    var buffer = Buffer(width: 8, height: 1)
    buffer.write("ab", x: 0, y: 0, style: .accent)
    buffer.write("中c", x: 2, y: 0, style: .error)
    #expect(
      buffer.runs(row: 0) == [
        StyledRun(x: 0, text: "ab", style: .accent),
        StyledRun(x: 2, text: "中c", style: .error),
        StyledRun(x: 5, text: "   ", style: .normal),
      ])
  }

  @Test func asciiBufferTruncatesWithTilde() {
    var buffer = Buffer(width: 5, height: 1, glyphs: .ascii)
    buffer.write("abcdefgh", x: 0, y: 0)
    #expect(buffer.text == "abcd~")
  }
}
