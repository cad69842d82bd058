import Foundation

/// A Microsoft national cloud that offers the To Do API.
public enum GraphCloud: String, Sendable, CaseIterable {
  case global
  case usgov
  case dod

  /// The identity host, e.g. `https://login.microsoftonline.com`.
  public var loginBaseURL: String {
    switch self {
    case .global: return "https://login.microsoftonline.com"
    case .usgov, .dod: return "https://login.microsoftonline.us"
    }
  }

  /// The Graph base URL including the version, e.g. `https://graph.microsoft.com/v1.0`.
  public var graphBaseURL: String {
    switch self {
    case .global: return "https://graph.microsoft.com/v1.0"
    case .usgov: return "https://graph.microsoft.us/v1.0"
    case .dod: return "https://dod-graph.microsoft.us/v1.0"
    }
  }

  /// Reads a `--cloud` value; China is refused with a message saying why.
  public static func parse(_ text: String) throws -> GraphCloud {
    let key = text.trimmingCharacters(in: .whitespaces).lowercased()
    switch key {
    case "global", "public", "worldwide", "gcc": return .global
    case "usgov", "us-gov", "gcchigh", "gcc-high", "usgovernment": return .usgov
    case "dod", "usgov-dod", "dod-graph": return .dod
    case "china", "cn", "21vianet", "mooncake", "chinacloud":
      throw GraphError.input(
        "Microsoft To Do is not available in the China cloud (21Vianet): Graph there has no "
          + "To Do API, so tack cannot work with it")
    default:
      throw GraphError.input("unknown cloud \(text): use global, usgov or dod")
    }
  }
}

/// Validates the tenant segment of the identity URLs.
public enum Tenant {
  public static let common = "common"

  /// `common`, `organizations`, `consumers`, a tenant GUID, or a verified domain.
  public static func validate(_ text: String) throws -> String {
    let value = text.trimmingCharacters(in: .whitespaces)
    let lowered = value.lowercased()
    if ["common", "organizations", "consumers"].contains(lowered) { return lowered }
    if UUID(uuidString: value) != nil { return lowered }
    let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-.")
    let isDomain =
      lowered.contains(".") && !lowered.hasPrefix(".") && !lowered.hasSuffix(".")
      && lowered.unicodeScalars.allSatisfy { allowed.contains($0) }
    guard isDomain else {
      throw GraphError.input(
        "invalid tenant \(text): use common, organizations, consumers, a tenant id or a domain")
    }
    return lowered
  }
}

/// Where tack keeps its files, following the XDG base directory rules.
public struct TackPaths: Sendable, Hashable {
  /// `$XDG_STATE_HOME/tack` (default `~/.local/state/tack`): tokens, journal, log.
  public var stateDirectory: String
  /// `$XDG_CONFIG_HOME/tack` (default `~/.config/tack`): `config.json`.
  public var configDirectory: String

  public init(stateDirectory: String, configDirectory: String) {
    self.stateDirectory = stateDirectory
    self.configDirectory = configDirectory
  }

  /// Resolves the directories from the environment (relative XDG values are ignored, as the
  /// specification requires).
  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    func base(_ variable: String, _ fallback: String) -> String {
      if let value = environment[variable], value.hasPrefix("/") { return value }
      return home + "/" + fallback
    }
    stateDirectory = base("XDG_STATE_HOME", ".local/state") + "/tack"
    configDirectory = base("XDG_CONFIG_HOME", ".config") + "/tack"
  }

  public var tokenFile: String { stateDirectory + "/tokens.json" }
  public var logFile: String { stateDirectory + "/tack.log" }
  public var configFile: String { configDirectory + "/config.json" }

  /// Creates `directory` (and parents) with mode 0700 when missing.
  public static func ensureDirectory(_ directory: String) throws {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
  }
}

/// `$XDG_CONFIG_HOME/tack/config.json`. Keys may be snake_case, camelCase or kebab-case.
public struct TackConfigFile: Sendable, Hashable {
  public var clientID: String?
  public var tenant: String?
  public var cloud: String?
  public var graphURL: String?
  public var loginURL: String?

  public init(
    clientID: String? = nil, tenant: String? = nil, cloud: String? = nil, graphURL: String? = nil,
    loginURL: String? = nil
  ) {
    self.clientID = clientID
    self.tenant = tenant
    self.cloud = cloud
    self.graphURL = graphURL
    self.loginURL = loginURL
  }

  /// Reads the file; a missing file is an empty configuration, an unreadable one an error.
  public static func load(path: String) throws -> TackConfigFile {
    guard FileManager.default.fileExists(atPath: path) else { return TackConfigFile() }
    guard let data = FileManager.default.contents(atPath: path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw GraphError.input("\(path) is not a JSON object") }
    var normalised: [String: String] = [:]
    for (key, value) in object {
      guard let text = value as? String else { continue }
      let folded = key.lowercased().replacingOccurrences(of: "_", with: "")
        .replacingOccurrences(of: "-", with: "")
      normalised[folded] = text
    }
    return TackConfigFile(
      clientID: normalised["clientid"], tenant: normalised["tenant"], cloud: normalised["cloud"],
      graphURL: normalised["graphurl"], loginURL: normalised["loginurl"])
  }
}
