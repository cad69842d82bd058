import Foundation
import Testing

@testable import AppCore

/// The line editor's readline keys and the due-date words, as pure functions.
struct EditingTextTests {
  @Test func typingInsertsAtTheCursorAndMovingKeepsInsideTheText() {
    var editor = LineEditor("milk")
    editor.moveToStart()
    editor.insert("O")
    editor.insert("a")
    editor.insert("t")
    editor.insert(" ")
    #expect(editor.text == "Oat milk")
    editor.moveLeft()
    editor.moveToStart()
    editor.moveLeft()
    #expect(editor.cursor == 0)
    editor.moveToEnd()
    editor.moveRight()
    #expect(editor.cursor == 8)
    editor.insert("\u{1B}")
    #expect(editor.text == "Oat milk", "control characters are not typed")
  }

  @Test func killKeysCutTheWayReadlineDoes() {
    var editor = LineEditor("buy oat milk  ")
    editor.killWordBackward()
    #expect(editor.text == "buy oat ")
    editor.moveLeft()
    editor.moveLeft()
    editor.killToEnd()
    #expect(editor.text == "buy oa")
    editor.moveLeft()
    editor.killToStart()
    #expect(editor.text == "a")
    #expect(editor.cursor == 0)
    editor.eraseBackward()
    #expect(editor.text == "a")
    editor.moveToEnd()
    editor.eraseBackward()
    #expect(editor.text.isEmpty)
  }

  @Test func graphemesAreOneCharacter() {
    var editor = LineEditor("東京👍🏽")
    editor.eraseBackward()
    #expect(editor.text == "東京")
  }

  // MARK: Due dates

  /// 2025-06-15 15:06:40 UTC, a Sunday.
  let sunday = Date(timeIntervalSince1970: 1_750_000_000)
  let utc = TimeZone(identifier: "UTC")!

  func parse(_ text: String, now: Date? = nil, zone: TimeZone? = nil) -> DueDateInput? {
    DueDateParser.parse(text, now: now ?? sunday, timeZone: zone ?? utc)
  }

  @Test func isoDaysAreKeptAndImpossibleOnesRefused() {
    #expect(parse("2026-12-24") == .day("2026-12-24"))
    #expect(parse(" 2026-12-24 ") == .day("2026-12-24"))
    #expect(parse("2026-02-30") == nil)
    #expect(parse("2026-2-3") == nil)
  }

  @Test func wordsCountFromTheGivenDay() {
    #expect(parse("today") == .day("2025-06-15"))
    #expect(parse("Tomorrow") == .day("2025-06-16"))
    #expect(parse("+3d") == .day("2025-06-18"))
    #expect(parse("+2w") == .day("2025-06-29"))
    #expect(parse("+0d") == .day("2025-06-15"))
  }

  @Test func todayIsTheDayInTheGivenZone() {
    // 15:06 UTC is already Monday in Tokyo.
    #expect(parse("today", zone: TimeZone(identifier: "Asia/Tokyo")) == .day("2025-06-16"))
    #expect(parse("today", zone: TimeZone(identifier: "America/Los_Angeles")) == .day("2025-06-15"))
  }

  @Test func aWeekdayIsTheNextOneAfterToday() {
    #expect(parse("fri") == .day("2025-06-20"))
    #expect(parse("friday") == .day("2025-06-20"))
    #expect(parse("mon") == .day("2025-06-16"))
    // On a Sunday, "sun" is a week away: "today" says today.
    #expect(parse("sun") == .day("2025-06-22"))
  }

  @Test func emptyClearsAndNonsenseIsRefused() {
    #expect(parse("") == .clear)
    #expect(parse("none") == .clear)
    #expect(parse("someday") == nil)
    #expect(parse("+3x") == nil)
    #expect(parse("fr") == nil)
  }

  @Test func aDueDayIsMidnightUTCAsToDoStoresIt() {
    let value = DueDateParser.graphValue("2026-12-24")
    #expect(value.dateTime == "2026-12-24T00:00:00.0000000")
    #expect(value.timeZone == "UTC")
  }
}
