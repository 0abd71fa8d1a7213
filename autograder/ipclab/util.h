/*
 * util.h - what every part of ipclab shares: the error idiom, the kit's
 * paths, files, child processes and signals.
 *
 * Error idiom (git's): die() for the process, error_msg() for a function
 * that reports and gives up: `return error_msg("...")` prints
 * "ipclab: ..." on stderr and returns -1. Functions that only fail with an
 * errno return -1 and print nothing.
 */
#ifndef IPCLAB_UTIL_H
#define IPCLAB_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#define EXIT_USAGE 2	/* usage or environment error (0: all passed, 1: a test failed) */

#define PRINTF(f, a) __attribute__((format(printf, f, a)))

void die(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));
void die_errno(const char *fmt, ...) PRINTF(1, 2) __attribute__((noreturn));
int error_msg(const char *fmt, ...) PRINTF(1, 2);
int error_errno(const char *fmt, ...) PRINTF(1, 2);	/* appends ": strerror(errno)" */

void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrfmt(const char *fmt, ...) PRINTF(1, 2);

/* The kit: $IPCLAB_ROOT, or the parent of the directory holding this executable. */
const char *kit_root(void);
/* An absolute path inside the kit: kit_path("build/last/%s.results", dir). */
char *kit_path(const char *fmt, ...) PRINTF(1, 2);

bool is_dir(const char *path);
bool is_file(const char *path);
/* st_mtim as one number, or -1 when the file does not exist. */
long long mtime_ns(const char *path);
double now(void);			/* CLOCK_MONOTONIC seconds */
/* "5 min ago" for a time in the past. */
void format_ago(char *buf, size_t cap, time_t when);

/* Reads at most max bytes of a file into a NUL-terminated string; -1 with errno. */
ssize_t read_text(const char *path, char **text, size_t max);
/* Writes path.tmp and renames it over path (mode 0644): 0, or -1 with errno. */
int write_whole_file(const char *path, const char *data, size_t len);
/* Copies a regular file of at most max bytes, opened without following a symlink when
 * nofollow; dst is replaced atomically. 0, or -1 with errno (EFBIG when too big). */
int copy_file(const char *src, const char *dst, size_t max, bool nofollow);
/* True when both files exist with the same bytes. */
bool same_content(const char *a, const char *b);
int mkdir_p(const char *path);
/* rm -rf, never following a symlink; makes directories writable to empty them. */
int remove_tree(const char *path);
/*
 * Adds path (made absolute) to IPCLAB_HIDE: what the sandbox hides from the
 * code under test (the kit and its solutions, other submissions). A path
 * that does not exist, or holds ':', is left out.
 */
void hide_from_tests(const char *path);

/* A command in $PATH, as a malloc'd path, or NULL. */
char *find_in_path(const char *cmd);

/*
 * Runs argv (searched in $PATH) with cwd (NULL: ours), stdin /dev/null, stdout and
 * stderr collected into *output (malloc'd, NUL-terminated). Returns the wait status,
 * or -1 with errno when the command could not be started (ENOENT: not installed).
 */
int spawn_capture(char *const argv[], const char *cwd, char **output);

/* Sorts values (n of them) in place and returns their median; 0 when n is 0. */
double median_of(double *values, int n);

/* Terminal and colour: a terminal and NO_COLOR unset or empty (no-color.org). */
bool use_colour(int fd);
/* Columns of the terminal on fd: $COLUMNS, else the terminal's own; 0 when unknown. */
int terminal_width(int fd);

/*
 * Signals. SIGINT, SIGTERM and SIGHUP set interrupted_by and wake signal_fd() (a
 * self-pipe to poll on); SIGPIPE is ignored. Children call
 * signals_default() before exec so that they start with what a shell gives.
 */
extern volatile sig_atomic_t interrupted_by;
void signals_setup(void);
int signal_fd(void);
void signal_fd_drain(void);
void signals_default(void);
/* After cleaning up: dies of the signal that interrupted us, as a shell expects. */
void reraise_interrupt(void) __attribute__((noreturn));

#endif
