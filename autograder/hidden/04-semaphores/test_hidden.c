/*
 * test_hidden.c - hidden tests of Lab 04 (System V semaphores), 12 points on
 * top of the 100.
 *
 * Instructor-only: autograder/hidden/ is not in the student edition, and the
 * Makefile compiles this file with -DAG_HIDDEN_DEFAULT=1, so every test here
 * is "hidden" in results.json (students see only its points in their total).
 * Written like autograder/tests/04-semaphores/test_semaphores.c (graded code
 * runs only through SUBJECT(); the test reads the sets itself); see grader.h.
 * Where the visible tests call each function once, alone, these call it many
 * times, at once, under signals, or on a set that goes away.
 *
 * Handout: labs/04-semaphores/README.md. Run one test: ipclab test 04 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>

#include "grader.h"
#include "semaphores.h"
#include "../../tests/04-semaphores/semsets.h"

/* ---- §3.2 the initialisation race, for real ---- */

#define GETTERS 6
#define GET_ROUNDS 50

/* What a getter saw in one round: the id it got, and the set the moment it had it. */
struct got_set {
	int semid, err;
	long otime;
	int values[2];
};

/*
 * One round: a fresh key; a gate the getters wait at until the test closes
 * it; and a count of the getters through it, in memory they share.
 */
struct get_round {
	key_t key;
	int gate[2];
	int *through;
};

/*
 * In the subject: wait at the gate (EOF once the test closes it), then until
 * every getter is through, then semset_get. The second wait is a spin, so
 * that the getters running on different CPUs start at the same instant.
 */
static int get_after_gate(const struct get_round *round)
{
	static const unsigned short values[2] = {3, 5};
	char byte;

	if (read(round->gate[0], &byte, 1) != 0)
		return -2;
	__atomic_fetch_add(round->through, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(round->through, __ATOMIC_SEQ_CST) < GETTERS)
		sched_yield();
	return semset_get(round->key, 2, values, 2000);
}

/*
 * A getter, for every round in turn: its subject waits at the round's gate
 * and calls semset_get(); the getter looks at the set at once and reports.
 * One getter for all rounds: a sandbox has room for 16 judges in all.
 */
static pid_t start_getter(const struct get_round *rounds, int results)
{
	pid_t pid = ag_fork();

	ag_setup(pid != -1, "fork");
	if (pid != 0)
		return pid;
	for (int r = 0; r < GET_ROUNDS; r++)
		close(rounds[r].gate[1]);
	for (int r = 0; r < GET_ROUNDS; r++) {
		struct got_set got = {0};
		struct semid_ds ds;

		got.semid = SUBJECT(get_after_gate(&rounds[r]));
		got.err = errno;
		/* At once: had it returned before the set was initialised, this shows it. */
		if (got.semid >= 0 &&
		    semctl(got.semid, 0, IPC_STAT, (union semarg){.buf = &ds}) == 0) {
			got.otime = (long)ds.sem_otime;
			got.values[0] = semctl(got.semid, 0, GETVAL);
			got.values[1] = semctl(got.semid, 1, GETVAL);
		}
		if (write(results, &got, sizeof(got)) != (ssize_t)sizeof(got))
			_exit(1);
	}
	_exit(0);
}

/* The test checks one round: the getters' reports, then the set. */
static void check_round(int round, key_t key, const struct got_set *got)
{
	int semid = semget(key, 0, 0);

	expect(semid != -1, "round %d: after 6 semset_get() calls no set has the key", round);
	for (int g = 0; g < GETTERS; g++) {
		expect(got[g].semid == semid, "round %d: 6 processes called semset_get() on one "
		       "fresh key at once; one of them got %d (%s), expected the set's id %d",
		       round, got[g].semid, got[g].semid == -1 ? strerror(got[g].err) : "-", semid);
		expect(got[g].otime != 0, "round %d: a semset_get() returned while the set was "
		       "not initialised yet (sem_otime 0): it must wait for its creator", round);
	}
	expect(value_of(semid, 0) == 3 && value_of(semid, 1) == 5, "round %d: the set should "
	       "hold the values given, {3, 5}, got {%d, %d}", round, value_of(semid, 0),
	       value_of(semid, 1));
	drop_set(semid);
}

