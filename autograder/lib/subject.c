/*
 * subject.c - the code under test runs in subject processes, out of the
 * judge's reach (SUBJECT() in grader.h).
 *
 * The judge (the test process, or a helper it forked) forks one subject per
 * SUBJECT(). Before any graded code runs, the subject
 *   - closes the judge's end of the answer channel and unmaps every page it
 *     shares with the judge (the verdict page, the interrupter's page);
 *   - goes into a process group of its own, so kill(0, ...) stays inside;
 *   - installs a seccomp filter: no signal to any judge process (every
 *     process of the sandbox that exists now, and every ancestor), none to
 *     -1 or to the judge's group; no ptrace, process_vm_readv/writev,
 *     pidfd_send_signal, pidfd_getfd, F_SETOWN; no foreign system call ABI;
 *   - drops every capability, for good (bounding set, no new privileges).
 * The judge is not dumpable, so /proc/JUDGE/mem and /proc/JUDGE/fd are
 * closed to the subject. What comes back over the channel is data: the
 * call's value, errno and the output regions the test named, which the
 * judge checks; the subject's descriptors and children the judge reads
 * from /proc before the subject ends. A subject can make its test fail
 * (expect() in a callback), never pass.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "grader.h"
#include "records.h"
#include "sandbox.h"

#define MAX_PROTECTED 96

enum answer_kind {
	ANSWER_RETURNED = 0x52455455,
	ANSWER_FAILED = 0x4641494c,
	ANSWER_FAULTED = 0x46415554,	/* the text describes a SIGBUS or SIGSEGV */
};

struct answer {
	unsigned int kind;
	pid_t pid;		/* who answers: a child that returned is not the subject */
	int err;		/* errno after the call */
	unsigned int size;	/* of the value, or of the failure's text */
};

/* The judge's view of its current subject. */
static struct {
	pid_t pid;
	int fd;			/* the judge's end of the channel */
	int subject_fd;		/* the subject's end, as numbered there */
	const char *call;
	const struct ag_out *outs;
	int nouts;
} current = {.fd = -1};

bool ag_in_subject;			/* this process runs graded code */
static pid_t subject_self;		/* in the subject: its pid */
static int subject_fd = -1;		/* in the subject: its end of the channel */
static int subject_seq;			/* subjects ended in this judge */
static struct ag_snapshot subject_after;	/* the last one's state at its end */

/* ---- the judge's page: which judge runs which subject ---- */

static struct ag_judge *judge_slot(pid_t judge, bool claim)
{
	for (int i = 0; i < AG_MAX_JUDGES; i++) {
		struct ag_judge *slot = &ag_shared->judges[i];

		if (slot->judge == judge)
			return slot;
		if (claim && __sync_bool_compare_and_swap(&slot->judge, 0, judge))
			return slot;
	}
	/* All taken: a test that forks many helpers reuses the slots of those gone. */
	for (int i = 0; claim && i < AG_MAX_JUDGES; i++) {
		struct ag_judge *slot = &ag_shared->judges[i];
		pid_t old = slot->judge;

		if (old > 0 && kill(old, 0) == -1 && errno == ESRCH &&
		    __sync_bool_compare_and_swap(&slot->judge, old, judge)) {
			slot->subject = 0;
			return slot;
		}
	}
	return NULL;
}

void ag_judge_register(void)
{
	struct ag_judge *slot = judge_slot(getpid(), true);

	if (slot)
		slot->subject = 0;
}

pid_t ag_subject_of(pid_t judge)
{
	struct ag_judge *slot;

	if (ag_in_subject || !ag_shared)
		return -1;
	slot = judge_slot(judge, false);
	return slot ? slot->subject : -1;
}

pid_t ag_subject_pid(pid_t judge)
{
	pid_t pid;

	while ((pid = ag_subject_of(judge)) == 0) {
		if (ag_now() > ag_test_deadline())
			return -1;
		usleep(100);
	}
	return pid;
}

/* ---- the subject's cage ---- */

static int read_ppid(pid_t pid)
{
	char path[64], text[512], *paren;
	int ppid = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) > 0 && (paren = strrchr(text, ')')))
		sscanf(paren + 2, "%*c %d", &ppid);
	return ppid;
}

