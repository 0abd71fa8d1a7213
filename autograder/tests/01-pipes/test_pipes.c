/*
 * test_pipes.c - the graded tests of Lab 01 (pipes), 100 points.
 *
 * Each test checks one behaviour of pipes.h, in a sandbox of its own (see
 * grader.h). Helper processes report through their exit status only, and
 * nothing waits by sleeping: a helper that must act while the code under
 * test is blocked waits until /proc says it is (ag_wait_blocked), and
 * signals reach the code in whatever call it waits (ag_interrupt_start).
 *
 * Handout: labs/01-pipes/README.md. Run one test: ipclab test 01 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "grader.h"
#include "pipes.h"

#define MIB (1024 * 1024)

/* ---- helpers ---- */

static void make_pipe(int fds[2])
{
	ag_setup(pipe(fds) == 0, "pipe");
}

static int bytes_in_pipe(int fd)
{
	int queued = -1;

	ag_setup(ioctl(fd, FIONREAD, &queued) == 0, "ioctl FIONREAD");
	return queued;
}

static void fill_pattern(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + i % 26);
}

static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	return ag_read_file(path, buf, cap);
}

/* The test's own read loop: tests of other functions must not rely on read_full(). */
static size_t read_until_eof(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len < cap && (n = read(fd, buf + len, cap - len)) != 0) {
		ag_setup(n > 0 || errno == EINTR, "read");
		if (n > 0)
			len += (size_t)n;
	}
	return len;
}

/* ---- 3.1 read_full and write_full ---- */

GRADED_TEST(pipes, read_full_gathers_partial_reads, .points = 6,
	    .desc = "read_full() keeps reading until it has all the bytes asked for",
	    .hint = "Handout 3.1: read(2) on a pipe returns what is there now; loop until count.")
{
	int fds[2];
	char buf[32] = "";
	struct ag_snapshot before;
	pid_t writer;
	ssize_t got;

	make_pipe(fds);
	writer = ag_fork();
	ag_setup(writer != -1, "fork");
	if (writer == 0) {
		close(fds[0]);
		if (write(fds[1], "0123456789", 10) != 10)
			_exit(1);
		while (bytes_in_pipe(fds[1]) > 0)	/* the first read took it */
			usleep(50);
		_exit(write(fds[1], "abcdefghij", 10) == 10 ? 0 : 1);
	}
	close(fds[1]);
	ag_snapshot_take(&before);
	got = read_full(fds[0], buf, 20);
	expect(got == 20, "expected read_full(fd, buf, 20) to return 20 (the writer sent 10 bytes, "
	       "then 10 more once the first 10 were read), got %zd", got);
	expect(memcmp(buf, "0123456789abcdefghij", 20) == 0,
	       "expected \"0123456789abcdefghij\", got \"%.20s\"", buf);
	expect_no_leaks(&before, "read_full returned");
	close(fds[0]);
	expect(ag_wait_exit(writer) == 0, "the writer process failed");
}

GRADED_TEST(pipes, read_full_stops_at_eof, .points = 4,
	    .desc = "read_full() returns a short count at end of file, then 0",
	    .hint = "Handout 3.1: read(2) returns 0 at end of file; stop there, it is not an error.")
{
	int fds[2];
	char buf[100];
	ssize_t got;

	make_pipe(fds);
	ag_setup(write(fds[1], "hello", 5) == 5, "write");
	close(fds[1]);
	got = read_full(fds[0], buf, sizeof(buf));
	expect(got == 5, "expected 5 (5 bytes, then the write end closed), got %zd", got);
	got = read_full(fds[0], buf, sizeof(buf));
	expect(got == 0, "expected 0 at end of file on the second call, got %zd", got);
	close(fds[0]);
}

/* then() of an interrupted call: what the read end waits for. */
static void send_after_signals(void *arg)
{
	int *fds = arg;

	expect(write(fds[1], "after-signal", 12) == 12, "the test could not write into the pipe");
}

