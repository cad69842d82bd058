import AppCore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Lists directories for the file picker (a protocol so tests can give fixed listings).
public protocol FileSystemBrowser: Sendable {
  /// The entries of `path` (without `.` and `..`), or an error to show.
  func list(_ path: String) throws -> [DirectoryEntry]
}

/// The real file system: follows symbolic links, flags what cannot be read.
public struct LocalFileSystem: FileSystemBrowser {
  public init() {}

  public func list(_ path: String) throws -> [DirectoryEntry] {
    guard let directory = opendir(path) else { throw AppError(Self.reason(errno)) }
    defer { closedir(directory) }
    var entries: [DirectoryEntry] = []
    while let item = readdir(directory) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name == "." || name == ".." { continue }
      let full = PathText.join(path, name)
      var info = stat()
      // stat follows links: a link to a file is a file; a broken link is "other".
      guard stat(full, &info) == 0 else {
        entries.append(DirectoryEntry(name: name, path: full, kind: .other, isReadable: false))
        continue
      }
      let type = info.st_mode & S_IFMT
      let kind: DirectoryEntry.Kind =
        type == S_IFDIR ? .directory : (type == S_IFREG ? .regular : .other)
      entries.append(
        DirectoryEntry(
          name: name, path: full, kind: kind, size: Int64(info.st_size),
          isReadable: access(full, R_OK) == 0))
    }
    return entries
  }

  static func reason(_ code: Int32) -> String {
    switch code {
    case EACCES, EPERM: return "permission denied"
    case ENOENT: return "no such directory"
    case ENOTDIR: return "not a directory"
    default: return String(cString: strerror(code))
    }
  }
}
