import Glibc

/// Process-level preparations for owning the terminal.
public enum CrashGuard {
  /// Re-executes the program with `SWIFT_BACKTRACE=interactive=no` unless the variable is set.
  ///
  /// The Swift runtime reads it once at start-up; without it, a crash makes the backtracer hold
  /// the terminal for about 30 s waiting for a key (research/tui.md §2.4). Returns only when no
  /// re-exec happened (the variable was set, or `execv` failed).
  public static func reexecWithQuietBacktraces() {
    guard getenv("SWIFT_BACKTRACE") == nil else { return }
    setenv("SWIFT_BACKTRACE", "interactive=no", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // Still here: exec failed; carry on with the interactive backtracer.
  }

  /// Sends standard error to `path` (appending) while the screen is in use, so stray output
  /// cannot scribble over it; returns a descriptor that `restoreStandardError` takes back.
  public static func redirectStandardError(to path: String) -> Int32? {
    let file = open(
      path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
    guard file >= 0 else { return nil }
    defer { close(file) }
    let saved = dup(STDERR_FILENO)
    guard saved >= 0, dup2(file, STDERR_FILENO) >= 0 else {
      if saved >= 0 { close(saved) }
      return nil
    }
    return saved
  }

  /// Puts standard error back after `redirectStandardError`.
  public static func restoreStandardError(_ saved: Int32) {
    dup2(saved, STDERR_FILENO)
    close(saved)
  }
}
