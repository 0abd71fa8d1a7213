/*
 * pipes.c - Lab 01, an alternative correct solution: pipes made O_CLOEXEC so
 * exec closes the unused ends, feed_command() starts its command with
 * posix_spawnp(3), and filter_through_child() uses a second child to write
 * the request while the parent reads the reply (no poll at all).
 *
 * Written from pipes.h and the handout only. The self-check
 * (alternatives_full_marks) grades it: it must score what the reference does.
 */
#define _GNU_SOURCE		/* pipe2, F_SETPIPE_SZ */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipes.h"

extern char **environ;

/* Closes @p fd where nothing can be done about a failure; keeps errno. */
static void quiet_close(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* Closes both ends of a pipe; keeps errno. */
static void close_pipe(const int fds[2])
{
	quiet_close(fds[0]);
	quiet_close(fds[1]);
}

ssize_t read_full(int fd, void *buf, size_t count)
{
	char *next = buf, *end = next + count;

	while (next < end) {
		ssize_t n = read(fd, next, (size_t)(end - next));

		if (n == 0)
			break;
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0)
			next += n;
	}
	return next - (char *)buf;
}

ssize_t write_full(int fd, const void *buf, size_t count)
{
	const char *next = buf, *end = next + count;

	while (next < end) {
		ssize_t n = write(fd, next, (size_t)(end - next));

		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0)
			next += n;
	}
	return (ssize_t)count;
}

/* ---- children ---- */

/* Waits for @p pid, retrying EINTR; its status as a shell reports it. */
static int wait_status(pid_t pid)
{
	int status;
	pid_t got;

	do
		got = waitpid(pid, &status, 0);
	while (got == -1 && errno == EINTR);
	if (got == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Kills and reaps a child that is no longer wanted; keeps errno. */
static void abandon(pid_t pid)
{
	int saved = errno;

	kill(pid, SIGKILL);
	wait_status(pid);
	errno = saved;
}

/*
 * Forks a child that runs @p argv with @p fd as its descriptor @p target.
 * The pipe is O_CLOEXEC, so execvp closes every end the child holds except
 * the copy that dup2 makes (dup2 clears the flag on it). When @p fd already
 * is @p target there is no copy: the flag is cleared by hand.
 */
static pid_t start_on(char *const argv[], int fd, int target)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (fd == target) {
		if (fcntl(fd, F_SETFD, 0) == -1)
			_exit(127);
	} else if (dup2(fd, target) == -1) {
		_exit(127);
	}
	execvp(argv[0], argv);
	_exit(127);
}

int run_pipeline(char *const cmd1[], char *const cmd2[])
{
	int fds[2];
	pid_t first, second;
	int status;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	first = start_on(cmd1, fds[1], STDOUT_FILENO);
	if (first == -1) {
		close_pipe(fds);
		return -1;
	}
	second = start_on(cmd2, fds[0], STDIN_FILENO);
	close_pipe(fds);		/* the parent uses neither end */
	if (second == -1) {
		abandon(first);
		return -1;
	}
	/* cmd2 first: its status is the answer; then cmd1, so no zombie. */
	status = wait_status(second);
	if (wait_status(first) == -1)
		return -1;
	return status;
}

/* ---- feed_command ---- */

/*
 * Starts @p cmd with @p read_end as its stdin. posix_spawnp(3) reports an
 * exec failure itself. Returns the pid, or -1 with errno set.
 */
static pid_t spawn_reader(char *const cmd[], int read_end)
{
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int err;

	err = posix_spawn_file_actions_init(&actions);
	if (err == 0) {
		err = posix_spawn_file_actions_adddup2(&actions, read_end, STDIN_FILENO);
		if (err == 0)
			err = posix_spawnp(&pid, cmd[0], &actions, NULL, cmd, environ);
		posix_spawn_file_actions_destroy(&actions);
	}
	if (err != 0) {
		errno = err;
		return -1;
	}
	return pid;
}

int feed_command(char *const cmd[], const void *data, size_t len)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, saved;
	int fds[2], write_errno = 0;
	pid_t child;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	child = spawn_reader(cmd, fds[0]);
	quiet_close(fds[0]);
	if (child == -1) {
		quiet_close(fds[1]);
		return -1;
	}
	/* Only now, with the command started: an ignored SIGPIPE would have
	 * stayed ignored in it across the exec. */
	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGPIPE, &ignore, &saved) == -1)
		write_errno = errno;
	else if (write_full(fds[1], data, len) == -1 && errno != EPIPE)
		write_errno = errno;
	quiet_close(fds[1]);
	if (sigaction(SIGPIPE, &saved, NULL) == -1 && write_errno == 0)
		write_errno = errno;
	if (write_errno != 0) {
		abandon(child);
		errno = write_errno;
		return -1;
	}
	return wait_status(child);
}

/* ---- capacity ---- */

/* Big enough for any pipe an ordinary user can make (pipe-max-size). */
#define FILL_CHUNK (1024 * 1024)

/*
 * Offers @p chunk over and over to the non-blocking @p write_fd: each write
 * takes what fits, until EAGAIN says the pipe is full. Counts the bytes in
 * *total, on an error too (they must be read back). Returns 0 or -1.
 */
