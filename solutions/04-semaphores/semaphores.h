/**
 * @file semaphores.h
 * @brief Lab 04: System V semaphores. The functions you implement in
 *        semaphores.c.
 *
 * A semaphore set is a kernel object holding nsems counters that never go
 * below zero. semop(2) applies a list of operations to a set all at once or
 * not at all: an operation that would take a counter below zero waits (or
 * fails) and nothing of the list happens until every operation can.
 *
 * Every function returns -1 and leaves errno set on failure, unless its
 * contract says otherwise; none of them prints or exits. Only
 * semset_create() creates a set, and a set it cannot finish setting up it
 * removes before it returns. A blocking call that a signal interrupts
 * (EINTR) goes on waiting: the kernel never restarts semop(2) or
 * semtimedop(2) after a signal handler, with or without SA_RESTART. Waiting
 * is sleeping in the kernel (semop, semtimedop, nanosleep), never a loop that
 * spins on the CPU.
 * The handout (README.md) explains each task; the tests (`ipclab test 04`)
 * check exactly what is written here.
 */
#ifndef SEMAPHORES_H
#define SEMAPHORES_H

#include <sys/types.h>

/** The largest value a semaphore holds: the kernel's SEMVMX. */
#define SEMSET_VALUE_MAX 32767

/* ---- §3.1 A semaphore set ---------------------------------------------- */

/**
 * @brief Creates a new set of @p nsems semaphores for @p key, readable and
 *        writable by its owner only (mode 0600), and sets semaphore i to
 *        @p values[i].
 *
 * Never reuses a set: when one exists for @p key, it fails with EEXIST and
 * leaves that set untouched. The last step of the initialisation is one
 * semop(2) on the set, after which the set's sem_otime is no longer 0: that
 * is the sign, for semset_open(), that the set is ready. A set it created but
 * could not initialise (a value above SEMSET_VALUE_MAX: ERANGE) it removes
 * before returning -1.
 *
 * @param key    the set's key (from ftok(3), or any key but IPC_PRIVATE)
 * @param nsems  how many semaphores, 1 to SEMMSL (32000)
 * @param values their initial values, @p nsems of them
 * @return the new set's id, or -1 (EEXIST: a set exists for @p key; EINVAL:
 *         bad @p nsems; ERANGE: a value too large, no set left behind).
 */
int semset_create(key_t key, int nsems, const unsigned short *values);

/**
 * @brief Removes set @p semid at once with semctl(IPC_RMID).
 *
 * Every process blocked in semop(2) on it wakes up with EIDRM.
 *
 * @param semid the set's id
 * @return 0, or -1 (EINVAL: no such set; EPERM: not the owner).
 */
int semset_remove(int semid);

/* ---- §3.2 The initialisation race ------------------------------------ */

/**
 * @brief Opens the existing set of @p key, as every process but its creator
 *        does, and waits until its creator has initialised it.
 *
 * A set is initialised once its sem_otime is not 0 (see semset_create()).
 * Until then it waits, sleeping between two looks at sem_otime (at most
 * 10 ms apart), for at most @p timeout_ms milliseconds; a signal does not end
 * the wait. Never creates a set and never changes one.
 *
 * @param key        the set's key
 * @param nsems      how many semaphores the caller needs: at most as many as
 *                   the set has (0: any number)
 * @param timeout_ms how long to wait for the initialisation, >= 0
 * @return the set's id, or -1 (ENOENT: no set has that key; EINVAL: the set
 *         has fewer than @p nsems semaphores; ETIMEDOUT: still not
 *         initialised after @p timeout_ms).
 */
int semset_open(key_t key, int nsems, int timeout_ms);

/**
 * @brief Creates the set of @p key as semset_create() does, or, when it
 *        exists already, opens it as semset_open() does, waiting for its
 *        creator to initialise it.
 *
 * However many processes call it at once for one key, exactly one creates and
 * initialises the set, and every one of them returns only once the set is
 * initialised. An existing set is never initialised again.
 *
 * @param key        the set's key
 * @param nsems      how many semaphores
 * @param values     their initial values, used only when this call creates the set
 * @param timeout_ms how long to wait for another creator's initialisation
 * @return the set's id, or -1 (errors of semset_create() and semset_open()).
 */
int semset_get(key_t key, int nsems, const unsigned short *values, int timeout_ms);

/* ---- §3.3 A mutex that survives its holder ----------------------------- */

/**
 * @brief Locks the mutex that semaphore @p num of set @p semid is (1: free,
 *        0: held): takes 1 from it, waiting while it is 0.
 *
 * The operation is made with SEM_UNDO, so that when the holder ends without
 * unlocking (it crashed, or was killed inside its critical section), the
 * kernel gives the 1 back and the next process gets the lock.
 *
 * @param semid the set's id
 * @param num   the semaphore's number in the set
 * @return 0 once the caller holds the lock, or -1 (EIDRM: the set was
 *         removed while waiting; EINVAL: no such set; EFBIG: no such
 *         semaphore).
 */
int mutex_lock(int semid, int num);

/**
 * @brief Unlocks the mutex: gives 1 back to semaphore @p num, with SEM_UNDO
 *        (which cancels the adjustment mutex_lock() recorded). Never waits.
 *
 * @param semid the set's id
 * @param num   the semaphore's number in the set
 * @return 0, or -1.
 */
int mutex_unlock(int semid, int num);

/* ---- §3.4 Several semaphores at once ----------------------------------- */

