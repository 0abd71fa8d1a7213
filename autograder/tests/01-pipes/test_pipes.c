/*
 * test_pipes.c - the graded tests of Lab 01 (pipes), 100 points.
 *
 * Each test checks one behaviour of pipes.h, in a sandbox of its own (see
 * grader.h). Graded code runs only through SUBJECT(), in a subject process
 * forked for the call, never in the test process or its helpers; setup the
 * code must run under (a seccomp filter, a limit, a signal disposition) goes
 * inside the SUBJECT() expression. Helper processes report through their
 * exit status only, and nothing waits by sleeping: a helper that must act
 * while the code under test is blocked waits until /proc says it is
 * (ag_wait_blocked), and signals reach the code in whatever call it waits
 * (ag_interrupt_start).
 *
 * Handout: labs/01-pipes/README.md. Run one test: ipclab test 01 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stddef.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

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

/* One rule of forbid_fork(): system call nr fails with EAGAIN. */
#define FAIL_WITH_EAGAIN(nr)                                  \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),      \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAGAIN)

/*
 * From now on every way to create a process (fork, vfork, clone, clone3, and
 * so posix_spawn too) fails in this process with EAGAIN, as fork(2) does at
 * RLIMIT_NPROC. Not RLIMIT_NPROC itself: it does not bind root, and the
 * memcheck run grades as root. A seccomp filter stays: call this last.
 */
