#define _GNU_SOURCE 1
#include "term_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

static const int fatal_signals[] = {SIGSEGV, SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGABRT};
#define FATAL_COUNT (sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct termios saved_modes;
static int saved_fd = -1;
static volatile sig_atomic_t have_modes = 0;
static char restore_seq[256];
static size_t restore_len = 0;
static struct sigaction previous[FATAL_COUNT];
static volatile sig_atomic_t installed = 0;
static volatile sig_atomic_t restored = 0;
static int routed_fd = -1;

int tg_save(int fd) {
  if (tcgetattr(fd, &saved_modes) != 0) return -1;
  saved_fd = fd;
  have_modes = 1;
  return 0;
}

void tg_restore(void) {
  if (restored) return;
  restored = 1;
  int out = saved_fd >= 0 ? saved_fd : STDOUT_FILENO;
  size_t done = 0;
  while (done < restore_len) {
    ssize_t n = write(out, restore_seq + done, restore_len - done);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    done += (size_t)n;
  }
  if (have_modes) tcsetattr(out, TCSAFLUSH, &saved_modes);
}

static int index_of(int sig) {
  for (size_t i = 0; i < FATAL_COUNT; i++)
    if (fatal_signals[i] == sig) return (int)i;
  return -1;
}

static void on_fatal(int sig, siginfo_t *info, void *context) {
  int saved_errno = errno;
  tg_restore();
  int i = index_of(sig);
  if (i >= 0) {
    struct sigaction *old = &previous[i];
    /* Put the previous disposition back and hand the signal on: the Swift backtracer (or the
     * default action) then reports the crash on the restored screen. */
    sigaction(sig, old, NULL);
    if (old->sa_flags & SA_SIGINFO) {
      if (old->sa_sigaction != NULL) {
        old->sa_sigaction(sig, info, context);
        errno = saved_errno;
        return;
      }
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN && old->sa_handler != NULL) {
      old->sa_handler(sig);
      errno = saved_errno;
      return;
    }
  }
  signal(sig, SIG_DFL);
  errno = saved_errno;
  raise(sig);
}

int tg_install(const char *restore, size_t length) {
  if (length >= sizeof(restore_seq)) length = sizeof(restore_seq) - 1;
  memcpy(restore_seq, restore, length);
  restore_len = length;
  restored = 0;
  if (installed) return 0;
  for (size_t i = 0; i < FATAL_COUNT; i++) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_fatal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    if (sigaction(fatal_signals[i], &action, &previous[i]) != 0) return -1;
  }
  installed = 1;
  return 0;
}

void tg_uninstall(void) {
  if (!installed) return;
  for (size_t i = 0; i < FATAL_COUNT; i++) sigaction(fatal_signals[i], &previous[i], NULL);
  installed = 0;
}

static int set_flags(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return -1;
  return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int tg_pipe(int fds[2]) {
  if (pipe(fds) != 0) return -1;
  if (set_flags(fds[0]) != 0 || set_flags(fds[1]) != 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  return 0;
}

static void on_routed(int sig) {
  int saved_errno = errno;
  unsigned char byte = (unsigned char)sig;
  if (routed_fd >= 0) (void)write(routed_fd, &byte, 1);
  errno = saved_errno;
}

int tg_route_signals(int fd) {
  static const int routed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  routed_fd = fd;
  for (size_t i = 0; i < sizeof(routed) / sizeof(routed[0]); i++) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_routed;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(routed[i], &action, NULL) != 0) return -1;
  }
  return 0;
}

static void ui_signal_set(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGWINCH);
  sigaddset(set, SIGINT);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGTSTP);
  sigaddset(set, SIGCONT);
  sigaddset(set, SIGHUP);
  sigaddset(set, SIGQUIT);
}

int tg_unblock_signals(void) {
  sigset_t set;
  ui_signal_set(&set);
  return pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int tg_block_ui_signals(void) {
  sigset_t set;
  ui_signal_set(&set);
  return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int tg_tty_size(int fd, int *rows, int *cols) {
  struct winsize ws;
  if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
  *rows = ws.ws_row;
  *cols = ws.ws_col;
  return 0;
}

void tg_suspend_self(void) {
  struct sigaction dfl, old;
  memset(&dfl, 0, sizeof(dfl));
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGTSTP, &dfl, &old);
  sigset_t set, previous_mask;
  sigemptyset(&set);
  sigaddset(&set, SIGTSTP);
  pthread_sigmask(SIG_UNBLOCK, &set, &previous_mask);
  raise(SIGTSTP); /* stops here until SIGCONT */
  pthread_sigmask(SIG_SETMASK, &previous_mask, NULL);
  sigaction(SIGTSTP, &old, NULL);
}

long tg_gettid(void) { return (long)syscall(SYS_gettid); }
