/*
 * pipes.c - Lab 01: pipes. The functions declared in pipes.h.
 *
 * Usage: `make` builds it with pipeline.c into the demo program `pipeline`;
 * `ipclab test 01` grades it. Partner: pipeline.c. Handout: README.md, §3
 * (one subsection per group of functions). The contracts in pipes.h are
 * exactly what the tests check.
 */
#ifdef SOLUTION
/*
 * Reference edition, the worked answer of the course. Habits to copy: every
 * syscall's result is checked, partial I/O and EINTR are retried, every
 * descriptor is closed on every path (error paths included), and a forked
 * child never returns into its caller.
 */
#else
/*
 * Your edition: replace each TODO(lab01) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */
#endif

#define _GNU_SOURCE		/* F_SETPIPE_SZ, F_GETPIPE_SZ */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipes.h"

/* pipe(2) puts the read end in fds[0] and the write end in fds[1]. */
enum { READ_END = 0, WRITE_END = 1 };
#ifdef SOLUTION

/*
 * Closes a descriptor on a path where nothing can be done if close fails,
 * keeping errno for the caller: the error worth reporting is the one that
 * led here. (On Linux a pipe end is released even when close(2) reports an
 * error, so retrying would be wrong.)
 */
static void close_end(int fd)
{
	int saved_errno = errno;

	close(fd);
	errno = saved_errno;
}

/*
 * Waits for child @p pid, retrying EINTR. Returns its status as a shell
 * reports it (exit status, or 128 + the signal that killed it), or -1.
 */
static int reap_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Kills and reaps a child we can no longer use, keeping errno. */
static void stop_child(pid_t pid)
{
	int saved_errno = errno;

	kill(pid, SIGKILL);
	reap_child(pid);
	errno = saved_errno;
}
#endif

/* ---- §3.1: read_full() and write_full() ------------------------------- */

