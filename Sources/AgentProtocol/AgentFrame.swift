import Foundation
import GraphModels

/// One line on the agent's socket.
public enum AgentFrame: Sendable, Hashable {
  case hello(AgentHello)
  case welcome(AgentWelcome)
  /// The agent will not serve this client; `message` says what to do. The agent closes next.
  case refused(message: String)
  case request(AgentRequest)
  case reply(AgentReply)
  /// Every upload the agent holds, in the order they were added.
  case snapshot([AgentUploadState])
  /// An upload reached a settled state (or a new one after a resume).
  case settled(AgentUploadState)
  /// An upload event, as the CLI's NDJSON (`progress` included, which `--json` leaves out).
  case event(UploadEvent, file: String?)
}

/// A line that is not a frame of this protocol.
public struct AgentProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
  public var description: String

  public init(_ description: String) { self.description = description }
}

/// Encodes and decodes frames: one compact JSON object per line, `type` names the frame.
public enum AgentCodec {
  /// The longest line either side accepts; a longer one is a protocol error.
  public static let maxLineBytes = 1 << 20

  /// `frame` as one line ending in `\n`.
  public static func encode(_ frame: AgentFrame) throws -> Data {
    try MachineJSON.line(object(frame))
  }

  /// The frame of one line (without its newline).
  public static func decode(_ line: some Collection<UInt8>) throws(AgentProtocolError) -> AgentFrame
  {
    let value: JSONValue
    do {
      value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
    } catch {
      throw AgentProtocolError("not a JSON object: \(error)")
    }
    guard case .object(let members) = value, let type = members["type"]?.stringValue else {
      throw AgentProtocolError("a frame needs a \"type\"")
    }
    do {
      return try frame(type: type, members)
    } catch let error as AgentProtocolError {
      throw error
    } catch {
      throw AgentProtocolError("bad \"\(type)\" frame: \(error)")
    }
  }

  static func object(_ frame: AgentFrame) throws -> JSONValue {
    switch frame {
    case .hello(let hello): return try wrap("hello", "hello", hello)
    case .welcome(let welcome): return try wrap("welcome", "welcome", welcome)
    case .refused(let message):
      return .object(["type": .string("refused"), "message": .string(message)])
    case .request(let request): return try wrap("request", "request", request)
    case .reply(let reply): return try wrap("reply", "reply", reply)
    case .snapshot(let uploads): return try wrap("snapshot", "uploads", uploads)
    case .settled(let upload): return try wrap("settled", "upload", upload)
    case .event(let event, let file):
      return .object([
        "type": .string("event"), "event": AgentEventCoding.object(event, file: file),
      ])
    }
  }

  private static func frame(type: String, _ members: [String: JSONValue]) throws -> AgentFrame {
    func member<T: Decodable>(_ key: String, as type: T.Type) throws -> T {
      guard let value = members[key] else { throw AgentProtocolError("missing \"\(key)\"") }
      return try value.decode(as: type)
    }
    switch type {
    case "hello": return .hello(try member("hello", as: AgentHello.self))
    case "welcome": return .welcome(try member("welcome", as: AgentWelcome.self))
    case "refused": return .refused(message: members["message"]?.stringValue ?? "")
    case "request": return .request(try member("request", as: AgentRequest.self))
    case "reply": return .reply(try member("reply", as: AgentReply.self))
    case "snapshot": return .snapshot(try member("uploads", as: [AgentUploadState].self))
    case "settled": return .settled(try member("upload", as: AgentUploadState.self))
    case "event":
      guard let event = members["event"] else { throw AgentProtocolError("missing \"event\"") }
      let (decoded, file) = try AgentEventCoding.event(event)
      return .event(decoded, file: file)
    default:
      throw AgentProtocolError("unknown frame type \"\(type)\"")
    }
  }

  private static func wrap<T: Encodable>(_ type: String, _ key: String, _ payload: T) throws
    -> JSONValue
  {
    let data = try JSONEncoder().encode(payload)
    let value = try JSONDecoder().decode(JSONValue.self, from: data)
    return .object(["type": .string(type), key: value])
  }
}
