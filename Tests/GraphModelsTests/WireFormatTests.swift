import Foundation
import GraphModels
import Testing

@Suite struct ByteRangeTests {
  @Test(
    arguments: [
      ("2097152", 2_097_152, nil), ("0-", 0, nil), ("26-", 26, nil), ("100-199", 100, 199),
      (" 5-9 ", 5, 9),
    ] as [(String, Int64, Int64?)])
  func parsesEveryDocumentedForm(text: String, start: Int64, end: Int64?) throws {
    let range = try #require(ByteRange(parsing: text))
    #expect(range.start == start)
    #expect(range.end == end)
  }

  @Test(arguments: ["", "-", "-5", "abc", "9-3", "1-2-3"])
  func rejectsGarbage(text: String) {
    #expect(ByteRange(parsing: text) == nil)
  }

  @Test func contentRangeRoundTrips() throws {
    let range = ContentRange(first: 0, last: 2_097_151, total: 3_483_322)
    #expect(range.description == "bytes 0-2097151/3483322")
    #expect(ContentRange(parsing: range.description) == range)
    #expect(range.length == 2_097_152)
    #expect(ContentRange(parsing: "bytes 5-4/10") == nil)
    #expect(ContentRange(parsing: "bytes 0-10/10") == nil)
    #expect(ContentRange(parsing: "bytes */10") == nil)
  }
}

@Suite struct UploadSessionStateTests {
  @Test func readsTheCreateAnswer() throws {
    let json = """
      {"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.uploadSession",
       "uploadUrl":"https://graph.microsoft.com/v1.0/users/6f9a/todo/lists/L=/tasks/T=/attachmentSessions/S=",
       "expirationDateTime":"2022-06-09T10:45:27.4324526Z","nextExpectedRanges":["0-"]}
      """
    let state = try UploadSessionState.parse(Data(json.utf8))
    #expect(state.uploadUrl?.hasSuffix("attachmentSessions/S=") == true)
    #expect(state.nextOffset == 0)
    let expiry = try #require(state.expirationDateTime)
    #expect(abs(expiry.timeIntervalSince1970 - 1_654_771_527.4324526) < 0.001)
  }

  @Test(arguments: [
    #"{"ExpirationDateTime":"2022-06-09T10:45:27.4324526Z","NextExpectedRanges":["2097152"]}"#,
    #"{"expirationDateTime":"2022-06-09T10:45:27Z","nextExpectedRanges":["2097152-"]}"#,
    #"{"EXPIRATIONDATETIME":"2022-06-09T10:45:27Z","nextexpectedranges":["2097152-3483321"]}"#,
    #"{"NextExpectedRanges":["3000000-3483321","2097152-2999999"]}"#,
  ])
  func readsIntermediateAnswersInAnyCasingAndRangeForm(json: String) throws {
    #expect(try UploadSessionState.parse(Data(json.utf8)).nextOffset == 2_097_152)
  }

  @Test func rejectsUnreadableRanges() {
    #expect(throws: GraphModelError.self) {
      try UploadSessionState.parse(Data(#"{"nextExpectedRanges":["soon"]}"#.utf8))
    }
    #expect(throws: (any Error).self) { try UploadSessionState.parse(Data("[1]".utf8)) }
  }
}

@Suite struct AttachmentLocationTests {
  @Test(arguments: [
    (
      "https://graph.microsoft.com/beta/users/6f/todo/lists/L/tasks/T/Attachments/AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0=",
      "AAMkADI5MAAIT3drCAAABEgAQANAqbAe7qaROhYdTnUQwXm0="
    ),
    (
      "https://outlook.office.com/api/v2.0/Users('x')/Messages('y')/Attachments('AAMkAD=')",
      "AAMkAD="
    ),
    ("https://graph.microsoft.com/v1.0/users/u/todo/lists/L/tasks/T/Attachments/AB%3D%3D", "AB=="),
    ("/Attachments/abc/?x=1", "abc"),
  ])
  func takesTheLastSegment(location: String, id: String) {
    #expect(AttachmentLocation.attachmentID(from: location) == id)
  }

