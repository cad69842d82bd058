import GraphModels
import Testing

@testable import UploadEngine

@Suite struct ChunkPlannerTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var size: Int64
    var chunk: Int64
    var expected: [String]
    var testDescription: String { "size \(size) chunk \(chunk)" }
  }

  @Test(arguments: [
    Case(size: 0, chunk: 4, expected: []),
    Case(size: 1, chunk: 4, expected: ["bytes 0-0/1"]),
    Case(size: 4, chunk: 4, expected: ["bytes 0-3/4"]),
    Case(size: 5, chunk: 4, expected: ["bytes 0-3/5", "bytes 4-4/5"]),
    Case(
      size: 10, chunk: 3,
      expected: ["bytes 0-2/10", "bytes 3-5/10", "bytes 6-8/10", "bytes 9-9/10"]),
    Case(
      size: 25_000_000, chunk: 3_932_160,
      expected: [
        "bytes 0-3932159/25000000", "bytes 3932160-7864319/25000000",
        "bytes 7864320-11796479/25000000", "bytes 11796480-15728639/25000000",
        "bytes 15728640-19660799/25000000", "bytes 19660800-23592959/25000000",
        "bytes 23592960-24999999/25000000",
      ]),
  ])
  func plansRangesCoveringTheFileExactlyOnce(_ item: Case) throws {
    let planner = try ChunkPlanner(size: item.size, chunkSize: item.chunk)
    let ranges = planner.chunks()
    #expect(ranges.map(\.description) == item.expected)
    #expect(planner.chunkCount == item.expected.count)
    #expect(ranges.reduce(0) { $0 + $1.length } == item.size)
    if let last = ranges.last { #expect(planner.isFinal(last)) }
    for range in ranges.dropLast() { #expect(!planner.isFinal(range)) }
  }

  @Test func plansFromAnOffsetTheServerNamedEvenMidChunk() throws {
    let planner = try ChunkPlanner(size: 10_000, chunkSize: 4_000)
    #expect(planner.chunk(from: 1_234)?.description == "bytes 1234-5233/10000")
    #expect(planner.chunk(from: 9_999)?.description == "bytes 9999-9999/10000")
    #expect(planner.chunk(from: 10_000) == nil)
    #expect(planner.chunk(from: -1) == nil)
    #expect(planner.chunks(from: 7_000).map(\.description) == ["bytes 7000-9999/10000"])
  }

  @Test func defaultChunkIsBelowEveryReadingOfFourMegabytesAndA320KiBMultiple() throws {
    let planner = try ChunkPlanner(size: 100)
    #expect(planner.chunkSize == 3_932_160)
    #expect(planner.chunkSize % 327_680 == 0)
    #expect(planner.chunkSize < 4_000_000)
  }

  @Test(arguments: [Int64(0), -5, 4_000_001, 4_194_304])
  func rejectsChunkSizesOutsideTheLimit(_ chunk: Int64) {
    #expect(throws: ChunkPlanner.PlanError.chunkSizeOutOfRange(chunk)) {
      try ChunkPlanner(size: 10, chunkSize: chunk)
    }
  }

  @Test func acceptsExactlyTheLimits() throws {
    _ = try ChunkPlanner(size: 25_000_000, chunkSize: 4_000_000)
    #expect(throws: ChunkPlanner.PlanError.fileTooLarge(25_000_001)) {
      try ChunkPlanner(size: 25_000_001)
    }
  }

  @Test func emptyFileHasNoChunks() throws {
    let planner = try ChunkPlanner(size: 0)
    #expect(planner.isEmpty)
    #expect(planner.chunk(from: 0) == nil)
    #expect(planner.chunkIndex(containing: 0) == 0)
  }

  @Test func chunkIndexFollowsTheFixedGrid() throws {
    let planner = try ChunkPlanner(size: 10, chunkSize: 4)
    #expect([0, 3, 4, 9, 10].map(planner.chunkIndex(containing:)) == [0, 0, 1, 2, 2])
  }
}
