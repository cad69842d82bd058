import Foundation
import GraphClient
import Testing

@Suite struct TackPathsTests {
  @Test func xdgPathsFollowTheEnvironment() {
    let custom = TackPaths(environment: [
      "HOME": "/home/u", "XDG_STATE_HOME": "/s", "XDG_CONFIG_HOME": "/c",
    ])
    #expect(custom.tokenFile == "/s/tack/tokens.json")
    #expect(custom.logFile == "/s/tack/tack.log")
    #expect(custom.configFile == "/c/tack/config.json")
    let fallback = TackPaths(environment: ["HOME": "/home/u", "XDG_STATE_HOME": "relative"])
    #expect(fallback.tokenFile == "/home/u/.local/state/tack/tokens.json")
    #expect(fallback.configFile == "/home/u/.config/tack/config.json")
  }

  @Test func uploadJournalFollowsXDG() {
    #expect(
      TackPaths(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]).uploadJournalDirectory
        == "/s/tack/uploads")
    #expect(
      TackPaths(environment: ["HOME": "/h"]).uploadJournalDirectory
        == "/h/.local/state/tack/uploads")
    // A relative XDG value is invalid per the spec and ignored.
    #expect(
      TackPaths(environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"]).uploadJournalDirectory
        == "/h/.local/state/tack/uploads")
  }

  /// An empty `HOME` counts as unset: the journal must not land in `/.local/state` at the root.
  @Test(arguments: [nil, ""] as [String?], [nil, "/s"] as [String?])
  func uploadJournalWithoutHome(home: String?, stateHome: String?) {
    var environment: [String: String] = [:]
    if let home { environment["HOME"] = home }
    if let stateHome { environment["XDG_STATE_HOME"] = stateHome }
    let expected =
      stateHome.map { $0 + "/tack/uploads" } ?? NSHomeDirectory() + "/.local/state/tack/uploads"
    #expect(TackPaths(environment: environment).uploadJournalDirectory == expected)
  }
}
