import Foundation
import GraphModels
import Testing

/// The one writer of `--json` and NDJSON output.
@Suite struct MachineJSONTests {
  @Test func delAndC1ControlsAreEscapedLikeC0() throws {
    let value = JSONValue.object(["title": .string("a\u{9B}31mb\u{7F}c\u{1B}d\u{85}é")])
    let line = try MachineJSON.text(value)
    #expect(line.lowercased() == #"{"title":"a\u009b31mb\u007fc\u001bd\u0085é"}"#)
    #expect(!line.unicodeScalars.contains { $0.properties.generalCategory == .control })
    let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
    #expect(decoded == value)
  }

  @Test func documentsArePrettyAndSortedAndStillEscaped() throws {
    let text = try MachineJSON.text(
      [JSONValue.object(["b": .string("\u{80}"), "a": .number(1)])], pretty: true)
    #expect(text.contains("\n"))
    #expect(text.range(of: #""a" : 1,\s+"b" : "\\u0080""#, options: .regularExpression) != nil)
  }

  @Test func attachmentIDFromLocationLosesControlCharacters() {
    let location = "https://g/v1.0/me/todo/lists/l/tasks/t/attachments/AAk%1B%5B2J%C2%9Bx%7F"
    #expect(AttachmentLocation.attachmentID(from: location) == "AAk[2Jx")
    #expect(AttachmentLocation.attachmentID(from: "https://g/attachments/%1B%7F") == nil)
  }
}
