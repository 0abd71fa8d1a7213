/**
 * @file shm.h
 * @brief Lab 05: System V shared memory. The functions you implement in
 *        shm.c.
 *
 * A segment is a kernel object holding bytes that any process allowed to
 * can attach (shmat(2)) into its address space; it lives until it is removed
 * (shmctl(IPC_RMID)), not until the last process detaches. A key names it,
 * and ftok(3) makes a key from a file: a hash of the file's inode number,
 * its device and a project byte, which two files can share.
 *
 * Every function returns -1 (or NULL) and leaves errno set on failure,
 * unless its contract says otherwise; none of them prints (except to the
 * FILE or through the pair_say it is given) or exits. A blocking call that a
 * signal interrupts (EINTR) goes on waiting.
 * The handout (README.md) explains each task; the tests (`ipclab test 05`)
 * check exactly what is written here.
 */
#ifndef SHM_H
#define SHM_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- §3.1 Attach, detach, look ---------------------------------------- */

/**
 * @brief Attaches segment @p shmid at an address the kernel chooses,
 *        read-only when @p readonly is true, read-write otherwise.
 *
 * shmat(2) reports failure with (void *) -1, not NULL; this function turns
 * that into NULL.
 *
 * @param shmid    the segment's id
 * @param readonly attach with SHM_RDONLY
 * @return the address, or NULL (EINVAL: no such segment, or removed and
 *         gone; EACCES: the mode forbids it; ENOMEM: no room in the address
 *         space).
 */
void *segment_attach(int shmid, bool readonly);

/**
 * @brief Detaches the segment attached at @p addr.
 *
 * Detaching never removes a segment, even the last attachment of one.
 *
 * @param addr an address segment_attach() returned
 * @return 0, or -1 (EINVAL: no segment is attached at @p addr).
 */
int segment_detach(const void *addr);

/** What the kernel says of a segment (shmctl(IPC_STAT)). */
struct segment_status {
	key_t key;		/**< its key: IPC_PRIVATE (0) once removed */
	size_t size;		/**< its size in bytes, as created */
	unsigned long attached;	/**< how many attachments it has (shm_nattch) */
	pid_t creator;		/**< the pid of the process that created it (shm_cpid) */
	bool removed;		/**< marked for removal (SHM_DEST), still attached */
};

/**
 * @brief Fills @p status with what the kernel says of segment @p shmid
 *        now.
 *
 * @param shmid  the segment's id
 * @param status filled in on success
 * @return 0, or -1 (EINVAL: no such segment).
 */
int segment_status(int shmid, struct segment_status *status);

/* ---- §3.2 One shared table, attached once ------------------------------ */

/**
 * @brief Gives the caller the shared table of @p key: a segment of @p size
 *        bytes, created (mode 0600) if no segment has that key.
 *
 * The first call attaches it; every later call with the same key returns
 * that same address and attaches nothing, however many times it is called
 * (its @p size then counts for nothing).
 * The process holds one table at a time.
 *
 * @param key  the table's key
 * @param size its size in bytes, if it must be created
 * @return the table's address, or NULL (EBUSY: the process holds the table
 *         of another key; EINVAL: an existing segment of @p key is smaller
 *         than @p size; or shmget's or shmat's errno).
 */
void *table_get(key_t key, size_t size);

/**
 * @brief Detaches the table that table_get() attached; the next
 *        table_get() attaches again. The segment stays.
 *
 * @return 0, or -1 (EINVAL: no table is attached).
 */
int table_release(void);

/* ---- §3.3 Keys are hashes ---------------------------------------------- */

/**
 * @brief Computes the key ftok(3) makes of @p path and @p proj_id, with
 *        the formula: the low 8 bits of @p proj_id, then the low 8 bits of
 *        the file's device number, then the low 16 bits of its inode number
 *        (bits 31-24, 23-16 and 15-0 of the key). The file is the one
 *        stat(2) finds: a symbolic link counts as the file it points to.
 *
 * @param path    an existing file
 * @param proj_id the project id; only its low 8 bits count
 * @return the key, equal to ftok(path, proj_id), or -1 (stat's errno).
 *         As with ftok(3), -1 is also the key of the rare file and
 *         proj_id whose bits are all 1: errno, set to 0 before the call,
 *         tells the two apart.
 */
key_t key_for(const char *path, int proj_id);

/**
 * @brief Finds the paths that share a key: every regular file under
 *        @p dir, at any depth, without following symbolic links, keyed as
 *        key_for(path, proj_id) does.
 *
 * @p dir itself must be a directory: a symbolic link to one is not
 * followed either (ENOTDIR), and a subdirectory it cannot read fails the
 * call (EACCES). Writes to @p out one line for each key two or more of
 * those paths share: the key as `0x%08x`, then each path (@p dir without
 * a trailing '/', a '/', and the path below @p dir), a space before each,
 * paths in strcmp(3) order; lines in the order of their keys, smallest
 * first. Two names of one file (hard links) share its key and count as two
 * paths.
 *
 * @param dir     the directory to walk
 * @param proj_id the project id of every key
 * @param out     where the lines go
 * @return how many lines it wrote (0: no key is shared), or -1 (errno of
 *         the directory walk: ENOENT, ENOTDIR, EACCES).
 */
int collisions_list(const char *dir, int proj_id, FILE *out);

/* ---- §3.4 Keys that collide -------------------------------------------- */

/**
 * @brief Creates a new segment of @p size bytes for @p key, mode 0600.
 *
 * Never reuses a segment: when one exists for @p key (perhaps another
 * program's, whose path hashed to the same key) it fails with EEXIST and
 * leaves that segment untouched.
 *
 * @param key  the key (from ftok(3), or any key but IPC_PRIVATE)
 * @param size its size in bytes, > 0
 * @return the new segment's id, or -1 (EEXIST: a segment has that key; or
 *         shmget's errno).
 */
