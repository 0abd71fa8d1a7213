/*
 * semaphores.c - Lab 04, an alternative correct solution: the creator sets
 * each semaphore with SETVAL (the kernel refuses a value above SEMVMX) and
 * publishes the set with a semop on its LAST semaphore; semset_open() sleeps
 * with clock_nanosleep() to absolute times on CLOCK_MONOTONIC; the timed lock
 * keeps its deadline as a struct timespec; the ring takes a slot and the
 * mutex in ONE semop and gives both back in one; barrier_wait() is one loop
 * that remembers whether it has arrived.
 *
 * Written from semaphores.h and the handout only. The self-check
 * (alternatives_full_marks) grades it: it must score what the reference does.
 */
#define _GNU_SOURCE		/* semtimedop */

#include <errno.h>
#include <stdbool.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include "semaphores.h"

/* semctl(2)'s fourth argument: glibc leaves it to the program. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* How long semset_open() sleeps between two looks at sem_otime: 5 ms. */
#define LOOK_EVERY_NS 5000000L
#define NS_PER_SEC 1000000000L
/* The flags of a give: it never waits, and SEM_UNDO cancels the take's adjustment. */
#define GIVE (SEM_UNDO | IPC_NOWAIT)

/* ---- time, as struct timespec ---- */

static struct timespec timespec_add_ns(struct timespec t, long long ns)
{
	t.tv_sec += (time_t)(ns / NS_PER_SEC);
	t.tv_nsec += (long)(ns % NS_PER_SEC);
	if (t.tv_nsec >= NS_PER_SEC) {
		t.tv_sec++;
		t.tv_nsec -= NS_PER_SEC;
	}
	return t;
}

static bool timespec_before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* What is left from now to @p deadline, never below zero. */
static struct timespec time_left(struct timespec deadline)
{
	struct timespec now, left = {0, 0};

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!timespec_before(now, deadline))
		return left;
	left.tv_sec = deadline.tv_sec - now.tv_sec;
	left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
	if (left.tv_nsec < 0) {
		left.tv_sec--;
		left.tv_nsec += NS_PER_SEC;
	}
	return left;
}

static struct timespec deadline_in_ms(int ms)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return timespec_add_ns(now, (long long)ms * 1000000);
}

/* ---- §3.1 ---- */

int semset_create(key_t key, int nsems, const unsigned short *values)
{
	struct sembuf publish;
	int semid, last, err;

	semid = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
	if (semid == -1)
		return -1;
	last = nsems - 1;
	/* Every semaphore but the last now; SETVAL says ERANGE above SEMVMX. */
	for (int i = 0; i < last; i++)
		if (semctl(semid, i, SETVAL, (union semun){.val = values[i]}) == -1)
			goto remove;
	if (values[last] > SEMSET_VALUE_MAX) {
		errno = ERANGE;
		goto remove;
	}
	/* The semop that sets sem_otime gives the last its value (0: waits for zero). */
	publish = (struct sembuf){.sem_num = (unsigned short)last,
				  .sem_op = (short)values[last], .sem_flg = IPC_NOWAIT};
	if (semop(semid, &publish, 1) == 0)
		return semid;
remove:
	err = errno;
	semctl(semid, 0, IPC_RMID);	/* ours, half made: nobody may use it */
	errno = err;
	return -1;
}

int semset_remove(int semid)
{
	return semctl(semid, 0, IPC_RMID);
}

/* ---- §3.2 ---- */

int semset_open(key_t key, int nsems, int timeout_ms)
{
	struct timespec deadline = deadline_in_ms(timeout_ms), wake;
	struct semid_ds ds;
	int semid = semget(key, nsems, 0);

	if (semid == -1)
		return -1;
	for (;;) {
		if (semctl(semid, 0, IPC_STAT, (union semun){.buf = &ds}) == -1)
			return -1;
		if (ds.sem_otime != 0)
			return semid;
		clock_gettime(CLOCK_MONOTONIC, &wake);
		if (!timespec_before(wake, deadline)) {
			errno = ETIMEDOUT;
			return -1;
		}
		wake = timespec_add_ns(wake, LOOK_EVERY_NS);
		if (timespec_before(deadline, wake))
			wake = deadline;
		/* Returns the error itself; EINTR only means: look again. */
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL);
	}
}