/*
 * Every judge-side process, from the subject: its ancestors (its judge
 * first), and every process under the sandbox's init (judges, helpers, and
 * what earlier subjects left), but never the subject itself.
 */
static int protected_pids(pid_t *out, int max)
{
	int n = 0, first;

	for (pid_t pid = getppid(); pid > 0 && n < max; pid = read_ppid(pid))
		out[n++] = pid;
	first = n;
	n += ag_children(ag_shared->init_pid, out + n, max - n);
	for (int i = first; i < n && n < max; i++)
		n += ag_children(out[i], out + n, max - n);
	for (int i = 0; i < n; i++)
		if (out[i] == getpid())
			out[i--] = out[--n];	/* the judge's children hold the subject too */
	return n;
}

#define ARG0_LOW (offsetof(struct seccomp_data, args[0]) + \
		  (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4))
#define ARG1_LOW (offsetof(struct seccomp_data, args[1]) + \
		  (__BYTE_ORDER == __LITTLE_ENDIAN ? 0 : 4))

#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

/*
 * A small BPF assembler. Each rule is a block that ends in its own return,
 * so that every jump stays short (BPF jumps reach at most 255 ahead).
 */
#define MAX_RULES (5 * (6 + 2 * MAX_PROTECTED) + 64)

struct program {
	struct sock_filter code[MAX_RULES];
	int len;
};

static void emit(struct program *p, struct sock_filter insn)
{
	if (p->len < MAX_RULES)
		p->code[p->len++] = insn;
}

static void load(struct program *p, unsigned int offset)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset));
}

static void ret(struct program *p, unsigned int action)
{
	emit(p, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

/* If the loaded word equals value, jump `ahead` instructions further. */
static void jump_if(struct program *p, unsigned int value, int ahead)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value,
					      (unsigned char)ahead, 0));
}

/* If the loaded word (the call's number) is not nr, skip the `length` that follow. */
static void unless(struct program *p, long nr, int length)
{
	emit(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0,
					      (unsigned char)length));
}

#define DENY (SECCOMP_RET_ERRNO | EPERM)

/* Call nr, to a protected pid or its group, or to -1: EPERM. */
static void signal_rule(struct program *p, long nr, const pid_t *pids, int n)
{
	int tests = 1 + 2 * n;

	unless(p, nr, 1 + tests + 2);
	load(p, ARG0_LOW);
	jump_if(p, (unsigned)-1, tests);
	for (int i = 0; i < n; i++) {
		jump_if(p, (unsigned)pids[i], tests - 1 - 2 * i);
		jump_if(p, (unsigned)-pids[i], tests - 2 - 2 * i);	/* its process group */
	}
	ret(p, SECCOMP_RET_ALLOW);
	ret(p, DENY);
}

static int install_filter(const pid_t *pids, int n)
{
	static const long signalling[] = {SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo,
					  SYS_rt_tgsigqueueinfo};
	static const long forbidden[] = {SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev,
#ifdef SYS_pidfd_send_signal
					 SYS_pidfd_send_signal,
#endif
#ifdef SYS_pidfd_getfd
					 SYS_pidfd_getfd,
#endif
	};
	static struct program p;
	struct sock_fprog prog;

	p.len = 0;
#ifdef NATIVE_ARCH
	load(&p, offsetof(struct seccomp_data, arch));
	jump_if(&p, NATIVE_ARCH, 1);
	ret(&p, DENY);
#endif
	load(&p, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	emit(&p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1));
	ret(&p, DENY);	/* x32 */
#endif
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++) {
		unless(&p, forbidden[i], 1);
		ret(&p, DENY);
	}
	for (size_t i = 0; i < sizeof(signalling) / sizeof(signalling[0]); i++)
		signal_rule(&p, signalling[i], pids, n);
	unless(&p, SYS_fcntl, 5);
	load(&p, ARG1_LOW);
	jump_if(&p, F_SETOWN, 2);
	jump_if(&p, F_SETOWN_EX, 1);
	ret(&p, SECCOMP_RET_ALLOW);
	ret(&p, DENY);
	ret(&p, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)p.len;
	prog.filter = p.code;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* No capability now or after an exec: the sandbox's root is then an ordinary uid. */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap <= 63; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);	/* EINVAL past the last, EPERM unprivileged */
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &header, data);
}

