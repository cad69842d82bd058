import Foundation
import GraphEmulator
import TestSupport
import Testing

@Suite struct UnreadableFileTests {
  /// Copies a program through a close-on-exec descriptor: a copy written through an inherited
  /// descriptor (another test forking meanwhile) cannot be executed ("Text file busy").
  static func copyExecutable(_ source: String, to path: String) throws {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    defer { close(fd) }
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
  }

  /// Root reads every file, so when the tests run as root (CI does) the upload runs as `nobody`
  /// through `setpriv`; either way the file is unreadable to the process that tries it.
  @Test func unreadableFileIsRejectedBeforeAnyRequest() async throws {
    try await withEmulator { emulator in
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
        "tack-unreadable-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: directory) }
      chmod(directory.path, 0o755)
      let file = directory.appendingPathComponent("secret.bin")
      try Data([1, 2, 3]).write(to: file)
      chmod(file.path, 0)
      let state = directory.appendingPathComponent("state")
      try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
      chmod(state.path, 0o777)
      let ids = try await EmulatorFixture.firstTask(emulator, list: "Tasks")
      var executable = TackBinary.url
      var arguments = ["upload", "--list", ids.list, "--task", ids.task, file.path]
      if getuid() == 0 {
        let copy = directory.appendingPathComponent("tack")
        try Self.copyExecutable(TackBinary.url.path, to: copy.path)
        executable = URL(fileURLWithPath: "/usr/bin/setpriv")
        arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", copy.path] + arguments
      }
      let child = ChildProcess(
        executable, arguments,
        environment: [
          "TACK_GRAPH_URL": emulator.graphBaseURL, "TACK_ACCESS_TOKEN": EmulatorFixture.token,
          "XDG_STATE_HOME": state.path,
        ])
      try child.start()
      #expect(await child.waitForExit() == 2)
      let message = child.standardError()
      #expect(message.contains("cannot be read"))
      #expect(message.split(separator: "\n").count == 1)
      let writes = await emulator.store.requestLog().filter { $0.method != "GET" }
      #expect(writes.isEmpty)
    }
  }
}
