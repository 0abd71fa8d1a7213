/*
 * semsets.h - the helpers Lab 04's tests share (test_semaphores.c and the
 * hidden tests): sets made and read with raw semget/semctl/semop, as another
 * process of the program would, helpers' exit statuses, and the ring in
 * shared memory. Static inline, so that a file that leaves one unused still
 * compiles without a warning.
 */
#ifndef SEMSETS_H
#define SEMSETS_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>

#include "grader.h"
#include "semaphores.h"


/* semctl(2)'s fourth argument, which the program defines (glibc does not). */
union semarg {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static inline void name_process(const char *name)
{
	prctl(PR_SET_NAME, name);
}

/* A set of nsems semaphores for a fresh key, all 0, never initialised: sem_otime 0. */
static inline int bare_set(int nsems, key_t *key_out)
{
	key_t key = ag_key();
	int semid = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);

	ag_setup(semid != -1, "semget");
	if (key_out)
		*key_out = key;
	return semid;
}

/* What a creator does last: one semop, so that sem_otime is no longer 0. */
static inline void mark_initialised(int semid)
{
	struct sembuf wait_zero = {.sem_num = 0, .sem_op = 0, .sem_flg = IPC_NOWAIT};
	union semarg arg = {.val = 0};
	int first = semctl(semid, 0, GETVAL);

	ag_setup(first != -1 && semctl(semid, 0, SETVAL, arg) == 0, "semctl SETVAL");
	ag_setup(semop(semid, &wait_zero, 1) == 0, "semop");
	arg.val = first;
	ag_setup(semctl(semid, 0, SETVAL, arg) == 0, "semctl SETVAL");
}

/* A set initialised as a correct creator leaves it: the values, then sem_otime set. */
static inline int new_set(int nsems, const unsigned short *values, key_t *key_out)
{
	int semid = bare_set(nsems, key_out);
	union semarg arg = {.array = (unsigned short *)values};

	ag_setup(semctl(semid, 0, SETALL, arg) == 0, "semctl SETALL");
	mark_initialised(semid);
	return semid;
}

/*
 * Removes a set the test made. In the sandbox its namespace would vanish
 * anyway; without namespaces (the valgrind runs) this keeps the host clean.
 */
static inline void drop_set(int semid)
{
	ag_setup(semctl(semid, 0, IPC_RMID) == 0, "semctl IPC_RMID");
}

static inline int value_of(int semid, int num)
{
	int value = semctl(semid, num, GETVAL);

	ag_setup(value != -1, "semctl GETVAL");
	return value;
}

static inline void set_value(int semid, int num, int value)
{
	ag_setup(semctl(semid, num, SETVAL, (union semarg){.val = value}) == 0, "semctl SETVAL");
}

static inline int waiting_to_take(int semid, int num)
{
	int n = semctl(semid, num, GETNCNT);

	ag_setup(n != -1, "semctl GETNCNT");
	return n;
}

static inline int waiting_for_zero(int semid, int num)
{
	int n = semctl(semid, num, GETZCNT);

	ag_setup(n != -1, "semctl GETZCNT");
	return n;
}

static inline pid_t last_pid(int semid, int num)
{
	int pid = semctl(semid, num, GETPID);

	ag_setup(pid != -1, "semctl GETPID");
	return (pid_t)pid;
}

static inline struct semid_ds set_state(int semid)
{
	struct semid_ds ds;

	ag_setup(semctl(semid, 0, IPC_STAT, (union semarg){.buf = &ds}) == 0, "semctl IPC_STAT");
	return ds;
}

static inline bool set_exists(int semid)
{
	struct semid_ds ds;

	return semctl(semid, 0, IPC_STAT, (union semarg){.buf = &ds}) == 0;
}

/* The test's own semop, as another process of the program would do it. */
static inline void raw_op(int semid, int num, int op)
{
	struct sembuf sop = {.sem_num = (unsigned short)num, .sem_op = (short)op,
			     .sem_flg = IPC_NOWAIT};

	ag_setup(semop(semid, &sop, 1) == 0, "semop");
}

/* How a helper's call ended, as its exit status: 0 for rc 0, else errno (1 when none fits). */
static inline int outcome(int rc, int err)
{
	if (rc == 0)
		return 0;
	return rc == -1 && err > 0 && err < 126 ? err : 1;
}

static inline const char *outcome_text(int status)
{
	static char text[96];

	if (status == 0)
		snprintf(text, sizeof(text), "returned 0");
	else if (status > 1 && status < 126)
		snprintf(text, sizeof(text), "returned -1 with %s", strerror(status));
	else if (status == 1)
		snprintf(text, sizeof(text), "returned something else");
	else
		snprintf(text, sizeof(text), "its helper ended with status %d", status);
	return text;
}

/* Memory that every process of the test shares, forked after this. */
static inline void *shared_pages(size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ag_setup(mem != MAP_FAILED, "mmap");
	return mem;
}

/* A ring in shared memory, and its set, initialised as its creator would. */
static inline struct ring *new_ring(int *semid)
{
	static const unsigned short values[RING_NSEMS] = {
		[RING_MUTEX] = 1, [RING_FREE] = RING_SLOTS, [RING_USED] = 0};

	*semid = new_set(RING_NSEMS, values, NULL);
	/* A timeout's report then says "semaphore 1 (RING_FREE, free slots)". */
	ag_name_semaphore(*semid, RING_MUTEX, "RING_MUTEX, the mutex");
	ag_name_semaphore(*semid, RING_FREE, "RING_FREE, free slots");
	ag_name_semaphore(*semid, RING_USED, "RING_USED, items in the ring");
	return shared_pages(sizeof(struct ring));
}

/* The test fills the ring as a producer would, with items first, first + 1, ... */
static inline void fill_ring(int semid, struct ring *ring, int count, long first)
{
	for (int i = 0; i < count; i++) {
		raw_op(semid, RING_FREE, -1);
		ring_store(ring, first + i);
		raw_op(semid, RING_USED, 1);
	}
}

#endif
