/*
 * semaphores.c - Lab 04: System V semaphores. The functions declared in
 * semaphores.h.
 *
 * Usage: `make` builds it with the demos (initrace.c, holder.c, buffer.c)
 * into programs of those names; `ipclab test 04` grades it. Handout:
 * README.md, §3 (one subsection per group of functions). The contracts in
 * semaphores.h are exactly what the tests check.
 */
#ifdef SOLUTION
/*
 * Reference edition, the worked answer of the course. Habits to copy: the
 * program defines union semun itself, only an IPC_EXCL creator initialises
 * and then says so through sem_otime, a lock is taken with SEM_UNDO, and
 * every blocking semop is retried after EINTR.
 */
#else
/*
 * Your edition: replace each TODO(lab04) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */
#endif

#define _GNU_SOURCE		/* semtimedop */

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include "semaphores.h"
#ifdef SOLUTION

/*
 * semctl(2)'s fourth argument. glibc does not define it: the program must
 * (the man page's NOTES give these members).
 */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

/* How long semset_open() sleeps between two looks at sem_otime. */
#define OTIME_POLL_NS (1000 * 1000)

/* semop(2) on ops, retrying EINTR. */
static int semop_retry(int semid, struct sembuf *ops, size_t nops)
{
	while (semop(semid, ops, nops) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct timespec timespec_of(double seconds)
{
	struct timespec ts;

	if (seconds < 0)
		seconds = 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	return ts;
}

/* The set's sem_otime, or -1 when IPC_STAT fails. */
static long otime_of(int semid)
{
	struct semid_ds ds;
	union semun arg = {.buf = &ds};

	if (semctl(semid, 0, IPC_STAT, arg) == -1)
		return -1;
	return (long)ds.sem_otime;
}
#endif

/* ---- §3.1: a semaphore set ---------------------------------------------- */

int semset_create(key_t key, int nsems, const unsigned short *values)
{
#ifdef SOLUTION
	unsigned short *copy;
	int semid, err = ENOMEM, rc = -1;

	semid = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
	if (semid == -1)
		return -1;
	/* SETALL takes a writable array (the caller's is const) and checks each value. */
	copy = calloc((size_t)nsems, sizeof(*copy));
	if (copy) {
		for (int i = 1; i < nsems; i++)
			copy[i] = values[i];
		rc = semctl(semid, 0, SETALL, (union semun){.array = copy});
		err = errno;
		free(copy);
	}
	/*
	 * Semaphore 0 is still 0: the one semop that sets sem_otime gives it its
	 * value, as the last step (with value 0 it waits for zero, at once).
	 */
	if (rc == 0 && values[0] > SEMSET_VALUE_MAX) {
		rc = -1;
		err = ERANGE;
	} else if (rc == 0) {
		struct sembuf last = {.sem_num = 0, .sem_op = (short)values[0], .sem_flg = 0};

		rc = semop_retry(semid, &last, 1);
		err = errno;
	}
	if (rc == -1) {
		semctl(semid, 0, IPC_RMID);	/* never leave a half-made set */
		errno = err;
		return -1;
	}
	return semid;
#else
	/* TODO(lab04): create with IPC_EXCL, set the values, then one semop. Handout §3.1. */
	(void)key;
	(void)nsems;
	(void)values;
	errno = ENOSYS;
	return -1;
#endif
}

int semset_remove(int semid)
{
#ifdef SOLUTION
	return semctl(semid, 0, IPC_RMID);
#else
	/* TODO(lab04): remove the set. Handout §3.1. */
	(void)semid;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.2: the initialisation race ------------------------------------ */

int semset_open(key_t key, int nsems, int timeout_ms)
{
#ifdef SOLUTION
	double deadline = now() + timeout_ms / 1000.0;
	int semid = semget(key, nsems, 0);
	long otime;

	if (semid == -1)
		return -1;
	while ((otime = otime_of(semid)) == 0) {
		struct timespec pause = {.tv_sec = 0, .tv_nsec = OTIME_POLL_NS};

		if (now() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		nanosleep(&pause, NULL);	/* EINTR: look again */
	}
	return otime == -1 ? -1 : semid;
#else
	/* TODO(lab04): open, then wait until sem_otime is not 0. Handout §3.2. */
	(void)key;
	(void)nsems;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
#endif
}

int semset_get(key_t key, int nsems, const unsigned short *values, int timeout_ms)
{
#ifdef SOLUTION
	for (;;) {
		int semid = semset_create(key, nsems, values);

		if (semid != -1 || errno != EEXIST)
			return semid;
		semid = semset_open(key, nsems, timeout_ms);
		/* ENOENT: its creator removed it in between; try to create again. */
		if (semid != -1 || errno != ENOENT)
			return semid;
	}
#else
	/* TODO(lab04): create, or open and wait when it exists. Handout §3.2. */
	(void)key;
	(void)nsems;
	(void)values;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.3: a mutex that survives its holder ----------------------------- */

int mutex_lock(int semid, int num)
{
#ifdef SOLUTION
	struct sembuf take = {.sem_num = (unsigned short)num, .sem_op = -1, .sem_flg = SEM_UNDO};

	return semop_retry(semid, &take, 1);
#else
	/* TODO(lab04): take 1, with SEM_UNDO. Handout §3.3. */
	(void)semid;
	(void)num;
	errno = ENOSYS;
	return -1;
#endif
}

int mutex_unlock(int semid, int num)
{
#ifdef SOLUTION
	struct sembuf give = {.sem_num = (unsigned short)num, .sem_op = 1, .sem_flg = SEM_UNDO};

	return semop(semid, &give, 1);
#else
	/* TODO(lab04): give 1 back, with SEM_UNDO. Handout §3.3. */
	(void)semid;
	(void)num;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.4: several semaphores at once ----------------------------------- */

int take_pair(int semid, int a, int b)
{
#ifdef SOLUTION
	struct sembuf both[2] = {
		{.sem_num = (unsigned short)a, .sem_op = -1, .sem_flg = SEM_UNDO},
		{.sem_num = (unsigned short)b, .sem_op = -1, .sem_flg = SEM_UNDO},
	};

	return semop_retry(semid, both, 2);
#else
	/* TODO(lab04): both in one semop. Handout §3.4. */
	(void)semid;
	(void)a;
	(void)b;
	errno = ENOSYS;
	return -1;
#endif
}

int give_pair(int semid, int a, int b)
{
#ifdef SOLUTION
	struct sembuf both[2] = {
		{.sem_num = (unsigned short)a, .sem_op = 1, .sem_flg = SEM_UNDO},
		{.sem_num = (unsigned short)b, .sem_op = 1, .sem_flg = SEM_UNDO},
	};

	return semop(semid, both, 2);
#else
	/* TODO(lab04): both back in one semop. Handout §3.4. */
	(void)semid;
	(void)a;
	(void)b;
	errno = ENOSYS;
	return -1;
#endif
}

int barrier_wait(int semid, int num)
{
#ifdef SOLUTION
	struct sembuf arrive = {.sem_num = (unsigned short)num, .sem_op = -1, .sem_flg = 0};
	struct sembuf wait_zero = {.sem_num = (unsigned short)num, .sem_op = 0, .sem_flg = 0};

	/* Two retry loops: after a signal, only the call it interrupted is redone. */
	if (semop_retry(semid, &arrive, 1) == -1)
		return -1;
	return semop_retry(semid, &wait_zero, 1);
#else
	/* TODO(lab04): take 1, then wait for zero: two semops. Handout §3.4. */
	(void)semid;
	(void)num;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.5: deadlines, removal and signals ----------------------------- */

int mutex_lock_timed(int semid, int num, int timeout_ms)
{
#ifdef SOLUTION
	struct sembuf take = {.sem_num = (unsigned short)num, .sem_op = -1, .sem_flg = SEM_UNDO};
	double deadline = now() + timeout_ms / 1000.0;

	for (;;) {
		struct timespec left = timespec_of(deadline - now());

		if (semtimedop(semid, &take, 1, &left) == 0)
			return 0;
		if (errno != EINTR)
			return -1;	/* EAGAIN at the deadline */
	}
#else
	/* TODO(lab04): semtimedop, and after EINTR wait only for what is left. Handout §3.5. */
	(void)semid;
	(void)num;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.6: a bounded buffer across processes ---------------------------- */

int ring_put(int semid, struct ring *ring, long item)
{
#ifdef SOLUTION
	struct sembuf slot = {.sem_num = RING_FREE, .sem_op = -1, .sem_flg = 0};
	struct sembuf used = {.sem_num = RING_USED, .sem_op = 1, .sem_flg = 0};

	if (semop_retry(semid, &slot, 1) == -1 || mutex_lock(semid, RING_MUTEX) == -1)
		return -1;
	ring_store(ring, item);
	if (mutex_unlock(semid, RING_MUTEX) == -1)
		return -1;
	return semop(semid, &used, 1);
#else
	/* TODO(lab04): a free slot, then the mutex; store; release; count. Handout §3.6. */
	(void)semid;
	(void)ring;
	(void)item;
	errno = ENOSYS;
	return -1;
#endif
}

int ring_get(int semid, struct ring *ring, long *item)
{
#ifdef SOLUTION
	struct sembuf used = {.sem_num = RING_USED, .sem_op = -1, .sem_flg = 0};
	struct sembuf slot = {.sem_num = RING_FREE, .sem_op = 1, .sem_flg = 0};

	if (semop_retry(semid, &used, 1) == -1 || mutex_lock(semid, RING_MUTEX) == -1)
		return -1;
	*item = ring_take(ring);
	if (mutex_unlock(semid, RING_MUTEX) == -1)
		return -1;
	return semop(semid, &slot, 1);
#else
	/* TODO(lab04): a used slot, then the mutex; take; release; count. Handout §3.6. */
	(void)semid;
	(void)ring;
	(void)item;
	errno = ENOSYS;
	return -1;
#endif
}
