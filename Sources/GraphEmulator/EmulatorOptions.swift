import Foundation

/// How the emulator behaves; every service behaviour that Microsoft leaves unconfirmed is a switch.
public struct EmulatorOptions: Sendable {
  /// Which seed data to load.
  public enum Seed: String, Sendable, CaseIterable {
    /// Everything in `Assets/seed.json`, including the generated 5,000-task list.
    case demo
    /// The same without lists marked `full` (fast to start in tests).
    case small
    /// No lists at all.
    case empty
  }

  /// Answer to a chunk that starts before the server's next expected byte.
  public enum OverlapMode: String, Sendable, CaseIterable {
    /// `416 invalidRange` (OneDrive-like).
    case rangeError
    /// `200` with the current `NextExpectedRanges`; bytes already held are ignored.
    case acceptCurrent
  }

  /// Answer to a chunk that starts after the server's next expected byte.
  public enum GapMode: String, Sendable, CaseIterable {
    case rangeError
    case badRequest
  }

  /// Key casing of the intermediate PUT answer.
  public enum KeyCase: String, Sendable, CaseIterable {
    case pascal
    case camel
  }

  /// How `NextExpectedRanges` entries are written.
  public enum RangeForm: String, Sendable, CaseIterable {
    /// `"2097152"`, as documented for To Do.
    case bare
    /// `"2097152-"`, as OneDrive writes it.
    case openEnded
  }

  /// How the final PUT's `Location` names the attachment.
  public enum LocationForm: String, Sendable, CaseIterable {
    /// `…/Attachments/{id}` (documented for To Do).
    case path
    /// `…/Attachments('{id}')` (Outlook's OData key syntax).
    case odataKey
    /// The path form with percent-encoded control characters after the id (ESC, BEL, U+009B,
    /// DEL): a hostile server, for tests that clients clean header values.
    case controls
  }

  public var host: String = "127.0.0.1"
  /// 0 picks a free port.
  public var port: Int = 0
  /// When set, only `Bearer <token>` is accepted; otherwise tokens the emulator issued.
  public var token: String?
  /// The secret the approval hook (`/_emulator/device/approve`) and the verification page's
  /// approval demand: random per run (128 bits), so another local process cannot mint a token.
  public var hookSecret: String = EmulatorOptions.randomSecret()
  public var faults: FaultPlan = FaultPlan()
  /// Whether `GET {uploadUrl}` answers with the session state (undocumented for To Do).
  public var statusGet: Bool = true
  public var seed: Seed = .demo
  public var sessionLifetime: Duration = .seconds(900)
  public var accessTokenLifetime: Duration = .seconds(3600)
  /// Device codes approve themselves after this many token polls (nil: only when told).
  public var autoApproveAfterPolls: Int?
  /// Device-code poll interval the emulator asks for, in seconds.
  public var deviceCodeInterval: Int = 5
  public var deviceCodeLifetime: Duration = .seconds(900)
  /// Answer `slow_down` to a poll that comes sooner than the interval (RFC 8628 §3.5).
  public var enforcePollInterval: Bool = false
  /// Whether a refresh token stops working once used (the service does not revoke; tests may).
  public var revokeUsedRefreshTokens: Bool = false
  public var overlap: OverlapMode = .rangeError
  public var gap: GapMode = .rangeError
  /// Status for a chunk over 4,000,000 bytes: 413 or 400.
  public var oversizeChunkStatus: Int = 413
  /// Require every chunk but the last to be a multiple of 320 KiB (OneDrive's rule).
  public var enforceFragmentMultiple: Bool = false
  /// Status of a successful createUploadSession: 200 (documented example) or 201 (prose).
  public var createStatus: Int = 200
  public var intermediateKeys: KeyCase = .pascal
  public var rangeForm: RangeForm = .bare
  public var locationForm: LocationForm = .path
  /// Collection page size when `$top` is absent, and the largest `$top` honoured.
  public var defaultPageSize: Int = 10
  public var maxPageSize: Int = 100
  /// Answer `Expect: 100-continue` (curl sends it for bodies over 1 MiB).
  public var answerExpectContinue: Bool = true
  /// How long a delta function's `$deltatoken` stays usable (nil: until `expireDeltaTokens`).
  public var deltaTokenLifetime: Duration?
  /// Status of the `syncStateNotFound` answer to a stale delta or skip token: 410 (documented
  /// for Outlook resources) or 400 (what identity resources answer).
  public var deltaExpiredStatus: Int = 410
  /// Adds a list named "Long list" with this many generated tasks (a page-by-page load to watch;
  /// combine with a `get` latency fault for a slow link).
  public var longList: Int?
  /// The largest `long-list` the emulator builds (Graph clients keep at most 100,000 items).
  public static let longListLimit = 100_000