ssize_t read_full(int fd, void *buf, size_t count)
{
#ifdef SOLUTION
	char *bytes = buf;
	size_t done = 0;

	while (done < count) {
		ssize_t n = read(fd, bytes + done, count - done);

		if (n == -1) {
			if (errno == EINTR)
				continue;	/* a signal arrived before any data */
			return -1;
		}
		if (n == 0)
			break;		/* end of file: report what we have */
		done += (size_t)n;
	}
	return (ssize_t)done;
#else
	/* TODO(lab01): call read(2) until count bytes are in buf or end of file
	 * comes. Handout §3.1 lists what read(2) may do instead. */
	(void)fd;
	(void)buf;
	(void)count;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t write_full(int fd, const void *buf, size_t count)
{
#ifdef SOLUTION
	const char *bytes = buf;
	size_t done = 0;

	while (done < count) {
		ssize_t n = write(fd, bytes + done, count - done);

		if (n == -1) {
			if (errno == EINTR)
				continue;	/* interrupted before writing anything */
			return -1;
		}
		done += (size_t)n;	/* a short write: send the rest */
	}
	return (ssize_t)done;
#else
	/* TODO(lab01): call write(2) until all count bytes are out.
	 * Handout §3.1 lists what write(2) may do instead. */
	(void)fd;
	(void)buf;
	(void)count;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.2: run_pipeline() -------------------------------------------- */
#ifdef SOLUTION

/*
 * Runs in a freshly forked child: makes pipe end @p used (READ_END or
 * WRITE_END of @p pipe_fds) the child's descriptor @p target_fd, closes the
 * other end and the original, and executes @p argv. When that fails, the
 * child writes errno to @p report_fd (unless it is -1) and exits with 127.
 * Never returns: a child that returned would run the rest of its parent's
 * program a second time.
 */
static void __attribute__((noreturn))
exec_on_pipe(char *const argv[], const int pipe_fds[2], int used, int target_fd,
	     int report_fd)
{
	int exec_errno;

	/* Close the unused end first: it may itself sit on target_fd (when
	 * the caller had stdin or stdout closed, pipe(2) reuses 0 or 1). */
	close(pipe_fds[used == READ_END ? WRITE_END : READ_END]);
	if (pipe_fds[used] != target_fd) {
		if (dup2(pipe_fds[used], target_fd) == -1)
			goto failed;
		close(pipe_fds[used]);
	}
	execvp(argv[0], argv);
failed:
	exec_errno = errno;
	/* If even this fails, the parent sees EOF and then the status 127. */
	if (report_fd != -1 && write(report_fd, &exec_errno, sizeof exec_errno) == -1)
		_exit(127);
	/* _exit, not exit: exit would flush a copy of the parent's stdio
	 * buffers and run its atexit handlers. 127: "command not found". */
	_exit(127);
}

/* Forks a child running @p argv on a pipe end (see exec_on_pipe()).
 * Returns the child's pid, or -1 if fork failed. */
static pid_t spawn_on_pipe(char *const argv[], const int pipe_fds[2], int used,
			   int target_fd)
{
	pid_t pid = fork();

	if (pid == 0)
		exec_on_pipe(argv, pipe_fds, used, target_fd, -1);
	return pid;
}
#endif

int run_pipeline(char *const cmd1[], char *const cmd2[])
{
#ifdef SOLUTION
	int pipe_fds[2];
	pid_t writer, reader;
	int writer_status, reader_status;

	/* Each child closes both ends once it has dup2'ed its own; the parent
	 * closes both as soon as the two children are started (or failed). */
	if (pipe(pipe_fds) == -1)
		return -1;
	writer = spawn_on_pipe(cmd1, pipe_fds, WRITE_END, STDOUT_FILENO);
	if (writer == -1) {
		close_end(pipe_fds[READ_END]);
		close_end(pipe_fds[WRITE_END]);
		return -1;
	}
	reader = spawn_on_pipe(cmd2, pipe_fds, READ_END, STDIN_FILENO);
	/* Until the parent's write end is closed, cmd2 never sees EOF. */
	close_end(pipe_fds[READ_END]);
	close_end(pipe_fds[WRITE_END]);
	if (reader == -1) {
		stop_child(writer);	/* "nothing is left running" */
		return -1;
	}
	writer_status = reap_child(writer);
	reader_status = reap_child(reader);
	return writer_status == -1 ? -1 : reader_status;
#else
	/* TODO(lab01): start cmd1 | cmd2 and return cmd2's status. Handout §3.2
	 * has the diagram of who closes what. */
	(void)cmd1;
	(void)cmd2;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.3: feed_command() -------------------------------------------- */
#ifdef SOLUTION

/*
 * Forks a child running @p cmd with the read end of @p pipe_fds as its stdin
 * (exec_on_pipe()), and a close-on-exec pipe on which the child reports a
 * failed execvp. Stores that pipe's read end in *report_fd, for
 * exec_error(); the parent's copy of the write end is closed here. Returns
 * the child's pid, or -1 with errno from pipe2 or fork (nothing left open).
 */
static pid_t spawn_reporting(char *const cmd[], const int pipe_fds[2], int *report_fd)
{
	int report[2];
	pid_t child;

	if (pipe2(report, O_CLOEXEC) == -1)
		return -1;
	child = fork();
	if (child == 0)		/* its copy of the read end goes at exec or exit */
		exec_on_pipe(cmd, pipe_fds, READ_END, STDIN_FILENO, report[WRITE_END]);
	/* Until the parent's own write end is closed, its read sees no EOF. */
	close_end(report[WRITE_END]);
	if (child == -1) {
		close_end(report[READ_END]);
		return -1;
	}
	*report_fd = report[READ_END];
	return child;
}

/*
 * Reads what spawn_reporting()'s child reported, and closes @p report_fd.
 * End of file means a successful execvp closed the child's copy: returns 0,
 * errno untouched. Else returns the child's errno (4 bytes, sent in one
 * atomic write), or the read's own errno if it failed.
 */
static int exec_error(int report_fd)
{
	int exec_errno = 0;

	if (read_full(report_fd, &exec_errno, sizeof exec_errno) == -1)
		exec_errno = errno;
	close_end(report_fd);
	return exec_errno;
}

/*
 * Writes @p data to a pipe whose reader may already be gone. SIGPIPE is
 * ignored during the writes, so a vanished reader shows up as EPIPE instead
 * of killing us; the caller's disposition is restored before returning.
 * EPIPE is not an error here: the reader had all it wanted. Returns 0 or -1.
 */
static int write_to_reader(int write_end, const void *data, size_t len)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct sigaction saved_action;
	int write_errno = 0;

	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGPIPE, &ignore, &saved_action) == -1)
		return -1;
	if (write_full(write_end, data, len) == -1 && errno != EPIPE)
		write_errno = errno;
	if (sigaction(SIGPIPE, &saved_action, NULL) == -1)
		return -1;
	if (write_errno != 0) {
		errno = write_errno;
		return -1;
	}
	return 0;
}
#endif