/**
 * @brief Takes 1 from semaphore @p a and 1 from semaphore @p b of set
 *        @p semid in one semop(2), waiting until both can be taken, with
 *        SEM_UNDO.
 *
 * Atomic: while it waits it holds neither. It never takes @p a and then waits
 * for @p b, which lets two processes that ask in opposite orders each take
 * one and wait forever for the other.
 *
 * @param semid the set's id
 * @param a     one semaphore's number
 * @param b     another's, not @p a
 * @return 0 once both are taken, or -1 (EIDRM as mutex_lock()).
 */
int take_pair(int semid, int a, int b);

/**
 * @brief Gives 1 back to semaphores @p a and @p b in one semop(2), with
 *        SEM_UNDO (it undoes take_pair()). Never waits.
 *
 * @param semid the set's id
 * @param a     one semaphore's number
 * @param b     the other's
 * @return 0, or -1.
 */
int give_pair(int semid, int a, int b);

/**
 * @brief A barrier for the processes that share semaphore @p num, which
 *        starts at their number: each takes 1 from it (one semop), then waits
 *        until it is 0 (a second semop); so every one of them returns once
 *        the last has arrived.
 *
 * Two calls, not one: a single semop(2) with {-1, 0} is all or nothing, so
 * unless it is the last to arrive it waits without taking its 1, and nobody
 * ever passes. Each process arrives exactly once: after a signal it goes on
 * waiting for zero, without taking 1 again. Without SEM_UNDO: a process that
 * has passed the barrier and exits does not give its 1 back, so the
 * semaphore stays at 0.
 *
 * @param semid the set's id
 * @param num   the barrier's semaphore
 * @return 0 once every process has arrived, or -1 (EIDRM as mutex_lock()).
 */
int barrier_wait(int semid, int num);

/* ---- §3.5 Deadlines, removal and signals --------------------------- */

/**
 * @brief Like mutex_lock(), but waits at most @p timeout_ms milliseconds in
 *        all, with semtimedop(2).
 *
 * A signal does not end the wait and does not restart it either: after a
 * signal it goes on waiting for what is left of @p timeout_ms.
 *
 * @param semid      the set's id
 * @param num        the semaphore's number in the set
 * @param timeout_ms the longest wait, >= 0 (0: take it only if it is free now)
 * @return 0 once the caller holds the lock, or -1 (EAGAIN: still held after
 *         @p timeout_ms, nothing taken; EIDRM as mutex_lock()).
 */
int mutex_lock_timed(int semid, int num, int timeout_ms);

/* ---- §3.6 A bounded buffer across processes ---------------------------- */

/** How many items the ring holds. */
#define RING_SLOTS 8

/**
 * @brief A ring of RING_SLOTS items, in memory that every producer and
 *        consumer shares. The kit provides it (the tests and demo buffer.c
 *        map it with mmap(MAP_SHARED), Lab 05 makes it a System V segment):
 *        you write only the synchronisation around ring_store() and
 *        ring_take().
 */
struct ring {
	unsigned int head;		/**< the next slot to take from */
	unsigned int tail;		/**< the next slot to store into */
	long slot[RING_SLOTS];		/**< the items */
};

/**
 * @brief The semaphores of a ring's set, by number, and their initial
 *        values: whoever creates the set gives it these.
 */
enum ring_semaphore {
	RING_MUTEX,	/**< 1: whoever holds it may touch head, tail and slot */
	RING_FREE,	/**< RING_SLOTS: how many slots are free */
	RING_USED,	/**< 0: how many slots hold an item */
	RING_NSEMS	/**< how many semaphores a ring's set has */
};

/** Stores @p item in the next free slot. Provided; hold RING_MUTEX around it. */
static inline void ring_store(struct ring *ring, long item)
{
	ring->slot[ring->tail] = item;
	ring->tail = (ring->tail + 1) % RING_SLOTS;
}

/** Takes the oldest item out. Provided; hold RING_MUTEX around it. */
static inline long ring_take(struct ring *ring)
{
	long item = ring->slot[ring->head];

	ring->head = (ring->head + 1) % RING_SLOTS;
	return item;
}

/**
 * @brief Puts @p item into the ring, waiting while it is full.
 *
 * First takes a free slot (RING_FREE), and only then the mutex: a producer
 * that holds the mutex while it waits for a slot stops every consumer, and
 * so itself, for good. Stores with ring_store(), releases the mutex, and
 * counts the item in RING_USED. SEM_UNDO goes on the mutex only: an item
 * stays in the ring, and counted, after its producer has exited.
 *
 * @param semid the ring's set (RING_NSEMS semaphores, initial values above)
 * @param ring  the ring, in shared memory
 * @param item  what to put
 * @return 0 once the item is in the ring, or -1 (EIDRM: the set was removed
 *         while waiting).
 */
int ring_put(int semid, struct ring *ring, long item);

/**
 * @brief Takes the oldest item out of the ring, waiting while it is empty.
 *
 * The mirror of ring_put(): takes a used slot (RING_USED), then the mutex,
 * takes the item with ring_take(), releases the mutex, and counts the slot in
 * RING_FREE.
 *
 * @param semid the ring's set
 * @param ring  the ring, in shared memory
 * @param item  set to the item taken
 * @return 0, or -1 (EIDRM: the set was removed while waiting).
 */
int ring_get(int semid, struct ring *ring, long *item);

#endif
