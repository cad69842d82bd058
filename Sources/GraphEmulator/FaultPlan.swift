import Foundation

/// Faults injected into chosen requests: `SELECTOR#ORDINALS=KIND[:k=v,...]`.
///
/// Selectors count requests separately (1-based): `any`, `get`, `post`, `put` (chunk PUTs),
/// `patch`, `create` (createUploadSession), `delete`, `status` (GET of an upload URL), `token`,
/// `devicecode`, the writes (POST, PATCH, DELETE) to one resource: `list`, `task`, `step`
/// (checklist items), and `delta` (GETs of the two delta functions). Ordinals: `3`, `2-4`, `5+`,
/// `*`.
public struct FaultPlan: Sendable {
  /// Which requests a rule counts.
  public enum Selector: String, Sendable, CaseIterable {
    case any, get, post, put, patch, create, delete, status, token, devicecode, list, task, step
    case delta
  }

  /// What to do to a matching request.
  public enum Kind: Sendable, Equatable {
    case latency(milliseconds: Int)
    /// Answer with this status at once, with an optional `Retry-After` (seconds, may be fractional).
    case status(code: Int, retryAfter: String?)
    /// Close the connection after reading this many body bytes.
    case reset(afterBytes: Int)
    /// Store the chunk (or the write to a list, task or step), then close the connection
    /// without answering.
    case commitThenDrop
    /// Store the chunk, then claim bytes never sent: `NextExpectedRanges` one chunk further.
    case overclaim
    /// The session expires just before this request (on a delta request: every delta and skip
    /// token is forgotten, so one in this request answers 410 `syncStateNotFound`).
    case expireSession
    /// Stop reading the request body for this long.
    case stall(milliseconds: Int)
    /// Read request bodies at this many bytes per second.
    case bandwidth(bytesPerSecond: Int)
    /// Answer a token poll with this OAuth error (`slow_down`, `authorization_declined`, …).
    case oauthError(String)
  }

  /// One parsed rule.
  public struct Rule: Sendable, Equatable {
    public var selector: Selector
    public var first: Int
    /// nil: no upper bound.
    public var last: Int?
    public var kind: Kind

    public init(selector: Selector, first: Int, last: Int?, kind: Kind) {
      self.selector = selector
      self.first = first
      self.last = last
      self.kind = kind
    }

    public func matches(ordinal: Int) -> Bool {
      ordinal >= first && (last.map { ordinal <= $0 } ?? true)
    }
  }

  public var rules: [Rule] = []

  public init() {}

  public init(specs: [String]) throws {
    rules = try specs.map(Self.parse)
  }

  public static let syntaxHelp = """
    Fault syntax: SELECTOR#ORDINALS=KIND[:k=v,...]
      SELECTOR  any | get | post | put | patch | create | delete | status | token | devicecode
                list | task | step  (writes — POST, PATCH, DELETE — to lists, tasks, checklist items)
                delta  (GET …/lists/delta and …/tasks/delta)
      ORDINALS  N | N-M | N+ | *      (1-based, counted per selector)
      KIND      latency:ms=N | 429[:retry-after=S] | 503[:retry-after=S] | 500 | 504 | 401
                reset:after=BYTES | commit-drop | expire | stall:ms=N | bandwidth:bps=N
                overclaim  (PUT: store the chunk, then claim one chunk more than was sent)
                expire  (upload URL: the session expires; delta: the sync state is lost → 410)
                oauth:error=NAME  (token endpoint: slow_down, expired_token, …)
    Examples: put#2=429:retry-after=1.5   put#3=commit-drop   any#*=latency:ms=40
              task#1=commit-drop  (the first task write is stored, then its answer is lost)
    """

  public static func parse(_ spec: String) throws -> Rule {
    func fail(_ why: String) -> EmulatorError {
      EmulatorError.badFault("fault '\(spec)': \(why)\n\(syntaxHelp)")
    }
    let sides = spec.split(separator: "=", maxSplits: 1).map(String.init)
    guard sides.count == 2 else { throw fail("expected SELECTOR#ORDINALS=KIND") }
    let target = sides[0].split(separator: "#", maxSplits: 1).map(String.init)
    guard target.count == 2, let selector = Selector(rawValue: target[0].lowercased()) else {
      throw fail("unknown selector")
    }
    let ordinals = target[1]
    var first = 1
    var last: Int?
    if ordinals == "*" {
      first = 1
    } else if ordinals.hasSuffix("+"), let n = Int(ordinals.dropLast()), n >= 1 {
      first = n
    } else if ordinals.contains("-") {
      let bounds = ordinals.split(separator: "-").compactMap { Int($0) }
      guard bounds.count == 2, bounds[0] >= 1, bounds[1] >= bounds[0] else {
        throw fail("bad ordinals")
      }
      first = bounds[0]
      last = bounds[1]
    } else if let n = Int(ordinals), n >= 1 {
      first = n
      last = n
    } else {
      throw fail("bad ordinals")
    }
    let kindParts = sides[1].split(separator: ":", maxSplits: 1).map(String.init)
    var params: [String: String] = [:]
    if kindParts.count == 2 {
      for pair in kindParts[1].split(separator: ",") {
        let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
        guard kv.count == 2 else { throw fail("parameter \(pair) is not k=v") }
        params[kv[0]] = kv[1]
      }
    }
    func intParam(_ name: String) throws -> Int {
      guard let text = params[name], let value = Int(text), value >= 0 else {
        throw fail("\(kindParts[0]) needs \(name)=N")
      }
      return value
    }
    let kind: Kind
    switch kindParts[0].lowercased() {
    case "latency": kind = .latency(milliseconds: try intParam("ms"))
    case "429", "503", "500", "504", "401", "502":
      let retryAfter = params["retry-after"]
      if let retryAfter, Double(retryAfter) == nil { throw fail("retry-after must be seconds") }
      kind = .status(code: Int(kindParts[0]) ?? 500, retryAfter: retryAfter)
    case "reset": kind = .reset(afterBytes: try intParam("after"))
    case "commit-drop": kind = .commitThenDrop
    case "overclaim": kind = .overclaim
    case "expire": kind = .expireSession
    case "stall": kind = .stall(milliseconds: try intParam("ms"))
    case "bandwidth":
      let bps = try intParam("bps")
      guard bps > 0 else { throw fail("bandwidth needs bps > 0") }
      kind = .bandwidth(bytesPerSecond: bps)
    case "oauth":
      guard let name = params["error"], !name.isEmpty else { throw fail("oauth needs error=NAME") }
      kind = .oauthError(name)
    default: throw fail("unknown kind \(kindParts[0])")
    }
    return Rule(selector: selector, first: first, last: last, kind: kind)
  }
}
