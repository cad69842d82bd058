import Foundation
import GraphEmulator
import TestSupport

/// `tack` run once to the end with a private HOME and XDG directories under `home`.
struct TackRun {
  var status: Int32?
  var stdout: [String]
  var stderr: String

  static func run(_ arguments: [String], home: String, environment: [String: String] = [:])
    async throws -> TackRun
  {
    var env = [
      "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config", "HOME": home,
      "XDG_CACHE_HOME": home + "/.cache",
      "TACK_CLIENT_ID": "", "HTTPS_PROXY": "", "https_proxy": "",
    ]
    for (key, value) in environment { env[key] = value }
    let child = ChildProcess(TackBinary.url, arguments, environment: env)
    try child.start()
    let lines = await firstOrDeadline(.seconds(120)) { [lines = child.lines] in
      var collected: [String] = []
      for await line in lines { collected.append(line) }
      return collected
    }
    let status = await child.waitForExit(timeout: .seconds(30))
    if status == nil { child.signal(SIGKILL) }
    return TackRun(status: status, stdout: lines ?? [], stderr: child.standardError())
  }

  /// The emulator's Graph URL and its fixture token.
  static func graph(_ emulator: GraphEmulator) -> [String: String] {
    ["TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_ACCESS_TOKEN": EmulatorFixture.token]
  }

  /// A fresh directory under the system temporary directory; remove it with `remove(_:)`.
  static func makeHome(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "tack-\(label)-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
  }
}