GRADED_TEST(pipes, read_full_retries_after_signal, .points = 6,
	    .desc = "read_full() goes on reading when a signal interrupts it with EINTR",
	    .hint = "Handout 3.1: a handler installed without SA_RESTART makes read(2) (and "
		    "poll(2)) fail with EINTR; that is not an error, try again.")
{
	int fds[2];
	char buf[16] = "";
	struct ag_snapshot before;
	ssize_t got;
	int signals;

	make_pipe(fds);
	ag_interrupt_start(2, send_after_signals, fds);
	close(fds[1]);
	ag_snapshot_take(&before);
	got = read_full(fds[0], buf, 12);
	signals = ag_interrupt_stop();
	expect(got == 12, "%d signals arrived while read_full() waited for data; expected it to go "
	       "on and return 12, got %zd (errno %s)", signals, got,
	       got < 0 ? strerror(errno) : "-");
	expect(memcmp(buf, "after-signal", 12) == 0, "expected \"after-signal\", got \"%.12s\"", buf);
	expect_no_leaks(&before, "read_full returned");
	close(fds[0]);
}

static char one_mib[MIB];

/* then() of an interrupted write_full(): reads the pipe to EOF and checks every byte. */
static void receive_one_mib(void *arg)
{
	int *fds = arg;
	char chunk[65536];
	size_t total = 0;
	ssize_t n;

	close(fds[1]);	/* the helper's copy: EOF comes when the writer closes its own */
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0) {
		expect(total + (size_t)n <= sizeof(one_mib) && !memcmp(chunk, one_mib + total, (size_t)n),
		       "the bytes read from the pipe differ from those written, from byte %zu",
		       total);
		total += (size_t)n;
	}
	expect(total == sizeof(one_mib), "expected 1 MiB through the pipe, the reader got %zu "
	       "bytes", total);
}

GRADED_TEST(pipes, write_full_survives_interruption, .points = 6,
	    .desc = "write_full() delivers 1 MiB through a pipe despite signals mid-write",
	    .hint = "Handout 3.1: an interrupted write(2) returns what it wrote so far (a short "
		    "count) or fails with EINTR when it wrote nothing: loop on both.")
{
	struct ag_snapshot before;
	int fds[2], signals;
	ssize_t put;

	fill_pattern(one_mib, sizeof(one_mib));
	make_pipe(fds);
	/* Pipe full: the first signal cuts a write short, the second hits a
	 * write that has written nothing yet (or a poll, which fails). */
	ag_interrupt_start(2, receive_one_mib, fds);
	close(fds[0]);
	ag_snapshot_take(&before);
	put = write_full(fds[1], one_mib, sizeof(one_mib));
	expect_no_leaks(&before, "write_full returned");
	close(fds[1]);
	signals = ag_interrupt_stop();
	expect(put == (ssize_t)sizeof(one_mib), "expected write_full to return %zu after %d signals "
	       "interrupted it, got %zd (errno %s)", sizeof(one_mib), signals, put,
	       put < 0 ? strerror(errno) : "-");
}

/* ---- 3.2 run_pipeline ---- */

GRADED_TEST(pipes, pipeline_passes_data, .points = 4,
	    .desc = "run_pipeline() connects cmd1's stdout to cmd2's stdin",
	    .hint = "Handout 3.2: dup2() the write end onto 1 in the first child and the read "
		    "end onto 0 in the second, before execvp().")
{
	char *cmd1[] = {"printf", "alpha\\nbeta\\n", NULL};
	char *cmd2[] = {"sh", "-c", "head -c 11 | tr a-z A-Z > out.txt", NULL};
	char got[64] = "";
	int status = run_pipeline(cmd1, cmd2);

	expect(status == 0, "expected status 0 from printf | head | tr, got %d", status);
	slurp("out.txt", got, sizeof(got));
	expect(strcmp(got, "ALPHA\nBETA\n") == 0,
	       "expected cmd2 to receive \"alpha\\nbeta\\n\" from cmd1, it wrote \"%s\"", got);
}

