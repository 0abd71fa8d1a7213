/*
 * pipes.c - Lab 01: pipes. The functions declared in pipes.h.
 *
 * Usage: `make` builds it with pipeline.c into the demo program `pipeline`;
 * `ipclab test 01` grades it. Partner: pipeline.c. Handout: README.md, §3
 * (one subsection per group of functions). The contracts in pipes.h are
 * exactly what the tests check.
 */
/*
 * Your edition: replace each TODO(lab01) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */

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

/* ---- §3.1: read_full() and write_full() ------------------------------- */

ssize_t read_full(int fd, void *buf, size_t count)
{
	/* TODO(lab01): call read(2) until count bytes are in buf or end of file
	 * comes. Handout §3.1 lists what read(2) may do instead. */
	(void)fd;
	(void)buf;
	(void)count;
	errno = ENOSYS;
	return -1;
}

ssize_t write_full(int fd, const void *buf, size_t count)
{
	/* TODO(lab01): call write(2) until all count bytes are out.
	 * Handout §3.1 lists what write(2) may do instead. */
	(void)fd;
	(void)buf;
	(void)count;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.2: run_pipeline() -------------------------------------------- */

int run_pipeline(char *const cmd1[], char *const cmd2[])
{
	/* TODO(lab01): start cmd1 | cmd2 and return cmd2's status. Handout §3.2
	 * has the diagram of who closes what. */
	(void)cmd1;
	(void)cmd2;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.3: feed_command() -------------------------------------------- */

int feed_command(char *const cmd[], const void *data, size_t len)
{
	/* TODO(lab01): start cmd reading from a pipe, write data into it, and
	 * survive the command exiting early. Handout §3.3. */
	(void)cmd;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.4: measure_pipe_capacity() and set_pipe_capacity() ----------- */

long measure_pipe_capacity(int read_fd, int write_fd)
{
	/* TODO(lab01): fill the pipe without blocking, counting the bytes, then
	 * empty it and leave both ends as you found them. Handout §3.4. */
	(void)read_fd;
	(void)write_fd;
	errno = ENOSYS;
	return -1;
}

long set_pipe_capacity(int fd, long bytes)
{
	/* TODO(lab01): ask the kernel for the new size and return what it
	 * granted. Handout §3.4. */
	(void)fd;
	(void)bytes;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.5: uppercase_filter() and filter_through_child() ------------- */

int uppercase_filter(int in_fd, int out_fd)
{
	/* TODO(lab01): copy in_fd to out_fd chunk by chunk, upper-casing ASCII
	 * letters, until end of file. Handout §3.5. */
	(void)in_fd;
	(void)out_fd;
	errno = ENOSYS;
	return -1;
}

ssize_t filter_through_child(const char *in, size_t len, char *out, size_t out_cap)
{
	/* TODO(lab01): send in to a child running uppercase_filter() and collect
	 * its reply. Handout §3.5 explains why writing everything before reading
	 * anything deadlocks. */
	(void)in;
	(void)len;
	(void)out;
	(void)out_cap;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.6: write_message() ------------------------------------------- */

int write_message(int fd, const char *line)
{
	/* TODO(lab01): send the line and its newline so that no other writer of
	 * the pipe can come between them. Handout §3.6. */
	(void)fd;
	(void)line;
	errno = ENOSYS;
	return -1;
}
