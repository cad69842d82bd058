import Foundation
import GraphClient
import Synchronization
import Testing

@testable import UploadEngine

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One owner per journaled upload, and journal writers that never remove each other's files.
@Suite struct UploadOwnershipTests {
  static func directory() -> String {
    let path = NSTemporaryDirectory() + "tack-owner-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func makeTemporary(_ path: String, ageSeconds: Double) throws {
    try Data("{\"half\":".utf8).write(to: URL(fileURLWithPath: path))
    let then = Date().addingTimeInterval(-ageSeconds)
    try FileManager.default.setAttributes([.modificationDate: then], ofItemAtPath: path)
  }

  @Test func aSecondClaimSeesTheHolderAndAReleaseLetsItIn() throws {
    let directory = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let journal = UploadJournal(directory: directory + "/uploads")
    guard case .owned(let lock) = try journal.claim("u1") else {
      Issue.record("the first claim must own the upload")
      return
    }
    #expect(journal.driver(of: "u1") == getpid())
    guard case .heldBy(let pid) = try journal.claim("u1") else {
      Issue.record("a second claim must see the holder")
      return
    }
    #expect(pid == getpid())
    lock.release(removing: true)
    #expect(journal.driver(of: "u1") == nil)
    guard case .owned(let again) = try journal.claim("u1") else {
      Issue.record("a released upload can be claimed again")
      return
    }
    again.release(removing: true)
  }

  @Test func readersRemoveOnlyOldUnlockedTemporaries() throws {
    let directory = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let journal = UploadJournal(directory: directory)
    let fresh = directory + "/.abc.json.tmp-123-beef"
    let stale = directory + "/.abc.json.tmp-124-cafe"
    let staleButWritten = directory + "/.abc.json.tmp-125-f00d"
    try Self.makeTemporary(fresh, ageSeconds: 5)
    try Self.makeTemporary(stale, ageSeconds: 3600)
    try Self.makeTemporary(staleButWritten, ageSeconds: 3600)
    let writer = open(staleButWritten, O_RDWR | O_CLOEXEC)
    #expect(writer >= 0)
    #expect(flock(writer, LOCK_EX) == 0)
    defer { close(writer) }

    _ = journal.load()
    #expect(FileManager.default.fileExists(atPath: fresh), "another writer's file, mid-write")
    #expect(FileManager.default.fileExists(atPath: staleButWritten), "still locked by its writer")
    #expect(!FileManager.default.fileExists(atPath: stale), "left by a writer that died")
  }

  @Test func writersUseTheirOwnTemporaryNames() throws {
    // Two writers of the same entry at once (threads here, processes in life) never collide.
    let directory = Self.directory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let journal = UploadJournal(directory: directory)
    let entry = UploadJournalTests.entry(id: "shared")
    let failures = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 8) { _ in
      for _ in 0..<25 {
        do { try journal.save(entry) } catch { failures.withLock { $0 += 1 } }
        _ = journal.load()
      }
    }
    #expect(failures.withLock { $0 } == 0)
    #expect(journal.entry("shared") == entry)
    let names = try FileManager.default.contentsOfDirectory(atPath: directory)
    #expect(names == ["shared.json"])
  }
}