  @Test func emptyLocationHasNoID() {
    #expect(AttachmentLocation.attachmentID(from: "") == nil)
  }
}

@Suite struct RetryAfterTests {
  let now = Date(timeIntervalSince1970: 784_111_777)

  @Test func fractionalAndIntegerSeconds() {
    #expect(RetryAfter.seconds("2.128", now: now) == 2.128)
    #expect(RetryAfter.seconds("1", now: now) == 1)
    #expect(RetryAfter.seconds(" 0 ", now: now) == 0)
  }

  @Test func httpDateIsRelativeToNow() {
    #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == 10)
    #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:27 GMT", now: now) == 0)
  }

  @Test func httpDatesRoundTripAcrossYears() throws {
    for step in stride(from: -1_000_000_000.0, to: 4_000_000_000.0, by: 86_399_937.0) {
      let date = Date(timeIntervalSince1970: step)
      #expect(RetryAfter.httpDate(RetryAfter.httpDateString(date)) == date)
    }
    #expect(RetryAfter.httpDate("Sun, 06 Nov 1994 25:49:47 GMT") == nil)
    // A hostile year neither overflows nor becomes a date.
    #expect(RetryAfter.httpDate("Sun, 06 Nov 999999999999 08:49:37 GMT") == nil)
    #expect(RetryAfter.seconds("Sun, 06 Nov -99999999999 08:49:37 GMT", now: now) == nil)
  }

  @Test(arguments: [nil, "", "soon", "-3", "nan"] as [String?])
  func unreadableIsNil(header: String?) {
    #expect(RetryAfter.seconds(header, now: now) == nil)
  }
}

@Suite struct GraphDateTests {
  @Test(arguments: [
    "2020-07-08T11:15:19.9359889Z", "2022-06-09T10:40:52Z", "2020-08-25T04:00:00.0000000",
    "2019-03-15T19:52:56",
    "2020-07-08T13:15:19.9359889+02:00",
  ])
  func parsesEveryDocumentedForm(text: String) {
    #expect(GraphDate.parse(text) != nil)
  }

  @Test func offsetsAreApplied() throws {
    let utc = try #require(GraphDate.parse("2020-07-08T11:15:19Z"))
    let plusTwo = try #require(GraphDate.parse("2020-07-08T13:15:19+02:00"))
    #expect(utc == plusTwo)
  }

