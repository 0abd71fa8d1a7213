/*
 * test_sandbox.c - tests of the sandbox itself, run by `make check`
 * (check_sandbox_behaviour in autograder/selfcheck/check.sh).
 *
 * Most of these tests are meant to fail in a precise way: the check script
 * compares each one's status and message with what the sandbox must say.
 * Build: cc -Iautograder/lib test_sandbox.c build/lib/runner.o build/lib/libgrader.a -lcriterion
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/ptrace.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "grader.h"
#include "sandbox.h"

static int entries(const char *path, const char *skip_header)
{
	char text[4096];
	int lines = 0;

	if (ag_read_file(path, text, sizeof(text)) < 0)
		return -1;
	for (char *at = text; *at; at++)
		lines += *at == '\n';
	return skip_header ? lines - 1 : lines;
}

/* Expected: passed. */
GRADED_TEST(sandbox, starts_empty, .points = 1, .desc = "no IPC object, no /dev/shm name inside",
	    .hint = "-")
{
	if (ag_mode != AG_MODE_NS)
		return;
	expect(entries("/proc/sysvipc/msg", "header") == 0, "the IPC namespace is not fresh");
	expect(access("/dev/shm/.", F_OK) == 0 && entries("/proc/self/mounts", NULL) > 0,
	       "no /dev/shm");
	expect(getpid() == 2, "the test process is pid %d, not 2", (int)getpid());
}

/* Expected: leak, 1 of 2 points, the queue named; in fallback mode, removed by the grader. */
GRADED_TEST(sandbox, leaked_queue_is_named, .points = 2, .desc = "a queue left behind",
	    .hint = "-")
{
	struct ag_snapshot before;

	ag_snapshot_take(&before);
	ag_setup(msgget(ag_key(), IPC_CREAT | 0600) != -1, "msgget");
	expect_no_leaks(&before, "the test body");
}

/* Expected: leak, 2.5 of 5 points (half, not rounded down), the set named by key
 * and id; removed in fallback mode. */
GRADED_TEST(sandbox, leaked_semaphore_set_is_named, .points = 5, .desc = "a set left behind",
	    .hint = "-")
{
	struct ag_snapshot before;

	ag_snapshot_take(&before);
	ag_setup(semget(ag_key(), 2, IPC_CREAT | IPC_EXCL | 0600) != -1, "semget");
	expect_no_leaks(&before, "the test body");
}

/* Expected: crashed, "limit of 64". */
GRADED_TEST(sandbox, fork_loop_is_stopped, .points = 1, .desc = "fork in a loop",
	    .hint = "-", .deadline = 5)
{
	for (;;)
		fork();
}

/* Expected: timeout, naming the test process as the holder of the write end. */
GRADED_TEST(sandbox, hang_is_diagnosed, .points = 1, .desc = "read with own write end open",
	    .hint = "-", .deadline = 0.5)
{
	int fds[2];
	char byte;

	ag_setup(pipe(fds) == 0, "pipe");
	expect(read(fds[0], &byte, 1) == 1, "read returned");
}

/* Expected: timeout, in the plain words the test gave the FIFO. */
GRADED_TEST(sandbox, fifo_wait_is_named, .points = 1, .desc = "client opens a reply FIFO",
	    .hint = "-", .deadline = 0.5)
{
	pid_t client;

	ag_setup(mkfifo("reply.fifo", 0600) == 0, "mkfifo");
	ag_name_fifo("reply.fifo", "its reply FIFO", "the server");
	client = ag_fork();
	if (client == 0) {
		prctl(PR_SET_NAME, "client");
		_exit(open("reply.fifo", O_RDONLY) == -1);
	}
	expect(waitpid(client, NULL, 0) == -1, "the client's open returned");
}

