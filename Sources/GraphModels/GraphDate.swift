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
    var components = DateComponents()
    components.calendar = Calendar(identifier: .gregorian)
    components.timeZone = TimeZone(identifier: "UTC")
    components.year = numbers[0]
    components.month = numbers[1]
    components.day = numbers[2]
    if numbers.count == 6 {
      components.hour = numbers[3]
      components.minute = numbers[4]
      components.second = numbers[5]
    }
    guard let date = components.date else { return nil }
    return date.addingTimeInterval(fraction - Double(offsetSeconds))
  }

  /// Formats a date the way Graph writes `expirationDateTime`: UTC, 7 fractional digits, `Z`.
  ///
  /// Pure arithmetic (days-from-civil, proleptic Gregorian) rather than `Calendar`, which is
  /// slow enough to show when the emulator stamps thousands of seeded tasks.
  public static func format(_ date: Date) -> String {
    let seconds = date.timeIntervalSince1970
    let whole = floor(seconds)
    let ticks = min(9_999_999, Int(((seconds - whole) * 10_000_000).rounded(.down)))
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
      + ".\(pad(ticks, 7))Z"
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
