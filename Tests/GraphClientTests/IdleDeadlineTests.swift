import Foundation
import GraphClient
import TestSupport
import Testing

/// A server that keeps a connection alive by dripping bytes must not hold a request for long:
/// the idle deadline ends silence, the total deadline ends a slow drip.
@Suite struct IdleDeadlineTests {
  static let body = String(repeating: "x", count: 600)

  @Test func aServerSilentLongerThanTheIdleDeadlineTimesOut() async throws {
    let server = try ScriptedHTTPServer { _, _ in
      .init(body: Self.body, drip: .milliseconds(1500))
    }
    defer { server.stop() }
    let transport = LiveHTTPTransport(
      configuration: LiveHTTPTransportConfiguration(
        readTimeout: .milliseconds(300), requestTimeout: .seconds(60)))
    defer { Task { await transport.shutdown() } }
    let started = ContinuousClock.now
    await #expect(throws: TransportError.timedOut) {
      _ = try await transport.send(HTTPRequest(method: "GET", url: server.graphURL + "/me"))
    }
    // 600 bytes at one per 1.5 s would take 15 minutes; generous for CI's shared cores.
    #expect(ContinuousClock.now - started < .seconds(60))
  }

  @Test func aDripFasterThanTheIdleDeadlineStillEndsAtTheTotalDeadline() async throws {
    let server = try ScriptedHTTPServer { _, _ in
      .init(body: String(repeating: "x", count: 6000), drip: .milliseconds(100))
    }
    defer { server.stop() }
    let transport = LiveHTTPTransport(
      configuration: LiveHTTPTransportConfiguration(
        readTimeout: .seconds(2), requestTimeout: .seconds(1)))
    defer { Task { await transport.shutdown() } }
    let started = ContinuousClock.now
    await #expect(throws: TransportError.timedOut) {
      _ = try await transport.send(HTTPRequest(method: "GET", url: server.graphURL + "/me"))
    }
    // 6,000 bytes at one per 100 ms would take 10 minutes; generous for CI's shared cores.
    #expect(ContinuousClock.now - started < .seconds(60))
  }

  @Test func theDefaultsAreAnIdleDeadlineAndATotalCap() {
    let defaults = LiveHTTPTransportConfiguration()
    #expect(defaults.readTimeout == .seconds(30))
    #expect(defaults.requestTimeout == .seconds(120))
  }
}