/* A new set of n semaphores with these values, named; the sandbox removes it. */
static int new_semaphores(int n, const int *values, const char *const *names)
{
	int semid = semget(ag_key(), n, IPC_CREAT | IPC_EXCL | 0600);

	ag_setup(semid != -1, "semget");
	for (int i = 0; i < n; i++) {
		ag_setup(semctl(semid, i, SETVAL, values[i]) == 0, "semctl SETVAL");
		ag_name_semaphore(semid, i, names[i]);
	}
	return semid;
}

/* A helper named name that runs each of ops in turn (one semop each), then exits. */
static pid_t sem_helper(const char *name, int semid, struct sembuf *ops, int nops)
{
	pid_t pid = ag_fork();

	if (pid == 0) {
		prctl(PR_SET_NAME, name);
		for (int i = 0; i < nops; i++)
			if (semop(semid, &ops[i], 1) == -1)
				_exit(1);
		_exit(0);
	}
	return pid;
}

/*
 * Expected: timeout; the waiter is described: the mutex, its value 0, and the
 * holder that took it without SEM_UNDO and exited.
 */
GRADED_TEST(sandbox, semaphore_wait_is_described, .points = 1,
	    .desc = "a mutex taken by a process that exited", .hint = "-", .deadline = 0.5)
{
	struct sembuf take = {.sem_num = 0, .sem_op = -1};
	int semid = new_semaphores(1, (int[]){1}, (const char *[]){"the mutex"});
	pid_t holder = sem_helper("holder", semid, &take, 1), waiter;

	ag_setup(ag_wait_exit(holder) == 0, "the holder's semop");
	waiter = sem_helper("waiter", semid, &take, 1);
	expect(waitpid(waiter, NULL, 0) == -1, "the waiter's semop returned");
}

/*
 * Expected: timeout; the code under test waits for a semaphore nobody gives,
 * and the test is said to wait for it. As root and as an ordinary user, who
 * cannot read a judge's system call (check_sandbox_behaviour runs both).
 */
GRADED_TEST(sandbox, subject_semaphore_wait_is_described, .points = 1,
	    .desc = "the code under test waits for a semaphore at 0", .hint = "-", .deadline = 0.5)
{
	struct sembuf take = {.sem_num = 0, .sem_op = -1};
	int semid = new_semaphores(1, (int[]){0}, (const char *[]){"the lock"});

	expect(SUBJECT(semop(semid, &take, 1)) == 0, "semop returned");
}

/*
 * Expected: timeout; two diners each hold the fork the other waits for, each
 * named as the last to operate on it, and the test waits for the count of
 * diners still eating to be zero. Two more semaphores order the steps: right
 * takes its fork once left holds its own, and left goes on once right does.
 */
GRADED_TEST(sandbox, semaphore_deadlock_is_described, .points = 1,
	    .desc = "two processes each waiting for the other's semaphore", .hint = "-",
	    .deadline = 0.5)
{
	enum { LEFT, RIGHT, EATING, LEFT_HOLDS, RIGHT_HOLDS };
	struct sembuf left[] = {{LEFT, -1, 0}, {LEFT_HOLDS, 1, 0}, {RIGHT_HOLDS, -1, 0},
				{RIGHT, -1, 0}};
	struct sembuf right[] = {{LEFT_HOLDS, -1, 0}, {RIGHT, -1, 0}, {RIGHT_HOLDS, 1, 0},
				 {LEFT, -1, 0}};
	struct sembuf all_done = {EATING, 0, 0};
	int semid = new_semaphores(5, (int[]){1, 1, 2, 0, 0},
				   (const char *[]){"the left fork", "the right fork",
						    "diners still eating", "left holds its fork",
						    "right holds its fork"});

	sem_helper("left", semid, left, 4);
	sem_helper("right", semid, right, 4);
	expect(semop(semid, &all_done, 1) == 0, "the diners finished");
}

/* Expected: crashed by SIGKILL; nothing outside the sandbox touched. */
GRADED_TEST(sandbox, kill_all_is_contained, .points = 1, .desc = "kill(-1, SIGKILL)",
	    .hint = "-")
{
	kill(-1, SIGKILL);
	kill(0, SIGKILL);
}

