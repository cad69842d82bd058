import Foundation
import TestSupport
import Testing
import TmuxDriver

/// `d` in `tack --demo`: the attachment lands in ~/Downloads, not the working directory, and the
/// status line names the full path.
@Suite struct DownloadTUITests {
  @Test func downloadGoesToTheDownloadsDirectoryAndShowsItsFullPath() async throws {
    let home = try TackRun.makeHome("download")
    defer { TackRun.remove(home) }
    let work = home + "/work"
    let downloads = home + "/Downloads"
    for directory in [work, downloads] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    let tmux = try Tmux(
      command: [TackBinary.url.path, "--demo"], width: 220, height: 30,
      environment: [
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "tmux-256color", "HOME": home,
        "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
        "XDG_DOWNLOAD_DIR": "", "NO_COLOR": "",
      ], directory: work)
    defer { tmux.kill() }
    try await tmux.waitFor("Flagged emails")
    try tmux.sendKeys("/")
    try tmux.type("Work")
    try tmux.sendKeys("Enter", "Enter")
    try await tmux.waitFor("report-draft.docx")
    try tmux.sendKeys("Tab", "d")
    let saved = downloads + "/report-draft.docx"
    try await tmux.waitFor("Saved report-draft.docx to \(saved)", timeout: .seconds(20))
    #expect(FileManager.default.fileExists(atPath: saved))
    #expect(try FileManager.default.contentsOfDirectory(atPath: work).isEmpty)
    try tmux.sendKeys("q")
    #expect(try await tmux.waitForExit() == 0)
  }
}
