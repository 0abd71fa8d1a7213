/*
 * fifos.c - Lab 02, an alternative correct solution: the server replaces a
 * stale request FIFO and opens both of its ends with O_NONBLOCK, clearing it
 * afterwards with ioctl(FIONBIO); the client waits for its reply in epoll.
 *
 * Written from fifos.h and the handout only. The self-check
 * (alternatives_full_marks) grades it: it must score what the reference does.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fifos.h"

/* Runs close(2) on a path that already failed; keeps the first errno. */
static void discard_fd(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* Runs unlink(2) on a path that already failed; keeps the first errno. */
static void discard_path(const char *path)
{
	int saved = errno;

	unlink(path);
	errno = saved;
}

/* Puts @p fd back in blocking mode, the other status flags untouched. */
static int blocking(int fd)
{
	int off = 0;

	return ioctl(fd, FIONBIO, &off);
}

/* Opens @p path with @p flags, retrying EINTR (a FIFO open can wait). */
static int open_retrying(const char *path, int flags)
{
	int fd;

	do
		fd = open(path, flags | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	return fd;
}

/* ---- §3.1 ---- */

int fifo_make(const char *path, mode_t mode)
{
	struct stat st;

	/* mknod(2) with S_IFIFO is what mkfifo(3) calls. */
	if (mknod(path, S_IFIFO | (mode & 07777), 0) == 0)
		return 0;
	if (errno != EEXIST || stat(path, &st) == -1)
		return -1;
	if (!S_ISFIFO(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

int fifo_open_writer(const char *path, bool wait)
{
	int fd = open_retrying(path, O_WRONLY | (wait ? 0 : O_NONBLOCK));

	if (fd == -1 || wait)
		return fd;
	if (blocking(fd) == -1) {
		discard_fd(fd);
		return -1;
	}
	return fd;
}

/* ---- §3.2 ---- */

/*
 * Makes a fresh request FIFO at @p path. A FIFO there is a crashed server's
 * and holds nothing: it is replaced. Anything else stays (EEXIST).
 */
static int fresh_fifo(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		if (!S_ISFIFO(st.st_mode)) {
			errno = EEXIST;
			return -1;
		}
		if (unlink(path) == -1 && errno != ENOENT)
			return -1;
	} else if (errno != ENOENT) {
		return -1;
	}
	return fifo_make(path, 0600);
}

/*
 * The read end first, without waiting (no writer yet); then the keep-alive
 * write end, which finds us as its reader. Both were opened non-blocking:
 * both go back to blocking mode.
 */
static int open_ends(struct fifo_server *server)
{
	server->request_fd = open_retrying(server->request_path, O_RDONLY | O_NONBLOCK);
	if (server->request_fd == -1)
		return -1;
	server->keepalive_fd = open_retrying(server->request_path, O_WRONLY | O_NONBLOCK);
	if (server->keepalive_fd == -1) {
		discard_fd(server->request_fd);
		return -1;
	}
	if (blocking(server->request_fd) == -1 || blocking(server->keepalive_fd) == -1) {
		discard_fd(server->keepalive_fd);
		discard_fd(server->request_fd);
		return -1;
	}
	return 0;
}

int server_open(struct fifo_server *server, const char *dir)
{
	struct sigaction ignore;
	int n = snprintf(server->request_path, sizeof server->request_path, "%s/%s", dir,
			 FIFO_REQUEST_NAME);

	if (n < 0 || (size_t)n >= sizeof server->request_path ||
	    strlen(dir) >= sizeof server->dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(server->dir, dir, strlen(dir) + 1);
	if (fresh_fifo(server->request_path) == -1)
		return -1;
	memset(&ignore, 0, sizeof ignore);
	ignore.sa_handler = SIG_IGN;
	if (sigemptyset(&ignore.sa_mask) == -1 || sigaction(SIGPIPE, &ignore, NULL) == -1 ||
	    open_ends(server) == -1) {
		discard_path(server->request_path);
		return -1;
	}
	return 0;
}

/* A request as raw bytes, so that a read can fill it piece by piece. */
union request_bytes {
	struct fifo_request request;
	char bytes[sizeof(struct fifo_request)];
};

int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg)
{
	union request_bytes in;
	char path[FIFO_PATH_MAX];
	size_t have = 0;
	int fd, n, handled;

	while (have < sizeof in.bytes) {
		ssize_t got = read(server->request_fd, in.bytes + have, sizeof in.bytes - have);

		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1)
			return -1;
		if (got == 0) {
			errno = EIO;	/* impossible while we keep a write end */
			return -1;
		}
		have += (size_t)got;
	}
	if (in.request.client_pid <= 0 ||
	    memchr(in.request.text, '\0', sizeof in.request.text) == NULL)
		return 0;
	n = snprintf(path, sizeof path, "%s/" FIFO_REPLY_PREFIX "%d", server->dir,
		     (int)in.request.client_pid);
	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = fifo_open_writer(path, false);
	if (fd == -1)
		return errno == ENXIO || errno == ENOENT ? 0 : -1;
	handled = handler(&in.request, fd, arg);
	if (handled == 0)
		handled = 1;
	else if (errno == EPIPE)
		handled = 0;
	else
		handled = -1;
	discard_fd(fd);
	return handled;
}

int server_close(struct fifo_server *server)
{
	int failed = unlink(server->request_path) == -1;

	if (server->keepalive_fd != -1)
		failed |= close(server->keepalive_fd) == -1;
	failed |= close(server->request_fd) == -1;
	return failed ? -1 : 0;
}

/* ---- §3.3 ---- */

/* Waits in epoll until a writer has come to @p fd (data or a hang-up). */
static int await_writer(int fd)
{
	struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	int n;

	if (epfd == -1)
		return -1;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == -1) {
		discard_fd(epfd);
		return -1;
	}
	do
		n = epoll_wait(epfd, &event, 1, -1);
	while (n == -1 && errno == EINTR);
	discard_fd(epfd);
	return n == -1 ? -1 : 0;
}

/* Blocking reads until end of file; ENOBUFS past @p cap - 1 bytes. */
static ssize_t read_to_eof(int fd, char *reply, size_t cap)
{
	size_t len = 0;
	char overflow;

	for (;;) {
		bool full = len + 1 >= cap;
		ssize_t n = full ? read(fd, &overflow, 1) : read(fd, reply + len, cap - 1 - len);

		if (n == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (full) {
			errno = ENOBUFS;
			return -1;
		}
		len += (size_t)n;
	}
	if (cap > 0)
		reply[len] = '\0';
	return (ssize_t)len;
}

/* Opens the server's request FIFO (ENXIO: none) and writes @p request once. */
static int send_once(const char *dir, const struct fifo_request *request)
{
	char path[FIFO_PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", dir, FIFO_REQUEST_NAME);
	ssize_t put;
	int fd;

	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = fifo_open_writer(path, false);
	if (fd == -1)
		return -1;
	do
		put = write(fd, request, sizeof *request);
	while (put == -1 && errno == EINTR);
	if (put != (ssize_t)sizeof *request) {
		if (put != -1)
			errno = EIO;
		discard_fd(fd);
		return -1;
	}
	return close(fd);
}

ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap)
{
	struct fifo_request request = { .client_pid = getpid() };
	size_t text_len = strlen(text);
	char path[FIFO_PATH_MAX];
	ssize_t result = -1;
	int n, fd;

	if (text_len >= sizeof request.text) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(request.text, text, text_len + 1);
	n = snprintf(path, sizeof path, "%s/" FIFO_REPLY_PREFIX "%d", dir,
		     (int)request.client_pid);
	if (n < 0 || (size_t)n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (fifo_make(path, 0600) == -1)
		return -1;
	fd = open_retrying(path, O_RDONLY | O_NONBLOCK);
	if (fd == -1) {
		discard_path(path);
		return -1;
	}
	if (send_once(dir, &request) == 0 && await_writer(fd) == 0 && blocking(fd) == 0)
		result = read_to_eof(fd, reply, cap);
	discard_fd(fd);
	discard_path(path);
	return result;
}