static void forbid_fork(void)
{
	struct sock_filter rules[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		FAIL_WITH_EAGAIN(SYS_clone),
#ifdef SYS_clone3
		FAIL_WITH_EAGAIN(SYS_clone3),
#endif
#ifdef SYS_fork
		FAIL_WITH_EAGAIN(SYS_fork),
#endif
#ifdef SYS_vfork
		FAIL_WITH_EAGAIN(SYS_vfork),
#endif
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog program = {
		.len = sizeof(rules) / sizeof(rules[0]),
		.filter = rules,
	};

	ag_setup(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "prctl PR_SET_NO_NEW_PRIVS");
	ag_setup(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0, "seccomp");
}

/*
 * Lowers RLIMIT_NOFILE so that exactly `room` more descriptors can be
 * opened. Call it in a subject: the limit ends with it.
 */
static void leave_room_for(int room)
{
	struct rlimit old, low;
	int fd = 0;

	ag_setup(getrlimit(RLIMIT_NOFILE, &old) == 0, "getrlimit");
	for (int free_slots = 0; free_slots < room; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			free_slots++;
	low = old;
	low.rlim_cur = (rlim_t)fd;
	ag_setup(setrlimit(RLIMIT_NOFILE, &low) == 0, "setrlimit");
}

/* ---- 3.1 read_full and write_full ---- */

GRADED_TEST(pipes, read_full_gathers_partial_reads, .task = "3.1", .points = 4,
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
	got = SUBJECT(read_full(fds[0], buf, 20), OUT(buf));
	expect(got == 20, "expected read_full(fd, buf, 20) to return 20 (the writer sent 10 bytes, "
	       "then 10 more once the first 10 were read), got %zd", got);
	expect(memcmp(buf, "0123456789abcdefghij", 20) == 0,
	       "expected \"0123456789abcdefghij\", got \"%.20s\"", buf);
	expect_no_leaks(&before, "read_full returned");
	close(fds[0]);
	expect(ag_wait_exit(writer) == 0, "the writer process failed");
}

GRADED_TEST(pipes, read_full_stops_at_eof, .task = "3.1", .points = 3,
	    .desc = "read_full() returns a short count at end of file, then 0; a count of 0 "
		    "returns 0",
	    .hint = "Handout 3.1: read(2) returns 0 at end of file; stop there, it is not an "
		    "error. Once count bytes are in, there is nothing left to read.")
{
	int fds[2];
	char buf[100] = "";	/* OUT(buf) sends all of it, read or not */
	ssize_t got;

	make_pipe(fds);
	ag_setup(write(fds[1], "hello", 5) == 5, "write");
	close(fds[1]);
	got = SUBJECT(read_full(fds[0], buf, sizeof(buf)), OUT(buf));
	expect(got == 5, "expected 5 (5 bytes, then the write end closed), got %zd", got);
	got = SUBJECT(read_full(fds[0], buf, sizeof(buf)));
	expect(got == 0, "expected 0 at end of file on the second call, got %zd", got);
	close(fds[0]);
	/* A write end: read(2) on it fails, so only a read_full() that reads
	 * nothing for count 0 returns 0. */
	make_pipe(fds);
	got = SUBJECT(read_full(fds[1], buf, 0));
	expect(got == 0, "read_full(fd, buf, 0) on a pipe's write end: expected 0 (a count of 0 "
	       "has nothing to read), got %zd (%s)", got, got < 0 ? strerror(errno) : "-");
	close(fds[0]);
	close(fds[1]);
}

/* then() of an interrupted call: what the read end waits for. */
static void send_after_signals(void *arg)
{
	int *fds = arg;

	expect(write(fds[1], "after-signal", 12) == 12, "the test could not write into the pipe");
}

GRADED_TEST(pipes, read_full_retries_after_signal, .task = "3.1", .points = 5,
	    .desc = "read_full() goes on reading when a signal interrupts it with EINTR",
	    .hint = "Handout 2.7 and 3.1: a handler installed without SA_RESTART makes a "
		    "blocked read(2) fail with EINTR; that is not an error, read again.")
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
	got = SUBJECT(read_full(fds[0], buf, 12), OUT(buf));
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

GRADED_TEST(pipes, write_full_survives_interruption, .task = "3.1", .points = 4,
	    .desc = "write_full() delivers 1 MiB through a pipe despite signals mid-write",
	    .hint = "Handout 2.7 and 3.1: a write(2) that a handler without SA_RESTART "
		    "interrupts returns what it wrote so far (a short count), or fails with "
		    "EINTR when it wrote nothing: loop on both.")
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
	put = SUBJECT(write_full(fds[1], one_mib, sizeof(one_mib)));
	expect_no_leaks(&before, "write_full returned");
	close(fds[1]);
	signals = ag_interrupt_stop();
	expect(put == (ssize_t)sizeof(one_mib), "expected write_full to return %zu after %d signals "
	       "interrupted it, got %zd (errno %s)", sizeof(one_mib), signals, put,
	       put < 0 ? strerror(errno) : "-");
	expect(ag_interrupt_acted(), "write_full returned %zd before the test's reader read "
	       "anything: 1 MiB cannot have gone through a 64 KiB pipe", put);
}

/* ---- 3.2 run_pipeline ---- */

GRADED_TEST(pipes, pipeline_passes_data, .task = "3.2", .points = 3,
	    .desc = "run_pipeline() connects cmd1's stdout to cmd2's stdin",
	    .hint = "Handout 3.2: dup2() the write end onto 1 in the first child and the read "
		    "end onto 0 in the second, before execvp().")
{
	char *cmd1[] = {"printf", "alpha\\nbeta\\n", NULL};
	char *cmd2[] = {"sh", "-c", "head -c 11 | tr a-z A-Z > out.txt", NULL};
	char got[64] = "";
	int status = SUBJECT(run_pipeline(cmd1, cmd2));

	expect(status == 0, "expected status 0 from printf | head | tr, got %d", status);
	slurp("out.txt", got, sizeof(got));
	expect(strcmp(got, "ALPHA\nBETA\n") == 0,
	       "expected cmd2 to receive \"alpha\\nbeta\\n\" from cmd1, it wrote \"%s\"", got);
}

GRADED_TEST(pipes, pipeline_returns_last_status, .task = "3.2", .points = 3,
	    .desc = "run_pipeline() returns cmd2's status as a shell would (exit code, 128+signal, 127)",
	    .hint = "Handout 3.2: waitpid() both children; decode cmd2's status with WIFEXITED/"
		    "WEXITSTATUS and WIFSIGNALED/WTERMSIG.")
{
	char *yes_true[] = {"true", NULL}, *no_false[] = {"false", NULL};
	char *exit3[] = {"sh", "-c", "exit 3", NULL};
	char *killed[] = {"sh", "-c", "kill -TERM $$", NULL};
	char *missing[] = {"/nonexistent/ipclab-command", NULL};
	int status;

	status = SUBJECT(run_pipeline(yes_true, exit3));
	expect(status == 3, "true | sh -c 'exit 3': expected 3, got %d", status);
	status = SUBJECT(run_pipeline(no_false, yes_true));
	expect(status == 0, "false | true: expected 0 (the last command's status), got %d", status);
	status = SUBJECT(run_pipeline(yes_true, killed));
	expect(status == 128 + SIGTERM, "cmd2 killed by SIGTERM: expected %d, got %d",
	       128 + SIGTERM, status);
	status = SUBJECT(run_pipeline(yes_true, missing));
	expect(status == 127, "cmd2 cannot be executed: expected 127, got %d", status);
}

GRADED_TEST(pipes, pipeline_reader_sees_eof, .task = "3.2", .points = 5,
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
	status = SUBJECT(run_pipeline(cmd1, cmd2));
	expect(status == 0, "expected status 0 from printf | wc -c, got %d", status);
	slurp("count.txt", got, sizeof(got));
	expect(atoi(got) == 5, "expected wc -c to count 5 bytes, it wrote \"%s\"", got);
	expect_no_leaks(&before, "run_pipeline returned");
}

GRADED_TEST(pipes, pipeline_head_stops_yes, .task = "3.2", .points = 5,
	    .desc = "yes | head -n 1 ends: cmd1 gets SIGPIPE once cmd2 has exited",
	    .hint = "Handout 2.4 and 3.2: SIGPIPE reaches yes only when no process holds the "
		    "read end any more: the parent and the first child must close it.")
{
	char *cmd1[] = {"yes", NULL};
	char *cmd2[] = {"sh", "-c", "head -n 1 > first.txt", NULL};
	char got[32] = "";
	int status = SUBJECT(run_pipeline(cmd1, cmd2));

	expect(status == 0, "expected status 0 from yes | head -n 1, got %d", status);
	slurp("first.txt", got, sizeof(got));
	expect(strcmp(got, "y\n") == 0, "expected head to print \"y\\n\", got \"%s\"", got);
}

GRADED_TEST(pipes, pipeline_leaves_nothing_behind, .task = "3.2", .points = 5,
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
	status = SUBJECT(run_pipeline(cmd1, cmd2));
	expect(status == 0, "expected status 0 from echo hi | cat, got %d", status);
	slurp("got.txt", got, sizeof(got));
	expect(strcmp(got, "hi\n") == 0, "expected cat to receive \"hi\\n\" from echo, it wrote "
	       "\"%s\": did both commands run?", got);
	expect(expect_no_leaks(&before, "run_pipeline returned"),
	       "run_pipeline must leave no descriptor open and no child behind");
}

GRADED_TEST(pipes, pipeline_commands_inherit_only_stdio, .task = "3.2", .points = 4,
	    .desc = "the commands run_pipeline() execs inherit none of its descriptors but "
		    "their stdin and stdout",
	    .hint = "Handout 3.2: after dup2() the original pipe end is still open: close it, "
		    "and the other end, before execvp().")
{
	char *cmd1[] = {"printf", "x", NULL};
	char *cmd2[] = {"sh", "-c", "cat > /dev/null", NULL};
	char **probe1 = ag_fd_probe("cmd1", cmd1), **probe2 = ag_fd_probe("cmd2", cmd2);
	int status = SUBJECT(run_pipeline(probe1, probe2));

	expect(status == 0, "expected status 0 from printf x | cat, got %d", status);
	expect_only_stdio_inherited("cmd1", "cmd1, which run_pipeline exec'd",
				    "close both pipe ends after dup2, before execvp");
	expect_only_stdio_inherited("cmd2", "cmd2, which run_pipeline exec'd",
				    "close both pipe ends after dup2, before execvp");
}

/* then() of a blocked caller: lets a command waiting on gate.fifo go on. */
static void open_gate(void *arg)
{
	int fd = open("gate.fifo", O_WRONLY | O_CLOEXEC);

	(void)arg;
	expect(fd != -1 && write(fd, "go\n", 3) == 3, "the test could not open gate.fifo");
	close(fd);
}

GRADED_TEST(pipes, pipeline_survives_signals, .task = "3.2", .points = 3,
	    .desc = "run_pipeline() goes on waiting for its children when signals interrupt it",
	    .hint = "Handout 2.7 and 3.2: waitpid() fails with EINTR when a handler installed "
		    "without SA_RESTART runs; wait again, the child is still there.")
{
	char *cmd1[] = {"true", NULL};
	char *cmd2[] = {"sh", "-c", "cat gate.fifo > got.txt", NULL};
	char got[16] = "";
	int status, signals;

	ag_setup(mkfifo("gate.fifo", 0600) == 0, "mkfifo");
	ag_interrupt_start(2, open_gate, NULL);
	status = SUBJECT(run_pipeline(cmd1, cmd2));
	signals = ag_interrupt_stop();
	expect(status == 0, "%d signals arrived while run_pipeline() waited for cmd2; expected "
	       "status 0, got %d (errno %s)", signals, status, status < 0 ? strerror(errno) : "-");
	slurp("got.txt", got, sizeof(got));
	expect(strcmp(got, "go\n") == 0, "cmd2 did not finish its work, it wrote \"%s\"", got);
}

GRADED_TEST(pipes, pipeline_fork_failure_cleans_up, .task = "3.2", .points = 2,
	    .desc = "run_pipeline() returns -1 and leaves no descriptor open when fork fails",
	    .hint = "Handout 3.2: an error path is a path too: close both pipe ends before "
		    "returning -1.")
{
	char *cmd1[] = {"true", NULL}, *cmd2[] = {"true", NULL};
	struct ag_snapshot before;
	int status;

	ag_snapshot_take(&before);
	status = SUBJECT((forbid_fork(), run_pipeline(cmd1, cmd2)));
	expect(status == -1 && errno == EAGAIN, "fork(2) fails with EAGAIN: expected "
	       "run_pipeline to return -1 with errno EAGAIN, got %d (%s)", status, strerror(errno));
	expect(expect_no_leaks(&before, "run_pipeline failed to fork"),
	       "run_pipeline must close the pipe it made when fork fails");
}

/* ---- 3.3 feed_command and SIGPIPE ---- */

GRADED_TEST(pipes, feed_command_survives_early_exit, .task = "3.3", .points = 4,
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
	status = SUBJECT(feed_command(cmd, data, sizeof(data)));
	expect(status == 0, "expected status 0 from head -c 10 fed 1 MiB, got %d", status);
	slurp("got.txt", got, sizeof(got));
	expect(strcmp(got, "abcdefghij") == 0, "expected head to read \"abcdefghij\", got \"%s\"", got);
	expect_no_leaks(&before, "feed_command returned");
}

static void note_sigpipe(int sig)
{
	(void)sig;
}

/* What the process that called feed_command() has after it returned. */
struct caller_signals {
	void (*sigpipe)(int);	/* the handler: glibc leaves parts of a sigaction unset */
	sigset_t mask;
};

/* In the subject: feed_command(), then a look at the caller's SIGPIPE action and mask. */
static int feed_and_record(struct caller_signals *after, char *const cmd[], const void *data,
			   size_t len)
{
	int status = feed_command(cmd, data, len);
	struct sigaction action;

	memset(after, 0, sizeof(*after));	/* every byte goes to the judge */
	ag_setup(sigaction(SIGPIPE, NULL, &action) == 0, "sigaction");
	after->sigpipe = action.sa_handler;
	ag_setup(sigprocmask(SIG_SETMASK, NULL, &after->mask) == 0, "sigprocmask");
	return status;
}

/* In the subject: the same, for a caller with its own SIGPIPE handler and SIGUSR2 blocked. */
static int feed_with_handler_and_record(struct caller_signals *after, char *const cmd[],
					const void *data, size_t len)
{
	struct sigaction mine = {.sa_handler = note_sigpipe};
	sigset_t mask;

	sigemptyset(&mine.sa_mask);
	ag_setup(sigaction(SIGPIPE, &mine, NULL) == 0, "sigaction");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	ag_setup(sigprocmask(SIG_SETMASK, &mask, NULL) == 0, "sigprocmask");
	return feed_and_record(after, cmd, data, len);
}

GRADED_TEST(pipes, feed_command_restores_sigpipe, .task = "3.3", .points = 4,
	    .desc = "feed_command() leaves the caller's SIGPIPE disposition and signal mask as they were",
	    .hint = "Handout 3.3: save the old action (sigaction's third argument) or mask, and "
		    "put it back on every path.")
{
	static char data[256 * 1024];
	/* Exits without reading: the writes after the first 64 KiB meet EPIPE. */
	char *cmd[] = {"sh", "-c", "echo ran > ran.txt", NULL};
	struct caller_signals now;
	const struct ag_snapshot *after;
	int status;

	status = SUBJECT(feed_and_record(&now, cmd, data, sizeof(data)), OUT(now));
	expect(status == 0, "expected status 0 from a command that reads nothing, fed 256 KiB, "
	       "got %d", status);
	expect(unlink("ran.txt") == 0, "feed_command() returned 0, but the command never ran "
	       "(it would have created ran.txt)");
	after = ag_last_subject();
	expect(now.sigpipe == SIG_DFL && (!ag_signal_sets_known() ||
	       (!AG_SIG_IN(after->sig_ignored, SIGPIPE) && !AG_SIG_IN(after->sig_caught, SIGPIPE))),
	       "SIGPIPE was SIG_DFL before feed_command(), and is %s after it",
	       now.sigpipe == SIG_IGN || AG_SIG_IN(after->sig_ignored, SIGPIPE) ? "SIG_IGN" :
	       "something else");

	status = SUBJECT(feed_with_handler_and_record(&now, cmd, data, sizeof(data)), OUT(now));
	expect(status == 0, "with a SIGPIPE handler installed: expected status 0, got %d", status);
	expect(unlink("ran.txt") == 0, "with a SIGPIPE handler installed, feed_command() returned "
	       "0, but the command never ran (it would have created ran.txt)");
	after = ag_last_subject();
	expect(now.sigpipe == note_sigpipe &&
	       (!ag_signal_sets_known() || AG_SIG_IN(after->sig_caught, SIGPIPE)),
	       "the caller had its own SIGPIPE handler; after feed_command() it is gone");
	expect(sigismember(&now.mask, SIGUSR2) && !sigismember(&now.mask, SIGPIPE) &&
	       (!ag_signal_sets_known() || (AG_SIG_IN(after->sig_blocked, SIGUSR2) &&
					    !AG_SIG_IN(after->sig_blocked, SIGPIPE))),
	       "the caller's signal mask (SIGUSR2 blocked, SIGPIPE not) changed in feed_command()");
}

GRADED_TEST(pipes, feed_command_delivers_all_data, .task = "3.3", .points = 3,
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
	status = SUBJECT(feed_command(copy, data, sizeof(data)));
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
	status = SUBJECT(feed_command(exit5, data, sizeof(data)));
	expect(status == 5, "expected the command's status 5, got %d", status);
}

GRADED_TEST(pipes, feed_command_reports_exec_failure, .task = "3.3", .points = 2,
	    .desc = "feed_command() returns -1 with execvp's errno (ENOENT, EACCES) when the "
		    "command cannot be executed, and 127 when the command exits with 127",
	    .hint = "Handout 3.3: the status 127 cannot tell \"could not run\" from \"ran\"; "
		    "a close-on-exec pipe tells the parent whether execvp succeeded.")
{
	static char data[MIB];
	char *missing[] = {"/nonexistent/ipclab-command", NULL};
	char *not_executable[] = {"./not-executable", NULL};
	char *exit127[] = {"sh", "-c", "cat > /dev/null; exit 127", NULL};
	struct ag_snapshot before;
	int fd, status;

	fd = open("not-executable", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ag_setup(fd != -1 && write(fd, "#!/bin/sh\n", 10) == 10 && close(fd) == 0,
		 "create not-executable");
	ag_snapshot_take(&before);
	status = SUBJECT(feed_command(missing, data, sizeof(data)));
	expect(status == -1 && errno == ENOENT, "%s does not exist: expected -1 with ENOENT "
	       "(execvp's errno), got %d (%s)", missing[0], status,
	       status == -1 ? strerror(errno) : "a status, as if the command had run");
	expect_no_leaks(&before, "feed_command returned");
	status = SUBJECT(feed_command(not_executable, "hello", 5));
	expect(status == -1 && errno == EACCES, "./not-executable has mode 0644: expected -1 with "
	       "EACCES (execvp's errno), got %d (%s)", status,
	       status == -1 ? strerror(errno) : "a status, as if the command had run");
	expect_no_leaks(&before, "feed_command returned");
	status = SUBJECT(feed_command(exit127, "hello", 5));
	expect(status == 127, "sh ran and exited with 127: expected the status 127, got %d (%s)",
	       status, status == -1 ? strerror(errno) : "-");
}

GRADED_TEST(pipes, feed_command_inherits_only_stdio, .task = "3.3", .points = 3,
	    .desc = "the command feed_command() execs inherits none of its descriptors but "
		    "its stdin",
	    .hint = "Handout 3.3: after dup2() onto stdin, close both original pipe ends before "
		    "execvp(); a write end left open means the command never sees EOF.")
{
	char *cmd[] = {"sh", "-c", "cat > /dev/null", NULL};
	char **probe = ag_fd_probe("cmd", cmd);
	int status = SUBJECT(feed_command(probe, "hello", 5));

	expect(status == 0, "expected status 0 from cat fed 5 bytes, got %d", status);
	expect_only_stdio_inherited("cmd", "the command feed_command exec'd",
				    "close both pipe ends after dup2, before execvp");
}

GRADED_TEST(pipes, feed_command_survives_signals, .task = "3.3", .points = 2,
	    .desc = "feed_command() delivers everything when signals interrupt it on a full pipe",
	    .hint = "Handout 2.7, 3.1 and 3.3: a write(2) to a full pipe that a handler without "
		    "SA_RESTART interrupts returns a short count or fails with EINTR; neither is "
		    "the end.")
{
	static char data[200 * 1024], got[sizeof(data) + 1];
	char *cmd[] = {"sh", "-c", "cat gate.fifo > /dev/null; cat > got.bin", NULL};
	int status, signals;
	ssize_t len;

	fill_pattern(data, sizeof(data));
	ag_setup(mkfifo("gate.fifo", 0600) == 0, "mkfifo");
	/* The command reads nothing until the gate opens: the pipe fills. */
	ag_interrupt_start(2, open_gate, NULL);
	status = SUBJECT(feed_command(cmd, data, sizeof(data)));
	signals = ag_interrupt_stop();
	expect(status == 0, "%d signals arrived while feed_command() wrote into a full pipe; "
	       "expected status 0, got %d (errno %s)", signals, status,
	       status < 0 ? strerror(errno) : "-");
	len = slurp("got.bin", got, sizeof(got));
	expect(len == (ssize_t)sizeof(data) && memcmp(got, data, sizeof(data)) == 0,
	       "expected the command to receive %zu bytes intact, it received %zd",
	       sizeof(data), len);
}

GRADED_TEST(pipes, feed_command_fork_failure_cleans_up, .task = "3.3", .points = 2,
	    .desc = "feed_command() returns -1 and leaves no descriptor open when fork fails",
	    .hint = "Handout 3.3: an error path is a path too: close both pipe ends before "
		    "returning -1.")
{
	char *cmd[] = {"cat", NULL};
	struct ag_snapshot before;
	int status;

	ag_snapshot_take(&before);
	status = SUBJECT((forbid_fork(), feed_command(cmd, "hello", 5)));
	expect(status == -1 && errno == EAGAIN, "fork(2) fails with EAGAIN: expected "
	       "feed_command to return -1 with errno EAGAIN, got %d (%s)", status, strerror(errno));
	expect(expect_no_leaks(&before, "feed_command failed to fork"),
	       "feed_command must close the pipe it made when fork fails");
}

/* ---- 3.4 capacity ---- */

static void expect_capacity(int fds[2], long want, const char *context)
{
	int read_flags = fcntl(fds[0], F_GETFL), write_flags = fcntl(fds[1], F_GETFL);
	long got = SUBJECT(measure_pipe_capacity(fds[0], fds[1]));

	expect(got == want, "%s: the kernel says the pipe holds %ld bytes (F_GETPIPE_SZ), "
	       "measure_pipe_capacity() said %ld%s", context, want, got, got > 0 && got < want ?
	       ": writes that are not whole pages leave part of each page slot empty" : "");
	expect(bytes_in_pipe(fds[0]) == 0, "the pipe still holds %d bytes after the measurement: "
	       "read back what you wrote", bytes_in_pipe(fds[0]));
	expect(fcntl(fds[0], F_GETFL) == read_flags && fcntl(fds[1], F_GETFL) == write_flags,
	       "the file status flags changed (O_NONBLOCK left set?): restore them");
}

GRADED_TEST(pipes, capacity_default_is_measured, .task = "3.4", .points = 3,
	    .desc = "measure_pipe_capacity() finds 65536 bytes in a new pipe, and the size of "
		    "one resized at random, and leaves it empty",
	    .hint = "Handout 3.4: fill the pipe with O_NONBLOCK writes until EAGAIN, count, "
		    "read it all back, restore the flags. A pipe is 16 page slots and a write "
		    "that does not fit a slot's free room takes a new one: 1000-byte writes "
		    "stop at 64000 (4 per slot), 1-byte or whole-page writes at 65536.")
{
	static const long sizes[] = {4096, 8192, 16384, 32768, 131072, 262144};
	int fds[2];
	unsigned int pick;
	struct ag_snapshot before;

	make_pipe(fds);
	ag_snapshot_take(&before);
	expect_capacity(fds, fcntl(fds[0], F_GETPIPE_SZ), "new pipe");
	expect_no_leaks(&before, "measure_pipe_capacity returned");
	/* A size drawn per run: only a measurement can know it. */
	ag_setup(getrandom(&pick, sizeof(pick), 0) == sizeof(pick), "getrandom");
	ag_setup(fcntl(fds[1], F_SETPIPE_SZ, sizes[pick % 6]) == sizes[pick % 6], "F_SETPIPE_SZ");
	expect_capacity(fds, sizes[pick % 6], "a pipe the test resized");
	close(fds[0]);
	close(fds[1]);
}

GRADED_TEST(pipes, capacity_follows_setpipe_sz, .task = "3.4", .points = 3,
	    .desc = "set_pipe_capacity() resizes (rounded up) and the measurement follows",
	    .hint = "Handout 3.4: measure, do not assume: the capacity is whatever F_SETPIPE_SZ "
		    "made it, rounded up to a power-of-two number of pages.")
{
	int fds[2];
	long granted;

	make_pipe(fds);
	granted = SUBJECT(set_pipe_capacity(fds[1], 100000));
	expect(granted == 131072 && fcntl(fds[0], F_GETPIPE_SZ) == 131072,
	       "asked for 100000 bytes: expected 131072 (32 pages), got %ld", granted);
	expect_capacity(fds, 131072, "after F_SETPIPE_SZ to 131072");
	granted = SUBJECT(set_pipe_capacity(fds[0], 4096));
	expect(granted == 4096, "asked for 4096 bytes: expected 4096, got %ld", granted);
	expect_capacity(fds, 4096, "after F_SETPIPE_SZ to 4096");
	granted = SUBJECT(set_pipe_capacity(fds[1], 0));
	expect(granted == 4096, "asked for 0 bytes: expected 4096 (one page, the least the kernel "
	       "grants), got %ld (%s)", granted, granted < 0 ? strerror(errno) : "-");
	close(fds[0]);
	close(fds[1]);
}

/* Takes CAP_SYS_RESOURCE out of this process's effective capabilities. */
static void drop_cap_sys_resource(void)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];

	ag_setup(syscall(SYS_capget, &header, caps) == 0, "capget");
	caps[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
	ag_setup(syscall(SYS_capset, &header, caps) == 0, "capset");
}

GRADED_TEST(pipes, capacity_above_max_refused, .task = "3.4", .points = 2,
	    .desc = "set_pipe_capacity() above pipe-max-size fails with EPERM, up to INT_MAX",
	    .hint = "Handout 2.2 and 3.4: pass the size to the kernel and report its answer; "
		    "refuse yourself only what fcntl(2) cannot take (more than INT_MAX).")
{
	char text[32];
	long max, sizes[2];
	int fds[2];

	ag_setup(ag_read_file("/proc/sys/fs/pipe-max-size", text, sizeof(text)) > 0 &&
		 (max = atol(text)) > 0, "read /proc/sys/fs/pipe-max-size");
	sizes[0] = max <= INT_MAX / 2 ? 2 * max : INT_MAX;	/* twice the limit, then the most */
	sizes[1] = INT_MAX;
	make_pipe(fds);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* When run as root: the contract's unprivileged process. */
		long granted = SUBJECT((drop_cap_sys_resource(),
					set_pipe_capacity(fds[1], sizes[i])));

		expect(granted == -1 && errno == EPERM, "asked for %ld bytes, above "
		       "/proc/sys/fs/pipe-max-size: expected -1 with EPERM (the kernel's answer), "
		       "got %ld (%s)", sizes[i], granted, granted < 0 ? strerror(errno) : "-");
	}
	expect(fcntl(fds[0], F_GETPIPE_SZ) == 65536, "a refused resize changed the pipe's size");
	close(fds[0]);
	close(fds[1]);
}

