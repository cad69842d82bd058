import Foundation
import GraphEmulator
import GraphModels

/// Runs `body` against a fresh emulator on a free loopback port and stops it afterwards.
public func withEmulator<T: Sendable>(
  _ configure: (inout EmulatorOptions) throws -> Void = { _ in },
  _ body: (GraphEmulator) async throws -> T
) async throws -> T {
  var options = EmulatorOptions()
  options.seed = .small
  options.token = EmulatorFixture.token
  try configure(&options)
  let emulator = try await GraphEmulator.start(options)
  do {
    let result = try await body(emulator)
    await emulator.stop()
    return result
  } catch {
    await emulator.stop()
    throw error
  }
}

/// Shared constants and lookups for tests that drive the emulator.
public enum EmulatorFixture {
  /// The bearer token fixtures accept.
  public static let token = "test-token"
  public static let auth = ("Authorization", "Bearer test-token")

  /// The id of the first task of the list named `listName`.
  public static func firstTask(_ emulator: GraphEmulator, list listName: String) async throws -> (
    list: String, task: String
  ) {
    guard let list = await emulator.store.lists().first(where: { $0.displayName == listName }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else { throw FixtureError.missing("list \(listName)") }
    return (list.id, task.id)
  }

  /// `…/me/todo/lists/{l}/tasks/{t}` with ids percent-encoded as SDKs do.
  public static func taskURL(_ emulator: GraphEmulator, _ ids: (list: String, task: String))
    -> String
  {
    "\(emulator.graphBaseURL)/me/todo/lists/\(escape(ids.list))/tasks/\(escape(ids.task))"
  }

  public static func escape(_ id: String) -> String {
    id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
  }

  /// Deterministic pseudo-random bytes (eight per step, so 25 MB is quick even in debug builds).
  public static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
    var state = seed | 1
    var out = [UInt8](repeating: 0, count: count)
    out.withUnsafeMutableBytes { raw in
      var index = 0
      while index < count {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        var word = state
        for _ in 0..<min(8, count - index) {
          raw[index] = UInt8(truncatingIfNeeded: word)
          word >>= 8
          index += 1
        }
      }
    }
    return out
  }

  /// Creates an upload session and returns its uploadUrl.
  public static func createSession(
    _ emulator: GraphEmulator, _ ids: (list: String, task: String), name: String, size: Int
  ) async throws -> String {
    let body = #"{"attachmentInfo":{"attachmentType":"file","name":"\#(name)","size":\#(size)}}"#
    let reply = try await RawHTTP.send(
      "POST", taskURL(emulator, ids) + "/attachments/createUploadSession",
      headers: [auth, ("Content-Type", "application/json")], body: Array(body.utf8))
    guard reply.status == 200, let url = reply.json["uploadUrl"] as? String else {
      throw FixtureError.missing(
        "session: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
    }
    return url
  }

  /// PUTs `bytes[first...last]` of a file of `total` bytes to `{uploadUrl}/content`.
  public static func putChunk(
    _ uploadURL: String, _ bytes: [UInt8], first: Int, last: Int, total: Int,
    extraHeaders: [(String, String)] = []
  ) async throws -> RawHTTP.Reply {
    try await RawHTTP.send(
      "PUT", uploadURL + "/content",
      headers: [
        auth, ("Content-Type", "application/octet-stream"),
        ("Content-Range", "bytes \(first)-\(last)/\(total)"),
      ] + extraHeaders,
      body: Array(bytes[first...last]))
  }
}

public enum FixtureError: Error {
  case missing(String)
}
