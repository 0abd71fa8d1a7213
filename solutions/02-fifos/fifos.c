/*
 * fifos.c - Lab 02: FIFOs. The functions declared in fifos.h.
 *
 * Usage: `make` builds it with server.c and client.c into the demo programs
 * `server` and `client`; `ipclab test 02` grades it. Partners: server.c,
 * client.c. Handout: README.md, §3 (one subsection per group of functions).
 * The contracts in fifos.h are exactly what the tests check.
 */
#ifdef SOLUTION
/*
 * Reference edition, the worked answer of the course. Habits to copy: every
 * open of a FIFO says whether it may wait for the other side, every
 * syscall's result is checked, every descriptor is closed and every FIFO a
 * function creates is removed on every path.
 */
#else
/*
 * Your edition: replace each TODO(lab02) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */
#endif

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fifos.h"
#ifdef SOLUTION

/* Closes @p fd on a path where a failure changes nothing, keeping errno. */
static void close_quietly(int fd)
{
	int saved_errno = errno;

	close(fd);
	errno = saved_errno;
}

/* Removes @p path on a path where a failure changes nothing, keeping errno. */
static void unlink_quietly(const char *path)
{
	int saved_errno = errno;

	unlink(path);
	errno = saved_errno;
}

/* Builds "DIR/NAME" into @p buf. Returns 0, or -1 with ENAMETOOLONG. */
static int join_path(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Builds the path of the reply FIFO of client @p pid in @p dir. */
static int reply_path(char *buf, size_t cap, const char *dir, pid_t pid)
{
	char name[32];

	snprintf(name, sizeof name, FIFO_REPLY_PREFIX "%d", (int)pid);
	return join_path(buf, cap, dir, name);
}

/* Clears O_NONBLOCK on @p fd, keeping its other status flags. */
static int set_blocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}
#endif

/* ---- §3.1: fifo_make() and fifo_open_writer() ------------------------ */

