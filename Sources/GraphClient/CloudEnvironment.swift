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
