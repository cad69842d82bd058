import Foundation
import Testing

@testable import AppCore

/// `b` and the uploads pane's title: the engine's bandwidth cap in the interface.
struct BandwidthKeyTests {
  @Test func bStepsThroughThePresetsAndTellsTheEngineEachTime() {
    var state = Fixtures.uploading()
    _ = reduce(&state, .bandwidthLimit(nil))
    #expect(state.bandwidthCap == .off)
    var sent: [Int?] = []
    for _ in 0..<4 {
      for effect in reduce(&state, .key(.char("b"))) {
        if case .setBandwidthLimit(let rate) = effect { sent.append(rate) }
      }
    }
    #expect(sent == [500_000, 1_000_000, 5_000_000, nil])
    #expect(state.bandwidthCap == .off)
    #expect(state.status?.text == "Upload speed not capped")
    _ = reduce(&state, .key(.char("b")))
    #expect(state.status?.text == "Uploads capped at 500.0 kB/s")
  }

  @Test func aConfiguredCapStepsToThePresetAboveIt() {
    var state = Fixtures.uploading()
    _ = reduce(&state, .bandwidthLimit(2_000_000))
    #expect(reduce(&state, .key(.char("b"))) == [.setBandwidthLimit(5_000_000)])
    _ = reduce(&state, .bandwidthLimit(9_000_000))
    #expect(reduce(&state, .key(.char("b"))) == [.setBandwidthLimit(nil)])
  }

  @Test func bWaitsUntilTheEngineHasReportedItsCap() {
    var state = Fixtures.uploading()
    #expect(reduce(&state, .key(.char("b"))).isEmpty)
    #expect(state.status?.text == "uploads are not ready yet")
    #expect(state.bandwidthCap == .unknown)
  }

  @Test func theUploadsPaneTitleShowsTheCap() {
    var state = Fixtures.uploading()
    _ = reduce(&state, .bandwidthLimit(nil))
    #expect(!Screen.render(state).text.contains("limit"))
    _ = reduce(&state, .bandwidthLimit(1_000_000))
    #expect(Screen.render(state).text.contains("Uploads · limit 1.0 MB/s"))
    var ascii = Fixtures.uploading(glyphs: .ascii)
    _ = reduce(&ascii, .bandwidthLimit(500_000))
    #expect(Screen.render(ascii).text.contains("Uploads - limit 500.0 kB/s"))
  }
}