  @Test func formatsWithSevenFractionalDigits() throws {
    let date = try #require(GraphDate.parse("2022-06-09T10:45:27.4324526Z"))
    #expect(GraphDate.format(date).hasPrefix("2022-06-09T10:45:27.43245"))
    #expect(GraphDate.format(date).hasSuffix("Z"))
    #expect(GraphDate.parse("yesterday") == nil)
  }
}

@Suite struct ErrorBodyTests {
  @Test func readsKeysInAnyCasing() throws {
    let json = """
      {"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.",
      "innerError":{"date":"2023-02-20T05:06:48","request-id":"b04ace1e","client-request-id":"c1"}}}
      """
    let body = try #require(GraphErrorBody.parse(Data(json.utf8)))
    #expect(body.code == "InvalidAuthenticationToken")
    #expect(body.requestID == "b04ace1e")
    #expect(body.clientRequestID == "c1")
    let bare = try #require(
      GraphErrorBody.parse(Data(#"{"error":{"code":"ApplicationThrottled","message":"x"}}"#.utf8)))
    #expect(bare.requestID == nil)
    let odd = try #require(
      GraphErrorBody.parse(Data(#"{"Error":{"Code":"X","innererror":{"requestId":"r"}}}"#.utf8)))
    #expect(odd.code == "X")
    #expect(odd.requestID == "r")
    #expect(GraphErrorBody.parse(Data("<html>".utf8)) == nil)
  }

  @Test func encodesTheDocumentedShape() throws {
    let body = GraphErrorBody(
      code: "invalidRange", message: "overlap", requestID: "r", clientRequestID: "c")
    let data = body.encoded(date: Date(timeIntervalSince1970: 0))
    let parsed = try #require(GraphErrorBody.parse(data))
    #expect(parsed == body)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains(#""date":"1970-01-01T00:00:00""#))
  }

  @Test(
    arguments: [
      (400, "badRequest"), (401, "unauthenticated"), (403, "accessDenied"), (404, "itemNotFound"),
      (413, "requestTooLarge"), (416, "invalidRange"), (429, "tooManyRequests"),
      (503, "serviceNotAvailable"), (504, "gatewayTimeout"), (418, "http418"),
    ])
  func bareStatusesGetGraphCodes(status: Int, code: String) {
    #expect(GraphErrorBody.code(forStatus: status) == code)
  }
}

@Suite struct OAuthModelTests {
  @Test func deviceCodeAnswerIsReadLeniently() throws {
    let json =
      #"{"user_code":"FRWQDE7YL","device_code":"FAQ","verification_uri":"https://microsoft.com/devicelogin","interval":"7"}"#
    let answer = try JSONDecoder().decode(DeviceCodeResponse.self, from: Data(json.utf8))
    #expect(answer.interval == 7)
    #expect(answer.expiresIn == 1800)
    let defaults = try JSONDecoder().decode(
      DeviceCodeResponse.self,
      from: Data(#"{"user_code":"a","device_code":"b","verification_url":"u"}"#.utf8))
    #expect(defaults.interval == 5)
    #expect(defaults.verificationURI == "u")
  }

  @Test func tokenAnswerIgnoresUnknownFields() throws {
    let json =
      #"{"token_type":"Bearer","scope":"Tasks.ReadWrite","expires_in":3599,"ext_expires_in":3599,"access_token":"a","refresh_token":"r"}"#
    let token = try JSONDecoder().decode(TokenResponse.self, from: Data(json.utf8))
    #expect(token.expiresIn == 3599)
    #expect(token.refreshToken == "r")
  }
}

@Suite struct SHA256Tests {
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
  ])
  func matchesTheFIPSVectors(input: String, digest: String) {
    #expect(SHA256.hex(Array(input.utf8)) == digest)
  }

  @Test func streamingInPiecesEqualsOneShot() {
    let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    var hasher = SHA256()
    var index = 0
    for size in [1, 63, 64, 65, 1000, 4096, 7] where index < bytes.count {
      hasher.update(bytes[index..<min(bytes.count, index + size)])
      index += size
    }
    hasher.update(bytes[index...])
    #expect(SHA256.hexString(hasher.finalize()) == SHA256.hex(bytes))
    let million = [UInt8](repeating: 0x61, count: 1_000_000)
    #expect(
      SHA256.hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }
}

@Suite struct ContentTypeAndEventTests {
  @Test(arguments: [
    ("report.PDF", "application/pdf"), ("photo.jpeg", "image/jpeg"),
    ("noext", "application/octet-stream"),
    (".bashrc", "application/octet-stream"), ("archive.tar.gz", "application/gzip"),
  ])
  func contentTypeFromExtension(name: String, type: String) {
    #expect(ContentTypes.forFileName(name) == type)
  }

  @Test func ndjsonEventsUseTheContractNames() throws {
    let events: [(UploadEvent, String)] = [
      (.chunkSent(id: "u", start: 0, end: 9, next: 10), "chunk_sent"),
      (.retry(id: "u", reason: .throttled, afterSeconds: 1.5, attempt: 1), "retry"),
      (.completed(id: "u", attachmentID: "a", size: 10), "completed"),
      (.failed(id: "u", reason: "x"), "failed"), (.paused(id: "u", acknowledged: 4), "paused"),
      (.resumed(id: "u", from: 4), "resumed"),
      (.sessionRecreated(id: "u", reason: "expired"), "session_recreated"),
    ]
    for (event, name) in events {
      let object = try #require(event.jsonObject(file: "f"))
      #expect(object[caseInsensitive: "event"]?.stringValue == name)
      #expect(event.isMilestone)
    }
    let chunk = try #require(
      UploadEvent.chunkSent(id: "u", start: 0, end: 9, next: 10).jsonObject(file: nil))
    #expect(chunk[caseInsensitive: "next"]?.numberValue == 10)
    let retry = try #require(
      UploadEvent.retry(id: "u", reason: .throttled, afterSeconds: 1.5, attempt: 1).jsonObject(
        file: nil))
    #expect(retry[caseInsensitive: "after_s"]?.numberValue == 1.5)
    #expect(
      UploadEvent.progress(id: "u", sent: 1, acknowledged: 0, size: 2).jsonObject(file: nil) == nil)
  }

  @Test func singleAttachmentAcceptsBothShapes() throws {
    let top = #"{"id":"a","name":"n","size":3,"contentType":"text/plain","contentBytes":"YWJj"}"#
    let wrapped =
      #"{"value":{"id":"a","name":"n","size":3,"contentType":"text/plain","contentBytes":"YWJj"}}"#
    #expect(try TaskFileAttachment.decodeSingle(from: Data(top.utf8)).contentBytes == "YWJj")
    #expect(try TaskFileAttachment.decodeSingle(from: Data(wrapped.utf8)).id == "a")
  }
}

@Suite struct GraphDateFormatTests {
  @Test(arguments: [
    (0.0, "1970-01-01T00:00:00.0000000Z"), (951_782_400.5, "2000-02-29T00:00:00.5000000Z"),
    (1_654_771_527.25, "2022-06-09T10:45:27.2500000Z"), (-86_400.0, "1969-12-31T00:00:00.0000000Z"),
    (4_102_444_799.0, "2099-12-31T23:59:59.0000000Z"),
  ])
  func formatsWithoutACalendar(seconds: Double, text: String) {
    #expect(GraphDate.format(Date(timeIntervalSince1970: seconds)) == text)
  }

