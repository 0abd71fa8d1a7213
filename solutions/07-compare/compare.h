/**
 * @file compare.h
 * @brief Lab 07: which IPC is fastest, and why. The functions you
 *        implement in links.c and harness.c.
 *
 * A benchmark is only as good as what it counts. This lab's harness moves
 * messages between two processes through one mechanism at a time (a
 * "link": two pipes, two FIFOs, a Unix domain socket pair, a System V
 * message queue, System V shared memory guarded by System V semaphores,
 * or a ring buffer in shared memory that each side polls), times each round trip with CLOCK_MONOTONIC, and writes what
 * it measured as CSV, beside the machine's own floors (a null system call,
 * memcpy, a cache line passed between CPUs).
 *
 * Every function returns -1 and leaves errno set on failure, unless its
 * contract says otherwise; none of them prints or exits. A blocking call
 * that a signal interrupts (EINTR) goes on waiting. Each function closes
 * what it opened and detaches what it attached before it returns, unless
 * its contract gives it to the caller.
 * The handout (README.md) explains each task; the tests (`ipclab test 07`)
 * check exactly what is written here.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* ---- §3.1 Percentiles -------------------------------------------------- */

/** What summarize() makes of a set of timings, in nanoseconds. */
struct summary {
	size_t n;	/**< how many timings */
	uint64_t min;	/**< the smallest */
	uint64_t p50;	/**< the median: the 50th percentile */
	uint64_t p99;	/**< the 99th percentile */
	uint64_t p999;	/**< the 99.9th percentile */
	uint64_t max;	/**< the largest */
	uint64_t mean;	/**< the sum divided by n, rounded down */
};

/**
 * @brief Summarises @p n timings: smallest, largest, mean and three
 *        percentiles.
 *
 * The p-th percentile is the nearest-rank one: sort the timings in
 * ascending order, s[0] <= s[1] <= ... <= s[n-1]; it is s[k - 1] where k
 * is the smallest whole number with k >= p * n / 100 (and k >= 1). So
 * for n = 1000 the 99th percentile is s[989] and the 99.9th is s[998];
 * for n = 10 they are both s[9], the largest. The sum for the mean never
 * overflows for the timings of this lab (each below 2^40, n below 2^20).
 *
 * @param ns the timings; left as they were (sort a copy)
 * @param n  how many (at least 1)
 * @param s  the summary, filled on success
 * @return 0, or -1 (EINVAL: @p n is 0; ENOMEM: no room for the copy).
 */
int summarize(const uint64_t *ns, size_t n, struct summary *s);

/* ---- §3.2 Links: one mechanism, two directions -------------------------- */

/** The mechanisms a link can be made of. */
enum mech {
	MECH_PIPE,	/**< two pipes, one a direction */
	MECH_FIFO,	/**< two FIFOs in a directory, one a direction */
	MECH_UNIX,	/**< a Unix domain stream socket pair */
	MECH_MSGQ,	/**< one System V message queue */
	MECH_SHM,	/**< a System V segment with a box a direction, and a set of 4 semaphores */
	MECH_RING,	/**< a shared mapping with a ring buffer a direction, polled */
	MECH_COUNT
};

/** How many bytes a System V message (MECH_MSGQ) or a box (MECH_SHM) holds at most. */
#define LINK_CHUNK 4096

/** One direction's box in a MECH_SHM segment. */
struct link_box {
	uint32_t len;			/**< how many bytes of data the sender put in */
	unsigned char data[LINK_CHUNK];	/**< the bytes */
};

/** How many bytes a MECH_RING direction's ring holds. */
#define LINK_RING_BYTES (64 * 1024)

/**
 * One direction of a MECH_RING link: a ring of bytes with one sender and
 * one receiver. head and tail count bytes since the link was made, and
 * never wrap; each sits on a cache line of its own, so that the two sides
 * do not take the same line from each other with every store.
 */
struct link_ring {
	_Alignas(64) _Atomic uint64_t head;	/**< bytes the receiver has taken out */
	_Alignas(64) _Atomic uint64_t tail;	/**< bytes the sender has put in */
	_Alignas(64) unsigned char data[LINK_RING_BYTES]; /**< byte i at data[i % LINK_RING_BYTES] */
};

