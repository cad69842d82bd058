import Foundation
import GraphModels

/// What the user typed for a due date: a day, or nothing (clear the due date).
public enum DueDateInput: Sendable, Hashable {
  /// A calendar day as `YYYY-MM-DD`.
  case day(String)
  case clear
}

/// Reads the due dates people type: `2026-12-24`, `today`, `tomorrow`, `+3d`, `+2w`, a weekday
/// (`fri`, `friday`: the next one after today), or nothing (clears it).
///
/// Pure: "today" is the day `now` falls on in `timeZone`, both given by the caller.
public enum DueDateParser {
  static let weekdays = [
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
  ]

  /// The due date `text` means, or nil when it means nothing we read.
  public static func parse(_ text: String, now: Date, timeZone: TimeZone) -> DueDateInput? {
    let word = text.trimmingCharacters(in: .whitespaces).lowercased()
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let today = calendar.startOfDay(for: now)
    func after(_ days: Int) -> DueDateInput? {
      calendar.date(byAdding: .day, value: days, to: today).map { .day(format($0, calendar)) }
    }
    switch word {
    case "", "none", "-": return .clear
    case "today", "tod": return after(0)
    case "tomorrow", "tom", "tmr": return after(1)
    default: break
    }
    if word.hasPrefix("+"), let unit = word.last, "dw".contains(unit),
      let count = Int(word.dropFirst().dropLast()), (0...3650).contains(count)
    {
      return after(unit == "w" ? count * 7 : count)
    }
    if word.count >= 3, let index = weekdays.firstIndex(where: { $0.hasPrefix(word) }) {
      let current = calendar.component(.weekday, from: today) - 1
      let ahead = (index - current + 7) % 7
      return after(ahead == 0 ? 7 : ahead)
    }
    return isoDay(word).map { .day($0) }
  }

  /// The Graph value for a due day: midnight UTC, as To Do stores due dates.
  public static func graphValue(_ day: String) -> DateTimeTimeZone {
    DateTimeTimeZone(dateTime: "\(day)T00:00:00.0000000", timeZone: "UTC")
  }

  /// The words the prompt suggests.
  public static let examples = "2026-12-24, today, tomorrow, +3d, fri; empty clears"

  /// `YYYY-MM-DD` when it names a real day (no 2026-02-30).
  static func isoDay(_ text: String) -> String? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    var components = DateComponents()
    components.calendar = Calendar(identifier: .gregorian)
    components.timeZone = TimeZone(identifier: "UTC")
    (components.year, components.month, components.day) = (year, month, day)
    return components.isValidDate ? text : nil
  }

  private static func format(_ date: Date, _ calendar: Calendar) -> String {
    let parts = calendar.dateComponents([.year, .month, .day], from: date)
    return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
  }
}
