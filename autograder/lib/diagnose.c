/*
 * diagnose.c - says where a test's processes are stuck when its deadline
 * passes, and kills what is left.
 *
 * The system call (/proc/PID/syscall) and the descriptors say what a
 * process waits for; wchan names change between kernels (pipe_read on 6.1,
 * anon_pipe_read on 6.18), so it is shown as a supporting detail only.
 * Calls are known by their SYS_* names: the numbers differ between
 * architectures (read is 0 on x86_64, 63 on arm64).
 * For a pipe, the report names every process of the test that still holds
 * the other end: that is almost always the bug. For a semaphore, it says
 * which one the process asks for, its value, who else waits on it and who
 * operated on it last, read with semctl from inside the test's namespaces.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "grader.h"
#include "sandbox.h"

#define MAX_PROCS 256

#define KNOWN(call, waits) {SYS_##call, #call, waits}

/*
 * Every system call in which correct code may wait for another process, and
 * what it waits for; ag_wait_blocked() (sandbox.c) takes the same list.
 * arm64 (asm-generic) lacks the older calls: its glibc makes open() an
 * openat, poll() a ppoll, select() a pselect6, epoll_wait() an epoll_pwait
 * and pause() an rt_sigsuspend.
 */
static const struct ag_blocking_call blocking_calls[] = {
	KNOWN(read, AG_WAITS_PIPE_READ),
	KNOWN(readv, AG_WAITS_PIPE_READ),
	KNOWN(pread64, AG_WAITS_PIPE_READ),
	KNOWN(preadv, AG_WAITS_PIPE_READ),
	KNOWN(write, AG_WAITS_PIPE_WRITE),
	KNOWN(writev, AG_WAITS_PIPE_WRITE),
	KNOWN(pwrite64, AG_WAITS_PIPE_WRITE),
	KNOWN(pwritev, AG_WAITS_PIPE_WRITE),
	/* A socket's kin of read and write (lab 07's Unix domain socket link). */
	KNOWN(recvfrom, AG_WAITS_PIPE_READ),
	KNOWN(recvmsg, AG_WAITS_PIPE_READ),
	KNOWN(recvmmsg, AG_WAITS_PIPE_READ),
	KNOWN(sendto, AG_WAITS_PIPE_WRITE),
	KNOWN(sendmsg, AG_WAITS_PIPE_WRITE),
	KNOWN(sendmmsg, AG_WAITS_PIPE_WRITE),
	KNOWN(openat, AG_WAITS_OPEN),
#ifdef SYS_openat2
	KNOWN(openat2, AG_WAITS_OPEN),
#endif
#ifdef SYS_open
	KNOWN(open, AG_WAITS_OPEN),
#endif
	KNOWN(wait4, AG_WAITS_CHILD),
	KNOWN(waitid, AG_WAITS_CHILD),
	KNOWN(msgrcv, AG_WAITS_MESSAGE),
	KNOWN(msgsnd, AG_WAITS_ROOM),
#ifdef SYS_semop
	KNOWN(semop, AG_WAITS_SEMAPHORE),
#endif
	KNOWN(semtimedop, AG_WAITS_SEMAPHORE),
	KNOWN(futex, AG_WAITS_FUTEX),
	KNOWN(ppoll, AG_WAITS_POLL),
#ifdef SYS_poll
	KNOWN(poll, AG_WAITS_POLL),
#endif
	KNOWN(pselect6, AG_WAITS_READY),
	KNOWN(epoll_pwait, AG_WAITS_READY),
#ifdef SYS_epoll_pwait2
	KNOWN(epoll_pwait2, AG_WAITS_READY),
#endif
#ifdef SYS_select
	KNOWN(select, AG_WAITS_READY),
#endif
#ifdef SYS_epoll_wait
	KNOWN(epoll_wait, AG_WAITS_READY),
#endif
	KNOWN(nanosleep, AG_WAITS_SLEEP),
	KNOWN(clock_nanosleep, AG_WAITS_SLEEP),
	KNOWN(rt_sigsuspend, AG_WAITS_SIGNAL),
	KNOWN(rt_sigtimedwait, AG_WAITS_SIGNAL),
#ifdef SYS_pause
	KNOWN(pause, AG_WAITS_SIGNAL),
#endif
};