/* ---- 3.5 filter_through_child ---- */

/*
 * Sends in through filter_through_child() in a subject and checks the reply,
 * then what the subject was left holding, against the snapshot before.
 */
static void expect_filtered(const char *in, size_t len, const struct ag_snapshot *before)
{
	char *want = malloc(len + 1), *out = malloc(len + 1);
	ssize_t got;

	ag_setup(want && out, "malloc");
	for (size_t i = 0; i < len; i++)
		want[i] = (in[i] >= 'a' && in[i] <= 'z') ? (char)(in[i] - 'a' + 'A') : in[i];
	got = SUBJECT(filter_through_child(in, len, out, len + 1), OUT_BYTES(out, len));
	expect(got == (ssize_t)len, "sent %zu bytes through the child, got %zd back", len, got);
	expect(memcmp(out, want, len) == 0, "the reply differs from the upper-cased request");
	expect_no_leaks(before, "filter_through_child returned");
	free(want);
	free(out);
}

/* Fills a pipe to the brim, without blocking; returns how many bytes went in. */
static long fill_to_brim(int write_fd)
{
	static const char page[PIPE_BUF];
	int status_flags = fcntl(write_fd, F_GETFL);
	long total = 0;
	ssize_t n;

	ag_setup(status_flags != -1 &&
		 fcntl(write_fd, F_SETFL, status_flags | O_NONBLOCK) == 0, "fcntl");
	while ((n = write(write_fd, page, sizeof(page))) > 0)
		total += n;
	ag_setup(errno == EAGAIN && fcntl(write_fd, F_SETFL, status_flags) == 0, "fill the pipe");
	return total;
}