static int fill(int write_fd, const char *chunk, long *total)
{
	*total = 0;
	for (;;) {
		ssize_t n = write(write_fd, chunk, FILL_CHUNK);

		if (n >= 0)
			*total += n;
		else if (errno == EAGAIN)
			return 0;
		else if (errno != EINTR)
			return -1;
	}
}

long measure_pipe_capacity(int read_fd, int write_fd)
{
	char *chunk = calloc(1, FILL_CHUNK);
	int flags, err = 0;
	long total, left;

	if (chunk == NULL)
		return -1;
	flags = fcntl(write_fd, F_GETFL);
	if (flags == -1 || fcntl(write_fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		free(chunk);
		return -1;
	}
	if (fill(write_fd, chunk, &total) == -1)
		err = errno;
	if (fcntl(write_fd, F_SETFL, flags) == -1 && err == 0)
		err = errno;
	/* Read it all back in large pieces: the read end stays blocking, and
	 * we know exactly how much is there. */
	for (left = total; left > 0; ) {
		ssize_t n = read_full(read_fd, chunk, left < FILL_CHUNK ? (size_t)left
							  : FILL_CHUNK);

		if (n <= 0) {
			if (err == 0)
				err = n == 0 ? EIO : errno;
			break;
		}
		left -= n;
	}
	free(chunk);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return total;
}

long set_pipe_capacity(int fd, long bytes)
{
	if (bytes < 0 || bytes > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	return fcntl(fd, F_SETPIPE_SZ, (int)bytes);
}

/* ---- filter ---- */

int uppercase_filter(int in_fd, int out_fd)
{
	char chunk[512];	/* small chunks: the reply starts flowing soon */
	ssize_t n;

	while ((n = read(in_fd, chunk, sizeof chunk)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i] >= 'a' && chunk[i] <= 'z')
				chunk[i] = (char)(chunk[i] - 'a' + 'A');
		if (write_full(out_fd, chunk, (size_t)n) != n)
			return -1;
	}
	return 0;
}

/*
 * Forks the child that runs uppercase_filter(). The pipes are O_CLOEXEC but
 * no exec follows, so the child closes the ends it does not use itself.
 */
static pid_t fork_filter(const int request[2], const int reply[2])
{
	pid_t pid = fork();

	if (pid == 0) {
		close(request[1]);
		close(reply[0]);
		_exit(uppercase_filter(request[0], reply[1]) == 0 ? 0 : 1);
	}
	return pid;
}

/* A second child writes the request, so the parent is free to read. */
static pid_t fork_sender(const int request[2], const int reply[2], const char *in,
			 size_t len)
{
	pid_t pid = fork();

	if (pid == 0) {
		close(request[0]);
		close(reply[0]);
		close(reply[1]);
		_exit(write_full(request[1], in, len) == (ssize_t)len ? 0 : 1);
	}
	return pid;
}

/*
 * Reads the reply until end of file into @p out. Returns its length, or -1
 * (ENOBUFS when one byte more than @p cap arrives).
 */
static ssize_t collect(int fd, char *out, size_t cap)
{
	size_t got = 0;

	for (;;) {
		char extra;
		ssize_t n = got < cap ? read_full(fd, out + got, cap - got)
				      : read_full(fd, &extra, 1);

		if (n == -1)
			return -1;
		if (n == 0)
			return (ssize_t)got;
		if (got == cap) {
			errno = ENOBUFS;
			return -1;
		}
		got += (size_t)n;
	}
}

ssize_t filter_through_child(const char *in, size_t len, char *out, size_t out_cap)
{
	int request[2], reply[2];
	pid_t filter, sender = -1;
	int sender_status, filter_status;
	ssize_t got = -1;

	/* Who holds what: the filter reads request[0] and writes reply[1];
	 * the sender writes request[1]; the parent reads reply[0] and closes
	 * the other three right after the forks. */
	if (pipe2(request, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(reply, O_CLOEXEC) == -1) {
		close_pipe(request);
		return -1;
	}
	filter = fork_filter(request, reply);
	if (filter != -1)
		sender = fork_sender(request, reply, in, len);
	close_pipe(request);
	quiet_close(reply[1]);
	if (sender != -1)
		got = collect(reply[0], out, out_cap);
	quiet_close(reply[0]);
	if (got == -1) {
		if (sender != -1)
			abandon(sender);
		if (filter != -1)
			abandon(filter);
		return -1;
	}
	/* Reap both; the reply is whole only if both succeeded. */
	sender_status = wait_status(sender);
	filter_status = wait_status(filter);
	if (sender_status != 0 || filter_status != 0) {
		if (sender_status != -1 && filter_status != -1)
			errno = EIO;
		return -1;
	}
	return got;
}

/* ---- write_message ---- */

int write_message(int fd, const char *line)
{
	char message[PIPE_BUF + 1];	/* room for snprintf's NUL */
	int size = snprintf(message, sizeof message, "%s\n", line);
	ssize_t n;

	if (size < 0)
		return -1;
	if (size > PIPE_BUF) {
		errno = EMSGSIZE;
		return -1;
	}
	for (;;) {
		n = write(fd, message, (size_t)size);
		if (n == size)
			return 0;
		if (n >= 0) {
			errno = EIO;	/* a part went out: no longer atomic */
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}
