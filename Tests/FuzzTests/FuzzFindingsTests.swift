import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import TestSupport
import Testing
import UploadEngine

/// Forwards to `inner` and rewrites every answer with `rewrite`.
struct RewritingTransport: HTTPTransport {
  let inner: any HTTPTransport
  let rewrite: @Sendable (HTTPRequest, HTTPResponse) -> HTTPResponse

  func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    rewrite(request, try await inner.send(request, progress: progress))
  }
}

/// What the response fuzzer found, each pinned by a focused test.
@Suite struct FuzzFindingsTests {
  /// Server text with line breaks, tabs, escape sequences, C1 controls and line separators
  /// (given by index, so the test log does not print the escapes).
  static let hostile: [(message: String, code: String)] = [
    ("line\nbreak", "tab\there"), ("\u{1b}[2J\u{1b}[31mred", "\u{85}next"),
    ("a\u{2028}b", "\u{7f}"),
  ]

  @Test(arguments: hostile.indices)
  func serviceErrorsFromHostileBodiesDescribeInOneLine(index: Int) throws {
    let (message, code) = Self.hostile[index]
    let body: JSONValue = .object([
      "error": .object([
        "code": .string(code), "message": .string(message),
        "innerError": .object([
          "request-id": .string("id\r\n" + String(repeating: "r", count: 5000))
        ]),
      ])
    ])
    let response = HTTPResponse(status: 400, body: try JSONEncoder().encode(body))
    let text = GraphSession.serviceError(response).description
    #expect(Clarity.problem(text) == nil, "\(text.debugDescription)")
    #expect(text.count < 1100)
    #expect(text.hasPrefix("Graph answered 400"))
  }

  @Test func anEmptyFileAnsweredWithAnEmptyIDIsReconciledToTheRealAttachment() async throws {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    let emulator = try InProcessEmulator(options, authority: "127.0.0.1")
    let transport = RewritingTransport(inner: InProcessTransport(emulator)) { request, response in
      guard request.method == "POST", var tree = FuzzJSON(parsing: response.body),
        let path = tree.paths(named: "id").first,
        let updated = tree.updating(path[...], { _ in .string("") })
      else { return response }
      tree = updated
      var out = response
      out.body = Data(tree.text.utf8)
      return out
    }
    let session = try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: EmulatorFixture.token),
      transport: transport)
    let directory = NSTemporaryDirectory() + "tack-fuzz-finding-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/empty.txt"
    try Data().write(to: URL(fileURLWithPath: path))
    let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
    let coordinator = UploadCoordinator(
      graph: session, journal: nil, configuration: FuzzRunner.configuration(chunk: 1000),
      clock: FastUploadClock())
    let id = try await coordinator.upload(
      path: path, to: UploadTarget(listID: ids.list, taskID: ids.task))
    let outcome = await coordinator.waitUntilSettled()[id]
    await coordinator.finishEvents()
    let held = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
    let created = held.filter { $0.name == "empty.txt" }
    #expect(created.count == 1)
    #expect(outcome == .completed(attachmentID: created.first?.id ?? "?"))
  }
}

extension EmulatorFixture {
  static func firstTask(_ emulator: InProcessEmulator, list listName: String) async throws -> (
    list: String, task: String
  ) {
    guard let list = await emulator.store.lists().first(where: { $0.displayName == listName }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else { throw FixtureError.missing("list \(listName)") }
    return (list.id, task.id)
  }
}
