/*
 * test_semaphores.c - the graded tests of Lab 04 (System V semaphores),
 * 100 points.
 *
 * Each test checks one behaviour of semaphores.h, in a sandbox of its own
 * (see grader.h): a fresh IPC namespace, so every set a test sees is one it
 * made. The tests make their sets and read them with raw semget/semctl/semop,
 * so that each test depends on the function it grades only. The graded
 * functions run only through SUBJECT(), each call in a subject process of its
 * own; the test and its helpers judge what comes back and read the sets
 * themselves (values, waiters, sem_otime, the pid of the last operation).
 * A subject's SEM_UNDO adjustments are applied when it ends, right after the
 * call returns: a test that must see a lock held runs the locking call in a
 * holder (below), whose subject keeps what it took until the test lets go.
 * Nothing waits by sleeping: a test that must act while a process is blocked
 * waits until /proc says it is.
 *
 * Handout: labs/04-semaphores/README.md. Run one test: ipclab test 04 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include "grader.h"
#include "semaphores.h"
#include "semsets.h"

/* ---- helpers (semsets.h has those the hidden tests share) ---- */

/* The graded calls a helper can make, and so hold: see start_call() and the holders. */
enum call {
	CALL_LOCK,		/* mutex_lock(semid, 0) */
	CALL_LOCK_TIMED,	/* mutex_lock_timed(semid, 0, arg) */
	CALL_TAKE_PAIR,		/* take_pair(semid, 0, 1) */
	CALL_BARRIER,		/* barrier_wait(semid, 0) */
	CALL_OPEN,		/* semset_open(key, 0, arg): 0 when it returns semid */
	CALL_GET,		/* semset_get(key, 1, {7}, arg): 0 when it returns semid */
};

struct call_args {
	enum call call;
	int semid;
	key_t key;
	int arg;
};

static int make_call(const struct call_args *c)
{
	static const unsigned short seven[1] = {7};
	int got;

	switch (c->call) {
	case CALL_LOCK:
		return mutex_lock(c->semid, 0);
	case CALL_LOCK_TIMED:
		return mutex_lock_timed(c->semid, 0, c->arg);
	case CALL_TAKE_PAIR:
		return take_pair(c->semid, 0, 1);
	case CALL_BARRIER:
		return barrier_wait(c->semid, 0);
	case CALL_OPEN:
		got = semset_open(c->key, 0, c->arg);
		return got == c->semid ? 0 : got == -1 ? -1 : 1;
	case CALL_GET:
		got = semset_get(c->key, 1, seven, c->arg);
		return got == c->semid ? 0 : got == -1 ? -1 : 1;
	}
	return 1;
}

/*
 * A helper process, named `name`, whose subject makes the call; its exit
 * status is outcome(): 0, or the errno of a -1.
 */
static pid_t start_call(const char *name, struct call_args c)
{
	pid_t helper = ag_fork();

	ag_setup(helper != -1, "fork");
	if (helper == 0) {
		int rc;

		name_process(name);
		rc = SUBJECT(make_call(&c));
		_exit(outcome(rc, errno));
	}
	return helper;
}

/*
 * A holder: a helper whose subject takes (CALL_LOCK or CALL_TAKE_PAIR), says
 * so by writing a byte, and keeps what it took until the test writes a byte
 * back; then it gives it back (mutex_unlock, give_pair) and returns.
 */
struct holder {
	pid_t helper;
	int ready;	/* the test reads the holder's byte here */
	int release;	/* the test writes here to let go */
};

static int take_and_hold(const struct call_args *c, int ready, int release)
{
	char byte = 'x';
	int rc = make_call(c);

	if (rc != 0)
		return rc;
	if (write(ready, &byte, 1) != 1 || read(release, &byte, 1) != 1)
		return 1;
	return c->call == CALL_LOCK ? mutex_unlock(c->semid, 0) : give_pair(c->semid, 0, 1);
}

static struct holder start_holder(const char *name, struct call_args c)
{
	struct holder h;
	int ready[2], release[2];

	ag_setup(pipe(ready) == 0 && pipe(release) == 0, "pipe");
	h.helper = ag_fork();
	ag_setup(h.helper != -1, "fork");
	if (h.helper == 0) {
		int rc;

		name_process(name);
		close(ready[0]);
		close(release[1]);
		rc = SUBJECT(take_and_hold(&c, ready[1], release[0]));
		_exit(outcome(rc, errno));
	}
	close(ready[1]);
	close(release[0]);
	h.ready = ready[0];
	h.release = release[1];
	return h;
}

/* Waits until the holder has taken; false when its call returned otherwise. */
static bool holder_took(const struct holder *h)
{
	char byte;

	return read(h->ready, &byte, 1) == 1;
}

/* Lets the holder give back and return; its exit status. */
static int holder_let_go(struct holder *h)
{
	ag_setup(write(h->release, "x", 1) == 1, "write");
	close(h->release);
	close(h->ready);
	return ag_wait_exit(h->helper);
}

/*
 * A copy of the n values, placed so that the last one ends a readable page
 * and an unreadable page follows: code that reads a value past the n it was
 * given crashes there instead of reading garbage.
 */
static const unsigned short *at_page_end(const unsigned short *values, int n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned short *copy;

	ag_setup(two != MAP_FAILED, "mmap");
	ag_setup(mprotect(two + page, page, PROT_NONE) == 0, "mprotect");
	copy = (unsigned short *)(two + page) - n;
	memcpy(copy, values, (size_t)n * sizeof(*values));
	return copy;
}

/* ---- §3.1 a semaphore set ---- */

