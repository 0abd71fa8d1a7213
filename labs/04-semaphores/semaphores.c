/*
 * semaphores.c - Lab 04: System V semaphores. The functions declared in
 * semaphores.h.
 *
 * Usage: `make` builds it with the demos (initrace.c, holder.c, buffer.c)
 * into programs of those names; `ipclab test 04` grades it. Handout:
 * README.md, §3 (one subsection per group of functions). The contracts in
 * semaphores.h are exactly what the tests check.
 */
/*
 * Your edition: replace each TODO(lab04) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */

#define _GNU_SOURCE		/* semtimedop */

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>

#include "semaphores.h"

/* ---- §3.1: a semaphore set ---------------------------------------------- */

int semset_create(key_t key, int nsems, const unsigned short *values)
{
	/* TODO(lab04): create with IPC_EXCL, set the values, then one semop. Handout §3.1. */
	(void)key;
	(void)nsems;
	(void)values;
	errno = ENOSYS;
	return -1;
}

int semset_remove(int semid)
{
	/* TODO(lab04): remove the set. Handout §3.1. */
	(void)semid;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.2: the initialisation race ------------------------------------ */

int semset_open(key_t key, int nsems, int timeout_ms)
{
	/* TODO(lab04): open, then wait until sem_otime is not 0. Handout §3.2. */
	(void)key;
	(void)nsems;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
}

int semset_get(key_t key, int nsems, const unsigned short *values, int timeout_ms)
{
	/* TODO(lab04): create, or open and wait when it exists. Handout §3.2. */
	(void)key;
	(void)nsems;
	(void)values;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.3: a mutex that survives its holder ----------------------------- */

int mutex_lock(int semid, int num)
{
	/* TODO(lab04): take 1, with SEM_UNDO. Handout §3.3. */
	(void)semid;
	(void)num;
	errno = ENOSYS;
	return -1;
}

int mutex_unlock(int semid, int num)
{
	/* TODO(lab04): give 1 back, with SEM_UNDO. Handout §3.3. */
	(void)semid;
	(void)num;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.4: several semaphores at once ----------------------------------- */

int take_pair(int semid, int a, int b)
{
	/* TODO(lab04): both in one semop. Handout §3.4. */
	(void)semid;
	(void)a;
	(void)b;
	errno = ENOSYS;
	return -1;
}

int give_pair(int semid, int a, int b)
{
	/* TODO(lab04): both back in one semop. Handout §3.4. */
	(void)semid;
	(void)a;
	(void)b;
	errno = ENOSYS;
	return -1;
}

int barrier_wait(int semid, int num)
{
	/* TODO(lab04): take 1, then wait for zero: two semops. Handout §3.4. */
	(void)semid;
	(void)num;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.5: deadlines, removal and signals ----------------------------- */

int mutex_lock_timed(int semid, int num, int timeout_ms)
{
	/* TODO(lab04): semtimedop, and after EINTR wait only for what is left. Handout §3.5. */
	(void)semid;
	(void)num;
	(void)timeout_ms;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.6: a bounded buffer across processes ---------------------------- */

int ring_put(int semid, struct ring *ring, long item)
{
	/* TODO(lab04): a free slot, then the mutex; store; release; count. Handout §3.6. */
	(void)semid;
	(void)ring;
	(void)item;
	errno = ENOSYS;
	return -1;
}

int ring_get(int semid, struct ring *ring, long *item)
{
	/* TODO(lab04): a used slot, then the mutex; take; release; count. Handout §3.6. */
	(void)semid;
	(void)ring;
	(void)item;
	errno = ENOSYS;
	return -1;
}
