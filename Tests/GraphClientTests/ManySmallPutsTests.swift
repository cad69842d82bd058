import Foundation
import GraphClient
import GraphEmulator
import GraphModels
import Testing

/// Hundreds of upload PUTs in a row through the live transport must never exhaust its pool:
/// a request whose response ends before its file body stream does once leaked its connection
/// (see DECISIONS.md, 2026-12-02).
@Suite struct ManySmallPutsTests {
  @Test func fourHundredPutsOf64KiBComplete() async throws {
    // 400 × 64 KiB is over the 25 MB file limit, so two uploads of 200 chunks each.
    try await putInChunks(fileSize: 200 * 65_536, chunk: 65_536, uploads: 2)
  }

  @Test func fourHundredPutsOf1000BytesComplete() async throws {
    try await putInChunks(fileSize: 400_000, chunk: 1_000, uploads: 1)
  }

  /// Uploads `uploads` files of `fileSize` bytes in `chunk`-byte PUTs, then checks every byte.
  private func putInChunks(fileSize: Int, chunk: Int64, uploads: Int) async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try await withLiveEmulator { emulator, transport in
      let graph = try emulator.session(transport)
      let list = try #require(try await graph.lists().all().first)
      let task = try #require(try await graph.tasks(listID: list.id).all().first)
      for upload in 0..<uploads {
        let bytes = (0..<fileSize).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ $0 >> 9 &+ upload) }
        let path = directory.path + "/data\(upload).bin"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let session = try await graph.openUploadSession(
          listID: list.id, taskID: task.id,
          info: AttachmentInfo(name: "data\(upload).bin", size: Int64(fileSize), contentType: nil))
        let uploadURL = try #require(session.uploadUrl)
        var offset: Int64 = 0
        var last: HTTPResponse?
        while offset < Int64(fileSize) {
          let length = min(chunk, Int64(fileSize) - offset)
          let request = HTTPRequest(
            method: "PUT", url: uploadURL + "/content",
            headers: [
              (name: "Content-Type", value: "application/octet-stream"),
              (name: "Content-Range", value: "bytes \(offset)-\(offset + length - 1)/\(fileSize)"),
            ], body: .file(path: path, offset: offset, length: length))
          last = try await graph.send(request, options: RequestOptions(retry: .never))
          offset += length
        }
        #expect(last?.status == 201)
        let id = try #require(last?.header("Location").flatMap(AttachmentLocation.attachmentID))
        let stored = await emulator.store.attachmentBytes(
          listID: list.id, taskID: task.id, attachmentID: id)
        #expect(stored == bytes)
      }
    }
  }
}