/* Expected: failed, "did a graded function call exit()". */
GRADED_TEST(sandbox, exit_is_reported, .points = 1, .desc = "exit() in the body",
	    .hint = "-")
{
	exit(3);
}

static void write_a_byte(void *arg)
{
	expect(write(*(int *)arg, "x", 1) == 1, "write");
}

/* In the subject: waits in poll, then select, then read; 10 per EINTR, 1 for the byte. */
static int wait_three_ways(int fd)
{
	struct pollfd readable = {.fd = fd, .events = POLLIN};
	fd_set set;
	int result = 0;
	char byte;

	result += poll(&readable, 1, -1) == -1 && errno == EINTR ? 10 : 0;
	FD_ZERO(&set);
	FD_SET(fd, &set);
	result += select(fd + 1, &set, NULL, NULL, NULL) == -1 && errno == EINTR ? 10 : 0;
	result += read(fd, &byte, 1) == -1 && errno == EINTR ? 10 : 0;
	return result + (read(fd, &byte, 1) == 1);
}

/*
 * Expected: passed. More helpers than there are judge slots, one after the
 * other: the last one's subject is still seen to block.
 */
GRADED_TEST(sandbox, many_helpers_keep_their_judges, .points = 1,
	    .desc = "40 helpers in turn, each with a subject", .hint = "-", .deadline = 5)
{
	int fds[2];
	pid_t helper;
	char byte;

	ag_setup(pipe(fds) == 0, "pipe");
	for (int i = 0; i < 40; i++) {
		helper = ag_fork();
		if (helper == 0)
			_exit(SUBJECT(getpid()) > 0 ? 0 : 1);
		expect(ag_wait_exit(helper) == 0, "helper %d: its subject did not return", i);
	}
	helper = ag_fork();
	if (helper == 0)
		_exit(SUBJECT(read(fds[0], &byte, 1)) == 1 ? 0 : 1);
	expect(ag_wait_blocked(helper), "the 41st helper's subject was not seen to block");
	expect(write(fds[1], "x", 1) == 1 && ag_wait_exit(helper) == 0, "the last helper failed");
}

/*
 * Expected: passed. Signals reach a subject's wait in poll, then in select,
 * then in read, one each, and the data comes after the third.
 */
GRADED_TEST(sandbox, interrupts_any_blocking_call, .points = 1,
	    .desc = "ag_interrupt_start reaches poll, select and read", .hint = "-")
{
	int fds[2], result;

	ag_setup(pipe(fds) == 0, "pipe");
	ag_interrupt_start(3, write_a_byte, &fds[1]);
	result = SUBJECT(wait_three_ways(fds[0]));
	expect(result % 10 == 1, "the byte written after the signals did not come");
	expect(ag_interrupt_stop() == 3 && result == 31, "expected 3 signals, each an EINTR; "
	       "got %d EINTRs", result / 10);
}

/* In the subject: errno of each attempt (0: it worked). */
struct reach {
	int judge, init, everyone, trace, self, group, child;
};

static int errno_of(int rc)
{
	return rc == -1 ? errno : 0;
}

static int try_to_reach(struct reach *r)
{
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	r->judge = errno_of(kill(getppid(), 0));
	r->init = errno_of(kill(1, 0));
	r->everyone = errno_of(kill(-1, 0));
	r->trace = errno_of((int)ptrace(PTRACE_ATTACH, getppid(), 0, 0));
	r->self = errno_of(raise(0));
	r->group = errno_of(kill(0, 0));
	r->child = errno_of(kill(child, SIGKILL));
	return 0;
}

/*
 * Expected: passed. A subject reaches no judge process (the judge, init,
 * kill(-1), ptrace), with helpers around, but it may signal itself, its
 * group and its children.
 */
