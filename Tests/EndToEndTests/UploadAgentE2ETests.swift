import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `tack upload` through the per-user agent: byte-exact, survives the agent's SIGKILL, refuses
/// another user, stops on `tack agent stop`. Each test has its own XDG_RUNTIME_DIR and stops
/// its agent.
@Suite(.serialized) struct UploadAgentE2ETests {
  typealias E2E = UploadE2ETests

  /// A private state and runtime directory, and the agent that may run in it.
  struct AgentHome {
    let root: String
    var state: String { root + "/state" }
    var runtime: String { root + "/run" }
    var agentDirectory: String { runtime + "/tack" }

    init() throws {
      root = try E2E.makeDirectory()
      try FileManager.default.createDirectory(
        atPath: root + "/run", withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    }

    func environment(_ emulator: GraphEmulator) -> [String: String] {
      var environment = E2E.environment(emulator, state: state)
      environment["TACK_NO_AGENT"] = ""
      environment["XDG_RUNTIME_DIR"] = runtime
      environment["TACK_AGENT_IDLE_S"] = "600"  // tearDown stops it
      return environment
    }

    /// The pid written into the agent's lock, when that process is alive.
    func agentPID() -> Int32? {
      guard let text = try? String(contentsOfFile: agentDirectory + "/agent.lock", encoding: .utf8),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
        kill(pid, 0) == 0
      else { return nil }
      return pid
    }

    func run(_ arguments: [String], _ emulator: GraphEmulator) async throws -> E2E.Run {
      let child = ChildProcess(TackBinary.url, arguments, environment: environment(emulator))
      try child.start()
      let lines = await firstOrDeadline(.seconds(120)) { [lines = child.lines] in
        var collected: [String] = []
        for await line in lines { collected.append(line) }
        return collected
      }
      let status = await child.waitForExit(timeout: .seconds(30))
      if status == nil { child.signal(SIGKILL) }
      return E2E.Run(lines: lines ?? [], status: status, standardError: child.standardError())
    }

    /// Stops the agent (`tack agent stop`, then SIGKILL if it is still there) and removes the
    /// directories.
    func tearDown(_ emulator: GraphEmulator) async {
      _ = try? await run(["agent", "stop"], emulator)
      if let pid = agentPID() { kill(pid, SIGKILL) }
      try? FileManager.default.removeItem(atPath: root)
    }
  }

  static func arguments(_ ids: (list: String, task: String), file: String) -> [String] {
    [
      "upload", "--list", ids.list, "--task", ids.task, "--chunk-size", String(E2E.chunk), "--json",
      file,
    ]
  }

  @Test func uploadThroughTheAgentIsByteExactAndAgentStopEndsIt() async throws {
    try await withEmulator { emulator in
      let home = try AgentHome()
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let bytes = EmulatorFixture.bytes(1_000_000, seed: 31)
      let file = home.root + "/agent upload.bin"
      try Data(bytes).write(to: URL(fileURLWithPath: file))

      let run = try await home.run(Self.arguments(ids, file: file), emulator)
      #expect(run.status == 0, "stderr: \(run.standardError)")
      #expect(!run.standardError.contains("uploading in this process"))
      let events = E2E.events(run.lines)
      let completed = try #require(events.first { $0["event"] as? String == "completed" })
      #expect(completed["file"] as? String == file)
      let attachments = await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? []
      let attached = attachments.filter { $0.name == "agent upload.bin" }
      #expect(attached.count == 1)
      #expect(completed["attachment_id"] as? String == attached.first?.id)
      let stored = await emulator.store.attachmentBytes(
        listID: ids.list, taskID: ids.task, attachmentID: attached.first?.id ?? "")
      #expect(stored == bytes)

      // The upload ran in the agent, which is still there (it exits after a quiet spell).
      let pid = try #require(home.agentPID(), "no agent is running")
      let status = try await home.run(["agent", "status", "--json"], emulator)
      #expect(status.lines.joined().contains("\"pid\":\(pid)"), "\(status.lines)")
      #expect(status.lines.joined().contains("\"bytes_per_second\":null"), "\(status.lines)")
      // A cap a client sets is the agent's, and its status says so (the TUI shows it on attach).
      let capped = try await home.run(
        Self.arguments(ids, file: file) + ["--bwlimit", "5M"], emulator)
      #expect(capped.status == 0, "stderr: \(capped.standardError)")
      let limited = try await home.run(["agent", "status", "--json"], emulator)
      #expect(
        limited.lines.joined().contains("\"bytes_per_second\":5000000"), "\(limited.lines)")

      let stop = try await home.run(["agent", "stop"], emulator)
      #expect(stop.status == 0, "stderr: \(stop.standardError)")
      #expect(stop.standardError.contains("stopped"))
      let after = try await home.run(["agent", "status", "--json"], emulator)
      #expect(after.lines.joined().contains("\"running\":false"), "\(after.lines)")
      await home.tearDown(emulator)
    }
  }

