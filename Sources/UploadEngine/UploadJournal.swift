import Foundation
import GraphClient
import GraphModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One journaled upload: enough to find the file again, prove it unchanged, and continue its
/// session after the process died (DESIGN.md §6.1).
public struct UploadJournalEntry: Codable, Sendable, Hashable, Identifiable {
  /// Format version; entries from a newer Tack are reported, not misread.
  public var version: Int
  public var id: UploadID
  /// Absolute, standardised path of the local file.
  public var filePath: String
  public var fileSize: Int64
  /// Modification time in nanoseconds since 1970.
  public var modificationTimeNanoseconds: Int64
  /// Lowercase hex SHA-256 of the whole file.
  public var sha256: String
  /// Lowercase hex SHA-256 of each `chunkSize` chunk, from the first hashing pass; nil in
  /// entries written before Tack checked every PUT (then resume hashes the chunks first).
  public var chunkHashes: [String]?
  public var listID: String
  public var taskID: String
  /// For display only (`tack uploads`); ids are what count.
  public var listName: String?
  public var taskTitle: String?
  /// The attachment name sent to Graph (the file's base name).
  public var name: String
  public var contentType: String
  public var uploadUrl: String?
  public var expirationDateTime: Date?
  public var sessionCreatedAt: Date?
  public var chunkSize: Int64
  /// The offset the server last confirmed.
  public var acknowledgedOffset: Int64
  public var finalChunkSent: Bool
  public var graphBaseURL: String
  /// The account that started the upload (`AccountID.name`); `tack resume` resumes it with
  /// that account's token. nil in entries from before several accounts, and under
  /// `TACK_ACCESS_TOKEN`: those resume as the default account.
  public var account: String?
  public var createdAt: Date
  public var updatedAt: Date

  /// The version this Tack writes.
  public static let currentVersion = 1

  /// A new entry for `file` with no session yet.
  public init(
    id: UploadID, file: LocalFile, listID: String, taskID: String, listName: String? = nil,
    taskTitle: String? = nil, graphBaseURL: String, chunkSize: Int64, now: Date
  ) {
    self.version = Self.currentVersion
    self.id = id
    self.filePath = file.path
    self.fileSize = file.size
    self.modificationTimeNanoseconds = file.modificationTimeNanoseconds
    self.sha256 = file.sha256 ?? ""
    self.listID = listID
    self.taskID = taskID
    self.listName = listName
    self.taskTitle = taskTitle
    self.name = file.name
    self.contentType = file.contentType
    self.uploadUrl = nil
    self.expirationDateTime = nil
    self.sessionCreatedAt = nil
    self.chunkSize = chunkSize
    self.acknowledgedOffset = 0
    self.finalChunkSent = false
    self.graphBaseURL = graphBaseURL
    self.createdAt = now
    self.updatedAt = now
  }

  /// The session part, as the state machine reads and writes it.
  public var sessionProgress: SessionProgress {
    get {
      SessionProgress(
        uploadUrl: uploadUrl, expiration: expirationDateTime, sessionCreatedAt: sessionCreatedAt,
        acknowledgedOffset: acknowledgedOffset, chunkSize: chunkSize, finalChunkSent: finalChunkSent
      )
    }
    set {
      uploadUrl = newValue.uploadUrl
      expirationDateTime = newValue.expiration
      sessionCreatedAt = newValue.sessionCreatedAt
      acknowledgedOffset = newValue.acknowledgedOffset
      chunkSize = newValue.chunkSize
      finalChunkSent = newValue.finalChunkSent
    }
  }

  /// True when this entry uploads `path` to the same task on the same Graph.
  public func matches(path: String, listID: String, taskID: String, graphBaseURL: String) -> Bool {
    filePath == path && self.listID == listID && self.taskID == taskID
      && isJournaled(forGraphBase: graphBaseURL)
  }

  /// True when this entry was journaled against the Graph at `base` (see `sameGraphBase`).
  public func isJournaled(forGraphBase base: String) -> Bool {
    Self.sameGraphBase(graphBaseURL, base)
  }

  /// True when two Graph base URLs name the same place (case and trailing slashes aside): the
  /// one rule deciding which Graph a journaled upload belongs to.
  public static func sameGraphBase(_ lhs: String, _ rhs: String) -> Bool {
    func trim(_ text: String) -> String {
      var value = text.lowercased()
      while value.hasSuffix("/") { value.removeLast() }
      return value
    }
    return trim(lhs) == trim(rhs)
  }

  /// Forgets this upload: one best-effort `DELETE {uploadUrl}` (no retry; the server expires
  /// the session anyway), then its journal entry.
  public func discard(
    graph: GraphSession, journal: UploadJournal?,
    timeout: Duration = UploadCoordinatorConfiguration().deleteTimeout,
    gate: (any RequestGate)? = nil
  ) async {
    if let uploadUrl {
      _ = try? await graph.sendOnce(
        graph.deleteUploadSessionRequest(uploadURL: uploadUrl, timeout: timeout), gate: gate)
    }
    try? journal?.remove(id)
  }
}