/** A MECH_MSGQ message: direction d's messages have mtype d + 1. */
struct link_msg {
	long mtype;			/**< 1 (side 0 to side 1) or 2 (side 1 to side 0) */
	unsigned char data[LINK_CHUNK];	/**< the bytes (msgsz says how many) */
};

/**
 * Both ends of a link between two processes, side 0 and side 1. Direction
 * 0 carries what side 0 sends to side 1; direction 1 the way back. A
 * process that has called link_side() keeps only its own side's ends.
 *
 * What each mechanism uses, and how a message of len bytes travels
 * (the tests' own code is the other side, so this is exact):
 * - MECH_PIPE: fd[d][0] and fd[d][1] are the read and write ends of
 *   direction d's pipe; the message is its len bytes, in order.
 * - MECH_FIFO: the same with two FIFOs, dir/fifo0 and dir/fifo1 (mode
 *   0600) for directions 0 and 1, each end opened with open(2).
 * - MECH_UNIX: fd[0][0] is side 0's socket and fd[1][0] side 1's, the two
 *   ends of socketpair(AF_UNIX, SOCK_STREAM); fd[0][1] and fd[1][1] are
 *   -1. The message is its len bytes.
 * - MECH_MSGQ: msqid is a private queue (mode 0600); the message goes as
 *   System V messages of mtype d + 1, each LINK_CHUNK bytes but the last
 *   (len 0 sends nothing).
 * - MECH_SHM: shmid is a private segment (mode 0600) holding struct
 *   link_box box[2], one a direction, attached at box; semid is a private
 *   set of 4 semaphores (mode 0600): semaphore 2d counts the boxes
 *   direction d has full (it starts at 0), semaphore 2d + 1 the boxes it
 *   has empty (it starts at 1). A sender takes 1 from "empty", writes up to
 *   LINK_CHUNK bytes and their count in len, and adds 1 to "full"; the
 *   receiver takes 1 from "full", copies the bytes out and adds 1 to
 *   "empty": chunks of LINK_CHUNK bytes but the last, as for MECH_MSGQ.
 * - MECH_RING: ring is a MAP_SHARED | MAP_ANONYMOUS mapping of struct
 *   link_ring ring[2], one a direction, all zero at first (empty). A
 *   sender waits while tail - head == LINK_RING_BYTES (full), copies as
 *   many bytes as there is room for to data[tail % LINK_RING_BYTES] on
 *   (wrapping round), and then stores the new tail with
 *   memory_order_release; the receiver waits while head == tail (empty),
 *   copies out up to what is there, and then stores the new head with
 *   memory_order_release. Each loads the other's index with
 *   memory_order_acquire. Waiting is polling: load the index again (a
 *   CPU pause or sched_yield() between loads is allowed); it never sleeps
 *   in the kernel, so a signal does not end it, and a receiver whose
 *   sender has gone waits for good.
 * Fields a mechanism does not use are -1 (descriptors, ids) or NULL.
 */
struct link {
	enum mech mech;		/**< what the link is made of */
	int side;		/**< -1 until link_side(); then 0 or 1 */
	int fd[2][2];		/**< descriptors, as above */
	int msqid;		/**< MECH_MSGQ: the queue */
	int shmid;		/**< MECH_SHM: the segment */
	int semid;		/**< MECH_SHM: the semaphores */
	struct link_box *box;	/**< MECH_SHM: the segment, attached (box[0], box[1]) */
	struct link_ring *ring;	/**< MECH_RING: the mapping (ring[0], ring[1]) */
	char dir[128];		/**< MECH_FIFO: where fifo0 and fifo1 are */
};

/**
 * @brief Makes a link of mechanism @p m, both sides of it, in this
 *        process: a process then forks, and each calls link_side().
 *
 * For MECH_FIFO, @p dir is an existing directory where the two FIFOs are
 * made (an existing fifo0 or fifo1 there is an error, EEXIST); the
 * function opens all four ends itself without blocking and leaves them
 * blocking, as a pipe's are. For the other mechanisms @p dir is not used
 * (it may be NULL).
 * System V objects are made at IPC_PRIVATE, mode 0600. On failure nothing
 * is left: no descriptor, no FIFO, no System V object.
 *
 * @param l   the link, filled as struct link says, with side -1
 * @param m   the mechanism
 * @param dir MECH_FIFO's directory (at most 100 bytes long)
 * @return 0, or -1 (EINVAL: @p m is not a mechanism, or @p dir is NULL
 *         or too long for MECH_FIFO; or the system call's errno).
 */