const struct ag_blocking_call *ag_blocking_call(long nr)
{
	for (size_t i = 0; i < sizeof(blocking_calls) / sizeof(blocking_calls[0]); i++)
		if (blocking_calls[i].nr == nr)
			return &blocking_calls[i];
	return NULL;
}

#define MAX_SEMOPS 16

/* What the diagnosis learnt of a set from inside the blocked process's namespaces. */
struct sem_facts {
	int op;			/* index of the first operation that cannot proceed now */
	int key;
	int value, waiting_up, waiting_zero;
	int last_pid;		/* GETPID: the last process to operate on it, 0 for none */
};

struct proc {
	pid_t pid;		/* host pid */
	pid_t inner;		/* pid inside the sandbox */
	char comm[32];
	char state;
	long nr;		/* syscall number, -1 when running, -2 unreadable */
	const struct ag_blocking_call *call;	/* nr's name; NULL when not known here */
	long arg0, arg1, arg2, arg3;
	char wchan[64];
	/* In semop: the operations, from its memory, and the set (learn_semaphores). */
	int nsops;		/* 0 when unreadable */
	struct sembuf sops[MAX_SEMOPS];
	bool sem_known;
	struct sem_facts sem;
};

struct text {
	char *buf;
	size_t cap, len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len + 1 >= t->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += n < 0 ? 0 : (size_t)n;
	if (t->len >= t->cap)
		t->len = t->cap - 1;
}

int ag_children(pid_t pid, pid_t *out, int max)
{
	char path[64];
	DIR *tasks;
	struct dirent *task;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return 0;
	while ((task = readdir(tasks)) && n < max) {
		char file[320], list[4096], *at = list, *end;

		if (task->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "/proc/%d/task/%s/children", (int)pid, task->d_name);
		if (ag_read_file(file, list, sizeof(list)) <= 0)
			continue;
		for (long child; n < max && (child = strtol(at, &end, 10)) > 0; at = end)
			out[n++] = (pid_t)child;
	}
	closedir(tasks);
	return n;
}

pid_t ag_inner_pid(pid_t pid)
{
	char path[64], text[4096], *line;
	pid_t inner = pid;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0 || !(line = strstr(text, "NSpid:")))
		return pid;
	for (char *at = line + 6, *end; *at && *at != '\n'; at = end) {
		long value = strtol(at, &end, 10);

		if (end == at)
			break;
		inner = (pid_t)value;
	}
	return inner;
}


/* Reads what the diagnosis needs about pid; false when it has already gone. */
static bool read_proc(pid_t pid, struct proc *p)
{
	char path[64], text[512], *close_paren;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->inner = ag_inner_pid(pid);
	p->nr = -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) > 0 && (close_paren = strrchr(text, ')'))) {
		char *open_paren = strchr(text, '(');

		if (open_paren)
			snprintf(p->comm, sizeof(p->comm), "%.*s",
				 (int)(close_paren - open_paren - 1), open_paren + 1);
		p->state = close_paren[2];
	}
	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0)
		p->nr = -2;
	else if (text[0] != 'r')
		sscanf(text, "%ld %lx %lx %lx %lx", &p->nr, &p->arg0, &p->arg1, &p->arg2,
		       &p->arg3);
	p->call = p->nr >= 0 ? ag_blocking_call(p->nr) : NULL;
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)pid);
	if (ag_read_file(path, p->wchan, sizeof(p->wchan)) <= 0 || strcmp(p->wchan, "0") == 0)
		p->wchan[0] = '\0';
	return p->state != '\0';
}

/* Collects root's descendants (not root itself), depth first. */
static int collect(pid_t root, struct proc *procs, int n)
{
	pid_t kids[MAX_PROCS];
	int count = ag_children(root, kids, MAX_PROCS);

	for (int i = 0; i < count && n < MAX_PROCS; i++) {
		if (!read_proc(kids[i], &procs[n]))
			continue;
		n = collect(kids[i], procs, n + 1);
	}
	return n;
}

int ag_count_processes(pid_t root)
{
	pid_t kids[MAX_PROCS];
	int n = ag_children(root, kids, MAX_PROCS), total = 1;

	for (int i = 0; i < n; i++)
		total += ag_count_processes(kids[i]);
	return total;
}

