import Foundation
import GraphClient
import GraphEmulator
import TestSupport
import Testing

@testable import UploadEngine

/// Cancelling deletes a session only as the upload's owner.
@Suite struct CancelOwnershipTests {
  @Test func cancellingAPausedUploadAnotherProcessResumedLeavesItsSessionAlone() async throws {
    try await withRig(emulator: {
      $0.faults = try FaultPlan(specs: ["put#2=bandwidth:bps=5000"])
    }) { rig in
      let path = try rig.file("shared.bin", EmulatorFixture.bytes(1_200_000, seed: 31))
      let id = try await rig.coordinator.upload(path: path, to: rig.target)
      _ = await rig.log.first(where: isChunkSent)
      await rig.coordinator.pause(id)
      #expect(await rig.coordinator.waitUntilSettled()[id] == .paused)
      // Another process resumes the journaled upload and holds its lock.
      guard case .owned(let other) = try rig.journal.claim(id) else {
        Issue.record("the paused upload's entry should be free to claim")
        return
      }
      defer { other.release(removing: false) }
      await rig.coordinator.cancel(id)
      guard case .skipped(let reason) = await rig.coordinator.waitUntilSettled()[id] else {
        Issue.record("a cancel without the lock must skip the upload")
        return
      }
      #expect(reason.contains("is being uploaded by process"))
      #expect(await rig.emulator.store.openSessionCount() == 1)
      #expect(await !rig.requests().contains { $0.method == "DELETE" })
      #expect(rig.journal.load().entries.map(\.id) == [id])
    }
  }
}