GRADED_TEST(semaphores, create_initialises_set, .task = "3.1", .points = 5,
	    .desc = "semset_create() makes a 0600 set of nsems semaphores with the given values, "
		    "and its sem_otime is set",
	    .hint = "Handout 3.1: semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600), the values "
		    "(SETALL or SETVAL, with your own union semun), then one semop.")
{
	static const unsigned short values[3] = {1, 5, 0}, zero_first[2] = {0, SEMSET_VALUE_MAX};
	static const unsigned short max_first[1] = {SEMSET_VALUE_MAX};
	struct ag_snapshot before;
	struct semid_ds ds;
	key_t key = ag_key(), key2 = ag_key(), key3 = ag_key();
	int semid;

	ag_snapshot_take(&before);
	semid = SUBJECT(semset_create(key, 3, values));
	expect(semid >= 0, "semset_create(0x%08x, 3, {1, 5, 0}) on a fresh key: expected a set "
	       "id, got %d (%s)", (unsigned)key, semid, strerror(errno));
	expect(semget(key, 0, 0) == semid, "the set of key 0x%08x has id %d, semset_create "
	       "said %d", (unsigned)key, semget(key, 0, 0), semid);
	ds = set_state(semid);
	expect(ds.sem_nsems == 3, "expected a set of 3 semaphores, got %lu",
	       (unsigned long)ds.sem_nsems);
	expect((ds.sem_perm.mode & 0777) == 0600, "expected permissions 0600 (owner only), got "
	       "%03o (see ipcs -s)", ds.sem_perm.mode & 0777);
	for (int i = 0; i < 3; i++)
		expect(value_of(semid, i) == values[i], "semaphore %d: expected value %u, got %d",
		       i, values[i], value_of(semid, i));
	expect(ds.sem_otime != 0, "sem_otime is 0 after semset_create returned: the creator's "
	       "last step is one semop(2), the sign for semset_open() that the set is ready");
	drop_set(semid);
	semid = SUBJECT(semset_create(key2, 2, at_page_end(zero_first, 2)));
	expect(semid >= 0 && value_of(semid, 0) == 0 && value_of(semid, 1) == SEMSET_VALUE_MAX,
	       "semset_create(key, 2, {0, %d}): expected values 0 and %d, got id %d (%s)",
	       SEMSET_VALUE_MAX, SEMSET_VALUE_MAX, semid, semid == -1 ? strerror(errno) : "-");
	expect(set_state(semid).sem_otime != 0, "values {0, %d}: sem_otime is still 0 after "
	       "semset_create returned", SEMSET_VALUE_MAX);
	drop_set(semid);
	semid = SUBJECT(semset_create(key3, 1, at_page_end(max_first, 1)));
	expect(semid >= 0 && value_of(semid, 0) == SEMSET_VALUE_MAX, "semset_create(key, 1, "
	       "{%d}): expected value %d (SEMSET_VALUE_MAX is allowed), got id %d (%s)",
	       SEMSET_VALUE_MAX, SEMSET_VALUE_MAX, semid, semid == -1 ? strerror(errno) : "-");
	drop_set(semid);
	expect_no_leaks(&before, "semset_create returned and the test removed its sets");
}

GRADED_TEST(semaphores, create_refuses_existing_key, .task = "3.1", .points = 4,
	    .desc = "semset_create() fails with EEXIST on a key in use and leaves that set "
		    "as it was",
	    .hint = "Handout 3.1: without IPC_EXCL, semget(IPC_CREAT) quietly returns the set that "
		    "exists, and initialising it again breaks whoever uses it.")
{
	static const unsigned short values[2] = {3, 4}, other[2] = {1, 1};
	struct semid_ds ds;
	key_t key;
	int semid = new_set(2, values, &key), got;

	raw_op(semid, 0, -2);	/* someone uses it: value 1 now */
	ds = set_state(semid);
	got = SUBJECT(semset_create(key, 2, other));
	expect(got == -1 && errno == EEXIST, "a set (id %d) already has key 0x%08x: expected "
	       "semset_create to fail with EEXIST, got %d (%s)", semid, (unsigned)key, got,
	       got == -1 ? strerror(errno) : "a set id");
	expect(set_exists(semid), "the existing set was removed by semset_create");
	expect(value_of(semid, 0) == 1 && value_of(semid, 1) == 4, "the existing set's values "
	       "changed from {1, 4} to {%d, %d}: a set that exists is never initialised again",
	       value_of(semid, 0), value_of(semid, 1));
	expect(set_state(semid).sem_otime == ds.sem_otime, "semset_create operated on the "
	       "existing set (its sem_otime changed)");
	drop_set(semid);
}

GRADED_TEST(semaphores, create_leaves_no_half_made_set, .task = "3.1", .points = 4,
	    .desc = "semset_create() that cannot initialise (a value above 32767: ERANGE) removes "
		    "the set it made; a bad nsems is EINVAL",
	    .hint = "Handout 3.1: when SETALL or the semop fails after semget created the set, "
		    "remove it (IPC_RMID) before returning -1, keeping the first errno.")
{
	static const unsigned short too_big[2] = {1, SEMSET_VALUE_MAX + 1};
	static const unsigned short first_too_big[2] = {SEMSET_VALUE_MAX + 1, 1};
	struct ag_snapshot before;
	key_t key = ag_key();
	int got;

	ag_snapshot_take(&before);
	got = SUBJECT(semset_create(key, 2, too_big));
	expect(got == -1 && errno == ERANGE, "semset_create(key, 2, {1, %d}): expected -1 with "
	       "ERANGE, got %d (%s)", SEMSET_VALUE_MAX + 1, got,
	       got == -1 ? strerror(errno) : "a set id");
	expect(semget(key, 0, 0) == -1 && errno == ENOENT, "after the failed semset_create a "
	       "set of key 0x%08x is left (id %d): remove what you cannot finish",
	       (unsigned)key, semget(key, 0, 0));
	got = SUBJECT(semset_create(key, 2, first_too_big));
	expect(got == -1 && errno == ERANGE, "semset_create(key, 2, {%d, 1}): expected -1 with "
	       "ERANGE, got %d (%s)", SEMSET_VALUE_MAX + 1, got,
	       got == -1 ? strerror(errno) : "a set id");
	expect(semget(key, 0, 0) == -1, "after semset_create(key, 2, {%d, 1}) failed a set of "
	       "key 0x%08x is left", SEMSET_VALUE_MAX + 1, (unsigned)key);
	got = SUBJECT(semset_create(key, 0, too_big));
	expect(got == -1 && errno == EINVAL, "semset_create(key, 0, ...): expected -1 with "
	       "EINVAL, got %d (%s)", got, got == -1 ? strerror(errno) : "a set id");
	expect_no_leaks(&before, "the failed semset_create calls returned");
}