  @Test func killedAgentIsReplacedByTheNextListingWhichResumesAtTheServersOffset() async throws {
    try await withEmulator({
      $0.faults = try FaultPlan(specs: ["put#*=bandwidth:bps=1500000"])
    }) { emulator in
      let home = try AgentHome()
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      let bytes = EmulatorFixture.bytes(E2E.size, seed: 41)
      let file = home.root + "/survivor.bin"
      try Data(bytes).write(to: URL(fileURLWithPath: file))

      let child = ChildProcess(
        TackBinary.url, Self.arguments(ids, file: file), environment: home.environment(emulator))
      try child.start()
      for ordinal in 1...2 {
        let line = await child.waitForLine(timeout: .seconds(60)) {
          $0.contains("\"event\":\"chunk_sent\"")
        }
        if line == nil { child.signal(SIGKILL) }
        try #require(line != nil, "no chunk_sent #\(ordinal)")
      }
      let first = try #require(home.agentPID(), "no agent is running")
      kill(first, SIGKILL)
      // The client loses its agent: it says so and fails; the journal keeps the upload.
      #expect(await child.waitForExit(timeout: .seconds(30)) == 1)
      #expect(child.standardError().contains("the upload agent went away"))
      let entries = E2E.journal(home.state)
      try #require(entries.count == 1)
      let journaled = (entries.first?["acknowledgedOffset"] as? Int) ?? -1
      #expect(journaled >= 2 * E2E.chunk)

      let requestsBefore = await emulator.store.requestLog().count
      let listing = try await home.run(["uploads", "--json", "--follow"], emulator)
      #expect(listing.status == 0, "stderr: \(listing.standardError)")
      let second = home.agentPID()
      #expect(second != nil && second != first)
      // The new agent asked the server where it stopped and sent only what followed: every PUT
      // after the kill starts at or after the journaled offset, in the same session.
      let afterKill = await emulator.store.requestLog().dropFirst(requestsBefore)
      #expect(
        !afterKill.contains { $0.method == "POST" && $0.path.hasSuffix("createUploadSession") })
      let putStarts = afterKill.filter { $0.method == "PUT" }.compactMap { request in
        request.contentRange.flatMap { Int($0.dropFirst(6).split(separator: "-").first ?? "") }
      }
      #expect(!putStarts.isEmpty)
      #expect(putStarts.allSatisfy { $0 >= journaled }, "\(putStarts)")

      let attached = (await emulator.store.attachments(listID: ids.list, taskID: ids.task) ?? [])
        .filter { $0.name == "survivor.bin" }
      #expect(attached.count == 1)
      let stored = await emulator.store.attachmentBytes(
        listID: ids.list, taskID: ids.task, attachmentID: attached.first?.id ?? "")
      #expect(stored == bytes)
      #expect(E2E.journal(home.state).isEmpty)
      await home.tearDown(emulator)
    }
  }
}

/// The agent refuses another user: the directory keeps them out, and if it is opened up, the
/// peer-credential check still refuses them and logs it.
@Suite(.serialized) struct UploadAgentPeerTests {
  typealias Home = UploadAgentE2ETests.AgentHome

  /// Connects to `socket` as `nobody` and prints what the agent answers to a hello, or the
  /// error's name.
  static let client = """
    import socket, sys
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(sys.argv[1])
    except OSError as error:
        print("error", error.errno)
        sys.exit(0)
    try:
        s.sendall(b'{"type":"hello","hello":{"protocol":1,"graph_url":"x"}}\\n')
    except OSError:
        pass  # the agent may refuse and close before reading our hello
    print(s.makefile().readline().strip() or "closed")
    """

  static func asNobody(_ socket: String) async throws -> String {
    let child = ChildProcess(
      URL(fileURLWithPath: "/usr/bin/setpriv"),
      [
        "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", client,
        socket,
      ])
    try child.start()
    let line = await child.waitForLine(timeout: .seconds(30)) { _ in true }
    _ = await child.waitForExit(timeout: .seconds(30))
    return line ?? ""
  }

  @Test(
    .enabled(
      if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"),
      "needs root, setpriv and python3 to connect as nobody"))
  func connectionFromAnotherUserIsRefusedAndLogged() async throws {
    try await withEmulator { emulator in
      let home = try Home()
      let start = try await home.run(["agent"], emulator)
      #expect(start.status == 0, "stderr: \(start.standardError)")
      let socket = home.agentDirectory + "/agent.sock"
      // The 0700 directory keeps other users from reaching the socket at all.
      #expect(try await Self.asNobody(socket) == "error \(EACCES)")
      // Opened up by mistake, the agent itself still refuses them.
      chmod(home.root, 0o755)
      chmod(home.runtime, 0o711)
      chmod(home.agentDirectory, 0o711)
      chmod(socket, 0o666)
      let answer = try await Self.asNobody(socket)
      #expect(answer.contains("\"type\":\"refused\""), "\(answer)")
      #expect(answer.contains("serves uid 0 only"), "\(answer)")
      let log = (try? String(contentsOfFile: home.state + "/tack/tack.log", encoding: .utf8)) ?? ""
      #expect(log.contains("refused a connection from another user"))
      // The agent goes on serving its own user.
      let status = try await home.run(["agent", "status", "--json"], emulator)
      #expect(status.lines.joined().contains("\"running\":true"), "\(status.lines)")
      await home.tearDown(emulator)
    }
  }
}
