import Foundation

/// The one writer of machine output: every `--json` document and NDJSON line goes through here.
///
/// On top of JSON's own rules (C0 controls, quote and backslash escaped), DEL (U+007F) and the C1
/// controls (U+0080–U+009F) are written as `\u` escapes: a terminal would otherwise act on them
/// (U+009B is CSI) when a script prints a value. The text stays the same JSON value.
public enum MachineJSON {
  /// `value` as JSON text: pretty (sorted keys, indented) for documents, compact for NDJSON.
  public static func text<T: Encodable>(_ value: T, pretty: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty
      ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      : [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return escapeControls(String(decoding: data, as: UTF8.self))
  }

  /// `value` as one compact line ending in a newline, ready to write.
  public static func line<T: Encodable>(_ value: T) throws -> Data {
    Data((try text(value) + "\n").utf8)
  }

  /// `value` as an indented document ending in a newline, ready to write.
  public static func document<T: Encodable>(_ value: T) throws -> Data {
    Data((try text(value, pretty: true) + "\n").utf8)
  }

  /// Replaces every DEL and C1 control by its `\u00XX` escape (the encoder already escapes C0
  /// inside strings). Outside strings JSON text is ASCII punctuation, digits, letters and
  /// whitespace, so every such scalar is inside a string, where the escape means the same value.
  public static func escapeControls(_ json: String) -> String {
    guard json.unicodeScalars.contains(where: needsEscape) else { return json }
    var out = String.UnicodeScalarView()
    for scalar in json.unicodeScalars {
      if needsEscape(scalar) {
        let hex = String(scalar.value, radix: 16, uppercase: false)
        out.append(
          contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    (0x7F...0x9F).contains(scalar.value)
  }

  /// `text` without control characters (C0, DEL, C1): for values taken from headers.
  public static func stripControls(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.filter { $0.properties.generalCategory != .control }))
  }
}