GRADED_TEST(semaphores, get_race_makes_one_set, .task = "3.2", .points = 4, .deadline = 8,
	    .desc = "6 processes call semset_get() on one fresh key at once, 50 times: one set, "
		    "its values as given, every caller gets its id once it is initialised",
	    .hint = "Handout 3.2: between \"no set yet\" and \"I create it\" another process can "
		    "create it; only IPC_CREAT | IPC_EXCL decides who the creator is, and EEXIST "
		    "means: open and wait.")
{
	struct get_round rounds[GET_ROUNDS];
	int *through = shared_pages(GET_ROUNDS * sizeof(int));
	pid_t getters[GETTERS];
	int results[2];

	for (int r = 0; r < GET_ROUNDS; r++) {
		rounds[r].key = ag_key();
		rounds[r].through = &through[r];
		ag_setup(pipe(rounds[r].gate) == 0, "pipe");
	}
	ag_setup(pipe(results) == 0, "pipe");
	for (int g = 0; g < GETTERS; g++)
		getters[g] = start_getter(rounds, results[1]);
	close(results[1]);
	for (int r = 0; r < GET_ROUNDS; r++) {
		struct got_set got[GETTERS];

		for (int g = 0; g < GETTERS; g++)
			ag_setup(ag_wait_blocked(getters[g]), "a getter did not reach the gate");
		close(rounds[r].gate[1]);	/* all six go */
		close(rounds[r].gate[0]);
		for (int g = 0; g < GETTERS; g++)
			ag_setup(read(results[0], &got[g], sizeof(got[g])) == (ssize_t)sizeof(got[g]),
				 "read a getter's report");
		check_round(r + 1, rounds[r].key, got);
	}
	for (int g = 0; g < GETTERS; g++)
		ag_setup(ag_wait_exit(getters[g]) == 0, "a getter could not report");
	close(results[0]);
}

/* ---- §3.4 several semaphores at once, both ways round ---- */

#define PAIR_ROUNDS 3000

struct pair_watch {
	int inside;	/* processes between take_pair() and give_pair() */
	int overlaps;	/* times one entered while the other was inside */
};

/* In the subject: take_pair(a, b), give_pair(a, b), PAIR_ROUNDS times. */
static int pairs(int semid, int a, int b, struct pair_watch *watch)
{
	for (int i = 0; i < PAIR_ROUNDS; i++) {
		if (take_pair(semid, a, b) != 0)
			return -1;
		if (__atomic_fetch_add(&watch->inside, 1, __ATOMIC_SEQ_CST) != 0)
			__atomic_fetch_add(&watch->overlaps, 1, __ATOMIC_SEQ_CST);
		__atomic_fetch_sub(&watch->inside, 1, __ATOMIC_SEQ_CST);
		if (give_pair(semid, a, b) != 0)
			return -1;
	}
	return 0;
}

GRADED_TEST(semaphores, take_pair_both_orders_never_deadlock, .task = "3.4",
	    .points = 3, .deadline = 5,
	    .desc = "two processes, one repeating take_pair(0, 1), the other take_pair(1, 0), "
		    "3000 times each with give_pair(): never both inside, never stuck",
	    .hint = "Handout 3.4: one semop(2) with both operations, whichever order the caller "
		    "names them in; nothing taken while waiting.")
{
	static const unsigned short ones[2] = {1, 1};
	static const int orders[2][2] = {{0, 1}, {1, 0}};
	struct pair_watch *watch = shared_pages(sizeof(*watch));
	int semid = new_set(2, ones, NULL);
	pid_t takers[2];

	for (int t = 0; t < 2; t++) {
		takers[t] = ag_fork();
		ag_setup(takers[t] != -1, "fork");
		if (takers[t] == 0) {
			int rc = SUBJECT(pairs(semid, orders[t][0], orders[t][1], watch));

			_exit(outcome(rc, errno));
		}
	}
	for (int t = 0; t < 2; t++) {
		int status = ag_wait_exit(takers[t]);

		expect(status == 0, "the process repeating take_pair(semid, %d, %d) and "
		       "give_pair(): it %s", orders[t][0], orders[t][1], outcome_text(status));
	}
	expect(watch->overlaps == 0, "take_pair() let both processes in at once %d times: "
	       "each must hold both semaphores (both start at 1)", watch->overlaps);
	expect(value_of(semid, 0) == 1 && value_of(semid, 1) == 1, "both processes took and "
	       "gave back 3000 times: expected both semaphores at 1, got %d and %d",
	       value_of(semid, 0), value_of(semid, 1));
	for (int i = 0; i < 2; i++)
		expect(semctl(semid, i, GETPID) != getpid(), "take_pair() and give_pair() "
		       "returned 0 6000 times, but no process operated on semaphore %d (GETPID "
		       "still names the test, which set it up)", i);
	drop_set(semid);
}