static void cage_failed(const char *what)
{
	char text[256];
	int len = snprintf(text, sizeof(text), "grader error: the subject's %s failed: %s "
			   "(not your fault: tell your instructor)", what, strerror(errno));
	struct answer a = {ANSWER_FAILED, getpid(), errno, (unsigned)len};

	if (write(subject_fd, &a, sizeof(a)) == sizeof(a))
		(void)!write(subject_fd, text, (size_t)len);
	_exit(1);
}

/*
 * SIGBUS and SIGSEGV in the code under test: the subject sends the judge
 * what it touched (faults.c), a process it forked prints it on stderr;
 * then the signal kills it as it would have.
 */
static void fault_story_handler(int sig, siginfo_t *info, void *context)
{
	char text[1024], line[1100];
	int len;

	(void)context;
	ag_describe_fault(sig, info->si_code, info->si_addr, text, sizeof(text));
	if (getpid() == subject_self) {
		struct answer a = {ANSWER_FAULTED, getpid(), 0, (unsigned)strlen(text)};

		if (rec_write_all(subject_fd, &a, sizeof(a)) == 0)
			(void)rec_write_all(subject_fd, text, strlen(text));
	} else {
		len = snprintf(line, sizeof(line), "grader: pid %d was killed by %s\n",
			       (int)getpid(), text);
		(void)!write(STDERR_FILENO, line, (size_t)len < sizeof(line) ? (size_t)len :
			     sizeof(line) - 1);
	}
	raise(sig);	/* SA_RESETHAND made its action the default again */
}

static void tell_faults(void)
{
	static char alt_stack[64 * 1024];
	stack_t stack = {.ss_sp = alt_stack, .ss_size = sizeof(alt_stack)};
	struct sigaction act = {.sa_sigaction = fault_story_handler,
				.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND | SA_NODEFER};

	sigemptyset(&act.sa_mask);
	sigaltstack(&stack, NULL);
	sigaction(SIGBUS, &act, NULL);
	sigaction(SIGSEGV, &act, NULL);
}

/* In the subject, before the graded code runs. */
static void enter_cage(void)
{
	pid_t pids[MAX_PROTECTED];
	int n = protected_pids(pids, MAX_PROTECTED);

	ag_in_subject = true;
	subject_self = getpid();
	ag_forget_judge_pages();
	setpgid(0, 0);
	if (install_filter(pids, n) == -1 && ag_mode != AG_MODE_NONE)
		cage_failed("seccomp filter");
	if (drop_capabilities() == -1 && ag_mode != AG_MODE_NONE)
		cage_failed("capability drop");
	prctl(PR_SET_DUMPABLE, 1);	/* the judge reads its /proc */
	if (ag_mode != AG_MODE_NONE)	/* valgrind reports faults itself */
		tell_faults();
}

/* ---- the call ---- */

/* A socket pair at AG_CHANNEL_FD_MIN or above, whatever RLIMIT_NOFILE the test set. */
static void open_channel(int fds[2])
{
	struct rlimit saved, open_up;
	int pair[2];

	ag_setup(getrlimit(RLIMIT_NOFILE, &saved) == 0, "getrlimit");
	open_up = saved;
	open_up.rlim_cur = saved.rlim_max;
	ag_setup(setrlimit(RLIMIT_NOFILE, &open_up) == 0, "setrlimit");
	ag_setup(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0, "socketpair");
	for (int i = 0; i < 2; i++) {
		fds[i] = fcntl(pair[i], F_DUPFD_CLOEXEC, AG_CHANNEL_FD_MIN);
		ag_setup(fds[i] != -1, "fcntl F_DUPFD_CLOEXEC");
		close(pair[i]);
	}
	ag_setup(setrlimit(RLIMIT_NOFILE, &saved) == 0, "setrlimit");
}

bool ag_subject_fork(const char *call, const struct ag_out *outs, int nouts)
{
	int fds[2];
	pid_t pid;
	struct ag_judge *slot;

	ag_setup(!ag_in_subject, "SUBJECT() inside a subject");
	ag_setup(current.pid == 0, "SUBJECT() inside SUBJECT()");
	open_channel(fds);
	current.call = call;
	current.outs = outs;
	current.nouts = nouts;
	fflush(NULL);
	pid = fork();
	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		close(fds[0]);
		subject_fd = fds[1];
		enter_cage();
		return true;
	}
	close(fds[1]);
	current.pid = pid;
	current.fd = fds[0];
	current.subject_fd = fds[1];
	slot = judge_slot(getpid(), true);
	if (slot)
		slot->subject = pid;
	return false;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *at = buf;

	while (len > 0) {
		ssize_t n = read(fd, at, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		at += n;
		len -= (size_t)n;
	}
	return true;
}

