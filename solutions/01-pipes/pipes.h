/**
 * @file pipes.h
 * @brief Lab 01: pipes. The functions you implement in pipes.c.
 *
 * Every function returns -1 and leaves errno set on failure, unless its
 * contract says otherwise; none of them prints or exits. Every descriptor a
 * function opens is closed before it returns, on every path, and every child
 * it forks is reaped. The handout (README.md) explains each task; the tests
 * (`ipclab test 01`) check exactly what is written here.
 */
#ifndef PIPES_H
#define PIPES_H

#include <stddef.h>
#include <sys/types.h>

/**
 * @brief Reads exactly @p count bytes from @p fd, unless end of file comes first.
 *
 * read(2) may return fewer bytes than asked (a pipe hands over what it has)
 * and may fail with EINTR when a signal arrives: both are retried. A
 * @p count of 0 returns 0 at once, whatever @p fd is: there is nothing to read.
 *
 * @param fd    the descriptor to read from
 * @param buf   where the bytes go
 * @param count how many bytes to read
 * @return the number of bytes read: @p count, or less only at end of file
 *         (0 when the file was already at its end); -1 on error.
 */
ssize_t read_full(int fd, void *buf, size_t count);

/**
 * @brief Writes all @p count bytes of @p buf to @p fd.
 *
 * write(2) may write fewer bytes than asked (a signal interrupts a write to a
 * full pipe) and may fail with EINTR: both are retried until everything is
 * written.
 *
 * @param fd    the descriptor to write to
 * @param buf   the bytes to write
 * @param count how many bytes to write
 * @return @p count, or -1 on error (errno from write(2), EPIPE included).
 */
ssize_t write_full(int fd, const void *buf, size_t count);

/**
 * @brief Runs `cmd1 | cmd2`: cmd1's stdout feeds cmd2's stdin.
 *
 * Both commands are started with fork(2) and execvp(3); cmd1 reads the
 * caller's stdin and cmd2 writes to the caller's stdout. Each of the three
 * processes closes every pipe end it does not use, so cmd2 sees end of file
 * when cmd1 finishes and cmd1 gets SIGPIPE if cmd2 exits early
 * (`yes | head -n 1` ends). Both children are reaped before returning. A
 * child whose exec fails exits with status 127 and writes nothing: it ends
 * with _exit(2), since exit(3) would flush its copy of the caller's stdio
 * buffers. The commands inherit no descriptor that run_pipeline() opens,
 * but as their stdin and stdout. A signal that interrupts the wait for a
 * child (EINTR) does not end it: it is retried.
 *
 * @param cmd1 argument vector of the first command, NULL-terminated
 * @param cmd2 argument vector of the second command, NULL-terminated
 * @return cmd2's status as a shell reports it: its exit status, or 128 plus
 *         the signal number when a signal killed it; -1 if the pipeline could
 *         not be started (pipe or fork failed, errno as it set it; nothing
 *         is left running and no descriptor open).
 */
int run_pipeline(char *const cmd1[], char *const cmd2[]);

/**
 * @brief Starts @p cmd with a pipe on its stdin, writes @p len bytes of
 *        @p data into it, closes the pipe and reaps the command.
 *
 * The command may exit before reading everything (`head -c 10`). That is not
 * an error: writing then stops (EPIPE), and the caller is never killed by
 * SIGPIPE. The caller's SIGPIPE disposition and signal mask are the same on
 * return as on entry, and the command starts with the caller's SIGPIPE
 * disposition: what feed_command() does with SIGPIPE stays in the caller.
 * The command inherits no descriptor that feed_command() opens, but as its
 * stdin. A write or a wait that a signal interrupts (a short count, or
 * EINTR) is retried. A command that cannot be executed is an error, not a
 * status: the caller tells "could not run" (-1) from "ran and failed" (a
 * status, 127 included).
 *
 * @param cmd  argument vector of the command, NULL-terminated
 * @param data the bytes to send to its stdin
 * @param len  how many bytes
 * @return the command's status as a shell reports it (see run_pipeline()),
 *         or -1 if the command could not be started: pipe or fork failed, or
 *         execvp(3) failed (ENOENT when the command does not exist, EACCES
 *         when it is not executable), errno as the failed call set it, the
 *         child reaped and no descriptor left open; -1 too if a write failed
 *         with an error other than EPIPE.
 */