/* The pipes of an interrupted uppercase_filter(), as its helper sees them. */
static int filter_in[2], filter_out[2];
static long filter_prefill;

/* then() of uppercase_filter(): sends the input, then reads everything out. */
static void feed_and_drain(void *arg)
{
	char got[PIPE_BUF * 2];
	size_t len = 0;
	ssize_t n;

	(void)arg;
	close(filter_in[0]);
	close(filter_out[1]);
	expect(write(filter_in[1], "hello, filter", 13) == 13, "the test could not write");
	close(filter_in[1]);
	for (long left = filter_prefill; left > 0; left -= n)
		expect((n = read(filter_out[0], got, left < PIPE_BUF ? (size_t)left : PIPE_BUF)) > 0,
		       "the reply pipe ended before the bytes the test had put in it");
	while (len < sizeof(got) && (n = read(filter_out[0], got + len, sizeof(got) - len)) > 0)
		len += (size_t)n;
	expect(len == 13 && memcmp(got, "HELLO, FILTER", 13) == 0, "expected \"HELLO, FILTER\" "
	       "after the bytes already in the pipe, got %zu bytes \"%.*s\"", len, (int)len, got);
}

GRADED_TEST(pipes, uppercase_filter_survives_signals, .task = "3.5", .points = 2,
	    .desc = "uppercase_filter() goes on reading after signals, and waits for room in "
		    "a full output pipe",
	    .hint = "Handout 2.7 and 3.5: read(2) fails with EINTR when a handler without "
		    "SA_RESTART runs before any data came: read again; write each chunk "
		    "completely, even into a full pipe.")
{
	int rc, signals;

	make_pipe(filter_in);
	make_pipe(filter_out);
	filter_prefill = fill_to_brim(filter_out[1]);
	ag_interrupt_start(2, feed_and_drain, NULL);
	close(filter_in[1]);
	close(filter_out[0]);
	rc = SUBJECT(uppercase_filter(filter_in[0], filter_out[1]));
	close(filter_out[1]);
	signals = ag_interrupt_stop();
	expect(rc == 0, "%d signals arrived while uppercase_filter() waited for input; expected "
	       "0 at end of file, got %d (errno %s)", signals, rc, rc < 0 ? strerror(errno) : "-");
	expect(ag_interrupt_acted(), "uppercase_filter() returned %d before the test sent its "
	       "input: it must read until end of file", rc);
	close(filter_in[0]);
}

