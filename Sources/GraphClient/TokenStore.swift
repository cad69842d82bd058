import Foundation
import GraphModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The tokens of one sign-in (one identity host, tenant, client id and username).
public struct StoredTokens: Codable, Sendable, Hashable {
  public var accessToken: String
  public var refreshToken: String?
  public var expiresAt: Date
  public var scope: String?
  public var clientID: String
  public var tenant: String
  public var loginURL: String
  public var graphURL: String
  public var obtainedAt: Date
  /// The signed-in username (the id_token's `preferred_username`); nil only in entries of a
  /// cache written before Tack kept several sign-ins, until they are migrated.
  public var username: String?
  /// The scopes the sign-in asked for, asked again on every refresh; nil in old entries, which
  /// asked for `IdentityClient.legacyScopes`.
  public var requestedScopes: String?

  public init(
    accessToken: String, refreshToken: String?, expiresAt: Date, scope: String?, clientID: String,
    tenant: String, loginURL: String, graphURL: String, obtainedAt: Date,
    username: String? = nil, requestedScopes: String? = nil
  ) {
    self.username = username
    self.requestedScopes = requestedScopes
    self.accessToken = accessToken
    self.refreshToken = refreshToken
    self.expiresAt = expiresAt
    self.scope = scope
    self.clientID = clientID
    self.tenant = tenant
    self.loginURL = loginURL
    self.graphURL = graphURL
    self.obtainedAt = obtainedAt
  }

  /// The key the store files these tokens under.
  public var account: TokenStore.AccountKey {
    TokenStore.AccountKey(
      loginURL: loginURL, tenant: tenant, clientID: clientID, username: username)
  }

  /// The name `tack accounts` shows and `--account` takes.
  public var accountName: String { username ?? TokenStore.unnamedAccount }

  /// The stable identity of this sign-in (per-account files are keyed by it).
  public var accountID: AccountID {
    AccountID(name: accountName, loginURL: loginURL, tenant: tenant, clientID: clientID)
  }
}

/// The token cache file (`$XDG_STATE_HOME/tack/tokens.json`), mode 0600, replaced atomically.
///
/// It holds one entry per identity host + tenant + client id + username (several accounts side
/// by side; signing in to the emulator does not discard a real account's tokens), and which one
/// is the default. Version 1 files (one entry per host + tenant + client id, no usernames) are
/// migrated on first use (`TokenStore+Accounts.swift`).
public struct TokenStore: Sendable {
  /// Identifies one sign-in inside the file.
  public struct AccountKey: Sendable, Hashable {
    public var loginURL: String
    public var tenant: String
    public var clientID: String
    /// nil only for entries of a version 1 file.
    public var username: String?

    public init(loginURL: String, tenant: String, clientID: String, username: String? = nil) {
      self.loginURL = loginURL
      self.tenant = tenant
      self.clientID = clientID
      self.username = username
    }

    var text: String {
      let base = "\(loginURL)|\(tenant)|\(clientID)"
      guard let username else { return base }
      return base + "|" + username.lowercased()
    }
  }

  /// The name an account gets when neither its tokens nor `/me` tell its username.
  public static let unnamedAccount = "default"

  /// The version this Tack writes.
  static let currentVersion = 2

  struct FileContents: Codable {
    var version: Int
    var accounts: [String: StoredTokens]
    /// The key text of the default account (version 2).
    var defaultAccount: String?
  }

  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// The tokens for `account`, or nil when none are stored.
  public func load(_ account: AccountKey) throws -> StoredTokens? {
    try readFile().accounts[account.text]
  }

  /// Every stored sign-in.
  public func all() throws -> [StoredTokens] {
    Array(try readFile().accounts.values)
  }

  /// Stores (or replaces) the tokens of their account; `makeDefault` also makes it the default.
  public func save(_ tokens: StoredTokens, makeDefault: Bool = false) throws {
    var contents = try readFile()
    contents.accounts[tokens.account.text] = tokens
    if makeDefault { contents.defaultAccount = tokens.account.text }
    try writeFile(contents)
  }

  /// The lock serialising token refreshes across processes (`tokens.json.lock` beside the
  /// cache), waited for up to 30 s; nil when another process held it all that time.
  public func refreshLock() async throws -> FileLock? {
    let directory = (path as NSString).deletingLastPathComponent
    try TackPaths.ensureDirectory(directory)
    return try await FileLock.acquire(path + ".lock", waitingUpTo: .seconds(30))
  }

  /// Forgets `account`; returns false when nothing was stored. Removes the file when empty.
  /// When the default goes, the most recent sign-in at the same identity host becomes the
  /// default.
  @discardableResult
  public func remove(_ account: AccountKey) throws -> Bool {
    var contents = try readFile()
    guard let removed = contents.accounts.removeValue(forKey: account.text) else { return false }
    if contents.defaultAccount == account.text {
      contents.defaultAccount =
        contents.accounts.filter { $0.value.loginURL == removed.loginURL }
        .max { $0.value.obtainedAt < $1.value.obtainedAt }?.key
    }
    if contents.accounts.isEmpty {
      try? FileManager.default.removeItem(atPath: path)
    } else {
      try writeFile(contents)
    }
    return true
  }

  func readFile() throws -> FileContents {
    guard FileManager.default.fileExists(atPath: path) else {
      return FileContents(version: Self.currentVersion, accounts: [:])
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw GraphError.authentication("cannot read the token cache \(path)")
    }
    do {
      let decoder = JSONDecoder()
      decoder.dateDecodingStrategy = .secondsSince1970
      return try decoder.decode(FileContents.self, from: data)
    } catch {
      throw GraphError.authentication(
        "the token cache \(path) is damaged; run `tack logout` and `tack login`")
    }
  }

  /// Writes a temporary file created 0600 in the same directory, syncs it, then renames it over
  /// the old file, so a crash leaves either the old or the new cache, never half of one.
  func writeFile(_ contents: FileContents) throws {
    var contents = contents
    contents.version = Self.currentVersion
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.dateEncodingStrategy = .secondsSince1970
    let data = try encoder.encode(contents)
    let directory = (path as NSString).deletingLastPathComponent
    do {
      try TackPaths.ensureDirectory(directory)
    } catch {
      throw GraphError.authentication("cannot create \(directory)")
    }
    try AtomicFile.write(data, to: path, mode: 0o600)
  }
}

/// Atomic replacement of small files with a given mode.
public enum AtomicFile {
  /// Writes `data` to a new temporary file (created with `mode`), fsyncs it, renames it to
  /// `path`, and fsyncs the directory.
  public static func write(_ data: Data, to path: String, mode: mode_t) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let temporary = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard fd >= 0 else {
      throw GraphError.input("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    var ok = true
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count, let base = buffer.baseAddress {
        let written = posixWrite(fd, base + offset, buffer.count - offset)
        if written <= 0 {
          if written < 0, errno == EINTR { continue }
          ok = false
          return
        }
        offset += written
      }
    }
    // The umask may have narrowed the mode at creation, never widened it; set it exactly.
    if fchmod(fd, mode) != 0 { ok = false }
    if fsync(fd) != 0 { ok = false }
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
      unlink(temporary)
      throw GraphError.input("cannot write \(path): \(String(cString: strerror(errno)))")
    }
    let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
    if directoryFD >= 0 {
      fsync(directoryFD)
      close(directoryFD)
    }
  }
}

private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.write(fd, buffer, count)
  #else
    return Darwin.write(fd, buffer, count)
  #endif
}