GRADED_TEST(semaphores, open_checks_size, .task = "3.1", .points = 4,
	    .desc = "semset_open() finds an initialised set asked for as many semaphores or fewer, "
		    "fails with EINVAL for more and ENOENT for a missing key, and creates nothing",
	    .hint = "Handout 3.1: semget(key, nsems, 0) fails with EINVAL when the set has fewer "
		    "than nsems; without IPC_CREAT it never creates.")
{
	static const unsigned short values[3] = {2, 0, 9};
	struct ag_snapshot before;
	key_t key, unused = ag_key();
	int semid = new_set(3, values, &key), got;
	time_t otime = set_state(semid).sem_otime;

	ag_snapshot_take(&before);
	got = SUBJECT(semset_open(key, 3, 100));
	expect(got == semid, "semset_open(key, 3, 100) on an initialised set of 3: expected id "
	       "%d, got %d (%s)", semid, got, got == -1 ? strerror(errno) : "-");
	got = SUBJECT(semset_open(key, 2, 100));
	expect(got == semid, "asking for 2 of a set of 3: expected id %d, got %d (%s)", semid,
	       got, got == -1 ? strerror(errno) : "-");
	got = SUBJECT(semset_open(key, 4, 100));
	expect(got == -1 && errno == EINVAL, "asking for 4 of a set of 3: expected -1 with "
	       "EINVAL, got %d (%s)", got, got == -1 ? strerror(errno) : "a set id");
	got = SUBJECT(semset_open(unused, 1, 100));
	expect(got == -1 && errno == ENOENT, "a key with no set: expected -1 with ENOENT, got %d "
	       "(%s)", got, got == -1 ? strerror(errno) : "a set id");
	expect(semget(unused, 0, 0) == -1, "semset_open created a set for a key that had none");
	for (int i = 0; i < 3; i++)
		expect(value_of(semid, i) == values[i], "semset_open changed semaphore %d from %u "
		       "to %d", i, values[i], value_of(semid, i));
	expect(set_state(semid).sem_otime == otime, "semset_open operated on the set (its "
	       "sem_otime changed): opening never changes a set");
	expect_no_leaks(&before, "semset_open returned");
	drop_set(semid);
}

GRADED_TEST(semaphores, remove_wakes_waiters, .task = "3.1", .points = 4,
	    .desc = "semset_remove() deletes the set and a process blocked in semop on it wakes "
		    "with EIDRM",
	    .hint = "Handout 3.1: semctl(semid, 0, IPC_RMID) removes at once (no fourth "
		    "argument); waiting processes get EIDRM.")
{
	struct ag_snapshot before;
	int semid = bare_set(1, NULL), rc, status;
	pid_t waiter = ag_fork();

	ag_setup(waiter != -1, "fork");
	if (waiter == 0) {
		struct sembuf take = {.sem_num = 0, .sem_op = -1, .sem_flg = 0};

		/* The test's own waiter, in a subject all the same: ag_wait_blocked()
		 * sees a helper block only in its subject. */
		rc = SUBJECT(semop(semid, &take, 1));
		_exit(outcome(rc, errno));
	}
	ag_setup(ag_wait_blocked(waiter), "the waiter did not block in semop");
	ag_snapshot_take(&before);
	rc = SUBJECT(semset_remove(semid));
	expect_no_leaks(&before, "semset_remove returned");
	expect(rc == 0, "semset_remove(%d): expected 0, got %d (%s)", semid, rc, strerror(errno));
	expect(!set_exists(semid), "semset_remove returned 0 but set %d still exists (ipcs -s "
	       "would list it)", semid);
	status = ag_wait_exit(waiter);
	expect(status == EIDRM, "a process blocked in semop on the removed set: expected it to "
	       "wake with EIDRM; its semop %s", outcome_text(status));
	rc = SUBJECT(semset_remove(semid));
	expect(rc == -1 && errno == EINVAL, "removing set %d a second time: expected -1 with "
	       "EINVAL, got %d (%s)", semid, rc, strerror(errno));
}

/* ---- §3.2 the initialisation race ---- */

GRADED_TEST(semaphores, open_waits_for_initialisation, .task = "3.2", .points = 8,
	    .desc = "semset_open() on a set whose creator has not initialised it yet waits until "
		    "sem_otime is set, then returns the set",
	    .hint = "Handout 3.2: semget and the initialisation are two steps; an opener that "
		    "uses the set before sem_otime is set races its creator. Look at sem_otime "
		    "(IPC_STAT), sleep a little, look again.")
{
	key_t key;
	int semid = bare_set(2, &key), status;
	pid_t opener;

	/* The test is the creator, and holds off initialising while the opener runs. */
	opener = start_call("opener", (struct call_args){CALL_OPEN, semid, key, 5000});
	expect(ag_wait_blocked(opener), "semset_open() returned (it %s) while the set's "
	       "creator had not initialised it (sem_otime 0, values 0): it must wait until "
	       "sem_otime is set", outcome_text(ag_wait_exit(opener)));
	expect(set_state(semid).sem_otime == 0 && value_of(semid, 0) == 0,
	       "semset_open() changed a set it only opens (sem_otime %ld, semaphore 0 is %d)",
	       (long)set_state(semid).sem_otime, value_of(semid, 0));
	set_value(semid, 0, 1);
	mark_initialised(semid);
	status = ag_wait_exit(opener);
	expect(status == 0, "once the creator initialised the set, expected semset_open() to "
	       "return its id %d; it %s", semid, outcome_text(status));
	expect(value_of(semid, 0) == 1, "semset_open() took from the set it opened (semaphore 0 "
	       "is %d, the creator set it to 1)", value_of(semid, 0));
	drop_set(semid);
}

