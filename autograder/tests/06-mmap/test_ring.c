/*
 * test_ring.c - Lab 06's graded tests of §3.5 (a ring buffer between two
 * processes, without locks).
 *
 * The ring lives in /dev/shm/NAME, which the test makes; each process maps
 * it by name (a subject shares no page with the judge, see grader.h). The
 * first tests set a ring up by hand, call ring_push() or ring_pop() once
 * or a few times, and read head, tail and the slots back from the object
 * once the subject has ended. The last ones pass a million records and
 * more between two processes, the test's own code on one side or both
 * sides the graded code, and check each record for loss, duplication and
 * tearing.
 *
 * The last test runs the graded ring in two threads under ThreadSanitizer
 * (tsan/ring_race.c), which names the accesses that nothing orders: the
 * way to catch an index stored or loaded relaxed, which x86-64's CPU hides.
 *
 * Records are made from a key that the test draws after the consumer
 * started: each holds its sequence number, bytes drawn from the key and a
 * checksum, and the consumer's side sends back a digest of all it popped,
 * which the judge compares with its own. A consumer cannot make the digest
 * up without the records, nor reuse another run's.
 *
 * Handout: labs/06-mmap/README.md. Run one test: ipclab test 06 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "grader.h"
#include "mapped.h"
#include "mappings.h"
#include "ringrecords.h"

#define UNTOUCHED_BYTE 0xa5

/* ---- the ring, by name ---- */

/* Maps the ring /dev/shm/NAME; NULL when it cannot (errno). */
static struct ring *map_ring(const char *name)
{
	int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	void *addr;

	if (fd == -1)
		return NULL;
	addr = mmap(NULL, sizeof(struct ring), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return addr == MAP_FAILED ? NULL : addr;
}

/*
 * Makes a ring in a fresh /dev/shm name (in name, 32 bytes), as a process
 * would that gives it to a producer and a consumer, named for the timeout
 * diagnosis; returns the test's own mapping of it. head and tail start at
 * `start`, and each side's copy of the other's index says the same, as if
 * both had just looked; every slot holds UNTOUCHED_BYTE.
 */
static struct ring *make_ring(char *name, uint64_t start)
{
	struct ring *r;
	int fd;

	ag_shm_name(name, 32);
	fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	ag_setup(fd != -1 && ftruncate(fd, sizeof(struct ring)) == 0 && close(fd) == 0,
		 "shm_open");
	r = map_ring(name);
	ag_setup(r != NULL, "mmap");
	memset(r->slots, UNTOUCHED_BYTE, sizeof(r->slots));
	r->head = r->tail = r->head_seen = r->tail_seen = start;
	ag_name_ring(name, offsetof(struct ring, head), offsetof(struct ring, tail), RING_SLOTS,
		     "the ring");
	return r;
}

static void drop_ring(const char *name, struct ring *r)
{
	ag_setup(munmap(r, sizeof(*r)) == 0 && shm_unlink(name) == 0, "munmap");
}

/* What slot i % RING_SLOTS holds, copied out of the shared memory. */
static struct ring_slot slot_of(const struct ring *r, uint64_t i)
{
	struct ring_slot slot;

