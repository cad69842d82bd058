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
  public static func format(_ date: Date) -> String {
    let seconds = date.timeIntervalSince1970
    let whole = floor(seconds)
    let ticks = Int(((seconds - whole) * 10_000_000).rounded(.down))
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
    let parts = calendar.dateComponents(
      [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: whole))
    func pad(_ value: Int?, _ width: Int) -> String {
      let text = String(value ?? 0)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return
      "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
      + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2)).\(pad(ticks, 7))Z"
  }
}
