import Foundation
import GraphClient
import GraphModels
import Testing

@testable import UploadEngine

/// What the machine asked for after one input, flattened for the tests' assertions.
enum UploadAction: Sendable, Hashable {
  case perform(UploadOperation)
  case abortInFlight
  case saveJournal(SessionProgress)
  case removeJournal
  case emit(UploadEvent)
}

/// Drives an `UploadStateMachine` with a manual clock and canned server answers.
struct MachineHarness {
  var machine: UploadStateMachine
  var now = Date(timeIntervalSince1970: 1_800_000_000)
  var log: [UploadAction] = []

  static let url1 = "https://graph.example/v1.0/users/u/todo/lists/L/tasks/T/attachmentSessions/S1"
  static let url2 = "https://graph.example/v1.0/users/u/todo/lists/L/tasks/T/attachmentSessions/S2"

  static func configuration(
    stallTimeout: Double = 30, expiryMargin: Double = 15, maxRetries: Int = 6
  ) -> UploadStateMachine.Configuration {
    UploadStateMachine.Configuration(
      retryPolicy: RetryPolicy(maxRetries: maxRetries, baseDelay: 0.5, maxDelay: 30),
      sessionNotFoundRetries: 2, sessionNotFoundDelay: 1, maxSessionRecreations: 3,
      stallTimeout: stallTimeout, expiryMargin: expiryMargin, random: { 0.5 })
  }

  init(
    size: Int64, chunk: Int64, name: String = "report.pdf",
    configuration: UploadStateMachine.Configuration = MachineHarness.configuration(),
    resumingFrom: SessionProgress? = nil
  ) throws {
    machine = try UploadStateMachine(
      id: "u1", name: name, size: size, chunkSize: chunk, configuration: configuration,
      resumingFrom: resumingFrom)
  }

  /// Hands `input` to the machine's event of that name, as the coordinator does, and logs what
  /// it asked for as one list: the abort, the steps in order, then the operation.
  @discardableResult
  mutating func send(_ input: UploadInput) -> [UploadAction] {
    let reaction = UploadCoordinator.react(&machine, to: input, now: now)
    var actions: [UploadAction] = reaction.abort ? [.abortInFlight] : []
    for step in reaction.transition.steps {
      switch step {
      case .saveJournal(let progress): actions.append(.saveJournal(progress))
      case .removeJournal: actions.append(.removeJournal)
      case .emit(let event): actions.append(.emit(event))
      }
    }
    if let operation = reaction.transition.perform { actions.append(.perform(operation)) }
    log += actions
    return actions
  }

  mutating func advance(_ seconds: Double) { now = now.addingTimeInterval(seconds) }

  /// Starts and answers createUploadSession with `url`, valid for `lifetime` seconds.
  @discardableResult
  mutating func startWithSession(url: String = url1, lifetime: Double = 900) -> [UploadAction] {
    send(.start)
    return send(.answered(Self.session(url: url, expires: now.addingTimeInterval(lifetime))))
  }

  // MARK: Canned answers

  static func session(url: String, expires: Date, status: Int = 200) -> HTTPResponse {
    let json = """
      {"@odata.context":"https://graph.example/v1.0/$metadata#microsoft.graph.uploadSession",\
      "uploadUrl":"\(url)","expirationDateTime":"\(GraphDate.format(expires))",\
      "nextExpectedRanges":["0-"]}
      """
    return HTTPResponse(
      status: status, headers: [("Content-Type", "application/json")], body: Data(json.utf8))
  }

  /// An intermediate PUT (or status) answer naming the next expected ranges.
  static func next(_ ranges: [String], pascal: Bool = true, status: Int = 200) -> HTTPResponse {
    let list = ranges.map { "\"\($0)\"" }.joined(separator: ",")
    let json =
      pascal
      ? "{\"ExpirationDateTime\":\"2030-01-01T00:00:00.0000000Z\",\"NextExpectedRanges\":[\(list)]}"
      : "{\"expirationDateTime\":\"2030-01-01T00:00:00Z\",\"nextExpectedRanges\":[\(list)]}"
    return HTTPResponse(status: status, body: Data(json.utf8))
  }

  static func created(id: String = "ATT1") -> HTTPResponse {
    HTTPResponse(
      status: 201,
      headers: [
        ("Location", "https://graph.example/v1.0/users/u/todo/lists/L/tasks/T/Attachments/\(id)"),
        ("Content-Length", "0"),
      ])
  }

  /// A 416 like the service's, optionally naming the `innerError` code.
  static func rangeError(inner: String?) -> HTTPResponse {
    let body = GraphErrorBody(
      code: "invalidRange", message: "test range", innerCode: inner
    ).encoded(date: Date(timeIntervalSince1970: 0))
    return HTTPResponse(status: 416, body: body)
  }

  static func error(_ status: Int, code: String, headers: [(String, String)] = []) -> HTTPResponse {
    let body = GraphErrorBody(code: code, message: "test \(code)").encoded(
      date: Date(timeIntervalSince1970: 0))
    return HTTPResponse(
      status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: body)
  }
}

extension Array where Element == UploadAction {
  /// The operation these actions start, if any.
  var operation: UploadOperation? {
    for action in self { if case .perform(let operation) = action { return operation } }
    return nil
  }

  var events: [UploadEvent] {
    compactMap { if case .emit(let event) = $0 { return event } else { return nil } }
  }

  var journalSaves: [SessionProgress] {
    compactMap { if case .saveJournal(let progress) = $0 { return progress } else { return nil } }
  }

  var removesJournal: Bool { contains(.removeJournal) }

  var aborts: Bool { contains(.abortInFlight) }

  /// The range of the PUT these actions start.
  var putRange: String? {
    if case .put(_, let range) = operation { return range.description }
    return nil
  }

  var putURL: String? {
    if case .put(let url, _) = operation { return url }
    return nil
  }

  var waitSeconds: Double? {
    if case .wait(let seconds) = operation { return seconds }
    return nil
  }
}

/// Every chunk_sent starts where the previous one's `next` was, from 0, and the last ends at
/// `size - 1` with `next == size`.
func expectContiguousChunks(_ log: [UploadAction], size: Int64) {
  let chunks: [(start: Int64, end: Int64, next: Int64)] = log.events.compactMap {
    if case .chunkSent(_, let start, let end, let next) = $0 { return (start, end, next) }
    return nil
  }
  var expected: Int64 = 0
  for chunk in chunks {
    #expect(chunk.start == expected, "chunk_sent \(chunk) leaves a gap or overlap at \(expected)")
    #expect(chunk.end == chunk.next - 1)
    expected = chunk.next
  }
  #expect(chunks.last?.end == size - 1)
  #expect(chunks.last?.next == size)
}
