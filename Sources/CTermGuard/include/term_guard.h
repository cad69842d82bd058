/* Async-signal-safe terminal restore and signal plumbing for the TUI (research/tui.md §2.4).
 *
 * Swift cannot run code safely inside a signal handler, so the handlers live here and only use
 * write(2), tcsetattr(3) and sigaction(2). */
#ifndef TACK_TERM_GUARD_H
#define TACK_TERM_GUARD_H

#include <stddef.h>

/* Saves the terminal modes of `fd` (call before initscr). Returns 0 on success. */
int tg_save(int fd);

/* Installs SA_SIGINFO|SA_ONSTACK handlers for SEGV, ILL, TRAP, BUS, FPE and ABRT that write
 * `restore` (copied, at most 255 bytes) to the saved descriptor, restore the saved modes, then
 * chain to the previous handler (the Swift backtracer) or re-raise with the default action.
 * Returns 0 on success. */
int tg_install(const char *restore, size_t length);

/* Writes the restore sequence and restores the saved modes now (idempotent, signal-safe). */
void tg_restore(void);

/* Removes the fatal-signal handlers installed by tg_install (after a normal endwin). */
void tg_uninstall(void);

/* Creates a non-blocking, close-on-exec pipe. fds[0] is read, fds[1] write. Returns 0. */
int tg_pipe(int fds[2]);

/* Makes SIGINT, SIGTERM, SIGHUP and SIGQUIT write their number as one byte to `fd` (a
 * non-blocking pipe) instead of killing the process, so the UI loop can shut down in order.
 * Call before initscr so that ncurses leaves them alone. Returns 0 on success. */
int tg_route_signals(int fd);

/* Unblocks WINCH, INT, TERM, TSTP, CONT, HUP and QUIT on the calling thread: a parent that
 * spawned us from a Swift-concurrency thread may have left them blocked (research/tui.md §2.3). */
int tg_unblock_signals(void);

/* Blocks the same signals on the calling thread, for threads that must never run a handler. */
int tg_block_ui_signals(void);

/* The terminal size of `fd` via TIOCGWINSZ. Returns 0 on success. */
int tg_tty_size(int fd, int *rows, int *cols);

/* Stops the process as SIGTSTP would (the shell shows it as a stopped job) and returns once it
 * is continued. Any SIGTSTP handler (ncurses installs one) is set aside meanwhile: call it after
 * endwin(). */
void tg_suspend_self(void);

/* The kernel thread id of the caller (for diagnostics: the UI must run on the main thread). */
long tg_gettid(void);

#endif
