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
}
