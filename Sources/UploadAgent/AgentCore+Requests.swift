import AgentProtocol
import Foundation
import GraphModels
import UploadEngine

/// The requests a client may make (`AgentOperation`).
extension AgentCore {
  func handle(_ request: AgentRequest, client: Int) async -> AgentReply {
    switch request.operation {
    case .enqueue:
      return await enqueue(request)
    case .resumeJournal:
      return await resumeJournal(request)
    case .pause, .resume, .cancel, .retry:
      return await control(request)
    case .snapshot:
      clients[client]?.send(.snapshot(await snapshot()))
      return AgentReply(id: request.id, ok: true)
    case .subscribe:
      clients[client]?.send(.snapshot(await snapshot()))
      subscribers.insert(client)
      return AgentReply(id: request.id, ok: true)
    case .setBandwidth:
      let rate = request.bytesPerSecond.map { Int(clamping: $0) }
      coordinator.setBandwidthLimit(rate.flatMap { $0 > 0 ? $0 : nil })
      return AgentReply(id: request.id, ok: true)
    case .status:
      let active = (await snapshot()).filter { $0.phase == .running }.count
      return AgentReply(
        id: request.id, ok: true,
        status: AgentStatus(
          pid: getpid(), graphURL: settings.graphURL, socketPath: settings.paths.socket,
          active: active, clients: clients.count,
          idleExitSeconds: Double(settings.idleExit.components.seconds),
          bytesPerSecond: coordinator.bandwidthLimit.map(Int64.init)))
    case .stop:
      logger.notice("stop requested by a client")
      requestStop()
      return AgentReply(id: request.id, ok: true)
    }
  }

  /// Queues each file; a file that cannot be sent refuses the whole request (exit 2) and pauses
  /// the ones already queued by it, as `tack upload` in-process does.
  private func enqueue(_ request: AgentRequest) async -> AgentReply {
    guard let target = request.target, let files = request.files, !files.isEmpty else {
      return AgentReply(
        id: request.id, ok: false, message: "enqueue needs files and a target", code: 2)
    }
    guard files.allSatisfy({ $0.hasPrefix("/") }) else {
      return AgentReply(id: request.id, ok: false, message: "file paths must be absolute", code: 2)
    }
    let uploadTarget = UploadTarget(
      listID: target.listID, taskID: target.taskID, listName: target.listName,
      taskTitle: target.taskTitle)
    var started: [AgentStarted] = []
    for file in files {
      do {
        let id = try await coordinator.upload(
          path: file, to: uploadTarget, chunkSize: request.chunkSize)
        self.files[id] = file
        started.append(AgentStarted(uploadID: id, file: file))
      } catch {
        for upload in started { await coordinator.pause(upload.uploadID) }
        return AgentReply(
          id: request.id, ok: false, message: String(describing: error), code: 2)
      }
    }
    logger.info("queued uploads", metadata: ["count": "\(started.count)"])
    return AgentReply(id: request.id, ok: true, started: started)
  }

  /// Resumes journaled uploads of this agent's Graph: the ones named, or all (`all`).
  private func resumeJournal(_ request: AgentRequest) async -> AgentReply {
    let entries = journal.load().entries.filter {
      $0.isJournaled(forGraphBase: settings.graphURL)
    }
    let wanted = request.all == true ? nil : Set(request.uploads ?? [])
    var started: [AgentStarted] = []
    for entry in entries where wanted?.contains(entry.id) ?? true {
      files[entry.id] = entry.filePath
      let id = await coordinator.resume(journaled: entry)
      started.append(AgentStarted(uploadID: id, file: entry.filePath))
    }
    let unknown = (wanted ?? []).subtracting(started.map(\.uploadID)).sorted()
    return AgentReply(
      id: request.id, ok: unknown.isEmpty,
      message: unknown.isEmpty ? nil : "no journaled upload " + unknown.joined(separator: ", "),
      code: unknown.isEmpty ? nil : 2, started: started, unknown: unknown.isEmpty ? nil : unknown)
  }

  /// Pause, resume, cancel or retry the uploads named (or all). A resume or retry of an upload
  /// the agent does not hold picks it up from the journal.
  private func control(_ request: AgentRequest) async -> AgentReply {
    let held = Set((await coordinator.summaries()).map(\.id))
    let ids = request.all == true ? Array(held) : (request.uploads ?? [])
    var unknown: [String] = []
    for id in ids {
      if !held.contains(id) {
        if request.operation == .resume || request.operation == .retry,
          let entry = journal.entry(id), entry.isJournaled(forGraphBase: settings.graphURL)
        {
          files[id] = entry.filePath
          await coordinator.resume(journaled: entry)
        } else {
          unknown.append(id)
        }
        continue
      }
      switch request.operation {
      case .pause: await coordinator.pause(id)
      case .cancel: await coordinator.cancel(id)
      default: await coordinator.resume(id)
      }
    }
    if request.all == true, request.operation == .resume {
      for entry in journal.load().entries
      where entry.isJournaled(forGraphBase: settings.graphURL) && !held.contains(entry.id)
        && journal.driver(of: entry.id) == nil
      {
        files[entry.id] = entry.filePath
        await coordinator.resume(journaled: entry)
      }
    }
    guard unknown.isEmpty else {
      return AgentReply(
        id: request.id, ok: false,
        message: "no such upload: " + unknown.joined(separator: ", ")
          + " (`tack uploads` lists them)",
        code: 2, unknown: unknown)
    }
    return AgentReply(id: request.id, ok: true)
  }
}
