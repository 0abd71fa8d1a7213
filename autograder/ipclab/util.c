/*
 * util.c - ipclab's shared helpers: the error idiom, the kit's paths,
 * file copies, child processes and signal handling (see util.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "records.h"
#include "util.h"

/* ---- errors ---- */

static void vreport(const char *fmt, va_list ap, int errnum)
{
	fflush(stdout);		/* keep the order of what a terminal shows */
	fputs("ipclab: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	exit(EXIT_USAGE);
}

void die_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, errnum);
	va_end(ap);
	exit(EXIT_USAGE);
}

int error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, 0);
	va_end(ap);
	return -1;
}

int error_errno(const char *fmt, ...)
{
	int errnum = errno;
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap, errnum);
	va_end(ap);
	return -1;
}

void *xmalloc(size_t size)
{
	void *ptr = malloc(size ? size : 1);

	if (ptr == NULL)
		die("out of memory");
	return ptr;
}

void *xrealloc(void *ptr, size_t size)
{
	ptr = realloc(ptr, size ? size : 1);
	if (ptr == NULL)
		die("out of memory");
	return ptr;
}

char *xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (copy == NULL)
		die("out of memory");
	return copy;
}

static char *xvstrfmt(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) == -1)
		die("out of memory");
	return s;
}

char *xstrfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvstrfmt(fmt, ap);
	va_end(ap);
	return s;
}

/* ---- the kit ---- */

const char *kit_root(void)
{
	static char *root;
	char exe[PATH_MAX];
	const char *env = getenv("IPCLAB_ROOT");

	if (root)
		return root;
	if (env && *env) {
		root = realpath(env, NULL);
		if (root == NULL)
			die_errno("IPCLAB_ROOT=%s", env);
		return root;
	}
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len == -1)
		die_errno("cannot find the kit (set IPCLAB_ROOT): /proc/self/exe");
	exe[len] = '\0';
	for (int up = 0; up < 2; up++) {	/* KIT/bin/ipclab -> KIT */
		char *slash = strrchr(exe, '/');
		if (slash == NULL || slash == exe)
			die("cannot find the kit above %s: set IPCLAB_ROOT", exe);
		*slash = '\0';
	}
	root = xstrdup(exe);
	return root;
}

char *kit_path(const char *fmt, ...)
{
	va_list ap;
	char *rel, *path;

	va_start(ap, fmt);
	rel = xvstrfmt(fmt, ap);
	va_end(ap);
	path = xstrfmt("%s/%s", kit_root(), rel);
	free(rel);
	return path;
}

/* ---- files ---- */

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

