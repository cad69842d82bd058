import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 for answers no real service gives: redirects, mistyped
/// items, a body dripped one byte at a time. One thread per connection; every answer closes
/// its connection. Call `stop()` when done.
public final class ScriptedHTTPServer: Sendable {
  /// What to send for one request.
  public struct Reply: Sendable {
    public var status: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// When set, the body goes out one byte per interval (after the head at once).
    public var drip: Duration?

    public init(
      status: String = "200 OK", headers: [(String, String)] = [], body: String = "",
      drip: Duration? = nil
    ) {
      self.status = status
      self.headers = headers
      self.body = Array(body.utf8)
      self.drip = drip
    }

    /// A 200 with a JSON body.
    public static func json(_ text: String) -> Reply {
      Reply(headers: [("Content-Type", "application/json")], body: text)
    }
  }

  /// The port bound on 127.0.0.1.
  public let port: Int
  /// `http://127.0.0.1:PORT/v1.0`.
  public var graphURL: String { "http://127.0.0.1:\(port)/v1.0" }
  private let listener: Int32
  private let stopped = Atomic<Bool>(false)
  private let requestLog = Mutex<[String]>([])

  /// Binds a free port and serves `handler(method, target)` until `stop()`.
  public init(_ handler: @escaping @Sendable (_ method: String, _ target: String) -> Reply) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(fd, 16) == 0 else {
      close(fd)
      throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    listener = fd
    port = Int(UInt16(bigEndian: address.sin_port))
    Thread.detachNewThread { [self] in acceptLoop(handler) }
  }

  /// Every request line seen so far (`GET /v1.0/…`).
  public var requests: [String] { requestLog.withLock { $0 } }

  /// Stops accepting; drips in progress end at their next byte.
  public func stop() {
    guard !stopped.exchange(true, ordering: .relaxed) else { return }
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func acceptLoop(_ handler: @escaping @Sendable (String, String) -> Reply) {
    while !stopped.load(ordering: .relaxed) {
      let connection = accept(listener, nil, nil)
      if connection < 0 { if stopped.load(ordering: .relaxed) { return } else { continue } }
      Thread.detachNewThread { [self] in serve(connection, handler) }
    }
  }

  private func serve(_ connection: Int32, _ handler: (String, String) -> Reply) {
    defer { close(connection) }
    var head: [UInt8] = []
    var byte: UInt8 = 0
    while !head.ends(with: Array("\r\n\r\n".utf8)), head.count < 65536 {
      guard read(connection, &byte, 1) == 1 else { return }
      head.append(byte)
    }
    let line = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")[0]
    requestLog.withLock { $0.append(line) }
    let parts = line.split(separator: " ")
    guard parts.count >= 2 else { return }
    let reply = handler(String(parts[0]), String(parts[1]))
    var text = "HTTP/1.1 \(reply.status)\r\nContent-Length: \(reply.body.count)\r\n"
    text += "Connection: close\r\n"
    for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
    text += "\r\n"
    guard write(connection, text, text.utf8.count) >= 0 else { return }
    guard let drip = reply.drip else {
      _ = reply.body.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
      return
    }
    let interval = Double(drip.components.seconds) + Double(drip.components.attoseconds) / 1e18
    for var piece in reply.body {
      if stopped.load(ordering: .relaxed) { return }
      Thread.sleep(forTimeInterval: interval)
      guard write(connection, &piece, 1) == 1 else { return }
    }
  }
}

extension Array where Element == UInt8 {
  fileprivate func ends(with suffix: [UInt8]) -> Bool {
    count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
  }
}
