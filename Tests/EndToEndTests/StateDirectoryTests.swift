import Foundation
import GraphEmulator
import TestSupport
import Testing

/// tack's own directories are checked before use, and the log never follows a symlink.
@Suite struct StateDirectoryTests {
  @Test func stateDirectoryWritableByOthersIsRefusedWithTheChmodFix() async throws {
    let home = try TackRun.makeHome("state777")
    defer { TackRun.remove(home) }
    let state = home + "/state/tack"
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    #expect(chmod(state, 0o777) == 0)
    let run = try await TackRun.run(
      ["lists"], home: home, environment: ["TACK_GRAPH_URL": "http://127.0.0.1:9/v1.0"])
    #expect(run.status == 2)
    #expect(run.stderr == "tack: \(state) is writable by others; run: chmod 700 \(state)\n")
    #expect(run.stdout.isEmpty)
  }

  @Test func configDirectoryWritableByGroupIsRefused() async throws {
    let home = try TackRun.makeHome("config770")
    defer { TackRun.remove(home) }
    let config = home + "/config/tack"
    try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
    #expect(chmod(config, 0o770) == 0)
    let run = try await TackRun.run(["uploads"], home: home)
    #expect(run.status == 2)
    #expect(run.stderr.contains("run: chmod 700 \(config)"))
  }

  @Test(.enabled(if: geteuid() == 0, "needs root to give the directory away"))
  func stateDirectoryOwnedByAnotherUserIsRefused() async throws {
    let home = try TackRun.makeHome("stateforeign")
    defer { TackRun.remove(home) }
    let state = home + "/state/tack"
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    #expect(chmod(state, 0o700) == 0)
    let nobody = try #require(getpwnam("nobody")).pointee.pw_uid
    #expect(chown(state, nobody, gid_t(nobody)) == 0)
    let run = try await TackRun.run(["uploads"], home: home)
    #expect(run.status == 2)
    #expect(run.stderr.hasPrefix("tack: \(state) belongs to another user (uid \(nobody))"))
    #expect(run.stderr.split(separator: "\n").count == 1)
  }

  @Test func missingStateDirectoryIsCreatedPrivateWithAPrivateLog() async throws {
    let home = try TackRun.makeHome("statenew")
    defer { TackRun.remove(home) }
    try await withEmulator { emulator in
      var environment = TackRun.graph(emulator)
      environment["TACK_LOG_LEVEL"] = "debug"
      let run = try await TackRun.run(["lists"], home: home, environment: environment)
      #expect(run.status == 0, "stderr: \(run.stderr)")
    }
    let state = home + "/state/tack"
    let attributes = try FileManager.default.attributesOfItem(atPath: state)
    #expect((attributes[.posixPermissions] as? Int) == 0o700)
    let log = try FileManager.default.attributesOfItem(atPath: state + "/tack.log")
    #expect((log[.posixPermissions] as? Int) == 0o600)
    #expect((log[.size] as? Int ?? 0) > 0)
  }

  @Test func symlinkAtTheLogIsNotFollowed() async throws {
    let home = try TackRun.makeHome("logsymlink")
    defer { TackRun.remove(home) }
    let state = home + "/state/tack"
    try FileManager.default.createDirectory(
      atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let victim = home + "/victim.txt"
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
    #expect(symlink(victim, state + "/tack.log") == 0)
    try await withEmulator { emulator in
      var environment = TackRun.graph(emulator)
      environment["TACK_LOG_LEVEL"] = "debug"
      let run = try await TackRun.run(["lists"], home: home, environment: environment)
      #expect(run.status == 0, "stderr: \(run.stderr)")
    }
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n")
    let link = try FileManager.default.destinationOfSymbolicLink(atPath: state + "/tack.log")
    #expect(link == victim)
  }
}