GRADED_TEST(semaphores, open_gives_up_at_deadline, .task = "3.2", .points = 4,
	    .desc = "semset_open() on a set nobody initialises waits timeout_ms, then fails with "
		    "ETIMEDOUT and leaves the set alone",
	    .hint = "Handout 3.2: compute the deadline once, before the first look; ETIMEDOUT "
		    "once it has passed. Never initialise a set you did not create.")
{
	key_t key;
	int semid = bare_set(1, &key), status;
	pid_t opener = start_call("opener", (struct call_args){CALL_OPEN, semid, key, 300});

	expect(ag_wait_blocked(opener), "semset_open(key, 0, 300) on a set that is never "
	       "initialised returned at once (it %s): it must wait up to 300 ms",
	       outcome_text(ag_wait_exit(opener)));
	status = ag_wait_exit(opener);
	expect(status == ETIMEDOUT, "nobody initialises the set: expected semset_open(key, 0, "
	       "300) to fail with ETIMEDOUT; it %s", outcome_text(status));
	expect(set_state(semid).sem_otime == 0 && value_of(semid, 0) == 0, "semset_open() "
	       "changed the set it gave up on (sem_otime %ld, value %d)",
	       (long)set_state(semid).sem_otime, value_of(semid, 0));
	drop_set(semid);
}

/* then() of an interrupted opener: the creator finishes its initialisation. */
static void initialise_now(void *semid)
{
	mark_initialised(*(int *)semid);
}

GRADED_TEST(semaphores, open_waits_through_signals, .task = "3.2", .points = 4,
	    .desc = "semset_open() goes on waiting when signals interrupt its sleep, and returns "
		    "once the set is initialised",
	    .hint = "Handout 3.2 and 3.5: nanosleep and usleep fail with EINTR when a handler "
		    "runs; that is no reason to give up, look at sem_otime again.")
{
	key_t key;
	int semid = bare_set(1, &key), got, saved_errno, signals;

	ag_interrupt_start(3, initialise_now, &semid);
	got = SUBJECT(semset_open(key, 1, 5000));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(got == semid, "%d signals interrupted semset_open() while it waited for the "
	       "initialisation; expected it to go on and return %d once the set was initialised, "
	       "got %d (%s)", signals, semid, got, got == -1 ? strerror(saved_errno) : "-");
	expect(ag_interrupt_acted(), "semset_open() returned %d before the set was initialised",
	       got);
	drop_set(semid);
}

GRADED_TEST(semaphores, get_creates_or_waits, .task = "3.2", .points = 5,
	    .desc = "semset_get() creates and initialises a missing set, opens an initialised one "
		    "without touching it, and waits for a creator that has not finished",
	    .hint = "Handout 3.2: try semset_create(); on EEXIST you are not the creator, so "
		    "semset_open() and wait.")
{
	static const unsigned short seven[1] = {7}, values[2] = {4, 2};
	struct ag_snapshot before;
	key_t key = ag_key(), key2;
	int semid, got, status;
	pid_t getter;

	ag_snapshot_take(&before);
	semid = SUBJECT(semset_get(key, 1, seven, 100));
	expect(semid >= 0 && semget(key, 0, 0) == semid, "semset_get() on a fresh key: expected "
	       "the id of a new set, got %d (%s)", semid, semid == -1 ? strerror(errno) : "-");
	expect(value_of(semid, 0) == 7 && set_state(semid).sem_otime != 0, "semset_get created "
	       "the set: expected value 7 and sem_otime set, got value %d, sem_otime %ld",
	       value_of(semid, 0), (long)set_state(semid).sem_otime);
	drop_set(semid);
	expect_no_leaks(&before, "semset_get returned and the test removed the set");

	semid = new_set(2, values, &key2);
	raw_op(semid, 0, -3);	/* in use: value 1 now */
	got = SUBJECT(semset_get(key2, 2, values, 100));
	expect(got == semid, "semset_get() on an initialised set: expected its id %d, got %d (%s)",
	       semid, got, got == -1 ? strerror(errno) : "-");
	expect(value_of(semid, 0) == 1 && value_of(semid, 1) == 2, "semset_get() initialised an "
	       "existing set again: its values went from {1, 2} to {%d, %d}", value_of(semid, 0),
	       value_of(semid, 1));
	drop_set(semid);

	semid = bare_set(1, &key2);
	getter = start_call("getter", (struct call_args){CALL_GET, semid, key2, 5000});
	expect(ag_wait_blocked(getter), "semset_get() on a set whose creator has not initialised "
	       "it returned (it %s) instead of waiting", outcome_text(ag_wait_exit(getter)));
	set_value(semid, 0, 3);
	mark_initialised(semid);
	status = ag_wait_exit(getter);
	expect(status == 0 && value_of(semid, 0) == 3, "once the creator initialised the set, "
	       "expected semset_get() to return %d with value 3 left; it %s, value %d", semid,
	       outcome_text(status), value_of(semid, 0));
	drop_set(semid);
}

/* ---- §3.3 a mutex that survives its holder ---- */

GRADED_TEST(semaphores, mutex_excludes, .task = "3.3", .points = 5,
	    .desc = "mutex_lock() takes the lock, a second mutex_lock() waits while it is held, "
		    "and mutex_unlock() hands it on",
	    .hint = "Handout 3.3: take 1 with sem_op -1, give it back with +1, SEM_UNDO on both.")
{
	static const unsigned short one[1] = {1};
	int semid = new_set(1, one, NULL), status;
	struct holder holder = start_holder("holder",
					    (struct call_args){.call = CALL_LOCK, .semid = semid});
	pid_t second;

	ag_name_semaphore(semid, 0, "the mutex");
	expect(holder_took(&holder), "mutex_lock() on a free mutex did not return 0 (it %s)",
	       outcome_text(ag_wait_exit(holder.helper)));
	expect(value_of(semid, 0) == 0, "the holder's mutex_lock() returned 0 but the semaphore "
	       "is %d: locking takes 1 (a free mutex is 1, a held one 0)", value_of(semid, 0));
	second = start_call("second", (struct call_args){.call = CALL_LOCK, .semid = semid});
	expect(ag_wait_blocked(second), "a second mutex_lock() returned (it %s) while the mutex "
	       "was held", outcome_text(ag_wait_exit(second)));
	expect(waiting_to_take(semid, 0) == 1, "a second mutex_lock() is blocked, but %d "
	       "processes wait for the semaphore to rise (GETNCNT)", waiting_to_take(semid, 0));
	status = holder_let_go(&holder);
	expect(status == 0, "the holder's mutex_unlock() failed: it %s", outcome_text(status));
	status = ag_wait_exit(second);
	expect(status == 0, "after mutex_unlock(), the waiting mutex_lock() %s; expected it to "
	       "return 0", outcome_text(status));
	expect(value_of(semid, 0) == 1, "both processes locked, unlocked and ended: expected the "
	       "mutex free (1), got %d", value_of(semid, 0));
	drop_set(semid);
}

