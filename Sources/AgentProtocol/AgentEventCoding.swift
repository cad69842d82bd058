import Foundation
import GraphModels

/// Upload events on the socket: the CLI's NDJSON objects (`UploadEvent.jsonObject`), plus a
/// `progress` object the CLI's `--json` leaves out, and the way back to `UploadEvent`.
public enum AgentEventCoding {
  /// The object for `event`; `file` is the path the upload reads.
  public static func object(_ event: UploadEvent, file: String?) -> JSONValue {
    if let object = event.jsonObject(file: file) { return object }
    guard case .progress(let id, let sent, let acknowledged, let size) = event else {
      return .object(["upload_id": .string(event.uploadID)])
    }
    var object: [String: JSONValue] = [
      "event": .string("progress"), "upload_id": .string(id), "sent": .number(Double(sent)),
      "acknowledged": .number(Double(acknowledged)), "size": .number(Double(size)),
    ]
    if let file { object["file"] = .string(file) }
    return .object(object)
  }

  /// The event an object describes, and its file.
  public static func event(_ value: JSONValue) throws(AgentProtocolError) -> (UploadEvent, String?)
  {
    guard case .object(let members) = value, let name = members["event"]?.stringValue,
      let id = members["upload_id"]?.stringValue
    else { throw AgentProtocolError("an event needs \"event\" and \"upload_id\"") }
    let reader = Members(name: name, members: members)
    return (try reader.decode(id), members["file"]?.stringValue)
  }

  private struct Members {
    var name: String
    var members: [String: JSONValue]

    func int(_ key: String) throws(AgentProtocolError) -> Int64 {
      guard let number = members[key]?.numberValue, number.rounded() == number else {
        throw AgentProtocolError("\"\(name)\" event needs a whole number \"\(key)\"")
      }
      return Int64(number)
    }

    func string(_ key: String) throws(AgentProtocolError) -> String {
      guard let text = members[key]?.stringValue else {
        throw AgentProtocolError("\"\(name)\" event needs a string \"\(key)\"")
      }
      return text
    }

    func decode(_ id: String) throws(AgentProtocolError) -> UploadEvent {
      switch name {
      case "session_created":
        let expiration = members["expiration"]?.stringValue.flatMap(GraphDate.parse)
        return .sessionCreated(
          id: id, name: try string("name"), size: try int("size"),
          chunkSize: try int("chunk_size"), expiration: expiration)
      case "progress":
        return .progress(
          id: id, sent: try int("sent"), acknowledged: try int("acknowledged"),
          size: try int("size"))
      case "chunk_sent":
        return .chunkSent(
          id: id, start: try int("start"), end: try int("end"), next: try int("next"))
      case "retry":
        guard let reason = RetryReason(rawValue: try string("reason")),
          let after = members["after_s"]?.numberValue
        else {
          throw AgentProtocolError("\"retry\" event needs a known \"reason\" and \"after_s\"")
        }
        return .retry(id: id, reason: reason, afterSeconds: after, attempt: Int(try int("attempt")))
      case "paused": return .paused(id: id, acknowledged: try int("acknowledged"))
      case "resumed": return .resumed(id: id, from: try int("from"))
      case "session_recreated": return .sessionRecreated(id: id, reason: try string("reason"))
      case "completed":
        return .completed(id: id, attachmentID: try string("attachment_id"), size: try int("size"))
      case "failed":
        // A coded failure carries the code as `reason` and the human text as `message`.
        if let message = members["message"]?.stringValue {
          return .failed(id: id, reason: message, code: FailureCode(rawValue: try string("reason")))
        }
        return .failed(id: id, reason: try string("reason"), code: nil)
      case "cancelled": return .cancelled(id: id)
      default: throw AgentProtocolError("unknown event \"\(name)\"")
      }
    }
  }
}
