/* The ncursesw API as Swift can call it (research/tui.md §1.3, §1.4).
 *
 * SwiftPM drops pkg-config's -D flags, so the wide-character API must be switched on here.
 * Macros, function-like macros and mutable globals do not import into Swift 6 (or are
 * concurrency errors), so each one used by TerminalCurses gets a static inline function. */
#ifndef TACK_CNCURSESW_SHIM_H
#define TACK_CNCURSESW_SHIM_H

#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1

#include <locale.h>
#include <wchar.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncursesw/curses.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Glibc's module is built without __USE_XOPEN: declare them again. */
extern int wcwidth(wchar_t c);
extern int wcswidth(const wchar_t *s, size_t n);

/* Globals (Swift 6 rejects reading mutable C globals). */
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline WINDOW *cnc_curscr(void) { return curscr; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_colors(void) { return COLORS; }
static inline int cnc_color_pairs(void) { return COLOR_PAIRS; }
static inline void cnc_getmaxyx(WINDOW *win, int *y, int *x) { getmaxyx(win, *y, *x); }

/* newterm on the process's stdio: initscr() exits the process on failure, newterm returns NULL. */
static inline SCREEN *cnc_newterm_stdio(void) { return newterm(NULL, stdout, stdin); }

/* Attributes (NCURSES_BITS function-like macros). */
static inline attr_t cnc_A_NORMAL(void) { return A_NORMAL; }
static inline attr_t cnc_A_BOLD(void) { return A_BOLD; }
static inline attr_t cnc_A_DIM(void) { return A_DIM; }
static inline attr_t cnc_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t cnc_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline attr_t cnc_A_STANDOUT(void) { return A_STANDOUT; }
static inline attr_t cnc_A_ITALIC(void) { return A_ITALIC; }
static inline attr_t cnc_A_COLOR(void) { return A_COLOR; }

/* Keys. */
static inline int cnc_KEY_F(int n) { return KEY_F(n); }

/* Line drawing: these index tables that initscr fills, so they are functions, not constants. */
static inline chtype cnc_ACS_HLINE(void) { return ACS_HLINE; }
static inline chtype cnc_ACS_VLINE(void) { return ACS_VLINE; }
static inline chtype cnc_ACS_ULCORNER(void) { return ACS_ULCORNER; }
static inline chtype cnc_ACS_URCORNER(void) { return ACS_URCORNER; }
static inline chtype cnc_ACS_LLCORNER(void) { return ACS_LLCORNER; }
static inline chtype cnc_ACS_LRCORNER(void) { return ACS_LRCORNER; }
static inline chtype cnc_ACS_CKBOARD(void) { return ACS_CKBOARD; }
static inline const cchar_t *cnc_WACS_HLINE(void) { return WACS_HLINE; }
static inline const cchar_t *cnc_WACS_VLINE(void) { return WACS_VLINE; }

/* Mouse masks. */
static inline mmask_t cnc_ALL_MOUSE_EVENTS(void) { return ALL_MOUSE_EVENTS; }
static inline mmask_t cnc_REPORT_MOUSE_POSITION(void) { return REPORT_MOUSE_POSITION; }
static inline mmask_t cnc_BUTTON1_CLICKED(void) { return BUTTON1_CLICKED; }
static inline mmask_t cnc_BUTTON1_PRESSED(void) { return BUTTON1_PRESSED; }
static inline mmask_t cnc_BUTTON4_PRESSED(void) { return BUTTON4_PRESSED; }
static inline mmask_t cnc_BUTTON5_PRESSED(void) { return BUTTON5_PRESSED; }

/* The locale's codeset ("UTF-8" in a UTF-8 locale). */
static inline const char *cnc_codeset(void) { return nl_langinfo(CODESET); }

/* ioctl is variadic, so Swift cannot call it. Returns 0 on success. */
static inline int cnc_tty_size(int fd, int *rows, int *cols) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
  *rows = ws.ws_row;
  *cols = ws.ws_col;
  return 0;
}

/* One wide character with attributes and a colour pair, at (y, x). */
static inline int cnc_mvadd_wch_char(int y, int x, wchar_t wc, attr_t attr, short pair) {
  cchar_t cc;
  wchar_t text[2] = {wc, 0};
  if (setcchar(&cc, text, attr, pair, NULL) != OK) return ERR;
  return mvadd_wch(y, x, &cc);
}

/* A terminfo string capability, or NULL when absent or cancelled. */
static inline const char *cnc_tigetstr(const char *name) {
  char *value = tigetstr(name);
  if (value == NULL || value == (char *)-1) return NULL;
  return value;
}

#endif
