import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import UploadEngine

/// `tack-bench bwlimit`: one 25 MB upload to the loopback emulator under a cap (default 1M):
/// the rate on the wire over 10 s, then how soon lifting the cap mid-upload shows on the wire.
enum BandwidthBench {
  static let size = 25_000_000
  /// Seconds of the upload left out before measuring (the first chunk's session and burst).
  static let warmUp = 2.0
  static let window = 10.0
  /// How often the bytes written to the socket are sampled.
  static let sampleInterval = 0.05

  struct Sample {
    var time: Double
    var sent: Int64
  }

  static func run(_ arguments: [String]) async -> Int32 {
    var capText = "1M"
    if let index = arguments.firstIndex(of: "--rate"), index + 1 < arguments.count {
      capText = arguments[index + 1]
    }
    do {
      guard let cap = try BandwidthRate.parse(capText) else {
        throw BenchError("--rate must be a cap, not 0")
      }
      return try await measure(cap: cap)
    } catch {
      FileHandle.standardError.write(Data("tack-bench bwlimit: \(error)\n".utf8))
      return 1
    }
  }

  static func measure(cap: Int) async throws -> Int32 {
    let directory = NSTemporaryDirectory() + "tack-bench-bw-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/data25.bin"
    try UploadBench.randomFile(file, size: size)
    var options = EmulatorOptions()
    options.seed = .small
    options.token = UploadBench.token
    let emulator = try await GraphEmulator.start(options)
    let transport = LiveHTTPTransport()
    defer {
      Task {
        await transport.shutdown()
        await emulator.stop()
      }
    }
    guard let list = await emulator.store.lists().first(where: { $0.displayName == "Tasks" }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else { throw BenchError("the emulator has no task to attach to") }
    let graph = try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: UploadBench.token),
      transport: transport)
    let coordinator = UploadCoordinator(
      graph: graph, journal: nil,
      configuration: UploadCoordinatorConfiguration(bandwidthLimit: cap))
    let drain = Task { for await _ in coordinator.events {} }
    print("tack-bench bwlimit: \(size) bytes, cap \(rate(Double(cap))), loopback emulator")
    let start = ContinuousClock.now
    let id = try await coordinator.upload(
      path: file, to: UploadTarget(listID: list.id, taskID: task.id))
    var samples: [Sample] = []
    let liftAt = warmUp + window
    var lifted: Double?
    while await coordinator.outcome(id) == nil {
      let now = UploadBench.seconds(ContinuousClock.now - start)
      let sent = await coordinator.summaries().first?.sent ?? 0
      samples.append(Sample(time: now, sent: sent))
      if lifted == nil, now >= liftAt {
        coordinator.setBandwidthLimit(nil)
        lifted = now
      }
      try await Task.sleep(for: .milliseconds(Int(sampleInterval * 1000)))
    }
    let total = UploadBench.seconds(ContinuousClock.now - start)
    let outcome = await coordinator.outcome(id)
    await coordinator.finishEvents()
    await drain.value
    return report(samples, cap: cap, lifted: lifted, total: total, outcome: outcome)
  }

  /// Prints the figures; 0 when the capped rate is within 10 % and the lift showed within 1 s.
  static func report(
    _ samples: [Sample], cap: Int, lifted: Double?, total: Double, outcome: UploadOutcome?
  ) -> Int32 {
    guard case .completed = outcome else {
      print("  the upload did not complete: \(String(describing: outcome))")
      return 1
    }
    guard let first = samples.first(where: { $0.time >= warmUp }),
      let last = samples.last(where: { $0.time <= warmUp + window }), last.time > first.time
    else {
      print("  the upload ended before the \(Int(window)) s window (\(total) s)")
      return 1
    }
    let capped = Double(last.sent - first.sent) / (last.time - first.time)
    print(
      String(
        format: "  capped: %@ over %.2f s (%.3f of the cap)", rate(capped),
        last.time - first.time, capped / Double(cap)))
    // The lift shows when a sampling interval carries several times what the cap allows.
    var effect: Double?
    if let lifted {
      for (previous, sample) in zip(samples, samples.dropFirst()) where sample.time > lifted {
        let moved = Double(sample.sent - previous.sent) / (sample.time - previous.time)
        if moved > 4 * Double(cap) {
          effect = sample.time - lifted
          break
        }
      }
    }
    if let lifted {
      let shown = effect.map { String(format: "%.3f s", $0) } ?? "not seen before the end"
      print(String(format: "  cap lifted at %.2f s: faster on the wire after %@", lifted, shown))
    }
    print(String(format: "  whole upload %.2f s; attached", total))
    let withinCap = abs(capped / Double(cap) - 1) <= 0.1
    let prompt = lifted == nil || (effect ?? .infinity) <= 1
    return withinCap && prompt ? 0 : 1
  }

  static func rate(_ bytesPerSecond: Double) -> String {
    String(format: "%.3f MB/s", bytesPerSecond / 1_000_000)
  }
}