int feed_command(char *const cmd[], const void *data, size_t len);

/**
 * @brief Measures the capacity of a pipe, in bytes, by filling it.
 *
 * Writes into @p write_fd without blocking until the pipe is full, then
 * reads everything back from @p read_fd, so the pipe is empty again. The
 * file status flags of both ends are the same on return as on entry. The
 * answer is measured, not assumed: it is the capacity F_GETPIPE_SZ reports,
 * on Linux 65536 for a new pipe, and whatever F_SETPIPE_SZ made it. A pipe is
 * a number of page slots, and a write that does not fit in a slot's free
 * room takes a new slot: writes of single bytes or of whole pages fill every
 * byte, writes of 1000 bytes stop at 64000 in a new pipe.
 *
 * @param read_fd  the read end of an empty pipe
 * @param write_fd the write end of the same pipe
 * @return the number of bytes the pipe held, or -1 on error.
 */
long measure_pipe_capacity(int read_fd, int write_fd);

/**
 * @brief Asks the kernel to resize a pipe with fcntl(F_SETPIPE_SZ).
 *
 * @param fd    either end of the pipe
 * @param bytes the capacity wanted
 * @return the capacity the kernel granted (at least @p bytes, and at least
 *         one page: it rounds up to a power-of-two number of pages), or -1 on
 *         error (EPERM above
 *         /proc/sys/fs/pipe-max-size for an unprivileged process; EBUSY if
 *         the pipe holds more data than the new size).
 */
long set_pipe_capacity(int fd, long bytes);

/**
 * @brief The child side of filter_through_child(): copies @p in_fd to
 *        @p out_fd, upper-casing ASCII letters, until end of file on @p in_fd.
 *
 * Works in chunks (it never needs the whole input in memory) and writes each
 * chunk completely.
 * A read or write that a signal interrupts (EINTR) is retried, and a full
 * @p out_fd makes it wait for room.
 *
 * @param in_fd  where the text comes from
 * @param out_fd where the upper-cased text goes
 * @return 0 at end of file, -1 on error.
 */
int uppercase_filter(int in_fd, int out_fd);

/**
 * @brief Sends @p len bytes through a child running uppercase_filter() and
 *        collects what it sends back.
 *
 * Two pipes: one carries the request to the child, the other carries the
 * reply back. The exchange must not deadlock whatever @p len is: a message
 * larger than a pipe's capacity fills both pipes if the parent writes
 * everything before reading anything. Each process closes the two ends it
 * does not use: the child holds only the request's read end and the reply's
 * write end. The child is reaped before returning.
 * A signal that interrupts a wait (EINTR from poll(2), read(2), write(2) or
 * waitpid(2)) does not end the exchange: the call is retried.
 *
 * @param in      the request
 * @param len     its length in bytes
 * @param out     where the reply goes
 * @param out_cap the size of @p out
 * @return the number of bytes received (len when all went well), or -1 on
 *         error (ENOBUFS if the reply would not fit in @p out_cap: a reply of
 *         exactly @p out_cap bytes fits; when pipe or fork fails, errno is
 *         as it set it and no descriptor is left open).
 */
ssize_t filter_through_child(const char *in, size_t len, char *out, size_t out_cap);

/**
 * @brief Writes @p line followed by a newline to @p fd as one message that
 *        no other writer of the same pipe can split.
 *
 * A write(2) of at most PIPE_BUF (4096) bytes to a pipe is atomic: it never
 * interleaves with other writers. The line and its newline therefore go out
 * in a single write(2) call.
 * On a full pipe it waits until the whole message fits; a signal that
 * interrupts that wait (EINTR: nothing was written) makes it write again.
 *
 * @param fd   the write end of a pipe
 * @param line text without a newline
 * @return 0, or -1 with errno EMSGSIZE when strlen(line) + 1 > PIPE_BUF
 *         (nothing is written), EIO when write(2) takes only part of the
 *         message (it is no longer whole; the rest is not written), or
 *         another errno from write(2).
 */
int write_message(int fd, const char *line);

#endif
