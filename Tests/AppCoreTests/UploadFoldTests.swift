import Foundation
import GraphModels
import TerminalCore
import Testing

@testable import AppCore

/// `tack upload` and the TUI fold engine events through the same `UploadRow.fold`.
struct UploadFoldTests {
  private let size: Int64 = 10_000_000
  private let chunk: Int64 = 4_000_000

  /// An upload with a throttled chunk, a pause and a resume, with the time each event arrived.
  private var events: [(UploadEvent, Double)] {
    [
      (.sessionCreated(id: "U", name: "big.bin", size: size, chunkSize: chunk, expiration: nil), 0),
      (.progress(id: "U", sent: 4_000_000, acknowledged: 0, size: size), 0.2),
      (.chunkSent(id: "U", start: 0, end: 3_999_999, next: 4_000_000), 2),
      (.progress(id: "U", sent: 8_000_000, acknowledged: 4_000_000, size: size), 2.1),
      (.retry(id: "U", reason: .throttled, afterSeconds: 3, attempt: 1), 3),
      (.progress(id: "U", sent: 6_000_000, acknowledged: 4_000_000, size: size), 6.5),
      (.chunkSent(id: "U", start: 4_000_000, end: 7_999_999, next: 8_000_000), 8),
      (.paused(id: "U", acknowledged: 8_000_000), 8.5),
      (.resumed(id: "U", from: 8_000_000), 20),
      (.progress(id: "U", sent: 10_000_000, acknowledged: 8_000_000, size: size), 20.1),
      (.chunkSent(id: "U", start: 8_000_000, end: 9_999_999, next: 10_000_000), 21),
      (.completed(id: "U", attachmentID: "A", size: size), 21.2),
    ]
  }

  /// What a person sees of a row: the numbers both front ends print.
  private func shown(_ row: UploadRow) -> [String] {
    [
      Format.progress(row.acknowledged, of: row.size), Format.rate(row.rate),
      Format.duration(row.secondsLeft), "\(row.sent)", "\(row.phase)", "\(row.retries)",
    ]
  }

  /// The row as `tack upload` starts it: the file's name and size, no task, no chunk size.
  private func cliRow() -> UploadRow {
    UploadRow(
      QueuedUpload(
        id: "U", name: "big.bin", size: size, chunkSize: 0, listID: "", taskID: "",
        taskTitle: ""))
  }

  @Test func theCLIAndTheTUIShowTheSameNumbersAtEveryStep() {
    var tui = Fixtures.browsing()
    _ = reduce(&tui, .uploadsQueued([Fixtures.queued("U", "big.bin", size: size, chunk: chunk)]))
    var cli = [cliRow()]
    for (event, offset) in events {
      let date = t0.addingTimeInterval(offset)
      _ = reduce(&tui, .upload(event, at: date))
      #expect(UploadRow.fold(event, at: date, into: &cli) == 0)
      #expect(shown(tui.uploads[0]) == shown(cli[0]), "after \(event)")
      #expect(tui.uploads[0].acknowledged == cli[0].acknowledged)
      #expect(tui.uploads[0].rate == cli[0].rate)
      #expect(tui.uploads[0].secondsLeft == cli[0].secondsLeft)
    }
    #expect(cli[0].phase == .completed)
  }

  @Test func aRowFirstSeenThroughItsSessionFoldsTheSame() {
    // The runtime may hear of an upload from the engine before the queued answer arrives.
    var tui = Fixtures.browsing()
    var cli = [cliRow()]
    for (event, offset) in events {
      let date = t0.addingTimeInterval(offset)
      _ = reduce(&tui, .upload(event, at: date))
      UploadRow.fold(event, at: date, into: &cli)
      #expect(tui.uploads.count == 1)
      #expect(shown(tui.uploads[0]) == shown(cli[0]), "after \(event)")
    }
  }

  @Test func theRateCountsAcknowledgedBytesNotSentOnes() {
    var rows = [cliRow()]
    let steps = events.prefix(3).map { ($0.0, t0.addingTimeInterval($0.1)) }
    UploadRow.fold(steps[0].0, at: steps[0].1, into: &rows)
    UploadRow.fold(steps[1].0, at: steps[1].1, into: &rows)
    // 4 MB handed to the socket in 0.2 s is no rate: the server has acknowledged nothing.
    #expect(rows[0].rate == nil)
    #expect(rows[0].sent == 4_000_000)
    UploadRow.fold(steps[2].0, at: steps[2].1, into: &rows)
    #expect(Format.rate(rows[0].rate) == "2.0 MB/s")
    #expect(Format.duration(rows[0].secondsLeft) == "0:03")
  }

  @Test func unknownUploadsAreIgnoredUnlessTheirSessionIsNew() {
    var rows: [UploadRow] = []
    #expect(
      UploadRow.fold(
        .progress(id: "Z", sent: 1, acknowledged: 0, size: 2), at: t0, into: &rows) == nil)
    #expect(rows.isEmpty)
    let created = UploadEvent.sessionCreated(
      id: "Z", name: "z", size: 2, chunkSize: 1, expiration: nil)
    #expect(UploadRow.fold(created, at: t0, into: &rows) == 0)
    #expect(rows.map(\.phase) == [.sending])
  }
}