int semset_get(key_t key, int nsems, const unsigned short *values, int timeout_ms)
{
	int semid;

	do {
		semid = semset_create(key, nsems, values);
		if (semid != -1 || errno != EEXIST)
			return semid;
		semid = semset_open(key, nsems, timeout_ms);
		/* ENOENT: removed in between, so create it again. */
	} while (semid == -1 && errno == ENOENT);
	return semid;
}

/* ---- §3.3 ---- */

/* semop(2), again after each signal. */
static int semop_through_signals(int semid, struct sembuf *ops, size_t nops)
{
	int rc;

	do
		rc = semop(semid, ops, nops);
	while (rc == -1 && errno == EINTR);
	return rc;
}

int mutex_lock(int semid, int num)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = -1,
			    .sem_flg = SEM_UNDO};

	return semop_through_signals(semid, &op, 1);
}

int mutex_unlock(int semid, int num)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = 1, .sem_flg = GIVE};

	return semop(semid, &op, 1);
}

/* ---- §3.4 ---- */

int take_pair(int semid, int a, int b)
{
	struct sembuf ops[2] = {
		{.sem_num = (unsigned short)a, .sem_op = -1, .sem_flg = SEM_UNDO},
		{.sem_num = (unsigned short)b, .sem_op = -1, .sem_flg = SEM_UNDO},
	};

	return semop_through_signals(semid, ops, 2);
}

int give_pair(int semid, int a, int b)
{
	struct sembuf ops[2] = {
		{.sem_num = (unsigned short)a, .sem_op = 1, .sem_flg = GIVE},
		{.sem_num = (unsigned short)b, .sem_op = 1, .sem_flg = GIVE},
	};

	return semop(semid, ops, 2);
}

int barrier_wait(int semid, int num)
{
	bool arrived = false;

	for (;;) {
		/* Before arriving: take 1. After: wait for zero, through any signal. */
		struct sembuf op = {.sem_num = (unsigned short)num,
				    .sem_op = arrived ? 0 : -1, .sem_flg = 0};

		if (semop(semid, &op, 1) == 0) {
			if (arrived)
				return 0;
			arrived = true;
		} else if (errno != EINTR) {
			return -1;
		}
	}
}

/* ---- §3.5 ---- */

int mutex_lock_timed(int semid, int num, int timeout_ms)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = -1,
			    .sem_flg = SEM_UNDO};
	struct timespec deadline = deadline_in_ms(timeout_ms), left;

	do {
		left = time_left(deadline);
		if (semtimedop(semid, &op, 1, &left) == 0)
			return 0;
	} while (errno == EINTR);
	return -1;		/* EAGAIN: the deadline passed */
}

/* ---- §3.6 ---- */

/*
 * One semop takes both: it waits until a slot (or an item) AND the mutex are
 * there, holding neither while it waits, so it never sits on the mutex while
 * the ring is full (or empty). One more semop gives the mutex back and
 * counts. SEM_UNDO on the mutex only.
 */
static int ring_enter(int semid, enum ring_semaphore count)
{
	struct sembuf ops[2] = {
		{.sem_num = (unsigned short)count, .sem_op = -1, .sem_flg = 0},
		{.sem_num = RING_MUTEX, .sem_op = -1, .sem_flg = SEM_UNDO},
	};

	return semop_through_signals(semid, ops, 2);
}

static int ring_leave(int semid, enum ring_semaphore count)
{
	struct sembuf ops[2] = {
		{.sem_num = RING_MUTEX, .sem_op = 1, .sem_flg = GIVE},
		{.sem_num = (unsigned short)count, .sem_op = 1, .sem_flg = IPC_NOWAIT},
	};

	return semop(semid, ops, 2);
}

int ring_put(int semid, struct ring *ring, long item)
{
	if (ring_enter(semid, RING_FREE) == -1)
		return -1;
	ring_store(ring, item);
	return ring_leave(semid, RING_USED);
}

int ring_get(int semid, struct ring *ring, long *item)
{
	if (ring_enter(semid, RING_USED) == -1)
		return -1;
	*item = ring_take(ring);
	return ring_leave(semid, RING_FREE);
}
