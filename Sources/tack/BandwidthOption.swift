import GraphClient
import UploadEngine

/// The upload bandwidth cap: `--bwlimit` when given, else `bwlimit` in the config file.
enum BandwidthOption {
  /// The cap in bytes per second (nil: none); bad text is a one-line usage error (exit 2).
  static func resolve(_ flag: String?, context: ClientContext) throws -> Int? {
    if let flag { return try parse(flag, source: "--bwlimit") }
    let config = try TackConfigFile.load(path: context.paths.configFile)
    guard let text = config.bwlimit else { return nil }
    return try parse(text, source: "\"bwlimit\" in \(context.paths.configFile)")
  }

  /// The coordinator's settings with the cap of `context`'s config file.
  static func configuration(_ context: ClientContext, flag: String? = nil) throws
    -> UploadCoordinatorConfiguration
  {
    UploadCoordinatorConfiguration(bandwidthLimit: try resolve(flag, context: context))
  }

  private static func parse(_ text: String, source: String) throws -> Int? {
    do {
      return try BandwidthRate.parse(text)
    } catch {
      throw TackFailure(
        code: TackExit.usage, message: Composition.oneLine("\(source): \(error.description)"))
    }
  }
}
