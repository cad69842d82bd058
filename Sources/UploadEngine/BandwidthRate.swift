import Foundation

/// `--bwlimit` values: bytes per second, written as rclone writes them.
///
/// `500k`, `2M`, `1.5M`, `250000` (bytes), `0` or `off` (no cap). Units are decimal like every
/// number on Tack's screen (`k` = 1000, `M` = 1000², `G` = 1000³); `Ki`, `Mi`, `Gi` are binary.
/// A trailing `B`, `/s` or `B/s` is allowed (`2MB/s`). Case does not matter.
public enum BandwidthRate {
  /// The smallest cap: below it a chunk takes longer than the PUT deadline allows.
  public static let minimum = 1000

  /// Why a rate was refused; `description` is one line saying what to write instead.
  public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String

    public var description: String {
      "invalid rate \"\(text)\": use bytes per second like 500k, 2M or 1.5M "
        + "(at least 1k), or 0 for no limit"
    }
  }

  /// The cap in bytes per second, or nil for none (`0`, `off`).
  public static func parse(_ text: String) throws(ParseError) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    var rest = Substring(trimmed.lowercased())
    if rest == "off" || rest == "none" { return nil }
    for suffix in ["/s", "b"] where rest.hasSuffix(suffix) && rest.count > suffix.count {
      rest = rest.dropLast(suffix.count)
    }
    var multiplier = 1.0
    if rest.hasSuffix("i") {
      rest = rest.dropLast()
      guard let unit = rest.last, let power = "kmg".firstIndex(of: unit) else {
        throw ParseError(text: text)
      }
      multiplier = pow1024("kmg".distance(from: "kmg".startIndex, to: power) + 1)
      rest = rest.dropLast()
    } else if let unit = rest.last, let power = "kmg".firstIndex(of: unit) {
      multiplier = pow1000("kmg".distance(from: "kmg".startIndex, to: power) + 1)
      rest = rest.dropLast()
    }
    guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
      rest.filter({ $0 == "." }).count <= 1, let number = Double(rest), number.isFinite
    else { throw ParseError(text: text) }
    if number == 0 { return nil }
    let bytes = (number * multiplier).rounded()
    guard bytes >= Double(minimum), bytes <= Double(Int32.max) * 1000 else {
      throw ParseError(text: text)
    }
    return Int(bytes)
  }

  private static func pow1000(_ power: Int) -> Double {
    (0..<power).reduce(1.0) { value, _ in value * 1000 }
  }

  private static func pow1024(_ power: Int) -> Double {
    (0..<power).reduce(1.0) { value, _ in value * 1024 }
  }
}