GRADED_TEST(pipes, filter_round_trip, .task = "3.5", .points = 3,
	    .desc = "filter_through_child() returns the upper-cased text; ENOBUFS when it cannot fit",
	    .hint = "Handout 3.5: two pipes, one each way; close the request's write end so the "
		    "child sees EOF; waitpid() the child.")
{
	char small[4];
	struct ag_snapshot before;
	ssize_t got;

	/* Each call runs in a subject of its own: each one's leaks are checked. */
	ag_snapshot_take(&before);
	expect_filtered("Hello, pipes! 123", 17, &before);
	expect_filtered("", 0, &before);
	got = SUBJECT(filter_through_child("too long", 8, small, sizeof(small)));
	expect(got == -1 && errno == ENOBUFS, "8 bytes back into a 4-byte buffer: expected -1 with "
	       "ENOBUFS, got %zd (%s)", got, strerror(errno));
	expect_no_leaks(&before, "filter_through_child returned");
	got = SUBJECT(filter_through_child("four", 4, small, sizeof(small)), OUT(small));
	expect(got == 4 && memcmp(small, "FOUR", 4) == 0, "4 bytes back into a 4-byte buffer: "
	       "expected 4 (a reply that fills out exactly fits), got %zd (%s)", got,
	       got < 0 ? strerror(errno) : "-");
	expect_no_leaks(&before, "filter_through_child returned");
	/* Too small while the request is still being sent: that end must close too. */
	got = SUBJECT(filter_through_child(one_mib, sizeof(one_mib), small, sizeof(small)));
	expect(got == -1 && errno == ENOBUFS, "1 MiB back into a 4-byte buffer: expected -1 with "
	       "ENOBUFS, got %zd (%s)", got, strerror(errno));
	expect_no_leaks(&before, "filter_through_child returned");
}