	memcpy(&slot, (const void *)&r->slots[i % RING_SLOTS], sizeof(slot));
	return slot;
}

/* What the test puts in a slot by hand, as a producer would. */
static void put_slot(struct ring *r, uint64_t i, const void *data, size_t len)
{
	r->slots[i % RING_SLOTS].len = (uint32_t)len;
	memcpy(r->slots[i % RING_SLOTS].data, data, len);
}

/* ---- a few calls, judged from the ring afterwards (in subjects) ---- */

#define FEW 5
static const size_t few_len[FEW] = {0, 1, 17, RECORD_MAX - 1, RECORD_MAX};

struct calls {
	long rc[FEW + 2];
	int err[FEW + 2];
	unsigned char out[FEW + 2][RECORD_MAX + 8];
};

/* A record as the tests hand it over: one byte more, for a push of RECORD_MAX + 1. */
typedef unsigned char record_bytes[RECORD_MAX + 1];

/* In a subject: pushes the n records of data, of the lengths in len. */
static int push_some(const char *name, const record_bytes *data,
		     const size_t *len, int n, struct calls *c)
{
	struct ring *r = map_ring(name);

	if (!r)
		return -1;
	for (int i = 0; i < n; i++) {
		errno = 0;
		c->rc[i] = ring_push(r, data[i], len[i]);
		c->err[i] = errno;
	}
	return munmap(r, sizeof(*r));
}

/* In a subject: n pops, each into a buffer of cap bytes full of UNTOUCHED_BYTE. */
static int pop_some(const char *name, int n, size_t cap, struct calls *c)
{
	struct ring *r = map_ring(name);

	if (!r)
		return -1;
	memset(c->out, UNTOUCHED_BYTE, sizeof(c->out));
	for (int i = 0; i < n; i++) {
		errno = 0;
		c->rc[i] = ring_pop(r, c->out[i], cap);
		c->err[i] = errno;
	}
	return munmap(r, sizeof(*r));
}

static void expect_index(const struct ring *r, bool tail, uint64_t want, const char *after)
{
	uint64_t got = tail ? r->tail : r->head;

	expect(got == want, "after %s, %s is %llu: expected %llu", after, tail ? "tail" : "head",
	       (unsigned long long)got, (unsigned long long)want);
}

/* Ring indexes close to a multiple of RING_SLOTS, so that the records wrap round. */
#define NEAR_WRAP(laps, before) ((uint64_t)(laps) * RING_SLOTS - (before))

GRADED_TEST(mmap, ring_push_fills_slots_in_order, .task = "3.5", .points = 3,
	    .desc = "ring_push() puts each record, its len and bytes, in slot tail % RING_SLOTS "
		    "and adds 1 to tail; records of 0 to RECORD_MAX bytes; a longer one fails "
		    "with EINVAL and changes nothing",
	    .hint = "Handout 3.5: fill slot tail % RING_SLOTS first, len and data, and only then "
		    "store tail + 1.")
{
	record_bytes data[FEW + 1];
	size_t len[FEW + 1];
	uint64_t start = NEAR_WRAP(7, 2);
	struct ag_snapshot before;
	struct calls c = {0};
	char name[32];
	struct ring *r = make_ring(name, start);
	int rc;

	random_bytes(data, sizeof(data));
	memcpy(len, few_len, sizeof(few_len));
	len[FEW] = RECORD_MAX + 1;
	ag_snapshot_take(&before);
	rc = SUBJECT(push_some(name, data, len, FEW + 1, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	for (int i = 0; i < FEW; i++) {
		struct ring_slot slot = slot_of(r, start + i);

		expect(c.rc[i] == 0, "ring_push() of record %d (%zu bytes) onto a ring with room: "
		       "expected 0, got %s", i, len[i], result_text(c.rc[i], c.err[i]));
		expect(slot.len == len[i] && first_difference(slot.data, data[i], len[i]) == -1,
		       "record %d (%zu bytes) pushed at tail %llu is not in slot %llu: it holds len "
		       "%u%s", i, len[i], (unsigned long long)(start + i),
		       (unsigned long long)((start + i) % RING_SLOTS), slot.len,
		       slot.len == len[i] ? " and other bytes" : "");
	}
	expect(c.rc[FEW] == -1 && c.err[FEW] == EINVAL, "ring_push() of %d bytes (RECORD_MAX + 1): "
	       "expected -1 with errno EINVAL, got %s", RECORD_MAX + 1,
	       result_text(c.rc[FEW], c.err[FEW]));
	expect_index(r, true, start + FEW, "5 pushes and one of RECORD_MAX + 1 bytes");
	expect_index(r, false, start, "pushes only");
	expect(slot_of(r, start + FEW).len == 0xa5a5a5a5u,
	       "ring_push() of RECORD_MAX + 1 bytes failed but wrote slot %llu: change nothing",
	       (unsigned long long)((start + FEW) % RING_SLOTS));
	expect_no_leaks(&before, "ring_push returned");
	drop_ring(name, r);
}

GRADED_TEST(mmap, ring_push_waits_for_room, .task = "3.5", .points = 3,
	    .desc = "ring_push() onto a ring holding RING_SLOTS records fails with EAGAIN and "
		    "changes nothing; once the consumer has moved head on, the same push succeeds",
	    .hint = "Handout 3.5: the ring is full when tail - head == RING_SLOTS; read head "
		    "(acquire) again before you call it full.")
{
	record_bytes data[2];
	size_t len[2] = {RECORD_MAX, 9};
	uint64_t start = NEAR_WRAP(3, 0) + 5;
	struct ag_snapshot before;
	struct ring_slot oldest;
	struct calls c = {0};
	char name[32];
	struct ring *r = make_ring(name, start);
	int rc;

	random_bytes(data, sizeof(data));
	r->tail = r->tail_seen = start + RING_SLOTS - 1;	/* room for one record */
	oldest = slot_of(r, start);
	ag_snapshot_take(&before);
	rc = SUBJECT(push_some(name, data, len, 2, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	expect(c.rc[0] == 0, "ring_push() onto a ring with room for one record: expected 0, got %s",
	       result_text(c.rc[0], c.err[0]));
	expect(c.rc[1] == -1 && c.err[1] == EAGAIN, "ring_push() onto a ring holding RING_SLOTS "
	       "records (tail - head == %d): expected -1 with errno EAGAIN, got %s", RING_SLOTS,
	       result_text(c.rc[1], c.err[1]));
	expect_index(r, true, start + RING_SLOTS, "a push that filled the ring and one that found "
		     "it full");
	expect(memcmp(&oldest, (const void *)&r->slots[start % RING_SLOTS], sizeof(oldest)) == 0,
	       "ring_push() onto a full ring overwrote slot %llu, the oldest record, which the "
	       "consumer has not read yet", (unsigned long long)(start % RING_SLOTS));

	atomic_store(&r->head, start + 1);	/* the consumer popped one; head_seen is old */
	rc = SUBJECT(push_some(name, data + 1, len + 1, 1, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	expect(c.rc[0] == 0, "ring_push() after the consumer popped a record from the full ring "
	       "(head %llu, tail %llu): expected 0, got %s: read head again", (unsigned long long)
	       (start + 1), (unsigned long long)(start + RING_SLOTS),
	       result_text(c.rc[0], c.err[0]));
	expect(slot_of(r, start).len == len[1] &&
	       first_difference(slot_of(r, start).data, data[1], len[1]) == -1,
	       "the record pushed once there was room is not in slot %llu",
	       (unsigned long long)(start % RING_SLOTS));
	expect_index(r, true, start + RING_SLOTS + 1, "the push into the freed slot");
	expect_no_leaks(&before, "ring_push returned");
	drop_ring(name, r);
}

GRADED_TEST(mmap, ring_pop_returns_records_in_order, .task = "3.5", .points = 3,
	    .desc = "ring_pop() returns the records oldest first, with their lengths (0 to "
		    "RECORD_MAX), and adds 1 to head each; on an empty ring it fails with EAGAIN, "
		    "and it returns a record pushed after that",
	    .hint = "Handout 3.5: the ring is empty when head == tail; read tail (acquire) "
		    "again before you call it empty.")
{
	unsigned char data[FEW + 1][RECORD_MAX];
	uint64_t start = NEAR_WRAP(9, 3);
	struct ag_snapshot before;
	struct calls c = {0};
	char name[32];
	struct ring *r = make_ring(name, start);
	int rc;

	random_bytes(data, sizeof(data));
	for (int i = 0; i < FEW; i++)
		put_slot(r, start + i, data[i], few_len[i]);
	r->tail = start + FEW;	/* tail_seen is the consumer's, still start */
	ag_snapshot_take(&before);
	rc = SUBJECT(pop_some(name, FEW + 1, RECORD_MAX, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	for (int i = 0; i < FEW; i++) {
		expect(c.rc[i] == (long)few_len[i], "pop %d of a ring holding %d records: expected "
		       "%zu (the record's len), got %s", i + 1, FEW, few_len[i],
		       result_text(c.rc[i], c.err[i]));
		expect(first_difference(c.out[i], data[i], few_len[i]) == -1, "pop %d returned "
		       "%zu bytes, not those of record %d (slot %llu): pop the oldest first", i + 1,
		       few_len[i], i, (unsigned long long)((start + i) % RING_SLOTS));
	}
	expect(c.rc[FEW] == -1 && c.err[FEW] == EAGAIN, "ring_pop() of an empty ring (head == tail):"
	       " expected -1 with errno EAGAIN, got %s", result_text(c.rc[FEW], c.err[FEW]));
	expect(first_not(c.out[FEW], 0, sizeof(c.out[FEW]), UNTOUCHED_BYTE) == -1, "ring_pop() of "
	       "an empty ring wrote into buf: write nothing there when it fails");
	expect_index(r, false, start + FEW, "5 pops and one of an empty ring");

	put_slot(r, start + FEW, data[FEW], 33);	/* a producer pushes one more */
	atomic_store(&r->tail, start + FEW + 1);
	rc = SUBJECT(pop_some(name, 1, RECORD_MAX, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	expect(c.rc[0] == 33 && first_difference(c.out[0], data[FEW], 33) == -1, "ring_pop() after "
	       "the producer pushed a record of 33 bytes onto the ring it had found empty: expected "
	       "33 and the record, got %s: read tail again", result_text(c.rc[0], c.err[0]));
	expect_index(r, false, start + FEW + 1, "the pop of the new record");
	expect_no_leaks(&before, "ring_pop returned");
	drop_ring(name, r);
}

GRADED_TEST(mmap, ring_pop_keeps_a_record_too_long, .task = "3.5", .points = 3,
	    .desc = "ring_pop() of a record longer than cap fails with EMSGSIZE, writes nothing "
		    "into buf and leaves the record; a pop with room enough returns it",
	    .hint = "Handout 3.5: compare the slot's len with cap before you copy anything or "
		    "move head.")
{
	unsigned char data[RECORD_MAX];
	uint64_t start = 12345;
	struct ag_snapshot before;
	struct calls c = {0};
	char name[32];
	struct ring *r = make_ring(name, start);
	int rc;

	random_bytes(data, sizeof(data));
	put_slot(r, start, data, 40);
	r->tail = start + 1;
	ag_snapshot_take(&before);
	rc = SUBJECT(pop_some(name, 1, 39, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	expect(c.rc[0] == -1 && c.err[0] == EMSGSIZE, "ring_pop(r, buf, 39) of a record of 40 "
	       "bytes: expected -1 with errno EMSGSIZE, got %s", result_text(c.rc[0], c.err[0]));
	expect(first_not(c.out[0], 0, sizeof(c.out[0]), UNTOUCHED_BYTE) == -1, "ring_pop(r, buf, "
	       "39) of a record of 40 bytes wrote into buf: write nothing there when it fails");
	expect_index(r, false, start, "a pop that failed with EMSGSIZE");
	rc = SUBJECT(pop_some(name, 1, 40, &c), OUT(c));
	ag_setup(rc == 0, "map the ring in the subject");
	expect(c.rc[0] == 40 && first_difference(c.out[0], data, 40) == -1, "ring_pop(r, buf, 40) "
	       "of the record that did not fit in 39 bytes: expected 40 and the record, got %s",
	       result_text(c.rc[0], c.err[0]));
	expect_index(r, false, start + 1, "the pop with room enough");
	expect_no_leaks(&before, "ring_pop returned");
	drop_ring(name, r);
}

/* ---- a million records and more between two processes ---- */

/* True once the other side's end of the pipe fd is closed or has written. */
static bool peer_done(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) == 1;
}

/*
 * A side that finds the ring empty (or full) tries again at once, SPINS
 * times, before it gives its CPU away: a consumer that looks again within
 * a few nanoseconds of the producer's tail store is the one that catches a
 * slot published before it was written. Returns true once the other side
 * is done, looking every 64 yields.
 */
#define SPINS 256

static bool wait_a_little(int done_fd, unsigned spins)
{
	sched_yield();
	return spins % (64 * SPINS) == 0 && peer_done(done_fd);
}

/*
 * A pause of a few hundred nanoseconds after each record, on the side the
 * test wants slower: a paced consumer keeps the ring full, so that the
 * producer waits for each slot it gives back; a paced producer keeps it
 * empty, so that the consumer waits for each record.
 */
static void pace(bool slow)
{
	for (volatile int i = 0; slow && i < 200; i++)
		continue;
}

/* What a consumer saw, the graded code's or the test's own. */
struct tally {
	uint64_t popped;
	uint64_t digest;
	int64_t first_bad;	/* the first record with a fault; -1: none */
	char fault[160];	/* what was wrong with it */
	int err;		/* errno of a pop that failed other than EAGAIN; 0: none */
};

/*
 * The consumer's loop, around pop (the graded ring_pop() or the test's
 * own): pops up to n records, checking each, until the producer's end of
 * done_fd is closed and the ring is empty.
 */
static void consume_with(ssize_t (*pop)(struct ring *, void *, size_t), struct ring *r,
			 uint64_t n, int done_fd, bool slow, struct tally *t)
{
	unsigned char buf[RECORD_MAX];
	bool last_look = false;

	*t = (struct tally){.digest = SUM_START, .first_bad = -1};
	for (unsigned spins = 0; t->popped < n;) {
		ssize_t len = pop(r, buf, sizeof(buf));
		const char *fault;

		if (len >= 0) {
			fault = record_fault(buf, len, t->popped);
			if (fault && t->first_bad == -1) {
				t->first_bad = (int64_t)t->popped;
				snprintf(t->fault, sizeof(t->fault), "%s", fault);
			}
			t->digest = digest_add(t->digest, buf, len);
			t->popped++;
			pace(slow);
			continue;
		}
		if (errno != EAGAIN) {
			t->err = errno;
			return;
		}
		if (last_look)
			return;
		if (++spins % SPINS == 0)
			last_look = wait_a_little(done_fd, spins);
	}
}

/* The producer's loop: pushes records 0 to n - 1 of key, until the consumer's side is done. */
static int produce_with(int (*push)(struct ring *, const void *, size_t), struct ring *r,
			uint64_t n, uint64_t key, int done_fd, bool slow)
{
	unsigned char buf[RECORD_MAX];

	for (uint64_t seq = 0; seq < n; seq++) {
		size_t len = make_record(key, seq, buf);

		for (unsigned spins = 0; push(r, buf, len) == -1;) {
			if (errno != EAGAIN)
				return -1;
			if (++spins % SPINS == 0 && wait_a_little(done_fd, spins)) {
				errno = EPIPE;
				return -1;
			}
		}
		pace(slow);
	}
	return 0;
}

/*
 * The test's own ring, stage 2 of the handout: what the graded side works
 * with. Both sides are correct and built to expose a graded side that is
 * not: the producer writes a slot from its last cache line back to its
 * first, so that a consumer still copying the slot it gave back meets the
 * new record in its last lines; the consumer reads the record's len, then
 * its bytes from the last line back, so that it meets a slot published
 * before it was written in the lines written last.
 */
static int test_push(struct ring *r, const void *data, size_t len)
{
	uint64_t at = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct ring_slot *s = &r->slots[at % RING_SLOTS];

	if (at - atomic_load_explicit(&r->head, memory_order_acquire) >= RING_SLOTS) {
		errno = EAGAIN;
		return -1;
	}
	/* data's 64-byte pieces, the last first; then len, in the first line */
	for (size_t start = len / RING_LINE * RING_LINE, end = len;; end = start, start -= RING_LINE) {
		memcpy(s->data + start, (const unsigned char *)data + start, end - start);
		if (start == 0)
			break;
	}
	s->len = (uint32_t)len;
	atomic_store_explicit(&r->tail, at + 1, memory_order_release);
	return 0;
}

static ssize_t test_pop(struct ring *r, void *buf, size_t cap)
{
	uint64_t at = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct ring_slot *s = &r->slots[at % RING_SLOTS];
	uint32_t len;

	if (atomic_load_explicit(&r->tail, memory_order_acquire) <= at) {
		errno = EAGAIN;
		return -1;
	}
	len = s->len;	/* the graded producer wrote it: never more than buf holds */
	len = len > cap ? (uint32_t)cap : len;
	for (size_t end = len; end > 0; end--)
		((unsigned char *)buf)[end - 1] = s->data[end - 1];
	atomic_store_explicit(&r->head, at + 1, memory_order_release);
	return len;
}

/* In a subject: the graded consumer, over the ring by name. */
static int consume(const char *name, uint64_t n, int done_fd, bool slow, struct tally *t)
{
	struct ring *r = map_ring(name);

	if (!r)
		return -1;
	consume_with(ring_pop, r, n, done_fd, slow, t);
	return munmap(r, sizeof(*r));
}

/* In a subject: the graded producer. 0, or -1 (a push's errno, or EPIPE: the consumer ended). */
static int produce(const char *name, uint64_t n, uint64_t key, int done_fd, bool slow)
{
	struct ring *r = map_ring(name);
	int rc;

	if (!r)
		return -1;
	rc = produce_with(ring_push, r, n, key, done_fd, slow);
	munmap(r, sizeof(*r));
	return rc;
}

/* One run: who pushes, who pops, how many records, and the pipes between them. */
struct run {
	char name[32];
	struct ring *r;
	uint64_t n, key;
	int producer_done[2];	/* the producer's side holds [1]: EOF when it is done */
	int report[2];		/* the consumer's side sends its tally on it */
	bool slow_consumer;	/* the graded consumer pauses after each record */
	pid_t consumer;
	struct tally tally;
};

static void start_run(struct run *run, uint64_t n)
{
	*run = (struct run){.n = n};
	run->r = make_ring(run->name, 0);
	ag_setup(pipe2(run->producer_done, O_CLOEXEC) == 0 && pipe2(run->report, O_CLOEXEC) == 0,
		 "pipe");
}

/*
 * Forks the consumer's side: the graded ring_pop() in a subject, or the
 * test's own (which knows the key, so it checks each record whole).
 */
static void start_consumer(struct run *run, bool graded)
{
	run->consumer = ag_fork();
	ag_setup(run->consumer != -1, "fork");
	if (run->consumer == 0) {
		struct tally t;
		int rc = 0;

		close(run->producer_done[1]);
		close(run->report[0]);
		if (graded)
			rc = SUBJECT(consume(run->name, run->n, run->producer_done[0],
					     run->slow_consumer, &t), OUT(t));
		else
			consume_with(test_pop, run->r, run->n, run->producer_done[0], false, &t);
		_exit(rc == 0 && write(run->report[1], &t, sizeof(t)) == sizeof(t) ? 0 : 1);
	}
	close(run->producer_done[0]);
	close(run->report[1]);
}

/* Ends the run once the producer is done: the consumer's tally, or the test fails. */
static void end_run(struct run *run, const char *who)
{
	close(run->producer_done[1]);
	expect(read(run->report[0], &run->tally, sizeof(run->tally)) == sizeof(run->tally) &&
	       ag_wait_exit(run->consumer) == 0, "%s did not finish: it could not map the ring "
	       "or it crashed", who);
	close(run->report[0]);
}

/* What the producer's failure says, when a push failed other than with EAGAIN. */
static const char *push_failure(int err)
{
	static char text[160];

	snprintf(text, sizeof(text), "ring_push() of a record of at most RECORD_MAX bytes failed "
		 "with errno %s: expected 0, or -1 with EAGAIN while the ring is full", errname(err));
	return text;
}

/* The key of a run, drawn once the consumer has started: it cannot know it beforehand. */
static uint64_t draw_key(void)
{
	uint64_t key;

	random_bytes(&key, sizeof(key));
	return key;
}

/* Judges a whole run from the consumer's tally and the ring's indexes. */
static void expect_every_record(const struct run *run, const char *pusher, const char *popper)
{
	unsigned char buf[RECORD_MAX];
	uint64_t digest = SUM_START;
	const struct tally *t = &run->tally;

	for (uint64_t seq = 0; seq < run->n; seq++)
		digest = digest_add(digest, buf, (long)make_record(run->key, seq, buf));
	expect(t->first_bad == -1, "%s pushed %llu records of 12 to 60 bytes and %s popped them; "
	       "record %lld as popped %s", pusher, (unsigned long long)run->n, popper,
	       (long long)t->first_bad, t->fault);
	expect(t->err == 0, "%s failed with errno %s after %llu records, %s pushing them", popper,
	       errname(t->err), (unsigned long long)t->popped, pusher);
	expect(t->popped == run->n, "%s pushed %llu records; %s popped only %llu and then found "
	       "the ring empty, with the producer done: records were lost", pusher,
	       (unsigned long long)run->n, popper, (unsigned long long)t->popped);
	expect(t->digest == digest, "%s pushed %llu records and %s popped as many, in order, each "
	       "one whole; but their bytes are not those pushed", pusher,
	       (unsigned long long)run->n, popper);
	expect(run->r->head == run->n && run->r->tail == run->n, "after %llu records pushed and "
	       "popped, head is %llu and tail %llu: expected both %llu", (unsigned long long)run->n,
	       (unsigned long long)run->r->head, (unsigned long long)run->r->tail,
	       (unsigned long long)run->n);
}

#define RUN_RECORDS 1000000

GRADED_TEST(mmap, ring_pop_keeps_up_with_a_producer, .task = "3.5", .points = 3, .deadline = 30,
	    .desc = "ring_pop() in one process gets the million records that another pushes "
		    "as fast as it can, in order, none lost, repeated or torn",
	    .hint = "Handout 3.5: load tail with memory_order_acquire before you read the slot, "
		    "and store head + 1 with memory_order_release only once you have copied it.")
{
	struct run run;

	start_run(&run, RUN_RECORDS);
	run.slow_consumer = true;	/* the ring stays full: each slot given back is taken at once */
	start_consumer(&run, true);
	run.key = draw_key();
	expect(produce_with(test_push, run.r, run.n, run.key, run.report[0], false) == 0, "the graded "
	       "consumer ended before the test's producer had pushed its %d records",
	       RUN_RECORDS);
	end_run(&run, "the graded consumer");
	expect_every_record(&run, "the test's producer", "ring_pop()");
	drop_ring(run.name, run.r);
}

GRADED_TEST(mmap, ring_push_feeds_a_consumer, .task = "3.5", .points = 3, .deadline = 30,
	    .desc = "what ring_push() in one process pushes, a million records as fast as it can, "
		    "another process pops in order, none lost, repeated or torn",
	    .hint = "Handout 3.5: write the slot's len and data first, then store tail + 1 with "
		    "memory_order_release; load head with memory_order_acquire.")
{
	struct ag_snapshot before;
	struct run run;
	int rc;

	start_run(&run, RUN_RECORDS);
	run.key = draw_key();	/* the test's consumer may know it: it is the judge's */
	start_consumer(&run, false);
	ag_snapshot_take(&before);
	/* slow: the ring stays empty, and the consumer looks at each record as it comes */
	rc = SUBJECT(produce(run.name, run.n, run.key, run.report[0], true));
	expect(rc == 0, "%s", errno == EPIPE ? "the test's consumer ended before ring_push() "
	       "had pushed every record" : push_failure(errno));
	expect_no_leaks(&before, "a million ring_push() calls");
	end_run(&run, "the test's consumer");
	expect_every_record(&run, "ring_push()", "the test's consumer");
	drop_ring(run.name, run.r);
}

GRADED_TEST(mmap, ring_between_two_processes, .task = "3.5", .points = 3, .deadline = 30,
	    .desc = "ring_push() in one process and ring_pop() in another pass two million "
		    "records, in order, none lost, repeated or torn",
	    .hint = "Handout 3.5: acquire pairs with release: the producer's tail store with the "
		    "consumer's tail load, the consumer's head store with the producer's head load.")
{
	struct run run;
	int rc;

	start_run(&run, 2 * RUN_RECORDS);
	start_consumer(&run, true);
	run.key = draw_key();
	rc = SUBJECT(produce(run.name, run.n, run.key, run.report[0], false));
	expect(rc == 0, "%s", errno == EPIPE ? "ring_pop()'s process ended before ring_push() "
	       "had pushed every record" : push_failure(errno));
	end_run(&run, "the graded consumer");
	expect_every_record(&run, "ring_push()", "ring_pop()");
	drop_ring(run.name, run.r);
}

/* ---- no data race, under ThreadSanitizer ---- */

#define RACE_RECORDS 100000
#define RACE_PROGRAM "ring_race"	/* built beside the runner (build.c) */

/* What a run of ring_race said. */
struct race {
	int status;		/* its exit status, 128 + a signal, or -1: it could not run */
	uint64_t digest;	/* the digest it printed */
	char said[1024];	/* the start of its stderr */
};

/* Reads up to cap - 1 bytes of the scratch file path into buf, NUL-terminated. */
static void read_said(const char *path, char *buf, size_t cap)
{
	ssize_t n = read_back(path, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
}

/* In a subject: runs ring_race RACE_RECORDS KEY, with its stdout and stderr in scratch files. */
static int run_race(uint64_t key, struct race *out)
{
	char records[32], keytext[32], stdout_text[64];
	char *argv[] = {RACE_PROGRAM, records, keytext, NULL};

	*out = (struct race){.status = -1};
	snprintf(records, sizeof(records), "%d", RACE_RECORDS);
	snprintf(keytext, sizeof(keytext), "%llx", (unsigned long long)key);
	out->status = ag_run_sanitized(argv, "race.out", "race.err");
	if (out->status == -1)
		return -1;
	read_said("race.err", out->said, sizeof(out->said));
	read_said("race.out", stdout_text, sizeof(stdout_text));
	if (sscanf(stdout_text, "digest %" SCNx64, &out->digest) != 1)
		out->digest = 0;
	return 0;
}

/*
 * "FUNC (FILE:LINE)" of the first frame outside the sanitizer's own code
 * after the line of said that starts with what, as ThreadSanitizer prints
 * a stack ("    #2 ring_pop /path/mapped.c:316 (ring_race+0x2e85)").
 */
static const char *frame_after(const char *said, const char *what, char *buf, size_t cap)
{
	const char *p = strstr(said, what);
	char func[64], file[256];

	snprintf(buf, cap, "?");
	for (p = p ? strchr(p + 1, '\n') : NULL; p && strncmp(p, "\n    #", 6) == 0;
	     p = strchr(p + 1, '\n')) {
		const char *base;

		if (sscanf(p, " #%*d %63s %255s", func, file) != 2 || strstr(file, "libsanitizer"))
			continue;
		base = strrchr(file, '/');
		snprintf(buf, cap, "%s (%s)", func, base ? base + 1 : file);
		break;
	}
	return buf;
}

/* The race in plain words: "ring_pop (mapped.c:316) read ... ring_push (mapped.c:292) wrote". */
static const char *race_words(const char *said)
{
	static char words[400];
	char now[320], before[320];
	bool read_now = strstr(said, "\n  Read of size") || strstr(said, "\n  Atomic read");

	snprintf(words, sizeof(words), "%s %s bytes of a slot that %s %s, in the other thread, "
		 "and nothing orders the two", frame_after(said, read_now ? "\n  Read of" :
		 "\n  Write of", now, sizeof(now)), read_now ? "read" : "wrote",
		 frame_after(said, "\n  Previous ", before, sizeof(before)),
		 strstr(said, "\n  Previous read") ? "had read" : "had written");
	return words;
}

GRADED_TEST(mmap, ring_has_no_data_race, .task = "3.5", .points = 3, .deadline = 30,
	    .sanitized = RACE_PROGRAM,
	    .desc = "ring_push() and ring_pop() in two threads pass 100000 records under "
		    "ThreadSanitizer, which finds no data race: every slot is handed over by a "
		    "release store that an acquire load reads",
	    .hint = "Handout 3.5: store your own index with memory_order_release, load the "
		    "other side's with memory_order_acquire; relaxed orders nothing.")
{
	unsigned char buf[RECORD_MAX];
	uint64_t key = draw_key(), digest = SUM_START;
	struct race race;
	int rc;

	rc = SUBJECT(run_race(key, &race), OUT(race));
	ag_setup(rc == 0, "fork and wait for " RACE_PROGRAM);
	expect(race.status != 66 || !strstr(race.said, "ThreadSanitizer: data race"),
	       "ThreadSanitizer found a data race: %s. Without a release "
	       "store that an acquire load reads between them, the CPU and the compiler may "
	       "reorder the slot's bytes and the index", race_words(race.said));
	expect(race.status != 127, "the grader could not run " RACE_PROGRAM ", your ring built "
	       "with ThreadSanitizer: %.200s", race.said);
	expect(race.status == 0, RACE_PROGRAM " (ring_push and ring_pop in two threads) ended "
	       "with status %d: %.300s", race.status, race.said);
	for (uint64_t seq = 0; seq < RACE_RECORDS; seq++)
		digest = digest_add(digest, buf, (long)make_record(key, seq, buf));
	expect(race.digest == digest, RACE_PROGRAM " passed %d records between two threads "
	       "without a race, but not the records pushed", RACE_RECORDS);
}
