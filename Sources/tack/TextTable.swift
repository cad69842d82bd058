import Foundation
import TerminalCore

/// An aligned text table for the scripting commands, measured in display columns.
///
/// Cells are sanitised (server text may hold escape sequences). When the terminal is narrower
/// than the table, the flexible columns shrink first (with an ellipsis), then the others.
struct TextTable {
  var headers: [String]
  var rows: [[String]]
  /// Columns that give up width first (names, titles).
  var flexible: Set<Int> = []
  /// Columns aligned right (sizes).
  var trailing: Set<Int> = []

  static let gap = 2
  static let minimumColumn = 6

  func render(width: Int?) -> String {
    let cleanRows = rows.map { $0.map { Sanitizer.clean($0) } }
    var widths = headers.map { DisplayWidth.of($0) }
    for row in cleanRows {
      for (index, cell) in row.enumerated() where index < widths.count {
        widths[index] = max(widths[index], DisplayWidth.of(cell))
      }
    }
    if let width { widths = Self.fit(widths, into: width, flexible: flexible) }
    var lines: [String] = []
    lines.append(line(headers, widths: widths))
    for row in cleanRows { lines.append(line(row, widths: widths)) }
    return lines.joined(separator: "\n") + "\n"
  }

  private func line(_ cells: [String], widths: [Int]) -> String {
    var parts: [String] = []
    for (index, width) in widths.enumerated() {
      let cell = index < cells.count ? cells[index] : ""
      let isLast = index == widths.count - 1
      if isLast && !trailing.contains(index) {
        parts.append(DisplayWidth.truncate(cell, to: width))
      } else {
        parts.append(
          DisplayWidth.pad(
            cell, to: width, alignment: trailing.contains(index) ? .trailing : .leading))
      }
    }
    var text = parts.joined(separator: String(repeating: " ", count: Self.gap))
    while text.hasSuffix(" ") { text.removeLast() }
    return text
  }

  /// Shrinks column widths until the row fits `total` columns (or every column is at its minimum).
  static func fit(_ widths: [Int], into total: Int, flexible: Set<Int>) -> [Int] {
    var result = widths
    func used() -> Int { result.reduce(0, +) + gap * max(0, result.count - 1) }
    for group in [flexible, Set(result.indices).subtracting(flexible)] {
      while used() > total {
        guard
          let widest = group.filter({ result[$0] > minimumColumn }).max(by: {
            result[$0] < result[$1]
          })
        else { break }
        result[widest] -= 1
      }
    }
    return result
  }

  /// The terminal's width when stdout is a terminal; nil (no truncation) when piped.
  static func terminalWidth() -> Int? {
    guard isatty(STDOUT_FILENO) == 1 else { return nil }
    var size = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
      return columns
    }
    return 80
  }
}

/// Human-readable byte counts for tables.
enum ByteCount {
  static func format(_ bytes: Int64) -> String {
    let units = ["B", "KB", "MB", "GB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    return String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + units[unit]
  }
}
