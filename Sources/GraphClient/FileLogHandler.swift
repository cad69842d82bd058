import Foundation
import GraphModels
import Logging
import Synchronization

/// An append-only log file shared by every logger that writes to it.
public final class LogFile: Sendable {
  public let path: String
  private let handle: Mutex<FileHandle?>

  /// Opens (creating with mode 0600) `path` for appending; parent directories are created.
  ///
  /// The open never follows a symlink at `path` (`O_NOFOLLOW`) and never blocks on a FIFO
  /// (`O_NONBLOCK`); anything but a regular file is refused, and an existing file is narrowed to
  /// 0600. The caller logs nowhere when this throws.
  public init(path: String) throws {
    self.path = path
    let directory = (path as NSString).deletingLastPathComponent
    try TackPaths.ensureDirectory(directory)
    let descriptor = open(
      path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
    guard descriptor >= 0 else { throw LogFileError.cannotOpen(path, errno: errno) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      close(descriptor)
      throw LogFileError.notARegularFile(path)
    }
    if info.st_mode & 0o077 != 0 { fchmod(descriptor, 0o600) }
    self.handle = Mutex(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
  }

  deinit {
    handle.withLock { try? $0?.close() }
  }

  func append(_ line: String) {
    handle.withLock { handle in
      try? handle?.write(contentsOf: Data(line.utf8))
    }
  }
}

/// Why the log file was not opened.
public enum LogFileError: Error, Sendable, Equatable {
  /// `open` failed; `ELOOP` means a symlink sits at the path.
  case cannotOpen(String, errno: Int32)
  case notARegularFile(String)
}

/// A swift-log handler writing one line per event to a `LogFile`, never to the terminal.
///
/// As a last line of defence it masks anything that looks like a bearer token or an OAuth
/// token field, although the client never logs them.
public struct FileLogHandler: LogHandler {
  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level
  private let label: String
  private let file: LogFile

  public init(label: String, file: LogFile, level: Logger.Level = .info) {
    self.label = label
    self.file = file
    self.logLevel = level
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var merged = metadata
    if let extra = event.metadata { merged.merge(extra) { $1 } }
    var line = "\(Self.timestamp()) \(event.level) \(label): \(event.message)"
    for key in merged.keys.sorted() {
      if let value = merged[key] { line += " \(key)=\(value)" }
    }
    file.append(Self.redact(line).replacingOccurrences(of: "\n", with: "\\n") + "\n")
  }

  /// A logger labelled `label` that writes to `file`.
  public static func logger(label: String, file: LogFile, level: Logger.Level = .info) -> Logger {
    Logger(label: label) { label in FileLogHandler(label: label, file: file, level: level) }
  }

  /// Masks `Bearer …` values and `access_token`/`refresh_token`/`device_code` fields.
  public static func redact(_ text: String) -> String {
    var result = text
    for marker in ["Bearer ", "bearer ", "access_token=", "refresh_token=", "device_code="] {
      var searchStart = result.startIndex
      while let range = result.range(of: marker, range: searchStart..<result.endIndex) {
        var end = range.upperBound
        while end < result.endIndex, !" &,\"\n".contains(result[end]) {
          end = result.index(after: end)
        }
        result.replaceSubrange(range.upperBound..<end, with: "‹redacted›")
        searchStart = result.index(range.upperBound, offsetBy: "‹redacted›".count)
      }
    }
    return result
  }

  private static func timestamp() -> String {
    GraphDate.format(Date(), fractionDigits: 3)
  }
}