GRADED_TEST(semaphores, mutex_released_when_holder_dies, .task = "3.3", .points = 8,
	    .desc = "a process killed while it holds the mutex does not leave it held: the next "
		    "mutex_lock() gets it (SEM_UNDO)",
	    .hint = "Handout 3.3: with SEM_UNDO the kernel undoes a process's operations when it "
		    "ends, however it ends; without it the lock stays taken for good.")
{
	static const unsigned short one[1] = {1};
	int semid = new_set(1, one, NULL), rc;
	struct holder holder = start_holder("holder",
					    (struct call_args){.call = CALL_LOCK, .semid = semid});
	pid_t subject;

	ag_name_semaphore(semid, 0, "the mutex");
	expect(holder_took(&holder), "mutex_lock() on a free mutex did not return 0 (it %s)",
	       outcome_text(ag_wait_exit(holder.helper)));
	subject = ag_subject_pid(holder.helper);
	ag_setup(subject > 0, "the holder's subject");
	expect(value_of(semid, 0) == 0 && last_pid(semid, 0) == subject, "the holder's "
	       "mutex_lock() returned 0 but the semaphore is %d, last changed by pid %d: it must "
	       "take 1 itself", value_of(semid, 0), (int)last_pid(semid, 0));
	/* Killed inside its critical section: first its helper, which would
	 * report its subject's death as a failure, then the holder itself. */
	kill(holder.helper, SIGKILL);
	ag_wait_exit(holder.helper);
	kill(subject, SIGKILL);
	ag_wait_exit(subject);
	rc = SUBJECT(mutex_lock(semid, 0));
	expect(rc == 0, "after the holder was killed, expected mutex_lock() to get the mutex, got "
	       "%d (%s)", rc, strerror(errno));
	drop_set(semid);
}

GRADED_TEST(semaphores, timed_lock_gives_eagain, .task = "3.5", .points = 5,
	    .desc = "mutex_lock_timed() waits while the mutex is held and fails with EAGAIN at its "
		    "deadline; a free mutex it takes with SEM_UNDO",
	    .hint = "Handout 3.5: semtimedop with a relative timeout fails with EAGAIN when it "
		    "passes; IPC_NOWAIT would not wait at all.")
{
	int semid = bare_set(1, NULL), status, rc;
	pid_t waiter;

	mark_initialised(semid);	/* value 0: held */
	waiter = start_call("waiter", (struct call_args){CALL_LOCK_TIMED, semid, 0, 400});
	expect(ag_wait_blocked(waiter), "mutex_lock_timed(semid, 0, 400) on a held mutex "
	       "returned at once (it %s): it must wait up to 400 ms",
	       outcome_text(ag_wait_exit(waiter)));
	status = ag_wait_exit(waiter);
	expect(status == EAGAIN, "the mutex stays held: expected mutex_lock_timed(semid, 0, 400) "
	       "to fail with EAGAIN; it %s", outcome_text(status));
	expect(value_of(semid, 0) == 0, "after the timeout the semaphore is %d, expected 0 (held "
	       "by its owner)", value_of(semid, 0));
	set_value(semid, 0, 1);
	rc = SUBJECT(mutex_lock_timed(semid, 0, 0));
	expect(rc == 0, "mutex_lock_timed(semid, 0, 0) on a free mutex: expected 0, got %d (%s)",
	       rc, strerror(errno));
	expect(value_of(semid, 0) == 1, "the process that took the mutex with "
	       "mutex_lock_timed() ended: expected the kernel to give it back (SEM_UNDO), but "
	       "the semaphore is %d", value_of(semid, 0));
	drop_set(semid);
}

/* A fresh set of nsems semaphores, each at value, for a call that must wait on it. */
static int set_of(int nsems, int value)
{
	int semid = bare_set(nsems, NULL);

	for (int s = 0; s < nsems; s++)
		set_value(semid, s, value);
	return semid;
}

/* then() of an interrupted call: gives 1 to every semaphore of the set (here 1 or 2). */
static void release_all(void *semid)
{
	int nsems = (int)set_state(*(int *)semid).sem_nsems;

	for (int i = 0; i < nsems; i++)
		raw_op(*(int *)semid, i, 1);
}

/* then() of an interrupted barrier_wait(): the other process arrives. */
static void arrive(void *semid)
{
	raw_op(*(int *)semid, 0, -1);
}

