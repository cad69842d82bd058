import Foundation
import GraphEmulator

/// What a case drives through the damaged transport.
enum Scenario: String, CaseIterable, Sendable {
  case lists
  case rawLists
  case tasksPaged
  case attachments
  case attachmentsOnce
  case task
  case attachment
  case download
  case deleteAttachment
  /// A whole upload of two or three chunks through `UploadCoordinator`.
  case upload
  case uploadOneChunk
  case emptyUpload

  /// Answers the scenario gets when nothing goes wrong (the damaged one is picked among these).
  func expectedAnswers(chunks: Int) -> Int {
    switch self {
    case .lists, .rawLists: return 3  // 8 lists, 3 a page
    case .tasksPaged: return 2  // 5 tasks, 3 a page
    case .upload, .uploadOneChunk: return 1 + chunks
    case .emptyUpload, .attachments, .attachmentsOnce, .task, .attachment, .download,
      .deleteAttachment:
      return 1
    }
  }

  var isUpload: Bool { self == .upload || self == .uploadOneChunk || self == .emptyUpload }

  /// Uploads are half the cases: the engine has the most decisions to get wrong.
  static let weighted: [Scenario] =
    [
      .lists, .rawLists, .tasksPaged, .attachments, .attachmentsOnce, .task, .attachment, .download,
      .deleteAttachment,
    ] + Array(repeating: .upload, count: 7) + [.uploadOneChunk, .emptyUpload]
}

/// One reproducible case: everything it does follows from the run's seed and its index.
struct FuzzCase: Sendable, CustomStringConvertible {
  var index: Int
  var scenario: Scenario
  var plan: MutationPlan
  /// Bytes per chunk and chunks of the file (uploads only).
  var chunkSize: Int
  var chunks: Int
  var fileSize: Int
  var rangeForm: EmulatorOptions.RangeForm
  var locationForm: EmulatorOptions.LocationForm
  var keys: EmulatorOptions.KeyCase

  init(seed: UInt64, index: Int) {
    var rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
    self.index = index
    scenario = rng.pick(Scenario.weighted)
    chunkSize = rng.pick([512, 1000, 4096])
    switch scenario {
    case .upload:
      chunks = Int.random(in: 2...3, using: &rng)
      fileSize = chunkSize * (chunks - 1) + Int.random(in: 1...chunkSize, using: &rng)
    case .uploadOneChunk:
      chunks = 1
      fileSize = Int.random(in: 1...chunkSize, using: &rng)
    default:
      chunks = 0
      fileSize = 0
    }
    let expected = scenario.expectedAnswers(chunks: chunks)
    plan = MutationPlan(
      kind: rng.pick(MutationKind.allCases), first: Int.random(in: 0..<expected, using: &rng),
      persistent: rng.chance(12), seed: rng.next())
    rangeForm = rng.pick(EmulatorOptions.RangeForm.allCases)
    locationForm = rng.pick(EmulatorOptions.LocationForm.allCases)
    keys = rng.pick(EmulatorOptions.KeyCase.allCases)
  }

  var description: String {
    var text = scenario.rawValue
    if scenario.isUpload {
      text += " (\(fileSize) bytes, \(chunkSize)-byte chunks)"
    }
    return text + ", " + plan.description
  }
}

/// How a case ended.
struct CaseResult: Sendable {
  /// `ok: …` or `error: …`, for the report line.
  var outcome: String
  /// Why the case fails the test (unclear error, untyped error, wrong end state).
  var problem: String?
  /// Something worth a look that the fuzzer does not fail on.
  var note: String?
}

/// The rule every failure message must meet.
enum Clarity {
  /// Why `text` is not a clear one-line message, or nil when it is.
  static func problem(_ text: String) -> String? {
    if text.trimmingCharacters(in: .whitespaces).isEmpty { return "empty message" }
    if let bad = text.unicodeScalars.first(where: isControl) {
      return "control character U+\(String(format: "%04X", bad.value)) in the message"
    }
    return nil
  }

  static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
      || scalar.value == 0x2029
  }

  /// A message as shown in a report line: controls escaped, long ones shortened.
  static func shown(_ text: String) -> String { OddValues.label(text) }
}