int feed_command(char *const cmd[], const void *data, size_t len)
{
#ifdef SOLUTION
	int pipe_fds[2], report_fd, written, exec_errno;
	pid_t child;

	/* The child closes both ends once its stdin is the read end; the
	 * parent closes the read end at once and the write end after the data,
	 * which is how the command learns that the input is over. */
	if (pipe(pipe_fds) == -1)
		return -1;
	/* Forked before SIGPIPE is ignored: ignored signals stay ignored
	 * across execvp, and the command must keep the caller's disposition. */
	child = spawn_reporting(cmd, pipe_fds, &report_fd);
	close_end(pipe_fds[READ_END]);
	if (child == -1) {
		close_end(pipe_fds[WRITE_END]);
		return -1;
	}
	/* A command that could not be executed has exited: EPIPE, or data
	 * left in the pipe. Either way its report tells, after the writes. */
	written = write_to_reader(pipe_fds[WRITE_END], data, len);
	close_end(pipe_fds[WRITE_END]);
	exec_errno = exec_error(report_fd);
	if (written == -1 || exec_errno != 0) {
		if (exec_errno != 0)
			errno = exec_errno;
		stop_child(child);	/* its input is incomplete anyway */
		return -1;
	}
	return reap_child(child);
#else
	/* TODO(lab01): start cmd reading from a pipe, write data into it, and
	 * survive the command exiting early. Handout §3.3. */
	(void)cmd;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.4: measure_pipe_capacity() and set_pipe_capacity() ----------- */
#ifdef SOLUTION

/*
 * Writes into a non-blocking write end until the pipe is full (EAGAIN).
 * Stores in *written how many bytes went in, on error too, so that the
 * caller can read them back. Returns 0 or -1.
 */
static int fill_pipe(int write_fd, long *written)
{
	/* Larger than PIPE_BUF on purpose: such a write is not atomic, so the
	 * kernel takes whatever room is left instead of refusing the chunk. */
	static const char chunk[2 * PIPE_BUF];

	*written = 0;
	for (;;) {
		ssize_t n = write(write_fd, chunk, sizeof chunk);

		if (n == -1) {
			if (errno == EAGAIN)
				return 0;	/* full: that is the measurement */
			if (errno == EINTR)
				continue;
			return -1;
		}
		*written += n;
	}
}

/* Reads exactly @p count bytes from @p read_fd and throws them away. */
static int drain_pipe(int read_fd, long count)
{
	char chunk[2 * PIPE_BUF];

	while (count > 0) {
		size_t want = count < (long)sizeof chunk ? (size_t)count : sizeof chunk;
		ssize_t n = read_full(read_fd, chunk, want);

		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EIO;	/* we hold a write end: EOF cannot happen */
			return -1;
		}
		count -= n;
	}
	return 0;
}
#endif