/* Resident memory of pid in MiB, or -1. */
static long resident_mib(pid_t pid)
{
	char path[64], text[128];
	long pages, resident;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0 ||
	    sscanf(text, "%ld %ld", &pages, &resident) != 2)
		return -1;
	return resident * (sysconf(_SC_PAGESIZE) / 1024) / 1024;
}

/* Access mode of pid's fd from fdinfo: O_RDONLY, O_WRONLY, O_RDWR or -1. */
static int fd_access(pid_t pid, int fd)
{
	char path[64], text[512], *flags;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (ag_read_file(path, text, sizeof(text)) <= 0 || !(flags = strstr(text, "flags:")))
		return -1;
	return (int)(strtol(flags + 6, NULL, 8) & O_ACCMODE);
}

static int fd_target(pid_t pid, int fd, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, buf, cap - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

void ag_describe_fd(pid_t pid, int fd, char *buf, size_t cap)
{
	char target[256];
	int mode;

	if (fd_target(pid, fd, target, sizeof(target)) == -1) {
		snprintf(buf, cap, "closed");
		return;
	}
	mode = fd_access(pid, fd);
	if (strncmp(target, "pipe:", 5) == 0)
		snprintf(buf, cap, "pipe %s end, %s",
			 mode == O_WRONLY ? "write" : mode == O_RDONLY ? "read" : "read+write",
			 target);
	else
		snprintf(buf, cap, "%s", target);
}

/* The subject judge JUDGE runs now (graded code, in a process of its own), or 0. */
static pid_t subject_of(pid_t judge)
{
	for (int i = 0; i < AG_MAX_JUDGES; i++)
		if (ag_shared->judges[i].judge == judge)
			return ag_shared->judges[i].subject;
	return 0;
}

/* A process the test did not name has the test program's name (comm: 15 bytes). */
static bool unnamed(const struct proc *p)
{
	return strncmp(p->comm, program_invocation_short_name, 15) == 0;
}

/* What a process is to the student: the test, a helper of the test (another
 * judge, by the name the test gave it), the student's code (a judge's
 * subject), or the program it runs. */
static const char *role(const struct proc *p)
{
	static char named[64];

	if (p->inner == ag_shared->test_pid)
		return "the test";
	for (int i = 0; i < AG_MAX_JUDGES; i++) {
		if (ag_shared->judges[i].judge == p->inner)
			return unnamed(p) ? "the test's helper" : p->comm;
		if (!ag_shared->judges[i].judge || ag_shared->judges[i].subject != p->inner)
			continue;
		/* A subject keeps the name the test gave its judge ("consumer 2"). */
		if (unnamed(p))
			return "your code";
		snprintf(named, sizeof(named), "your code, as %s", p->comm);
		return named;
	}
	return p->comm;
}

/* Lists the processes that hold `target` open for `want` (O_WRONLY or O_RDONLY). */
static void add_holders(struct text *t, const struct proc *procs, int n, const char *target,
			int want)
{
	int found = 0;

	for (int i = 0; i < n; i++) {
		char dir[64];
		DIR *fds;
		struct dirent *entry;

		snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)procs[i].pid);
		if (!(fds = opendir(dir)))
			continue;
		while ((entry = readdir(fds))) {
			char link[256];
			int fd = atoi(entry->d_name), mode;

			if (entry->d_name[0] == '.' || fd_target(procs[i].pid, fd, link, sizeof(link)))
				continue;
			mode = fd_access(procs[i].pid, fd);
			if (strcmp(link, target) == 0 && (mode == want || mode == O_RDWR))
				add(t, "%s pid %d (%s) fd %d", found++ ? "," : "", (int)procs[i].inner,
				    role(&procs[i]),
				    fd);
		}
		closedir(fds);
	}
	if (!found)
		add(t, " none");
}