GRADED_TEST(pipes, filter_large_message_no_deadlock, .task = "3.5", .points = 5,
	    .desc = "filter_through_child() moves 4 MiB each way without deadlocking",
	    .hint = "Handout 3.5: if the parent writes everything before reading, both pipes fill "
		    "and both processes block; interleave with poll(2).", .deadline = 4)
{
	static char data[4 * MIB];
	struct ag_snapshot before;

	fill_pattern(data, sizeof(data));
	ag_snapshot_take(&before);
	expect_filtered(data, sizeof(data), &before);
}

/* In the subject: filter_through_child() with room for `room` more descriptors. */
static ssize_t filter_with_room_for(int room, char *out, size_t cap)
{
	leave_room_for(room);
	return filter_through_child("abc", 3, out, cap);
}

GRADED_TEST(pipes, filter_start_failure_cleans_up, .task = "3.5", .points = 2,
	    .desc = "filter_through_child() returns -1 and leaves no descriptor open when the "
		    "second pipe or the fork fails",
	    .hint = "Handout 3.5: an error path is a path too: close every end made so far "
		    "before returning -1.")
{
	struct ag_snapshot before;
	char out[8];
	ssize_t got;
	int saved_errno;

	ag_snapshot_take(&before);
	/* Room for the first pipe, not the second. */
	got = SUBJECT(filter_with_room_for(2, out, sizeof(out)));
	saved_errno = errno;
	expect(got == -1 && saved_errno == EMFILE, "room for one pipe only: expected -1 with "
	       "EMFILE, got %zd (%s)", got, strerror(saved_errno));
	expect(expect_no_leaks(&before, "filter_through_child failed to make its second pipe"),
	       "filter_through_child must close the first pipe when the second fails");
	got = SUBJECT((forbid_fork(), filter_through_child("abc", 3, out, sizeof(out))));
	expect(got == -1 && errno == EAGAIN, "fork(2) fails with EAGAIN: expected -1 with errno "
	       "EAGAIN, got %zd (%s)", got, strerror(errno));
	expect(expect_no_leaks(&before, "filter_through_child failed to fork"),
	       "filter_through_child must close both pipes when fork fails");
}

/* The child stop_next_child() stopped (0, then -1 once it watches), shared by the helpers. */
static volatile pid_t *stopped_child;

