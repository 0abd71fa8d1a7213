/*
 * test_pair.c - Lab 05's graded tests of §3.5: a writer and a reader
 * (pair_send, pair_receive) exchanging records through one segment and a
 * set of two semaphores.
 *
 * The skeleton's pair is a naive first draft with five faults; each test
 * proves one of them gone. The sender and the receiver run in helpers of
 * their own (each call in a subject, see grader.h), so that the test can
 * start them in either order and see one block while the other has not
 * come. The test judges from the kernel's view: the objects a key names
 * (shmget and semget with size and flags 0), shmctl(IPC_STAT), semctl
 * GETVAL, what a segment holds, and the records the receiver returned;
 * never from what the pair says.
 *
 * Handout: labs/05-shm/README.md. Run one test: ipclab test 05 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "grader.h"
#include "shm.h"
#include "segments.h"

/* The file the pair's key is made of, in the scratch directory (the cwd). */
#define PAIR_FILE "pair.key"

static key_t pair_key(void)
{
	key_t key = ftok(PAIR_FILE, PAIR_PROJ);

	ag_setup(key != -1, "ftok");
	return key;
}

/* Makes the pair's file; without namespaces the grader then removes what is left at its key. */
static void make_pair_file(void)
{
	make_file(PAIR_FILE);
	ag_key_add(pair_key());
}

/* The id of the semaphore set that has key now, or -1. */
static int set_of(key_t key)
{
	return semget(key, 0, 0);
}

static const char *errname(int err)
{
	return err == 0 ? "0" : strerrorname_np(err) ? strerrorname_np(err) : "?";
}

/* A helper's exit status: its call returned 0 but left a SYSV mapping in its process. */
#define STILL_ATTACHED 253

/* What a helper's exit status (outcome() in segments.h) says its call did. */
static const char *outcome_text(int status)
{
	static char text[96];

	if (status == 0)
		snprintf(text, sizeof(text), "it returned 0");
	else if (status > 0 && status < 128)
		snprintf(text, sizeof(text), "it returned -1 with errno %s", errname(status));
	else if (status == 255)
		snprintf(text, sizeof(text), "it returned neither 0 nor -1");
	else if (status == STILL_ATTACHED)
		snprintf(text, sizeof(text), "it returned 0 with the segment still attached: "
			 "detach it before returning");
	else
		snprintf(text, sizeof(text), "its helper ended with status %d", status);
	return text;
}

/* A call's value as the messages show it: "0", "-1 (errno ENOENT)". */
static const char *result_text(int rc, int err)
{
	static char text[64];

	if (rc == -1)
		snprintf(text, sizeof(text), "-1 (errno %s)", errname(err));
	else
		snprintf(text, sizeof(text), "%d", rc);
	return text;
}

static void say_nothing(const char *line)
{
	(void)line;
}

/* count records with random text and numbers, different in every run. */
static struct record *new_records(int count)
{
	struct record *records = calloc((size_t)count, sizeof(*records));
	unsigned char bytes[64];
	unsigned int first;

	ag_setup(records != NULL, "calloc");
	ag_setup(getrandom(&first, sizeof(first), 0) == sizeof(first), "getrandom");
	for (int i = 0; i < count; i++) {
		size_t len;

		ag_setup(getrandom(bytes, sizeof(bytes), 0) == sizeof(bytes), "getrandom");
		len = 1 + bytes[0] % (sizeof(records[i].text) - 1);
		records[i].seq = first + (unsigned)i;
		for (size_t j = 0; j < len; j++)
			records[i].text[j] = (char)('a' + bytes[j + 1] % 26);
	}
	return records;
}

/* ---- the two sides, each in a helper ---- */

/*
 * A side of the pair: a helper, named "sender" or "receiver", that waits
 * until the test opens its gate, then runs pair_send or pair_receive of
 * count records in a subject. A receiver writes the records it got to
 * `results` (the test reads them there). The helper's exit status is
 * outcome(): 0, or the errno of a -1.
 */
#define MANY 2000
#define RESULTS_ROOM (256 << 10)	/* bytes, more than MANY records */

struct side {
	pid_t helper;
	int gate;	/* the test writes a byte here to let it start */
	int results;	/* a receiver's records, count of them, once it returned 0 */
	int count;
};

