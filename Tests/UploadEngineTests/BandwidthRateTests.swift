import Testing

@testable import UploadEngine

/// `--bwlimit RATE` and `bwlimit` in the config file.
@Suite struct BandwidthRateTests {
  @Test(arguments: [
    ("500k", 500_000), ("2M", 2_000_000), ("1.5M", 1_500_000), ("250000", 250_000),
    ("2MB/s", 2_000_000), ("300kB", 300_000), ("1G", 1_000_000_000), (" 1m ", 1_000_000),
    ("1Mi", 1_048_576), ("512KiB", 524_288), ("2MiB/s", 2_097_152), ("1k", 1_000),
  ])
  func acceptsRatesAsRcloneWritesThem(_ text: String, _ bytes: Int) throws {
    #expect(try BandwidthRate.parse(text) == bytes)
  }

  @Test(arguments: ["0", "off", "OFF", "0k", "0.0M", "none"])
  func zeroOrOffMeansNoCap(_ text: String) throws {
    #expect(try BandwidthRate.parse(text) == nil)
  }

  @Test(arguments: [
    "", "k", "fast", "-1", "1.2.3", "1e6", "2X", "M1", "1 M", "500", "0.5k", "1Ti", "9999999G",
    "1/s/s", "b",
  ])
  func refusesAnythingElseWithOneLineSayingWhatToWrite(_ text: String) {
    #expect(throws: BandwidthRate.ParseError(text: text)) { try BandwidthRate.parse(text) }
    let message = BandwidthRate.ParseError(text: text).description
    #expect(!message.contains("\n"))
    #expect(message.contains("500k") && message.contains("0 for no limit"))
  }
}
