/**
 * @file mapped.h
 * @brief Lab 06: memory mappings. The functions you implement in mapped.c.
 *
 * mmap(2) puts a file, a POSIX shared memory object or plain anonymous
 * memory into a process's address space. With MAP_SHARED, every process
 * that maps the same object sees the same bytes, at once; with
 * MAP_PRIVATE, a process that writes gets its own copy of the page it
 * wrote (copy-on-write), and nobody else sees the change. A mapping can
 * reach only the pages the file has: a byte past the end of the file but
 * within its last page reads as 0; a whole page past the end is SIGBUS.
 * After munmap(2), touching the range is SIGSEGV.
 *
 * Every function returns -1 (or NULL) and leaves errno set on failure,
 * unless its contract says otherwise; none of them prints or exits. Each
 * one unmaps what it mapped and closes what it opened before it returns,
 * on success and on failure, unless its contract gives the mapping to the
 * caller. A blocking call that a signal interrupts (EINTR) goes on
 * waiting.
 * The handout (README.md) explains each task; the tests (`ipclab test 06`)
 * check exactly what is written here.
 */
#ifndef MAPPED_H
#define MAPPED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- §3.1 A counter that lives in a file ------------------------------- */

/** The length of a counter file: one int64_t, the counter. */
#define COUNTER_BYTES 8

/**
 * @brief Adds 1 to the counter kept in the file @p path, @p times times,
 *        through a MAP_SHARED mapping of the file.
 *
 * The counter is the file's first COUNTER_BYTES bytes, an int64_t in the
 * machine's byte order. A missing file is created (mode 0600) and counts
 * from 0. A file shorter than COUNTER_BYTES is first extended to
 * COUNTER_BYTES with ftruncate(2) (the new bytes read as 0); a longer file
 * keeps its length and its other bytes. Each addition is one atomic
 * read-modify-write of the mapped counter (C11 atomic_fetch_add or
 * __atomic_fetch_add), so that processes adding to the same file at the
 * same time lose none of each other's additions. Before returning, the
 * function writes the counter's page back to the file with msync(MS_SYNC).
 *
 * @param path  the counter file
 * @param times how many times to add 1 (0 adds nothing, and still
 *              creates or extends the file)
 * @param value set to the counter's value right after this call's last
 *              addition (its value as found when @p times is 0)
 * @return 0, or -1 (EINVAL: @p times is negative; or open's, ftruncate's,
 *         mmap's or msync's errno).
 */
int counter_add(const char *path, int times, int64_t *value);

/* ---- §3.2 Reading a file through a mapping ----------------------------- */

/**
 * @brief Copies the first bytes of the file @p path, as many as fit in
 *        @p cap, into @p buf, through a read-only mapping of the file.
 *
 * The function copies min(file length, @p cap) bytes and writes nothing
 * else into @p buf. It never touches a byte of the mapping past the end of
 * the file: the rest of the last page reads as 0 and is not the file's, and
 * a page wholly past the end is SIGBUS. An empty file (or @p cap 0) copies
 * nothing and maps nothing: mmap(2) of length 0 fails.
 *
 * @param path the file; a symbolic link counts as the file it points to
 * @param buf  where the bytes go
 * @param cap  the room in @p buf
 * @return how many bytes were copied, or -1 (EINVAL: @p path is not a
 *         regular file; or open's, fstat's or mmap's errno).
 */
ssize_t file_copy(const char *path, void *buf, size_t cap);

/**
 * @brief Copies the file @p path into @p out with every ASCII lowercase
 *        letter turned uppercase, editing a private (MAP_PRIVATE, writable)
 *        mapping of the file in place; the file itself is not changed.
 *
 * The function uppercases the mapping's letters, then copies min(file
 * length, @p cap) bytes of it into @p out. Writing a MAP_PRIVATE page makes
 * a copy of it for this process only: neither the file nor another
 * process's mapping of it sees the change. The same limits as file_copy()
 * hold: nothing past the end of the file is touched, nothing is written into
 * @p out past what was copied, an empty file copies nothing.
 *
 * @param path the file, which may be read-only to the caller
 * @param out  where the uppercased bytes go
 * @param cap  the room in @p out
 * @return how many bytes were copied, or -1 (as file_copy()).
 */
ssize_t file_upcase(const char *path, char *out, size_t cap);

/* ---- §3.3 Parent and children share anonymous memory ------------------- */

/** The most workers run_workers() starts. */
#define WORKERS_MAX 32

/**
 * @brief Runs @p work(i) in @p n child processes, one for each i from 0 to
 *        @p n - 1, all running at the same time, and hands their results
 *        back through one anonymous shared mapping (MAP_SHARED |
 *        MAP_ANONYMOUS) that the parent makes before forking.
 *
 * Child i stores work(i) in slot i of the mapping and exits with status 0.
 * The parent starts all @p n children, then waits for each of them, then
 * copies the slots into @p results[0] to @p results[n - 1] and unmaps.
 * No child is left unwaited, whatever happens; a signal that interrupts a
 * wait does not end it. When a child does not exit with status 0 (work()
 * crashed it or exited it), the function returns -1 with errno ECHILD.
 * When a fork fails, the children already started are waited for, and the
 * function returns -1 with fork's errno. On failure nothing is written into
 * @p results.
 *
 * @param n       how many children (0 starts none and returns 0)
 * @param work    what each child computes; called in the child only
 * @param results the @p n results, in order of i
 * @return 0, or -1 (EINVAL: @p n is negative or above WORKERS_MAX; ECHILD:
 *         a child failed; or mmap's or fork's errno).
 */
