/*
 * sandbox.c - runs one graded test body in a sandbox, with a deadline.
 *
 * Process tree of one test (ns mode):
 *
 *   Criterion worker (ag_run: watchdog, diagnosis, result record)
 *    └─ init       pid 1 of fresh user+pid+IPC+mount namespaces; reaps
 *        └─ test   pid 2: runs the body, which calls the student's code
 *
 * The worker maps the sandbox's root to an unprivileged uid (65534 when the
 * grader is root, the grader's own uid otherwise), so RLIMIT_NPROC counts the
 * sandbox's processes on their own and a fork loop stops there. Killing init
 * kills the whole namespace; init dies with the worker (PDEATHSIG). In
 * fallback mode (no namespaces) init is a subreaper instead, and the worker
 * kills every descendant it finds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "grader.h"
#include "records.h"
#include "sandbox.h"

/*
 * When the grader is root, each test's processes run as a host uid of their
 * own (not in /etc/passwd), so kill(-1, ...) and RLIMIT_NPROC of one test
 * never reach another test or anything else on the machine.
 */
#define SANDBOX_UID_BASE 200000
#define SANDBOX_UIDS 100000
#define OUTPUT_LIMIT (16L << 20)	/* RLIMIT_FSIZE: what a test may print */
#define PROCESS_LIMIT 64
#define MEMORY_LIMIT (256L << 20)	/* RLIMIT_AS of each sandbox process (a test uses ~15 MiB) */
#define OUTPUT_KEEP 8192	/* bytes of output put in the record */
#define NS_FLAGS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNS)

enum ag_mode ag_mode = AG_MODE_NS;
bool ag_direct;
char ag_mode_reason[256] = "";
struct ag_shared *ag_shared;
pid_t ag_test_pid;

static char scratch_dir[4096];
static uid_t sandbox_uid;	/* host uid of this test's processes */
static bool is_helper;		/* a process the test forked with ag_fork() */
static double test_deadline;	/* absolute, ag_now() clock */

double ag_test_deadline(void)
{
	return test_deadline;
}

double ag_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *ag_scratch(void)
{
	return scratch_dir;
}

const char *ag_mode_name(enum ag_mode mode)
{
	return mode == AG_MODE_NS ? "ns" : mode == AG_MODE_FALLBACK ? "fallback" : "none";
}

/*
 * Criterion's workers do not inherit our descriptors (BoxFort re-executes the
 * runner), so records go to a path that every writer opens in append mode.
 */
