/*
 * test_shared.c - Lab 06's graded tests of §3.3 (parent and children share
 * anonymous memory) and §3.4 (a board in POSIX shared memory).
 *
 * Each test runs in a sandbox of its own (see grader.h), with a private
 * /dev/shm: every name there is one the test or the graded code made. The
 * tests judge from the kernel's view: /dev/shm/NAME read and written with
 * plain open(2) and pread(2), /proc for children, and what the calls copied
 * out; never from what the code says it did.
 *
 * Handout: labs/06-mmap/README.md. Run one test: ipclab test 06 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "grader.h"
#include "mapped.h"
#include "mappings.h"

/* ---- §3.3 ---- */

#define UNTOUCHED 0x5a5a5a5aL

/*
 * The witness: a helper of the test that every work() call reports to, from
 * the process it runs in, and that checks there and then, from /proc, that
 * this process is a child of the subject; work() goes on once it has. The
 * judge then takes a result only when the witness saw the process it names:
 * a result the code made up without running work() in a child names a
 * process the witness never saw.
 */
struct sighting {
	pid_t pid;
	int i;
};

static struct {
	pid_t helper;
	int calls[2];		/* work() -> witness: a sighting */
	int seen[2];		/* witness -> judge: the sightings it checked */
	int nseen;
	struct sighting seen_list[WORKERS_MAX];
} witness;

/* The parent of pid, from /proc/PID/stat; -1 when it cannot be read. */
static pid_t parent_of(pid_t pid)
{
	char path[64], text[512], *end;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) < 0 || !(end = strrchr(text, ')')) ||
	    sscanf(end + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static void __attribute__((noreturn)) witness_runs(pid_t judge)
{
	struct sighting s;

	close(witness.calls[1]);
	close(witness.seen[0]);
	while (read(witness.calls[0], &s, sizeof(s)) == sizeof(s)) {
		if (parent_of(s.pid) == ag_subject_pid(judge) &&
		    write(witness.seen[1], &s, sizeof(s)) != sizeof(s))
			_exit(1);
		kill(s.pid, SIGUSR2);
	}
	_exit(0);
}

/* Starts the witness of the next SUBJECT(). */
static void witness_start(void)
{
	pid_t judge = getpid();

	ag_setup(pipe2(witness.calls, O_CLOEXEC) == 0 && pipe2(witness.seen, O_CLOEXEC) == 0,
		 "pipe");
	witness.helper = ag_fork();
	ag_setup(witness.helper != -1, "fork");
	if (witness.helper == 0)
		witness_runs(judge);
	close(witness.calls[0]);
	close(witness.seen[1]);
}

/* After the SUBJECT(): collects what the witness saw. */
static void witness_end(void)
{
	struct sighting s;

	close(witness.calls[1]);	/* the witness ends once the children have gone too */
	witness.nseen = 0;
	while (read(witness.seen[0], &s, sizeof(s)) == sizeof(s))
		if (witness.nseen < WORKERS_MAX)
			witness.seen_list[witness.nseen++] = s;
	close(witness.seen[0]);
	ag_wait_exit(witness.helper);
}

/* In a child of the code, at the start of work(i): reports to the witness, waits for it. */
static void witnessed(int i)
{
	struct sighting s = {getpid(), i};
	sigset_t usr2;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr2, NULL);
	if (write(witness.calls[1], &s, sizeof(s)) == sizeof(s))
		sigtimedwait(&usr2, NULL, &(struct timespec){5, 0});
}

static bool witness_saw(pid_t pid, int i)
{
	for (int k = 0; k < witness.nseen; k++)
		if (witness.seen_list[k].pid == pid && witness.seen_list[k].i == i)
			return true;
	return false;
}

/* What work() returns in a child: its pid and its i, so that the judge can tell them apart. */
static long pid_and_i(int i)
{
	witnessed(i);
	return (long)getpid() * WORKERS_MAX + i;
}

/*
 * run_workers(n, work, results) in a subject, after setup() there (when not
 * NULL), checked for leaks; *subject is the pid of the process that ran it.
 */
static int workers_after(void (*setup)(void), int n, long (*work)(int), long *results,
			 pid_t *subject)
{
	struct ag_snapshot before;
	pid_t me = -1;
	int rc, err;

	for (int i = 0; i < WORKERS_MAX; i++)
		results[i] = UNTOUCHED;
	witness_start();
	ag_snapshot_take(&before);
	rc = SUBJECT((me = getpid(), setup ? setup() : (void)0, run_workers(n, work, results)),
		     OUT(me), OUT_BYTES(results, WORKERS_MAX * sizeof(long)));
	err = errno;
	witness_end();
	*subject = me;
	expect_no_leaks(&before, "run_workers returned");
	errno = err;
	return rc;
}