int run_workers(int n, long (*work)(int i), long *results);

/* ---- §3.4 A board in POSIX shared memory ------------------------------- */

/**
 * @brief Creates the POSIX shared memory object @p name (shm_open(3) with
 *        O_CREAT | O_EXCL, mode 0600) and gives it a length of @p size bytes
 *        (ftruncate(2)), all zero. It appears as /dev/shm/NAME, and lives
 *        until board_remove(), not until its creator exits.
 *
 * An object of that name that exists already is left as it is.
 *
 * @param name "/" then a name without "/" (as shm_open(3) wants)
 * @param size its length in bytes, at least 1
 * @return 0, or -1 (EEXIST: an object has that name; EINVAL: @p size is 0
 *         or @p name is not a valid name; or shm_open's or ftruncate's
 *         errno). When ftruncate fails, the object it made is removed.
 */
int board_create(const char *name, size_t size);

/**
 * @brief Maps the whole of the existing object @p name, readable and
 *        writable and MAP_SHARED, and sets @p size to its length.
 *
 * Any process may call it, related to the creator or not: what one writes
 * there, every other that maps it sees. The descriptor is closed before
 * the function returns; the mapping is the caller's, for board_close().
 *
 * @param name the object's name
 * @param size set to the object's length (what board_close() needs)
 * @return the mapping's address, or NULL (ENOENT: no object has that name;
 *         EINVAL: its length is 0; or shm_open's, fstat's or mmap's errno).
 */
void *board_open(const char *name, size_t *size);

/**
 * @brief Unmaps a mapping that board_open() returned. The object stays.
 *
 * @param addr what board_open() returned
 * @param size what it set its @p size to
 * @return 0, or -1 (munmap's errno).
 */
int board_close(void *addr, size_t size);

/**
 * @brief Removes the name @p name (shm_unlink(3)). Mappings of the object
 *        that are still there keep working; the memory goes when the last
 *        one is unmapped.
 *
 * @param name the object's name
 * @return 0, or -1 (ENOENT: no object has that name).
 */
int board_remove(const char *name);

/* ---- §3.5 A ring buffer between two processes, without locks ---------- */

/** How many records the ring holds at most: a power of two. */
#define RING_SLOTS 1024
/** The most bytes one record holds: with its len, a slot is 256 bytes. */
#define RECORD_MAX 252
/** A cache line's length on x86-64 and most ARM cores. */
#define RING_LINE 64

/** One record in the ring: its length, then its bytes (4 cache lines in all). */
struct ring_slot {
	uint32_t len;			  /**< the record's length, 0 to RECORD_MAX */
	unsigned char data[RECORD_MAX];	  /**< its bytes */
};

/**
 * A single-producer single-consumer ring of records, laid out as it is in
 * the shared memory that both processes map (MAP_SHARED; all zero at
 * first, which is an empty ring).
 *
 * head counts the records popped since the ring was made and tail those
 * pushed; neither wraps round (2^64 records is centuries), so the ring
 * holds tail - head records, and record number i is in slot
 * i % RING_SLOTS. Only the consumer writes head, only the producer writes
 * tail. head_seen and tail_seen are the producer's and the consumer's own
 * copies of the other side's index, for a ring that reads the other side's
 * cache line less often (handout §3.5, stage 3); a ring that does not use
 * them leaves them alone. Each field starts a cache line of its own.
 */
struct ring {
	_Alignas(RING_LINE) _Atomic uint64_t head; /**< records popped; the consumer writes it */
	_Alignas(RING_LINE) uint64_t head_seen;	   /**< the producer's copy of head */
	_Alignas(RING_LINE) _Atomic uint64_t tail; /**< records pushed; the producer writes it */
	_Alignas(RING_LINE) uint64_t tail_seen;	   /**< the consumer's copy of tail */
	/** record number i is in slots[i % RING_SLOTS] */
	_Alignas(RING_LINE) struct ring_slot slots[RING_SLOTS];
};

/**
 * @brief Pushes one record of @p len bytes onto the ring: the producer's
 *        side. Never waits: a full ring fails at once.
 *
 * The record goes into slot tail % RING_SLOTS, its len and then its bytes;
 * then the function adds 1 to tail with a release store
 * (memory_order_release), so that a consumer that sees the new tail with
 * an acquire load sees the whole record too. It reads head with an acquire
 * load, so that it never writes a slot before the consumer has finished
 * reading it. Only one process or thread pushes onto a ring.
 *
 * @param r    the ring
 * @param data the record's bytes
 * @param len  their number, 0 to RECORD_MAX
 * @return 0, or -1 (EAGAIN: the ring holds RING_SLOTS records already;
 *         EINVAL: @p len is above RECORD_MAX). On failure the ring is not
 *         changed.
 */
int ring_push(struct ring *r, const void *data, size_t len);

/**
 * @brief Pops the oldest record off the ring into @p buf: the consumer's
 *        side. Never waits: an empty ring fails at once.
 *
 * The function reads tail with an acquire load, copies the record of slot
 * head % RING_SLOTS into @p buf, then adds 1 to head with a release store,
 * which gives the slot back to the producer. Only one process or thread
 * pops from a ring.
 *
 * @param r   the ring
 * @param buf where the record's bytes go
 * @param cap the room in @p buf
 * @return the record's length (0 to RECORD_MAX), or -1 (EAGAIN: the ring
 *         is empty; EMSGSIZE: the record is longer than @p cap). On
 *         failure the ring is not changed and nothing is written into
 *         @p buf: the record stays, for a pop with more room.
 */
ssize_t ring_pop(struct ring *r, void *buf, size_t cap);

#endif
