import Foundation
import GraphClient
import GraphModels
import Synchronization

extension UploadCoordinator {
  /// What an operation needs to run away from the actor.
  struct Context: Sendable {
    var graph: GraphSession
    var clock: any UploadClock
    var file: LocalFile
    var target: UploadTarget
    var sent: SentCounter
    var lastToken: String?
    var deleteTimeout: Duration
    var putTimeout: Duration
    var limiter: RequestLimiter
    var digests: FileDigests?
    var bandwidth: BandwidthLimiter
    /// A PUT's checked body, possibly read ahead once the previous PUT's bytes were written.
    var body: Task<Result<ChunkBytes, ChangedFile>, Never>?
  }

  private func context(for record: Record) -> Context {
    Context(
      graph: graph, clock: clock, file: record.file, target: record.target, sent: record.sent,
      lastToken: record.lastToken, deleteTimeout: configuration.deleteTimeout,
      putTimeout: configuration.putTimeout, limiter: limiter, digests: record.digests,
      bandwidth: bandwidth)
  }

  /// Runs one operation (cancellable through `abortInFlight`) and returns its result.
  func run(_ id: UploadID, _ operation: UploadOperation) async -> UploadInput {
    guard let record = uploads[id] else { return .transportFailed(.cancelled) }
    if case .put = operation, let change = FileInspector.quickChange(of: record.file) {
      return .fileChanged("\(record.file.path) changed during the upload (\(change)); not attached")
    }
    record.sent.value.withLock { $0 = 0 }
    var context = context(for: record)
    if case .put(_, let range) = operation {
      context.body = body(for: range, of: id, context: context)
    }
    let task = Task { await Self.execute(operation, context: context) }
    uploads[id]?.operation = task
    var watchdog: Task<Void, Never>?
    if case .put = operation {
      let interval = max(
        0.02, min(configuration.progressInterval, configuration.machine.stallTimeout / 4))
      watchdog = Task { [clock] in
        while !Task.isCancelled {
          do { try await clock.sleep(seconds: interval) } catch { return }
          self.tick(id)
        }
      }
    }
    let completed = await task.value
    watchdog?.cancel()
    uploads[id]?.operation = nil
    if let token = completed.token { uploads[id]?.lastToken = token }
    if case .transportFailed(.bodyUnreadable) = completed.input,
      let change = FileInspector.quickChange(of: record.file)
    {
      // The file was rewritten under the PUT: its bytes can no longer be trusted.
      return .fileChanged("\(record.file.path) changed during the upload (\(change)); not attached")
    }
    return completed.input
  }

  /// Watchdog and sent-bytes progress for the PUT in flight.
  private func tick(_ id: UploadID) {
    guard let record = uploads[id], let machine = record.machine,
      case .sending(let range) = machine.state
    else { return }
    let sent = record.sent.value.withLock { $0 }
    publish(
      .progress(
        id: id, sent: range.first + sent, acknowledged: machine.acknowledgedHigh,
        size: machine.size))
    for event in throttle.due(now: clock.now()) { continuation.yield(event) }
    _ = feed(id, .tick(sentBytes: sent))
  }

  private static func execute(_ operation: UploadOperation, context: Context) async -> Completed {
    let graph = context.graph
    switch operation {
    case .wait(let seconds):
      try? await context.clock.sleep(seconds: seconds)
      return Completed(input: .timerFired, token: nil)
    case .refreshToken:
      do {
        let token = try await graph.tokens.refresh(after: context.lastToken ?? "")
        return Completed(input: .tokenRefreshed, token: token)
      } catch {
        return Completed(input: tokenFailure(error), token: nil)
      }
    case .createSession:
      let info = AttachmentInfo(
        name: context.file.name, size: context.file.size, contentType: context.file.contentType)
      let request = graph.createUploadSessionRequest(
        listID: context.target.listID, taskID: context.target.taskID, info: info)
      return await send(request, context: context)
    case .createEmptyAttachment:
      let request = graph.smallAttachmentRequest(
        listID: context.target.listID, taskID: context.target.taskID, name: context.file.name,
        contentType: context.file.contentType, contentBytes: Data())
      return await send(request, context: context)
    case .put(let url, let range):
      let body: ChunkBytes
      let checked = await context.body?.value ?? verifiedBody(range, context: context)
      switch checked {
      case .success(let bytes): body = bytes
      case .failure(let changed): return Completed(input: changed.input, token: nil)
      }
      let sent = context.sent
      var request = graph.uploadChunkRequest(
        uploadURL: url, range: range, body: body,
        timeout: context.bandwidth.deadline(for: range.length, base: context.putTimeout))
      request.pacer = context.bandwidth
      return await send(request, context: context) { bytes in sent.value.withLock { $0 = bytes } }
    case .queryStatus(let url):
      return await send(graph.uploadSessionStatusRequest(uploadURL: url), context: context)
    case .deleteSession(let url):
      let request = graph.deleteUploadSessionRequest(
        uploadURL: url, timeout: context.deleteTimeout)
      return await send(request, context: context)
    case .listAttachments:
      return await listAttachments(context: context)
    }
  }