static void describe_pipe_wait(struct text *t, const struct proc *p, const struct proc *procs,
			       int n)
{
	char target[256];
	bool reading = p->call->waits == AG_WAITS_PIPE_READ;

	if (fd_target(p->pid, (int)p->arg0, target, sizeof(target)) == -1 ||
	    strncmp(target, "pipe:", 5) != 0) {
		add(t, "%s fd %ld (%s)", reading ? "reading" : "writing", p->arg0,
		    fd_target(p->pid, (int)p->arg0, target, sizeof(target)) ? "?" : target);
		return;
	}
	if (reading) {
		add(t, "reading fd %ld (%s), waiting for data that never comes: EOF needs every "
		       "write end closed, and it is still open in:", p->arg0, target);
		add_holders(t, procs, n, target, O_WRONLY);
	} else {
		add(t, "writing fd %ld (%s), blocked because the pipe is full: nobody reads it; "
		       "read ends held by:", p->arg0, target);
		add_holders(t, procs, n, target, O_RDONLY);
	}
}

/* Reads up to len bytes at addr in pid's memory; returns how many, or -1. */
static ssize_t read_memory(pid_t pid, long addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n;
}

/* Reads the NUL-terminated string at addr in pid's memory; false when it cannot. */
static bool read_string(pid_t pid, long addr, char *buf, size_t cap)
{
	ssize_t n = read_memory(pid, addr, buf, cap - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strlen(buf) < (size_t)n;
}

/*
 * poll() (or ppoll) whose first descriptor is a pidfd waits for that process
 * to exit (ag_wait_exit does that). Returns the pid inside the sandbox, or 0.
 */
static pid_t polled_pid(const struct proc *p)
{
	struct pollfd first;
	char path[64], text[512], *line;

	if (read_memory(p->pid, p->arg0, &first, sizeof(first)) !=
	    (ssize_t)sizeof(first))
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)p->pid, first.fd);
	if (ag_read_file(path, text, sizeof(text)) <= 0 || !(line = strstr(text, "\nPid:")))
		return 0;
	return ag_inner_pid((pid_t)strtol(line + 5, NULL, 10));
}

/* The name the test gave a FIFO whose file name is that of path, or NULL. */
static const struct ag_fifo_name *fifo_name(const char *path)
{
	/* The latest name wins: a test may rename a FIFO as its roles change. */
	for (int i = ag_shared->nfifo_names; i-- > 0;)
		if (i < AG_MAX_FIFO_NAMES &&
		    strcmp(ag_shared->fifo_names[i].base, basename(path)) == 0)
			return &ag_shared->fifo_names[i];
	return NULL;
}

/* The flags of the open p is blocked in (openat2 keeps them in a struct open_how). */
static long open_flags(const struct proc *p)
{
	unsigned long long how_flags = 0;

#ifdef SYS_open
	if (p->nr == SYS_open)
		return p->arg1;
#endif
	if (p->nr == SYS_openat)
		return p->arg2;
	if (read_memory(p->pid, p->arg2, &how_flags, sizeof(how_flags)) !=
	    (ssize_t)sizeof(how_flags))
		return O_RDONLY;
	return (long)how_flags;
}

/* open(), openat() or openat2(): for a FIFO it waits until the other side opens it too. */
static void describe_open(struct text *t, const struct proc *p)
{
	long path_arg = p->arg1;	/* openat and openat2: (dirfd, path, ...) */
	bool reading = (open_flags(p) & O_ACCMODE) == O_RDONLY;
	const struct ag_fifo_name *name;
	char path[256];

#ifdef SYS_open
	if (p->nr == SYS_open)
		path_arg = p->arg0;
#endif
	if (!read_string(p->pid, path_arg, path, sizeof(path))) {
		add(t, "opening a file; for a FIFO, open() waits until the other side opens it too");
		return;
	}
	name = fifo_name(path);
	if (name)
		add(t, "%s is waiting for %s to open %s (\"%s\"): ", p->comm, name->other_side,
		    name->what, path);
	else
		add(t, "opening \"%s\" for %s: ", path, reading ? "reading" : "writing");
	add(t, "open() of a FIFO for %s blocks until a process opens it for %s",
	    reading ? "reading" : "writing", reading ? "writing" : "reading");
}

