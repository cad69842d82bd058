import Foundation
import TerminalCore
import Testing

/// Compares `buffer`'s text with `__Snapshots__/<name>.txt` next to this file.
///
/// A missing snapshot is written and the test fails; `RECORD_SNAPSHOTS=1` rewrites every
/// snapshot and fails too, so a recording run can never pass by accident.
func assertSnapshot(
  _ buffer: Buffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("__Snapshots__")
  let file = directory.appendingPathComponent(name + ".txt")
  let actual = buffer.text + "\n"
  let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
  if record || !FileManager.default.fileExists(atPath: file.path) {
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try? actual.write(to: file, atomically: true, encoding: .utf8)
    Issue.record(
      "Recorded snapshot \(name).txt; run again without RECORD_SNAPSHOTS",
      sourceLocation: sourceLocation)
    return
  }
  let expected = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
  if expected != actual {
    let diff = zip(
      expected.split(separator: "\n", omittingEmptySubsequences: false),
      actual.split(separator: "\n", omittingEmptySubsequences: false)
    )
    .enumerated()
    .filter { $0.element.0 != $0.element.1 }
    .map { "line \($0.offset + 1):\n  - \($0.element.0)\n  + \($0.element.1)" }
    .joined(separator: "\n")
    Issue.record(
      "Snapshot \(name).txt differs (RECORD_SNAPSHOTS=1 re-records):\n\(diff)\n--- actual ---\n\(actual)",
      sourceLocation: sourceLocation)
  }
}
