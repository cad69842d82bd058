import Testing

@testable import TerminalCore

struct GaugeTests {
  private func render(_ segments: [SegmentState], width: Int, glyphs: GlyphSet) -> Buffer {
    var buffer = Buffer(width: width, height: 1, glyphs: glyphs)
    SegmentedGauge(segments: segments).render(into: &buffer, area: buffer.area)
    return buffer
  }

  @Test func unicodeSegmentsShowEachChunkState() {
    let segments: [SegmentState] = [.acknowledged, .sending(fraction: 0.5), .retrying, .pending]
    let buffer = render(segments, width: 16, glyphs: .unicode)
    #expect(buffer.text == "██████░░▒▒▒▒░░░░")
    #expect(buffer[0, 0].style == .barAcked)
    #expect(buffer[4, 0].style == .barSending)
    #expect(buffer[6, 0].style == .barPending)
    #expect(buffer[8, 0].style == .barRetrying)
  }

  @Test(arguments: [
    (0.0, "░░░░"), (0.125, "▌░░░"), (0.25, "█░░░"), (0.3, "█▎░░"), (1.0, "████"),
  ])
  func sendingFillsByEighths(fraction: Double, expected: String) {
    let buffer = render([.sending(fraction: fraction)], width: 4, glyphs: .unicode)
    #expect(buffer.text == expected)
  }

  @Test func asciiGaugeRoundsToWholeCells() {
    let segments: [SegmentState] = [.acknowledged, .sending(fraction: 0.5), .retrying, .pending]
    #expect(render(segments, width: 16, glyphs: .ascii).text == "####==..!!!!....")
  }

  @Test func moreChunksThanColumnsMergeIntoCells() {
    // 8 chunks in 4 columns: each column covers two chunks.
    let segments: [SegmentState] = [
      .acknowledged, .acknowledged, .acknowledged, .sending(fraction: 0), .pending, .pending,
      .retrying, .pending,
    ]
    #expect(render(segments, width: 4, glyphs: .unicode).text == "█▌░▒")
    #expect(render(segments, width: 4, glyphs: .ascii).text == "#=.!")
  }

  @Test func segmentsFollowAcknowledgedAndSentBytes() {
    let chunk: Int64 = 100
    #expect(
      SegmentedGauge.segments(size: 350, chunkSize: chunk, acknowledged: 100, sent: 150)
        == [.acknowledged, .sending(fraction: 0.5), .pending, .pending])
    #expect(
      SegmentedGauge.segments(
        size: 350, chunkSize: chunk, acknowledged: 200, sent: 200, retrying: true)
        == [.acknowledged, .acknowledged, .retrying, .pending])
    #expect(
      SegmentedGauge.segments(size: 350, chunkSize: chunk, acknowledged: 350, sent: 350)
        == [.acknowledged, .acknowledged, .acknowledged, .acknowledged])
    // The last, partial chunk: 25 of its 50 bytes sent.
    #expect(
      SegmentedGauge.segments(size: 350, chunkSize: chunk, acknowledged: 300, sent: 325).last
        == .sending(fraction: 0.5))
  }

  @Test func emptyFileIsOneSegment() {
    #expect(SegmentedGauge.segments(size: 0, chunkSize: 10, acknowledged: 0, sent: 0) == [.pending])
    #expect(
      SegmentedGauge.segments(size: 0, chunkSize: 10, acknowledged: 0, sent: 0, completed: true)
        == [.acknowledged])
  }
}