static void describe_wait4(struct text *t, const struct proc *p, const struct proc *procs,
			   int n)
{
	pid_t kids[16];
	int count = ag_children(p->pid, kids, 16);

	add(t, "in %s(), waiting for a child that has not exited; its children:",
	    p->nr == SYS_wait4 ? "waitpid" : p->call->name);
	for (int i = 0; i < count; i++)
		for (int j = 0; j < n; j++)
			if (procs[j].pid == kids[i])
				add(t, " pid %d (%s, %s)", (int)procs[j].inner, procs[j].comm,
				    procs[j].state == 'Z' ? "exited, not reaped" : "running");
	if (count == 0)
		add(t, " none");
}

/* ---- semop(): which semaphore, its value, its waiters, who operated on it last ---- */

/* The name the test gave semaphore num of set semid, or NULL. */
static const char *sem_name(int semid, int num)
{
	for (int i = ag_shared->nsem_names; i-- > 0;)
		if (i < AG_MAX_SEM_NAMES && ag_shared->sem_names[i].semid == semid &&
		    ag_shared->sem_names[i].num == num)
			return ag_shared->sem_names[i].what;
	return NULL;
}

/*
 * Opens /proc/PID/ns/NAME when it is not the caller's own namespace: the
 * descriptor, -2 when it is the caller's (fallback and none modes), -1 on error.
 */
static int foreign_ns(pid_t pid, const char *name)
{
	char path[64];
	struct stat theirs, ours;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (fd == -1 || fstat(fd, &theirs) == -1 || stat(path, &ours) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
		close(fd);
		return -2;
	}
	return fd;
}

/*
 * In a single-threaded child: joins pid's user namespace (that gives the
 * capabilities in it that the next two need), IPC namespace and pid
 * namespace (for its children: GETPID then gives the pids the report uses).
 */
static int join_namespaces(pid_t pid)
{
	static const struct { const char *name; int type; } kinds[] = {
		{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"pid", CLONE_NEWPID},
	};
	int fds[3];

	for (int i = 0; i < 3; i++)
		if ((fds[i] = foreign_ns(pid, kinds[i].name)) == -1)
			return -1;
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && setns(fds[i], kinds[i].type) == -1)
			return -1;
	return 0;
}

/*
 * Finds the first of sops that cannot proceed now (the kernel applies them
 * in order, all or none, so earlier ones count) and reads that semaphore,
 * with read-only semctl commands. -1 when the set cannot be read.
 */
static int read_set(int semid, const struct sembuf *sops, int nsops, struct sem_facts *f)
{
	struct semid_ds ds;
	int num = -1;

	if (semctl(semid, 0, IPC_STAT, &ds) == -1)
		return -1;
	f->key = (int)ds.sem_perm.__key;
	f->op = 0;
	for (int i = 0; i < nsops && num < 0; i++) {
		int value = semctl(semid, sops[i].sem_num, GETVAL);

		if (value == -1)
			return -1;
		for (int j = 0; j < i; j++)
			if (sops[j].sem_num == sops[i].sem_num)
				value += sops[j].sem_op;
		if ((sops[i].sem_op < 0 && value + sops[i].sem_op < 0) ||
		    (sops[i].sem_op == 0 && value != 0)) {
			f->op = i;
			num = sops[i].sem_num;
		}
	}
	if (num < 0)
		num = sops[0].sem_num;	/* released since it blocked: describe the first */
	f->value = semctl(semid, num, GETVAL);
	f->waiting_up = semctl(semid, num, GETNCNT);
	f->waiting_zero = semctl(semid, num, GETZCNT);
	f->last_pid = semctl(semid, num, GETPID);
	return f->value == -1 || f->waiting_up == -1 || f->waiting_zero == -1 ||
	       f->last_pid == -1 ? -1 : 0;
}

/* A blocked process's index in the table, and what the reader learnt of its set. */
struct sem_record {
	int index;
	struct sem_facts facts;
};

static bool waits_in_semop(const struct proc *p)
{
	return p->call && p->call->waits == AG_WAITS_SEMAPHORE;
}

/*
 * The child of learn_semaphores(): joins the namespaces of procs[first],
 * then forks the reader and reaps it. It must outlive the reader: an orphan
 * would be reparented to the worker (a subreaper), which never reaps it, and
 * the sandbox's init would wait for it forever when its pid namespace ends.
 * So nothing kills this child (setns and fork do not block); the reader has
 * the alarm.
 */