static int workers(int n, long (*work)(int), long *results, pid_t *subject)
{
	return workers_after(NULL, n, work, results, subject);
}

/*
 * Checks that results hold pid_and_i of n different processes, none of them
 * subject, each a child of the subject that the witness saw run work(i).
 */
static void expect_from_children(const char *call, const long *results, int n, pid_t subject)
{
	for (int i = 0; i < n; i++) {
		long pid = results[i] / WORKERS_MAX;

		expect(results[i] % WORKERS_MAX == i, "%s: results[%d] is %ld, which is not what "
		       "work(%d) returned: %s", call, i, results[i], i, results[i] == 0 ?
		       "0, what a child's store into a MAP_PRIVATE mapping leaves in the parent's" :
		       "is slot i where child i stores work(i)?");
		expect(pid != subject, "%s: work(%d) ran in the calling process (pid %ld): run it "
		       "in a child", call, i, pid);
		for (int j = 0; j < i; j++)
			expect(results[j] / WORKERS_MAX != pid, "%s: work(%d) and work(%d) ran in the "
			       "same process (pid %ld): one child for each i", call, j, i, pid);
		expect(witness_saw((pid_t)pid, i), "%s: results[%d] says work(%d) ran in pid %ld, "
		       "but no child of the caller with that pid ran work(%d): results come from "
		       "work(), run in the children", call, i, i, pid, i);
	}
	expect(results[n] == UNTOUCHED, "%s wrote results[%d], past the %d results", call, n, n);
}

GRADED_TEST(mmap, workers_hand_back_results, .task = "3.3", .points = 6,
	    .desc = "run_workers(n, work, results) runs work(i) in n children and hands back each "
		    "result in results[i], for n = 1, 5 and 64",
	    .hint = "Handout 3.3: make the MAP_SHARED | MAP_ANONYMOUS mapping before fork; a "
		    "MAP_PRIVATE one is copied on the child's first write and the parent never "
		    "sees it.")
{
	static const int sizes[] = {1, 5, WORKERS_MAX};
	long results[WORKERS_MAX + 1];
	pid_t subject;
	char call[64];
	int rc;

	results[WORKERS_MAX] = UNTOUCHED;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		rc = workers(sizes[k], pid_and_i, results, &subject);
		snprintf(call, sizeof(call), "run_workers(%d, work, results)", sizes[k]);
		expect(rc == 0, "%s: expected 0, got %s", call, result_text(rc, errno));
		expect_from_children(call, results, sizes[k], subject);
	}
}

#define TOGETHER 4

/*
 * A pipe that every child of workers_run_at_the_same_time writes one byte to
 * and nobody reads: while the bytes in it are fewer than TOGETHER, some
 * child has not started yet.
 */
static int roll_call[2];

/* work() that waits, up to 2 s, until all TOGETHER children have started. */
static long wait_for_the_others(int i)
{
	struct timespec tick = {0, 1000000};
	int present = 0;

	if (write(roll_call[1], "x", 1) != 1)
		return -1;
	for (int ms = 0; ms < 2000; ms++) {
		if (ioctl(roll_call[0], FIONREAD, &present) == 0 && present >= TOGETHER)
			return pid_and_i(i);
		nanosleep(&tick, NULL);
	}
	return -1;
}

GRADED_TEST(mmap, workers_run_at_the_same_time, .task = "3.3", .points = 4, .deadline = 15,
	    .desc = "run_workers() starts all its children before it waits for the first",
	    .hint = "Handout 3.3: fork all n, then wait for each; fork-wait-fork-wait runs one "
		    "child at a time.")
{
	long results[WORKERS_MAX + 1];
	pid_t subject;
	int rc;

	results[WORKERS_MAX] = UNTOUCHED;
	ag_setup(pipe2(roll_call, O_CLOEXEC) == 0, "pipe");
	rc = workers(TOGETHER, wait_for_the_others, results, &subject);
	expect(rc == 0, "run_workers(%d, work, results), where each work(i) waits until all %d "
	       "children run: expected 0, got %s", TOGETHER, TOGETHER, result_text(rc, errno));
	for (int i = 0; i < TOGETHER; i++)
		expect(results[i] != -1, "run_workers(%d, ...): work(%d) waited 2 s and never saw "
		       "all %d children started: start them all before waiting for one", TOGETHER, i,
		       TOGETHER);
	expect_from_children("run_workers(4, work, results)", results, TOGETHER, subject);
}

