import Foundation
import GraphModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A local file accepted for upload, with the identity a resume must find unchanged.
public struct LocalFile: Sendable, Hashable {
  /// Absolute, standardised path.
  public var path: String
  /// The attachment name: the file's base name, Unicode kept as is.
  public var name: String
  public var size: Int64
  /// Modification time in nanoseconds since 1970 (compared exactly on resume).
  public var modificationTimeNanoseconds: Int64
  /// MIME type from the extension (`ContentTypes`).
  public var contentType: String
  /// Lowercase hex SHA-256; nil until computed (hashing 25 MB is not free).
  public var sha256: String?

  /// A file as described; `FileInspector.inspect` makes one from a path.
  public init(
    path: String, name: String, size: Int64, modificationTimeNanoseconds: Int64,
    contentType: String, sha256: String? = nil
  ) {
    self.path = path
    self.name = name
    self.size = size
    self.modificationTimeNanoseconds = modificationTimeNanoseconds
    self.contentType = contentType
    self.sha256 = sha256
  }
}

/// Why a file cannot be uploaded; `description` is one line naming the file.
public struct UploadInputError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong with the input.
  public enum Kind: Sendable, Hashable {
    case missing
    case directory
    case notRegular
    case unreadable
    case tooLarge
    case changed
    case invalidOption
  }

  public var kind: Kind
  public var path: String
  public var detail: String

  /// An input error about `path`; `detail` completes the sentence "path: …".
  public init(kind: Kind, path: String, detail: String) {
    self.kind = kind
    self.path = path
    self.detail = detail
  }

  public var description: String { "\(path): \(detail)" }
}

/// Checks files before any request is made, and re-checks them before each chunk.
public enum FileInspector {
  /// The absolute, standardised form of `path` (relative to the working directory).
  public static func absolutePath(_ path: String) -> String {
    let base = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return (base as NSString).standardizingPath
  }

  /// Accepts a readable regular file of at most 25,000,000 bytes (symbolic links followed: the
  /// attachment keeps the link's own name and sends the target's bytes). The file is opened
  /// without blocking and checked with `fstat` on that descriptor, so a FIFO or device is
  /// refused at once.
  public static func inspect(_ path: String) throws(UploadInputError) -> LocalFile {
    let absolute = absolutePath(path)
    let (fd, info) = try RegularFile.openChecked(absolute, display: path, expectedSize: nil)
    close(fd)
    let size = Int64(info.st_size)
    guard size <= UploadLimits.maxFileSize else {
      throw UploadInputError(
        kind: .tooLarge, path: path,
        detail:
          "\(size) bytes is over the \(UploadLimits.maxFileSize)-byte limit for To Do attachments")
    }
    // The name the user gave: `standardizingPath` resolves symbolic links, the link's own name
    // is the attachment's.
    let given = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    let name = (given as NSString).lastPathComponent
    return LocalFile(
      path: absolute, name: name, size: size,
      modificationTimeNanoseconds: modificationTime(info),
      contentType: ContentTypes.forFileName(name))
  }

  /// The one-line refusal of a path that exists but is not a regular file (a FIFO, device,
  /// socket or directory, after symbolic links), or nil; checked without blocking.
  public static func nonRegularProblem(_ path: String) -> UploadInputError? {
    do {
      let (fd, _) = try RegularFile.openChecked(path, expectedSize: nil)
      close(fd)
      return nil
    } catch {
      return error.kind == .notRegular || error.kind == .directory ? error : nil
    }
  }

  /// Size and modification time now, or nil when the file is gone.
  public static func currentIdentity(_ path: String) -> (size: Int64, mtime: Int64)? {
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return (Int64(info.st_size), modificationTime(info))
  }

  /// Why `file` no longer matches what was recorded, or nil when size and mtime are the same.
  public static func quickChange(of file: LocalFile) -> String? {
    guard let now = currentIdentity(file.path) else { return "the file is gone" }
    if now.size != file.size {
      return "its size changed from \(file.size) to \(now.size) bytes"
    }
    if now.mtime != file.modificationTimeNanoseconds { return "it was modified" }
    return nil
  }

  private static func modificationTime(_ info: stat) -> Int64 {
    #if canImport(Darwin)
      return Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
    #else
      return Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    #endif
  }
}