GRADED_TEST(pipes, pipeline_returns_last_status, .points = 4,
	    .desc = "run_pipeline() returns cmd2's status as a shell would (exit code, 128+signal, 127)",
	    .hint = "Handout 3.2: waitpid() both children; decode cmd2's status with WIFEXITED/"
		    "WEXITSTATUS and WIFSIGNALED/WTERMSIG.")
{
	char *yes_true[] = {"true", NULL}, *no_false[] = {"false", NULL};
	char *exit3[] = {"sh", "-c", "exit 3", NULL};
	char *killed[] = {"sh", "-c", "kill -TERM $$", NULL};
	char *missing[] = {"/nonexistent/ipclab-command", NULL};
	int status;

	status = run_pipeline(yes_true, exit3);
	expect(status == 3, "true | sh -c 'exit 3': expected 3, got %d", status);
	status = run_pipeline(no_false, yes_true);
	expect(status == 0, "false | true: expected 0 (the last command's status), got %d", status);
	status = run_pipeline(yes_true, killed);
	expect(status == 128 + SIGTERM, "cmd2 killed by SIGTERM: expected %d, got %d",
	       128 + SIGTERM, status);
	status = run_pipeline(yes_true, missing);
	expect(status == 127, "cmd2 cannot be executed: expected 127, got %d", status);
}

GRADED_TEST(pipes, pipeline_reader_sees_eof, .points = 8,
	    .desc = "cmd2 sees end of file when cmd1 exits (printf x | wc -c ends)",
	    .hint = "Handout 3.2: EOF comes only when every write end is closed, in the parent "
		    "and in both children.")
{
	char *cmd1[] = {"printf", "12345", NULL};
	char *cmd2[] = {"sh", "-c", "wc -c > count.txt", NULL};
	char got[32] = "";
	struct ag_snapshot before;
	int status;

	ag_snapshot_take(&before);
	status = run_pipeline(cmd1, cmd2);
	expect(status == 0, "expected status 0 from printf | wc -c, got %d", status);
	slurp("count.txt", got, sizeof(got));
	expect(atoi(got) == 5, "expected wc -c to count 5 bytes, it wrote \"%s\"", got);
	expect_no_leaks(&before, "run_pipeline returned");
}

GRADED_TEST(pipes, pipeline_head_stops_yes, .points = 8,
	    .desc = "yes | head -n 1 ends: cmd1 gets SIGPIPE once cmd2 has exited",
	    .hint = "Handout 3.2 and 3.3: SIGPIPE reaches yes only when no process holds the "
		    "read end any more: the parent and the first child must close it.")
{
	char *cmd1[] = {"yes", NULL};
	char *cmd2[] = {"sh", "-c", "head -n 1 > first.txt", NULL};
	char got[32] = "";
	int status = run_pipeline(cmd1, cmd2);

	expect(status == 0, "expected status 0 from yes | head -n 1, got %d", status);
	slurp("first.txt", got, sizeof(got));
	expect(strcmp(got, "y\n") == 0, "expected head to print \"y\\n\", got \"%s\"", got);
}

GRADED_TEST(pipes, pipeline_leaves_nothing_behind, .points = 6,
	    .desc = "run_pipeline() closes both pipe ends and reaps both children",
	    .hint = "Handout 3.2: the parent closes both ends after forking, then waitpid()s each "
		    "child (a child never waited for stays a zombie).")
{
	char *cmd1[] = {"echo", "hi", NULL};
	char *cmd2[] = {"sh", "-c", "cat > got.txt", NULL};
	char got[16] = "";
	struct ag_snapshot before;
	int status;

	ag_snapshot_take(&before);
	status = run_pipeline(cmd1, cmd2);
	expect(status == 0, "expected status 0 from echo hi | cat, got %d", status);
	slurp("got.txt", got, sizeof(got));
	expect(strcmp(got, "hi\n") == 0, "expected cat to receive \"hi\\n\" from echo, it wrote "
	       "\"%s\": did both commands run?", got);
	expect(expect_no_leaks(&before, "run_pipeline returned"),
	       "run_pipeline must leave no descriptor open and no child behind");
}

/* ---- 3.3 feed_command and SIGPIPE ---- */

GRADED_TEST(pipes, feed_command_survives_early_exit, .points = 8,
	    .desc = "feed_command() is not killed when the command exits before reading it all",
	    .hint = "Handout 3.3: writing to a pipe nobody reads raises SIGPIPE, which kills by "
		    "default; ignore or block it while writing and treat EPIPE as the end.")
{
	static char data[MIB];
	char *cmd[] = {"sh", "-c", "head -c 10 > got.txt", NULL};
	char got[32] = "";
	struct ag_snapshot before;
	int status;

	fill_pattern(data, sizeof(data));
	ag_snapshot_take(&before);
	status = feed_command(cmd, data, sizeof(data));
	expect(status == 0, "expected status 0 from head -c 10 fed 1 MiB, got %d", status);
	slurp("got.txt", got, sizeof(got));
	expect(strcmp(got, "abcdefghij") == 0, "expected head to read \"abcdefghij\", got \"%s\"", got);
	expect_no_leaks(&before, "feed_command returned");
}

