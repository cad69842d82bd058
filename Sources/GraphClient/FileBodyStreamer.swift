import AsyncHTTPClient
import Foundation
import NIOCore

/// Streams a file range into a request body, one piece at a time, re-reading from disk for
/// every attempt so the whole file is never held in memory.
enum FileBodyStreamer {
  static func stream(
    path: String, offset: Int64, length: Int64, pieceSize: Int, pacer: (any BodyPacer)? = nil,
    writer: HTTPClient.Body.StreamWriter
  ) async throws {
    let handle: FileHandle
    do {
      handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    } catch {
      throw TransportError.bodyUnreadable(path: path, detail: "cannot open the file")
    }
    defer { try? handle.close() }
    do {
      try handle.seek(toOffset: UInt64(offset))
    } catch {
      throw TransportError.bodyUnreadable(path: path, detail: "cannot seek to \(offset)")
    }
    var remaining = length
    while remaining > 0 {
      let count = Int(min(Int64(pieceSize), remaining))
      let data: Data
      do {
        data = try handle.read(upToCount: count) ?? Data()
      } catch {
        throw TransportError.bodyUnreadable(path: path, detail: "read failed")
      }
      guard !data.isEmpty else {
        throw TransportError.bodyUnreadable(path: path, detail: "the file shrank while uploading")
      }
      remaining -= Int64(data.count)
      guard let pacer else {
        try await writer.write(.byteBuffer(ByteBuffer(bytes: data))).get()
        continue
      }
      try await PacedBody.write(data, pieceSize: pieceSize, pacer: pacer) { piece in
        try await writer.write(.byteBuffer(ByteBuffer(bytes: piece))).get()
      }
    }
  }
}
