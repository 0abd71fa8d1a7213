/*
 * grader.h - what a lab's Criterion tests use to grade a submission.
 *
 * A graded test is written as
 *
 *     GRADED_TEST(pipes, pipeline_reader_sees_eof, .task = "3.2", .points = 8,
 *                 .desc = "cat at the end of a pipeline sees EOF",
 *                 .hint = "Handout 3.2: every process closes the ends it does not use.")
 *     {
 *             int status = run_pipeline(cmd1, cmd2);
 *             expect(status == 0, "expected exit status 0, got %d", status);
 *     }
 *
 * A test the students must not see in the results (Gradescope's "hidden"
 * visibility: it counts in the score, and while it is hidden students see
 * neither it nor their total score) adds `.hidden = true`. Every test
 * under autograder/hidden/ is hidden without saying so: the Makefile compiles
 * those files with -DAG_HIDDEN_DEFAULT=1, and `.hidden = false` overrides it.
 *
 * The body does not run in the Criterion worker. ag_run() starts a sandbox
 * (fresh user, IPC, mount and pid namespaces, private /dev/shm, resource
 * limits) and runs the body there, in a process of its own whose cwd is a
 * fresh scratch directory and whose stdout and stderr go to a capped file.
 * The worker watches the deadline, kills the sandbox's whole process tree when
 * it passes, says where each process was blocked, and writes the test's
 * result record for ipclab (see records.h).
 *
 * The body is the judge: it never runs graded code itself. Each call of a
 * graded function goes through SUBJECT(), which runs it in a subject process
 * out of the judge's reach (below).
 *
 * Rules for bodies: every call of graded code through SUBJECT(); report
 * through expect()/expect_no_leaks() only (never cr_assert: it wedges the
 * run from a forked process); a process the body forks reports through its
 * exit status; wait on events, never sleep.
 */
#ifndef GRADER_H
#define GRADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <criterion/criterion.h>

/* One graded test: points, deadline and the words the reports show. */
struct ag_spec {
	int points;		/* full marks for this test */
	double deadline;	/* seconds; 0 means AG_DEFAULT_DEADLINE */
	const char *desc;	/* one line: the behaviour checked */
	const char *hint;	/* one line: where to look (handout section), never the answer */
	bool hidden;		/* Gradescope shows students neither it nor their total */
	const char *task;	/* the handout's task it grades: "3.2" (section 3.2) */
	/*
	 * The name of a program built with ThreadSanitizer (Makefile, tsan/)
	 * that the test runs with ag_exec_sanitized(). It reserves terabytes of
	 * address space as it starts, so the sandbox sets no RLIMIT_AS for the
	 * test, and the program caps its own memory once started.
	 */
	const char *sanitized;
	/* Set by GRADED_TEST: */
	const char *suite, *name;
	void (*body)(void);
	struct ag_spec *next;		/* set by ag_register: runner.c's list */
};

#define AG_DEFAULT_DEADLINE 2.0

/* 1 when compiling autograder/hidden/ (the Makefile says so), else 0. */
#ifndef AG_HIDDEN_DEFAULT
#define AG_HIDDEN_DEFAULT 0
#endif

void ag_run(const struct ag_spec *spec);
/*
 * Every GRADED_TEST calls it before main: the runner lists and selects the
 * graded tests from these specs, not from Criterion's own test set, whose
 * type only Criterion's internal headers define (runner.c).
 */
void ag_register(struct ag_spec *spec);

/*
 * .hidden comes first so that the test's own fields can override it; GCC's
 * -Woverride-init (in -Wextra) would call that a mistake, so it is off here.
 */