  @Test func millisecondStampsForTheLog() {
    #expect(
      GraphDate.format(Date(timeIntervalSince1970: 1_654_771_527.25), fractionDigits: 3)
        == "2022-06-09T10:45:27.250Z")
    #expect(
      GraphDate.format(Date(timeIntervalSince1970: 0), fractionDigits: 0) == "1970-01-01T00:00:00Z")
  }

  @Test(arguments: [
    "2022-13-01T00:00:00Z", "2022-00-10T00:00:00Z", "2022-06-32", "2022-06-09T24:00:01Z",
    "2022-06-09T10:60:00Z", "999999999999-01-01T00:00:00Z", "0-01-01", "10000-01-01",
  ])
  func refusesFieldsOutOfRange(text: String) {
    #expect(GraphDate.parse(text) == nil)
  }

  @Test func midnightAtTheEndOfADayIsTheNextDay() throws {
    #expect(GraphDate.parse("2022-06-09T24:00:00Z") == GraphDate.parse("2022-06-10T00:00:00Z"))
  }

  @Test func parsesAgainstAnIndependentCalendar() throws {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
    for (year, month, day) in [
      (1970, 1, 1), (2000, 2, 29), (1969, 12, 31), (2100, 3, 1), (1601, 1, 1),
    ] {
      let text = String(format: "%04d-%02d-%02dT06:07:08Z", year, month, day)
      let expected = try #require(
        calendar.date(
          from: DateComponents(year: year, month: month, day: day, hour: 6, minute: 7, second: 8)))
      #expect(GraphDate.parse(text) == expected, "\(text)")
    }
  }

  @Test func formatAndParseRoundTripAcrossYears() throws {
    for step in stride(from: -1_000_000_000.0, to: 4_000_000_000.0, by: 86_399_999.125) {
      let date = Date(timeIntervalSince1970: step)
      let parsed = try #require(GraphDate.parse(GraphDate.format(date)))
      #expect(abs(parsed.timeIntervalSince1970 - step) < 0.001)
    }
  }
}