int link_open(struct link *l, enum mech m, const char *dir);

/**
 * @brief After the fork: makes this process side @p side of the link,
 *        closing the descriptors of the other side's ends.
 *
 * Side 0 keeps the write end of direction 0 and the read end of direction
 * 1; side 1 the other two (MECH_UNIX: its own socket). Descriptors it
 * closes are set to -1. The System V objects, the segment's attachment
 * and the rings' mapping stay (both sides use them).
 *
 * @param l    the link, as link_open() made it (and fork copied it)
 * @param side 0 or 1
 * @return 0, or -1 (EINVAL: @p side is not 0 or 1, or link_side() was
 *         already called).
 */
int link_side(struct link *l, int side);

/**
 * @brief Sends a message of @p len bytes to the other side.
 *
 * Returns once every byte has been handed over: written to the pipe, FIFO
 * or socket, queued, or put in the box or the ring and announced. It
 * waits while the pipe, socket, queue, box or ring is full, and a write that moves fewer bytes
 * than asked goes on with the rest.
 *
 * @param l   the link, after link_side()
 * @param buf the bytes
 * @param len how many (0 sends nothing)
 * @return 0, or -1 (EINVAL: link_side() not called; EPIPE: the other side
 *         has closed, where SIGPIPE is ignored or caught; or the system
 *         call's errno).
 */
int link_send(struct link *l, const void *buf, size_t len);

/**
 * @brief Receives a message of exactly @p len bytes from the other side.
 *
 * Waits until all @p len bytes have arrived, however the other side's
 * writes split them.
 *
 * @param l   the link, after link_side()
 * @param buf room for @p len bytes
 * @param len how many bytes the message has
 * @return 0, or -1 (EINVAL: link_side() not called; EPIPE: the other side
 *         closed before @p len bytes came; EPROTO: a System V message or a
 *         box held more bytes than were left of the message; or the
 *         system call's errno).
 */
int link_recv(struct link *l, void *buf, size_t len);

/**
 * @brief Closes what this process holds of the link; @p remove also
 *        removes its named and System V objects.
 *
 * Closes every descriptor of the link that is open, detaches the segment
 * and unmaps the rings. With @p remove nonzero it also unlinks the FIFOs and removes
 * the queue, the segment and the semaphores (IPC_RMID): the last process
 * to finish with a link (or the one that made it, after the other side has
 * finished) removes it. Every field it released is set to -1 (box and
 * ring to NULL). Goes on after a failure and reports the first.
 *
 * @param l      the link
 * @param remove nonzero: also remove the FIFOs and System V objects
 * @return 0, or -1 (the first failing call's errno).
 */
int link_close(struct link *l, int remove);

/* ---- §3.3 Round trips ---------------------------------------------------- */

/**
 * @brief Side 0 of a ping-pong: @p warmup + @p rounds round trips of
 *        @p len bytes, the last @p rounds of them timed.
 *
 * A round trip sends @p len bytes of @p buf with link_send() and receives
 * @p len bytes back with link_recv() into @p buf. ns[i] is the time of the
 * i-th timed round trip (the (warmup + i)-th in all, counting from 0): from
 * just before its send to just after its receive, by now_ns(). Warm-up
 * round trips are made the same way and not timed.
 *
 * @param l      the link, side 0
 * @param len    the message's bytes
 * @param warmup round trips made first, not timed
 * @param rounds round trips timed
 * @param buf @p len bytes to send (what comes back replaces them)
 * @param ns  room for @p rounds timings
 * @return 0, or -1 (link_send's or link_recv's errno).
 */
int ping(struct link *l, void *buf, size_t len, size_t warmup, size_t rounds, uint64_t *ns);

/**
 * @brief Side 1 of a ping-pong: receives @p len bytes and sends the same
 *        bytes back, @p count times.
 *
 * @param l     the link, side 1
 * @param len   the message's bytes
 * @param count how many messages (side 0's warmup + rounds)
 * @param buf room for @p len bytes
 * @return 0, or -1 (link_send's or link_recv's errno).
 */
int pong(struct link *l, void *buf, size_t len, size_t count);

/* ---- §3.4 Bulk transfer ------------------------------------------------- */