int fifo_make(const char *path, mode_t mode)
{
#ifdef SOLUTION
	struct stat st;

	if (mkfifo(path, mode) == 0)
		return 0;
	if (errno != EEXIST)
		return -1;
	/* Something is there. A FIFO will do as it is: another process may
	 * have it open, and replacing it would cut that process off. */
	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISFIFO(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
#else
	/* TODO(lab02): create the FIFO with mkfifo(3); decide what EEXIST
	 * means by looking at what is there. Handout §3.1. */
	(void)path;
	(void)mode;
	errno = ENOSYS;
	return -1;
#endif
}

int fifo_open_writer(const char *path, bool wait)
{
#ifdef SOLUTION
	int fd;

	/* Without O_NONBLOCK, open(2) of a FIFO sleeps until a reader opens
	 * it too; with it, "no reader" is the immediate error ENXIO. */
	do
		fd = open(path, O_WRONLY | O_CLOEXEC | (wait ? 0 : O_NONBLOCK));
	while (fd == -1 && errno == EINTR);
	if (fd == -1)
		return -1;
	/* O_NONBLOCK was for the open only: writes should wait for room. */
	if (!wait && set_blocking(fd) == -1) {
		close_quietly(fd);
		return -1;
	}
	return fd;
#else
	/* TODO(lab02): open for writing, waiting for a reader or not. Handout
	 * §3.1 shows both behaviours with the shell. */
	(void)path;
	(void)wait;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.2: the server ------------------------------------------------- */
#ifdef SOLUTION

/*
 * Opens both ends of the request FIFO at @p path. The read end first, with
 * O_NONBLOCK so that it does not wait for a writer; then our own write end,
 * which finds a reader (us) and does not wait either. Returns 0 or -1.
 */
static int open_both_ends(struct fifo_server *server, const char *path)
{
	server->request_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (server->request_fd == -1)
		return -1;
	server->keepalive_fd = open(path, O_WRONLY | O_CLOEXEC);
	if (server->keepalive_fd == -1 || set_blocking(server->request_fd) == -1) {
		if (server->keepalive_fd != -1)
			close_quietly(server->keepalive_fd);
		close_quietly(server->request_fd);
		return -1;
	}
	return 0;
}
#endif

int server_open(struct fifo_server *server, const char *dir)
{
#ifdef SOLUTION
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	if (strlen(dir) >= sizeof server->dir ||
	    join_path(server->request_path, sizeof server->request_path, dir,
		      FIFO_REQUEST_NAME) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(server->dir, dir);
	/* A FIFO left by a crashed server is reused: it holds no data. The
	 * server removes it in server_close(); on a failure below, too. */
	if (fifo_make(server->request_path, 0600) == -1)
		return -1;
	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGPIPE, &ignore, NULL) == -1 ||
	    open_both_ends(server, server->request_path) == -1) {
		unlink_quietly(server->request_path);
		return -1;
	}
	return 0;
#else
	/* TODO(lab02): create the request FIFO, open it without waiting for a
	 * client and so that reads never see end of file, and make sure a
	 * vanished client cannot kill the server. Handout §3.2. */
	(void)server;
	(void)dir;
	errno = ENOSYS;
	return -1;
#endif
}
#ifdef SOLUTION

/*
 * Reads one whole request. The clients' writes are atomic and all the same
 * size, so a read never gets part of one, but read(2) is retried as usual.
 * Returns 0, or -1 (EIO at end of file or on a partial request).
 */
static int read_request(int fd, struct fifo_request *request)
{
	char *bytes = (char *)request;
	size_t done = 0;

	while (done < sizeof *request) {
		ssize_t n = read(fd, bytes + done, sizeof *request - done);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;	/* cannot happen while we hold a write end */
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/*
 * Opens the reply FIFO of @p request's client for writing, without waiting:
 * the client opened it for reading before it sent the request, so ENXIO
 * (no reader) or ENOENT (no FIFO) means it has gone. Returns the
 * descriptor (in blocking mode), -2 when the client has gone, or -1 on
 * another error. The caller closes the descriptor.
 */
static int open_reply(const struct fifo_server *server, const struct fifo_request *request)
{
	char path[FIFO_PATH_MAX];
	int fd;

	if (reply_path(path, sizeof path, server->dir, request->client_pid) == -1)
		return -1;
	fd = fifo_open_writer(path, false);
	if (fd == -1 && (errno == ENXIO || errno == ENOENT))
		return -2;
	return fd;
}
#endif

int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg)
{
#ifdef SOLUTION
	struct fifo_request request;
	int reply_fd, handled;

	if (read_request(server->request_fd, &request) == -1)
		return -1;
	if (request.client_pid <= 0 ||
	    memchr(request.text, '\0', sizeof request.text) == NULL)
		return 0;		/* malformed: nobody to answer */
	reply_fd = open_reply(server, &request);
	if (reply_fd == -2)
		return 0;		/* the client left before its reply */
	if (reply_fd == -1)
		return -1;
	/* SIGPIPE is ignored (server_open), so a client that leaves now shows
	 * up as EPIPE in the handler instead of killing us. */
	handled = handler(&request, reply_fd, arg);
	if (handled == -1 && errno == EPIPE)
		handled = 0;
	else if (handled != -1)
		handled = 1;
	close_quietly(reply_fd);	/* the client's end of file */
	return handled;
#else
	/* TODO(lab02): read one request, open the client's reply FIFO without
	 * waiting, call the handler, close. Handout §3.2 lists the ways a
	 * client can vanish. */
	(void)server;
	(void)handler;
	(void)arg;
	errno = ENOSYS;
	return -1;
#endif
}

int server_close(struct fifo_server *server)
{
#ifdef SOLUTION
	int result = 0;

	/* Unlink first: from now on new clients get ENOENT, not a server
	 * that will never read their request. */
	if (unlink(server->request_path) == -1)
		result = -1;
	if (server->keepalive_fd != -1 && close(server->keepalive_fd) == -1)
		result = -1;
	if (close(server->request_fd) == -1)
		result = -1;
	return result;
#else
	/* TODO(lab02): close what server_open() opened and remove the request
	 * FIFO. Handout §3.2. */
	(void)server;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.3: the client ------------------------------------------------- */
#ifdef SOLUTION

/* Writes @p request to the server in @p dir in one write(2). */
static int send_request(const char *dir, const struct fifo_request *request)
{
	char path[FIFO_PATH_MAX];
	ssize_t n;
	int fd;

	if (join_path(path, sizeof path, dir, FIFO_REQUEST_NAME) == -1)
		return -1;
	fd = fifo_open_writer(path, false);	/* ENXIO: no server */
	if (fd == -1)
		return -1;
	/* One write, never a loop: a second write could land after another
	 * client's request. A blocking write of <= PIPE_BUF bytes waits until
	 * all of it fits, and EINTR means that nothing was written. */
	do
		n = write(fd, request, sizeof *request);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		close_quietly(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Waits for the server to open the reply FIFO: poll(2) reports nothing
 * until a writer has come (POLLIN with data, POLLHUP once it has closed
 * again). A read(2) now would return 0 at once, since no writer is there.
 */
static int wait_for_reply(int reply_fd)
{
	struct pollfd pfd = { .fd = reply_fd, .events = POLLIN };

	for (;;) {
		int n = poll(&pfd, 1, -1);

		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

/* Reads the reply until end of file into @p reply (NUL-terminated). */
static ssize_t read_reply(int reply_fd, char *reply, size_t cap)
{
	size_t len = 0;

	if (wait_for_reply(reply_fd) == -1 || set_blocking(reply_fd) == -1)
		return -1;
	for (;;) {
		char spare;
		ssize_t n = len + 1 < cap ? read(reply_fd, reply + len, cap - 1 - len)
					  : read(reply_fd, &spare, 1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;		/* the server closed: the reply is whole */
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
#endif

ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap)
{
#ifdef SOLUTION
	struct fifo_request request = { .client_pid = getpid() };
	char path[FIFO_PATH_MAX];
	ssize_t len = -1;
	int reply_fd;

	if (strlen(text) >= sizeof request.text) {
		errno = EMSGSIZE;
		return -1;
	}
	strcpy(request.text, text);
	if (reply_path(path, sizeof path, dir, request.client_pid) == -1 ||
	    fifo_make(path, 0600) == -1)
		return -1;
	/* This function removes the FIFO it made, whatever happens below.
	 * Opened for reading before the request goes out, so that the
	 * server's non-blocking open cannot find us missing (protocol step 1);
	 * O_NONBLOCK because a plain open would wait for the server, which
	 * opens the FIFO only once it has our request: a deadlock. */
	reply_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (reply_fd != -1) {
		if (send_request(dir, &request) == 0)
			len = read_reply(reply_fd, reply, cap);
		close_quietly(reply_fd);
	}
	unlink_quietly(path);
	return len;
#else
	/* TODO(lab02): make and open your reply FIFO, send the request in one
	 * write, read the reply until end of file, remove the FIFO. Handout
	 * §3.3 explains the order and why it matters. */
	(void)dir;
	(void)text;
	(void)reply;
	(void)cap;
	errno = ENOSYS;
	return -1;
#endif
}
