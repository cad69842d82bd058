import Foundation

// Stub: replaced by the TUI work (issue 5).
enum TUILauncher {
  static func launch(global: GlobalOptions, demo: Bool, refreshMilliseconds: Int) throws {
    throw TackFailure(code: 2, message: "the terminal UI is not built yet")
  }
}
