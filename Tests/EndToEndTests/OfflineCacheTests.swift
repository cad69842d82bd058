import Foundation
import GraphEmulator
import TestSupport
import Testing

/// `tack lists|tasks --offline` through the binary: what an online run stored is answered with
/// the emulator gone; no cache exits 4; a damaged cache is never fatal.
@Suite struct OfflineCacheTests {
  static func cacheDirectory(_ home: String) -> String { home + "/.cache/tack" }

  static func cacheFiles(_ home: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: cacheDirectory(home))) ?? [])
      .filter { $0.hasSuffix(".sqlite") }
  }

  static func mode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? Int ?? -1) & 0o777
  }

  @Test func offlineWithoutACacheExitsFourWithOneLine() async throws {
    let home = try TackRun.makeHome("offline-none")
    defer { TackRun.remove(home) }
    let graph = ["TACK_GRAPH_URL": "http://127.0.0.1:9/v1.0", "TACK_ACCESS_TOKEN": "t"]
    let lists = try await TackRun.run(["lists", "--offline"], home: home, environment: graph)
    #expect(lists.status == 4)
    #expect(lists.stdout.isEmpty)
    let line = lists.stderr.trimmingCharacters(in: .newlines)
    #expect(line.hasPrefix("tack: no offline cache") && !line.contains("\n"), "\(line)")
    let tasks = try await TackRun.run(
      ["tasks", "--list", "Tasks", "--offline", "--json"], home: home, environment: graph)
    #expect(tasks.status == 4)
    #expect(Self.cacheFiles(home).isEmpty, "--offline must not create a cache")
  }

  @Test func offlineAnswersWhatTheLastOnlineRunFetchedInTheSameFormats() async throws {
    let home = try TackRun.makeHome("offline-round-trip")
    defer { TackRun.remove(home) }
    let commands = [
      ["lists"], ["lists", "--json"], ["tasks", "--list", "Tasks"],
      ["tasks", "--list", "Tasks", "--json"],
    ]
    var environment: [String: String] = [:]
    var online: [[String]] = []
    try await withEmulator { emulator in
      environment = TackRun.graph(emulator)
      for command in commands {
        let run = try await TackRun.run(command, home: home, environment: environment)
        #expect(run.status == 0, "\(command): \(run.stderr)")
        online.append(run.stdout)
      }
    }
    // The emulator is gone: only the cache can answer.
    for (command, expected) in zip(commands, online) {
      let run = try await TackRun.run(command + ["--offline"], home: home, environment: environment)
      #expect(run.status == 0, "\(command): \(run.stderr)")
      #expect(run.stdout == expected, "\(command)")
    }
    let other = try await TackRun.run(
      ["tasks", "--list", "no such list", "--offline"], home: home, environment: environment)
    #expect(other.status == 2)
  }

  @Test func theCacheIsPrivateAndHoldsNoToken() async throws {
    let home = try TackRun.makeHome("offline-modes")
    defer { TackRun.remove(home) }
    try await withEmulator { emulator in
      let run = try await TackRun.run(["lists"], home: home, environment: TackRun.graph(emulator))
      #expect(run.status == 0, "\(run.stderr)")
    }
    let file = try #require(Self.cacheFiles(home).first)
    let path = Self.cacheDirectory(home) + "/" + file
    #expect(try Self.mode(Self.cacheDirectory(home)) == 0o700)
    #expect(try Self.mode(path) == 0o600)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(bytes.range(of: Data(EmulatorFixture.token.utf8)) == nil)
  }

  @Test func aTruncatedCacheIsIgnoredAndRebuilt() async throws {
    let home = try TackRun.makeHome("offline-truncated")
    defer { TackRun.remove(home) }
    try await withEmulator { emulator in
      let environment = TackRun.graph(emulator)
      let first = try await TackRun.run(["lists"], home: home, environment: environment)
      #expect(first.status == 0, "\(first.stderr)")
      let path = Self.cacheDirectory(home) + "/" + (try #require(Self.cacheFiles(home).first))
      let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
      #expect(truncate(path, off_t(size / 3)) == 0)

      let damaged = try await TackRun.run(
        ["lists", "--offline"], home: home, environment: environment)
      #expect(damaged.status == 4, "a damaged cache answers as none: \(damaged.stderr)")
      #expect(FileManager.default.fileExists(atPath: path + ".corrupt"))

      let online = try await TackRun.run(["lists"], home: home, environment: environment)
      #expect(online.status == 0, "\(online.stderr)")
      let offline = try await TackRun.run(
        ["lists", "--offline"], home: home, environment: environment)
      #expect(offline.status == 0, "\(offline.stderr)")
      #expect(offline.stdout == online.stdout)
    }
  }
}