int segment_create(key_t key, size_t size);

/**
 * @brief Opens the existing segment of @p key, trusting it only if it is
 *        the one the caller expects: created by process @p creator, mode
 *        0600 (no one else may write it), and exactly @p size bytes.
 *
 * Reads the segment's shm_cpid, shm_perm.mode and shm_segsz with
 * shmctl(IPC_STAT) and never attaches or changes a segment it refuses.
 * The checks go in that order, and the first that fails gives errno. A
 * removed segment has key IPC_PRIVATE: no key finds it (ENOENT).
 *
 * @param key     the key
 * @param size    the size the caller expects, in bytes
 * @param creator the pid of the process the caller expects created it
 * @return the segment's id, or -1 (ENOENT: no segment has that key; EPERM:
 *         another process created it, or its mode is not 0600; EINVAL: its
 *         size is not @p size).
 */
int segment_join(key_t key, size_t size, pid_t creator);

/* ---- §3.5 A writer and a reader ---------------------------------------- */

/** The pair's proj_id: ftok uses its low 8 bits only, so keep it in 1-255. */
#define PAIR_PROJ 'P'

/** What the pair exchanges. */
struct record {
	unsigned int seq;	/**< the sender's number for it */
	char text[60];		/**< a NUL-terminated line */
};

/** Where the pair says what it did (the demos print it). */
typedef void (*pair_say)(const char *line);

/**
 * @brief Sends @p count records to pair_receive() through one segment
 *        holding one struct record, and a set of two semaphores.
 *
 * Both use the key ftok(path, PAIR_PROJ); if ftok fails, it returns -1
 * with ftok's errno and creates nothing. Either side may start first:
 * each creates the segment (mode 0600, sizeof(struct record) bytes) and
 * the set (mode 0600) if they do not exist yet, and uses them if they do.
 * Linux starts a new set's semaphores at 0, and the pair needs no other
 * start: semaphore 0 counts records written and not yet read, semaphore 1
 * records read. The sender writes record i after the receiver has read
 * record i - 1 (it waits for that), then adds 1 to semaphore 0. It never
 * removes the segment or the set: they stay for the receiver. It returns
 * with the segment detached, on every path.
 *
 * @param path    the file both sides make the key of
 * @param records what to send, @p count of them
 * @param count   how many, >= 1
 * @param say     not called by the fixed pair (the draft uses it)
 * @return 0, or -1 (ftok's, shmget's, semget's, shmat's or semop's errno:
 *         EIDRM when the set is removed while it waits).
 */
int pair_send(const char *path, const struct record *records, int count, pair_say say);

/**
 * @brief Receives @p count records from pair_send() into @p records,
 *        waiting for each one, then removes the segment and the set.
 *
 * Same key, objects and start as pair_send(), and it too returns with the
 * segment detached, on every path. Takes each record once the sender has
 * written it (it waits for that), then adds 1 to semaphore 1. After the
 * last record it removes the segment and the set (IPC_RMID: detaching
 * removes nothing), and only then calls @p say once with a line that
 * begins "removed".
 *
 * @param path    the file both sides make the key of
 * @param records where the records go, room for @p count
 * @param count   how many, >= 1, as many as the sender sends
 * @param say     called once, after the removal
 * @return 0, or -1 (ftok's, shmget's, semget's, shmat's, semop's or
 *         shmctl's errno: EIDRM when the set is removed while it waits).
 */
int pair_receive(const char *path, struct record *records, int count, pair_say say);

/* ---- §3.6 The limits ---------------------------------------------------- */

/** The shared-memory limits of the caller's IPC namespace. */
struct shm_limits {
	unsigned long long max_bytes;	/**< SHMMAX: largest segment, bytes */
	unsigned long long all_pages;	/**< SHMALL: all segments together, pages */
	unsigned long long max_segments; /**< SHMMNI: how many segments */
};

/**
 * @brief Reads the limits twice: into @p kernel with shmctl(IPC_INFO),
 *        into @p proc from /proc/sys/kernel/shmmax, shmall and shmmni.
 *
 * @param kernel filled from shmctl(IPC_INFO)
 * @param proc   filled from /proc/sys/kernel
 * @return 0, or -1 (shmctl's errno, or the errno of opening or reading a
 *         file; EPROTO: a file does not hold a number).
 */
int shm_limits(struct shm_limits *kernel, struct shm_limits *proc);

/* ---- §3.7 Cleaning up what is yours ------------------------------------ */

/**
 * @brief Removes the lab's System V objects, and only them: every segment,
 *        semaphore set and message queue whose key is one of the @p nkeys
 *        @p keys and whose creator (cuid) is the caller's effective user.
 *
 * For each, in the order segments, semaphore sets, queues, and by id
 * (smallest first) within a kind, it writes a line to @p out:
 * `removed KIND ID 0xKEY` after removing it, or, when @p dry_run is true,
 * `would remove KIND ID 0xKEY` and removes nothing. KIND is shm, sem or
 * msg; KEY is `%08x`. Every other object it leaves alone. A removal that
 * fails stops it there: the lines already written stay.
 *
 * @param keys    the lab's keys
 * @param nkeys   how many, >= 1
 * @param dry_run list only, remove nothing
 * @param out     where the lines go
 * @return how many objects it removed (or would remove), or -1 (EINVAL:
 *         @p nkeys < 1 or a key is IPC_PRIVATE, nothing done; or the errno
 *         of the removal that failed).
 */
int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out);

#endif
