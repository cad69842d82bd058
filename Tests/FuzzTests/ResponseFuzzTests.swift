import Foundation
import Testing

/// Damaged Graph answers through `GraphSession` and the upload engine: every case ends, in
/// success or a clear one-line error, and any that does not prints the seed that replays it.
///
/// `TACK_FUZZ_SEED` (decimal or `0x…`) picks the run, `TACK_FUZZ_COUNT` the number of cases
/// (default 2,000), `TACK_FUZZ_CASE` runs one case alone.
@Suite struct ResponseFuzzTests {
  static let defaultSeed: UInt64 = 20_261_202
  static let defaultCount = 2_000
  /// Real seconds a case may take before it counts as a hang. Cases take milliseconds, but the
  /// first ones start with the whole suite and have waited ~10 s for a core on CI.
  static let caseDeadline: Duration = .seconds(60)
  static let lanes = 2

  struct Settings {
    var seed: UInt64
    var cases: [Int]

    static func fromEnvironment() -> Settings {
      let environment = ProcessInfo.processInfo.environment
      let seed = environment["TACK_FUZZ_SEED"].flatMap(parseSeed) ?? defaultSeed
      if let only = environment["TACK_FUZZ_CASE"].flatMap({ Int($0) }) {
        return Settings(seed: seed, cases: [only])
      }
      let count = environment["TACK_FUZZ_COUNT"].flatMap { Int($0) } ?? defaultCount
      return Settings(seed: seed, cases: Array(0..<max(count, 0)))
    }

    static func parseSeed(_ text: String) -> UInt64? {
      let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
      if trimmed.hasPrefix("0x") { return UInt64(trimmed.dropFirst(2), radix: 16) }
      return UInt64(trimmed)
    }
  }

  /// Totals of a run.
  struct Tally {
    var cases = 0
    var damaged = 0
    var mutations = 0
    var successes = 0
    var errors = 0
    var failures: [String] = []
    var notes: [String] = []
    var seconds: [Scenario: (count: Int, total: Double, slowest: Double)] = [:]
    /// The slowest cases, slowest first.
    var slowest: [(seconds: Double, text: String)] = []
  }

  @Test func damagedAnswersEndInSuccessOrAClearError() async throws {
    let settings = Settings.fromEnvironment()
    let root = NSTemporaryDirectory() + "tack-fuzz-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: root) }
    CrashNote.install()
    defer { CrashNote.uninstall() }
    let started = ContinuousClock.now
    var total = Tally()
    await withTaskGroup(of: [Line].self) { group in
      for lane in 0..<Self.lanes {
        let mine = settings.cases.enumerated().filter { $0.offset % Self.lanes == lane }.map(
          \.element)
        group.addTask {
          var lines: [Line] = []
          for index in mine {
            lines.append(
              await Self.runCase(seed: settings.seed, index: index, lane: lane, root: root))
          }
          return lines
        }
      }
      for await lines in group {
        for line in lines { Self.count(line, into: &total) }
      }
    }
    let elapsed = ContinuousClock.now - started
    print(
      "fuzz: seed \(settings.seed), \(total.cases) cases, \(total.mutations) answers damaged "
        + "(\(total.damaged) cases), \(total.successes) succeeded, \(total.errors) clear errors, "
        + "\(total.failures.count) failures, in \(elapsed)")
    for (scenario, time) in total.seconds.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
      print(
        "fuzz time: \(scenario.rawValue) \(time.count) cases, mean "
          + "\(Int(time.total / Double(time.count) * 1000)) ms, slowest \(Int(time.slowest * 1000)) ms"
      )
    }
    for slow in total.slowest {
      print("fuzz slow: \(Int(slow.seconds * 1000)) ms \(slow.text.prefix(400))")
    }
    for note in total.notes.prefix(20) { print("fuzz note: \(note)") }
    for failure in total.failures {
      Issue.record(Comment(rawValue: failure))
    }
    if settings.cases.count >= Self.defaultCount {
      #expect(total.mutations >= Self.defaultCount, "fewer answers damaged than cases")
    }
  }

  /// One case's report line and verdict.
  struct Line: Sendable {
    var text: String
    var result: CaseResult
    var mutations: Int
    var scenario: Scenario
    var seconds: Double = 0
  }

  static func runCase(seed: UInt64, index: Int, lane: Int, root: String) async -> Line {
    let fuzzCase = FuzzCase(seed: seed, index: index)
    let prefix = "TACK_FUZZ_SEED=\(seed) case \(index): \(fuzzCase)"
    CrashNote.set(lane: lane, prefix)
    defer { CrashNote.set(lane: lane, "") }
    let directory = root + "/\(index)"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let caseStarted = ContinuousClock.now
    let runner = FuzzRunner(fuzzCase: fuzzCase, directory: directory)
    let (stream, continuation) = AsyncStream.makeStream(
      of: (result: CaseResult, applied: [String])?.self)
    let work = Task { continuation.yield(await runner.run()) }
    let timer = Task {
      try? await Task.sleep(for: caseDeadline)
      continuation.yield(nil)
    }
    var iterator = stream.makeAsyncIterator()
    let finished = await iterator.next() ?? nil
    timer.cancel()
    continuation.finish()
    guard let finished else {
      work.cancel()
      return Line(
        text: prefix + " → no end within \(caseDeadline) (hang)",
        result: CaseResult(outcome: "hang", problem: "hang"), mutations: 0,
        scenario: fuzzCase.scenario)
    }
    let applied =
      finished.applied.isEmpty ? "" : " [" + finished.applied.joined(separator: "; ") + "]"
    var text = prefix + applied + " → " + finished.result.outcome
    if let problem = finished.result.problem { text += " — \(problem)" }
    return Line(
      text: text, result: finished.result, mutations: finished.applied.count,
      scenario: fuzzCase.scenario, seconds: (ContinuousClock.now - caseStarted).seconds)
  }

  static func count(_ line: Line, into tally: inout Tally) {
    tally.cases += 1
    tally.mutations += line.mutations
    let time = tally.seconds[line.scenario] ?? (0, 0, 0)
    tally.seconds[line.scenario] = (
      time.count + 1, time.total + line.seconds, max(time.slowest, line.seconds)
    )
    if line.mutations > 0 { tally.damaged += 1 }
    tally.slowest.append((line.seconds, line.text))
    tally.slowest.sort { $0.seconds > $1.seconds }
    if tally.slowest.count > 3 { tally.slowest.removeLast() }
    if line.result.problem != nil {
      tally.failures.append(line.text)
    } else if line.result.outcome.hasPrefix("ok") {
      tally.successes += 1
    } else {
      tally.errors += 1
    }
    if let note = line.result.note { tally.notes.append(line.text + " (note: \(note))") }
  }
}

extension Duration {
  var seconds: Double {
    let (whole, atto) = components
    return Double(whole) + Double(atto) / 1e18
  }
}
