import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing
import TmuxDriver

/// Two accounts signed in against one emulator, switched with `A` in the interface (tmux):
/// each shows its own lists, and an upload started under the first account finishes, byte for
/// byte and under the first user, while the second account is shown.
@Suite(.serialized) struct AccountSwitchTUITests {
  typealias Accounts = AccountsE2ETests
  static let size = 2_000_000

  static func environment(_ emulator: GraphEmulator, home: String) -> [String: String] {
    [
      "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "NO_COLOR": "",
      "HOME": home, "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
      "XDG_CACHE_HOME": home + "/.cache", "TACK_GRAPH_URL": emulator.graphBaseURL,
      "TACK_LOGIN_URL": emulator.loginBaseURL, "TACK_CLIENT_ID": "demo", "TACK_ACCESS_TOKEN": "",
      "TACK_NO_AGENT": "1", "HTTPS_PROXY": "", "https_proxy": "",
    ]
  }

  /// The attachments named `name` anywhere in `store`, with their bytes.
  static func attachments(named name: String, in store: EmulatorStore) async -> [[UInt8]] {
    var found: [[UInt8]] = []
    for list in await store.lists() {
      for task in await store.tasks(listID: list.id) ?? [] {
        for attachment in await store.attachments(listID: list.id, taskID: task.id) ?? []
        where attachment.name == name {
          let bytes = await store.attachmentBytes(
            listID: list.id, taskID: task.id, attachmentID: attachment.id)
          found.append(bytes ?? [])
        }
      }
    }
    return found
  }

  @Test func switchAccountsEachShowsItsListsAndTheFirstAccountsUploadFinishes() async throws {
    let home = try TackRun.makeHome("switch")
    defer { TackRun.remove(home) }
    try FileManager.default.createDirectory(
      atPath: home + "/files", withIntermediateDirectories: true)
    let bytes = EmulatorFixture.bytes(Self.size, seed: 31)
    try Data(bytes).write(to: URL(fileURLWithPath: home + "/files/switch.bin"))
    // PUT bodies at 250 kB/s: the upload runs for seconds, long enough to switch meanwhile.
    try await Accounts.withSignInEmulator(faults: ["put#*=bandwidth:bps=250000"]) { emulator in
      // The last sign-in is the default: the interface starts as the first user.
      try await Accounts.login(Accounts.second, emulator, home: home)
      try await Accounts.login(Accounts.first, emulator, home: home)
      let tmux = try Tmux(
        command: [TackBinary.url.path], width: 110, height: 32,
        environment: Self.environment(emulator, home: home), directory: home + "/files")
      defer { tmux.kill() }
      let first = try await tmux.waitFor(timeout: .seconds(30), "the first user's lists") {
        $0.contains("仕事 (Work)") && $0.contains("Renew passport")
      }
      #expect(first.contains(Accounts.first), "the title bar names the account: \(first)")
      #expect(!first.contains("Side project"))

      // Attach switch.bin to the first user's task, then switch while it uploads.
      try tmux.sendKeys("a")
      try await tmux.waitFor("switch.bin", timeout: .seconds(30))
      try tmux.sendKeys("/")
      try tmux.type("switch.bin")
      try tmux.sendKeys("Enter", "Enter")
      try await tmux.waitFor(timeout: .seconds(30), "the upload row") {
        $0.contains("switch.bin") && $0.contains("uploading")
      }
      try tmux.sendKeys("A")
      try await tmux.waitFor(timeout: .seconds(30), "the account list") {
        $0.contains("Accounts") && $0.contains(Accounts.second)
      }
      try tmux.sendKeys("Down", "Enter")
      let second = try await tmux.waitFor(timeout: .seconds(30), "the second user's lists") {
        $0.contains("Side project") && $0.contains("Water the plants")
      }
      #expect(!second.contains("仕事 (Work)"), "\(second)")
      #expect(second.split(separator: "\n").first?.contains(Accounts.second) == true)

      // The first account's upload finishes while the second account is shown.
      let done = try await tmux.waitFor(timeout: .seconds(90), "the upload to finish") {
        $0.contains("1/1 uploaded")
      }
      #expect(done.contains("Side project"), "still showing the second account: \(done)")
      let firstStore = try #require(emulator.store.user(Accounts.first))
      let secondStore = try #require(emulator.store.user(Accounts.second))
      #expect(await Self.attachments(named: "switch.bin", in: firstStore) == [bytes])
      #expect(await Self.attachments(named: "switch.bin", in: secondStore).isEmpty)

      // Back to the first account: its lists again.
      try tmux.sendKeys("A")
      try await tmux.waitFor(timeout: .seconds(30), "the account list") { $0.contains("Accounts") }
      try tmux.sendKeys("Up", "Enter")
      try await tmux.waitFor(timeout: .seconds(30), "the first user's lists again") {
        $0.contains("仕事 (Work)") && !$0.contains("Side project")
      }
      try tmux.sendKeys("q")
      #expect(try await tmux.waitForExit(timeout: .seconds(30)) == 0)
    }
  }
}