int ag_records_open(void)
{
	const char *path = getenv("IPCLAB_RECORDS");

	if (!path || !*path)
		return -1;
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

static int remove_queue(int id)
{
	return msgctl(id, IPC_RMID, NULL);
}

static int remove_semaphores(int id)
{
	return semctl(id, 0, IPC_RMID);
}

static int remove_segment(int id)
{
	return shmctl(id, IPC_RMID, NULL);
}

/* ---- messages from inside the sandbox ---- */

void ag_message_add(const char *fmt, ...)
{
	struct ag_shared *sh = ag_shared;
	va_list ap;

	if (ag_in_subject || sh == NULL)
		return;	/* the subject has no voice in the report */
	while (__sync_lock_test_and_set(&sh->msg_lock, 1))
		sched_yield();
	if (sh->msg_len + 2 < sizeof(sh->message)) {
		char *at = sh->message + sh->msg_len;
		size_t room = sizeof(sh->message) - sh->msg_len;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(at, room, fmt, ap);
		va_end(ap);
		if (n >= (int)room)
			n = (int)room - 1;
		sh->msg_len += (size_t)n;
		if (sh->msg_len + 1 < sizeof(sh->message) && sh->message[sh->msg_len - 1] != '\n')
			sh->message[sh->msg_len++] = '\n';
		sh->message[sh->msg_len] = '\0';
	}
	__sync_lock_release(&sh->msg_lock);
}

/* A process other than the test process got here: a student's child returned. */
static void leave_if_stray(void)
{
	if (getpid() != ag_test_pid && !is_helper) {
		ag_shared->stray = 1;
		_exit(0);
	}
}

void ag_fail(const char *file, int line, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	(void)file, (void)line;
	if (ag_in_subject)
		ag_subject_fail(text);	/* a failure the judge may believe */
	leave_if_stray();
	if (is_helper) {
		ag_message_add("helper process: %s", text);
		_exit(1);	/* the test sees the helper fail through its exit status */
	}
	ag_message_add("%s", text);
	ag_shared->failed = 1;
	_exit(1);
}

void ag_error(const char *file, int line, const char *what)
{
	if (ag_in_subject) {
		char text[512];

		snprintf(text, sizeof(text), "in the process that ran the code under test, %s "
			 "failed: %s", what, strerror(errno));
		ag_subject_fail(text);
	}
	leave_if_stray();
	if (errno == EAGAIN && strcmp(what, "fork") == 0)
		ag_fail(file, line, "the test could not fork: the sandbox's limit of %d processes "
			"was reached by the code under test (fork in a loop? children never reaped?)",
			PROCESS_LIMIT);
	ag_message_add("grader error at %s:%d: %s: %s (not your fault: tell your instructor)",
		       file, line, what, strerror(errno));
	ag_shared->error = 1;
	_exit(1);
}

/*
 * The files that list System V objects (in the order of enum ag_sysv_kind),
 * with the column of each one's creator uid.
 */
static const struct sysv_table {
	const char *path, *kind;
	int cuid_column;	/* 1-based, counting key as column 1 */
	int (*remove)(int id);
} sysv_tables[] = {
	{"/proc/sysvipc/msg", "message queue", 10, remove_queue},
	{"/proc/sysvipc/sem", "semaphore set", 7, remove_semaphores},
	{"/proc/sysvipc/shm", "shared memory segment", 10, remove_segment},
};

/* Reads a whole file, however long, into a malloc'd string; NULL when unreadable. */
static char *read_whole(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 1 << 16;
	char *text = malloc(cap);
	ssize_t n;

	if (fd == -1 || text == NULL) {
		if (fd != -1)
			close(fd);
		free(text);
		return NULL;
	}
	while ((n = read(fd, text + len, cap - 1 - len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		len += (size_t)n;
		if (len + 1 == cap) {
			char *bigger = realloc(text, cap * 2);

			if (bigger == NULL)
				break;
			text = bigger;
			cap *= 2;
		}
	}
	close(fd);
	text[len] = '\0';
	return text;
}

/*
 * Each table is read whole before fn sees its first object, so that fn may
 * remove objects (removing while reading would skip some).
 */
void ag_each_sysv_object(void (*fn)(int kind, long key, int id, long cuid, void *arg),
			void *arg)
{
	for (int kind = 0; kind < AG_SYSV_KINDS; kind++) {
		char *text = read_whole(sysv_tables[kind].path), *line, *save;

		if (text == NULL)
			continue;
		line = strtok_r(text, "\n", &save);	/* the header */
		while (line && (line = strtok_r(NULL, "\n", &save))) {
			long column[16] = {0};
			int n = 0;

			for (char *at = line, *end; n < 16; at = end, n++) {
				column[n] = strtol(at, &end, 10);
				if (end == at)
					break;
			}
			if (n >= sysv_tables[kind].cuid_column)
				fn(kind, column[0], (int)column[1],
				   column[sysv_tables[kind].cuid_column - 1], arg);
		}
		free(text);
	}
}

static void note_key_in_use(int kind, long key, int id, long cuid, void *arg)
{
	(void)kind, (void)id, (void)cuid;
	if (key == *(key_t *)arg)
		*(key_t *)arg = IPC_PRIVATE;
}

key_t ag_key(void)
{
	key_t key = IPC_PRIVATE;
	int fd = open("/dev/urandom", O_RDONLY);

	ag_setup(fd != -1, "open /dev/urandom");
	while (key == IPC_PRIVATE) {	/* a key no object has yet */
		unsigned int random_bits;

		ag_setup(read(fd, &random_bits, sizeof(random_bits)) == sizeof(random_bits),
			 "read /dev/urandom");
		key = (key_t)((random_bits | 0x10000000u) & 0x7fffffff);
		ag_each_sysv_object(note_key_in_use, &key);
	}
	close(fd);
	if (ag_shared->nkeys < AG_MAX_KEYS)
		ag_shared->keys[ag_shared->nkeys++] = key;
	return key;
}

void ag_key_add(key_t key)
{
	key_t free_key = key;

	for (int i = 0; i < ag_shared->nkeys; i++)
		if (ag_shared->keys[i] == key)
			return;
	/* An object already at the key is someone else's: the grader never removes it. */
	ag_each_sysv_object(note_key_in_use, &free_key);
	if (free_key != IPC_PRIVATE && ag_shared->nkeys < AG_MAX_KEYS)
		ag_shared->keys[ag_shared->nkeys++] = key;
}

void ag_shm_name(char *buf, size_t cap)
{
	unsigned long long random_bits;
	char entry[64];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	ag_setup(fd != -1 && cap >= 24, "open /dev/urandom");
	do {
		ag_setup(read(fd, &random_bits, sizeof(random_bits)) == sizeof(random_bits),
			 "read /dev/urandom");
		snprintf(buf, cap, "/ag-%016llx", random_bits);
		snprintf(entry, sizeof(entry), "/dev/shm%s", buf);
	} while (access(entry, F_OK) == 0);
	close(fd);
	if (ag_shared->nshm_names < AG_MAX_SHM_NAMES)
		snprintf(ag_shared->shm_names[ag_shared->nshm_names++],
			 sizeof(ag_shared->shm_names[0]), "%s", buf + 1);
}

void ag_name_fifo(const char *path, const char *what, const char *other_side)
{
	struct ag_fifo_name *name;

	if (ag_shared->nfifo_names >= AG_MAX_FIFO_NAMES)
		return;
	name = &ag_shared->fifo_names[ag_shared->nfifo_names++];
	snprintf(name->base, sizeof(name->base), "%s", basename(path));
	snprintf(name->what, sizeof(name->what), "%s", what);
	snprintf(name->other_side, sizeof(name->other_side), "%s", other_side);
}

void ag_name_semaphore(int semid, int num, const char *what)
{
	struct ag_sem_name *name;

	if (ag_shared->nsem_names >= AG_MAX_SEM_NAMES)
		return;
	name = &ag_shared->sem_names[ag_shared->nsem_names++];
	name->semid = semid;
	name->num = num;
	snprintf(name->what, sizeof(name->what), "%s", what);
}

void ag_name_ring(const char *shm_name, size_t head_offset, size_t tail_offset, long capacity,
		  const char *what)
{
	struct ag_ring_name *name;

	if (ag_shared->nring_names >= AG_MAX_RING_NAMES)
		return;
	name = &ag_shared->ring_names[ag_shared->nring_names++];
	snprintf(name->shm, sizeof(name->shm), "%s", shm_name);
	name->head_offset = (long)head_offset;
	name->tail_offset = (long)tail_offset;
	name->capacity = capacity;
	snprintf(name->what, sizeof(name->what), "%s", what);
}

pid_t ag_fork(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);

		is_helper = true;
		ag_judge_register();
		if (null_fd != -1 && null_fd != STDIN_FILENO) {
			dup2(null_fd, STDIN_FILENO);
			close(null_fd);
		}
	}
	return pid;
}

/*
 * Waits in poll() on a pidfd, so that the timeout diagnosis says which pid
 * the test waits for (a short sleep loop where pidfds are missing).
 */
int ag_wait_exit(pid_t pid)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int status, result = -1;

	while (ag_now() <= test_deadline) {
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid) {
			result = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
			break;
		}
		if (got == -1 && errno != EINTR)
			break;
		if (pidfd == -1) {
			usleep(500);
		} else {
			struct pollfd exited = {.fd = pidfd, .events = POLLIN};

			poll(&exited, 1, (int)((test_deadline - ag_now()) * 1000) + 1);
		}
	}
	if (pidfd != -1)
		close(pidfd);
	return result;
}

