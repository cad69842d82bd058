import Foundation
import GraphModels

/// The emulator's in-memory state. An actor, so concurrent requests never see a torn update;
/// each upload session is independent of every other.
public actor EmulatorStore {
  /// One request as the emulator saw it (for tests).
  public struct LoggedRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    public var status: Int
    public var contentRange: String?
    public var hadAuthorization: Bool
  }

  struct AttachmentRecord {
    var id: String
    var name: String
    var contentType: String
    var bytes: [UInt8]
    var lastModified: Date

    var model: TaskFileAttachment {
      TaskFileAttachment(
        id: id, name: name, contentType: contentType, size: Int64(bytes.count),
        lastModifiedDateTime: String(GraphDate.format(lastModified).prefix(19)) + "Z")
    }
  }

  struct TaskRecord {
    var task: TodoTask
    var attachments: [AttachmentRecord] = []
    var checklist: [Tagged<ChecklistItem>] = []
    /// Bumped on every write; the `@odata.etag` is made from it.
    var version = 1
  }

  struct ListRecord {
    var list: TodoTaskList
    var tasks: [TaskRecord] = []
    var taskIndex: [String: Int] = [:]
    var version = 1
  }

  enum SessionState: Sendable {
    case open, cancelled, completed
  }

  struct SessionRecord {
    var id: String
    var listID: String
    var taskID: String
    var name: String
    var size: Int64
    var contentType: String
    var data: [UInt8]
    var expiresAt: Date
    var state: SessionState
  }

  enum DeviceCodeStatus {
    case pending, approved, declined, consumed
  }

  struct DeviceCodeRecord {
    var deviceCode: String
    var userCode: String
    var scope: String
    var expiresAt: Date
    var polls: Int
    var status: DeviceCodeStatus
    var lastPoll: Date?
    /// The interval the client must keep; each `slow_down` adds 5 s (RFC 8628 §3.5).
    var interval: Double = 5
    /// The user who approved it (nil: the first user).
    var user: String?
  }

  let options: EmulatorOptions
  let userID: String
  let userName: String
  let userPrincipalName: String
  /// The seed's other users, each a store of their own data (`EmulatorStore+Users.swift`);
  /// identity (device codes, tokens), faults and the request log live in this first store only.
  public nonisolated let otherUsers: [EmulatorStore]
  var records: [ListRecord] = []
  var listIndex: [String: Int] = [:]
  private var sessions: [String: SessionRecord] = [:]
  private var deviceCodes: [String: DeviceCodeRecord] = [:]
  private var accessTokens: [String: Date] = [:]
  private var refreshTokens: Set<String> = []
  /// The user each issued access or refresh token belongs to.
  var tokenUsers: [String: String] = [:]
  /// Who `autoApproveAfterPolls` signs in (an id; nil: the first user).
  private var autoApprovalUser: String?
  private var counters: [FaultPlan.Selector: Int] = [:]
  private var log: [LoggedRequest] = []
  private(set) var serial = 0
  /// Change numbers and state tokens for the delta functions (`EmulatorStore+Delta`).
  var delta = DeltaTracking()

  init(options: EmulatorOptions) throws {
    var seed = try Seed.load(options.seed)
    if let count = options.longList { seed.lists.append(Seed.longList(count)) }
    try self.init(options: options, seed: seed)
  }

  private init(options: EmulatorOptions, seed: Seed) throws {
    self.options = options
    otherUsers = try seed.otherUsers.map { try EmulatorStore(options: options, seed: $0) }
    userID = seed.userID
    userName = seed.userName
    userPrincipalName = seed.userPrincipalName
    for list in seed.lists {
      var record = ListRecord(list: list.list)
      for task in list.tasks {
        record.taskIndex[task.task.id] = record.tasks.count
        record.tasks.append(TaskRecord(task: task.task, attachments: task.attachments))
      }
      listIndex[list.list.id] = records.count
      records.append(record)
    }
  }

  // MARK: Ids and faults

  func makeID(_ kind: String) -> String {
    serial += 1
    let raw = "\(kind)-\(serial)-\(UInt32.random(in: 0...UInt32.max))"
    return "AAMkAD"
      + Data(raw.utf8).base64EncodedString().replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "+", with: "-")
  }

  /// Counts this request under each selector and returns the faults that apply, in rule order.
  func faults(for selectors: [FaultPlan.Selector]) -> [FaultPlan.Kind] {
    var ordinals: [FaultPlan.Selector: Int] = [:]
    for selector in selectors {
      counters[selector, default: 0] += 1
      ordinals[selector] = counters[selector]
    }
    return options.faults.rules.compactMap { rule in
      guard let ordinal = ordinals[rule.selector], rule.matches(ordinal: ordinal) else {
        return nil
      }
      return rule.kind
    }
  }

  func record(_ entry: LoggedRequest) {
    log.append(entry)
  }

  // MARK: Tokens

  /// Whether `authorization` (the whole header value) is acceptable.
  func isAuthorized(_ authorization: String?, now: Date) -> Bool {
    authorizedUser(authorization, now: now) != nil
  }

  /// The id of the user `authorization` (the whole header value) signs in, or nil when it is
  /// not acceptable. The fixed `--token` is the first user's.
  func authorizedUser(_ authorization: String?, now: Date) -> String? {
    guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
    let token = String(authorization.dropFirst(7))
    if let fixed = options.token { return token == fixed ? userID : nil }
    guard let expiry = accessTokens[token], expiry > now else { return nil }
    return tokenUsers[token] ?? userID
  }

  /// Issues a fresh access/refresh token pair for `user` (an id; nil: the first user), also a
  /// test hook.
  public func issueToken(now: Date = Date(), user: String? = nil) -> (
    access: String, refresh: String
  ) {
    let access = "emu-at." + Self.randomHex(24)
    let refresh = "emu-rt." + Self.randomHex(24)
    accessTokens[access] = now.addingTimeInterval(options.accessTokenLifetime.seconds)
    refreshTokens.insert(refresh)
    tokenUsers[access] = user ?? userID
    tokenUsers[refresh] = user ?? userID
    return (access, refresh)
  }

  /// Makes every issued access token expire now (tests of refresh-after-401).
  public func expireAccessTokens() {
    for key in accessTokens.keys { accessTokens[key] = .distantPast }
  }

  /// The user of a valid refresh token (revoking it when so configured), or nil.
  func redeemRefreshToken(_ token: String) -> String? {
    guard refreshTokens.contains(token) else { return nil }
    if options.revokeUsedRefreshTokens { refreshTokens.remove(token) }
    return tokenUsers[token] ?? userID
  }

  static func randomHex(_ bytes: Int) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
  }

  // MARK: Device codes

  func createDeviceCode(scope: String, now: Date) -> DeviceCodeRecord {
    let letters = Array("BCDFGHJKLMNPQRSTVWXZ23456789")
    let userCode = String((0..<9).map { _ in letters[Int.random(in: 0..<letters.count)] })
    let record = DeviceCodeRecord(
      deviceCode: "emu-dc." + Self.randomHex(32), userCode: userCode, scope: scope,
      expiresAt: now.addingTimeInterval(options.deviceCodeLifetime.seconds), polls: 0,
      status: .pending, lastPoll: nil, interval: Double(options.deviceCodeInterval))
    deviceCodes[record.deviceCode] = record
    return record
  }

  enum PollResult {
    case pending, slowDown, declined, expired, unknown, approved(scope: String, user: String)
  }

  func poll(deviceCode: String, now: Date) -> PollResult {
    guard var record = deviceCodes[deviceCode] else { return .unknown }
    record.polls += 1
    defer { deviceCodes[deviceCode] = record }
    if record.status == .consumed { return .unknown }
    if now > record.expiresAt { return .expired }
    let previous = record.lastPoll
    record.lastPoll = now
    if options.enforcePollInterval, record.status == .pending, let previous,
      now.timeIntervalSince(previous) < record.interval
    {
      record.interval += 5
      return .slowDown
    }
    if record.status == .pending, let after = options.autoApproveAfterPolls, record.polls > after {
      record.status = .approved
      record.user = autoApprovalUser
    }
    switch record.status {
    case .pending: return .pending
    case .declined: return .declined
    case .approved:
      record.status = .consumed
      return .approved(scope: record.scope, user: record.user ?? userID)
    case .consumed: return .unknown
    }
  }

  /// Approves the pending device code with this user code: `user` (an id; nil: the first user)
  /// signed in.
  public func approveDeviceCode(userCode: String, user: String? = nil) {
    for (key, record) in deviceCodes where record.userCode == userCode && record.status == .pending
    {
      deviceCodes[key]?.status = .approved
      deviceCodes[key]?.user = user
    }
  }

  /// Declines the pending device code with this user code.
  public func declineDeviceCode(userCode: String) {
    for (key, record) in deviceCodes where record.userCode == userCode && record.status == .pending
    {
      deviceCodes[key]?.status = .declined
    }
  }

  public func approveAllPendingDeviceCodes(user: String? = nil) {
    for (key, record) in deviceCodes where record.status == .pending {
      deviceCodes[key]?.status = .approved
      deviceCodes[key]?.user = user
    }
  }

  /// Makes `autoApproveAfterPolls` sign in `user` (an id or user principal name; nil: the
  /// first user) from now on: a test hook for a second account.
  public func setAutoApprovalUser(_ user: String?) {
    autoApprovalUser = user.flatMap { self.user($0)?.userID }
  }

  /// User codes still waiting for approval.
  public func pendingUserCodes() -> [String] {
    deviceCodes.values.filter { $0.status == .pending }.map(\.userCode)
  }

  // MARK: Lists, tasks, attachments

  public func lists() -> [TodoTaskList] { records.map(\.list) }

  public func tasks(listID: String) -> [TodoTask]? {
    listIndex[listID].map { records[$0].tasks.map(\.task) }
  }

  public func task(listID: String, taskID: String) -> TodoTask? {
    taskRecord(listID, taskID)?.task
  }

  /// Renames a task in place (a test hook: titles a client must print safely).
  public func setTaskTitle(listID: String, taskID: String, _ title: String) {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID] else { return }
    records[l].tasks[t].task.title = title
    delta.taskChanged(listID: listID, taskID: taskID)
  }

  public func attachments(listID: String, taskID: String) -> [TaskFileAttachment]? {
    taskRecord(listID, taskID)?.attachments.map(\.model)
  }

  public func attachmentBytes(listID: String, taskID: String, attachmentID: String) -> [UInt8]? {
    taskRecord(listID, taskID)?.attachments.first { $0.id == attachmentID }?.bytes
  }

  func attachmentRecord(listID: String, taskID: String, attachmentID: String) -> AttachmentRecord? {
    taskRecord(listID, taskID)?.attachments.first { $0.id == attachmentID }
  }

  func hasList(_ listID: String) -> Bool { listIndex[listID] != nil }

  func taskRecord(_ listID: String, _ taskID: String) -> TaskRecord? {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID] else { return nil }
    return records[l].tasks[t]
  }

  func deleteAttachment(listID: String, taskID: String, attachmentID: String) -> Bool {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID],
      let a = records[l].tasks[t].attachments.firstIndex(where: { $0.id == attachmentID })
    else { return false }
    records[l].tasks[t].attachments.remove(at: a)
    records[l].tasks[t].task.hasAttachments = !records[l].tasks[t].attachments.isEmpty
    delta.taskChanged(listID: listID, taskID: taskID)
    return true
  }

  func addAttachment(
    listID: String, taskID: String, name: String, contentType: String, bytes: [UInt8], now: Date
  )
    -> TaskFileAttachment?
  {
    guard let l = listIndex[listID], let t = records[l].taskIndex[taskID] else { return nil }
    let record = AttachmentRecord(
      id: makeID("att") + "=", name: name, contentType: contentType, bytes: bytes, lastModified: now
    )
    records[l].tasks[t].attachments.append(record)
    records[l].tasks[t].task.hasAttachments = true
    delta.taskChanged(listID: listID, taskID: taskID)
    return record.model
  }

  // MARK: Upload sessions

  func createSession(
    listID: String, taskID: String, name: String, size: Int64, contentType: String, now: Date
  )
    -> SessionRecord?
  {
    guard taskRecord(listID, taskID) != nil else { return nil }
    let record = SessionRecord(
      id: makeID("session") + "=", listID: listID, taskID: taskID, name: name, size: size,
      contentType: contentType, data: [],
      expiresAt: now.addingTimeInterval(options.sessionLifetime.seconds),
      state: .open)
    sessions[record.id] = record
    return record
  }

  /// The session if it is open and unexpired.
  func openSession(_ id: String, now: Date) -> SessionRecord? {
    guard let record = sessions[id], record.state == .open, record.expiresAt > now else {
      return nil
    }
    return record
  }

  func expireSession(_ id: String) {
    sessions[id]?.expiresAt = .distantPast
  }

  /// Ends every open session's life now (test hook).
  public func expireAllSessions() {
    for key in sessions.keys { sessions[key]?.expiresAt = .distantPast }
  }

  func cancelSession(_ id: String, now: Date) -> Bool {
    guard openSession(id, now: now) != nil else { return false }
    sessions[id]?.state = .cancelled
    sessions[id]?.data = []
    return true
  }

  /// The next byte an open session expects.
  public func sessionOffset(sessionID: String) -> Int64? {
    sessions[sessionID].map { Int64($0.data.count) }
  }

  public func openSessionCount(now: Date = Date()) -> Int {
    sessions.values.filter { $0.state == .open && $0.expiresAt > now }.count
  }

  enum ChunkOutcome {
    case accepted(next: Int64, expiresAt: Date)
    case completed(TaskFileAttachment)
    case gone
  }

  /// Appends `bytes` at `offset` (bytes already held are skipped) and completes the session
  /// when it is whole.
  func appendChunk(sessionID: String, offset: Int64, bytes: [UInt8], now: Date) -> ChunkOutcome {
    guard var record = openSession(sessionID, now: now) else { return .gone }
    let have = Int64(record.data.count)
    let skip = Int(max(0, have - offset))
    if skip < bytes.count {
      record.data.append(contentsOf: bytes[skip...])
    }
    if Int64(record.data.count) >= record.size {
      record.state = .completed
      let data = record.data
      record.data = []
      sessions[sessionID] = record
      guard
        let attachment = addAttachment(
          listID: record.listID, taskID: record.taskID, name: record.name,
          contentType: record.contentType, bytes: data, now: now)
      else { return .gone }
      return .completed(attachment)
    }
    sessions[sessionID] = record
    return .accepted(next: Int64(record.data.count), expiresAt: record.expiresAt)
  }

  // MARK: Inspection

  public func requestLog() -> [LoggedRequest] { log }

  public func clearRequestLog() { log.removeAll() }
}

extension Duration {
  var seconds: Double {
    let parts = components
    return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
  }
}