static void note_sigpipe(int sig)
{
	(void)sig;
}

GRADED_TEST(pipes, feed_command_restores_sigpipe, .points = 5,
	    .desc = "feed_command() leaves the caller's SIGPIPE disposition and signal mask as they were",
	    .hint = "Handout 3.3: save the old action (sigaction's third argument) or mask, and "
		    "put it back on every path.")
{
	static char data[256 * 1024];
	/* Exits without reading: the writes after the first 64 KiB meet EPIPE. */
	char *cmd[] = {"sh", "-c", "echo ran > ran.txt", NULL};
	struct sigaction mine = {.sa_handler = note_sigpipe}, now;
	sigset_t mask, mask_now;
	int status;

	status = feed_command(cmd, data, sizeof(data));
	expect(status == 0, "expected status 0 from a command that reads nothing, fed 256 KiB, "
	       "got %d", status);
	expect(unlink("ran.txt") == 0, "feed_command() returned 0, but the command never ran "
	       "(it would have created ran.txt)");
	ag_setup(sigaction(SIGPIPE, NULL, &now) == 0, "sigaction");
	expect(now.sa_handler == SIG_DFL, "SIGPIPE was SIG_DFL before feed_command(), "
	       "and is %s after it", now.sa_handler == SIG_IGN ? "SIG_IGN" : "something else");

	sigemptyset(&mine.sa_mask);
	ag_setup(sigaction(SIGPIPE, &mine, NULL) == 0, "sigaction");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	ag_setup(sigprocmask(SIG_SETMASK, &mask, NULL) == 0, "sigprocmask");
	status = feed_command(cmd, data, sizeof(data));
	expect(status == 0, "with a SIGPIPE handler installed: expected status 0, got %d", status);
	expect(unlink("ran.txt") == 0, "with a SIGPIPE handler installed, feed_command() returned "
	       "0, but the command never ran (it would have created ran.txt)");
	ag_setup(sigaction(SIGPIPE, NULL, &now) == 0, "sigaction");
	expect(now.sa_handler == note_sigpipe,
	       "the caller had its own SIGPIPE handler; after feed_command() it is gone");
	ag_setup(sigprocmask(SIG_SETMASK, NULL, &mask_now) == 0, "sigprocmask");
	expect(sigismember(&mask_now, SIGUSR2) && !sigismember(&mask_now, SIGPIPE),
	       "the caller's signal mask (SIGUSR2 blocked, SIGPIPE not) changed in feed_command()");
}

GRADED_TEST(pipes, feed_command_delivers_all_data, .points = 5,
	    .desc = "feed_command() delivers every byte, returns the status, and leaves the "
		    "command's SIGPIPE as the caller's",
	    .hint = "Handout 3.3: write everything, close the write end (the command waits for "
		    "EOF), then waitpid() and decode the status.")
{
	static char data[200 * 1024], got[sizeof(data) + 1];
	char *copy[] = {"sh", "-c", "grep ^SigIgn /proc/self/status > ignored.txt; cat > got.bin",
			NULL};
	char ignored[64] = "";
	char *exit5[] = {"sh", "-c", "cat > /dev/null; exit 5", NULL};
	ssize_t len;
	int status;

	fill_pattern(data, sizeof(data));
	status = feed_command(copy, data, sizeof(data));
	expect(status == 0, "expected status 0 from cat, got %d", status);
	len = slurp("got.bin", got, sizeof(got));
	expect(len == (ssize_t)sizeof(data) && memcmp(got, data, sizeof(data)) == 0,
	       "expected the command to receive %zu bytes intact, it received %zd",
	       sizeof(data), len);
	slurp("ignored.txt", ignored, sizeof(ignored));
	expect(!(strtoull(ignored + strlen("SigIgn:"), NULL, 16) & (1ULL << (SIGPIPE - 1))),
	       "the caller's SIGPIPE is the default, yet the command started with it ignored "
	       "(/proc/PID/status: %.*s): an ignored signal stays ignored across exec; "
	       "change SIGPIPE after the fork, in the parent only",
	       (int)strcspn(ignored, "\n"), ignored);
	status = feed_command(exit5, data, sizeof(data));
	expect(status == 5, "expected the command's status 5, got %d", status);
}