#define GRADED_TEST(suite_, name_, ...)                                        \
	static void ag_body_##suite_##_##name_(void);                         \
	_Pragma("GCC diagnostic push")                                         \
	_Pragma("GCC diagnostic ignored \"-Woverride-init\"")                  \
	static struct ag_spec ag_spec_##suite_##_##name_ = {                  \
		.hidden = AG_HIDDEN_DEFAULT,                                   \
		.suite = #suite_, .name = #name_,                              \
		.body = ag_body_##suite_##_##name_, __VA_ARGS__};              \
	_Pragma("GCC diagnostic pop")                                          \
	__attribute__((constructor)) static void ag_register_##suite_##_##name_(void) \
	{                                                                      \
		ag_register(&ag_spec_##suite_##_##name_);                      \
	}                                                                      \
	Test(suite_, name_, .data = (void *)&ag_spec_##suite_##_##name_)       \
	{                                                                      \
		ag_run(&ag_spec_##suite_##_##name_);                           \
	}                                                                      \
	static void ag_body_##suite_##_##name_(void)

/*
 * Behaviour check: when cond is false the test ends here with score 0 and
 * the message (expected what, got what, what to look at) in the report.
 */
#define expect(cond, ...) \
	((cond) ? (void)0 : ag_fail(__FILE__, __LINE__, __VA_ARGS__))
void ag_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/* Setup failure that is the grader's fault, not the submission's: status "error". */
#define ag_setup(cond, what) \
	((cond) ? (void)0 : ag_error(__FILE__, __LINE__, what))
void ag_error(const char *file, int line, const char *what) __attribute__((noreturn));

/*
 * The code under test runs in subject processes. SUBJECT(call, OUT(var)...)
 * forks a subject from the judge (the test process, or a helper it forked),
 * runs the expression `call` there and hands its value back: errno is set as
 * the call left it, and each variable named by OUT() (or region named by
 * OUT_BYTES(ptr, len)) is copied back from the subject's memory. The subject
 * starts as a copy of the judge: its descriptors, signal dispositions and
 * mask, memory and cwd. Before the call it loses every page it shared with
 * the judge, every capability, and every way to signal, trace or write a
 * judge process; when the call has returned, the judge reads its
 * descriptors and children from /proc (for expect_no_leaks), and the subject
 * ends. Its children become the judge's (a subreaper).
 *
 *     got = SUBJECT(read_full(fds[0], buf, 20), OUT(buf));
 *     expect(got == 20, "expected read_full(fd, buf, 20) to return 20, got %zd", got);
 *
 * What happens in the subject stays there: a test that must set something up
 * in the process that runs the code (a signal disposition, a limit, a
 * seccomp filter) does it inside the expression, as in
 * SUBJECT((forbid_fork(), run_pipeline(cmd1, cmd2))); a callback the code
 * calls runs in the subject too, and records what it saw in a variable named
 * by OUT(). expect() in the subject fails the test (a subject can make its
 * test fail, never pass). When the call does not return (exit(), a crash),
 * the test fails and says how the process ended.
 *
 * A helper process that waits for the code to block waits for the judge:
 * ag_wait_blocked(judge) waits for the judge's current subject, and
 * ag_subject_pid(judge) says which pid that is. A judge between two calls
 * is never "blocked" (its own waits are the grader's): ag_wait_blocked() on
 * a helper that runs no subject returns only when that helper has exited,
 * so a helper the test waits on runs its blocking call in a subject too.
 */
struct ag_out {
	void *addr;
	size_t len;
};
#define OUT(var) ((struct ag_out){&(var), sizeof(var)})
#define OUT_BYTES(ptr, len) ((struct ag_out){(ptr), (len)})
#define SUBJECT(call, ...) ({                                                 \
	__typeof__(call) ag_value_;                                           \
	const struct ag_out ag_outs_[] = {{NULL, 0}, ##__VA_ARGS__};          \
	if (ag_subject_fork(#call, ag_outs_ + 1,                              \
			    (int)(sizeof(ag_outs_) / sizeof(ag_outs_[0])) - 1)) {  \
		ag_value_ = (call);                                           \
		ag_subject_return(&ag_value_, sizeof(ag_value_));             \
	}                                                                     \
	ag_subject_wait(&ag_value_, sizeof(ag_value_));                       \
	ag_value_;                                                            \
})
bool ag_subject_fork(const char *call, const struct ag_out *outs, int nouts);
void ag_subject_return(const void *value, size_t size) __attribute__((noreturn));
void ag_subject_wait(void *value, size_t size);
/* The pid of judge's current subject, waiting until it has one; -1 at the deadline. */
pid_t ag_subject_pid(pid_t judge);

/*
 * Leak checks. Take a snapshot before SUBJECT() and check after its
 * behaviour passed: descriptors, children and attachments are those of the
 * last subject at its end. What is compared: open descriptors (new
 * ones are leaks; ones that vanished were closed by code that did not own
 * them, which fails the test), children (running or zombie), System V
 * message queues, semaphore sets and segments, /dev/shm names, SYSV
 * mappings, and shared mappings or mapped files (any MAP_SHARED mapping, and
 * a MAP_PRIVATE one of a file outside /usr and /lib). A leak costs half the
 * test's points (the test goes on), and every leak is named: "fd 4 (pipe
 * write end, pipe:[1234]) still open after run_pipeline returned",
 * "/dev/shm/ring.7 (4096 bytes) left after ...", "a mapping of
 * /tmp/.../log (rw-s, 8192 bytes at 0x7f...) still mapped after ...".
 */
#define AG_MAX_FDS 64
#define AG_MAX_CHILDREN 64
#define AG_MAX_SYSV 32
#define AG_MAX_SHM 16
#define AG_MAX_MAPS 16
struct ag_snapshot {
	int nfds;
	int fds[AG_MAX_FDS];
	char fd_what[AG_MAX_FDS][64];
	int nchildren;
	pid_t children[AG_MAX_CHILDREN];
	/* System V objects by kind (queues, semaphore sets, segments): ids and keys. */
	int nsysv[3];		/* how many are named below (at most AG_MAX_SYSV) */
	int sysv_total[3];	/* how many there are */
	int sysv_id[3][AG_MAX_SYSV];
	long sysv_key[3][AG_MAX_SYSV];
	int sysv_maps;		/* SYSV lines in /proc/PID/maps */
	/* /dev/shm entries this uid owns (shm_open, sem_open): names and sizes. */
	int nshm, shm_total;
	char shm_name[AG_MAX_SHM][64];
	long long shm_size[AG_MAX_SHM];
	/* Shared mappings and mapped files other than the system's libraries. */
	int nmaps, maps_total;
	unsigned long map_start[AG_MAX_MAPS];
	char map_what[AG_MAX_MAPS][160];
	int subject_seq;	/* subjects ended before this snapshot */
	/* Signals (bit sig - 1) blocked, ignored and caught: /proc/PID/status. */
	unsigned long long sig_blocked, sig_ignored, sig_caught;
};
void ag_snapshot_take(struct ag_snapshot *snap);
/*
 * The last subject's state at its end, as the judge read it from /proc:
 * what a test checks about the process that ran the code (its signal
 * mask and dispositions, its descriptors), it reads here, not from what
 * the subject says.
 */
const struct ag_snapshot *ag_last_subject(void);
/* True when signal sig is in one of the sets above. */
#define AG_SIG_IN(set, sig) ((((set) >> ((sig) - 1)) & 1ULL) != 0)
/*
 * False under valgrind (the sandbox's mode "none"): valgrind catches and
 * blocks signals itself, so the sets the kernel shows are its own, and a
 * test can only take the subject's word.
 */
bool ag_signal_sets_known(void);
/* Returns true when nothing leaked; `after` completes "... still open after %s". */
bool expect_no_leaks(const struct ag_snapshot *before, const char *after);

/*
 * Descriptors inherited across exec. ag_fd_probe(name, argv), called in
 * the judge, returns an argument vector to hand the code under test instead
 * of argv: it runs a probe that waits while a judge-side watcher lists the
 * descriptors it inherited, from /proc, and then execs argv, so the command
 * runs as before.
 * expect_only_stdio_inherited(name, who, fix) then fails the test, naming
 * the first descriptor other than 0, 1 and 2 that the command inherited:
 *
 *     status = SUBJECT(run_pipeline(probe1, cmd2));   (probe1 = ag_fd_probe("cmd1", cmd1))
 *     expect_only_stdio_inherited("cmd1", "cmd1, which run_pipeline exec'd",
 *                                 "close the pipe's ends after dup2");
 *
 * says "fd 4 (pipe write end, pipe:[123]) was inherited by cmd1, which
 * run_pipeline exec'd: close the pipe's ends after dup2". The test's own
 * descriptors are inherited too: open them with O_CLOEXEC. In the sandbox's
 * mode "none" (valgrind runs) descriptors on files, and those from 1024 up,
 * are not judged: valgrind gives the probe its own log file, and keeps its
 * own descriptors at the top of the table.
 */
char **ag_fd_probe(const char *name, char *const argv[]);
void expect_only_stdio_inherited(const char *name, const char *who, const char *fix);

/*
 * Runs the test's .sanitized program, which ipclab builds beside the test
 * runner, with argv, as execv(3) does: it returns only on failure (-1,
 * errno). The runner's directory is out of the sandbox's reach; the
 * program was opened before the sandbox started.
 */
int ag_exec_sanitized(char *const argv[]);
/*
 * ag_exec_sanitized() in a child whose stdout and stderr go to the files
 * out and err (made or emptied, mode 0600); waits for it. Returns its exit
 * status, 128 + the signal that ended it, 127 when it could not run (err
 * says why), or -1 (fork or wait failed, errno).
 */
int ag_run_sanitized(char *const argv[], const char *out, const char *err);

/* Helpers for bodies. */
const char *ag_scratch(void);		/* this test's scratch directory (also the cwd) */
key_t ag_key(void);			/* a fresh System V key, random per run */
/*
 * A key the test made itself (ftok of a scratch file): without namespaces
 * (fallback mode, the valgrind runs) the grader removes, after the test,
 * the objects left at it, as it does for ag_key()'s keys. Call it before
 * anything is made at the key: a key that an object has already is left
 * alone, since that object is not the test's.
 */
void ag_key_add(key_t key);
/*
 * A fresh POSIX IPC name ("/ag-" and 16 hex digits, random per run, no
 * /dev/shm entry has it yet) in buf (at least 24 bytes). Without
 * namespaces the grader unlinks, after the test, what is left at it.
 */
void ag_shm_name(char *buf, size_t cap);
pid_t ag_fork(void);			/* fork for a helper process: stdin /dev/null */
int ag_wait_exit(pid_t pid);		/* waits (within the deadline); exit code, 128+sig, -1 */
/*
 * Waits until pid sleeps in a blocking system call, whichever it is: read,
 * write, a socket's recv and send, poll, select, epoll, msgrcv/msgsnd,
 * semop, futex, wait, a FIFO's open, pause/sigsuspend, or a sleep (the
 * list is in diagnose.c). Every
 * correct way to wait counts, so a test learns only "it is waiting now";
 * what it waits for, the test learns from the behaviour (it has not
 * returned; it returns once the data is there). False at the deadline, or at
 * once when pid has exited.
 */
bool ag_wait_blocked(pid_t pid);
/*
 * Signals into every blocking call. ag_interrupt_start() installs a SIGUSR1
 * handler without SA_RESTART in the calling process and forks a helper
 * that, each time the caller sleeps in a blocking call (any that
 * ag_wait_blocked() knows), sends it SIGUSR1 and waits for the handler to
 * run, `times` times over. Once the caller blocks again after that, the
 * helper runs then(arg), in the helper: write what the call waits for, read
 * what it writes. ag_interrupt_stop() ends the helper (it waits for then() to
 * finish), puts the caller's SIGUSR1 action back and returns how many
 * signals the handler saw. then() reports with expect(): its failure fails
 * the test. The helper holds copies of the caller's descriptors; then()
 * closes those that would keep a pipe from reaching EOF. One interrupter per
 * process at a time. Between ag_interrupt_start() and the call under test
 * the caller must not block or sleep (the signals would land there), and it
 * calls ag_interrupt_stop() right after the code returns.
 *
 *     static void send_reply(void *arg)
 *     {
 *             int *fds = arg;
 *
 *             expect(write(fds[1], "reply", 5) == 5, "the helper could not write");
 *     }
 *
 *     GRADED_TEST(pipes, read_full_retries_after_signal, .points = 6, ...)
 *     {
 *             make_pipe(fds);
 *             ag_interrupt_start(3, send_reply, fds);
 *             close(fds[1]);
 *             got = read_full(fds[0], buf, 5);
 *             signals = ag_interrupt_stop();
 *             expect(got == 5, "%d signals interrupted read_full(); expected it to go "
 *                    "on and return 5, got %zd", signals, got);
 *     }
 *
 * Whether the code waits in read, poll or select, it is interrupted; a loop
 * that gives up on EINTR returns early, before then() gave it its data.
 */
void ag_interrupt_start(int times, void (*then)(void *arg), void *arg);
int ag_interrupt_stop(void);
/*
 * After ag_interrupt_stop(): true when the helper got to run then(). Where
 * the contract says the code waits (a full pipe, input not sent yet), a
 * correct function cannot return before then() gave it what it waits for;
 * a test that checks this catches a function that returns the expected
 * value without doing the work.
 */
bool ag_interrupt_acted(void);
/*
 * Names a FIFO for the timeout diagnosis. A process blocked opening a file
 * whose name is path's last component is then described in plain words:
 * ag_name_fifo(reply_path, "its reply FIFO", "the server") makes a process
 * named "client" (prctl PR_SET_NAME) read "client is waiting for the server
 * to open its reply FIFO".
 */
void ag_name_fifo(const char *path, const char *what, const char *other_side);
/*
 * Names a semaphore for the timeout diagnosis. A process blocked in semop()
 * on semaphore num of set semid is then described in the test's words:
 * ag_name_semaphore(semid, 1, "free slots") makes the report say "waiting to
 * take 1 from semaphore 1 (free slots): its value is 0, ...", with who else
 * waits for it and which process changed it last.
 */
void ag_name_semaphore(int semid, int num, const char *what);
/*
 * Names a ring buffer for the timeout diagnosis: the POSIX shared memory
 * object shm_name holds two uint64_t indexes, head (records taken out) at
 * head_offset and tail (records put in) at tail_offset, and at most
 * capacity records. A process that still runs at the deadline (on the CPU,
 * in sched_yield or in a sleep) and maps the object is then described with
 * the ring's state as it sees it: ag_name_ring(name, offsetof(struct ring,
 * head), offsetof(struct ring, tail), RING_SLOTS, "the ring") makes the
 * report say "spinning on the ring (/dev/shm/ag-...), not blocked; it is
 * empty (head = tail = 1234): a pop finds no record, a push finds room".
 */
void ag_name_ring(const char *shm_name, size_t head_offset, size_t tail_offset, long capacity,
		  const char *what);
/* Lists the children of pid (of all its threads), from /proc; returns how many were stored. */
int ag_children(pid_t pid, pid_t *out, int max);
/* Reads a whole (small) file into buf, NUL-terminated; returns length or -1. */
ssize_t ag_read_file(const char *path, char *buf, size_t cap);

#endif
