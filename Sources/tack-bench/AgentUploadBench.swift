import Foundation
import GraphEmulator
import GraphModels

/// `tack-bench upload --agent`: whole `tack upload` processes against the emulator, through
/// the upload agent and in-process (`--no-agent`), interleaved, beside the curl loop; and the
/// agent's own peak RSS over all its uploads.
enum AgentUploadBench {
  static func run(runs: Int) async throws -> Int32 {
    let directory = NSTemporaryDirectory() + "tack-bench-agent-" + UUID().uuidString.prefix(8)
    let runtime = directory + "/run"
    try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: runtime)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/data25.bin"
    try UploadBench.randomFile(file, size: UploadBench.size)
    let chunkFiles = try UploadBench.split(
      file, chunk: Int(UploadLimits.defaultChunkSize), into: directory)

    let (emulator, list, task, taskURL) = try await UploadBench.emulatorWithATask()
    defer { Task { await emulator.stop() } }
    let tack = TUIBench.productsDirectory() + "/tack"
    let environment = [
      "HOME": directory, "XDG_STATE_HOME": directory + "/state",
      "XDG_CONFIG_HOME": directory + "/config", "XDG_CACHE_HOME": directory + "/cache",
      "XDG_RUNTIME_DIR": runtime, "TACK_GRAPH_URL": emulator.graphBaseURL,
      "TACK_ACCESS_TOKEN": UploadBench.token, "PATH": "/usr/bin:/bin",
    ]
    let agent = try startAgent(tack, environment: environment)
    defer { _ = try? timed([tack, "agent", "stop"], environment: environment) }
    print("tack-bench upload --agent: \(UploadBench.size) bytes, whole `tack upload` processes")
    let upload = [tack, "upload", "--list", list.id, "--task", task.id, file]
    var viaAgent: [Double] = []
    var inProcess: [Double] = []
    var curl: [Double] = []
    for index in 0..<runs {
      viaAgent.append(try timed(upload, environment: environment))
      inProcess.append(try timed(upload + ["--no-agent"], environment: environment))
      curl.append(
        try UploadBench.curlLoop(
          taskURL: taskURL, chunkFiles: chunkFiles, chunk: Int(UploadLimits.defaultChunkSize)))
      print(
        String(
          format: "  run %d: through the agent %.3f s   in-process %.3f s   curl loop %.3f s",
          index + 1, viaAgent[index], inProcess[index], curl[index]))
    }
    let agentPeak = UploadBench.peakRSSKilobytes(pid: "\(agent)")
    report(viaAgent: viaAgent, inProcess: inProcess, curl: curl, agentPeakKB: agentPeak)
    return 0
  }

  static func report(viaAgent: [Double], inProcess: [Double], curl: [Double], agentPeakKB: Int) {
    let (agent, local, loop) = (
      UploadBench.median(viaAgent), UploadBench.median(inProcess), UploadBench.median(curl)
    )
    print(
      String(format: "through the agent  median %.3f s, ratio to curl %.2f", agent, agent / loop))
    print(
      String(format: "in-process         median %.3f s, ratio to curl %.2f", local, local / loop))
    print(String(format: "curl loop          median %.3f s", loop))
    print(
      String(
        format: "agent peak RSS (VmHWM) over all its uploads: %.1f MB (goal ≤ 40 MB)",
        Double(agentPeakKB) / 1024))
  }

  /// `tack agent`, detached as a user starts it (not a child of this process, whose waits
  /// would otherwise slow every later `Process`); its pid from the line it prints.
  static func startAgent(_ tack: String, environment: [String: String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tack)
    process.arguments = ["agent"]
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard let range = text.range(of: #"pid \d+"#, options: .regularExpression),
      let pid = Int32(text[range].dropFirst(4))
    else { throw BenchError("the agent did not start: \(text)") }
    return pid
  }

  /// Wall time of one whole process; a non-zero exit is an error.
  static func timed(_ command: [String], environment: [String: String]) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    let errors = Pipe()
    process.standardError = errors
    let started = ContinuousClock.now
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw BenchError(
        "\(command.joined(separator: " ")) exited \(process.terminationStatus): "
          + String(decoding: stderr, as: UTF8.self))
    }
    return UploadBench.seconds(ContinuousClock.now - started)
  }
}
