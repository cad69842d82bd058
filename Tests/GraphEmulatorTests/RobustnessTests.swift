import Foundation
import GraphEmulator
import GraphModels
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Garbage on the wire never takes the emulator down or changes its store.
@Suite struct RobustnessTests {
  typealias F = EmulatorFixture

  /// Writes raw bytes to a fresh TCP connection and closes it.
  func sendRaw(port: Int, _ bytes: [UInt8]) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { return }
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
  }

  @Test func garbageRequestsLeaveTheServerAndStoreIntact() async throws {
    try await withEmulator { emulator in
      let ids = try await F.firstTask(emulator, list: "Tasks")
      let before = await emulator.store.attachments(listID: ids.list, taskID: ids.task)
      let samples: [[UInt8]] = [
        Array("GARBAGE\r\n\r\n".utf8),
        Array("PUT /v1.0/%zz%00/content HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabc".utf8),
        Array("POST /v1.0/me/todo/lists HTTP/1.1\r\nContent-Length: -1\r\n\r\n".utf8),
        F.bytes(4096, seed: 99),
        Array("GET /\(String(repeating: "a/", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
      ]
      for sample in samples { sendRaw(port: emulator.port, sample) }
      let odd = try await RawHTTP.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists/%E0%A4%A/tasks", headers: [F.auth])
      #expect(odd.status == 404)
      let still = try await RawHTTP.send(
        "GET", emulator.graphBaseURL + "/me/todo/lists", headers: [F.auth])
      #expect(still.status == 200)
      #expect(await emulator.store.attachments(listID: ids.list, taskID: ids.task) == before)
      #expect(await emulator.store.openSessionCount() == 0)
    }
  }
}
