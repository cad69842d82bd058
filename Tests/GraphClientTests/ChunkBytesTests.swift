import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Synchronization
import Testing

/// An upload chunk's bytes are let go of as soon as they are written, and never sent twice.
@Suite struct ChunkBytesTests {
  /// Admits everything; counts nothing.
  struct OpenPacer: BodyPacer {
    func admit(upTo bytes: Int) async throws -> Int { bytes }
  }

  @Test func piecesComeFromTheBytesUntilTheyAreReleased() {
    let released = Mutex(0)
    let chunk = ChunkBytes(Data([1, 2, 3, 4, 5])) { released.withLock { $0 += 1 } }
    #expect(chunk.piece(1..<3) == Data([2, 3]))
    #expect(chunk.piece(3..<6) == nil)
    #expect(!chunk.isReleased)
    chunk.release()
    chunk.release()
    #expect(chunk.isReleased)
    #expect(chunk.count == 5)
    #expect(chunk.piece(0..<1) == nil)
    #expect(chunk.bytes == nil)
    #expect(released.withLock { $0 } == 1)
  }

  @Test func writingAChunkReleasesItAfterItsLastPieceAndNeverWritesItAgain() async throws {
    let bytes = Data((0..<300).map { UInt8($0 % 251) })
    let written = Mutex(Data())
    let releasedWhenLastPieceWasWritten = Mutex<Bool?>(nil)
    let chunk = ChunkBytes(bytes)
    try await PacedBody.write(chunk, pieceSize: 64, pacer: OpenPacer()) { piece in
      written.withLock { $0.append(piece) }
      if written.withLock({ $0.count }) == bytes.count {
        releasedWhenLastPieceWasWritten.withLock { $0 = chunk.isReleased }
      }
    }
    #expect(written.withLock { $0 } == bytes)
    #expect(releasedWhenLastPieceWasWritten.withLock { $0 } == false)
    #expect(chunk.isReleased)
    let again = Mutex(0)
    await #expect {
      try await PacedBody.write(chunk, pieceSize: 64, pacer: OpenPacer()) { _ in
        again.withLock { $0 += 1 }
      }
    } throws: { error in
      (error as? TransportError)?.isAmbiguous == true
    }
    #expect(again.withLock { $0 } == 0)
  }

  /// Through the live transport: the PUT lands byte-exact, the chunk is let go of, and the
  /// same request sent again fails (ambiguously) without a byte reaching the server.
  @Test func theLiveTransportSendsAChunkOnceAndLetsItGo() async throws {
    let size = 3_000_000
    let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    try await withLiveEmulator { emulator, transport in
      let graph = try emulator.session(transport)
      let list = try #require(try await graph.lists().all().first)
      let task = try #require(try await graph.tasks(listID: list.id).all().first)
      let info = AttachmentInfo(name: "chunk.bin", size: Int64(size), contentType: nil)
      let first = try #require(
        try await graph.openUploadSession(listID: list.id, taskID: task.id, info: info).uploadUrl)
      let released = Mutex(0)
      let chunk = ChunkBytes(bytes) { released.withLock { $0 += 1 } }
      let whole = ContentRange(first: 0, last: Int64(size) - 1, total: Int64(size))
      let response = try await graph.sendOnce(
        graph.uploadChunkRequest(uploadURL: first, range: whole, body: chunk)
      ).result.get()
      #expect(response.status == 201)
      #expect(released.withLock { $0 } == 1)
      #expect(chunk.isReleased)
      let attachments = try await graph.attachments(listID: list.id, taskID: task.id).all()
      let attached = try #require(attachments.first { $0.name == "chunk.bin" })
      let stored = await emulator.store.attachmentBytes(
        listID: list.id, taskID: task.id, attachmentID: attached.id)
      #expect(stored == [UInt8](bytes))
      // The same chunk to a second session that waits for it: nothing arrives.
      let second = try #require(
        try await graph.openUploadSession(listID: list.id, taskID: task.id, info: info).uploadUrl)
      let again = try await graph.sendOnce(
        graph.uploadChunkRequest(uploadURL: second, range: whole, body: chunk))
      guard case .failure(let error) = again.result else {
        Issue.record("a chunk already sent was sent again")
        return
      }
      #expect(error.isAmbiguous)
      let status = try await graph.sendOnce(graph.uploadSessionStatusRequest(uploadURL: second))
      let state = try UploadSessionState.parse(try status.result.get().body)
      #expect(state.nextOffset == 0, "the second session received bytes")
    }
  }
}
