/*
 * sandbox.h - internals shared by the grading library's files
 * (sandbox.c, subject.c, leaks.c, faults.c, diagnose.c, runner.c). Tests use
 * grader.h.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "grader.h"

enum ag_mode {
	AG_MODE_NS,		/* user + pid + IPC + mount namespaces per test */
	AG_MODE_FALLBACK,	/* no namespaces: unique names, cleanup of what the test made */
	AG_MODE_NONE,		/* plain fork, no limits: for valgrind runs */
};

extern enum ag_mode ag_mode;
extern bool ag_direct;		/* run by runner.c's own loop, not by Criterion */
extern char ag_mode_reason[256];

/* Chooses the mode: IPCLAB_SANDBOX=ns|fallback|none, or a real probe. */
void ag_mode_choose(void);
const char *ag_mode_name(enum ag_mode mode);

/* Opens the records file (IPCLAB_RECORDS) for appending, or returns -1. */
int ag_records_open(void);

#define AG_MAX_KEYS 64
#define AG_MAX_FIFO_NAMES 16
#define AG_MAX_SEM_NAMES 16
#define AG_MAX_SHM_NAMES 16
#define AG_MAX_RING_NAMES 4

/* A FIFO the test named for the timeout diagnosis (see ag_name_fifo). */
struct ag_fifo_name {
	char base[64];		/* the FIFO's file name, without directories */
	char what[64];		/* "its reply FIFO" */
	char other_side[48];	/* "the server" */
};

/* A semaphore the test named for the timeout diagnosis (see ag_name_semaphore). */
struct ag_sem_name {
	int semid;
	int num;		/* its number in the set */
	char what[48];		/* "free slots" */
};
/* A ring buffer the test named for the timeout diagnosis (see ag_name_ring). */
struct ag_ring_name {
	char shm[64];		/* its POSIX shared memory name, "/ag-..." */
	long head_offset, tail_offset;
	long capacity;
	char what[48];		/* "the ring" */
};
#define AG_MESSAGE_MAX 6144
#define AG_MAX_JUDGES 16
#define AG_MAX_PROBES 4
#define AG_MAX_PROBE_FDS 16

/* What a judge-side watcher saw of a process started through ag_fd_probe(). */
struct ag_probe {
	char name[32];
	int seen;		/* the probe came and was listed */
	int nfds;		/* its descriptors, from its /proc */
	int fds[AG_MAX_PROBE_FDS];
	char fd_what[AG_MAX_PROBE_FDS][64];
};

/* A judge process and the subject it runs now (0: none). */
struct ag_judge {
	pid_t judge, subject;
};

/* Memory shared by the worker, the sandbox's init and the test process. */
struct ag_shared {
	int done;		/* the body returned normally */
	int failed;		/* expect() failed */
	int error;		/* the grader's own setup failed */
	int leaked;		/* expect_no_leaks() found something */
	int stray;		/* a process other than the test process reached the body's end */
	int test_status;	/* wait status of the test process, set by init */
	int test_reaped;
	pid_t test_pid;		/* the test process as init sees it (2 in ns mode) */
	pid_t init_pid;		/* the sandbox's init, as the test sees it */
	struct ag_judge judges[AG_MAX_JUDGES];
	struct ag_probe probes[AG_MAX_PROBES];
	int nkeys;
	int keys[AG_MAX_KEYS];	/* System V keys of ag_key() and ag_key_add() */
	int nshm_names;
	char shm_names[AG_MAX_SHM_NAMES][24];	/* of ag_shm_name(), without the '/' */
	int nfifo_names;
	struct ag_fifo_name fifo_names[AG_MAX_FIFO_NAMES];
	int nsem_names;
	struct ag_sem_name sem_names[AG_MAX_SEM_NAMES];
	int nring_names;
	struct ag_ring_name ring_names[AG_MAX_RING_NAMES];
	int msg_lock;
	size_t msg_len;
	char message[AG_MESSAGE_MAX];
};

extern struct ag_shared *ag_shared;
/* True when ag_shm_name() gave out name (without its '/') in this test. */
bool ag_shm_name_given(const char *name);
extern pid_t ag_test_pid;

