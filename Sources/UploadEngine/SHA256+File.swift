import Foundation
import GraphModels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension SHA256 {
  /// Lowercase hex SHA-256 of the file at `path`, read in 1 MiB pieces.
  public static func hex(ofFileAt path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileReadError(path: path, code: errno) }
    defer { close(fd) }
    var hasher = SHA256()
    let capacity = 1 << 20
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    defer { buffer.deallocate() }
    while true {
      let count = read(fd, buffer.baseAddress, capacity)
      if count < 0 {
        if errno == EINTR { continue }
        throw FileReadError(path: path, code: errno)
      }
      if count == 0 { break }
      hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    return hexString(hasher.finalize())
  }
}

/// A local file could not be read.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var code: Int32

  public var description: String { "cannot read \(path): \(String(cString: strerror(code)))" }
}