GRADED_TEST(semaphores, waits_retry_after_signal, .task = "3.5", .points = 5,
	    .desc = "mutex_lock(), mutex_lock_timed(), take_pair() and barrier_wait() go on "
		    "waiting when signals interrupt their semop",
	    .hint = "Handout 3.5: semop and semtimedop are never restarted after a signal handler, "
		    "whatever SA_RESTART says; they fail with EINTR, and the call is retried.")
{
	static const struct {
		const char *name;
		enum call call;
		int nsems, value;	/* the set, and what every semaphore starts at */
		void (*then)(void *);
	} calls[] = {
		{"mutex_lock(semid, 0)", CALL_LOCK, 1, 0, release_all},
		{"mutex_lock_timed(semid, 0, 5000)", CALL_LOCK_TIMED, 1, 0, release_all},
		{"take_pair(semid, 0, 1)", CALL_TAKE_PAIR, 2, 0, release_all},
		{"barrier_wait(semid, 0) with 2 to come", CALL_BARRIER, 1, 2, arrive},
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct call_args c = {calls[i].call, set_of(calls[i].nsems, calls[i].value), 0,
				      5000};
		int rc, saved_errno, signals;

		ag_interrupt_start(3, calls[i].then, &c.semid);
		rc = SUBJECT(make_call(&c));
		saved_errno = errno;
		signals = ag_interrupt_stop();
		expect(rc == 0 && ag_interrupt_acted(), "%d signals interrupted %s while it "
		       "waited; expected it to go on waiting and return 0 once it could, got %d "
		       "(%s)%s", signals, calls[i].name, rc, rc == -1 ? strerror(saved_errno) : "-",
		       ag_interrupt_acted() ? "" : ", before the test released it");
		drop_set(c.semid);
	}
}

GRADED_TEST(semaphores, waits_end_with_eidrm, .task = "3.5", .points = 4,
	    .desc = "mutex_lock(), take_pair() and barrier_wait() fail with EIDRM when the set is "
		    "removed while they wait",
	    .hint = "Handout 3.5: EIDRM is not EINTR: the set is gone, and retrying would fail "
		    "with EINVAL or wait on a new set that reused the id.")
{
	static const struct {
		const char *name;
		enum call call;
		int nsems, value;
	} calls[] = {
		{"mutex_lock(semid, 0)", CALL_LOCK, 1, 0},
		{"take_pair(semid, 0, 1)", CALL_TAKE_PAIR, 2, 0},
		{"barrier_wait(semid, 0) with 2 to come", CALL_BARRIER, 1, 2},
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct call_args c = {calls[i].call, set_of(calls[i].nsems, calls[i].value), 0, 0};
		pid_t waiter;
		int status;

		waiter = start_call("waiter", c);
		expect(ag_wait_blocked(waiter), "%s returned at once (it %s): expected it to wait",
		       calls[i].name, outcome_text(ag_wait_exit(waiter)));
		drop_set(c.semid);
		status = ag_wait_exit(waiter);
		expect(status == EIDRM, "the set was removed while %s waited: expected -1 with "
		       "EIDRM; it %s", calls[i].name, outcome_text(status));
	}
}

/* ---- §3.4 several semaphores at once ---- */

GRADED_TEST(semaphores, take_pair_is_atomic, .task = "3.4", .points = 6,
	    .desc = "take_pair() waiting for its second semaphore holds neither, takes both "
		    "at once when it can, and give_pair() gives both back",
	    .hint = "Handout 3.4: one semop(2) with an array of two operations is all or nothing; "
		    "two calls take the first and then wait holding it (deadlock).")
{
	static const unsigned short first_only[2] = {1, 0};
	int semid = new_set(2, first_only, NULL), status;
	struct holder holder = start_holder("taker", (struct call_args){.call = CALL_TAKE_PAIR,
								       .semid = semid});

	expect(ag_wait_blocked(holder.helper), "take_pair(semid, 0, 1) with semaphore 1 at 0 "
	       "returned (it %s): it must wait", outcome_text(ag_wait_exit(holder.helper)));
	expect(value_of(semid, 0) == 1, "take_pair(semid, 0, 1) waits for semaphore 1 but has "
	       "taken semaphore 0 already (its value is %d, was 1): half done, and a process "
	       "asking for 1 then 0 would now wait for it forever", value_of(semid, 0));
	raw_op(semid, 1, 1);
	expect(holder_took(&holder), "semaphore 1 became 1: expected take_pair() to return 0; it "
	       "%s", outcome_text(ag_wait_exit(holder.helper)));
	expect(value_of(semid, 0) == 0 && value_of(semid, 1) == 0, "take_pair() returned 0: "
	       "expected both semaphores taken (0 and 0), got %d and %d", value_of(semid, 0),
	       value_of(semid, 1));
	status = holder_let_go(&holder);
	expect(status == 0, "give_pair() failed: it %s", outcome_text(status));
	expect(value_of(semid, 0) == 1 && value_of(semid, 1) == 1, "after give_pair() and the "
	       "holder's end: expected both semaphores back at 1, got %d and %d",
	       value_of(semid, 0), value_of(semid, 1));
	drop_set(semid);
}

GRADED_TEST(semaphores, barrier_releases_all_at_once, .task = "3.4", .points = 5,
	    .desc = "barrier_wait() takes 1 and waits for zero: nobody passes until the last has "
		    "arrived, then everybody does, and the semaphore stays 0",
	    .hint = "Handout 3.4: take 1, then wait for zero, in two semops (one {-1, 0} "
		    "call never passes), without SEM_UNDO (a process that passed and exits "
		    "must not add its 1 back).")
{
	int semid = bare_set(1, NULL), rc;
	pid_t first, second;

	set_value(semid, 0, 3);
	first = start_call("first", (struct call_args){.call = CALL_BARRIER, .semid = semid});
	expect(ag_wait_blocked(first), "barrier_wait() with 3 to come returned (it %s) before "
	       "the others arrived", outcome_text(ag_wait_exit(first)));
	second = start_call("second", (struct call_args){.call = CALL_BARRIER, .semid = semid});
	expect(ag_wait_blocked(second), "the second barrier_wait() returned (it %s) before the "
	       "third arrived", outcome_text(ag_wait_exit(second)));
	expect(value_of(semid, 0) == 1 && waiting_for_zero(semid, 0) == 2, "two of three have "
	       "arrived: expected the semaphore at 1 with 2 processes waiting for zero (GETZCNT), "
	       "got %d and %d", value_of(semid, 0), waiting_for_zero(semid, 0));
	rc = SUBJECT(barrier_wait(semid, 0));
	expect(rc == 0, "the last to arrive: expected barrier_wait() to return 0 at once, got %d "
	       "(%s)", rc, strerror(errno));
	expect(ag_wait_exit(first) == 0 && ag_wait_exit(second) == 0, "the last arrived, but "
	       "the first two did not both return 0");
	expect(value_of(semid, 0) == 0, "every process passed the barrier and ended: expected "
	       "the semaphore to stay 0, got %d (SEM_UNDO gives a 1 back at each exit)",
	       value_of(semid, 0));
	drop_set(semid);
}

