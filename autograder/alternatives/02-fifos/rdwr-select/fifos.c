/*
 * fifos.c - Lab 02, an alternative correct solution: the server holds one
 * O_RDWR descriptor and waits for requests in select(2); the client waits
 * with select(2) too and reads its reply without ever clearing O_NONBLOCK.
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
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fifos.h"

/* Closes @p fd where a failure changes nothing; keeps errno. */
static void close_saving_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* Removes @p path where a failure changes nothing; keeps errno. */
static void unlink_saving_errno(const char *path)
{
	int saved = errno;

	unlink(path);
	errno = saved;
}

/* Formats a path into @p buf; ENAMETOOLONG when it does not fit. */
static int format_path(char *buf, size_t cap, const char *dir, const char *name, long pid)
{
	int n = pid > 0 ? snprintf(buf, cap, "%s/%s%ld", dir, name, pid)
			: snprintf(buf, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Waits until @p fd is readable (data, or a writer that came and went). */
static int select_readable(int fd)
{
	if (fd >= FD_SETSIZE) {
		errno = EBADF;		/* select(2) cannot watch it */
		return -1;
	}
	for (;;) {
		fd_set readable;

		FD_ZERO(&readable);
		FD_SET(fd, &readable);
		if (select(fd + 1, &readable, NULL, NULL, NULL) >= 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* ---- §3.1 ---- */

int fifo_make(const char *path, mode_t mode)
{
	struct stat st;

	/* Look first, create only when nothing is there. Another process may
	 * create the path between the two steps: then look again. */
	for (;;) {
		if (stat(path, &st) == 0) {
			if (S_ISFIFO(st.st_mode))
				return 0;
			errno = EEXIST;
			return -1;
		}
		if (errno != ENOENT)
			return -1;
		if (mkfifo(path, mode) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
}

int fifo_open_writer(const char *path, bool wait)
{
	int flags = O_WRONLY | O_CLOEXEC;
	int fd;

	if (!wait)
		flags |= O_NONBLOCK;	/* ENXIO at once when there is no reader */
	while ((fd = open(path, flags)) == -1)
		if (errno != EINTR)
			return -1;
	/* A new descriptor has no status flag but O_NONBLOCK: clear them all. */
	if (!wait && fcntl(fd, F_SETFL, 0) == -1) {
		close_saving_errno(fd);
		return -1;
	}
	return fd;
}

/* ---- §3.2 ---- */

int server_open(struct fifo_server *server, const char *dir)
{
	if (strlen(dir) >= sizeof server->dir ||
	    format_path(server->request_path, sizeof server->request_path, dir,
			FIFO_REQUEST_NAME, 0) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(server->dir, dir);
	if (fifo_make(server->request_path, 0600) == -1)
		return -1;
	/* SIG_IGN has no flags or mask to keep: signal() is enough here.
	 * One descriptor is reader and writer at once: on Linux O_RDWR never
	 * waits for a partner, and the server is its own keep-alive writer. */
	server->keepalive_fd = -1;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR ||
	    (server->request_fd = open(server->request_path, O_RDWR | O_CLOEXEC)) == -1) {
		unlink_saving_errno(server->request_path);
		return -1;
	}
	return 0;
}

/* Waits for a request, then reads it whole (EIO on a partial one). */
static int next_request(int fd, struct fifo_request *request)
{
	size_t got = 0;

	while (got < sizeof *request) {
		ssize_t n;

		if (select_readable(fd) == -1)
			return -1;
		n = read(fd, (char *)request + got, sizeof *request - got);
		if (n > 0) {
			got += (size_t)n;
		} else if (n == 0) {
			errno = EIO;
			return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg)
{
	struct fifo_request request;
	char path[FIFO_PATH_MAX];
	int reply_fd, result;

	if (next_request(server->request_fd, &request) == -1)
		return -1;
	if (request.client_pid <= 0 || strnlen(request.text, sizeof request.text) ==
	    sizeof request.text)
		return 0;
	if (format_path(path, sizeof path, server->dir, FIFO_REPLY_PREFIX,
			request.client_pid) == -1)
		return -1;
	reply_fd = fifo_open_writer(path, false);
	if (reply_fd == -1)
		return errno == ENXIO || errno == ENOENT ? 0 : -1;
	result = handler(&request, reply_fd, arg) == 0 ? 1 : -1;
	if (result == -1 && errno == EPIPE)
		result = 0;		/* the client left while we wrote */
	close_saving_errno(reply_fd);
	return result;
}

int server_close(struct fifo_server *server)
{
	int result = close(server->request_fd);

	if (server->keepalive_fd != -1 && close(server->keepalive_fd) == -1)
		result = -1;
	if (unlink(server->request_path) == -1)
		result = -1;
	return result;
}

/* ---- §3.3 ---- */

/* Sends @p request in one write(2) to the server in @p dir. */
static int post(const char *dir, const struct fifo_request *request)
{
	char path[FIFO_PATH_MAX];
	ssize_t n;
	int fd;

	if (format_path(path, sizeof path, dir, FIFO_REQUEST_NAME, 0) == -1)
		return -1;
	fd = fifo_open_writer(path, false);
	if (fd == -1)
		return -1;
	while ((n = write(fd, request, sizeof *request)) == -1 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof *request) {
		if (n >= 0)
			errno = EIO;
		close_saving_errno(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Reads the reply from the non-blocking @p fd until end of file, waiting in
 * select(2) whenever it has nothing yet. Before the server has opened the
 * FIFO select does not return, so the first 0 from read is the real end.
 */
static ssize_t receive_reply(int fd, char *reply, size_t cap)
{
	size_t len = 0;

	for (;;) {
		char spare;
		ssize_t n;

		if (select_readable(fd) == -1)
			return -1;
		n = len + 1 < cap ? read(fd, reply + len, cap - 1 - len) : read(fd, &spare, 1);
		if (n == 0)
			break;
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		if (len + 1 >= cap) {
			errno = ENOBUFS;
			return -1;
		}
		len += (size_t)n;
	}
	if (cap > 0)
		reply[len] = '\0';
	return (ssize_t)len;
}

ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap)
{
	struct fifo_request request;
	char path[FIFO_PATH_MAX];
	ssize_t len = -1;
	int fd;

	if (strlen(text) >= sizeof request.text) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(&request, 0, sizeof request);
	request.client_pid = getpid();
	strcpy(request.text, text);
	if (format_path(path, sizeof path, dir, FIFO_REPLY_PREFIX, request.client_pid) == -1)
		return -1;
	if (fifo_make(path, 0600) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd != -1) {
		if (post(dir, &request) == 0)
			len = receive_reply(fd, reply, cap);
		close_saving_errno(fd);
	}
	unlink_saving_errno(path);	/* ours to remove, on every path */
	return len;
}
