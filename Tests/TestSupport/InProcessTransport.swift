import Foundation
import GraphClient
import GraphEmulator

/// An `HTTPTransport` that hands each request straight to an `InProcessEmulator`: no socket, no
/// connection pool, so thousands of requests cost milliseconds.
///
/// File bodies are read from disk for every request, as the live transport does; a dropped
/// connection becomes `TransportError.connectionClosed`.
public struct InProcessTransport: HTTPTransport {
  public let emulator: InProcessEmulator

  public init(_ emulator: InProcessEmulator) {
    self.emulator = emulator
  }

  public func send(_ request: HTTPRequest, progress: (@Sendable (Int64) -> Void)?) async throws
    -> HTTPResponse
  {
    if Task.isCancelled { throw TransportError.cancelled }
    let body = try request.body.map(Self.bytes(of:))
    if let body, let pacer = request.pacer {
      try await Self.pace(body, pacer: pacer, progress: progress)
    } else if let body {
      progress?(Int64(body.count))
    }
    let reply: InProcessEmulator.Reply
    do {
      reply = try await emulator.send(
        request.method, request.url, headers: request.headers.map { ($0.name, $0.value) },
        body: body)
    } catch is InProcessEmulator.ConnectionDropped {
      throw TransportError.connectionClosed
    }
    if Task.isCancelled { throw TransportError.cancelled }
    return HTTPResponse(status: reply.status, headers: reply.headers, body: reply.body)
  }

  /// Lets `body` through `pacer` piece by piece, as the live transport writes it, telling
  /// `progress` after each piece.
  static func pace(
    _ body: [UInt8], pacer: any BodyPacer, progress: (@Sendable (Int64) -> Void)?
  ) async throws {
    var sent: Int64 = 0
    do {
      try await PacedBody.write(Data(body), pieceSize: 64 << 10, pacer: pacer) { piece in
        sent += Int64(piece.count)
        progress?(sent)
      }
    } catch {
      throw TransportError.cancelled
    }
  }

  /// The bytes a body stands for (a file range is read now).
  static func bytes(of body: HTTPBody) throws -> [UInt8] {
    if case .bytes(let data) = body { return [UInt8](data) }
    if case .chunk(let chunk) = body {
      // Sent whole, as the live transport does, and let go of the same way.
      defer { chunk.release() }
      guard let data = chunk.bytes else {
        throw TransportError.other("this chunk was already sent once; asking the server instead")
      }
      return [UInt8](data)
    }
    guard case .file(let path, let offset, let length) = body else {
      throw TransportError.other("InProcessTransport cannot send this kind of body")
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw TransportError.bodyUnreadable(path: path, detail: "cannot open the file")
    }
    defer { try? handle.close() }
    do {
      try handle.seek(toOffset: UInt64(offset))
      let data = try handle.read(upToCount: Int(length)) ?? Data()
      guard data.count == Int(length) else {
        throw TransportError.bodyUnreadable(path: path, detail: "the file shrank while uploading")
      }
      return [UInt8](data)
    } catch let error as TransportError {
      throw error
    } catch {
      throw TransportError.bodyUnreadable(path: path, detail: "read failed")
    }
  }
}
