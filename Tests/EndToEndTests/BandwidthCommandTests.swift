import Foundation
import GraphEmulator
import TestSupport
import Testing

/// `--bwlimit` and the config file's `bwlimit`, through the `tack` binary.
@Suite struct BandwidthCommandTests {
  static func upload(_ home: String, rate: String?, environment: [String: String] = [:])
    async throws -> TackRun
  {
    let file = home + "/small.bin"
    try Data(EmulatorFixture.bytes(100_000)).write(to: URL(fileURLWithPath: file))
    var arguments = ["upload", "--list", "Tasks", "--task", "any"]
    if let rate { arguments += ["--bwlimit", rate] }
    return try await TackRun.run(arguments + [file], home: home, environment: environment)
  }

  @Test(arguments: ["fast", "2X", "0.5k", "500", "1.2.3M"])
  func aBadRateIsAOneLineUsageErrorBeforeAnyRequest(_ rate: String) async throws {
    let home = try TackRun.makeHome("bwlimit")
    defer { TackRun.remove(home) }
    // Nothing listens here: reaching the network would be another error.
    let run = try await Self.upload(
      home, rate: rate,
      environment: ["TACK_GRAPH_URL": "http://127.0.0.1:9/v1.0", "TACK_ACCESS_TOKEN": "t"])
    #expect(run.status == 2)
    let lines = run.stderr.split(separator: "\n")
    #expect(lines.count == 1, "\(run.stderr)")
    #expect(run.stderr.contains("--bwlimit") && run.stderr.contains("500k"), "\(run.stderr)")
  }

  @Test func aBadRateInTheConfigFileNamesTheFile() async throws {
    let home = try TackRun.makeHome("bwconfig")
    defer { TackRun.remove(home) }
    try FileManager.default.createDirectory(
      atPath: home + "/config/tack", withIntermediateDirectories: true)
    try Data(#"{"bwlimit": "lots"}"#.utf8).write(
      to: URL(fileURLWithPath: home + "/config/tack/config.json"))
    let run = try await Self.upload(
      home, rate: nil,
      environment: ["TACK_GRAPH_URL": "http://127.0.0.1:9/v1.0", "TACK_ACCESS_TOKEN": "t"])
    #expect(run.status == 2)
    #expect(run.stderr.contains("config.json") && run.stderr.contains("lots"), "\(run.stderr)")
  }

  @Test func aCappedUploadAttachesTheFile() async throws {
    let home = try TackRun.makeHome("bwok")
    defer { TackRun.remove(home) }
    try await withEmulator { emulator in
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let file = home + "/capped.bin"
      let bytes = EmulatorFixture.bytes(100_000)
      try Data(bytes).write(to: URL(fileURLWithPath: file))
      let run = try await TackRun.run(
        ["upload", "--list", ids.list, "--task", ids.task, "--bwlimit", "2M", file],
        home: home, environment: TackRun.graph(emulator))
      #expect(run.status == 0, "\(run.stderr)")
      let attachments = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      #expect(attachments.contains { $0.name == "capped.bin" && $0.size == 100_000 })
    }
  }
}