/* Reads "/proc/PID/syscall": the number and first argument, or -1 when running or unreadable. */
static long current_syscall(pid_t pid, unsigned long *arg0)
{
	char path[64], text[256];
	long nr;

	*arg0 = 0;
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0 || sscanf(text, "%ld %lx", &nr, arg0) < 1)
		return -1;
	return nr;
}


/*
 * Stops at the deadline, at once when pid has exited (it will never block).
 * Any call of ag_blocking_call()'s list counts, sleeps too: a test cannot
 * tell a loop that sleeps between non-blocking tries from one that blocks,
 * and both are correct, so it judges what the code does next.
 */
bool ag_wait_blocked(pid_t pid)
{
	char path[64], text[512];

	while (ag_now() < test_deadline) {
		pid_t subject = ag_subject_of(pid);
		pid_t who = subject > 0 ? subject : pid;
		unsigned long arg0;
		char *state;
		long nr;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)who);
		if (ag_read_file(path, text, sizeof(text)) <= 0 || !(state = strrchr(text, ')')) ||
		    state[2] == 'Z' || state[2] == 'X')
			return false;	/* gone */
		/*
		 * A judge between calls is not the code under test; nor is a
		 * subject whose call returned, which waits on its channel for
		 * the judge to read its /proc.
		 */
		nr = subject != 0 ? current_syscall(who, &arg0) : -1;
		if (subject > 0 && nr == SYS_read && arg0 >= AG_CHANNEL_FD_MIN)
			nr = -1;
		if (state[2] == 'S' && ag_blocking_call(nr))
			return true;
		usleep(200);
	}
	return false;
}

/* ---- interrupting the code under test (ag_interrupt_start) ---- */

/* Shared by the judge and its interrupting helper, never by the subject. */
struct interrupter {
	volatile int handled;		/* signals the subject has taken so far */
	volatile int then_started;	/* the helper has begun its then() */
};

static struct interrupter *interrupter;	/* of the calling process, or NULL */
static pid_t interrupter_pid;
static struct sigaction saved_usr1;
static bool interrupt_acted;		/* the last helper got to its then() */

static void take_interruption(int sig)
{
	(void)sig;	/* runs in the subject: its only effect is EINTR */
}

void ag_forget_judge_pages(void)
{
	if (interrupter)
		munmap(interrupter, sizeof(*interrupter));
	interrupter = NULL;
	if (ag_shared)
		munmap(ag_shared, sizeof(*ag_shared));
	ag_shared = NULL;
}

unsigned long long ag_signal_set(const char *status, const char *field)
{
	const char *at = strstr(status, field);

	return at ? strtoull(at + strlen(field), NULL, 16) : 0;
}

/* True when pid has SIGUSR1 pending (its own or its process's): not yet taken. */
static bool usr1_pending(pid_t pid)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0)
		return false;
	return AG_SIG_IN(ag_signal_set(text, "SigPnd:") | ag_signal_set(text, "ShdPnd:"), SIGUSR1);
}

/* In the helper: true once the subject has taken the signal sent to it. */
static bool wait_taken(pid_t target)
{
	while (ag_now() < test_deadline) {
		if (!usr1_pending(target))
			return true;
		usleep(50);
	}
	return false;
}

/* The helper: interrupts the judge's subject `times` times, then runs then() once it blocks. */
static void __attribute__((noreturn))
interrupt_loop(pid_t judge, int times, void (*then)(void *arg), void *arg)
{
	for (int n = 1; n <= times; n++) {
		pid_t target = ag_subject_pid(judge);

		if (target <= 0 || !ag_wait_blocked(judge) || kill(target, SIGUSR1) == -1 ||
		    !wait_taken(target))
			_exit(2);	/* it stopped blocking: the test judges what it did */
		interrupter->handled = n;
	}
	if (!ag_wait_blocked(judge))
		_exit(2);
	interrupter->then_started = 1;
	if (then)
		then(arg);
	_exit(0);
}

