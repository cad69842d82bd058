import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import UploadEngine

/// `tack-bench upload`: Tack's upload engine against a loop of `curl` PUTs, same emulator, same
/// file, same chunks. Tack runs in a child process so its peak RSS is its own (the emulator in
/// this process keeps every uploaded byte).
enum UploadBench {
  static let size = 25_000_000
  static let token = "bench-token"

  struct TackRun {
    var seconds: Double
    var processSeconds: Double
    var peakKB: Int
    var hashSeconds: Double
  }

  static func run(_ arguments: [String]) async -> Int32 {
    if arguments.first == "--child" { return await child(Array(arguments.dropFirst())) }
    var runs = 5
    if let index = arguments.firstIndex(of: "--runs"), index + 1 < arguments.count,
      let value = Int(arguments[index + 1]), value > 0
    {
      runs = value
    }
    do {
      if arguments.contains("--agent") { return try await AgentUploadBench.run(runs: runs) }
      return try await parent(runs: runs)
    } catch {
      FileHandle.standardError.write(Data("tack-bench upload: \(error)\n".utf8))
      return 1
    }
  }

  // MARK: Parent: emulator, curl loop, report

  static func parent(runs: Int) async throws -> Int32 {
    let directory = NSTemporaryDirectory() + "tack-bench-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/data25.bin"
    try randomFile(file, size: size)
    let chunk = Int(UploadLimits.defaultChunkSize)
    let chunkFiles = try split(file, chunk: chunk, into: directory)

    let (emulator, list, task, taskURL) = try await emulatorWithATask()
    defer { Task { await emulator.stop() } }

    print(
      "tack-bench upload: \(size) bytes in \(chunkFiles.count) PUTs of ≤ \(chunk) bytes, loopback emulator"
    )
    var tackRuns: [TackRun] = []
    var curlRuns: [Double] = []
    for index in 0..<runs {
      // Interleaved so that machine load affects both alike.
      let tack = try runTackChild(
        emulator.graphBaseURL, list: list.id, task: task.id, file: file,
        journal: directory + "/journal-\(index)")
      let curl = try curlLoop(taskURL: taskURL, chunkFiles: chunkFiles, chunk: chunk)
      tackRuns.append(tack)
      curlRuns.append(curl)
      print(
        String(
          format:
            "  run %d: tack %.3f s (process %.3f s, hash %.3f s, peak RSS %.1f MB)   curl loop %.3f s",
          index + 1, tack.seconds, tack.processSeconds, tack.hashSeconds,
          Double(tack.peakKB) / 1024, curl))
    }
    let attachments = await emulator.store.attachments(listID: list.id, taskID: task.id) ?? []
    let complete = attachments.filter { $0.size == Int64(size) }.count
    guard complete == 2 * runs else {
      throw BenchError("expected \(2 * runs) attachments of \(size) bytes, found \(complete)")
    }
    let tackMedian = median(tackRuns.map(\.seconds))
    let processMedian = median(tackRuns.map(\.processSeconds))
    let curlMedian = median(curlRuns)
    let peak = tackRuns.map(\.peakKB).max() ?? 0
    print(String(format: "tack (engine, incl. SHA-256 and journal)  median %.3f s", tackMedian))
    print(String(format: "tack (whole process)                      median %.3f s", processMedian))
    print(String(format: "curl loop (create + PUTs, one process each) median %.3f s", curlMedian))
    print(
      String(
        format: "ratio tack/curl: %.2f (goal ≤ 1.10); whole process: %.2f", tackMedian / curlMedian,
        processMedian / curlMedian))
    print(String(format: "tack peak RSS (VmHWM): %.1f MB (goal ≤ 40 MB)", Double(peak) / 1024))
    return 0
  }

  /// The small-seed emulator on loopback, its "Tasks" list, that list's first task and the
  /// task's URL (what every upload bench attaches to).
  static func emulatorWithATask() async throws -> (
    GraphEmulator, list: TodoTaskList, task: TodoTask, taskURL: String
  ) {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = token
    let emulator = try await GraphEmulator.start(options)
    guard let list = await emulator.store.lists().first(where: { $0.displayName == "Tasks" }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else {
      await emulator.stop()
      throw BenchError("the emulator has no task to attach to")
    }
    let taskURL =
      "\(emulator.graphBaseURL)/me/todo/lists/\(escape(list.id))/tasks/\(escape(task.id))"
    return (emulator, list, task, taskURL)
  }

  /// Runs Tack's engine in a child copy of this executable and reads its report.
  static func runTackChild(
    _ graphURL: String, list: String, task: String, file: String, journal: String
  ) throws -> TackRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = ["upload", "--child", graphURL, list, task, file, journal]
    let output = Pipe()
    process.standardOutput = output
    let started = ContinuousClock.now
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let processSeconds = seconds(ContinuousClock.now - started)
    guard process.terminationStatus == 0,
      let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let elapsed = report["seconds"] as? Double, let peak = report["peak_kb"] as? Int,
      let hash = report["hash_seconds"] as? Double
    else {
      throw BenchError("the tack child failed: \(String(decoding: data, as: UTF8.self))")
    }
    return TackRun(
      seconds: elapsed, processSeconds: processSeconds, peakKB: peak, hashSeconds: hash)
  }

