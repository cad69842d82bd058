import Foundation

/// `$XDG_CONFIG_HOME/tack/config.json`. Keys may be snake_case, camelCase or kebab-case.
public struct TackConfigFile: Sendable, Hashable {
  public var clientID: String?
  public var tenant: String?
  public var cloud: String?
  public var graphURL: String?
  public var loginURL: String?
  /// The upload bandwidth cap as written (`"2M"`, or a number of bytes per second).
  public var bwlimit: String?

  public init(
    clientID: String? = nil, tenant: String? = nil, cloud: String? = nil, graphURL: String? = nil,
    loginURL: String? = nil, bwlimit: String? = nil
  ) {
    self.clientID = clientID
    self.tenant = tenant
    self.cloud = cloud
    self.graphURL = graphURL
    self.loginURL = loginURL
    self.bwlimit = bwlimit
  }

  /// Reads the file; a missing file is an empty configuration, an unreadable one an error.
  public static func load(path: String) throws -> TackConfigFile {
    guard FileManager.default.fileExists(atPath: path) else { return TackConfigFile() }
    guard let data = FileManager.default.contents(atPath: path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { throw GraphError.input("\(path) is not a JSON object") }
    var normalised: [String: String] = [:]
    for (key, value) in object {
      // A number is taken as written (`"bwlimit": 1000000`).
      guard let text = value as? String ?? (value as? NSNumber)?.stringValue else { continue }
      let folded = key.lowercased().replacingOccurrences(of: "_", with: "")
        .replacingOccurrences(of: "-", with: "")
      normalised[folded] = text
    }
    return TackConfigFile(
      clientID: normalised["clientid"], tenant: normalised["tenant"], cloud: normalised["cloud"],
      graphURL: normalised["graphurl"], loginURL: normalised["loginurl"],
      bwlimit: normalised["bwlimit"])
  }
}
