import Foundation
import HummingbirdCore
import NIOCore

/// Body-reading faults gathered from the plan.
struct BodyFaults: Sendable {
  var resetAfter: Int?
  var commitThenDrop = false
  /// Store the chunk, then answer a next expected offset one chunk further than was sent.
  var overclaim = false
  var stallMilliseconds: Int?
  var bytesPerSecond: Int?
}

/// Reading what a request carries: its body (with faults), query string and form fields.
enum RequestParsing {
  enum BodyRead {
    case bytes([UInt8])
    case tooLarge
    case dropped
    case failed
  }

  /// Reads the request body, honouring bandwidth, stall and reset faults; a reset calls `close`.
  static func readBody(
    _ request: Request, limit: Int, faults: BodyFaults, close: @Sendable () async -> Void
  ) async -> BodyRead {
    var bytes: [UInt8] = []
    let clock = ContinuousClock()
    let start = clock.now
    var stalled = false
    do {
      for try await buffer in request.body {
        bytes.append(contentsOf: buffer.readableBytesView)
        if bytes.count > limit { return .tooLarge }
        if let after = faults.resetAfter, bytes.count >= after {
          await close()
          return .dropped
        }
        if let ms = faults.stallMilliseconds, !stalled {
          stalled = true
          try? await Task.sleep(for: .milliseconds(ms))
        }
        if let bps = faults.bytesPerSecond {
          let due = start + .milliseconds(Int64(Double(bytes.count) / Double(bps) * 1000))
          if due > clock.now { try? await Task.sleep(until: due, clock: clock) }
        }
      }
    } catch {
      return .failed
    }
    if let after = faults.resetAfter, bytes.count >= after {
      await close()
      return .dropped
    }
    return .bytes(bytes)
  }

  static func query(_ request: Request) -> [String: String] {
    guard let query = request.uri.query else { return [:] }
    return pairs(query)
  }

  static func form(_ bytes: [UInt8]) -> [String: String] {
    pairs(String(decoding: bytes, as: UTF8.self))
  }

  /// `a=1&b=2` (with `+` for space and percent escapes) as a dictionary; the last value wins.
  private static func pairs(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for pair in text.split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1).map {
        String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
      }
      result[kv[0]] = kv.count > 1 ? kv[1] : ""
    }
    return result
  }
}