static long crash_third(int i)
{
	if (i == 2)
		abort();
	return i;
}

static long exit_second(int i)
{
	if (i == 1)
		_exit(3);
	return i;
}

/* run_workers(n, work, ...) with a child that fails: -1 ECHILD, results untouched. */
static void expect_echild(int n, long (*work)(int), const char *what)
{
	long results[WORKERS_MAX + 1];
	pid_t subject;
	int rc;

	rc = workers(n, work, results, &subject);
	expect(rc == -1 && errno == ECHILD, "run_workers(%d, work, results) where %s: expected -1 "
	       "with errno ECHILD, got %s", n, what, result_text(rc, errno));
	for (int i = 0; i <= n; i++)
		expect(results[i] == UNTOUCHED, "run_workers(%d, ...) where %s failed but wrote "
		       "results[%d]: write nothing into results then", n, what, i);
}

GRADED_TEST(mmap, workers_report_a_failed_child, .task = "3.3", .points = 4,
	    .desc = "run_workers() whose child crashes or exits 3 returns -1 with ECHILD, writes "
		    "no results and leaves no child unwaited",
	    .hint = "Handout 3.3: waitpid every child and look at its status (WIFEXITED, "
		    "WEXITSTATUS); wait for them all even after one failed.")
{

	expect_echild(4, crash_third, "work(2) calls abort()");
	expect_echild(3, exit_second, "work(1) calls _exit(3)");
}

/* work() that waits for a byte of the pipe go, which the test writes. */
static int go[2];

static long wait_for_go(int i)
{
	char byte;

	while (read(go[0], &byte, 1) == -1 && errno == EINTR)
		continue;
	return pid_and_i(i);
}

/* Run by the interrupter once the signals were sent: lets the 3 children go. */
static void let_them_go(void *arg)
{
	(void)arg;
	expect(write(go[1], "xyz", 3) == 3, "the test could not write to its children's pipe");
}

GRADED_TEST(mmap, workers_wait_through_signals, .task = "3.3", .points = 4, .deadline = 10,
	    .desc = "run_workers() that signals interrupt while it waits for its children goes "
		    "on waiting, and hands back every result",
	    .hint = "Handout 3.3: waitpid fails with EINTR when a signal's handler runs; call it "
		    "again for the same child.")
{
	long results[WORKERS_MAX + 1];
	struct ag_snapshot before;
	pid_t me = -1;
	int rc, err, signals;

	ag_setup(pipe2(go, O_CLOEXEC) == 0, "pipe");
	for (int i = 0; i <= WORKERS_MAX; i++)
		results[i] = UNTOUCHED;
	witness_start();
	ag_snapshot_take(&before);
	ag_interrupt_start(3, let_them_go, NULL);
	rc = SUBJECT((me = getpid(), run_workers(3, wait_for_go, results)), OUT(me),
		     OUT_BYTES(results, WORKERS_MAX * sizeof(long)));
	err = errno;
	signals = ag_interrupt_stop();
	witness_end();
	expect(rc == 0 && ag_interrupt_acted(), "%d signals interrupted run_workers(3, ...) while "
	       "it waited for its children; expected it to go on waiting and return 0 once they "
	       "exited, got %s%s", signals, result_text(rc, err),
	       ag_interrupt_acted() ? "" : ", before the children were let go");
	expect_from_children("run_workers(3, work, results) under signals", results, 3, me);
	expect_no_leaks(&before, "run_workers returned");
}

/* In the subject: 2 more forks succeed, the third fails with EAGAIN. */
static void two_forks_only(void)
{
	allow_forks(2);
}