long long mtime_ns(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	return st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void format_ago(char *buf, size_t cap, time_t when)
{
	long long ago = (long long)(time(NULL) - when);

	if (ago < 60)
		snprintf(buf, cap, "just now");
	else if (ago < 3600)
		snprintf(buf, cap, "%lld min ago", ago / 60);
	else if (ago < 48 * 3600)
		snprintf(buf, cap, "%lld h ago", ago / 3600);
	else
		snprintf(buf, cap, "%lld days ago", ago / 86400);
}

static ssize_t read_fd_text(int fd, char **text, size_t max)
{
	size_t len = 0, cap = 4096;
	char *buf = xmalloc(cap + 1);

	while (len < max) {
		if (len == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		size_t want = cap - len < max - len ? cap - len : max - len;
		ssize_t n = read(fd, buf + len, want);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			int saved = errno;
			free(buf);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*text = buf;
	return (ssize_t)len;
}

ssize_t read_text(const char *path, char **text, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return -1;
	ssize_t len = read_fd_text(fd, text, max);
	int saved = errno;
	close(fd);
	errno = saved;
	return len;
}

/* Writes data to path.tmp with mode, then renames it over path. */
static int replace_file(const char *path, const char *data, size_t len, mode_t mode)
{
	char *tmp = xstrfmt("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int rc = -1;

	if (fd != -1) {
		rc = rec_write_all(fd, data, len);
		if (close(fd) == -1)
			rc = -1;
		if (rc == 0)
			rc = rename(tmp, path);
		if (rc == -1) {
			int saved = errno;
			unlink(tmp);
			errno = saved;
		}
	}
	free(tmp);
	return rc;
}

int write_whole_file(const char *path, const char *data, size_t len)
{
	return replace_file(path, data, len, 0644);
}

int copy_file(const char *src, const char *dst, size_t max, bool nofollow)
{
	/* O_NONBLOCK: a FIFO named like a source file must not hang us in open() */
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (nofollow ? O_NOFOLLOW : 0);
	int fd = open(src, flags);
	struct stat st;
	char *data;
	ssize_t len;

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return -1;
	}
	len = read_fd_text(fd, &data, max + 1);	/* the file may grow while we read */
	close(fd);
	if (len == -1)
		return -1;
	if ((size_t)len > max) {
		free(data);
		errno = EFBIG;
		return -1;
	}
	int rc = replace_file(dst, data, (size_t)len, 0644);
	int saved = errno;
	free(data);
	errno = saved;
	return rc;
}

bool same_content(const char *a, const char *b)
{
	char *text_a = NULL, *text_b = NULL;
	ssize_t len_a = read_text(a, &text_a, 64 << 20);
	ssize_t len_b = len_a == -1 ? -1 : read_text(b, &text_b, 64 << 20);
	bool same = len_a != -1 && len_b == len_a &&
		    memcmp(text_a, text_b, (size_t)len_a) == 0;

	free(text_a);
	free(text_b);
	return same;
}

int mkdir_p(const char *path)
{
	char *copy = xstrdup(path);

	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0755) == -1 && errno != EEXIST) {
			int e = errno;
			free(copy);
			errno = e;
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	return is_dir(path) ? 0 : (errno = ENOTDIR, -1);
}

/* Empties the directory open as dirfd, then closes it. */
static int empty_dir(int dirfd)
{
	DIR *dir = fdopendir(dirfd);
	struct dirent *entry;
	int rc = 0;

	if (dir == NULL) {
		close(dirfd);
		return -1;
	}
	while ((entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR && errno != EPERM) {
			rc = -1;
			continue;
		}
		/* a directory: make it ours to empty, without following a symlink */
		fchmodat(dirfd, name, 0700, 0);
		int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				 O_CLOEXEC);
		if (sub == -1 || empty_dir(sub) == -1 ||
		    unlinkat(dirfd, name, AT_REMOVEDIR) == -1)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

int remove_tree(const char *path)
{
	chmod(path, 0700);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (empty_dir(fd) == -1)
		return -1;
	return rmdir(path);
}

char *find_in_path(const char *cmd)
{
	const char *path = getenv("PATH");
	char *dirs = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *found = NULL, *save = NULL;

	for (char *dir = strtok_r(dirs, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *candidate = xstrfmt("%s/%s", dir, cmd);
		if (access(candidate, X_OK) == 0 && is_file(candidate))
			found = candidate;
		else
			free(candidate);
	}
	free(dirs);
	return found;
}

/* ---- child processes ---- */

int spawn_capture(char *const argv[], const char *cwd, char **output)
{
	int out[2], exec_err[2], status, child_errno = 0;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(exec_err, O_CLOEXEC) == -1) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		signals_default();
		if (null == -1 || dup2(null, 0) == -1 || dup2(out[1], 1) == -1 ||
		    dup2(out[1], 2) == -1 || (cwd && chdir(cwd) == -1))
			goto fail;
		execvp(argv[0], argv);
fail:
		child_errno = errno;
		(void)!write(exec_err[1], &child_errno, sizeof(child_errno));
		_exit(127);
	}
	close(out[1]);
	close(exec_err[1]);
	if (pid == -1) {
		int saved = errno;
		close(out[0]);
		close(exec_err[0]);
		errno = saved;
		return -1;
	}
	if (read_fd_text(out[0], output, 4 << 20) == -1)
		*output = xstrdup("");
	close(out[0]);
	while (read(exec_err[0], &child_errno, sizeof(child_errno)) == -1 &&
	       errno == EINTR)
		;
	close(exec_err[0]);
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			child_errno = errno;
			break;
		}
	}
	if (child_errno) {
		free(*output);
		*output = NULL;
		errno = child_errno;
		return -1;
	}
	return status;
}

bool use_colour(int fd)
{
	const char *no_colour = getenv("NO_COLOR");

	return isatty(fd) && (no_colour == NULL || *no_colour == '\0');
}

int terminal_width(int fd)
{
	const char *columns = getenv("COLUMNS");
	struct winsize size;
	char *end;

	if (columns && *columns) {
		long n = strtol(columns, &end, 10);
		if (*end == '\0' && n > 0 && n < 10000)
			return (int)n;
	}
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
		return size.ws_col;
	return 0;
}

/* ---- signals ---- */

volatile sig_atomic_t interrupted_by;
static int self_pipe[2] = {-1, -1};

static void on_signal(int signo)
{
	int saved = errno;

	interrupted_by = signo;
	(void)!write(self_pipe[1], "", 1);
	errno = saved;
}

void signals_setup(void)
{
	struct sigaction sa;

	if (pipe2(self_pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		die_errno("pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll(), waitpid() see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);	/* the terminal closed: clean up all the same */
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout must not kill us mid-cleanup */
}

int signal_fd(void)
{
	return self_pipe[0];
}

void signal_fd_drain(void)
{
	char buf[64];

	while (read(self_pipe[0], buf, sizeof(buf)) > 0)
		;
}

void signals_default(void)
{
	sigset_t none;

	/* Ignored signals stay ignored across exec; a SIGPIPE test needs the default. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void reraise_interrupt(void)
{
	int signo = interrupted_by ? interrupted_by : SIGTERM;

	fflush(stdout);
	signal(signo, SIG_DFL);
	raise(signo);
	_exit(128 + signo);
}

void hide_from_tests(const char *path)
{
	char *absolute = realpath(path, NULL);
	const char *old = getenv("IPCLAB_HIDE");

	if (absolute == NULL || strchr(absolute, ':')) {
		free(absolute);
		return;
	}
	char *list = old && *old ? xstrfmt("%s:%s", old, absolute) : xstrdup(absolute);
	setenv("IPCLAB_HIDE", list, 1);
	free(list);
	free(absolute);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median_of(double *values, int n)
{
	if (n == 0)
		return 0;
	qsort(values, (size_t)n, sizeof(*values), compare_doubles);
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