/* ---- subjects (subject.c) ---- */
/* A subject's channel to its judge: at this descriptor or above, out of the code's way. */
#define AG_CHANNEL_FD_MIN 900
extern bool ag_in_subject;		/* this process runs graded code */
/* In a subject: unmaps every page shared with the judge (sandbox.c). */
void ag_forget_judge_pages(void);
/* In a subject: sends the failure to the judge and exits. */
void ag_subject_fail(const char *text) __attribute__((noreturn));
/* Makes the calling process a judge (the test process, helpers). */
void ag_judge_register(void);
/* judge's current subject; 0 when it runs none now; -1 when judge is no judge. */
pid_t ag_subject_of(pid_t judge);
/* How many subjects this judge has ended; the state of the last at its end. */
int ag_subject_count(void);
const struct ag_snapshot *ag_subject_after(void);
/* The state of process pid: descriptors but skip_fd, children, attachments, signals. */
void ag_snapshot_of(pid_t pid, int skip_fd, struct ag_snapshot *snap);
/* A signal set of /proc/PID/status text, by its field ("SigBlk:"); 0 when missing. */
unsigned long long ag_signal_set(const char *status, const char *field);
/* The test's deadline, on the ag_now() clock. */
double ag_test_deadline(void);

/* Appends a line to the shared message (any process of the test). */
void ag_message_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* System V object kinds, in the order of /proc/sysvipc's msg, sem and shm. */
enum ag_sysv_kind { AG_SYSV_MSG, AG_SYSV_SEM, AG_SYSV_SHM, AG_SYSV_KINDS };
/* Calls fn(kind, key, id, creator uid, arg) for every System V object visible here. */
void ag_each_sysv_object(void (*fn)(int kind, long key, int id, long cuid, void *arg),
			 void *arg);

/* What a process blocked in a system call is waiting for. */
enum ag_waits_for {
	AG_WAITS_PIPE_READ,	/* read(2) and its kin: for a pipe, a writer */
	AG_WAITS_PIPE_WRITE,	/* write(2) and its kin: for a pipe, a reader */
	AG_WAITS_OPEN,		/* for a FIFO, the other side's open */
	AG_WAITS_CHILD,
	AG_WAITS_MESSAGE,
	AG_WAITS_ROOM,		/* in a full message queue */
	AG_WAITS_SEMAPHORE,
	AG_WAITS_FUTEX,
	AG_WAITS_POLL,		/* first argument a struct pollfd array */
	AG_WAITS_READY,		/* select, epoll */
	AG_WAITS_SLEEP,
	AG_WAITS_SIGNAL,
};

struct ag_blocking_call {
	long nr;		/* SYS_read */
	const char *name;	/* "read" */
	enum ag_waits_for waits;
};

/*
 * Call nr when it is one in which correct code may wait for another process
 * (the read, write, poll, select and epoll families, System V queues and
 * semaphores, futexes, waiting for a child, opens, signals, sleeps), or NULL.
 */
const struct ag_blocking_call *ag_blocking_call(long nr);

/* Writes, into buf, where each process under root_pid is blocked. */
void ag_diagnose(pid_t root_pid, char *buf, size_t cap);
/* How many processes root and its descendants are. */
int ag_count_processes(pid_t root);
/* Kills every descendant of the calling process (it must be a subreaper). */
void ag_kill_descendants(void);
/* Describes fd of pid: "pipe write end, pipe:[123]". */
void ag_describe_fd(pid_t pid, int fd, char *buf, size_t cap);
/*
 * What a SIGBUS or SIGSEGV touched, in the process that got it (faults.c):
 * "SIGBUS at address 0x7f..., in the mapping ... (rw-s), page 1 of the file
 * F (byte 4096), which was 100 bytes long (pages 0 to 0): ...".
 */
void ag_describe_fault(int sig, int code, const void *address, char *buf, size_t cap);
/* Pid as seen inside the sandbox (last NSpid field), or pid itself. */
pid_t ag_inner_pid(pid_t pid);

double ag_now(void);
struct ag_spec;
double ag_deadline(const struct ag_spec *spec);

#endif