@Suite struct HTTPDateTests {
  @Test func formatsIMFFixdateAndReadsItBack() throws {
    #expect(
      RetryAfter.httpDateString(Date(timeIntervalSince1970: 784_111_777))
        == "Sun, 06 Nov 1994 08:49:37 GMT")
    #expect(
      RetryAfter.httpDateString(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
    let now = Date(timeIntervalSince1970: 1_764_000_000)
    #expect(RetryAfter.httpDate(RetryAfter.httpDateString(now)) == now)
  }
}

@Suite struct TaskWriteWireFormatTests {
  static func object(_ value: some Encodable) throws -> [String: Any] {
    let data = try GraphJSON.encoder().encode(value)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func aDraftSendsOnlyWhatIsSet() throws {
    let plain = try Self.object(TaskDraft(title: "Buy milk"))
    #expect(plain.keys.sorted() == ["title"])
    let full = try Self.object(
      TaskDraft(
        title: "Buy milk", importance: "high", body: ItemBody(content: "2 l"),
        dueDateTime: DateTimeTimeZone(dateTime: "2026-12-24T00:00:00.0000000", timeZone: "UTC")))
    #expect(full["importance"] as? String == "high")
    #expect((full["body"] as? [String: Any])?["contentType"] as? String == "text")
    #expect((full["dueDateTime"] as? [String: Any])?["timeZone"] as? String == "UTC")
  }

  @Test func aPatchSendsOnlyWhatChangesAndNullToClearTheDueDate() throws {
    let data = try GraphJSON.encoder().encode(TaskPatch(status: "completed"))
    #expect(String(decoding: data, as: UTF8.self) == #"{"status":"completed"}"#)
    let clear = try GraphJSON.encoder().encode(TaskPatch(title: "x", clearDueDate: true))
    let text = String(decoding: clear, as: UTF8.self)
    #expect(text.contains(#""dueDateTime":null"#))
    #expect(text.contains(#""title":"x""#))
  }

  @Test func aChecklistItemDecodesGraphsShape() throws {
    let json = #"""
      {"@odata.etag":"W/\"x\"","id":"e3b2","displayName":"Oat","isChecked":true,
       "createdDateTime":"2026-12-02T10:00:00.1234567Z","checkedDateTime":"2026-12-02T11:00:00Z",
       "somethingNew":1}
      """#
    let item = try GraphJSON.decoder().decode(ChecklistItem.self, from: Data(json.utf8))
    #expect(item.displayName == "Oat")
    #expect(item.isChecked == true)
    #expect(item.checkedDateTime == "2026-12-02T11:00:00Z")
    let patch = try GraphJSON.encoder().encode(ChecklistItemPatch(isChecked: false))
    #expect(String(decoding: patch, as: UTF8.self) == #"{"isChecked":false}"#)
  }

  @Test func aTaskWithFieldsTackDoesNotModelStillDecodes() throws {
    let json = #"""
      {"@odata.etag":"W/\"a\"","id":"t1","title":"T","status":"someFutureStatus",
       "checklistItems":[{"id":"c","displayName":"s"}],"reminderDateTime":null,
       "recurrence":{"pattern":{}},"linkedResources":[],
       "completedDateTime":{"dateTime":"2026-12-02T10:00:00.0000000","timeZone":"UTC"}}
      """#
    let task = try GraphJSON.decoder().decode(TodoTask.self, from: Data(json.utf8))
    #expect(task.status == "someFutureStatus")
    #expect(task.completedDateTime?.timeZone == "UTC")
  }
}
