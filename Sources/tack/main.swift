import ArgumentParser
import Foundation

// Synchronous top-level code: the TUI must own the real main thread (research/tui.md §2.1);
// asynchronous commands block here on a detached task instead.
TackMain.run()
