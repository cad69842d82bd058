import GraphModels

/// The protocol spoken on the agent's socket: one JSON object per line (DECISIONS.md 2026-12-02,
/// "The upload agent"). A client says `hello`, the agent answers `welcome` (or `refused`), then
/// the client sends requests; replies, snapshots, settled uploads and upload events come back.
public enum AgentProtocolVersion {
  /// Bumped whenever a frame changes shape; a client and an agent of different versions stop.
  public static let current = 1
}

/// The first line a client sends.
public struct AgentHello: Codable, Sendable, Hashable {
  public var protocolVersion: Int
  /// The Graph base URL the client works against; the agent serves one.
  public var graphURL: String

  public init(protocolVersion: Int = AgentProtocolVersion.current, graphURL: String) {
    self.protocolVersion = protocolVersion
    self.graphURL = graphURL
  }

  enum CodingKeys: String, CodingKey {
    case protocolVersion = "protocol"
    case graphURL = "graph_url"
  }
}

/// The agent's answer to a hello it accepts.
public struct AgentWelcome: Codable, Sendable, Hashable {
  public var protocolVersion: Int
  public var pid: Int32
  public var graphURL: String

  public init(protocolVersion: Int = AgentProtocolVersion.current, pid: Int32, graphURL: String) {
    self.protocolVersion = protocolVersion
    self.pid = pid
    self.graphURL = graphURL
  }

  enum CodingKeys: String, CodingKey {
    case protocolVersion = "protocol"
    case pid
    case graphURL = "graph_url"
  }
}

/// What a request asks of the agent.
public enum AgentOperation: String, Codable, Sendable, Hashable {
  /// Upload `files` to `target`.
  case enqueue
  /// Resume journaled uploads: `uploads`, or (with `all`) every one for the agent's Graph.
  case resumeJournal = "resume_journal"
  case pause
  case resume
  case cancel
  case retry
  /// Reply with a snapshot of every upload the agent holds.
  case snapshot
  /// A snapshot, then every upload event and settled upload until the client leaves.
  case subscribe
  /// Cap the agent's uploads together at `bytesPerSecond` (0 lifts the cap).
  case setBandwidth = "set_bandwidth"
  case status
  /// Pause everything, keep the journal, exit.
  case stop
}

/// Where an upload goes, as the client resolved it.
public struct AgentTarget: Codable, Sendable, Hashable {
  public var listID: String
  public var taskID: String
  public var listName: String?
  public var taskTitle: String?

  public init(listID: String, taskID: String, listName: String? = nil, taskTitle: String? = nil) {
    self.listID = listID
    self.taskID = taskID
    self.listName = listName
    self.taskTitle = taskTitle
  }

  enum CodingKeys: String, CodingKey {
    case listID = "list_id"
    case taskID = "task_id"
    case listName = "list_name"
    case taskTitle = "task_title"
  }
}

/// One request; `id` is echoed by its reply.
public struct AgentRequest: Codable, Sendable, Hashable {
  public var id: Int
  public var operation: AgentOperation
  /// Upload ids the operation applies to.
  public var uploads: [String]?
  /// Apply to every upload (pause, resume, cancel, resume_journal).
  public var all: Bool?
  /// Absolute paths to upload (enqueue); the agent reads the files itself.
  public var files: [String]?
  public var target: AgentTarget?
  public var chunkSize: Int64?
  public var bytesPerSecond: Int64?

  public init(
    id: Int, operation: AgentOperation, uploads: [String]? = nil, all: Bool? = nil,
    files: [String]? = nil, target: AgentTarget? = nil, chunkSize: Int64? = nil,
    bytesPerSecond: Int64? = nil
  ) {
    self.id = id
    self.operation = operation
    self.uploads = uploads
    self.all = all
    self.files = files
    self.target = target
    self.chunkSize = chunkSize
    self.bytesPerSecond = bytesPerSecond
  }

  enum CodingKeys: String, CodingKey {
    case id
    case operation = "op"
    case uploads, all, files, target
    case chunkSize = "chunk_size"
    case bytesPerSecond = "bytes_per_second"
  }
}