/**
 * @brief The sending side of a bulk transfer: @p count messages of
 *        @p len bytes of @p buf, then waits for the receiver's 1-byte
 *        acknowledgement.
 *
 * On success *ns is the time from just before the first send to just
 * after the acknowledgement came (by now_ns()): the time to move
 * len * count bytes into the other process, all received.
 *
 * @param l     the link, side 0
 * @param buf   the message, @p len bytes
 * @param len   the message's bytes
 * @param count how many messages
 * @param ns    set to the time it took, in nanoseconds
 * @return 0, or -1 (link_send's or link_recv's errno; EPROTO: the
 *         acknowledgement is not the byte 'A').
 */
int bulk_send(struct link *l, const void *buf, size_t len, size_t count, uint64_t *ns);

/**
 * @brief The receiving side of a bulk transfer: receives @p count messages
 *        of @p len bytes into @p buf, then sends the 1-byte acknowledgement
 *        'A'.
 *
 * @param l     the link, side 1
 * @param buf   room for @p len bytes (each message overwrites the last)
 * @param len   the message's bytes
 * @param count how many messages
 * @return 0, or -1 (link_send's or link_recv's errno).
 */
int bulk_recv(struct link *l, void *buf, size_t len, size_t count);

/* ---- Given: the clock, CPUs, the machine and the CSV (harness.c) -------- */

/**
 * @brief The time by CLOCK_MONOTONIC.
 * @return now, in nanoseconds
 */
uint64_t now_ns(void);

/**
 * @brief Measures the clock's resolution.
 * @return the smallest step CLOCK_MONOTONIC is seen to take, in nanoseconds
 */
uint64_t clock_step_ns(void);

/**
 * @brief Runs this process (its calling thread) on CPU @p cpu only.
 * @param cpu the CPU's number, from 0
 * @return 0, or -1 (sched_setaffinity's errno).
 */
int pin_to_cpu(int cpu);

/** What a run measures and where (run_suite()). */
struct suite {
	int cpu[2];		/**< side 0's and side 1's CPU; -1 leaves a side unpinned */
	size_t rounds;		/**< timed round trips a latency row */
	size_t bulk_bytes;	/**< bytes a throughput row moves */
	const char *dir;	/**< where MECH_FIFO makes its FIFOs */
};

/** The message sizes a run measures throughput at: 64 B, 1 KiB, 64 KiB and 1 MiB. */
#define SUITE_SIZES 4
/** The message sizes of the throughput rows, in bytes, in the CSV's order. */
extern const size_t suite_size[SUITE_SIZES];

/**
 * @brief Measures every mechanism and writes the results to @p csv.
 *
 * The CSV has a header line, then one line a result, with the columns
 * kind,name,bytes,count,min_ns,p50_ns,p99_ns,p999_ns,max_ns,mean_ns,gbps,cpus,machine:
 * - kind "calibration" first: name "clock" (the clock's step, in min_ns),
 *   "syscall" (a null system call), "memcpy" (1 MiB blocks, in gbps) and
 *   "line" (a cache line's round trip between the two CPUs);
 * - then kind "latency", a row a mechanism: @p plan->rounds timed round
 *   trips of 8 bytes, after as many warm-up ones;
 * - then kind "throughput", a row a mechanism and size of suite_size[]:
 *   @p plan->bulk_bytes bytes (at least one message), after a quarter as many
 *   moved untimed, as gbps, 10^9 bytes
 *   a second.
 * cpus is where side 0 and side 1 ran ("0/1", or "any"); machine is the
 * same on every row, the fingerprint: CPU model, CPUs online, kernel
 * release and whether it runs under a hypervisor, separated by ";".
 * Columns a row does not measure are empty. Each latency and throughput
 * row is measured on a link of its own, made for it and removed after it
 * (a fifo row's FIFOs in @p plan->dir), between this process, side 0, and
 * a child it forks, side 1.
 *
 * @param csv  where the CSV goes
 * @param plan what to measure, and where
 * @return 0, or -1 (the first failure's errno; the rows before it are written).
 */
int run_suite(FILE *csv, const struct suite *plan);

/**
 * @brief A mechanism's name, as the CSV and the tests' messages show it.
 * @param m the mechanism
 * @return "pipe", "fifo", "unix", "msgq", "shm" or "ring" ("?" for no mechanism)
 */
const char *mech_name(enum mech m);

#endif