/* ---- §3.6 the ring under signals and removal ---- */

struct ring_ctx {
	int semid;
	struct ring *ring;
};

/* then() of an interrupted ring_put(): a consumer takes the oldest item. */
static void consume_one(void *arg)
{
	struct ring_ctx *ctx = arg;

	raw_op(ctx->semid, RING_USED, -1);
	ring_take(ctx->ring);
	raw_op(ctx->semid, RING_FREE, 1);
}

/* then() of an interrupted ring_get(): a producer puts item 77. */
static void produce_one(void *arg)
{
	struct ring_ctx *ctx = arg;

	fill_ring(ctx->semid, ctx->ring, 1, 77);
}

GRADED_TEST(semaphores, ring_waits_through_signals, .task = "3.6", .points = 3,
	    .desc = "ring_put() on a full ring and ring_get() on an empty one go on waiting when "
		    "signals interrupt them, and finish once they can",
	    .hint = "Handout 3.5 and 3.6: the wait for a slot or an item is a semop like any "
		    "other: EINTR means wait again.")
{
	struct ring_ctx ctx;
	long item = 0;
	int rc, err, signals;

	ctx.ring = new_ring(&ctx.semid);
	fill_ring(ctx.semid, ctx.ring, RING_SLOTS, 100);
	ag_interrupt_start(3, consume_one, &ctx);
	rc = SUBJECT(ring_put(ctx.semid, ctx.ring, 42));
	err = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0 && ag_interrupt_acted(), "%d signals interrupted ring_put() on a full "
	       "ring; expected it to go on waiting and return 0 once a consumer freed a slot, "
	       "got %d (%s)%s", signals, rc, rc == -1 ? strerror(err) : "-",
	       ag_interrupt_acted() ? "" : ", before any slot was freed");
	expect(ctx.ring->slot[0] == 42, "ring_put() returned 0, but slot 0 (the one freed) "
	       "holds %ld, not 42", ctx.ring->slot[0]);
	drop_set(ctx.semid);

	ctx.ring = new_ring(&ctx.semid);
	ag_interrupt_start(3, produce_one, &ctx);
	rc = SUBJECT(ring_get(ctx.semid, ctx.ring, &item), OUT(item));
	err = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0 && item == 77 && ag_interrupt_acted(), "%d signals interrupted "
	       "ring_get() on an empty ring; expected it to go on waiting and return item 77 "
	       "once it was put, got %d (%s), item %ld%s", signals, rc,
	       rc == -1 ? strerror(err) : "-", item,
	       ag_interrupt_acted() ? "" : ", before any item was put");
	drop_set(ctx.semid);
}

GRADED_TEST(semaphores, ring_waits_end_with_eidrm, .task = "3.6", .points = 2,
	    .desc = "ring_get() on an empty ring and ring_put() on a full one fail with EIDRM "
		    "when the set is removed while they wait",
	    .hint = "Handout 3.5 and 3.6: every wait of the ring can end with EIDRM; return -1 "
		    "at once, with that errno, and do not touch the ring.")
{
	for (int full = 0; full < 2; full++) {
		const char *name = full ? "ring_put() on a full ring" : "ring_get() on an empty ring";
		int semid, status;
		struct ring *ring = new_ring(&semid);
		pid_t waiter;
		long item = 0;

		if (full)
			fill_ring(semid, ring, RING_SLOTS, 100);
		waiter = ag_fork();
		ag_setup(waiter != -1, "fork");
		if (waiter == 0) {
			int rc = full ? SUBJECT(ring_put(semid, ring, 42)) :
					SUBJECT(ring_get(semid, ring, &item));

			_exit(outcome(rc, errno));	/* errno read after the call */
		}
		expect(ag_wait_blocked(waiter), "%s returned at once (it %s): expected it to wait",
		       name, outcome_text(ag_wait_exit(waiter)));
		drop_set(semid);
		status = ag_wait_exit(waiter);
		expect(status == EIDRM, "the ring's set was removed while %s waited: expected -1 "
		       "with EIDRM; it %s", name, outcome_text(status));
	}
}
