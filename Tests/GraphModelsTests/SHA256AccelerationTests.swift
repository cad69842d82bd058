import Foundation
import Testing

@testable import GraphModels

/// The SHA-NI kernel and the portable Swift rounds must agree on every length and every way the
/// bytes arrive, since resume compares fingerprints taken on different machines.
@Suite struct SHA256AccelerationTests {
  static let sizes = [0, 1, 55, 56, 63, 64, 65, 1000, 1_000_003]

  /// Deterministic, non-repeating bytes so a wrong word order or schedule shows up.
  static func message(_ count: Int) -> [UInt8] {
    var state: UInt32 = 0x1234_5678
    return (0..<count).map { _ in
      state = state &* 1_664_525 &+ 1_013_904_223
      return UInt8(truncatingIfNeeded: state >> 24)
    }
  }

  static func digest(_ bytes: [UInt8], portable: Bool, splits: [Int]) -> String {
    var hasher = SHA256(portable: portable)
    var start = 0
    for split in splits + [bytes.count] {
      hasher.update(bytes[start..<split])
      start = split
    }
    return SHA256.hexString(hasher.finalize())
  }

  @Test(arguments: sizes)
  func bothPathsAgreeAtEverySplit(size: Int) {
    let bytes = Self.message(size)
    let reference = Self.digest(bytes, portable: true, splits: [])
    let points = Set([0, 1, 55, 63, 64, 65, size / 2, size - 1, size].filter { 0...size ~= $0 })
    for point in points.sorted() {
      #expect(Self.digest(bytes, portable: false, splits: [point]) == reference, "split \(point)")
      #expect(Self.digest(bytes, portable: true, splits: [point]) == reference, "split \(point)")
    }
    let steps = [1, 63, 64, 65, 7, 4096, 128]
    var ragged: [Int] = []
    var offset = steps[0]
    while offset < size {
      ragged.append(offset)
      offset += steps[ragged.count % steps.count]
    }
    #expect(Self.digest(bytes, portable: false, splits: ragged) == reference)
    #expect(Self.digest(bytes, portable: true, splits: ragged) == reference)
  }

  @Test(arguments: [false, true])
  func bothPathsMatchTheFIPSVectors(portable: Bool) {
    let vectors = [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ]
    for (input, expected) in vectors {
      #expect(Self.digest(Array(input.utf8), portable: portable, splits: []) == expected)
    }
    let million = [UInt8](repeating: 0x61, count: 1_000_000)
    #expect(
      Self.digest(million, portable: portable, splits: [333_333])
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  #if os(Linux)
    /// Guards the dispatch itself: on a CPU that advertises SHA-NI the fast path must be chosen.
    @Test func usesTheSHAExtensionsWhenTheCPUHasThem() throws {
      let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
      let flags = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
      #expect(SHA256.hasSHAExtensions == flags.split(separator: " ").contains("sha_ni"))
    }
  #endif
}