void ag_interrupt_start(int times, void (*then)(void *arg), void *arg)
{
	struct sigaction action = {.sa_handler = take_interruption};	/* no SA_RESTART */
	pid_t judge = getpid();

	ag_setup(interrupter == NULL, "ag_interrupt_start called twice without ag_interrupt_stop");
	interrupter = mmap(NULL, sizeof(*interrupter), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ag_setup(interrupter != MAP_FAILED, "mmap");
	sigemptyset(&action.sa_mask);
	ag_setup(sigaction(SIGUSR1, &action, &saved_usr1) == 0, "sigaction");
	interrupter_pid = ag_fork();
	ag_setup(interrupter_pid != -1, "fork");
	if (interrupter_pid == 0)
		interrupt_loop(judge, times, then, arg);
}

bool ag_interrupt_acted(void)
{
	return interrupt_acted;
}

int ag_interrupt_stop(void)
{
	int handled, status;
	bool then_stuck = false;

	ag_setup(interrupter != NULL, "ag_interrupt_stop without ag_interrupt_start");
	/* Before then(), the helper only sends signals: stop it. After, let then() end. */
	if (!interrupter->then_started)
		kill(interrupter_pid, SIGKILL);
	status = ag_wait_exit(interrupter_pid);
	if (status == -1 && kill(interrupter_pid, 0) == 0) {
		/* Still there past the deadline: stuck in then(). */
		int wait_status;

		kill(interrupter_pid, SIGKILL);
		while (waitpid(interrupter_pid, &wait_status, 0) == -1 && errno == EINTR)
			continue;
		status = 128 + SIGKILL;
		then_stuck = true;
	}
	/* Reaped: no signal can come any more, so SIGUSR1 can go back. */
	ag_setup(sigaction(SIGUSR1, &saved_usr1, NULL) == 0, "sigaction");
	handled = interrupter->handled;
	interrupt_acted = interrupter->then_started;
	munmap(interrupter, sizeof(*interrupter));
	interrupter = NULL;
	expect(!then_stuck, "the test's helper, which interrupts the code and then acts, was "
	       "still waiting at the deadline: the code under test did not do what it waited for");
	expect(status == 0 || status == 2 || status == 128 + SIGKILL,
	       "the test's helper, which interrupts the code and then acts, failed (above)");
	return handled;
}

ssize_t ag_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd == -1)
		return -1;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* ---- the sandbox's processes ---- */

/*
 * The running test's .sanitized program (grader.h), opened (O_PATH) before
 * the sandbox starts; -1: none, or it could not be opened. Such a test
 * gets no RLIMIT_AS.
 */
static bool address_space_unlimited;
static int sanitized_fd = -1;

/* Opens the program name beside the runner; -1 (errno) when it is not there. */
static int open_beside_runner(const char *name)
{
	char path[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	char *slash;

	if (len <= 0)
		return -1;
	path[len] = '\0';
	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash + 1 - path) + strlen(name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(slash + 1, name);
	return open(path, O_PATH | O_CLOEXEC);
}

int ag_exec_sanitized(char *const argv[])
{
	extern char **environ;

	if (sanitized_fd == -1) {
		errno = ENOENT;
		return -1;
	}
	return fexecve(sanitized_fd, argv, environ);
}

int ag_run_sanitized(char *const argv[], const char *out, const char *err)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (o == -1 || e == -1 || dup2(o, STDOUT_FILENO) == -1 || dup2(e, STDERR_FILENO) == -1)
			_exit(127);
		ag_exec_sanitized(argv);
		dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid == -1)
		return -1;
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void set_limit(int resource, rlim_t value)
{
	struct rlimit limit = {value, value};

	setrlimit(resource, &limit);
}

static int drop_privileges(void);

