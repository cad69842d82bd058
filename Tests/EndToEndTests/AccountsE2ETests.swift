import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Several sign-ins through the binary against the emulator's two users: `tack login` adds an
/// account, `--account` / `TACK_ACCOUNT` pick one, `tack accounts` lists them, an old
/// single-account cache is migrated, and an upload resumes with the token of its own account.
@Suite struct AccountsE2ETests {
  static let first = "demo@tack.invalid"
  static let second = "second@tack.invalid"

  /// An emulator that signs in whoever `setAutoApprovalUser` names at the second poll.
  static func withSignInEmulator(
    faults: [String] = [], _ body: (GraphEmulator) async throws -> Void
  ) async throws {
    try #require(FileManager.default.isExecutableFile(atPath: TackBinary.url.path))
    try await withEmulator({
      $0.token = nil
      $0.deviceCodeInterval = 1
      $0.autoApproveAfterPolls = 1
      $0.faults = try FaultPlan(specs: faults)
    }) { emulator in try await body(emulator) }
  }

  static func environment(_ emulator: GraphEmulator) -> [String: String] {
    [
      "TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_LOGIN_URL": emulator.loginBaseURL,
      "TACK_ACCESS_TOKEN": "", "TACK_CLIENT_ID": "demo",
    ]
  }