static void semaphore_reader(const struct proc *procs, int n, int first, int out)
{
	pid_t reader;

	if (join_namespaces(procs[first].pid) == -1 || (reader = fork()) == -1)
		_exit(1);
	if (reader == 0) {
		signal(SIGALRM, SIG_DFL);
		alarm(2);
		for (int i = first; i < n; i++) {
			struct sem_record record = {.index = i};

			if (procs[i].nsops > 0 &&
			    read_set((int)procs[i].arg0, procs[i].sops, procs[i].nsops,
				     &record.facts) == 0 &&
			    write(out, &record, sizeof(record)) != (ssize_t)sizeof(record))
				_exit(1);
		}
		_exit(0);
	}
	waitpid(reader, NULL, 0);
	_exit(0);
}

/*
 * Reads the operations of every process blocked in semop from its memory,
 * and the state of their sets as they see them. semctl and GETPID answer for
 * the caller's IPC and pid namespaces, and the worker is multithreaded (it
 * cannot join a user namespace), so one child does it for all: the test
 * goes on past its deadline too, and may remove its sets meanwhile.
 */
static void learn_semaphores(struct proc *procs, int n)
{
	struct sem_record record;
	struct pollfd answer;
	int fds[2], first = -1;
	pid_t child;

	for (int i = n; i-- > 0;) {
		ssize_t got;

		if (!waits_in_semop(&procs[i]) || procs[i].arg2 <= 0)
			continue;
		got = read_memory(procs[i].pid, procs[i].arg1, procs[i].sops,
				  (procs[i].arg2 < MAX_SEMOPS ? procs[i].arg2 : MAX_SEMOPS) *
				  sizeof(struct sembuf));
		procs[i].nsops = got > 0 ? (int)(got / (ssize_t)sizeof(struct sembuf)) : 0;
		if (procs[i].nsops > 0)
			first = i;
	}
	if (first < 0 || pipe2(fds, O_CLOEXEC) == -1)
		return;
	child = fork();
	if (child == 0) {
		close(fds[0]);
		semaphore_reader(procs, n, first, fds[1]);
	}
	close(fds[1]);
	answer = (struct pollfd){.fd = fds[0], .events = POLLIN};
	/* Past the reader's alarm, in case another process holds the write end. */
	while (child > 0 && poll(&answer, 1, 5000) == 1 &&
	       read(fds[0], &record, sizeof(record)) == (ssize_t)sizeof(record))
		if (record.index >= 0 && record.index < n) {
			procs[record.index].sem = record.facts;
			procs[record.index].sem_known = true;
		}
	close(fds[0]);
	while (child > 0 && waitpid(child, NULL, 0) == -1 && errno == EINTR)
		;
}

/* "semaphore 1 (free slots)" */
static void add_semaphore(struct text *t, int semid, int num)
{
	const char *what = sem_name(semid, num);

	add(t, "semaphore %d", num);
	if (what)
		add(t, " (%s)", what);
}

/* What operation op asks: "waiting to take 1 from semaphore 0 (the mutex)". */
static void add_sem_op(struct text *t, int semid, const struct sembuf *op)
{
	if (op->sem_op == 0) {
		add(t, "waiting for ");
		add_semaphore(t, semid, op->sem_num);
		add(t, " to be zero");
	} else {
		add(t, "waiting to %s %d %s ", op->sem_op < 0 ? "take" : "add",
		    op->sem_op < 0 ? -op->sem_op : op->sem_op, op->sem_op < 0 ? "from" : "to");
		add_semaphore(t, semid, op->sem_num);
	}
}

/*
 * The last process to operate on the semaphore (GETPID: a semop that went
 * through, a wait for zero included, or SETVAL/SETALL), by its role in the
 * test, or that it has exited: the kernel keeps the pid of a process that
 * exited and GETPID still reports it.
 */
static void add_last_changer(struct text *t, const struct proc *p, const struct sembuf *op,
			     const struct proc *procs, int n)
{
	const struct sem_facts *f = &p->sem;

	if (f->last_pid == 0) {
		add(t, "no process has changed it yet");
		return;
	}
	if (f->last_pid == p->inner) {
		add(t, "the last to operate on it was this process itself");
		return;
	}
	for (int i = 0; i < n; i++)
		if (procs[i].inner == f->last_pid && procs[i].state != 'Z') {
			add(t, "the last to operate on it was pid %d (%s)", f->last_pid, role(&procs[i]));
			return;
		}
	add(t, "the last to operate on it was pid %d, which has exited", f->last_pid);
	if (op->sem_op < 0)
		add(t, ": a process that ends holding a semaphore it took without SEM_UNDO "
		       "leaves it taken");
}

