import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import TestSupport
import UploadEngine

/// Runs one case against a fresh in-process emulator (so a case replays alone from its seed).
struct FuzzRunner: Sendable {
  let fuzzCase: FuzzCase
  /// A directory of this case's own (files to upload, downloads, journal).
  let directory: String

  /// The case's result and the damage done, as the report shows it.
  func run() async -> (result: CaseResult, applied: [String]) {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    options.rangeForm = fuzzCase.rangeForm
    options.locationForm = fuzzCase.locationForm
    options.intermediateKeys = fuzzCase.keys
    let emulator: InProcessEmulator
    do {
      emulator = try InProcessEmulator(options, authority: "127.0.0.1")
    } catch {
      return (CaseResult(outcome: "setup", problem: "emulator did not start: \(error)"), [])
    }
    let transport = MutatingTransport(inner: InProcessTransport(emulator), plan: fuzzCase.plan)
    let clock = InstantClock()
    let session: GraphSession
    do {
      session = try GraphSession(
        baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: EmulatorFixture.token),
        transport: transport, pageSize: 3, clock: clock, random: { 0.5 })
    } catch {
      return (CaseResult(outcome: "setup", problem: "session: \(error)"), [])
    }
    var result: CaseResult
    if fuzzCase.scenario.isUpload {
      result = await runUpload(emulator, session)
    } else {
      result = await runSession(emulator, session)
    }
    if clock.longestSleep > .seconds(300) {
      result.note = "GraphSession waited \(clock.longestSleep)"
    }
    return (result, transport.applied)
  }

  // MARK: GraphSession calls

  private func runSession(_ emulator: InProcessEmulator, _ session: GraphSession) async
    -> CaseResult
  {
    guard let ids = await Self.attachmentIDs(emulator) else {
      return CaseResult(outcome: "setup", problem: "the seed has no task with an attachment")
    }
    do {
      let summary: String
      switch fuzzCase.scenario {
      case .lists: summary = "\(try await session.lists().all().count) lists"
      case .rawLists: summary = "\(try await session.rawLists().all().count) lists"
      case .tasksPaged: summary = "\(try await session.tasks(listID: ids.list).all().count) tasks"
      case .attachments:
        let all = try await session.attachments(listID: ids.list, taskID: ids.task).all()
        summary = "\(all.count) attachments"
      case .attachmentsOnce:
        let all = try await session.singleAttemptAttachments(
          listID: ids.list, taskID: ids.task, gate: nil
        ).all()
        summary = "\(all.count) attachments"
      case .task:
        summary = "task \(try await session.task(listID: ids.list, taskID: ids.task).id)"
      case .attachment:
        let attachment = try await session.attachment(
          listID: ids.list, taskID: ids.task, attachmentID: ids.attachment)
        summary = "attachment of \(attachment.size) bytes"
      case .download:
        let data = try await session.downloadAttachment(
          listID: ids.list, taskID: ids.task, attachmentID: ids.attachment)
        summary = "downloaded \(data.count) bytes"
      case .deleteAttachment:
        try await session.deleteAttachment(
          listID: ids.list, taskID: ids.task, attachmentID: ids.attachment)
        summary = "deleted"
      case .upload, .uploadOneChunk, .emptyUpload:
        summary = "not a session scenario"
      }
      return CaseResult(outcome: "ok: \(summary)")
    } catch let error as GraphError {
      let text = error.description
      return CaseResult(outcome: "error: \(Clarity.shown(text))", problem: Clarity.problem(text))
    } catch let error as PageAttemptError where fuzzCase.scenario == .attachmentsOnce {
      // The typed stop of a single-attempt listing; the engine turns it into its own reason.
      return CaseResult(
        outcome: "stopped: \(Clarity.shown(String(describing: error).prefix(80) + ""))")
    } catch {
      return CaseResult(
        outcome: "error: \(Clarity.shown(String(describing: error)))",
        problem: "untyped error \(type(of: error))")
    }
  }

  /// The first seeded task that has an attachment (list, task, attachment ids).
  static func attachmentIDs(_ emulator: InProcessEmulator) async -> (
    list: String, task: String, attachment: String
  )? {
    for list in await emulator.store.lists() {
      for task in await emulator.store.tasks(listID: list.id) ?? [] {
        if let attachment = await emulator.store.attachments(listID: list.id, taskID: task.id)?
          .first
        {
          return (list.id, task.id, attachment.id)
        }
      }
    }
    return nil
  }

  // MARK: Uploads

  private func runUpload(_ emulator: InProcessEmulator, _ session: GraphSession) async
    -> CaseResult
  {
    guard let list = await emulator.store.lists().first(where: { $0.displayName == "Tasks" }),
      let task = await emulator.store.tasks(listID: list.id)?.first
    else { return CaseResult(outcome: "setup", problem: "the seed has no Tasks list") }
    let bytes = EmulatorFixture.bytes(fuzzCase.fileSize, seed: UInt64(fuzzCase.index + 1))
    let path = directory + "/fuzz.bin"
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path))
    } catch {
      return CaseResult(outcome: "setup", problem: "cannot write \(path)")
    }
    let clock = FastUploadClock()
    let coordinator = UploadCoordinator(
      graph: session, journal: UploadJournal(directory: directory + "/journal"),
      configuration: Self.configuration(chunk: Int64(fuzzCase.chunkSize)), clock: clock)
    let id: UploadID
    do {
      id = try await coordinator.upload(
        path: path, to: UploadTarget(listID: list.id, taskID: task.id),
        chunkSize: Int64(fuzzCase.chunkSize))
    } catch {
      return CaseResult(outcome: "refused", problem: "upload refused: \(error)")
    }
    let outcome = await coordinator.waitUntilSettled()[id]
    await coordinator.finishEvents()
    var result = Self.judge(outcome)
    if !clock.untakeable.isEmpty {
      result.problem =
        "the engine asked to sleep \(clock.untakeable[0]) s (SystemUploadClock traps)"
    } else if clock.longestSleep > 300 {
      result.note = "the engine waited \(clock.longestSleep) s"
    }
    if case .completed = outcome {
      let held = await emulator.store.attachments(listID: list.id, taskID: task.id) ?? []
      var exact = 0
      for attachment in held where attachment.name == "fuzz.bin" {
        let stored = await emulator.store.attachmentBytes(
          listID: list.id, taskID: task.id, attachmentID: attachment.id)
        if stored == bytes { exact += 1 }
      }
      if exact != 1 {
        result.note = "completed, but the emulator holds \(exact) exact copies of the file"
      }
    }
    return result
  }

  private static func judge(_ outcome: UploadOutcome?) -> CaseResult {
    switch outcome {
    case .completed(let attachmentID):
      if attachmentID.isEmpty {
        return CaseResult(outcome: "ok: completed", problem: "completed with an empty id")
      }
      return CaseResult(outcome: "ok: completed as \(Clarity.shown(attachmentID))")
    case .failed(let reason, let authentication):
      return CaseResult(
        outcome: "failed\(authentication ? " (auth)" : ""): \(Clarity.shown(reason))",
        problem: Clarity.problem(reason))
    case .paused: return CaseResult(outcome: "paused", problem: "paused without a command")
    case .cancelled: return CaseResult(outcome: "cancelled", problem: "cancelled without a command")
    case .skipped(let reason):
      return CaseResult(
        outcome: "skipped: \(Clarity.shown(reason))", problem: "skipped without a rival")
    case nil: return CaseResult(outcome: "no outcome", problem: "settled without an outcome")
    }
  }

  /// Small chunks and tiny delays, so damaged answers cost milliseconds.
  static func configuration(chunk: Int64) -> UploadCoordinatorConfiguration {
    UploadCoordinatorConfiguration(
      maxConcurrentUploads: 1, chunkSize: chunk,
      machine: UploadStateMachine.Configuration(
        retryPolicy: RetryPolicy(maxRetries: 6, baseDelay: 0.001, maxDelay: 0.01),
        sessionNotFoundRetries: 2, sessionNotFoundDelay: 0.001, maxSessionRecreations: 3,
        stallTimeout: 5, expiryMargin: 0.3, random: { 0.5 }),
      progressInterval: 0.01, deleteTimeout: .seconds(2), putTimeout: .seconds(10))
  }
}