  /// Signs `user` in with `tack login`.
  static func login(_ user: String, _ emulator: GraphEmulator, home: String) async throws {
    await emulator.store.setAutoApprovalUser(user)
    let run = try await TackRun.run(["login"], home: home, environment: environment(emulator))
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.first?.contains("Account \(user) is the default") == true, "\(run.stdout)")
  }

  static func listNames(_ run: TackRun) throws -> [String] {
    let value = try JSONDecoder().decode(JSONValue.self, from: Data(run.stdout.joined().utf8))
    return (value.arrayValue ?? []).compactMap { $0[caseInsensitive: "displayName"]?.stringValue }
  }

  static func accounts(_ emulator: GraphEmulator, home: String) async throws -> [JSONValue] {
    let run = try await TackRun.run(
      ["accounts", "--json"], home: home, environment: environment(emulator))
    #expect(run.status == 0, "\(run.stderr)")
    let value = try JSONDecoder().decode(JSONValue.self, from: Data(run.stdout.joined().utf8))
    return value.arrayValue ?? []
  }

  @Test func twoAccountsSignedInEachListsItsOwnLists() async throws {
    let home = try TackRun.makeHome("accounts")
    defer { TackRun.remove(home) }
    try await Self.withSignInEmulator { emulator in
      try await Self.login(Self.first, emulator, home: home)
      try await Self.login(Self.second, emulator, home: home)
      let env = Self.environment(emulator)
      let firstStore = try #require(emulator.store.user(Self.first))
      let secondStore = try #require(emulator.store.user(Self.second))
      let firstLists = await firstStore.lists().map(\.displayName)
      let secondLists = await secondStore.lists().map(\.displayName)
      #expect(Set(firstLists).isDisjoint(with: ["Side project 🚲"]))
      let asFirst = try await TackRun.run(
        ["lists", "--json", "--account", Self.first], home: home, environment: env)
      #expect(asFirst.status == 0, "\(asFirst.stderr)")
      #expect(try Self.listNames(asFirst) == firstLists)
      var secondEnv = env
      secondEnv["TACK_ACCOUNT"] = "SECOND@tack.invalid"  // names match without regard to case
      let asSecond = try await TackRun.run(["lists", "--json"], home: home, environment: secondEnv)
      #expect(asSecond.status == 0, "\(asSecond.stderr)")
      #expect(try Self.listNames(asSecond) == secondLists)
      // The last sign-in is the default.
      let plain = try await TackRun.run(["lists", "--json"], home: home, environment: env)
      #expect(try Self.listNames(plain) == secondLists)
      let unknown = try await TackRun.run(
        ["lists", "--account", "nobody@tack.invalid"], home: home, environment: env)
      #expect(unknown.status == 2)
      #expect(unknown.stderr.split(separator: "\n").count == 1, "\(unknown.stderr)")
      #expect(unknown.stderr.contains(Self.first) && unknown.stderr.contains(Self.second))
    }
  }

  @Test func accountsJSONMarksTheDefaultAndLogoutOfOneKeepsTheOther() async throws {
    let home = try TackRun.makeHome("accounts-json")
    defer { TackRun.remove(home) }
    try await Self.withSignInEmulator { emulator in
      try await Self.login(Self.first, emulator, home: home)
      try await Self.login(Self.second, emulator, home: home)
      let env = Self.environment(emulator)
      let listed = try await Self.accounts(emulator, home: home)
      #expect(
        listed.compactMap { $0[caseInsensitive: "name"]?.stringValue } == [Self.first, Self.second])
      #expect(listed.map { $0[caseInsensitive: "default"] } == [.bool(false), .bool(true)])
      let text = try await TackRun.run(["accounts", "--json"], home: home, environment: env)
      #expect(
        !text.stdout.joined().contains("emu-at.") && !text.stdout.joined().contains("emu-rt."))
      let change = try await TackRun.run(
        ["accounts", "--default", Self.first], home: home, environment: env)
      #expect(change.status == 0, "\(change.stderr)")
      let changed = try await Self.accounts(emulator, home: home)
      #expect(changed.map { $0[caseInsensitive: "default"] } == [.bool(true), .bool(false)])
      let logout = try await TackRun.run(
        ["logout", "--account", Self.second], home: home, environment: env)
      #expect(logout.status == 0, "\(logout.stderr)")
      let left = try await Self.accounts(emulator, home: home)
      #expect(left.compactMap { $0[caseInsensitive: "name"]?.stringValue } == [Self.first])
      let lists = try await TackRun.run(["lists", "--json"], home: home, environment: env)
      #expect(lists.status == 0, "\(lists.stderr)")
    }
  }

  @Test func anOldSingleAccountCacheIsMigratedOnFirstUse() async throws {
    let home = try TackRun.makeHome("accounts-migrate")
    defer { TackRun.remove(home) }
    try await Self.withSignInEmulator { emulator in
      let pair = await emulator.store.issueToken()
      let now = Date().timeIntervalSince1970
      let legacy: [String: Any] = [
        "version": 1,
        "accounts": [
          "\(emulator.loginBaseURL)|common|demo": [
            "accessToken": pair.access, "refreshToken": pair.refresh, "expiresAt": now + 3600,
            "scope": "Tasks.ReadWrite", "clientID": "demo", "tenant": "common",
            "loginURL": emulator.loginBaseURL, "graphURL": emulator.graphBaseURL,
            "obtainedAt": now,
          ]
        ],
      ]
      let directory = home + "/state/tack"
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
      let file = directory + "/tokens.json"
      try JSONSerialization.data(withJSONObject: legacy).write(to: URL(fileURLWithPath: file))
      chmod(file, 0o600)
      let lists = try await TackRun.run(
        ["lists", "--json"], home: home, environment: Self.environment(emulator))
      #expect(lists.status == 0, "\(lists.stderr)")
      #expect(try Self.listNames(lists) == (await emulator.store.lists()).map(\.displayName))
      let migrated = try JSONDecoder().decode(
        JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
      #expect(migrated[caseInsensitive: "version"] == .number(2))
      let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions]
      #expect((mode as? NSNumber)?.intValue == 0o600)
      let listed = try await Self.accounts(emulator, home: home)
      #expect(listed.count == 1)
      #expect(listed.first?[caseInsensitive: "name"]?.stringValue == Self.first)
      #expect(listed.first?[caseInsensitive: "default"] == .bool(true))
      // The migrated sign-in still refreshes.
      await emulator.store.expireAccessTokens()
      let again = try await TackRun.run(
        ["lists"], home: home, environment: Self.environment(emulator))
      #expect(again.status == 0, "\(again.stderr)")
    }
  }

  @Test func anUploadResumesWithTheTokenOfTheAccountThatStartedIt() async throws {
    let home = try TackRun.makeHome("accounts-upload")
    defer { TackRun.remove(home) }
    try await Self.withSignInEmulator(faults: ["put#*=bandwidth:bps=400000"]) { emulator in
      try await Self.login(Self.second, emulator, home: home)
      try await Self.login(Self.first, emulator, home: home)  // the default: not the uploader
      let secondStore = try #require(emulator.store.user(Self.second))
      let list = try #require(
        await secondStore.lists().first { $0.displayName == "Side project 🚲" })
      let task = try #require(await secondStore.tasks(listID: list.id)?.first)
      let bytes = EmulatorFixture.bytes(3 * 327_680 - 100, seed: 12)
      let file = home + "/second.bin"
      try Data(bytes).write(to: URL(fileURLWithPath: file))
      var env = Self.environment(emulator)
      env.merge(
        ["XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config", "HOME": home],
        uniquingKeysWith: { $1 })
      let child = ChildProcess(
        TackBinary.url,
        [
          "upload", "--account", Self.second, "--list", list.id, "--task", task.id,
          "--chunk-size", "327680", "--json", file,
        ], environment: env)
      try child.start()
      let chunk = await child.waitForLine(timeout: .seconds(60)) {
        $0.contains("\"event\":\"chunk_sent\"")
      }
      child.signal(SIGKILL)
      _ = await child.waitForExit(timeout: .seconds(10))
      try #require(chunk != nil, "no chunk was sent: \(child.standardError())")
      let uploads = try await TackRun.run(
        ["uploads", "--json"], home: home, environment: Self.environment(emulator))
      let entries =
        try JSONDecoder().decode(
          JSONValue.self, from: Data(uploads.stdout.joined().utf8)
        ).arrayValue ?? []
      #expect(entries.map { $0[caseInsensitive: "account"]?.stringValue } == [Self.second])
      // Resumed while the other account is the default: the upload's own token finishes it
      // (the first user's token would be refused on the second user's upload URL).
      let resume = try await TackRun.run(
        ["resume", "--json"], home: home, environment: Self.environment(emulator))
      #expect(resume.status == 0, "\(resume.stderr)")
      let attached = await secondStore.attachments(listID: list.id, taskID: task.id) ?? []
      let attachment = try #require(attached.first { $0.name == "second.bin" })
      let stored = await secondStore.attachmentBytes(
        listID: list.id, taskID: task.id, attachmentID: attachment.id)
      #expect(stored == bytes)
      let firstUserNames = await emulator.store.lists().map(\.displayName)
      #expect(!firstUserNames.contains("Side project 🚲"))
    }
  }
}