static bool write_all(int fd, const void *buf, size_t len)
{
	const char *at = buf;

	while (len > 0) {
		ssize_t n = write(fd, at, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		at += n;
		len -= (size_t)n;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
	char *at = buf;

	while (len > 0) {
		ssize_t n = read(fd, at, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		at += n;
		len -= (size_t)n;
	}
	return true;
}

/* outcome(), or STILL_ATTACHED: the subject's maps at its end, as the helper read them. */
static int attached_outcome(int rc, int err)
{
	if (rc == 0 && ag_last_subject()->sysv_maps != 0)
		return STILL_ATTACHED;
	return outcome(rc, err);
}

static void __attribute__((noreturn))
run_side(const struct record *records, int count, int gate, int results)
{
	size_t len = (size_t)count * sizeof(struct record);
	struct record *got;
	char byte;
	int rc, err;

	if (read(gate, &byte, 1) != 1)
		_exit(254);
	if (records) {
		rc = SUBJECT(pair_send(PAIR_FILE, records, count, say_nothing));
		_exit(attached_outcome(rc, errno));
	}
	got = calloc((size_t)count, sizeof(*got));
	ag_setup(got != NULL, "calloc");
	rc = SUBJECT(pair_receive(PAIR_FILE, got, count, say_nothing), OUT_BYTES(got, len));
	err = errno;
	if (rc == 0 && !write_all(results, got, len))
		_exit(254);
	_exit(attached_outcome(rc, err));
}

/* Starts a sender of records (or, when records is NULL, a receiver), gate closed. */
static struct side start_side(const struct record *records, int count)
{
	int gate[2], results[2];
	struct side s = {.count = count};

	ag_setup(pipe2(gate, O_CLOEXEC) == 0 && pipe2(results, O_CLOEXEC) == 0, "pipe");
	/* Room for all the records: a helper blocked outside a subject would look "busy". */
	ag_setup(fcntl(results[1], F_SETPIPE_SZ, RESULTS_ROOM) >= RESULTS_ROOM, "F_SETPIPE_SZ");
	s.helper = ag_fork();
	ag_setup(s.helper != -1, "fork");
	if (s.helper == 0) {
		name_process(records ? "sender" : "receiver");
		close(gate[1]);
		close(results[0]);
		run_side(records, count, gate[0], results[1]);
	}
	close(gate[0]);
	close(results[1]);
	s.gate = gate[1];
	s.results = results[0];
	return s;
}

static void open_gate(const struct side *s)
{
	ag_setup(write(s->gate, "x", 1) == 1, "write");
}

/*
 * Reads a receiver's records into got and waits for its end; its exit
 * status (the records are there only when it is 0).
 */
static int end_receiver(struct side *r, struct record *got)
{
	bool read_them = read_all(r->results, got, (size_t)r->count * sizeof(*got));
	int status = ag_wait_exit(r->helper);

	close(r->gate);
	close(r->results);
	return read_them || status != 0 ? status : 254;
}

static int end_sender(struct side *s)
{
	int status = ag_wait_exit(s->helper);

	close(s->gate);
	close(s->results);
	return status;
}

/* Checks that got is sent, record by record, and names the first difference. */
static void expect_records(const struct record *sent, const struct record *got, int count,
			   const char *order)
{
	for (int i = 0; i < count; i++) {
		if (memcmp(&sent[i], &got[i], sizeof(got[i])) == 0)
			continue;
		if (i > 0 && memcmp(&sent[i - 1], &got[i], sizeof(got[i])) == 0)
			expect(false, "%s: record %d of %d arrived as a copy of record %d: the "
			       "receiver read the slot again before the sender wrote the next "
			       "record (semaphore 0 counts records written, not yet read)", order,
			       i, count, i - 1);
		for (int j = i + 1; j < count; j++)
			expect(memcmp(&sent[j], &got[i], sizeof(got[i])) != 0, "%s: the "
			       "receiver got record %d where record %d belongs (records %d to "
			       "%d lost): the sender wrote over the slot before the receiver "
			       "read it (semaphore 1 counts records read)", order, j, i, i,
			       j - 1);
		for (int j = 0; j < count; j++)
			expect(j == i || sent[j].seq != got[i].seq, "%s: record %d of %d came "
			       "back with the seq of record %d and other text: the sender wrote the "
			       "slot while the receiver copied it (semaphore 1 counts records read)",
			       order, i, count, j);
		expect(false, "%s: record %d of %d: expected seq %u text \"%s\", got seq %u "
		       "text \"%.60s\"", order, i, count, sent[i].seq, sent[i].text, got[i].seq,
		       got[i].text);
	}
}

/* ---- the tests ---- */

struct failed_pair {
	int sent, send_errno;
	int received, receive_errno;
};

static void call_both(struct failed_pair *f, const char *path)
{
	struct record records[1] = {{.seq = 1, .text = "hello"}};

	f->sent = SUBJECT(pair_send(path, records, 1, say_nothing));
	f->send_errno = errno;
	f->received = SUBJECT(pair_receive(path, records, 1, say_nothing));
	f->receive_errno = errno;
}

GRADED_TEST(shm, pair_stops_on_ftok_failure, .task = "3.5", .points = 4,
	    .desc = "pair_send() and pair_receive() of a missing file fail with ftok's errno "
		    "(ENOENT) and create nothing",
	    .hint = "Handout 3.5: ftok returns (key_t) -1 when it cannot stat the file; a draft "
		    "that only reports it goes on with key 0xffffffff.")
{
	struct ag_snapshot before;
	struct failed_pair f;

	ag_snapshot_take(&before);
	call_both(&f, "missing.key");
	expect(f.sent == -1 && f.send_errno == ENOENT, "pair_send(\"missing.key\", ...) of a "
	       "file that does not exist: expected -1 with errno ENOENT (ftok's), got %s",
	       result_text(f.sent, f.send_errno));
	expect(f.received == -1 && f.receive_errno == ENOENT, "pair_receive(\"missing.key\", "
	       "...) of a file that does not exist: expected -1 with errno ENOENT (ftok's), got "
	       "%s", result_text(f.received, f.receive_errno));
	expect(segment_of((key_t)-1) == -1 && set_of((key_t)-1) == -1, "after ftok failed the "
	       "pair went on: a %s has key 0xffffffff, ftok's (key_t) -1",
	       segment_of((key_t)-1) != -1 ? "segment" : "semaphore set");
	expect_no_leaks(&before, "pair_send and pair_receive failed");
}

/* In the subject: no new mapping fits in the address space any more. */
static void forbid_new_mappings(void)
{
	struct rlimit limit;
	unsigned long pages = 0;
	FILE *statm = fopen("/proc/self/statm", "re");

	ag_setup(statm != NULL && fscanf(statm, "%lu", &pages) == 1, "/proc/self/statm");
	fclose(statm);
	ag_setup(getrlimit(RLIMIT_AS, &limit) == 0, "getrlimit");
	limit.rlim_cur = pages * (unsigned long)sysconf(_SC_PAGESIZE);
	ag_setup(setrlimit(RLIMIT_AS, &limit) == 0, "setrlimit");
}

GRADED_TEST(shm, pair_checks_failed_attach, .task = "3.5", .points = 4,
	    .desc = "pair_send() and pair_receive() return -1 with ENOMEM when shmat fails, "
		    "instead of using (void *) -1",
	    .hint = "Handout 3.5: shmat(2) fails with (void *) -1, not NULL; a check against NULL "
		    "never fires and the next access crashes.")
{
	struct record records[1] = {{.seq = 1, .text = "hello"}};
	int rc, shmid;

	make_pair_file();
	/* RLIMIT_AS at the size the subject has: shmget and semget work, shmat cannot map. */
	rc = SUBJECT((forbid_new_mappings(), pair_send(PAIR_FILE, records, 1, say_nothing)));
	expect(rc == -1 && errno == ENOMEM, "pair_send() with no room left in the address space "
	       "(shmat fails ENOMEM): expected -1 with errno ENOMEM, got %s",
	       result_text(rc, errno));
	rc = SUBJECT((forbid_new_mappings(), pair_receive(PAIR_FILE, records, 1, say_nothing)));
	expect(rc == -1 && errno == ENOMEM, "pair_receive() with no room left in the address "
	       "space (shmat fails ENOMEM): expected -1 with errno ENOMEM, got %s",
	       result_text(rc, errno));
	shmid = segment_of(pair_key());
	expect(shmid == -1 || attachments(shmid) == 0, "segment %d has shm_nattch %ld after both "
	       "calls failed to attach it", shmid, attachments(shmid));
}

/* Another program's segment, at ftok(PAIR_FILE, 223), filled with random bytes. */
struct foreign {
	key_t key;
	int shmid;
	unsigned char bytes[sizeof(struct record)];
};

static struct foreign new_foreign(void)
{
	struct foreign f;
	void *addr;

	f.key = ftok(PAIR_FILE, 223);
	ag_setup(f.key != -1, "ftok");
	ag_key_add(f.key);
	f.shmid = new_segment(f.key, sizeof(f.bytes), 0600);
	ag_setup(getrandom(f.bytes, sizeof(f.bytes), 0) == sizeof(f.bytes), "getrandom");
	addr = shmat(f.shmid, NULL, 0);
	ag_setup(addr != (void *)-1, "shmat");
	memcpy(addr, f.bytes, sizeof(f.bytes));
	ag_setup(shmdt(addr) == 0, "shmdt");
	return f;
}

/* Checks that nobody but the test attached the foreign segment, nor changed it. */
static void expect_foreign_alone(const struct foreign *f, const char *when)
{
	struct shmid_ds ds;
	void *addr;
	bool same;

	expect(stat_segment(f->shmid, &ds), "%s, segment %d of key 0x%08x (ftok(path, 223), "
	       "another program's) is gone: the pair removed it. 2015 and 223 make the same key "
	       "(ftok keeps 8 bits of proj_id): use PAIR_PROJ", when, f->shmid, (unsigned)f->key);
	expect(ds.shm_nattch == 0 && ds.shm_lpid == getpid(), "%s, segment %d of key 0x%08x "
	       "(ftok(path, 223), another program's) has shm_nattch %lu and was last attached or "
	       "detached by pid %d (expected %d, the test): the pair used it. 2015 and 223 make "
	       "the same key (ftok keeps 8 bits of proj_id): use PAIR_PROJ", when, f->shmid,
	       (unsigned)f->key, (unsigned long)ds.shm_nattch, (int)ds.shm_lpid, (int)getpid());
	addr = shmat(f->shmid, NULL, SHM_RDONLY);
	ag_setup(addr != (void *)-1, "shmat");
	same = memcmp(addr, f->bytes, sizeof(f->bytes)) == 0;
	ag_setup(shmdt(addr) == 0, "shmdt");
	expect(same, "%s, the bytes of segment %d (ftok(path, 223), another program's) changed",
	       when, f->shmid);
}

/* Checks the pair's own segment and set, at ftok(PAIR_FILE, PAIR_PROJ), while they exist. */
static void expect_pair_objects(key_t key)
{
	int shmid = segment_of(key), semid = set_of(key);
	struct shmid_ds ds;
	struct semid_ds sds;

	expect(shmid != -1 && stat_segment(shmid, &ds), "while the sender waits, no segment has "
	       "key 0x%08x, ftok(path, PAIR_PROJ)", (unsigned)key);
	expect(ds.shm_segsz == sizeof(struct record) && (ds.shm_perm.mode & 0777) == 0600,
	       "the pair's segment %d: expected %zu bytes (one struct record), mode 0600, got "
	       "%zu bytes, mode %03o", shmid, sizeof(struct record), (size_t)ds.shm_segsz,
	       ds.shm_perm.mode & 0777);
	expect(semid != -1 && semctl(semid, 0, IPC_STAT, &sds) == 0, "while the sender waits, no "
	       "semaphore set has key 0x%08x, ftok(path, PAIR_PROJ)", (unsigned)key);
	expect(sds.sem_nsems == 2 && (sds.sem_perm.mode & 0777) == 0600, "the pair's semaphore "
	       "set %d: expected 2 semaphores, mode 0600, got %lu, mode %03o", semid,
	       (unsigned long)sds.sem_nsems, sds.sem_perm.mode & 0777);
}

GRADED_TEST(shm, pair_leaves_proj_223_alone, .task = "3.5", .points = 4,
	    .desc = "the pair uses its own segment and set, at ftok(path, PAIR_PROJ), mode 0600, "
		    "and leaves another program's segment at ftok(path, 223) alone",
	    .hint = "Handout 3.5: ftok keeps the low 8 bits of proj_id, so 2015 is 223; use "
		    "PAIR_PROJ, and mode 0600 so that no other user can write the slot.")
{
	struct record *sent, got[2];
	struct foreign f;
	struct side sender, receiver;
	bool blocked;
	int status;

	make_pair_file();
	f = new_foreign();
	receiver = start_side(NULL, 2);
	sent = new_records(2);
	sender = start_side(sent, 2);
	open_gate(&sender);
	/* Sender first: it writes record 0, then waits for the receiver to read it. */
	blocked = ag_wait_blocked(sender.helper);
	expect_foreign_alone(&f, "while the sender ran");
	expect(blocked, "pair_send() of 2 records with no receiver returned (%s): it must wait "
	       "until record 0 is read", outcome_text(end_sender(&sender)));
	expect_pair_objects(pair_key());
	open_gate(&receiver);
	status = end_receiver(&receiver, got);
	expect(status == 0, "pair_receive() of 2 records: expected 0, %s",
	       outcome_text(status));
	status = end_sender(&sender);
	expect(status == 0, "pair_send() of 2 records: expected 0, %s", outcome_text(status));
	expect_records(sent, got, 2, "sender first");
	expect_foreign_alone(&f, "after the pair");
	free(sent);
	drop_segment(f.shmid);
}

/* One exchange of MANY records; receiver_first says which side starts. */
static void exchange(bool receiver_first)
{
	const char *order = receiver_first ? "receiver first" : "sender first";
	struct record *sent, *got = calloc(MANY, sizeof(*got));
	struct side sender, receiver;
	key_t key = pair_key();
	int status;

	ag_setup(got != NULL, "calloc");
	/* The receiver forks before the records exist: only the pair can bring them. */
	receiver = start_side(NULL, MANY);
	if (receiver_first) {
		open_gate(&receiver);
		expect(ag_wait_blocked(receiver.helper), "%s: pair_receive() of %d records with no "
		       "sender yet returned (%s): it must wait for each record", order, MANY,
		       outcome_text(end_receiver(&receiver, got)));
	}
	sent = new_records(MANY);
	sender = start_side(sent, MANY);
	open_gate(&sender);
	if (!receiver_first) {
		expect(ag_wait_blocked(sender.helper), "%s: pair_send() of %d records with no "
		       "receiver yet returned (%s): it must wait until each record is read",
		       order, MANY, outcome_text(end_sender(&sender)));
		open_gate(&receiver);
	}
	status = end_receiver(&receiver, got);
	expect(status == 0, "%s: pair_receive() of %d records: expected 0, %s", order, MANY,
	       outcome_text(status));
	status = end_sender(&sender);
	expect(status == 0, "%s: pair_send() of %d records: expected 0, %s", order, MANY,
	       outcome_text(status));
	expect_records(sent, got, MANY, order);
	expect(segment_of(key) == -1 && set_of(key) == -1, "%s: after both returned, a %s still "
	       "has the pair's key 0x%08x: the receiver removes both (IPC_RMID)", order,
	       segment_of(key) != -1 ? "segment" : "semaphore set", (unsigned)key);
	free(sent);
	free(got);
}

GRADED_TEST(shm, pair_orders_records, .task = "3.5", .points = 6, .deadline = 10,
	    .desc = "2000 records from pair_send() arrive at pair_receive() once each, in order, "
		    "intact, whichever starts first; nothing is left",
	    .hint = "Handout 3.5: the receiver takes 1 from semaphore 0 before it reads; the "
		    "sender takes 1 from semaphore 1 before it writes the next record.")
{
	make_pair_file();
	exchange(true);
	exchange(false);
}

/*
 * The receiver's say, in its subject: each line goes to say_fd; at the
 * first, it waits for a byte on release_fd, while the test looks.
 */
#define SAID_MAX 128
static int say_fd = -1, release_fd = -1;

static void say_and_wait(const char *line)
{
	static int calls;
	char said[SAID_MAX] = "";
	char byte;

	snprintf(said, sizeof(said), "%s", line ? line : "(NULL)");
	if (write(say_fd, said, sizeof(said)) != sizeof(said))
		return;
	if (calls++ == 0)
		while (read(release_fd, &byte, 1) == -1 && errno == EINTR)
			;
}

static pid_t start_saying_receiver(int said[2], int release[2])
{
	pid_t helper;

	ag_setup(pipe2(said, O_CLOEXEC) == 0 && pipe2(release, O_CLOEXEC) == 0, "pipe");
	helper = ag_fork();
	ag_setup(helper != -1, "fork");
	if (helper == 0) {
		struct record got[1];
		int rc;

		name_process("receiver");
		close(said[0]);
		close(release[1]);
		say_fd = said[1];
		release_fd = release[0];
		rc = SUBJECT(pair_receive(PAIR_FILE, got, 1, say_and_wait));
		_exit(attached_outcome(rc, errno));
	}
	close(said[1]);
	close(release[0]);
	return helper;
}

GRADED_TEST(shm, pair_removes_before_saying, .task = "3.5", .points = 4,
	    .desc = "pair_receive() removes the segment and the set (IPC_RMID) before it calls say, "
		    "once, with a line that begins \"removed\"",
	    .hint = "Handout 3.5: shmdt removes nothing; say \"removed\" once both IPC_RMIDs "
		    "have returned 0.")
{
	struct record sent[1] = {{.seq = 7, .text = "last"}};
	char said[SAID_MAX] = "";
	int said_pipe[2], release[2], shmid, semid, status, calls;
	struct side sender;
	struct shmid_ds ds;
	struct semid_ds sds;
	pid_t receiver;
	key_t key;

	make_pair_file();
	key = pair_key();
	/* One record: the sender writes it and returns; the objects stay for the receiver. */
	sender = start_side(sent, 1);
	open_gate(&sender);
	status = end_sender(&sender);
	expect(status == 0, "pair_send() of 1 record with no receiver: expected 0 (it waits only "
	       "before the next record), %s", outcome_text(status));
	shmid = segment_of(key);
	semid = set_of(key);
	expect(shmid != -1 && semid != -1, "pair_send() returned 0, yet no %s has key 0x%08x, "
	       "ftok(path, PAIR_PROJ): the sender leaves both for the receiver",
	       shmid == -1 ? "segment" : "semaphore set", (unsigned)key);
	receiver = start_saying_receiver(said_pipe, release);
	expect(read_all(said_pipe[0], said, sizeof(said)), "pair_receive() never called say: "
	       "%s", outcome_text(ag_wait_exit(receiver)));
	/* The receiver waits in say: what the kernel holds now is what it did before. */
	expect(set_of(key) == -1 && semctl(semid, 0, IPC_STAT, &sds) == -1, "when pair_receive() "
	       "called say(\"%s\"), semaphore set %d was still there: remove it (semctl "
	       "IPC_RMID) before saying so", said, semid);
	expect(segment_of(key) == -1 && (!stat_segment(shmid, &ds) ||
					 (ds.shm_perm.mode & SHM_DEST)), "when pair_receive() "
	       "called say(\"%s\"), segment %d was still there, not removed: shmdt removes "
	       "nothing, shmctl(IPC_RMID) does", said, shmid);
	expect(strncmp(said, "removed", 7) == 0, "pair_receive() said \"%s\": expected a line that "
	       "begins \"removed\"", said);
	ag_setup(write(release[1], "x", 1) == 1, "write");
	status = ag_wait_exit(receiver);
	expect(status == 0, "pair_receive() of 1 record: expected 0, %s", outcome_text(status));
	for (calls = 1; read_all(said_pipe[0], said, sizeof(said)); calls++)
		;
	expect(calls == 1, "pair_receive() called say %d times (the last: \"%s\"): expected once",
	       calls, said);
	close(said_pipe[0]);
	close(release[1]);
}

/* then() of the interrupted receiver: the test plays the sender of one record. */
static void send_one(void *arg)
{
	const struct record *record = arg;
	key_t key = pair_key();
	int shmid = segment_of(key), semid = set_of(key);
	struct sembuf written = {.sem_num = 0, .sem_op = 1};
	void *slot;

	expect(shmid != -1 && semid != -1, "pair_receive() waits, but no %s has key 0x%08x, "
	       "ftok(path, PAIR_PROJ): the receiver creates both when it comes first",
	       shmid == -1 ? "segment" : "semaphore set", (unsigned)key);
	slot = shmat(shmid, NULL, 0);
	ag_setup(slot != (void *)-1, "shmat");
	memcpy(slot, record, sizeof(*record));
	ag_setup(shmdt(slot) == 0 && semop(semid, &written, 1) == 0, "semop");
}

/* then() of the interrupted sender: the test plays the receiver of record 0. */
static void receive_first(void *arg)
{
	const struct record *sent = arg;
	key_t key = pair_key();
	int shmid = segment_of(key), semid = set_of(key);
	struct sembuf take = {.sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT};
	struct sembuf read_one = {.sem_num = 1, .sem_op = 1};
	struct record got;
	void *slot;

	expect(shmid != -1 && semid != -1, "pair_send() waits, but no %s has key 0x%08x",
	       shmid == -1 ? "segment" : "semaphore set", (unsigned)key);
	expect(semop(semid, &take, 1) == 0, "pair_send() waits for record 0 to be read, yet "
	       "semaphore 0 is %d: expected 1, record 0 written", semctl(semid, 0, GETVAL));
	slot = shmat(shmid, NULL, SHM_RDONLY);
	ag_setup(slot != (void *)-1, "shmat");
	memcpy(&got, slot, sizeof(got));
	ag_setup(shmdt(slot) == 0, "shmdt");
	expect(memcmp(&got, &sent[0], sizeof(got)) == 0, "the slot holds seq %u \"%.60s\" while "
	       "pair_send() waits: expected record 0, seq %u \"%s\"", got.seq, got.text,
	       sent[0].seq, sent[0].text);
	ag_setup(semop(semid, &read_one, 1) == 0, "semop");
}

/* then() of the receiver that waits for a record that never comes: the set goes. */
static void remove_set(void *arg)
{
	(void)arg;
	ag_setup(semctl(set_of(pair_key()), 0, IPC_RMID) == 0, "semctl IPC_RMID");
}

GRADED_TEST(shm, pair_waits_through_signals, .task = "3.5", .points = 3,
	    .desc = "pair_receive() waiting for a record, and pair_send() waiting for a read, go "
		    "on waiting when signals interrupt their semop, and stop, detached, with EIDRM",
	    .hint = "Handout 3.5: semop is never restarted after a signal handler; it fails with "
		    "EINTR, and the pair retries it. EIDRM is no reason to retry.")
{
	struct record *sent = new_records(2), got[1] = {{0}};
	key_t key;
	int rc, err, signals, shmid, semid;
	struct record *slot;

	make_pair_file();
	key = pair_key();
	ag_interrupt_start(3, send_one, &sent[0]);
	rc = SUBJECT(pair_receive(PAIR_FILE, got, 1, say_nothing), OUT(got));
	err = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0 && ag_interrupt_acted(), "%d signals interrupted pair_receive() while it "
	       "waited for a record; expected it to go on waiting and return 0 once the record "
	       "was written, got %s%s", signals, result_text(rc, err),
	       ag_interrupt_acted() ? "" : ", before any record was written");
	expect(memcmp(&got[0], &sent[0], sizeof(got[0])) == 0, "pair_receive() returned seq %u "
	       "\"%.60s\": expected seq %u \"%s\", the record written", got[0].seq, got[0].text,
	       sent[0].seq, sent[0].text);

	ag_interrupt_start(3, receive_first, sent);
	rc = SUBJECT(pair_send(PAIR_FILE, sent, 2, say_nothing));
	err = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0 && ag_interrupt_acted(), "%d signals interrupted pair_send() while it "
	       "waited for record 0 to be read; expected it to go on waiting and return 0 once "
	       "it was, got %s%s", signals, result_text(rc, err),
	       ag_interrupt_acted() ? "" : ", before record 0 was read");
	shmid = segment_of(key);
	semid = set_of(key);
	ag_setup(shmid != -1 && semid != -1, "the pair's objects");
	expect(ag_last_subject()->sysv_maps == 0, "pair_send() returned 0 with the segment "
	       "still attached: it returns with the segment detached");
	slot = shmat(shmid, NULL, SHM_RDONLY);
	ag_setup(slot != (void *)-1, "shmat");
	expect(memcmp(slot, &sent[1], sizeof(*slot)) == 0 && semctl(semid, 0, GETVAL) == 1,
	       "after pair_send() of 2 records returned, expected record 1 in the slot and "
	       "semaphore 0 at 1, got seq %u and %d", slot->seq, semctl(semid, 0, GETVAL));
	ag_setup(shmdt(slot) == 0, "shmdt");
	ag_setup(semctl(semid, 0, IPC_RMID) == 0, "semctl IPC_RMID");

	/* The set goes while pair_receive() waits: no record will ever come. */
	ag_interrupt_start(1, remove_set, NULL);
	rc = SUBJECT(pair_receive(PAIR_FILE, got, 1, say_nothing));
	err = errno;
	ag_interrupt_stop();
	expect(rc == -1 && err == EIDRM, "the semaphore set was removed while pair_receive() "
	       "waited for a record: expected -1 with errno EIDRM, got %s", result_text(rc, err));
	expect(ag_last_subject()->sysv_maps == 0, "pair_receive() failed with EIDRM and left the "
	       "segment attached: it returns with the segment detached, on every path");
	drop_segment(shmid);
	free(sent);
}