/* ---- 3.4 capacity ---- */

static void expect_capacity(int fds[2], long want, const char *context)
{
	int read_flags = fcntl(fds[0], F_GETFL), write_flags = fcntl(fds[1], F_GETFL);
	long got = measure_pipe_capacity(fds[0], fds[1]);

	expect(got == want, "%s: the kernel says the pipe holds %ld bytes (F_GETPIPE_SZ), "
	       "measure_pipe_capacity() said %ld", context, want, got);
	expect(bytes_in_pipe(fds[0]) == 0, "the pipe still holds %d bytes after the measurement: "
	       "read back what you wrote", bytes_in_pipe(fds[0]));
	expect(fcntl(fds[0], F_GETFL) == read_flags && fcntl(fds[1], F_GETFL) == write_flags,
	       "the file status flags changed (O_NONBLOCK left set?): restore them");
}

GRADED_TEST(pipes, capacity_default_is_measured, .points = 5,
	    .desc = "measure_pipe_capacity() finds 65536 bytes in a new pipe and leaves it empty",
	    .hint = "Handout 3.4: fill the pipe with O_NONBLOCK writes until EAGAIN, count, "
		    "read it all back, restore the flags.")
{
	int fds[2];
	struct ag_snapshot before;

	make_pipe(fds);
	ag_snapshot_take(&before);
	expect_capacity(fds, fcntl(fds[0], F_GETPIPE_SZ), "new pipe");
	expect_no_leaks(&before, "measure_pipe_capacity returned");
}

GRADED_TEST(pipes, capacity_follows_setpipe_sz, .points = 5,
	    .desc = "set_pipe_capacity() resizes (rounded up) and the measurement follows",
	    .hint = "Handout 3.4: measure, do not assume: the capacity is whatever F_SETPIPE_SZ "
		    "made it, rounded up to a power-of-two number of pages.")
{
	int fds[2];
	long granted;

	make_pipe(fds);
	granted = set_pipe_capacity(fds[1], 100000);
	expect(granted == 131072 && fcntl(fds[0], F_GETPIPE_SZ) == 131072,
	       "asked for 100000 bytes: expected 131072 (32 pages), got %ld", granted);
	expect_capacity(fds, 131072, "after F_SETPIPE_SZ to 131072");
	granted = set_pipe_capacity(fds[0], 4096);
	expect(granted == 4096, "asked for 4096 bytes: expected 4096, got %ld", granted);
	expect_capacity(fds, 4096, "after F_SETPIPE_SZ to 4096");
}

/* ---- 3.5 filter_through_child ---- */

static void expect_filtered(const char *in, size_t len)
{
	char *want = malloc(len + 1), *out = malloc(len + 1);
	ssize_t got;

	ag_setup(want && out, "malloc");
	for (size_t i = 0; i < len; i++)
		want[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 'a' + 'A') : in[i];
	got = filter_through_child(in, len, out, len + 1);
	expect(got == (ssize_t)len, "sent %zu bytes through the child, got %zd back", len, got);
	expect(memcmp(out, want, len) == 0, "the reply differs from the upper-cased request");
	free(want);
	free(out);
}

GRADED_TEST(pipes, filter_round_trip, .points = 4,
	    .desc = "filter_through_child() returns the upper-cased text; ENOBUFS when it cannot fit",
	    .hint = "Handout 3.5: two pipes, one each way; close the request's write end so the "
		    "child sees EOF; waitpid() the child.")
{
	char small[4];
	struct ag_snapshot before;
	ssize_t got;

	ag_snapshot_take(&before);
	expect_filtered("Hello, pipes! 123", 17);
	expect_filtered("", 0);
	got = filter_through_child("too long", 8, small, sizeof(small));
	expect(got == -1 && errno == ENOBUFS, "8 bytes back into a 4-byte buffer: expected -1 with "
	       "ENOBUFS, got %zd (%s)", got, strerror(errno));
	expect_no_leaks(&before, "filter_through_child returned");
}

