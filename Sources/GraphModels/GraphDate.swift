import Foundation

/// Parses the date forms Graph uses: ISO 8601 with 0–7 fractional digits, with or without `Z`.
public enum GraphDate {
  public static func parse(_ text: String) -> Date? {
    var body = text.trimmingCharacters(in: .whitespaces)
    var offsetSeconds = 0
    if body.hasSuffix("Z") || body.hasSuffix("z") {
      body.removeLast()
    } else if body.count > 6 {
      let tail = body.suffix(6)
      let sign = tail.first
      if sign == "+" || sign == "-", tail.dropFirst().contains(":") {
        let parts = tail.dropFirst().split(separator: ":")
        if parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]) {
          offsetSeconds = (hours * 3600 + minutes * 60) * (sign == "-" ? -1 : 1)
          body.removeLast(6)
        }
      }
    }
    var fraction = 0.0
    if let dot = body.firstIndex(of: ".") {
      let digits = body[body.index(after: dot)...]
      guard digits.allSatisfy(\.isNumber), let value = Double("0." + digits) else { return nil }
      fraction = value
      body = String(body[..<dot])
    }
    let pieces = body.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" || $0 == "t" })
    guard pieces.count == 6 || pieces.count == 3 else { return nil }
    let numbers = pieces.compactMap { Int($0) }
    guard numbers.count == pieces.count else { return nil }
    let time = numbers.count == 6 ? (numbers[3], numbers[4], numbers[5]) : (0, 0, 0)
    guard let date = utc(year: numbers[0], month: numbers[1], day: numbers[2], time: time) else {
      return nil
    }
    return date.addingTimeInterval(fraction - Double(offsetSeconds))
  }

  /// Formats a date the way Graph writes `expirationDateTime`: UTC, 7 fractional digits, `Z`;
  /// `fractionDigits` 3 gives the log's millisecond stamps.
  ///
  /// Pure arithmetic (days-from-civil, proleptic Gregorian) rather than `Calendar` or a date
  /// formatter: those are slow enough to show when the emulator stamps thousands of seeded
  /// tasks, and they load ICU's calendar and time-zone data into every process that logs
  /// (DECISIONS.md 2026-12-03, "No ICU on the upload path").
  public static func format(_ date: Date, fractionDigits: Int = 7) -> String {
    let seconds = date.timeIntervalSince1970
    let whole = floor(seconds)
    var scale = 1
    for _ in 0..<fractionDigits { scale *= 10 }
    let ticks = min(scale - 1, Int(((seconds - whole) * Double(scale)).rounded(.down)))
    let total = Int(whole)
    var days = total / 86_400
    var secondOfDay = total % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    let (year, month, day) = civil(fromDays: days)
    func pad(_ value: Int, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return
      "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
      + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
      + (fractionDigits > 0 ? ".\(pad(ticks, fractionDigits))" : "") + "Z"
  }

  /// The UTC date of these fields, by arithmetic (no `Calendar`, no ICU); nil outside years
  /// 1–9999 (so a hostile header cannot overflow it), months 1–12, days 1–31 (rolled over as
  /// `Calendar` did), hours 0–23 or 24:00:00 (the end of the day), minutes 0–59, seconds 0–60.
  static func utc(year: Int, month: Int, day: Int, time: (Int, Int, Int)) -> Date? {
    guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
      (0...59).contains(time.1), (0...60).contains(time.2),
      (0...23).contains(time.0) || (time.0 == 24 && time.1 == 0 && time.2 == 0)
    else { return nil }
    let days = daysFromCivil(year: year, month: month, day: day)
    return Date(
      timeIntervalSince1970: Double(days * 86_400 + time.0 * 3600 + time.1 * 60 + time.2))
  }

  /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let shifted = month <= 2 ? year - 1 : year
    let era = (shifted >= 0 ? shifted : shifted - 399) / 400
    let yearOfEra = shifted - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// Year, month and day of the day `days` after 1970-01-01 (Howard Hinnant's algorithm).
  static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }
}