/* Shares stopped_child with the helpers forked from now on. */
static void share_stopped_child(void)
{
	stopped_child = mmap(NULL, sizeof(*stopped_child), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ag_setup(stopped_child != MAP_FAILED, "mmap");
	*stopped_child = 0;
}

/*
 * Forks a helper that stops (SIGSTOP) the first child of the test's next
 * subject, so that the code under test must wait for it; continue_stopped()
 * lets it go. The test process, and so its subjects, run at nice 19 from
 * then on. Call share_stopped_child() first, before forking the helper that
 * continues it.
 */
static pid_t stop_next_child(void)
{
	pid_t subject, child;
	pid_t stopper = ag_fork();

	ag_setup(stopper != -1, "fork");
	if (stopper != 0) {
		/* The helper must be watching before the subject forks its child.
		 * Spin, not sleep: a sleep would take the interrupter's signals. */
		while (*stopped_child == 0)
			sched_yield();
		/* The helper must see the child before it has done its work, even on
		 * a busy machine: the subject, and so the child, yield to it. */
		ag_setup(setpriority(PRIO_PROCESS, 0, 19) == 0, "setpriority");
		return stopper;
	}
	*stopped_child = -1;
	subject = ag_subject_pid(getppid());	/* a new process: its children are new */
	if (subject <= 0)
		_exit(1);
	for (;;) {	/* until a child comes, or the test's deadline */
		if (ag_children(subject, &child, 1) == 1 && kill(child, SIGSTOP) == 0) {
			*stopped_child = child;
			_exit(0);
		}
		sched_yield();	/* not a sleep: a short exchange is over in milliseconds */
	}
}

/* then() of a caller waiting for a stopped child: continues it, once stopped. */
static void continue_stopped(void *arg)
{
	(void)arg;
	while (*stopped_child <= 0)	/* bounded by the test's deadline */
		usleep(100);
	kill(*stopped_child, SIGCONT);
}

GRADED_TEST(pipes, filter_survives_signals, .task = "3.5", .points = 2,
	    .desc = "filter_through_child() completes its exchange while signals interrupt it",
	    .hint = "Handout 2.7 and 3.5: poll(2) is never restarted, SA_RESTART or not: a "
		    "handler makes it fail with EINTR; poll again.", .deadline = 4)
{
	static char data[4 * MIB];	/* tens of ms: time for the stopper to see the child */
	int signals;
	char *out = malloc(sizeof(data) + 1);
	pid_t stopper;
	ssize_t got;

	ag_setup(out != NULL, "malloc");
	fill_pattern(data, sizeof(data));
	/* The child is stopped at once: the parent fills the request pipe and
	 * waits, is interrupted three times, then the child goes on. */
	share_stopped_child();
	ag_interrupt_start(3, continue_stopped, NULL);
	stopper = stop_next_child();
	got = SUBJECT(filter_through_child(data, sizeof(data), out, sizeof(data) + 1));
	signals = ag_interrupt_stop();
	kill(stopper, SIGKILL);		/* still looking: no child came */
	expect(ag_wait_exit(stopper) == 0, "the test could not stop filter_through_child's "
	       "child: did it fork one?");
	expect(got == (ssize_t)sizeof(data), "%d signals arrived while filter_through_child() "
	       "waited for its child; expected %zu bytes back, got %zd (errno %s)", signals,
	       sizeof(data), got, got < 0 ? strerror(errno) : "-");
	free(out);
}

/*
 * The first pipe of which process pid holds two descriptors (both ends, or
 * two copies of one): stores them in fd[0] and fd[1] and the pipe's name in
 * what. Returns false when each pipe appears once.
 */
static bool pipe_held_twice(pid_t pid, int fd[2], char *what, size_t cap)
{
	char names[AG_MAX_FDS][64], path[64];
	int fds[AG_MAX_FDS], n = 0;

	for (int i = 0; i < 1024 && n < AG_MAX_FDS; i++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, i);
		len = readlink(path, names[n], sizeof(names[n]) - 1);
		if (len <= 0)
			continue;
		names[n][len] = '\0';
		if (strncmp(names[n], "pipe:", 5) == 0)
			fds[n++] = i;
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) == 0) {
				fd[0] = fds[i];
				fd[1] = fds[j];
				snprintf(what, cap, "%s", names[i]);
				return true;
			}
	return false;
}

/*
 * Forks a helper that looks at the descriptors of filter_through_child()'s
 * child while it works: once the stopped child (stop_next_child) has its
 * parent (the test's subject) waiting, it stops the parent, lets the child
 * run until it waits too (for request bytes the stopped parent does not
 * send, or for room in the reply pipe), reads its /proc/PID/fd, then lets
 * both go on.
 */
static pid_t inspect_filter_child(void)
{
	pid_t helper = ag_fork(), judge, parent, child;
	char what[64];
	int fd[2];
	bool twice;

	ag_setup(helper != -1, "fork");
	if (helper != 0)
		return helper;
	judge = getppid();
	while ((child = *stopped_child) <= 0)	/* bounded by the test's deadline */
		usleep(100);
	parent = ag_subject_pid(judge);
	expect(ag_wait_blocked(judge), "filter_through_child() returned before its child ran");
	kill(parent, SIGSTOP);
	kill(child, SIGCONT);
	expect(ag_wait_blocked(child), "filter_through_child's child exited before it had its "
	       "whole request");
	twice = pipe_held_twice(child, fd, what, sizeof(what));
	kill(parent, SIGCONT);
	expect(!twice, "filter_through_child's child holds fd %d and fd %d, both on %s: it must "
	       "close the ends it does not use (the request's write end and the reply's read "
	       "end)", fd[0], fd[1], what);
	_exit(0);
}

GRADED_TEST(pipes, filter_child_closes_unused_ends, .task = "3.5", .points = 2,
	    .desc = "filter_through_child()'s child holds only the request's read end and the "
		    "reply's write end",
	    .hint = "Handout 3.5: after the fork the child closes the two ends it does not use, "
		    "as every process in 3.2 does.", .deadline = 4)
{
	static char data[4 * MIB];
	char *out = malloc(sizeof(data) + 1);
	pid_t stopper, inspector;
	ssize_t got;

	ag_setup(out != NULL, "malloc");
	fill_pattern(data, sizeof(data));
	share_stopped_child();
	inspector = inspect_filter_child();
	stopper = stop_next_child();
	got = SUBJECT(filter_through_child(data, sizeof(data), out, sizeof(data) + 1));
	kill(stopper, SIGKILL);		/* still looking: no child came */
	expect(ag_wait_exit(stopper) == 0, "the test could not stop filter_through_child's "
	       "child: did it fork one?");
	expect(ag_wait_exit(inspector) == 0, "the test's look at the child's descriptors failed "
	       "(above)");
	expect(got == (ssize_t)sizeof(data), "expected %zu bytes back, got %zd (errno %s)",
	       sizeof(data), got, got < 0 ? strerror(errno) : "-");
	free(out);
}