GRADED_TEST(mmap, workers_fail_cleanly, .task = "3.3", .points = 2,
	    .desc = "run_workers() with n = 0 returns 0 and starts nothing; n = -1 and n = "
		    "WORKERS_MAX + 1 fail with EINVAL; with no room for a mapping ENOMEM; when the "
		    "third fork fails, EAGAIN and the first two children waited for",
	    .hint = "Handout 3.3: check n before mapping or forking anything; when fork fails, "
		    "wait for the children already started, then return fork's errno.")
{
	static const int bad[] = {-1, WORKERS_MAX + 1};
	long results[WORKERS_MAX + 1];
	pid_t subject;
	int rc;

	rc = workers(0, pid_and_i, results, &subject);
	expect(rc == 0 && results[0] == UNTOUCHED, "run_workers(0, work, results): expected 0 and "
	       "nothing written, got %s%s", result_text(rc, errno),
	       results[0] == UNTOUCHED ? "" : " and results[0] written");
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		rc = workers(bad[k], pid_and_i, results, &subject);
		expect(rc == -1 && errno == EINVAL, "run_workers(%d, work, results): expected -1 "
		       "with errno EINVAL, got %s", bad[k], result_text(rc, errno));
	}
	rc = workers_after(forbid_new_mappings, 3, pid_and_i, results, &subject);
	expect(rc == -1 && errno == ENOMEM, "run_workers(3, work, results) with no room left for a "
	       "mapping: expected -1 with errno ENOMEM (mmap's), got %s", result_text(rc, errno));
	rc = workers_after(two_forks_only, 5, pid_and_i, results, &subject);
	expect(rc == -1 && errno == EAGAIN, "run_workers(5, work, results) where the third fork "
	       "fails (RLIMIT_NPROC): expected -1 with errno EAGAIN (fork's), got %s",
	       result_text(rc, errno));
	for (int i = 0; i <= 5; i++)
		expect(results[i] == UNTOUCHED, "run_workers(5, ...) failed but wrote results[%d]: "
		       "write nothing into results then", i);
}

/* ---- §3.4 ---- */

#define BOARD 10000

/* /dev/shm/NAME of name "/NAME". */
static const char *shm_path(const char *name)
{
	static char path[96];

	snprintf(path, sizeof(path), "/dev/shm%s", name);
	return path;
}

/* The board's length and mode as the kernel says; false when the name is not there. */
static bool stat_board(const char *name, struct stat *st)
{
	return stat(shm_path(name), st) == 0;
}

/* Removes a board the test is done with (the names of a private /dev/shm go anyway). */
static void drop_board(const char *name)
{
	ag_setup(shm_unlink(name) == 0 || errno == ENOENT, "shm_unlink");
}

/* Makes the object name of size bytes with raw shm_open, as another program would. */
static void make_board(const char *name, size_t size)
{
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);

	ag_setup(fd != -1 && ftruncate(fd, (off_t)size) == 0 && close(fd) == 0, "shm_open");
}

GRADED_TEST(mmap, board_create_makes_the_name, .task = "3.4", .points = 4,
	    .desc = "board_create() makes /dev/shm/NAME of the size asked, mode 0600, all zero; "
		    "it fails with EEXIST on an existing name, with EINVAL for size 0, and with "
		    "EFBIG, leaving no name, when ftruncate fails",
	    .hint = "Handout 3.4: shm_open with O_CREAT | O_EXCL and mode 0600, then ftruncate; "
		    "check size first; when ftruncate fails, shm_unlink the name you made.")
{
	unsigned char bytes[BOARD];
	struct ag_snapshot before;
	char name[32], other[32];
	struct stat st;
	int rc;

	ag_shm_name(name, sizeof(name));
	ag_shm_name(other, sizeof(other));
	ag_snapshot_take(&before);
	rc = SUBJECT(board_create(name, BOARD));
	expect(rc == 0, "board_create(\"%s\", %d): expected 0, got %s", name, BOARD,
	       result_text(rc, errno));
	expect(stat_board(name, &st), "board_create(\"%s\", %d) returned 0 but %s does not exist",
	       name, BOARD, shm_path(name));
	expect(st.st_size == BOARD && (st.st_mode & 07777) == 0600, "board_create(\"%s\", %d) made "
	       "%s %lld bytes long with mode %04o: expected %d bytes, mode 0600", name, BOARD,
	       shm_path(name), (long long)st.st_size, (unsigned)(st.st_mode & 07777), BOARD);
	expect(read_back(shm_path(name), bytes, BOARD) == BOARD &&
	       first_not(bytes, 0, BOARD, 0) == -1, "a new board holds %#x at byte %ld: expected "
	       "all zero", bytes[first_not(bytes, 0, BOARD, 0)], first_not(bytes, 0, BOARD, 0));
	drop_board(name);	/* the name is the call's work; what else it left is a leak */
	expect_no_leaks(&before, "board_create returned");

	make_board(name, BOARD);
	rc = SUBJECT(board_create(name, 2 * BOARD));
	expect(rc == -1 && errno == EEXIST, "board_create(\"%s\", %d) of an existing name: "
	       "expected -1 with errno EEXIST, got %s", name, 2 * BOARD, result_text(rc, errno));
	expect(stat_board(name, &st) && st.st_size == BOARD, "board_create(\"%s\", %d) of an "
	       "existing name changed its size to %lld: leave an existing object as it is", name,
	       2 * BOARD, (long long)st.st_size);
	drop_board(name);
	expect_no_leaks(&before, "board_create failed with EEXIST");

	rc = SUBJECT(board_create(other, 0));
	expect(rc == -1 && errno == EINVAL, "board_create(\"%s\", 0): expected -1 with errno EINVAL, "
	       "got %s", other, result_text(rc, errno));
	expect_no_leaks(&before, "board_create failed with EINVAL");
	rc = SUBJECT((limit_file_size(BOARD / 2), board_create(other, BOARD)));
	expect(rc == -1 && errno == EFBIG, "board_create(\"%s\", %d) where no file may grow past "
	       "%d bytes (RLIMIT_FSIZE): expected -1 with errno EFBIG (ftruncate's), got %s", other,
	       BOARD, BOARD / 2, result_text(rc, errno));
	expect_no_leaks(&before, "board_create failed with EFBIG");
}