/* The test process: pid 2 of the sandbox. Never returns. */
static void test_main(void (*body)(void), int output_fd)
{
	int null_fd = open("/dev/null", O_RDONLY);
	sigset_t none;

	setpgid(0, 0);
	if (null_fd == -1 || dup2(null_fd, STDIN_FILENO) == -1 ||
	    dup2(output_fd, STDOUT_FILENO) == -1 || dup2(output_fd, STDERR_FILENO) == -1 ||
	    chdir(scratch_dir) == -1)
		_exit(100);
	if (sanitized_fd > 3)
		close_range(3, (unsigned)sanitized_fd - 1, 0);
	close_range((unsigned)(sanitized_fd >= 3 ? sanitized_fd + 1 : 3), ~0U, 0);
	/* The code under test has no business with the grader's records. */
	unsetenv("IPCLAB_RECORDS");
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	ag_test_pid = getpid();
	if (ag_mode != AG_MODE_NS && drop_privileges() == -1)
		_exit(104);
	/* The judge: out of its subjects' reach, and the parent of what they leave. */
	prctl(PR_SET_DUMPABLE, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ag_judge_register();
	body();
	leave_if_stray();
	ag_shared->done = 1;
	_exit(0);
}

/*
 * Becomes an unprivileged user. In ns mode init becomes the sandbox's own
 * root (an unprivileged host uid); in fallback mode the test process becomes
 * the test's own host uid, and init stays root so kill(-1, ...) misses it.
 */
static int drop_privileges(void)
{
	if (ag_mode == AG_MODE_NS)
		return setresgid(0, 0, 0) == -1 || setresuid(0, 0, 0) == -1 ? -1 : 0;
	if (ag_mode == AG_MODE_FALLBACK && geteuid() == 0) {
		if (setgroups(0, NULL) == -1 ||
		    setresgid(sandbox_uid, sandbox_uid, sandbox_uid) == -1 ||
		    setresuid(sandbox_uid, sandbox_uid, sandbox_uid) == -1)
			return -1;
	}
	return 0;
}

/* True when dir is path or holds it. */
static bool holds(const char *dir, const char *path)
{
	size_t len = strlen(dir);

	return strncmp(dir, path, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

/*
 * Hides what the code under test must not read: the paths in IPCLAB_HIDE
 * (absolute, separated by ':'; `ipclab grade` names the kit, with its
 * solutions, and the class's submissions). A directory gets an empty
 * read-only tmpfs over it, a file /dev/null; a path holding the test's
 * scratch directory stays, and one the sandbox cannot see is hidden already.
 */
static int hide_paths(void)
{
	const char *list = getenv("IPCLAB_HIDE");
	char *copy, *save = NULL;
	int rc = 0;

	if (list == NULL || *list == '\0')
		return 0;
	if ((copy = strdup(list)) == NULL)
		return -1;
	for (char *path = strtok_r(copy, ":", &save); path && rc == 0;
	     path = strtok_r(NULL, ":", &save)) {
		struct stat st;

		if (stat(path, &st) == -1 || holds(path, scratch_dir))
			continue;
		if (S_ISDIR(st.st_mode))
			rc = mount("ag-hidden", path, "tmpfs", MS_RDONLY | MS_NOSUID |
				   MS_NODEV | MS_NOEXEC, "size=4k,mode=0");
		else
			rc = mount("/dev/null", path, NULL, MS_BIND, NULL);
		if (rc == -1)
			ag_message_add("grader error: cannot hide %s from the test", path);
	}
	free(copy);
	return rc;
}

/*
 * Private mounts: a /proc that shows the sandbox's pids, an empty /dev/shm,
 * and the hidden paths.
 */
static int private_mounts(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return -1;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return -1;
	if (mount("ag-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
		  "size=64m,mode=1777") == -1)
		return -1;
	return hide_paths();
}

static void apply_limits(double seconds)
{
	if (ag_mode == AG_MODE_NONE)
		return;
	set_limit(RLIMIT_CORE, 0);
	set_limit(RLIMIT_FSIZE, OUTPUT_LIMIT);
	set_limit(RLIMIT_NPROC, PROCESS_LIMIT);
	if (!address_space_unlimited)
		set_limit(RLIMIT_AS, MEMORY_LIMIT);
	set_limit(RLIMIT_CPU, (rlim_t)seconds + 2);
}

/*
 * init: waits for the worker's go (after it wrote the id maps), sets the
 * sandbox up, starts the test process and reaps everything until the test
 * process ends. Its exit ends the namespace.
 */
static void init_main(int go_fd, void (*body)(void), int output_fd,
		      double seconds)
{
	char go;
	pid_t test;

	/* Dies with the worker. If the worker died already, the read sees EOF. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go_fd, &go, 1) != 1)
		_exit(101);
	close(go_fd);
	if (ag_mode != AG_MODE_NS)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (ag_mode == AG_MODE_NS && (drop_privileges() == -1 || private_mounts() == -1)) {
		ag_message_add("grader error: sandbox setup failed: %s", strerror(errno));
		ag_shared->error = 1;
		_exit(102);
	}
	/* Not dumpable (changing uids made it so): no subject may write its memory. */
	prctl(PR_SET_DUMPABLE, 0);
	ag_shared->init_pid = getpid();
	apply_limits(seconds);
	test = fork();
	if (test == -1)
		_exit(103);
	if (test == 0)
		test_main(body, output_fd);
	ag_shared->test_pid = test;
	close(output_fd);
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid == test) {
			ag_shared->test_status = status;
			ag_shared->test_reaped = 1;
			break;
		}
		if (pid == -1 && errno != EINTR)
			break;
	}
	_exit(0);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Maps the sandbox's uid/gid 0 to an unprivileged host id. */
static int write_id_maps(pid_t pid)
{
	char path[64], map[64];
	uid_t uid = geteuid() == 0 ? sandbox_uid : geteuid();
	gid_t gid = geteuid() == 0 ? sandbox_uid : getegid();

	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if (write_file(path, "deny") == -1)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	if (write_file(path, map) == -1)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	return write_file(path, map);
}

/*
 * fork(), or a fork into new namespaces in ns mode. The new process is
 * dumpable, or its id maps would be root's to write: spawn_done() makes the
 * caller undumpable again once they are written (nothing of the test has run).
 */
static pid_t spawn(void)
{
	prctl(PR_SET_DUMPABLE, 1);
	if (ag_mode == AG_MODE_NS)
		return (pid_t)syscall(SYS_clone, NS_FLAGS | SIGCHLD, NULL, NULL, NULL, NULL);
	return fork();
}

static void spawn_done(void)
{
	prctl(PR_SET_DUMPABLE, 0);
}

/* Starts init; returns its pid with the sandbox running, or -1. */
static pid_t sandbox_start(void (*body)(void), int output_fd, double seconds)
{
	int go[2];
	pid_t init;

	if (pipe2(go, O_CLOEXEC) == -1)
		return -1;
	init = spawn();
	if (init == 0) {
		close(go[1]);
		init_main(go[0], body, output_fd, seconds);
	}
	close(go[0]);
	if (init != -1 && ag_mode == AG_MODE_NS && write_id_maps(init) == -1) {
		kill(init, SIGKILL);
		waitpid(init, NULL, 0);
		init = -1;
	}
	spawn_done();
	if (init != -1 && write(go[1], "g", 1) != 1) {
		kill(init, SIGKILL);
		waitpid(init, NULL, 0);
		init = -1;
	}
	close(go[1]);
	return init;
}

/* Waits for init until the deadline. Returns true if it ended in time. */
enum watched { ENDED, DEADLINE, FORK_BOMB };

/*
 * Waits for init until the deadline. A sandbox at its process limit is a
 * fork loop: it is stopped at once, before it starves the tests beside it.
 */
static enum watched watch(pid_t init)
{
	useconds_t pause_us = 50;
	double next_count = ag_now() + 0.02;

	for (;;) {
		pid_t got = waitpid(init, NULL, WNOHANG);

		if (got == init || (got == -1 && errno != EINTR))
			return ENDED;
		if (ag_now() > test_deadline)
			return DEADLINE;
		if (ag_mode != AG_MODE_NONE && ag_now() > next_count) {
			if (ag_count_processes(init) >= PROCESS_LIMIT - 1)
				return FORK_BOMB;
			next_count = ag_now() + 0.02;
		}
		usleep(pause_us);
		if (pause_us < 4000)
			pause_us *= 2;
	}
}

/*
 * Fallback as root: the test's processes are every process of its own host
 * uid, wherever a fork loop reparented them. A helper with that uid sends
 * kill(-1) (which spares the sender) until no process is left to signal.
 */
static void kill_test_uid(void)
{
	pid_t killer = fork();

	if (killer == 0) {
		if (setresgid(sandbox_uid, sandbox_uid, sandbox_uid) == -1 ||
		    setresuid(sandbox_uid, sandbox_uid, sandbox_uid) == -1)
			_exit(1);
		for (int round = 0; round < 1000 && kill(-1, SIGKILL) == 0; round++)
			;
		_exit(0);
	}
	if (killer > 0)
		waitpid(killer, NULL, 0);
}

/* Every process the test left, after init ended or was killed. */
static void kill_leftovers(void)
{
	if (ag_mode == AG_MODE_FALLBACK && geteuid() == 0)
		kill_test_uid();
	ag_kill_descendants();
}

static void kill_sandbox(pid_t init)
{
	if (ag_mode == AG_MODE_NS) {
		kill(init, SIGKILL);
		waitpid(init, NULL, 0);
	}
	kill_leftovers();
}

/* ---- the worker: one test from start to result record ---- */

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	remove(path);
	return 0;
}

static int make_scratch(const char *name)
{
	const char *base = getenv("IPCLAB_SCRATCH");

	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(scratch_dir, sizeof(scratch_dir), "%s/ag-%.40s-XXXXXX", base, name);
	if (!mkdtemp(scratch_dir))
		return -1;
	if (geteuid() == 0 && ag_mode != AG_MODE_NONE)
		return chown(scratch_dir, sandbox_uid, sandbox_uid);
	return 0;
}

/* The file that collects the test's stdout and stderr: unnamed when the fs allows. */
static int open_output(void)
{
	char path[4200];
	int fd = open(scratch_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd != -1)
		return fd;
	snprintf(path, sizeof(path), "%s/.output", scratch_dir);
	return open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

struct verdict {
	enum ag_status status;
	double score;
	char message[8192];
};

struct removal {
	bool by_uid;	/* the test's objects are those its own uid created */
	int removed[AG_SYSV_KINDS];
	int shm_names;	/* /dev/shm entries unlinked */
};

static bool test_made(const struct removal *r, long key, long cuid)
{
	if (r->by_uid)
		return (uid_t)cuid == sandbox_uid;
	for (int i = 0; i < ag_shared->nkeys; i++)
		if (key == ag_shared->keys[i] && (uid_t)cuid == geteuid())
			return true;
	return false;
}

bool ag_shm_name_given(const char *name)
{
	for (int i = 0; i < ag_shared->nshm_names; i++)
		if (strcmp(ag_shared->shm_names[i], name) == 0)
			return true;
	return false;
}

/*
 * The /dev/shm entries the test left: as its own uid, every entry that uid
 * owns; otherwise those at names ag_shm_name() handed out, if ours.
 */
static int remove_shm_names(bool by_uid)
{
	DIR *dir = opendir("/dev/shm");
	struct dirent *entry;
	struct stat st;
	int removed = 0;

	if (!dir)
		return 0;
	while ((entry = readdir(dir)))
		if (entry->d_name[0] != '.' &&
		    fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    st.st_uid == geteuid() && (by_uid || ag_shm_name_given(entry->d_name)) &&
		    unlinkat(dirfd(dir), entry->d_name, 0) == 0)
			removed++;
	closedir(dir);
	return removed;
}

static void remove_if_ours(int kind, long key, int id, long cuid, void *arg)
{
	struct removal *r = arg;

	if (test_made(r, key, cuid) && sysv_tables[kind].remove(id) == 0)
		r->removed[kind]++;
}

/* Table by table, until a pass finds nothing of the test's. */
static struct removal removal_passes(bool by_uid)
{
	struct removal total = {.by_uid = by_uid}, pass;

	do {
		pass = (struct removal){.by_uid = by_uid};
		ag_each_sysv_object(remove_if_ours, &pass);
		for (int kind = 0; kind < AG_SYSV_KINDS; kind++)
			total.removed[kind] += pass.removed[kind];
	} while (pass.removed[0] + pass.removed[1] + pass.removed[2] > 0);
	return total;
}

/*
 * As root in fallback mode the test's processes had a uid of their own, and
 * its objects are those that uid created. They are removed by a child with
 * that uid: IPC_RMID takes the object's owner or CAP_SYS_ADMIN, and root in
 * a container (Docker's or Podman's default) has no CAP_SYS_ADMIN.
 */
static struct removal removal_as_test_uid(void)
{
	struct removal total = {.by_uid = true};
	int fds[2];
	pid_t child;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return total;
	child = fork();
	if (child == 0) {
		close(fds[0]);
		if (setgroups(0, NULL) == -1 ||
		    setresgid(sandbox_uid, sandbox_uid, sandbox_uid) == -1 ||
		    setresuid(sandbox_uid, sandbox_uid, sandbox_uid) == -1)
			_exit(1);
		total = removal_passes(true);
		total.shm_names = remove_shm_names(true);
		_exit(write(fds[1], &total, sizeof(total)) == (ssize_t)sizeof(total) ? 0 : 1);
	}
	close(fds[1]);
	if (child > 0) {
		if (read(fds[0], &total, sizeof(total)) != (ssize_t)sizeof(total))
			total = (struct removal){.by_uid = true};
		waitpid(child, NULL, 0);
	}
	close(fds[0]);
	return total;
}

/*
 * Without namespaces, objects the test left behind stay on the host. Only
 * those that are provably the test's are removed: as root, every object
 * whose creator is the test's own host uid; otherwise those with a key that
 * ag_key() handed out (unused at that moment) and the grader's uid. The
 * same for /dev/shm names, with ag_shm_name() for ag_key().
 */
static void remove_test_objects(struct verdict *v)
{
	struct removal total;

	if (geteuid() == 0 && ag_mode == AG_MODE_FALLBACK)
		total = removal_as_test_uid();
	else {
		total = removal_passes(false);
		total.shm_names = remove_shm_names(false);
	}
	if (total.shm_names > 0)
		snprintf(v->message + strlen(v->message), sizeof(v->message) - strlen(v->message),
			 "the grader removed %d /dev/shm name(s) the test left\n", total.shm_names);
	for (int kind = 0; kind < AG_SYSV_KINDS; kind++) {
		size_t len = strlen(v->message);

		if (total.removed[kind] > 0)
			snprintf(v->message + len, sizeof(v->message) - len,
				 "the grader removed %d %s(s) the test left\n",
				 total.removed[kind], sysv_tables[kind].kind);
	}
}

static const char *signal_story(int sig)
{
	switch (sig) {
	case SIGSEGV: return "a segmentation fault (bad pointer)";
	case SIGBUS: return "a bus error (memory past the end of a mapped file?)";
	case SIGABRT: return "abort() (a failed assert, or the C library found heap corruption)";
	case SIGPIPE: return "SIGPIPE: it wrote to a pipe whose readers had all gone";
	case SIGXFSZ: return "the output limit (16 MiB): something prints in a loop";
	case SIGXCPU: return "the CPU time limit: an endless loop?";
	case SIGKILL: return "SIGKILL: kill(-1, ...) or kill(0, ...) from the code, or the memory limit";
	case SIGFPE: return "an arithmetic error (division by zero?)";
	default: return strsignal(sig);
	}
}


static void judge_ended(const struct ag_spec *spec, struct verdict *v)
{
	struct ag_shared *sh = ag_shared;
	int st = sh->test_status;

	v->status = AG_FAILED;
	v->score = 0;
	if (sh->stray)
		ag_message_add("a child process returned from a graded function into the caller "
			       "(after a failed exec?): a child must end with _exit().");
	if (sh->error) {
		v->status = AG_ERROR;
	} else if (sh->failed || sh->stray) {
		/* message already says why */
	} else if (!sh->test_reaped) {
		v->status = AG_CRASHED;
		ag_message_add("the sandbox's first process was killed before the test process "
			       "ended: kill(-1, ...) from the code under test?");
	} else if (WIFSIGNALED(st)) {
		v->status = AG_CRASHED;
		ag_message_add("the test process was killed by signal %d, %s.",
			       WTERMSIG(st), signal_story(WTERMSIG(st)));
	} else if (!sh->done) {
		ag_message_add("the test process exited with status %d before the test finished: "
			       "did a graded function call exit() instead of returning?",
			       WEXITSTATUS(st));
	} else if (sh->leaked) {
		v->status = AG_LEAK;
		v->score = spec->points / 2.0;	/* half of 5 is 2.5, not 2 */
	} else {
		v->status = AG_PASSED;
		v->score = spec->points;
	}
	snprintf(v->message, sizeof(v->message), "%s", sh->message);
}

static void judge_timeout(pid_t init, double seconds, struct verdict *v)
{
	int n = snprintf(v->message, sizeof(v->message),
			 "timed out after %.1f s. Where each process was when the deadline passed:\n",
			 seconds);

	v->status = AG_TIMEOUT;
	v->score = 0;
	ag_diagnose(init, v->message + n, sizeof(v->message) - (size_t)n);
}

/* Reads at most cap bytes of the test's output. */
static void read_output(int fd, char *buf, size_t cap)
{
	struct stat st;
	ssize_t n = pread(fd, buf, cap - 64, 0);

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if (fstat(fd, &st) == 0 && st.st_size > n)
		snprintf(buf + n, 64, "\n[... %lld more bytes not shown]",
			 (long long)(st.st_size - n));
}

static void emit_result(const struct ag_spec *spec, const struct verdict *v, double seconds,
			const char *output)
{
	char score[AG_POINTS_LEN], max[16], ms[16];
	const char *fields[9];
	int fd = ag_records_open();

	if (fd == -1)
		return;
	ag_points(score, v->score);
	snprintf(max, sizeof(max), "%d", spec->points);
	snprintf(ms, sizeof(ms), "%d", (int)(seconds * 1000));
	fields[0] = spec->suite;
	fields[1] = spec->name;
	fields[2] = score;
	fields[3] = max;
	fields[4] = ag_status_name(v->status);
	fields[5] = ms;
	fields[6] = v->message;
	fields[7] = "";
	fields[8] = output;
	rec_write(fd, "result", 9, fields);
	close(fd);
}

/* The test's deadline in seconds; IPCLAB_TIME_SCALE stretches it (valgrind runs). */
double ag_deadline(const struct ag_spec *spec)
{
	const char *scale = getenv("IPCLAB_TIME_SCALE");
	double seconds = spec->deadline > 0 ? spec->deadline : AG_DEFAULT_DEADLINE;

	if (scale && atof(scale) >= 1)
		seconds *= atof(scale);
	return seconds;
}

/* Ends the worker: through Criterion's assertion, or by exit status in the direct loop. */
static void finish(bool passed, const char *message)
{
	if (ag_direct)
		_exit(passed ? 0 : 1);
	cr_assert(passed, "%s", message);
}

void ag_run(const struct ag_spec *spec)
{
	static struct verdict verdict;
	static char output[OUTPUT_KEEP];
	double seconds = ag_deadline(spec);
	double start = ag_now();
	int output_fd = -1;
	pid_t init = -1;

	if (!ag_direct)
		ag_mode_choose();	/* a fresh Criterion worker: the mode comes from the env */
	sandbox_uid = SANDBOX_UID_BASE + (uid_t)getpid() % SANDBOX_UIDS;
	prctl(PR_SET_DUMPABLE, 0);	/* the worker holds the verdict: out of the test's reach */
	test_deadline = start + seconds;
	address_space_unlimited = spec->sanitized != NULL;
	if (sanitized_fd != -1)
		close(sanitized_fd);
	sanitized_fd = spec->sanitized ? open_beside_runner(spec->sanitized) : -1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ag_shared = mmap(NULL, sizeof(*ag_shared), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ag_shared == MAP_FAILED || make_scratch(spec->name) == -1 ||
	    (output_fd = open_output()) == -1 ||
	    (init = sandbox_start(spec->body, output_fd, seconds)) == -1) {
		verdict.status = AG_ERROR;
		snprintf(verdict.message, sizeof(verdict.message),
			 "grader error: could not start the sandbox: %s", strerror(errno));
	} else {
		switch (watch(init)) {
		case ENDED:
			kill_leftovers();
			judge_ended(spec, &verdict);
			break;
		case DEADLINE:
			judge_timeout(init, seconds, &verdict);
			kill_sandbox(init);
			break;
		case FORK_BOMB:
			kill_sandbox(init);
			verdict.status = AG_CRASHED;
			snprintf(verdict.message, sizeof(verdict.message),
				 "stopped: the test's processes reached the limit of %d: is fork() "
				 "called in a loop, or are children never reaped?", PROCESS_LIMIT);
			break;
		}
	}
	output[0] = '\0';
	if (output_fd != -1) {
		read_output(output_fd, output, sizeof(output));
		close(output_fd);
	}
	nftw(scratch_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (ag_mode != AG_MODE_NS && ag_shared != MAP_FAILED)
		remove_test_objects(&verdict);
	emit_result(spec, &verdict, ag_now() - start, output);
	finish(verdict.status == AG_PASSED, verdict.message);
}

/* Tries the whole ns sandbox set-up once; on failure says why. */
static bool ns_probe(char *why, size_t cap)
{
	int go[2], status = 0;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) == -1)
		return snprintf(why, cap, "pipe: %s", strerror(errno)), false;
	pid = spawn();
	if (pid == 0) {
		char byte;

		close(go[1]);
		if (read(go[0], &byte, 1) != 1 || drop_privileges() == -1)
			_exit(255);
		_exit(private_mounts() == -1 ? errno : 0);
	}
	close(go[0]);
	if (pid == -1) {
		snprintf(why, cap, "cannot create user/pid/IPC/mount namespaces (%s)",
			 strerror(errno));
	} else if (write_id_maps(pid) == -1) {
		snprintf(why, cap, "cannot map user ids into a user namespace (%s)",
			 strerror(errno));
		kill(pid, SIGKILL);
	} else if (write(go[1], "g", 1) != 1) {
		snprintf(why, cap, "pipe write: %s", strerror(errno));
	}
	spawn_done();
	close(go[1]);
	if (pid != -1)
		waitpid(pid, &status, 0);
	if (*why)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status) && WEXITSTATUS(status) != 255)
		snprintf(why, cap, "cannot mount a private /proc and /dev/shm (%s)",
			 strerror(WEXITSTATUS(status)));
	else
		snprintf(why, cap, "cannot become root inside a user namespace");
	return false;
}

void ag_mode_choose(void)
{
	const char *forced = getenv("IPCLAB_SANDBOX");

	ag_mode_reason[0] = '\0';
	if (forced && strcmp(forced, "fallback") == 0) {
		ag_mode = AG_MODE_FALLBACK;
		snprintf(ag_mode_reason, sizeof(ag_mode_reason), "IPCLAB_SANDBOX=fallback");
	} else if (forced && strcmp(forced, "none") == 0) {
		ag_mode = AG_MODE_NONE;
		snprintf(ag_mode_reason, sizeof(ag_mode_reason), "IPCLAB_SANDBOX=none");
	} else {
		ag_mode = AG_MODE_NS;
		if (!ns_probe(ag_mode_reason, sizeof(ag_mode_reason)))
			ag_mode = AG_MODE_FALLBACK;
	}
	/* As root, fallback runs the code under another uid; otherwise it has the grader's. */
	if (ag_mode == AG_MODE_FALLBACK && geteuid() != 0) {
		size_t len = strlen(ag_mode_reason);

		snprintf(ag_mode_reason + len, sizeof(ag_mode_reason) - len,
			 "; graded code runs as your uid: your other processes and files, this "
			 "run's records among them, are within its reach");
	}
}
