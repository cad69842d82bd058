import AgentProtocol
import Foundation
import GraphModels
import UploadAgent
import UploadEngine

/// What `tack uploads` asks the agent: the uploads it holds, and (`--follow`) their events.
enum UploadsAgentView {
  /// The agent's uploads, or nil when no agent runs. An agent is started when the journal
  /// holds uploads whose owner died, so they resume at once (DESIGN.md §6.9).
  static func fetch(
    _ context: ClientContext, journal: UploadJournal, entries: [UploadJournalEntry]
  ) throws -> [AgentUploadState]? {
    let abandoned = entries.filter {
      $0.isJournaled(forGraphBase: context.graphURL) && journal.wasAbandoned($0.id)
    }
    let states = try runBlocking {
      try await AgentLink.withAgent(context, start: !abandoned.isEmpty, explain: false) {
        connection -> [AgentUploadState] in
        var snapshot: [AgentUploadState] = []
        _ = try await connection.request(
          .snapshot,
          other: {
            if case .snapshot(let states) = $0 { snapshot = states }
          })
        return snapshot
      }
    }
    if states == nil, !abandoned.isEmpty {
      TackMain.printError(
        "tack: could not start the upload agent to resume \(abandoned.count) upload(s) left by "
          + "a process that stopped; run `tack resume`, or see \(context.paths.logFile)")
    }
    return states
  }

  /// The row of an upload the agent holds that the journal no longer does (finished, failed,
  /// cancelled, or not yet journaled).
  static func row(_ state: AgentUploadState) -> [String] {
    let percent = state.size > 0 ? state.acknowledged * 100 / state.size : 0
    let task = [state.target.listName, state.target.taskTitle].compactMap { $0 }
      .joined(separator: " / ")
    return [
      state.uploadID, Composition.oneLine(state.file), String(state.size),
      "\(state.acknowledged) (\(percent)%)",
      Composition.oneLine(task.isEmpty ? state.target.taskID : task), "-",
      "\(state.phase.rawValue) (agent)",
    ]
  }

  static func jsonObject(_ state: AgentUploadState) -> JSONValue {
    var object: [String: JSONValue] = [
      "id": .string(state.uploadID), "file": .string(state.file), "name": .string(state.name),
      "size": .number(Double(state.size)), "acknowledged": .number(Double(state.acknowledged)),
      "list_id": .string(state.target.listID), "task_id": .string(state.target.taskID),
      "running": .bool(state.phase == .running), "state": .string(state.phase.rawValue),
      "agent": .bool(true),
    ]
    if let reason = state.reason { object["reason"] = .string(reason) }
    return .object(object)
  }

  /// Prints every upload event of the agent as NDJSON on stdout until none of its uploads
  /// runs (or the agent stops).
  static func follow(_ context: ClientContext) throws {
    _ = try runBlocking {
      try await AgentLink.withAgent(context, start: false, explain: false) { connection in
        var running: Set<String> = []
        _ = try await connection.request(
          .subscribe,
          other: {
            if case .snapshot(let states) = $0 {
              running = Set(states.filter { $0.phase == .running }.map(\.uploadID))
            }
          })
        while !running.isEmpty, let frame = try await connection.next() {
          switch frame {
          case .event(let event, let file):
            if !event.isMilestone { continue }
            if case .resumed = event { running.insert(event.uploadID) }
            if let object = event.jsonObject(file: file) { Output.jsonLine(object) }
          case .settled(let state):
            running.remove(state.uploadID)
          default:
            break
          }
        }
      }
    }
  }
}