long measure_pipe_capacity(int read_fd, int write_fd)
{
#ifdef SOLUTION
	long filled;
	int first_errno = 0;
	int flags = fcntl(write_fd, F_GETFL);

	if (flags == -1)
		return -1;
	if (fcntl(write_fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	if (fill_pipe(write_fd, &filled) == -1)
		first_errno = errno;
	/* Restore and drain even after a failure: the caller gets its pipe
	 * back empty and with its own flags, as the contract promises. */
	if (fcntl(write_fd, F_SETFL, flags) == -1 && first_errno == 0)
		first_errno = errno;
	if (drain_pipe(read_fd, filled) == -1 && first_errno == 0)
		first_errno = errno;
	if (first_errno != 0) {
		errno = first_errno;
		return -1;
	}
	return filled;
#else
	/* TODO(lab01): fill the pipe without blocking, counting the bytes, then
	 * empty it and leave both ends as you found them. Handout §3.4. */
	(void)read_fd;
	(void)write_fd;
	errno = ENOSYS;
	return -1;
#endif
}

long set_pipe_capacity(int fd, long bytes)
{
#ifdef SOLUTION
	/* fcntl(2) takes the size as an int: refuse what would be truncated. */
	if (bytes < 0 || bytes > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* On success F_SETPIPE_SZ returns the size granted, rounded up. */
	return fcntl(fd, F_SETPIPE_SZ, (int)bytes);
#else
	/* TODO(lab01): ask the kernel for the new size and return what it
	 * granted. Handout §3.4. */
	(void)fd;
	(void)bytes;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.5: uppercase_filter() and filter_through_child() ------------- */

int uppercase_filter(int in_fd, int out_fd)
{
#ifdef SOLUTION
	char chunk[PIPE_BUF];

	for (;;) {
		/* A plain read(2), not read_full(): a filter passes on what it
		 * has at once instead of waiting for a full chunk. */
		ssize_t n = read(in_fd, chunk, sizeof chunk);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		/* ASCII only, as promised: toupper(3) depends on the locale. */
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i] >= 'a' && chunk[i] <= 'z')
				chunk[i] -= 'a' - 'A';
		if (write_full(out_fd, chunk, (size_t)n) == -1)
			return -1;
	}
#else
	/* TODO(lab01): copy in_fd to out_fd chunk by chunk, upper-casing ASCII
	 * letters, until end of file. Handout §3.5. */
	(void)in_fd;
	(void)out_fd;
	errno = ENOSYS;
	return -1;
#endif
}
#ifdef SOLUTION

/* Where the parent's side of filter_through_child() stands. */
struct exchange {
	int request_fd;		/* write end of the request pipe; -1 once closed */
	int reply_fd;		/* read end of the reply pipe */
	const char *in;
	size_t len, sent;
	char *out;
	size_t out_cap, received;
};

/* The child: reads the request, writes the reply, never returns. */
static void __attribute__((noreturn))
filter_child(const int request[2], const int reply[2])
{
	/* Our copy of the request write end would keep us from ever seeing
	 * EOF on the request; the reply read end is the parent's business. */
	close(request[WRITE_END]);
	close(reply[READ_END]);
	_exit(uppercase_filter(request[READ_END], reply[WRITE_END]) == 0 ? 0 : 1);
}

/* Writes as much of the request as the pipe takes now (the write end is
 * non-blocking), and closes it once all is sent so the child sees EOF. */
static int send_some(struct exchange *x)
{
	if (x->sent < x->len) {
		ssize_t n = write(x->request_fd, x->in + x->sent, x->len - x->sent);

		if (n == -1)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		x->sent += (size_t)n;
	}
	if (x->sent == x->len) {
		close_end(x->request_fd);
		x->request_fd = -1;	/* poll(2) skips negative descriptors */
	}
	return 0;
}

/* Reads what the reply pipe holds. Returns 1 after data, 0 at EOF, -1 on
 * error (ENOBUFS when more arrives than out can hold). */
static int receive_some(struct exchange *x)
{
	char spare;
	size_t room = x->out_cap - x->received;
	/* With out full, one more byte tells EOF apart from an overflow. */
	ssize_t n = room > 0 ? read(x->reply_fd, x->out + x->received, room)
			     : read(x->reply_fd, &spare, 1);

	if (n == -1)
		return errno == EINTR ? 1 : -1;
	if (n > 0 && room == 0) {
		errno = ENOBUFS;
		return -1;
	}
	x->received += (size_t)n;
	return n > 0;
}

/*
 * Sends the request and collects the reply at the same time: poll(2) says
 * which pipe can move. Writing everything first would deadlock once the
 * request outgrows what the two pipes and the child's buffer can hold.
 * Returns 0 at the reply's EOF, or -1.
 */
static int exchange_with_child(struct exchange *x)
{
	if (x->len == 0 && send_some(x) == -1)	/* nothing to send: close now */
		return -1;
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = x->reply_fd, .events = POLLIN },
			{ .fd = x->request_fd, .events = POLLOUT },
		};
		int got;

		if (poll(fds, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (fds[1].revents != 0 && send_some(x) == -1)
			return -1;
		if (fds[0].revents == 0)
			continue;
		got = receive_some(x);
		if (got <= 0)
			return got;
	}
}

/*
 * The parent after the fork: runs the exchange, closes its two ends and
 * reaps the child. Returns the number of bytes received, or -1.
 */
static ssize_t parent_side(struct exchange *x, pid_t child)
{
	int result = -1;
	int status;

	/* A new pipe end has no other status flags to keep. */
	if (fcntl(x->request_fd, F_SETFL, O_NONBLOCK) != -1)
		result = exchange_with_child(x);
	if (x->request_fd != -1)
		close_end(x->request_fd);
	close_end(x->reply_fd);
	if (result == -1) {
		stop_child(child);	/* its work is no longer wanted */
		return -1;
	}
	status = reap_child(child);
	if (status == -1)
		return -1;
	if (status != 0) {
		errno = EIO;		/* the filter failed: the reply is not whole */
		return -1;
	}
	return (ssize_t)x->received;
}
#endif

ssize_t filter_through_child(const char *in, size_t len, char *out, size_t out_cap)
{
#ifdef SOLUTION
	int request[2], reply[2];
	struct exchange x = { .in = in, .len = len, .out = out, .out_cap = out_cap };
	pid_t child;

	/* request: the child reads it, the parent writes it; reply: the other
	 * way round. After the fork each side closes the two ends it does not
	 * use (the child in filter_child()); the parent closes its own two in
	 * parent_side(), the request write end as soon as all is sent. */
	if (pipe(request) == -1)
		return -1;
	if (pipe(reply) == -1) {
		close_end(request[READ_END]);
		close_end(request[WRITE_END]);
		return -1;
	}
	child = fork();
	if (child == 0)
		filter_child(request, reply);
	close_end(request[READ_END]);
	close_end(reply[WRITE_END]);
	x.request_fd = request[WRITE_END];
	x.reply_fd = reply[READ_END];
	if (child == -1) {
		close_end(x.request_fd);
		close_end(x.reply_fd);
		return -1;
	}
	return parent_side(&x, child);
#else
	/* TODO(lab01): send in to a child running uppercase_filter() and collect
	 * its reply. Handout §3.5 explains why writing everything before reading
	 * anything deadlocks. */
	(void)in;
	(void)len;
	(void)out;
	(void)out_cap;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.6: write_message() ------------------------------------------- */

int write_message(int fd, const char *line)
{
#ifdef SOLUTION
	char message[PIPE_BUF];
	size_t size = strlen(line) + 1;		/* the line and its newline */
	ssize_t n;

	if (size > PIPE_BUF) {
		errno = EMSGSIZE;	/* the kernel could split it */
		return -1;
	}
	memcpy(message, line, size - 1);
	message[size - 1] = '\n';
	/* One write(2). On a blocking pipe, EINTR means nothing was written,
	 * so trying again cannot split the message. */
	do
		n = write(fd, message, size);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != size) {
		errno = EIO;	/* a part went out: atomicity is lost */
		return -1;
	}
	return 0;
#else
	/* TODO(lab01): send the line and its newline so that no other writer of
	 * the pipe can come between them. Handout §3.6. */
	(void)fd;
	(void)line;
	errno = ENOSYS;
	return -1;
#endif
}