  /// A PUT body that is not the hashed bytes.
  struct ChangedFile: Error {
    var input: UploadInput
  }

  /// The bytes of `range`, read into memory and checked against the first pass's chunk hashes;
  /// exactly these bytes are sent, so what was checked is what goes on the wire. `onRelease`
  /// runs when the transport lets go of them.
  static func verifiedBody(
    _ range: ContentRange, context: Context, onRelease: @escaping @Sendable () -> Void = {}
  ) -> Result<ChunkBytes, ChangedFile> {
    let file = context.file
    func changed(_ why: String) -> Result<ChunkBytes, ChangedFile> {
      .failure(
        ChangedFile(
          input: .fileChanged("\(file.path) changed during the upload (\(why)); not attached")))
    }
    guard let digests = context.digests else { return changed("it was never hashed") }
    do {
      guard let bytes = try digests.verifiedBytes(of: file.path, range: range, size: file.size)
      else { return changed("bytes \(range.first)-\(range.last) differ from the ones hashed") }
      return .success(ChunkBytes(bytes, onRelease: onRelease))
    } catch {
      return changed(String(describing: error))
    }
  }

  /// Every page in one attempt each; an answer other than a 200 goes to the machine as it came.
  private static func listAttachments(context: Context) async -> Completed {
    var pages = context.graph.singleAttemptAttachments(
      listID: context.target.listID, taskID: context.target.taskID, gate: context.limiter
    ).makeAsyncIterator()
    var attachments: [TaskFileAttachment] = []
    do {
      while let page = try await pages.next() { attachments += page }
    } catch let stop as PageAttemptError {
      switch stop {
      case .answered(let response):
        return Completed(input: .answered(response), token: pages.token)
      case .transport(let error):
        return Completed(
          input: .transportFailed(Task.isCancelled ? .cancelled : error), token: pages.token)
      case .unreadable:
        return Completed(
          input: .answered(
            HTTPResponse(status: 502, body: Data("unreadable attachment list".utf8))),
          token: pages.token)
      }
    } catch {
      return Completed(input: tokenFailure(error), token: nil)
    }
    return Completed(input: .attachmentsListed(attachments), token: pages.token)
  }

  /// One attempt through `GraphSession`, which adds the bearer and `client-request-id` and logs.
  private static func send(
    _ request: HTTPRequest, context: Context, progress: (@Sendable (Int64) -> Void)? = nil
  ) async -> Completed {
    let attempt: SingleAttempt
    do {
      attempt = try await context.graph.sendOnce(
        request, gate: context.limiter, progress: progress)
    } catch {
      return Completed(input: tokenFailure(error), token: nil)
    }
    switch attempt.result {
    case .success(let response):
      return Completed(input: .answered(response), token: attempt.token)
    case .failure(let error):
      return Completed(
        input: .transportFailed(Task.isCancelled ? .cancelled : error), token: attempt.token)
    }
  }

  /// A token failure as the machine sees it: unreachable identity service → retry; else sign-in.
  private static func tokenFailure(_ error: any Error) -> UploadInput {
    if Task.isCancelled || error is CancellationError { return .transportFailed(.cancelled) }
    if case GraphError.transport(let transport) = error { return .transportFailed(transport) }
    return .tokenRefreshFailed(describe(error))
  }

  private static func describe(_ error: any Error) -> String {
    if let graph = error as? GraphError { return graph.description }
    return String(describing: error)
  }
}