GRADED_TEST(sandbox, subject_cannot_reach_judge, .points = 1,
	    .desc = "the subject's filter refuses the judge's pids, not its own", .hint = "-")
{
	struct reach r;

	for (int i = 0; i < 30; i++) {
		pid_t helper = ag_fork();

		ag_setup(helper != -1, "fork");
		if (helper == 0) {
			pause();
			_exit(0);
		}
	}
	SUBJECT(try_to_reach(&r), OUT(r));
	expect(r.judge == EPERM && r.init == EPERM && r.everyone == EPERM && r.trace == EPERM,
	       "the subject reached a judge process: kill judge %d, init %d, -1 %d, ptrace %d",
	       r.judge, r.init, r.everyone, r.trace);
	expect(r.self == 0 && r.group == 0 && r.child == 0, "the subject could not signal "
	       "itself (%d), its group (%d) or its child (%d)", r.self, r.group, r.child);
}

/* Makes a scratch file of len bytes; returns its descriptor. */
static int scratch_file(const char *name, off_t len)
{
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ag_setup(fd != -1 && ftruncate(fd, len) == 0, "make a scratch file");
	return fd;
}

/*
 * Expected: leak, the name and its size said, and how to remove it; in
 * fallback mode removed by the grader.
 */
GRADED_TEST(sandbox, leaked_shm_name_is_named, .points = 2, .desc = "a /dev/shm name left",
	    .hint = "-")
{
	struct ag_snapshot before;
	char name[24];
	int fd;

	ag_shm_name(name, sizeof(name));
	ag_snapshot_take(&before);
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	ag_setup(fd != -1 && ftruncate(fd, 4096) == 0, "shm_open");
	close(fd);
	expect_no_leaks(&before, "the test body");
}

/* In the subject: maps two pages of a file and returns without munmap. */
static void *map_and_keep(void)
{
	int fd = scratch_file("kept", 8192);
	void *at = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	close(fd);
	return at;
}

/* Expected: leak, the mapping named by file, permissions, size and address. */
GRADED_TEST(sandbox, leaked_mapping_is_named, .points = 2, .desc = "a mapping kept",
	    .hint = "-")
{
	struct ag_snapshot before;
	void *at;

	ag_snapshot_take(&before);
	at = SUBJECT(map_and_keep());
	expect(at != MAP_FAILED, "mmap failed: %s", strerror(errno));
	expect_no_leaks(&before, "map_and_keep returned");
}

/* In the subject: touches the second page of a mapping whose file holds 100 bytes. */
static int touch_past_end(void)
{
	int fd = scratch_file("short", 100);
	char *at = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	close(fd);
	if (at == MAP_FAILED)
		return -1;
	at[5000] = 'x';
	return 0;
}

/* Expected: failed, the fault said with its page of the file and the file's length. */
GRADED_TEST(sandbox, sigbus_names_the_page, .points = 1, .desc = "a page past the end",
	    .hint = "-")
{
	SUBJECT(touch_past_end());
}

/* In the subject: reads a page after munmap. */
static int read_after_munmap(void)
{
	char *at = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (at == MAP_FAILED || munmap(at, 4096) == -1)
		return -1;
	return *(volatile char *)at;
}

/* Expected: failed, "which no mapping holds". */
GRADED_TEST(sandbox, sigsegv_after_munmap_is_named, .points = 1, .desc = "use after munmap",
	    .hint = "-")
{
	SUBJECT(read_after_munmap());
}

/* In the subject: a child touches past the end; the subject reports how it ended. */
static int child_touches_past_end(void)
{
	int status;
	pid_t child = fork();

	if (child == 0)
		_exit(touch_past_end());
	if (child == -1 || waitpid(child, &status, 0) == -1)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Expected: failed; the child's fault said in the test's output. */
GRADED_TEST(sandbox, child_sigbus_is_told, .points = 1, .desc = "a child's bus error",
	    .hint = "-")
{
	int sig = SUBJECT(child_touches_past_end());

	expect(sig == 0, "the child was killed by signal %d", sig);
}
