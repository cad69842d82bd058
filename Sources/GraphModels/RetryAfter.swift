import Foundation

/// Reads a `Retry-After` header: decimal seconds (Graph sends fractions such as `2.128`) or an
/// HTTP date, relative to `now`. Negative or unreadable values give nil.
public enum RetryAfter {
  public static func seconds(_ header: String?, now: Date) -> Double? {
    guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
    if let value = Double(text), value.isFinite {
      return value >= 0 ? value : nil
    }
    guard let date = httpDate(text) else { return nil }
    return max(0, date.timeIntervalSince(now))
  }

  /// Parses an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
  public static func httpDate(_ text: String) -> Date? {
    let months = [
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    let words = text.replacingOccurrences(of: ",", with: " ").split(separator: " ")
    guard words.count >= 5,
      let day = Int(words[1]),
      let month = months.firstIndex(of: words[2].lowercased()),
      let year = Int(words[3])
    else { return nil }
    let time = words[4].split(separator: ":").compactMap { Int($0) }
    guard time.count == 3 else { return nil }
    return GraphDate.utc(year: year, month: month + 1, day: day, time: (time[0], time[1], time[2]))
  }

  /// Formats an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as HTTP's `Date` and
  /// `Retry-After` headers write it.
  public static func httpDateString(_ date: Date) -> String {
    let total = Int(floor(date.timeIntervalSince1970))
    var days = total / 86_400
    var second = total % 86_400
    if second < 0 {
      second += 86_400
      days -= 1
    }
    let (year, month, day) = GraphDate.civil(fromDays: days)
    let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    let weekday = weekdays[((days % 7) + 7) % 7]
    let months = [
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return
      "\(weekday), \(two(day)) \(months[month - 1]) \(year) "
      + "\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) GMT"
  }
}
