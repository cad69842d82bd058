import AppCore
import Foundation
import Testing

/// Notices from the Graph session (long waits, skipped items) on the status line.
@Suite struct NoticeTests {
  static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  @Test func aWaitNoticeStaysOnTheStatusLineUntilTheWaitEnds() {
    var state = AppState(now: Self.t0)
    let until = Self.t0.addingTimeInterval(30)
    _ = reduce(&state, .notice("Graph asked us to wait 30 s", until: until))
    #expect(state.status == StatusMessage("Graph asked us to wait 30 s", expires: until))
    _ = reduce(&state, .tick(Self.t0.addingTimeInterval(29)))
    #expect(state.status != nil)
    _ = reduce(&state, .tick(until))
    #expect(state.status == nil)
  }

  @Test func aNoticeWithoutAnEndShowsForFiveSeconds() {
    var state = AppState(now: Self.t0)
    _ = reduce(&state, .notice("skipped 1 task that could not be read", until: nil))
    #expect(state.status?.expires == Self.t0.addingTimeInterval(5))
  }

  @Test func aNoticeDoesNotHideAnError() {
    var state = AppState(now: Self.t0)
    state.status = StatusMessage("Download failed", kind: .error)
    _ = reduce(&state, .notice("Graph asked us to wait 30 s", until: nil))
    #expect(state.status?.text == "Download failed")
  }
}
