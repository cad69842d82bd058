import Foundation

/// Numbers as the screen shows them: decimal units (the 25 MB limit is 25,000,000 bytes).
public enum Format {
  /// `1,200`: a count with its thousands grouped (the same in every locale, as the bytes).
  public static func count(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var grouped = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
      grouped.append(digit)
    }
    return (value < 0 ? "-" : "") + grouped
  }

  /// `0 B`, `999 B`, `1.0 kB`, `12.3 MB`.
  public static func bytes(_ count: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(count)
    var unit = 0
    while value >= 999.95 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return unit == 0 ? "\(count) B" : "\(oneDecimal(value)) \(units[unit])"
  }

  /// `12.3/24.0 MB`: both numbers in the unit of the total.
  public static func progress(_ done: Int64, of total: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var divisor = 1.0
    var unit = 0
    while Double(total) / divisor >= 999.95 && unit < units.count - 1 {
      divisor *= 1000
      unit += 1
    }
    if unit == 0 { return "\(done)/\(total) B" }
    return
      "\(oneDecimal(Double(done) / divisor))/\(oneDecimal(Double(total) / divisor)) \(units[unit])"
  }

  /// `1.2 MB/s`, or `-` when unknown.
  public static func rate(_ bytesPerSecond: Double?) -> String {
    guard let bytesPerSecond, bytesPerSecond.isFinite, bytesPerSecond >= 0 else { return "-" }
    return bytes(Int64(bytesPerSecond.rounded())) + "/s"
  }

  /// `0:42`, `12:05`, `1:02:03`, or `-` when unknown.
  public static func duration(_ seconds: Double?) -> String {
    guard let seconds, seconds.isFinite, seconds >= 0 else { return "-" }
    let total = Int(seconds.rounded(.up))
    let hours = total / 3600
    let minutes = (total % 3600) / 60
    let secs = total % 60
    let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
    if hours > 0 { return "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" }
    return "\(minutes):\(twoDigits(secs))"
  }

  /// The date part of a Graph `dateTime` (`2025-03-01T00:00:00.0000000` → `2025-03-01`).
  public static func day(_ dateTime: String) -> String {
    String(dateTime.prefix(10))
  }

  /// Time left until `date`: `14 min left`, `2 h left`, `expired`.
  public static func timeLeft(until date: Date, now: Date) -> String {
    let seconds = date.timeIntervalSince(now)
    if seconds <= 0 { return "expired" }
    if seconds < 60 { return "\(Int(seconds))s left" }
    if seconds < 7200 { return "\(Int(seconds / 60)) min left" }
    return "\(Int(seconds / 3600)) h left"
  }

  private static func oneDecimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }
}