  /// createUploadSession and every PUT, each by its own `curl` process, as a script would.
  static func curlLoop(taskURL: String, chunkFiles: [String], chunk: Int) throws -> Double {
    let started = ContinuousClock.now
    let body = #"{"attachmentInfo":{"attachmentType":"file","name":"curl.bin","size":\#(size)}}"#
    let created = try curl([
      "-sS", "-X", "POST", "-H", "Authorization: Bearer \(token)", "-H",
      "Content-Type: application/json", "--data-binary", body,
      taskURL + "/attachments/createUploadSession",
    ])
    guard let session = try? JSONSerialization.jsonObject(with: created) as? [String: Any],
      let uploadURL = session["uploadUrl"] as? String
    else {
      throw BenchError(
        "curl could not create a session: \(String(decoding: created, as: UTF8.self))")
    }
    for (index, path) in chunkFiles.enumerated() {
      let first = index * chunk
      let last = min(first + chunk, size) - 1
      let status = try curl([
        "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", path, "-H", "Expect:", "-H",
        "Authorization: Bearer \(token)", "-H", "Content-Type: application/octet-stream", "-H",
        "Content-Range: bytes \(first)-\(last)/\(size)", uploadURL + "/content",
      ])
      let code = String(decoding: status, as: UTF8.self)
      let expected = index == chunkFiles.count - 1 ? "201" : "200"
      guard code == expected else { throw BenchError("curl PUT \(index + 1) answered \(code)") }
    }
    return seconds(ContinuousClock.now - started)
  }

  static func curl(_ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw BenchError("curl exited with \(process.terminationStatus)")
    }
    return data
  }

  // MARK: Child: one Tack upload, timed, with its own peak RSS

  static func child(_ arguments: [String]) async -> Int32 {
    guard arguments.count == 5 else { return 2 }
    let (graphURL, list, task, file, journalDirectory) =
      (arguments[0], arguments[1], arguments[2], arguments[3], arguments[4])
    let transport = LiveHTTPTransport()
    do {
      let graph = try GraphSession(
        baseURL: graphURL, tokens: StaticTokenProvider(token: token), transport: transport)
      let coordinator = UploadCoordinator(
        graph: graph, journal: UploadJournal(directory: journalDirectory))
      let drain = Task { for await _ in coordinator.events {} }
      let started = ContinuousClock.now
      let id = try await coordinator.upload(
        path: file, to: UploadTarget(listID: list, taskID: task))
      let outcome = await coordinator.waitUntilSettled()[id]
      let elapsed = seconds(ContinuousClock.now - started)
      await coordinator.finishEvents()
      await drain.value
      guard case .completed = outcome else {
        print("{\"error\":\"\(String(describing: outcome))\"}")
        await transport.shutdown()
        return 1
      }
      let hashStarted = ContinuousClock.now
      _ = try SHA256.hex(ofFileAt: file)
      let hashSeconds = seconds(ContinuousClock.now - hashStarted)
      await transport.shutdown()
      print(
        "{\"seconds\":\(elapsed),\"peak_kb\":\(peakRSSKilobytes()),\"hash_seconds\":\(hashSeconds)}"
      )
      return 0
    } catch {
      await transport.shutdown()
      print("{\"error\":\"\(error)\"}")
      return 1
    }
  }

  /// VmHWM from /proc/PID/status (this process's by default), in KiB.
  static func peakRSSKilobytes(pid: String = "self") -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
      return 0
    }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
  }

  // MARK: Helpers

  static func randomFile(_ path: String, size: Int) throws {
    var generator = SystemRandomNumberGenerator()
    var bytes = [UInt8](repeating: 0, count: size)
    bytes.withUnsafeMutableBytes { raw in
      let words = raw.bindMemory(to: UInt64.self)
      for index in words.indices { words[index] = generator.next() }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  static func split(_ path: String, chunk: Int, into directory: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var paths: [String] = []
    var offset = 0
    while offset < data.count {
      let end = min(offset + chunk, data.count)
      let piece = directory + "/chunk\(paths.count)"
      try data.subdata(in: offset..<end).write(to: URL(fileURLWithPath: piece))
      paths.append(piece)
      offset = end
    }
    return paths
  }

  static func escape(_ id: String) -> String {
    id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}

struct BenchError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
