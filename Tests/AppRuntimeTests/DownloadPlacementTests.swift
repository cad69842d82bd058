import Foundation
import Testing

@testable import AppRuntime

/// Where `d` saves an attachment and under what name (pure rules), and the engine's writing.
@Suite struct DownloadPlacementTests {
  @Test func longNameIsShortenedByBytesKeepingTheExtensionAndWholeCharacters() {
    // 200 two-byte letters plus a combining mark on each: 600 bytes of stem.
    let stem = String(repeating: "e\u{301}é", count: 100)
    let name = DownloadPlacement.fileName(for: stem + ".pdf")
    #expect(name.utf8.count <= DownloadPlacement.nameLimit)
    #expect(name.utf8.count > DownloadPlacement.nameLimit - 5)
    #expect(name.hasSuffix(".pdf"))
    #expect(stem.hasPrefix(String(name.dropLast(4))))
    #expect(String(name.dropLast(4)).last.map { stem.contains($0) } == true)
    let alternative = DownloadPlacement.fileName(for: stem + ".pdf", attempt: 12)
    #expect(alternative.utf8.count <= DownloadPlacement.nameLimit)
    #expect(alternative.hasSuffix(" (12).pdf"))
  }

  @Test func shortNamesAreKeptAndAlternativesNumbered() {
    #expect(DownloadPlacement.fileName(for: "report.docx") == "report.docx")
    #expect(DownloadPlacement.fileName(for: "report.docx", attempt: 2) == "report (2).docx")
    #expect(DownloadPlacement.fileName(for: "a/b.txt") == "a_b.txt")
    #expect(DownloadPlacement.fileName(for: "") == "attachment")
  }

  @Test func dotNamesAreNotHidden() {
    #expect(DownloadPlacement.fileName(for: ".bash_profile") == "_bash_profile")
    #expect(DownloadPlacement.fileName(for: "..") == "__")
    #expect(DownloadPlacement.fileName(for: ".env", attempt: 1) == "_env (1)")
  }

  @Test func destinationDirectoryFollowsXDGThenDownloadsThenWorkingDirectory() {
    let existing: Set = ["/xdg", "/fromfile", "/home/ann/Downloads", "/home/ann/Dl"]
    func choose(_ environment: [String: String], _ userDirs: String?, home: String = "/home/ann")
      -> String
    {
      DownloadPlacement.directory(
        environment: environment, userDirs: userDirs, home: home, workingDirectory: "/cwd"
      ) { existing.contains($0) }
    }
    let file = "# written by xdg-user-dirs-update\nXDG_DOWNLOAD_DIR=\"$HOME/Dl\"\n"
    #expect(choose(["XDG_DOWNLOAD_DIR": "/xdg"], file) == "/xdg")
    #expect(choose(["XDG_DOWNLOAD_DIR": "/missing"], file) == "/home/ann/Dl")
    #expect(choose([:], file) == "/home/ann/Dl")
    #expect(choose([:], "XDG_DOWNLOAD_DIR=\"/fromfile\"") == "/fromfile")
    #expect(choose([:], nil) == "/home/ann/Downloads")
    #expect(choose(["XDG_DOWNLOAD_DIR": "relative"], nil) == "/home/ann/Downloads")
    #expect(choose([:], nil, home: "/home/bob") == "/cwd")
  }

  @Test func danglingSymlinkAtTheDestinationGetsAnotherName() throws {
    let directory = NSTemporaryDirectory() + "tack-download-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let target = directory + "/outside-target"
    #expect(symlink(target, directory + "/notes.txt") == 0)
    let saved = try LiveRuntimeEngine.save(Data("hello".utf8), in: directory, name: "notes.txt")
    #expect(saved == directory + "/notes (1).txt")
    #expect(!FileManager.default.fileExists(atPath: target))
    #expect(try Data(contentsOf: URL(fileURLWithPath: saved)) == Data("hello".utf8))
    let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    #expect(left == ["notes (1).txt", "notes.txt"])
  }

  @Test func longAndDotNamesAreSavedOnDisk() throws {
    let directory = NSTemporaryDirectory() + "tack-download-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let long = String(repeating: "長", count: 120) + ".tar.gz"
    let saved = try LiveRuntimeEngine.save(Data([1, 2, 3]), in: directory, name: long)
    #expect(saved.hasSuffix(".gz"))
    #expect(FileManager.default.fileExists(atPath: saved))
    let dot = try LiveRuntimeEngine.save(Data([4]), in: directory, name: ".bash_profile")
    #expect(dot == directory + "/_bash_profile")
    let again = try LiveRuntimeEngine.save(Data([5]), in: directory, name: ".bash_profile")
    #expect(again == directory + "/_bash_profile (1)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: dot)) == Data([4]))
  }
}