/* ---- 3.6 write_message ---- */

#define WRITERS 8
#define MESSAGES 150

/*
 * A writer's messages: its letter repeated, lengths up to PIPE_BUF - 1.
 * Returns 0, or -1 when a write_message() failed. Runs in a subject.
 */
static int write_messages(int fd, int writer)
{
	static char line[PIPE_BUF];

	for (int i = 0; i < MESSAGES; i++) {
		size_t len = i % 10 == 0 ? PIPE_BUF - 1 : 2000 + (size_t)(i * 13 % 2000);

		memset(line, 'A' + writer, len);
		line[len] = '\0';
		if (write_message(fd, line) != 0)
			return -1;
	}
	return 0;
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

GRADED_TEST(pipes, messages_arrive_whole, .task = "3.6", .points = 4,
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
			_exit(SUBJECT(write_messages(fds[1], w)) == 0 ? 0 : 1);
		}
	}
	close(fds[1]);
	len = read_until_eof(fds[0], text, sizeof(text));
	close(fds[0]);
	for (int w = 0; w < WRITERS; w++)
		expect(ag_wait_exit(writers[w]) == 0, "writer %c: write_message() failed", 'A' + w);
	expect_whole_lines(text, len);
}

GRADED_TEST(pipes, message_over_pipe_buf_rejected, .task = "3.6", .points = 2,
	    .desc = "write_message() refuses a line that cannot be written atomically (EMSGSIZE)",
	    .hint = "Handout 3.6: strlen(line) + 1 > PIPE_BUF cannot be atomic: fail with "
		    "EMSGSIZE and write nothing.")
{
	static char line[PIPE_BUF + 1];
	int fds[2], rc;

	make_pipe(fds);
	memset(line, 'x', PIPE_BUF);
	rc = SUBJECT(write_message(fds[1], line));
	expect(rc == -1 && errno == EMSGSIZE, "a %d-byte line: expected -1 with EMSGSIZE, got %d "
	       "(%s)", PIPE_BUF, rc, strerror(errno));
	expect(bytes_in_pipe(fds[0]) == 0, "%d bytes were written anyway", bytes_in_pipe(fds[0]));
	line[PIPE_BUF - 1] = '\0';
	rc = SUBJECT(write_message(fds[1], line));
	expect(rc == 0 && bytes_in_pipe(fds[0]) == PIPE_BUF,
	       "a %d-byte line plus newline is exactly PIPE_BUF: expected it written whole", PIPE_BUF - 1);
}

/* In the subject: write_message() to a file that may grow by @room bytes only,
 * so that write(2) takes part of the message (RLIMIT_FSIZE, SIGXFSZ ignored). */
static int write_message_with_room(int fd, const char *line, rlim_t room)
{
	struct rlimit limit = {.rlim_cur = room, .rlim_max = room};

	signal(SIGXFSZ, SIG_IGN);
	if (setrlimit(RLIMIT_FSIZE, &limit) == -1)
		return -2;
	return write_message(fd, line);
}

GRADED_TEST(pipes, message_short_write_is_error, .task = "3.6", .points = 1,
	    .desc = "write_message() fails with EIO when write(2) takes only part of the message",
	    .hint = "Handout 3.6: a message written in part is no longer whole: do not write the "
		    "rest, fail with EIO.")
{
	static const char line[] = "twenty bytes of text";
	char file[64];
	int fd = memfd_create("short-write", MFD_CLOEXEC), rc;
	ssize_t got;

	expect(fd >= 0, "memfd_create: %s", strerror(errno));
	rc = SUBJECT(write_message_with_room(fd, line, 10));
	expect(rc != -2, "the test could not lower RLIMIT_FSIZE: %s", strerror(errno));
	got = pread(fd, file, sizeof(file), 0);
	expect(rc == -1 && errno == EIO, "write(2) took %zd of the %zu bytes of a message: expected "
	       "-1 with EIO (the message is no longer whole), got %d (%s)", got, sizeof(line),
	       rc, rc == -1 ? strerror(errno) : "no error");
	expect(got == 10, "expected the 10 bytes write(2) took in the file and nothing more, found "
	       "%zd", got);
	close(fd);
}

static int message_pipe[2];
static long message_prefill;

/* then() of a write_message() on a full pipe: reads to EOF, checks the tail. */
static void drain_message(void *arg)
{
	static char text[65536 * 2];
	size_t len = 0;
	ssize_t n;

	(void)arg;
	close(message_pipe[1]);
	while (len < sizeof(text) && (n = read(message_pipe[0], text + len, sizeof(text) - len)) > 0)
		len += (size_t)n;
	expect(len == (size_t)message_prefill + 6 && memcmp(text + message_prefill, "whole\n", 6) == 0,
	       "expected the %ld bytes already in the pipe, then \"whole\\n\" once; got %zu bytes "
	       "in all", message_prefill, len);
}

GRADED_TEST(pipes, message_waits_on_full_pipe, .task = "3.6", .points = 3,
	    .desc = "write_message() on a full pipe waits for room, through signals, and "
		    "writes the line once",
	    .hint = "Handout 2.7 and 3.6: a write of at most PIPE_BUF bytes waits until it fits "
		    "whole; a handler without SA_RESTART makes it fail with EINTR, nothing "
		    "written: write the same message again.")
{
	int rc, signals;

	make_pipe(message_pipe);
	message_prefill = fill_to_brim(message_pipe[1]);
	ag_interrupt_start(2, drain_message, NULL);
	close(message_pipe[0]);
	rc = SUBJECT(write_message(message_pipe[1], "whole"));
	close(message_pipe[1]);
	signals = ag_interrupt_stop();
	expect(rc == 0, "%d signals arrived while write_message() waited for room; expected 0, "
	       "got %d (errno %s)", signals, rc, rc < 0 ? strerror(errno) : "-");
	expect(ag_interrupt_acted(), "write_message() returned %d before the test made room in "
	       "the full pipe: the line cannot have been written", rc);
}
