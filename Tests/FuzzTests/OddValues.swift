import Foundation

/// The raw material of mutations: values a sloppy, hostile or broken server might send.
enum OddValues {
  static let statuses = [
    100, 101, 103, 199, 200, 201, 202, 203, 204, 205, 206, 207, 226, 299, 300, 301, 302, 303, 304,
    307, 308, 400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 415, 416, 422, 423, 425,
    429, 451, 499, 500, 501, 502, 503, 504, 507, 509, 599,
  ]

  static let retryAfter = [
    "0", "-1", "-0", "1", "0.001", "1.5", "30", "121", "300", "301", "86400", "1e308", "1e309",
    "NaN", "inf", "-inf", "9223372036854775807", "9223372036854775808", "18446744073709551616",
    "abc", "", "  5  ", "5, 6", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
    "Sun, 06 Nov 1994 08:49:37 GMT", "0x10", "+5", "1_000", "4.9e-324",
  ]

  static let strings = [
    "", " ", "\u{0}", "line\nbreak", "tab\there", "\u{1b}[2J\u{1b}[31mred", "\u{7f}",
    "\u{85}next-line", "\u{9b}31m", "\u{202e}txt.exe", "💥🧨", "a\u{2028}b",
    String(repeating: "long", count: 25_000), "../../etc/passwd", "%00", "\\", "\"", "null",
  ]

  static let numbers = [
    "0", "-1", "-0", "0.5", "1e308", "-1e308", "1e309", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "18446744073709551616",
    "123456789012345678901234567890", "1E2", "4.9e-324",
  ]

  /// Tokens that are not JSON at all.
  static let invalidTokens = [
    "NaN", "Infinity", "-Infinity", "'single'", "undefined", "01", "1.", "[1,]", "{\"a\":1,}",
    "\"\\ud800\"", "\"\\x41\"", "\"\\u12\"",
  ]

  static let ranges = [
    "5-3", "", "-", "abc", "-5", "0-", "0", "  7  ", "1-2-3", "99999999999999999999",
    "9223372036854775807-", "0-9223372036854775807", "1e3", "0x10", "+5", "3 - 9", "０",
  ]

  static let contentTypes = [
    "", "text/html", "text/plain; charset=utf-8", "application/json; charset=utf-16",
    "application/xml", "application/json\u{1b}", "*/*",
    "application/json;odata.metadata=full;odata.streaming=true",
  ]

  static let requestIDs = [
    "", "\u{1b}[2Jreq", "line\nbreak", String(repeating: "r", count: 10_000), "🆔", "\u{85}",
  ]

  static let contentLengths = ["0", "-1", "999999999999", "abc", ""]

  static let bodies = [
    "<html><body>Bad Gateway</body></html>", "null", "[]", "{}", "\"text\"", "0", "true",
    "{\"value\":null}", "{\"value\":{}}", "{\"value\":[null]}", "{\"value\":[1,\"x\",[]]}",
    "{\"error\":{}}", "{\"error\":\"x\"}", "{\"@odata.nextLink\":5,\"value\":[]}",
    "{\"uploadUrl\":null}", "{\"NextExpectedRanges\":\"0-\"}", "\u{FEFF}{}",
  ]

  /// Odd `Location` values, built on the real one's prefix when there is one.
  static func locations(from original: String?) -> [String] {
    var base = "http://emulator.test/v1.0/me/todo/lists/l/tasks/t"
    if let original, let range = original.range(of: "/attachments", options: .caseInsensitive) {
      base = String(original[..<range.lowerBound])
    }
    let long = String(repeating: "a", count: 10_000)
    return [
      "", "/", "Attachments", "relative/Attachments/abc", "http://other.test/v1.0/Attachments/x",
      base + "/Attachments('')", base + "/Attachments('", base + "/Attachments/%ZZ",
      base + "/Attachments/" + long, base + "/Attachments/a\u{1b}[2Jb",
      base + "/Attachments/a%0Ab%1B", base + "/Attachments/%E2%80%AEgpj.exe",
      base + "/Attachments/..%2F..", base + "/Attachments/", base + "/Attachments('a'')",
      "Attachments/x?y#z", "\u{7f}", base + "/Attachments/%C2%85x",
    ]
  }

  /// Malformed UTF-8 sequences.
  static let invalidUTF8: [[UInt8]] = [
    [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80],
  ]

  /// A value for any member, with a short label for the description.
  static func anyValue(_ rng: inout SplitMix64) -> (FuzzJSON, String) {
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return (.null, "null")
    case 1:
      let flag = rng.chance(50)
      return (.bool(flag), "\(flag)")
    case 2:
      let number = rng.pick(numbers)
      return (.number(number), number)
    case 3:
      let text = rng.pick(strings)
      return (.string(text), label(text))
    case 4:
      let token = rng.pick(invalidTokens)
      return (.raw(token), "invalid \(token)")
    case 5:
      let depth = rng.pick([3, 50, 600, 3000])
      let open = rng.chance(50) ? "[" : "{\"a\":"
      let close = open == "[" ? "]" : "}"
      let text =
        String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
      return (.raw(text), "nesting \(depth) deep")
    case 6: return (.array([.null, .number("1"), .string("x"), .object([])]), "mixed array")
    default: return (.object([("odd", .string("\u{1b}"))]), "object")
    }
  }

  /// Text short enough for a one-line case description, controls escaped.
  static func label(_ text: String) -> String {
    let shown = text.count > 40 ? String(text.prefix(40)) + "…(\(text.count) chars)" : text
    return shown.debugDescription
  }
}