/* ---- §3.6 a bounded buffer across processes ---- */

static int put_items(int semid, struct ring *ring, const long *items, int count)
{
	for (int i = 0; i < count; i++)
		if (ring_put(semid, ring, items[i]) != 0)
			return -1;
	return 0;
}

static int get_items(int semid, struct ring *ring, long *items, int count)
{
	for (int i = 0; i < count; i++)
		if (ring_get(semid, ring, &items[i]) != 0)
			return -1;
	return 0;
}

GRADED_TEST(semaphores, ring_put_waits_for_a_free_slot, .task = "3.6", .points = 5,
	    .desc = "ring_put() on a full ring waits without holding the mutex, and stores the "
		    "item once a slot is free",
	    .hint = "Handout 3.6: wait for RING_FREE first, then take RING_MUTEX; the other order "
		    "holds the mutex while waiting, and no consumer can ever make room.")
{
	int semid, status;
	struct ring *ring = new_ring(&semid);
	pid_t producer;

	fill_ring(semid, ring, RING_SLOTS, 100);
	producer = ag_fork();
	ag_setup(producer != -1, "fork");
	if (producer == 0) {
		int rc;

		name_process("producer");
		rc = SUBJECT(ring_put(semid, ring, 42));
		_exit(outcome(rc, errno));	/* errno read after the call */
	}
	expect(ag_wait_blocked(producer), "ring_put() on a full ring returned (it %s): it must "
	       "wait for a free slot", outcome_text(ag_wait_exit(producer)));
	expect(value_of(semid, RING_MUTEX) == 1, "ring_put() waits for a free slot holding the "
	       "mutex (RING_MUTEX is %d): no consumer can take an item now, so no slot is ever "
	       "freed (deadlock)", value_of(semid, RING_MUTEX));
	expect(ring->tail == 0 && ring->slot[0] == 100, "ring_put() stored into the full ring "
	       "before a slot was free");
	raw_op(semid, RING_USED, -1);	/* a consumer takes item 100 */
	expect(ring_take(ring) == 100, "the test could not take the first item back");
	raw_op(semid, RING_FREE, 1);
	status = ag_wait_exit(producer);
	expect(status == 0, "a slot became free: expected ring_put() to return 0; it %s",
	       outcome_text(status));
	expect(ring->slot[0] == 42 && ring->tail == 1, "ring_put() returned 0, expected item 42 "
	       "in slot 0 (the one freed), got %ld, tail %u", ring->slot[0], ring->tail);
	expect(value_of(semid, RING_USED) == RING_SLOTS && value_of(semid, RING_FREE) == 0 &&
	       value_of(semid, RING_MUTEX) == 1, "after ring_put(): expected RING_USED %d, "
	       "RING_FREE 0, RING_MUTEX 1, got %d, %d, %d", RING_SLOTS,
	       value_of(semid, RING_USED), value_of(semid, RING_FREE), value_of(semid, RING_MUTEX));
	drop_set(semid);
}

GRADED_TEST(semaphores, ring_get_waits_for_an_item, .task = "3.6", .points = 4,
	    .desc = "ring_get() on an empty ring waits without holding the mutex, and returns the "
		    "item once one is put",
	    .hint = "Handout 3.6: wait for RING_USED first, then take RING_MUTEX, take the item, "
		    "release, and count the free slot.")
{
	int semid;
	struct ring *ring = new_ring(&semid);
	pid_t consumer;
	long item = 0;
	int rc;

	consumer = ag_fork();
	ag_setup(consumer != -1, "fork");
	if (consumer == 0) {
		name_process("consumer");
		rc = SUBJECT(ring_get(semid, ring, &item), OUT(item));
		_exit(rc == 0 && item == 77 ? 0 : outcome(rc == 0 ? 1 : rc, errno));
	}
	expect(ag_wait_blocked(consumer), "ring_get() on an empty ring returned (it %s): it must "
	       "wait for an item", outcome_text(ag_wait_exit(consumer)));
	expect(value_of(semid, RING_MUTEX) == 1, "ring_get() waits for an item holding the mutex "
	       "(RING_MUTEX is %d): no producer can put one now", value_of(semid, RING_MUTEX));
	fill_ring(semid, ring, 1, 77);
	rc = ag_wait_exit(consumer);
	expect(rc == 0, "item 77 was put: expected ring_get() to return 0 with item 77; it %s",
	       rc == 1 ? "returned another item" : outcome_text(rc));
	expect(value_of(semid, RING_USED) == 0 && value_of(semid, RING_FREE) == RING_SLOTS &&
	       ring->head == 1, "after ring_get(): expected RING_USED 0, RING_FREE %d and head 1, "
	       "got %d, %d and %u", RING_SLOTS, value_of(semid, RING_USED),
	       value_of(semid, RING_FREE), ring->head);
	drop_set(semid);
}