/* In a subject: opens the board, writes len bytes at off, closes it; 0, or -1. */
static int write_board(const char *name, size_t off, const void *bytes, size_t len)
{
	size_t size;
	char *board = board_open(name, &size);

	if (!board)
		return -1;
	memcpy(board + off, bytes, len);
	return board_close(board, size);
}

/* In a subject: opens the board, copies len bytes at off out, closes it; 0, or -1. */
static int read_board(const char *name, size_t off, void *out, size_t len, size_t *size)
{
	char *board = board_open(name, size);

	if (!board)
		return -1;
	memcpy(out, board + off, len);
	return board_close(board, *size);
}

/* Writes len bytes at off of /dev/shm/NAME, as another program would. */
static void poke_board(const char *name, size_t off, const void *bytes, size_t len)
{
	int fd = open(shm_path(name), O_RDWR | O_CLOEXEC);

	ag_setup(fd != -1 && pwrite(fd, bytes, len, (off_t)off) == (ssize_t)len && close(fd) == 0,
		 "pwrite /dev/shm");
}

GRADED_TEST(mmap, board_between_unrelated_processes, .task = "3.4", .points = 6,
	    .desc = "what one process writes through board_open() is in /dev/shm/NAME after it "
		    "closed and exited, and another process's board_open() sees it",
	    .hint = "Handout 3.4: map the object MAP_SHARED, its whole length from fstat; close "
		    "the descriptor once mapped, and board_close() unmaps.")
{
	unsigned char sent[64], seen[164], back[64];
	struct ag_snapshot before;
	char name[32];
	size_t size = 0;
	int rc;

	ag_shm_name(name, sizeof(name));
	random_bytes(sent, sizeof(sent));
	rc = SUBJECT(board_create(name, BOARD));
	expect(rc == 0, "board_create(\"%s\", %d): expected 0, got %s", name, BOARD,
	       result_text(rc, errno));
	ag_snapshot_take(&before);
	rc = SUBJECT(write_board(name, 100, sent, sizeof(sent)));
	expect(rc == 0, "a process that called board_open(\"%s\", &size), wrote 64 bytes at 100 "
	       "and called board_close(): one of the calls returned -1 (errno %s)", name,
	       errname(errno));
	expect(read_back(shm_path(name), seen, 164) == 164 &&
	       first_difference(sent, seen + 100, sizeof(sent)) == -1, "a process wrote 64 bytes "
	       "at offset 100 of the board board_open() gave it, and exited: %s does not hold "
	       "them (is the mapping MAP_SHARED, at offset 0 of the object?)", shm_path(name));
	expect_no_leaks(&before, "board_open, the writes and board_close");

	random_bytes(sent, sizeof(sent));
	poke_board(name, BOARD - sizeof(sent), sent, sizeof(sent));
	rc = SUBJECT(read_board(name, BOARD - sizeof(sent), back, sizeof(back), &size),
		     OUT(back), OUT(size));
	expect(rc == 0 && size == BOARD, "another process called board_open(\"%s\", &size): "
	       "expected it to return the board and set size to %d; it %s, size %zu", name, BOARD,
	       rc == 0 ? "did" : "failed", size);
	expect(first_difference(sent, back, sizeof(sent)) == -1, "another program wrote the last "
	       "64 bytes of %s; a process that board_open()ed it read other bytes there: map the "
	       "whole object, MAP_SHARED", shm_path(name));
	expect_no_leaks(&before, "board_open, the reads and board_close");
	drop_board(name);
}

