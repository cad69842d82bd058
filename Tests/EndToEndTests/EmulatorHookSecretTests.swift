import Foundation
import TestSupport
import Testing
import TmuxDriver

/// The emulator's approval hook needs this run's secret, so no other local process can mint a
/// token (and read what `tack --demo` users attach).
@Suite struct EmulatorHookSecretTests {
  static func form(_ text: String) -> [UInt8] { Array(text.utf8) }

  /// Starts a device code on `login` and returns (device_code, user_code).
  static func startDeviceCode(_ login: String) async throws -> (String, String) {
    let reply = try await RawHTTP.send(
      "POST", login + "/common/oauth2/v2.0/devicecode",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: form("client_id=intruder&scope=Tasks.ReadWrite"))
    return (
      reply.json["device_code"] as? String ?? "", reply.json["user_code"] as? String ?? ""
    )
  }

  static func poll(_ login: String, _ deviceCode: String) async throws -> RawHTTP.Reply {
    try await RawHTTP.send(
      "POST", login + "/common/oauth2/v2.0/token",
      headers: [("Content-Type", "application/x-www-form-urlencoded")],
      body: form(
        "client_id=intruder&grant_type=urn:ietf:params:oauth:grant-type:device_code"
          + "&device_code=\(deviceCode)"))
  }

  @Test func hookRefusesRequestsWithoutTheSecretAndObeysTheOnePrinted() async throws {
    let child = ChildProcess(TackBinary.url, ["emulator", "--port", "0"])
    try child.start()
    defer { child.signal(SIGKILL) }
    _ = try #require(await child.waitForLine { _ in true })
    let login = try #require(await child.waitForLine { _ in true })
    let secret = try #require(await child.waitForLine { _ in true })
    #expect(secret.range(of: "^[0-9a-f]{32}$", options: .regularExpression) != nil)
    let (deviceCode, userCode) = try await Self.startDeviceCode(login)
    let hook = login + "/_emulator/device/approve?user_code=\(userCode)"
    #expect(try await RawHTTP.send("POST", hook).status == 404)
    #expect(try await RawHTTP.send("POST", hook + "&secret=0123456789abcdef").status == 403)
    let page = login + "/_emulator/device?user_code=\(userCode)"
    #expect(try await RawHTTP.send("GET", page).status == 404)
    #expect(
      try await Self.poll(login, deviceCode).json["error"] as? String == "authorization_pending")
    #expect(try await RawHTTP.send("POST", hook + "&secret=\(secret)").status == 204)
    let token = try await Self.poll(login, deviceCode)
    #expect(token.status == 200)
    #expect(token.json["access_token"] is String)
    child.signal(SIGTERM)
    #expect(await child.waitForExit() == 0)
  }

  /// The whole of a /proc file: read to the end, since such files report a size of 0 and a
  /// one-shot read of a busy machine's socket table stops after its first page.
  static func readWhole(_ path: String) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = read(fd, &buffer, buffer.count)
      if count <= 0 { break }
      bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Every listening TCP socket of this network namespace, as (address hex, port), from /proc.
  static func listeners() -> [(address: String, port: Int)] {
    var found: [(String, Int)] = []
    for table in ["tcp", "tcp6"] {
      let text = Self.readWhole("/proc/self/net/\(table)")
      for line in text.split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[3] == "0A" else { continue }
        let local = fields[1].split(separator: ":")
        found.append((String(local[0]), Int(local[1], radix: 16) ?? 0))
      }
    }
    return found
  }

  /// The port in the demo's "demo emulator listening" log line.
  static func demoPort(logFile: String) -> Int? {
    let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    let line = log.split(separator: "\n").first { $0.contains("demo emulator listening") }
    return line?.firstMatch(of: /127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }
  }

  @Test func demoEmulatorListensOnLoopbackOnlyAndMintsNoTokenForStrangers() async throws {
    let home = try TackRun.makeHome("demohook")
    defer { TackRun.remove(home) }
    let tmux = try Tmux(
      command: [TackBinary.url.path, "--demo"], width: 100, height: 30,
      environment: [
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "HOME": home,
        "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
      ], directory: home)
    defer { tmux.kill() }
    try await tmux.waitFor("Flagged emails")
    // The demo logs where its emulator listens before it draws; /proc shows every socket
    // listening on that port: one, bound to 127.0.0.1 (no 0.0.0.0 or [::] twin).
    let port = try #require(Self.demoPort(logFile: home + "/state/tack/tack.log"))
    let sockets = Self.listeners().filter { $0.port == port }
    #expect(sockets.map(\.address) == ["0100007F"])
    let login = "http://127.0.0.1:\(port)"
    let lists = try await RawHTTP.send("GET", login + "/v1.0/me/todo/lists")
    #expect(lists.status == 401)
    let (deviceCode, userCode) = try await Self.startDeviceCode(login)
    #expect(
      try await RawHTTP.send("POST", login + "/_emulator/device/approve?user_code=\(userCode)")
        .status == 404)
    #expect(try await RawHTTP.send("POST", login + "/_emulator/device/approve").status == 404)
    #expect(
      try await RawHTTP.send("GET", login + "/_emulator/device?user_code=\(userCode)").status == 404
    )
    let token = try await Self.poll(login, deviceCode)
    #expect(token.json["error"] as? String == "authorization_pending")
    #expect(token.json["access_token"] == nil)
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }
}
