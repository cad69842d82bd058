import Foundation
import GraphClient
import GraphEmulator
import TestSupport
import Testing

@testable import UploadEngine

/// Coordinators of several accounts share one bandwidth limiter: a cap set through one holds
/// for all, so uploads of two accounts together stay under it.
@Suite struct SharedBandwidthTests {
  @Test func aCapSetThroughOneCoordinatorHoldsForTheOthers() throws {
    var options = EmulatorOptions()
    options.seed = .small
    options.token = EmulatorFixture.token
    let emulator = try InProcessEmulator(options, authority: "127.0.0.1")
    let graph = try GraphSession(
      baseURL: emulator.graphBaseURL, tokens: StaticTokenProvider(token: EmulatorFixture.token),
      transport: InProcessTransport(emulator))
    var configuration = UploadRig.testConfiguration()
    configuration.bandwidthLimit = 5_000_000
    let shared = BandwidthLimiter(bytesPerSecond: 1_000_000)
    let first = UploadCoordinator(
      graph: graph, journal: nil, configuration: configuration, sharedBandwidth: shared)
    let second = UploadCoordinator(
      graph: graph, journal: nil, configuration: configuration, sharedBandwidth: shared)
    let alone = UploadCoordinator(graph: graph, journal: nil, configuration: configuration)
    // The shared limiter's cap wins over each configuration's.
    #expect(first.bandwidthLimit == 1_000_000 && second.bandwidthLimit == 1_000_000)
    first.setBandwidthLimit(500_000)
    #expect(second.bandwidthLimit == 500_000)
    second.setBandwidthLimit(nil)
    #expect(first.bandwidthLimit == nil)
    #expect(alone.bandwidthLimit == 5_000_000)
  }
}
