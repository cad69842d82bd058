import Foundation
import GraphClient
import GraphModels
import Synchronization
import Testing

/// `GraphSession.sendOnce`, the upload-session request builders and single-attempt paging: what
/// the upload engine sends, as it reaches the transport.
@Suite struct SingleAttemptTests {
  static let base = "https://graph.example.test/v1.0"
  static let uploadURL = base + "/me/todo/lists/L/tasks/T/attachmentSessions/S=?sig=x"

  func session(_ transport: ScriptedTransport) throws -> GraphSession {
    try GraphSession(
      baseURL: Self.base, tokens: StaticTokenProvider(token: "secret-token"), transport: transport)
  }

  /// Sends `request` once and returns it as the transport saw it.
  func sent(_ request: (GraphSession) -> HTTPRequest) async throws -> HTTPRequest {
    let transport = ScriptedTransport([.respond(HTTPResponse(status: 202))])
    let graph = try session(transport)
    let attempt = try await graph.sendOnce(request(graph))
    #expect(try attempt.result.get().status == 202)
    return try #require(transport.requests.first)
  }

  @Test func createUploadSessionPostsTheAttachmentInfoWithBearer() async throws {
    let info = AttachmentInfo(name: "a b.bin", size: 10, contentType: "text/plain")
    let request = try await sent {
      $0.createUploadSessionRequest(listID: "L=", taskID: "T/", info: info)
    }
    #expect(request.method == "POST")
    #expect(
      request.url == Self.base + "/me/todo/lists/L%3D/tasks/T%2F/attachments/createUploadSession")
    #expect(request.header("Content-Type") == "application/json")
    #expect(request.header("Authorization") == "Bearer secret-token")
    #expect(request.header("client-request-id") != nil)
    guard case .bytes(let body) = request.body else {
      Issue.record("expected a JSON body")
      return
    }
    let sent = try GraphJSON.decoder().decode(CreateUploadSessionRequest.self, from: body)
    #expect(sent.attachmentInfo == info)
  }

  @Test func chunkPutGoesToContentWithRangeBytesBodyTimeoutAndBearer() async throws {
    let range = ContentRange(first: 100, last: 199, total: 300)
    let bytes = Data((0..<100).map { UInt8($0) })
    let request = try await sent {
      $0.uploadChunkRequest(
        uploadURL: Self.uploadURL, range: range, body: ChunkBytes(bytes), timeout: .seconds(9))
    }
    #expect(request.method == "PUT")
    #expect(
      request.url == Self.base + "/me/todo/lists/L/tasks/T/attachmentSessions/S=/content?sig=x")
    #expect(request.header("Content-Range") == "bytes 100-199/300")
    #expect(request.header("Content-Length") == "100")
    #expect(request.header("Content-Type") == "application/octet-stream")
    #expect(request.header("Accept") == nil)
    #expect(request.header("Authorization") == "Bearer secret-token")
    #expect(request.header("client-request-id") != nil)
    #expect(request.timeout == .seconds(9))
    guard case .chunk(let body) = request.body else {
      Issue.record("expected the checked bytes as the body")
      return
    }
    #expect(body.bytes == bytes)
  }

  @Test func statusGetAsksForJSONWithBearer() async throws {
    let request = try await sent { $0.uploadSessionStatusRequest(uploadURL: Self.uploadURL) }
    #expect(request.method == "GET")
    #expect(request.url == Self.uploadURL)
    #expect(request.header("Accept") == "application/json")
    #expect(request.header("Authorization") == "Bearer secret-token")
    #expect(request.body == nil)
  }

  @Test func deleteHasItsTimeoutAndBearer() async throws {
    let request = try await sent {
      $0.deleteUploadSessionRequest(uploadURL: Self.uploadURL, timeout: .seconds(3))
    }
    #expect(request.method == "DELETE")
    #expect(request.url == Self.uploadURL)
    #expect(request.timeout == .seconds(3))
    #expect(request.header("Authorization") == "Bearer secret-token")
    #expect(request.body == nil)
  }

  @Test func uploadURLOffTheGraphOriginGetsNoBearer() async throws {
    let foreign = "https://upload.example.test/s/S="
    for build in [
      { (graph: GraphSession) in graph.uploadSessionStatusRequest(uploadURL: foreign) },
      { (graph: GraphSession) in graph.deleteUploadSessionRequest(uploadURL: foreign) },
      { (graph: GraphSession) in
        graph.uploadChunkRequest(
          uploadURL: foreign, range: ContentRange(first: 0, last: 0, total: 1),
          body: ChunkBytes(Data([1])))
      },
    ] {
      let request = try await sent(build)
      #expect(request.header("Authorization") == nil)
      #expect(request.header("client-request-id") != nil)
    }
  }

  @Test(arguments: [
    (
      "https://graph.microsoft.com/v1.0/users/u/todo/lists/L=/tasks/T=/attachmentSessions/S=",
      "https://graph.microsoft.com/v1.0/users/u/todo/lists/L=/tasks/T=/attachmentSessions/S=/content"
    ),
    ("https://g.example/s/", "https://g.example/s/content"),
    ("https://g.example/s?x=1", "https://g.example/s/content?x=1"),
  ])
  func appendsContentToThePath(upload: String, expected: String) {
    #expect(GraphSession.uploadContentURL(upload) == expected)
  }

  @Test func sendOnceNeverRetriesAndReturnsErrorAnswers() async throws {
    let transport = ScriptedTransport([.respond(HTTPResponse(status: 503))])
    let attempt = try await session(transport).sendOnce(
      HTTPRequest(method: "GET", url: Self.uploadURL))
    #expect(try attempt.result.get().status == 503)
    #expect(attempt.token == "secret-token")
    #expect(transport.requests.count == 1)
  }

  @Test func sendOnceReportsTransportFailureWithTheTokenItUsed() async throws {
    let transport = ScriptedTransport([.fail(.connectionClosed)])
    let attempt = try await session(transport).sendOnce(
      HTTPRequest(method: "GET", url: Self.uploadURL))
    #expect(throws: TransportError.connectionClosed) { try attempt.result.get() }
    #expect(attempt.token == "secret-token")
    #expect(transport.requests.count == 1)
  }

  @Test func sendOnceHoldsTheGateOnlyAroundTheRequest() async throws {
    let gate = CountingGate()
    let transport = ScriptedTransport([.respond(HTTPResponse(status: 200))])
    _ = try await session(transport).sendOnce(
      HTTPRequest(method: "GET", url: Self.uploadURL), gate: gate)
    #expect(gate.log == ["enter", "leave"])
  }

  @Test func singleAttemptPagesFollowGraphLinksAndCarryTheBearer() async throws {
    let next = Self.base + "/me/todo/lists/L/tasks/T/attachments?$skiptoken=2"
    let transport = ScriptedTransport([
      .respond(
        .json(200, #"{"value":[{"id":"a","name":"a.txt","size":1}],"@odata.nextLink":"\#(next)"}"#)),
      .respond(.json(200, #"{"value":[{"id":"b","name":"b.txt","size":2}]}"#)),
    ])
    let pages = try session(transport).singleAttemptAttachments(
      listID: "L", taskID: "T", gate: nil)
    let items = try await pages.all()
    #expect(items.map(\.id) == ["a", "b"])
    #expect(transport.requests.count == 2)
    #expect(transport.requests[0].url == Self.base + "/me/todo/lists/L/tasks/T/attachments")
    #expect(transport.requests[1].url == next)
    for request in transport.requests {
      #expect(request.method == "GET")
      #expect(request.header("Accept") == "application/json")
      #expect(request.header("Authorization") == "Bearer secret-token")
    }
  }

  @Test func singleAttemptNextLinkOffTheGraphOriginIsUnreadable() async throws {
    let transport = ScriptedTransport([
      .respond(
        .json(
          200,
          #"{"value":[{"id":"b","name":"b.txt","size":2}],"@odata.nextLink":"https://other.example.test/p"}"#
        ))
    ])
    var pages = try session(transport).singleAttemptAttachments(
      listID: "L", taskID: "T", gate: nil
    ).makeAsyncIterator()
    do {
      _ = try await pages.next()
      Issue.record("expected the page to be refused")
    } catch PageAttemptError.unreadable {
    }
    #expect(transport.requests.count == 1)
  }

  @Test func singleAttemptPageErrorIsReturnedNotRetried() async throws {
    let transport = ScriptedTransport([.respond(.json(429, "{}"))])
    var pages = try session(transport).singleAttemptAttachments(
      listID: "L", taskID: "T", gate: nil
    ).makeAsyncIterator()
    do {
      _ = try await pages.next()
      Issue.record("expected the 429 back")
    } catch PageAttemptError.answered(let response) {
      #expect(response.status == 429)
    }
    #expect(pages.token == "secret-token")
    #expect(transport.requests.count == 1)
  }
}

/// Records gate calls.
final class CountingGate: RequestGate {
  private let calls = Mutex<[String]>([])
  var log: [String] { calls.withLock { $0 } }
  func enter() async { calls.withLock { $0.append("enter") } }
  func leave() async { calls.withLock { $0.append("leave") } }
}