/* semop() or semtimedop(): (semid, sops, nsops[, timeout]). */
static void describe_semop(struct text *t, const struct proc *p, const struct proc *procs,
			   int n)
{
	int semid = (int)p->arg0;
	const struct sembuf *op;

	add(t, "in %s() on semaphore set %d", p->nr == SYS_semtimedop && p->arg3 ? "semtimedop" :
	    "semop", semid);
	if (p->nsops == 0) {
		add(t, ", waiting for a semaphore that nobody releases");
		return;
	}
	if (!p->sem_known) {
		/* Without the set's state: the first operation that may wait. */
		for (op = p->sops; op < p->sops + p->nsops - 1 && op->sem_op > 0; op++)
			;
		add(t, ", ");
		add_sem_op(t, semid, op);
		add(t, ", a semaphore that nobody releases (the grader could not read the set)");
		return;
	}
	op = &p->sops[p->sem.op];
	if (p->sem.key == IPC_PRIVATE)
		add(t, " (key IPC_PRIVATE), ");
	else
		add(t, " (key 0x%08x), ", (unsigned)p->sem.key);
	add_sem_op(t, semid, op);
	add(t, ": its value is %d, %d %s for it to rise and %d for it to be zero; ", p->sem.value,
	    p->sem.waiting_up, p->sem.waiting_up == 1 ? "process waits" : "processes wait",
	    p->sem.waiting_zero);
	add_last_changer(t, p, op, procs, n);
}

/* What p, blocked in a system call the diagnosis knows, is waiting for. */
static void describe_call(struct text *t, const struct proc *p, const struct proc *procs,
			  int n)
{
	pid_t waited;

	switch (p->call->waits) {
	case AG_WAITS_PIPE_READ:
	case AG_WAITS_PIPE_WRITE:
		describe_pipe_wait(t, p, procs, n);
		break;
	case AG_WAITS_OPEN:
		describe_open(t, p);
		break;
	case AG_WAITS_CHILD:
		describe_wait4(t, p, procs, n);
		break;
	case AG_WAITS_MESSAGE:
		add(t, "in msgrcv(), waiting for a message of the type it asked for");
		break;
	case AG_WAITS_ROOM:
		add(t, "in msgsnd(), the queue is full");
		break;
	case AG_WAITS_SEMAPHORE:
		describe_semop(t, p, procs, n);
		break;
	case AG_WAITS_FUTEX:
		add(t, "waiting on a futex (a POSIX semaphore or mutex nobody releases)");
		break;
	case AG_WAITS_POLL:
		if ((waited = polled_pid(p)) > 0) {
			add(t, "waiting for pid %d to exit", (int)waited);
			break;
		}
		/* fall through */
	case AG_WAITS_READY:
		add(t, "in poll/select, waiting for a descriptor to become ready");
		break;
	case AG_WAITS_SLEEP:
		add(t, "sleeping");
		break;
	case AG_WAITS_SIGNAL:
		add(t, "waiting for a signal");
		break;
	}
}

/*
 * Where pid maps a ring the test named (ag_name_ring): the start of the
 * mapping of /dev/shm/NAME at offset 0 in /proc/PID/maps, or 0.
 */
static unsigned long ring_mapping(pid_t pid, const struct ag_ring_name **ring)
{
	char path[64], line[512];
	unsigned long start = 0;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (!(maps = fopen(path, "re")))
		return 0;
	while (!start && fgets(line, sizeof(line), maps)) {
		unsigned long from, offset;
		char file[400];

		if (sscanf(line, "%lx-%*x %*s %lx %*s %*s %399s", &from, &offset, file) != 3 ||
		    offset != 0 || strncmp(file, "/dev/shm/", 9) != 0)
			continue;
		for (int i = 0; i < ag_shared->nring_names && i < AG_MAX_RING_NAMES; i++)
			if (strcmp(file + 8, ag_shared->ring_names[i].shm) == 0) {
				*ring = &ag_shared->ring_names[i];
				start = from;
			}
	}
	fclose(maps);
	return start;
}