GRADED_TEST(semaphores, ring_items_outlive_their_producer, .task = "3.6", .points = 3,
	    .desc = "items put by a process that has exited stay in the ring and counted; a "
		    "consumer gets them in order",
	    .hint = "Handout 3.6: SEM_UNDO on RING_USED would take back, when the producer exits, "
		    "every item it counted; put SEM_UNDO on the mutex only.")
{
	static const long items[3] = {31, 32, 33};
	long got[3] = {0, 0, 0};
	int semid, rc;
	struct ring *ring = new_ring(&semid);

	rc = SUBJECT(put_items(semid, ring, items, 3));
	expect(rc == 0, "ring_put() of 3 items into an empty ring failed: %s", strerror(errno));
	expect(value_of(semid, RING_USED) == 3 && value_of(semid, RING_FREE) == RING_SLOTS - 3,
	       "the producer put 3 items and exited: expected RING_USED 3 and RING_FREE %d, got "
	       "%d and %d", RING_SLOTS - 3, value_of(semid, RING_USED), value_of(semid, RING_FREE));
	rc = SUBJECT(get_items(semid, ring, got, 3), OUT(got));
	expect(rc == 0 && got[0] == 31 && got[1] == 32 && got[2] == 33, "a consumer's 3 "
	       "ring_get() calls: expected 31, 32, 33, got %ld, %ld, %ld (rc %d)", got[0], got[1],
	       got[2], rc);
	expect(value_of(semid, RING_USED) == 0 && value_of(semid, RING_FREE) == RING_SLOTS,
	       "the consumer took 3 items and exited: expected RING_USED 0 and RING_FREE %d, got "
	       "%d and %d", RING_SLOTS, value_of(semid, RING_USED), value_of(semid, RING_FREE));
	drop_set(semid);
}

#define RING_SIDES 4			/* producers, and as many consumers */
#define RING_ITEMS 100000		/* in all */
#define RING_SHARE (RING_ITEMS / RING_SIDES)

/* An item nobody can guess before the test makes it: a mix of a random seed and i. */
static long item_of(uint64_t seed, long i)
{
	uint64_t x = seed + (uint64_t)i * 0x9e3779b97f4a7c15ULL;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (long)((x ^ (x >> 31)) & 0x7fffffffffffffffULL);
}

static int compare_longs(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* A consumer helper: gets RING_SHARE items and writes them to the test through fd. */
static pid_t start_consumer(int semid, struct ring *ring, int fd, int index)
{
	static long items[RING_SHARE];
	pid_t pid = ag_fork();

	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		char name[16];
		int rc;

		snprintf(name, sizeof(name), "consumer %d", index);
		name_process(name);
		rc = SUBJECT(get_items(semid, ring, items, RING_SHARE),
			     OUT_BYTES(items, sizeof(items)));
		if (rc != 0)
			_exit(outcome(rc, errno));
		_exit(write(fd, items, sizeof(items)) == (ssize_t)sizeof(items) ? 0 : 1);
	}
	return pid;
}

/*
 * The reference passes the 100000 items in 1.6 to 2.2 s on two busy cores;
 * the deadline is 5x that, and a ring that deadlocks waits for all of it.
 */
GRADED_TEST(semaphores, ring_passes_every_item_once, .task = "3.6",
	    .points = 8, .deadline = 10,
	    .desc = "4 producers and 4 consumers pass 100000 items through the 8-slot ring: none "
		    "lost, none twice",
	    .hint = "Handout 3.6: RING_FREE and RING_USED count, RING_MUTEX guards head and tail; "
		    "a slot first, the mutex second. A timeout says who waits on which semaphore.")
{
	static long expected[RING_ITEMS], received[RING_ITEMS];
	pid_t consumers[RING_SIDES], producers[RING_SIDES];
	int results[RING_SIDES], semid, fds[2];
	struct ring *ring = new_ring(&semid);
	uint64_t seed;

	for (int c = 0; c < RING_SIDES; c++) {
		ag_setup(pipe(fds) == 0, "pipe");
		consumers[c] = start_consumer(semid, ring, fds[1], c);
		close(fds[1]);
		results[c] = fds[0];
	}
	/* The items exist only now, after every consumer has started. */
	ag_setup(getrandom(&seed, sizeof(seed), 0) == sizeof(seed), "getrandom");
	for (long i = 0; i < RING_ITEMS; i++)
		expected[i] = item_of(seed, i);
	for (int p = 0; p < RING_SIDES; p++) {
		producers[p] = ag_fork();
		ag_setup(producers[p] != -1, "fork");
		if (producers[p] == 0) {
			char name[16];
			int rc;

			snprintf(name, sizeof(name), "producer %d", p);
			name_process(name);
			rc = SUBJECT(put_items(semid, ring, expected + p * RING_SHARE, RING_SHARE));
			_exit(outcome(rc, errno));
		}
	}
	for (int p = 0; p < RING_SIDES; p++) {
		int status = ag_wait_exit(producers[p]);

		expect(status == 0, "producer %d: its ring_put() calls failed: %s", p,
		       outcome_text(status));
	}
	for (int c = 0; c < RING_SIDES; c++) {
		char *at = (char *)(received + c * RING_SHARE);
		size_t left = RING_SHARE * sizeof(long);
		ssize_t n = 1;
		int status;

		while (left > 0 && (n = read(results[c], at, left)) > 0) {
			at += n;
			left -= (size_t)n;
		}
		status = ag_wait_exit(consumers[c]);
		expect(status == 0 && left == 0, "consumer %d: its ring_get() calls failed: %s", c,
		       outcome_text(status));
		close(results[c]);
	}
	qsort(expected, RING_ITEMS, sizeof(long), compare_longs);
	qsort(received, RING_ITEMS, sizeof(long), compare_longs);
	for (long i = 0; i < RING_ITEMS; i++) {
		expect(i == 0 || received[i] != received[i - 1], "item %ld came out of the ring "
		       "twice (and so another was lost): two processes used one slot at once; "
		       "hold RING_MUTEX around ring_store() and ring_take()", received[i]);
		expect(received[i] == expected[i], "%ld items went in, but item %ld that the "
		       "consumers got was never put (or one put was lost): hold RING_MUTEX around "
		       "ring_store() and ring_take()", (long)RING_ITEMS,
		       received[i] < expected[i] ? received[i] : expected[i]);
	}
	expect(value_of(semid, RING_USED) == 0 && value_of(semid, RING_FREE) == RING_SLOTS &&
	       value_of(semid, RING_MUTEX) == 1, "every item passed; expected RING_USED 0, "
	       "RING_FREE %d, RING_MUTEX 1 at the end, got %d, %d, %d", RING_SLOTS,
	       value_of(semid, RING_USED), value_of(semid, RING_FREE), value_of(semid, RING_MUTEX));
	drop_set(semid);
}