void ag_subject_return(const void *value, size_t size)
{
	struct answer a = {ANSWER_RETURNED, getpid(), errno, (unsigned)size};
	char byte;

	if (rec_write_all(subject_fd, &a, sizeof(a)) == 0 &&
	    rec_write_all(subject_fd, value, size) == 0)
		for (int i = 0; i < current.nouts; i++)
			if (rec_write_all(subject_fd, current.outs[i].addr, current.outs[i].len) != 0)
				break;
	if (getpid() != subject_self)
		_exit(0);	/* a child of the subject returned: the judge says so */
	/* Stays until the judge has read its /proc: EOF when the judge closes. */
	while (read(subject_fd, &byte, 1) == -1 && errno == EINTR)
		continue;
	_exit(0);
}

void ag_subject_fail(const char *text)
{
	struct answer a = {ANSWER_FAILED, getpid(), 0, (unsigned)strlen(text)};

	if (rec_write_all(subject_fd, &a, sizeof(a)) == 0)
		(void)rec_write_all(subject_fd, text, strlen(text));
	_exit(1);
}

/* How the subject ended, for "... did not return: STORY". */
static void ended_story(int status, char *buf, size_t cap)
{
	if (WIFSIGNALED(status))
		snprintf(buf, cap, "its process was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, cap, "its process exited with status %d: a graded function must "
			 "return, not call exit()", WEXITSTATUS(status));
}

/* Reaps the subject; its children are now the judge's (a subreaper). */
static int end_subject(void)
{
	int status = 0;
	struct ag_judge *slot = judge_slot(getpid(), false);

	close(current.fd);
	while (waitpid(current.pid, &status, 0) == -1 && errno == EINTR)
		continue;
	if (slot)
		slot->subject = 0;
	current.pid = 0;
	current.fd = -1;
	return status;
}

void ag_subject_wait(void *value, size_t size)
{
	struct answer a;
	char story[256];
	int err;

	if (!read_all(current.fd, &a, sizeof(a))) {
		const char *call = current.call;

		ended_story(end_subject(), story, sizeof(story));
		ag_fail(__FILE__, __LINE__, "%s did not return: %s", call, story);
	}
	if (a.kind == ANSWER_FAILED || a.kind == ANSWER_FAULTED) {
		const char *call = current.call;
		char text[2048];
		size_t len = a.size < sizeof(text) - 1 ? a.size : sizeof(text) - 1;
		int status;

		if (!read_all(current.fd, text, len))
			len = 0;
		text[len] = '\0';
		status = end_subject();
		if (a.kind == ANSWER_FAILED)
			ag_fail(__FILE__, __LINE__, "%s", text);
		ended_story(status, story, sizeof(story));
		ag_fail(__FILE__, __LINE__, "%s did not return: %s: %s", call, story, text);
	}
	if (a.kind != ANSWER_RETURNED || a.size != size || !read_all(current.fd, value, size)) {
		end_subject();
		ag_fail(__FILE__, __LINE__, "%s: the process that ran it sent the grader an answer "
			"that is not a return value", current.call);
	}
	for (int i = 0; i < current.nouts; i++)
		if (!read_all(current.fd, current.outs[i].addr, current.outs[i].len)) {
			end_subject();
			ag_fail(__FILE__, __LINE__, "%s: its process ended while the grader read "
				"what it wrote", current.call);
		}
	if (a.pid != current.pid) {
		end_subject();
		ag_fail(__FILE__, __LINE__, "a child process returned from %s into the caller "
			"(after a failed exec?): a child must end with _exit()", current.call);
	}
	err = a.err;
	ag_snapshot_of(current.pid, current.subject_fd, &subject_after);
	subject_after.subject_seq = ++subject_seq;
	end_subject();
	errno = err;
}

int ag_subject_count(void)
{
	return subject_seq;
}

const struct ag_snapshot *ag_subject_after(void)
{
	return &subject_after;
}