/* A process that runs, yields or sleeps, and maps a named ring: the ring's state. */
static bool describe_ring_spin(struct text *t, const struct proc *p)
{
	const struct ag_ring_name *ring = NULL;
	unsigned long start = ring_mapping(p->pid, &ring);
	uint64_t head, tail;

	if (!start || read_memory(p->pid, (long)(start + ring->head_offset), &head, 8) != 8 ||
	    read_memory(p->pid, (long)(start + ring->tail_offset), &tail, 8) != 8)
		return false;
	add(t, "spinning on %s (/dev/shm%s), not blocked", ring->what, ring->shm);
	if (head == tail)
		add(t, "; it is empty (head = tail = %llu): a pop finds no record, a push finds "
		    "room", (unsigned long long)head);
	else if (tail - head == (uint64_t)ring->capacity)
		add(t, "; it is full (head %llu, tail %llu): a push finds no room, a pop finds "
		    "%ld records", (unsigned long long)head, (unsigned long long)tail,
		    ring->capacity);
	else
		add(t, "; it holds %llu records (head %llu, tail %llu): a push and a pop would "
		    "both succeed", (unsigned long long)(tail - head), (unsigned long long)head,
		    (unsigned long long)tail);
	return true;
}

static void describe(struct text *t, const struct proc *p, const struct proc *procs, int n)
{
	pid_t subject = subject_of(p->inner);

	add(t, "  pid %d (%s): ", (int)p->inner, role(p));
	if (subject > 0 && (p->nr == -2 || (p->call && p->arg0 >= AG_CHANNEL_FD_MIN))) {
		/*
		 * A judge reads its channel until its subject returns. A non-root
		 * grader cannot read a judge's system call (judges are not
		 * dumpable), but a judge with a subject does nothing else.
		 */
		add(t, "waiting for your code (pid %d) to return\n", (int)subject);
		return;
	}
	if (p->state == 'Z') {
		add(t, "exited, never reaped by its parent (zombie)");
	} else if (p->nr == -2) {
		add(t, "state %c; the grader could not read its system call", p->state);
	} else if ((p->nr == -1 || p->nr == SYS_sched_yield ||
		    (p->call && p->call->waits == AG_WAITS_SLEEP)) && describe_ring_spin(t, p)) {
		/* described */
	} else if (p->nr == -1) {
		add(t, "running on the CPU, not blocked: an endless loop? (resident memory %ld MiB)",
		    resident_mib(p->pid));
	} else if (p->call) {
		describe_call(t, p, procs, n);
	} else {
		add(t, "blocked in system call %ld", p->nr);
	}
	if (p->wchan[0] && p->call)
		add(t, " [wchan %s, syscall %s]", p->wchan, p->call->name);
	else if (p->wchan[0])
		add(t, " [wchan %s, syscall %ld]", p->wchan, p->nr);
	add(t, "\n");
}

void ag_diagnose(pid_t root_pid, char *buf, size_t cap)
{
	static struct proc procs[MAX_PROCS];
	struct text t = {buf, cap, 0};
	int n;

	buf[0] = '\0';
	/* In fallback mode init is not pid 1 of anything: its children are the test's. */
	n = collect(root_pid, procs, 0);
	learn_semaphores(procs, n);
	for (int i = 0; i < n; i++)
		describe(&t, &procs[i], procs, n);
	if (n == 0)
		add(&t, "  (no process of the test was left)\n");
}

void ag_kill_descendants(void)
{
	for (int round = 0; round < 100; round++) {
		pid_t kids[MAX_PROCS];
		int n = ag_children(getpid(), kids, MAX_PROCS);

		if (n == 0)
			break;
		for (int i = 0; i < n; i++) {
			pid_t grandkids[MAX_PROCS];
			int m = ag_children(kids[i], grandkids, MAX_PROCS);

			for (int j = 0; j < m; j++)
				kill(grandkids[j], SIGKILL);
			kill(kids[i], SIGKILL);
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		usleep(1000);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}