/// An upload the agent started for a request: its id and the path it reads.
public struct AgentStarted: Codable, Sendable, Hashable {
  public var uploadID: String
  public var file: String

  public init(uploadID: String, file: String) {
    self.uploadID = uploadID
    self.file = file
  }

  enum CodingKeys: String, CodingKey {
    case uploadID = "upload_id"
    case file
  }
}

/// The agent's process facts, for `tack agent status`.
public struct AgentStatus: Codable, Sendable, Hashable {
  public var pid: Int32
  public var graphURL: String
  public var socketPath: String
  public var active: Int
  public var clients: Int
  public var idleExitSeconds: Double
  /// The cap on all the agent's uploads, bytes per second; nil when there is none.
  public var bytesPerSecond: Int64?

  public init(
    pid: Int32, graphURL: String, socketPath: String, active: Int, clients: Int,
    idleExitSeconds: Double, bytesPerSecond: Int64? = nil
  ) {
    self.pid = pid
    self.graphURL = graphURL
    self.socketPath = socketPath
    self.active = active
    self.clients = clients
    self.idleExitSeconds = idleExitSeconds
    self.bytesPerSecond = bytesPerSecond
  }

  enum CodingKeys: String, CodingKey {
    case pid
    case graphURL = "graph_url"
    case socketPath = "socket"
    case active, clients
    case idleExitSeconds = "idle_exit_s"
    case bytesPerSecond = "bytes_per_second"
  }
}

/// The answer to one request. A refused request says why in `message` and suggests the exit
/// code (`code`, DESIGN.md §3) a command should end with.
public struct AgentReply: Codable, Sendable, Hashable {
  public var id: Int
  public var ok: Bool
  public var message: String?
  public var code: Int32?
  public var started: [AgentStarted]?
  public var status: AgentStatus?
  /// Upload ids a request named that the agent does not hold.
  public var unknown: [String]?

  public init(
    id: Int, ok: Bool, message: String? = nil, code: Int32? = nil, started: [AgentStarted]? = nil,
    status: AgentStatus? = nil, unknown: [String]? = nil
  ) {
    self.id = id
    self.ok = ok
    self.message = message
    self.code = code
    self.started = started
    self.status = status
    self.unknown = unknown
  }
}

/// Where an upload stands in the agent.
public enum AgentUploadPhase: String, Codable, Sendable, Hashable {
  case running
  case completed
  case failed
  case paused
  case cancelled
  /// Another process drives it, or finished it: not a failure.
  case skipped

  public var isSettled: Bool { self != .running }
}

/// One upload as the agent sees it: the rows of a snapshot and the `settled` frames.
public struct AgentUploadState: Codable, Sendable, Hashable {
  public var uploadID: String
  public var name: String
  public var file: String
  public var size: Int64
  public var chunkSize: Int64
  public var sent: Int64
  public var acknowledged: Int64
  public var phase: AgentUploadPhase
  /// Why it failed or was skipped.
  public var reason: String?
  /// A failure that needs a new sign-in (exit 3).
  public var authentication: Bool?
  public var attachmentID: String?
  public var target: AgentTarget

  public init(
    uploadID: String, name: String, file: String, size: Int64, chunkSize: Int64, sent: Int64,
    acknowledged: Int64, phase: AgentUploadPhase, reason: String? = nil,
    authentication: Bool? = nil, attachmentID: String? = nil, target: AgentTarget
  ) {
    self.uploadID = uploadID
    self.name = name
    self.file = file
    self.size = size
    self.chunkSize = chunkSize
    self.sent = sent
    self.acknowledged = acknowledged
    self.phase = phase
    self.reason = reason
    self.authentication = authentication
    self.attachmentID = attachmentID
    self.target = target
  }

  enum CodingKeys: String, CodingKey {
    case uploadID = "upload_id"
    case name, file, size
    case chunkSize = "chunk_size"
    case sent, acknowledged
    case phase = "state"
    case reason, authentication
    case attachmentID = "attachment_id"
    case target
  }
}