/* In a subject: opens the board, removes its name, then writes and reads through the mapping. */
static int use_after_remove(const char *name, int *removed)
{
	size_t size;
	char *board = board_open(name, &size);

	if (!board)
		return -1;
	*removed = board_remove(name);
	board[size - 1] = 'z';
	if (board[size - 1] != 'z')
		return -1;
	return board_close(board, size);
}

GRADED_TEST(mmap, board_remove_removes_the_name, .task = "3.4", .points = 4,
	    .desc = "board_remove() removes /dev/shm/NAME; a mapping still open keeps working; a "
		    "second remove, and board_open() of the removed name, fail with ENOENT",
	    .hint = "Handout 3.4: shm_unlink removes the name, as unlink removes a file's; the "
		    "memory stays until its last mapping goes.")
{
	struct ag_snapshot before;
	char name[32];
	struct stat st;
	size_t size;
	void *addr;
	int rc, removed = -2;

	ag_shm_name(name, sizeof(name));
	rc = SUBJECT(board_create(name, BOARD));
	expect(rc == 0, "board_create(\"%s\", %d): expected 0, got %s", name, BOARD,
	       result_text(rc, errno));
	ag_snapshot_take(&before);
	rc = SUBJECT(use_after_remove(name, &removed), OUT(removed));
	expect(removed == 0, "board_remove(\"%s\") of an existing board: expected 0, got %s", name,
	       result_text(removed, errno));
	expect(rc == 0, "a process that board_open()ed \"%s\" and then removed it could no longer "
	       "use or close its mapping (errno %s): board_remove removes the name only", name,
	       errname(errno));
	expect(!stat_board(name, &st), "board_remove(\"%s\") returned 0 but %s is still there: "
	       "shm_unlink it", name, shm_path(name));
	rc = SUBJECT(board_remove(name));
	expect(rc == -1 && errno == ENOENT, "board_remove(\"%s\") a second time: expected -1 with "
	       "errno ENOENT, got %s", name, result_text(rc, errno));
	addr = SUBJECT(board_open(name, &size));
	expect(addr == NULL && errno == ENOENT, "board_open(\"%s\") of a removed board: expected "
	       "NULL with errno ENOENT, got %s", name, addr ? "an address" : errname(errno));
	expect_no_leaks(&before, "board_remove returned");
}

GRADED_TEST(mmap, board_open_fails_cleanly, .task = "3.4", .points = 4,
	    .desc = "board_open() of a missing name fails with ENOENT, of an object of length 0 "
		    "with EINVAL, with no room for a mapping ENOMEM; nothing is left open or "
		    "mapped",
	    .hint = "Handout 3.4: fstat the object before mapping it; mmap fails with MAP_FAILED, "
		    "not NULL; close the descriptor on every path.")
{
	struct ag_snapshot before;
	char name[32];
	size_t size;
	void *addr;
	int fd;

	ag_shm_name(name, sizeof(name));
	ag_snapshot_take(&before);
	addr = SUBJECT(board_open(name, &size));
	expect(addr == NULL && errno == ENOENT, "board_open(\"%s\") of a name nobody made: "
	       "expected NULL with errno ENOENT, got %s", name, addr ? "an address" :
	       errname(errno));
	expect_no_leaks(&before, "board_open failed with ENOENT");
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	ag_setup(fd != -1 && close(fd) == 0, "shm_open");
	addr = SUBJECT(board_open(name, &size));
	expect(addr == NULL && errno == EINVAL, "board_open(\"%s\") of an object of length 0: "
	       "expected NULL with errno EINVAL, got %s", name, addr ? "an address" :
	       errname(errno));
	drop_board(name);
	expect_no_leaks(&before, "board_open failed with EINVAL");
	make_board(name, BOARD);
	addr = SUBJECT((forbid_new_mappings(), board_open(name, &size)));
	expect(addr == NULL && errno == ENOMEM, "board_open(\"%s\") with no room left for a "
	       "mapping: expected NULL with errno ENOMEM (mmap's), got %s", name,
	       addr == MAP_FAILED ? "MAP_FAILED: mmap's failure is not NULL" : addr ?
	       "an address" : errname(errno));
	drop_board(name);
	expect_no_leaks(&before, "board_open failed with ENOMEM");
}