GRADED_TEST(pipes, filter_large_message_no_deadlock, .points = 8,
	    .desc = "filter_through_child() moves 4 MiB each way without deadlocking",
	    .hint = "Handout 3.5: if the parent writes everything before reading, both pipes fill "
		    "and both processes block; interleave with poll(2).", .deadline = 4)
{
	static char data[4 * MIB];
	struct ag_snapshot before;

	fill_pattern(data, sizeof(data));
	ag_snapshot_take(&before);
	expect_filtered(data, sizeof(data));
	expect_no_leaks(&before, "filter_through_child returned");
}

/* ---- 3.6 write_message ---- */

#define WRITERS 8
#define MESSAGES 150

/* A writer's messages: its letter repeated, lengths up to PIPE_BUF - 1. */
static void write_messages(int fd, int writer)
{
	static char line[PIPE_BUF];

	for (int i = 0; i < MESSAGES; i++) {
		size_t len = i % 10 == 0 ? PIPE_BUF - 1 : 2000 + (size_t)(i * 13 % 2000);

		memset(line, 'A' + writer, len);
		line[len] = '\0';
		if (write_message(fd, line) != 0)
			_exit(1);
	}
	_exit(0);
}

/* Checks that every line is one writer's letter only; counts lines per writer. */
static void expect_whole_lines(char *text, size_t len)
{
	int count[WRITERS] = {0};
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n')
			continue;
		int writer = text[start] - 'A';

		expect(writer >= 0 && writer < WRITERS, "a line starts with '%c'", text[start]);
		for (size_t j = start; j < i; j++)
			expect(text[j] == text[start], "a line mixes '%c' and '%c': two writers' "
			       "messages interleaved (at byte %zu)", text[start], text[j], j);
		count[writer]++;
		start = i + 1;
	}
	expect(start == len, "the stream ends with %zu bytes that are not a whole line", len - start);
	for (int w = 0; w < WRITERS; w++)
		expect(count[w] == MESSAGES, "writer %c: expected %d whole lines, found %d",
		       'A' + w, MESSAGES, count[w]);
}

GRADED_TEST(pipes, messages_arrive_whole, .points = 6,
	    .desc = "8 processes writing lines into one pipe: every line arrives whole",
	    .hint = "Handout 3.6: one write(2) of at most PIPE_BUF bytes is atomic; the line and "
		    "its newline must go out in the same call.", .deadline = 4)
{
	static char text[WRITERS * MESSAGES * PIPE_BUF];
	pid_t writers[WRITERS];
	int fds[2];
	size_t len;

	make_pipe(fds);
	for (int w = 0; w < WRITERS; w++) {
		writers[w] = ag_fork();
		ag_setup(writers[w] != -1, "fork");
		if (writers[w] == 0) {
			close(fds[0]);
			write_messages(fds[1], w);
		}
	}
	close(fds[1]);
	len = read_until_eof(fds[0], text, sizeof(text));
	close(fds[0]);
	for (int w = 0; w < WRITERS; w++)
		expect(ag_wait_exit(writers[w]) == 0, "writer %c: write_message() failed", 'A' + w);
	expect_whole_lines(text, len);
}

GRADED_TEST(pipes, message_over_pipe_buf_rejected, .points = 2,
	    .desc = "write_message() refuses a line that cannot be written atomically (EMSGSIZE)",
	    .hint = "Handout 3.6: strlen(line) + 1 > PIPE_BUF cannot be atomic: fail with "
		    "EMSGSIZE and write nothing.")
{
	static char line[PIPE_BUF + 1];
	int fds[2], rc;

	make_pipe(fds);
	memset(line, 'x', PIPE_BUF);
	rc = write_message(fds[1], line);
	expect(rc == -1 && errno == EMSGSIZE, "a %d-byte line: expected -1 with EMSGSIZE, got %d "
	       "(%s)", PIPE_BUF, rc, strerror(errno));
	expect(bytes_in_pipe(fds[0]) == 0, "%d bytes were written anyway", bytes_in_pipe(fds[0]));
	line[PIPE_BUF - 1] = '\0';
	rc = write_message(fds[1], line);
	expect(rc == 0 && bytes_in_pipe(fds[0]) == PIPE_BUF,
	       "a %d-byte line plus newline is exactly PIPE_BUF: expected it written whole", PIPE_BUF - 1);
}