  public init() {}

  /// 32 hex digits from the system's secure generator.
  public static func randomSecret() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<16).map { _ in
      let byte = UInt8.random(in: 0...255, using: &generator)
      return String(byte, radix: 16).count == 1
        ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
    }.joined()
  }

  /// Applies a `name=value` mode switch as given to `tack emulator --mode`.
  public mutating func apply(mode: String) throws {
    let parts = mode.split(separator: "=", maxSplits: 1).map(String.init)
    guard parts.count == 2 else { throw EmulatorError.badOption("mode \(mode) is not name=value") }
    let (name, value) = (parts[0], parts[1])
    func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws -> T
    where T.RawValue == String {
      guard let parsed = T(rawValue: value) else {
        let names = T.allCases.map(\.rawValue).joined(separator: ", ")
        throw EmulatorError.badOption("mode \(name) takes one of: \(names)")
      }
      return parsed
    }
    func int(_ allowed: [Int]) throws -> Int {
      guard let parsed = Int(value), allowed.isEmpty || allowed.contains(parsed) else {
        throw EmulatorError.badOption(
          "mode \(name) takes \(allowed.map(String.init).joined(separator: " or "))")
      }
      return parsed
    }
    func bool() throws -> Bool {
      switch value {
      case "on", "true", "1": return true
      case "off", "false", "0": return false
      default: throw EmulatorError.badOption("mode \(name) takes on or off")
      }
    }
    switch name {
    case "overlap": overlap = try choice(OverlapMode.self)
    case "gap": gap = try choice(GapMode.self)
    case "oversize-chunk": oversizeChunkStatus = try int([413, 400])
    case "fragment-multiple": enforceFragmentMultiple = try bool()
    case "create-status": createStatus = try int([200, 201])
    case "keys": intermediateKeys = try choice(KeyCase.self)
    case "ranges": rangeForm = try choice(RangeForm.self)
    case "location": locationForm = try choice(LocationForm.self)
    case "status-get": statusGet = try bool()
    case "session-lifetime": sessionLifetime = .seconds(try int([]))
    case "token-lifetime": accessTokenLifetime = .seconds(try int([]))
    case "page-size": defaultPageSize = max(1, try int([]))
    case "auto-approve": autoApproveAfterPolls = try int([])
    case "interval": deviceCodeInterval = try int([])
    case "device-code-lifetime": deviceCodeLifetime = .seconds(try int([]))
    case "enforce-interval": enforcePollInterval = try bool()
    case "revoke-refresh": revokeUsedRefreshTokens = try bool()
    case "expect-continue": answerExpectContinue = try bool()
    case "seed": seed = try choice(Seed.self)
    case "delta-token-lifetime": deltaTokenLifetime = .seconds(try int([]))
    case "delta-expired-status": deltaExpiredStatus = try int([410, 400])
    case "long-list":
      let count = try int([])
      guard (1...Self.longListLimit).contains(count) else {
        throw EmulatorError.badOption("mode long-list takes 1 to \(Self.longListLimit)")
      }
      longList = count
    default:
      throw EmulatorError.badOption(
        "unknown mode \(name); known: overlap, gap, oversize-chunk, fragment-multiple, "
          + "create-status, keys, ranges, location, status-get, session-lifetime, token-lifetime, "
          + "page-size, auto-approve, interval, device-code-lifetime, enforce-interval, "
          + "revoke-refresh, expect-continue, seed, delta-token-lifetime, delta-expired-status, "
          + "long-list")
    }
  }
}

/// Errors starting or configuring the emulator.
public enum EmulatorError: Error, Sendable, CustomStringConvertible {
  case badOption(String)
  case badFault(String)
  case startFailed(String)

  public var description: String {
    switch self {
    case .badOption(let text): return text
    case .badFault(let text): return text
    case .startFailed(let text): return "the emulator could not start: \(text)"
    }
  }
}
