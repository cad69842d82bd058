import Foundation
import GraphEmulator
import TestSupport

/// Runs `body` against a fresh in-process emulator (no socket), configured as `withEmulator`
/// configures the loopback one.
func withHandler<T: Sendable>(
  _ configure: (inout EmulatorOptions) throws -> Void = { _ in },
  _ body: (InProcessEmulator) async throws -> T
) async throws -> T {
  var options = EmulatorOptions()
  options.seed = .small
  options.token = EmulatorFixture.token
  try configure(&options)
  return try await body(InProcessEmulator(options))
}

extension InProcessEmulator.Reply {
  var json: [String: Any] {
    (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
  }

  /// `error.code` of a Graph error body.
  var errorCode: String? {
    (json["error"] as? [String: Any])?["code"] as? String
  }
}

/// `EmulatorFixture`'s helpers for the in-process emulator.
extension EmulatorFixture {
  static func firstTask(_ emulator: InProcessEmulator, list listName: String) async throws -> (
    list: String, task: String
  ) {
    guard let list = await emulator.store.lists().first(where: { $0.displayName == listName }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else { throw FixtureError.missing("list \(listName)") }
    return (list.id, task.id)
  }

  static func taskURL(_ emulator: InProcessEmulator, _ ids: (list: String, task: String))
    -> String
  {
    "\(emulator.graphBaseURL)/me/todo/lists/\(escape(ids.list))/tasks/\(escape(ids.task))"
  }

  /// Creates an upload session and returns its uploadUrl.
  static func createSession(
    _ emulator: InProcessEmulator, _ ids: (list: String, task: String), name: String, size: Int
  ) async throws -> String {
    let body = #"{"attachmentInfo":{"attachmentType":"file","name":"\#(name)","size":\#(size)}}"#
    let reply = try await emulator.send(
      "POST", taskURL(emulator, ids) + "/attachments/createUploadSession",
      headers: [auth, ("Content-Type", "application/json")], body: Array(body.utf8))
    guard reply.status == 200, let url = reply.json["uploadUrl"] as? String else {
      throw FixtureError.missing(
        "session: \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
    }
    return url
  }

  /// PUTs `bytes[first...last]` of a file of `total` bytes to `{uploadUrl}/content`.
  static func putChunk(
    _ emulator: InProcessEmulator, _ uploadURL: String, _ bytes: [UInt8], first: Int, last: Int,
    total: Int
  ) async throws -> InProcessEmulator.Reply {
    try await emulator.send(
      "PUT", uploadURL + "/content",
      headers: [
        auth, ("Content-Type", "application/octet-stream"),
        ("Content-Range", "bytes \(first)-\(last)/\(total)"),
      ],
      body: Array(bytes[first...last]))
  }
}