/// A journal file that could not be read; reported and skipped, never fatal.
public struct JournalProblem: Sendable, Hashable, CustomStringConvertible {
  public var path: String
  public var reason: String

  public var description: String { "skipping unreadable upload journal \(path): \(reason)" }
}

/// Errors writing the journal.
public struct JournalError: Error, Sendable, CustomStringConvertible {
  public var description: String
}

/// The durable upload journal: one JSON file per upload under `$XDG_STATE_HOME/tack/uploads/`.
///
/// Writes are atomic (temporary file, fsync, rename, fsync of the directory), so a crash at any
/// moment leaves either the old entry or the new one, never a torn file.
public struct UploadJournal: Sendable {
  /// The directory holding the entries.
  public let directory: String

  /// A journal kept in `directory` (created on first save).
  public init(directory: String) {
    self.directory = directory
  }

  private static func encoder() -> JSONEncoder {
    let encoder = GraphJSON.encoder(pretty: true)
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(GraphDate.format(date))
    }
    return encoder
  }

  private static func decoder() -> JSONDecoder {
    let decoder = GraphJSON.decoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let container = try decoder.singleValueContainer()
      let text = try container.decode(String.self)
      guard let date = GraphDate.parse(text) else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "unreadable date \(text)")
      }
      return date
    }
    return decoder
  }

  func path(for id: UploadID) -> String { directory + "/" + id + ".json" }

  /// Writes `entry` atomically, creating the directory (0700) if needed.
  public func save(_ entry: UploadJournalEntry) throws(JournalError) {
    let data: Data
    do {
      data = try Self.encoder().encode(entry)
    } catch {
      throw JournalError(description: "cannot encode the upload journal entry: \(error)")
    }
    try ensureDirectory()
    let target = path(for: entry.id)
    // Unique per writer (pid + random), and locked while written: nobody else removes it.
    let temporary =
      directory + "/." + entry.id + ".json.tmp-\(getpid())-"
      + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw Self.posixError("cannot create", temporary) }
    flock(fd, LOCK_EX)
    var ok = data.withUnsafeBytes { raw -> Bool in
      var written = 0
      while written < raw.count {
        let result = write(fd, raw.baseAddress.map { $0 + written }, raw.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          return false
        }
        written += result
      }
      return true
    }
    if ok { ok = fsync(fd) == 0 }
    let failure = ok ? nil : Self.posixError("cannot write", temporary)
    close(fd)
    if let failure {
      unlink(temporary)
      throw failure
    }
    guard rename(temporary, target) == 0 else {
      let failure = Self.posixError("cannot rename into", target)
      unlink(temporary)
      throw failure
    }
    syncDirectory()
  }

  /// Deletes the entry for `id` (no error when it is already gone).
  public func remove(_ id: UploadID) throws(JournalError) {
    if unlink(path(for: id)) != 0 && errno != ENOENT {
      throw Self.posixError("cannot delete", path(for: id))
    }
    syncDirectory()
  }

  /// The entry for `id`, if it exists and can be read.
  public func entry(_ id: UploadID) -> UploadJournalEntry? {
    guard let data = FileManager.default.contents(atPath: path(for: id)) else { return nil }
    return try? Self.decoder().decode(UploadJournalEntry.self, from: data)
  }

  /// Every readable entry (oldest first), plus a problem for each file that is not one.
  public func load() -> (entries: [UploadJournalEntry], problems: [JournalProblem]) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return ([], [])
    }
    var entries: [UploadJournalEntry] = []
    var problems: [JournalProblem] = []
    for name in names.sorted() {
      let full = directory + "/" + name
      if name.hasPrefix(".") {
        if name.contains(".json.tmp-") { removeIfStale(temporary: full) }
        continue
      }
      guard name.hasSuffix(".json") else { continue }
      guard let data = FileManager.default.contents(atPath: full) else {
        problems.append(JournalProblem(path: full, reason: "cannot read the file"))
        continue
      }
      do {
        let entry = try Self.decoder().decode(UploadJournalEntry.self, from: data)
        guard entry.version <= UploadJournalEntry.currentVersion else {
          problems.append(
            JournalProblem(path: full, reason: "written by a newer Tack (version \(entry.version))")
          )
          continue
        }
        guard entry.id + ".json" == name else {
          problems.append(JournalProblem(path: full, reason: "its id does not match its file name"))
          continue
        }
        entries.append(entry)
      } catch {
        problems.append(JournalProblem(path: full, reason: "not a valid journal entry"))
      }
    }
    entries.sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    return (entries, problems)
  }

  func ensureDirectory() throws(JournalError) {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw JournalError(description: "\(directory) exists and is not a directory")
      }
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    } catch {
      throw JournalError(description: "cannot create \(directory): \(error.localizedDescription)")
    }
  }

  /// Makes the rename itself durable.
  private func syncDirectory() {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
  }

  private static func posixError(_ what: String, _ path: String) -> JournalError {
    JournalError(description: "\(what) \(path): \(String(cString: strerror(errno)))")
  }
}
