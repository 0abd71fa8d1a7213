/*
 * test_segments.c - Lab 05's graded tests of §3.1 (attach, detach, look)
 * and §3.2 (one shared table, attached once).
 *
 * Each test runs in a sandbox of its own (see grader.h): a fresh IPC
 * namespace, so every segment a test sees is one it made. The tests make
 * their segments with raw shmget and read them with shmctl(IPC_STAT) and
 * /proc/PID/maps; the graded functions run only through SUBJECT(). What a
 * subject attached it keeps only while it runs: a test that must see an
 * attachment runs the call held (segments.h), and reads the subject's maps
 * while it waits.
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
#include <sys/shm.h>

#include "grader.h"
#include "shm.h"
#include "segments.h"

/* The line of /proc/PID/maps that maps addr, copied into line; false if none. */
static bool maps_line_at(pid_t pid, unsigned long addr, char *line, size_t cap)
{
	char path[64];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	ag_setup(f != NULL, "fopen /proc/PID/maps");
	while (!found && fgets(line, (int)cap, f))
		found = strtoul(line, NULL, 16) == addr;
	fclose(f);
	if (found)
		line[strcspn(line, "\n")] = '\0';
	return found;
}

struct attach_call {
	int shmid;
	bool readonly;
};

static long attach_it(void *arg)
{
	const struct attach_call *c = arg;

	return (long)(uintptr_t)segment_attach(c->shmid, c->readonly);
}

/* Holds segment_attach(shmid, readonly) and checks the subject's mapping of it. */
static void check_attached(int shmid, bool readonly, const char *perms)
{
	struct attach_call c = {shmid, readonly};
	struct held h = start_held("attacher", attach_it, &c);
	char line[512];

	expect(h.value != 0 && h.value != -1, "segment_attach(%d, %s) on a live segment: expected "
	       "an address, got %s", shmid, readonly ? "true" : "false",
	       h.value == 0 ? "NULL" : "(void *) -1");
	expect(maps_line_at(h.subject, (unsigned long)h.value, line, sizeof(line)),
	       "segment_attach(%d) returned %#lx, but nothing is mapped there in the process "
	       "(/proc/PID/maps)", shmid, (unsigned long)h.value);
	expect(strstr(line, "/SYSV") != NULL && sysv_maps(h.subject, shmid) == 1,
	       "at %#lx the process maps \"%s\": expected segment %d, attached once",
	       (unsigned long)h.value, line, shmid);
	expect(strncmp(line + strcspn(line, " ") + 1, perms, 4) == 0,
	       "segment_attach(%d, %s) mapped it \"%.4s\": expected %s (%s)", shmid,
	       readonly ? "true" : "false", line + strcspn(line, " ") + 1, perms,
	       readonly ? "SHM_RDONLY" : "read-write, shmflg 0");
	expect(attachments(shmid) == 1, "while the process holds it, segment %d has shm_nattch "
	       "%ld: expected 1", shmid, attachments(shmid));
	end_held(&h);
}

GRADED_TEST(shm, attach_maps_segment, .task = "3.1", .points = 4,
	    .desc = "segment_attach() maps the segment once, read-write, or read-only when asked",
	    .hint = "Handout 3.1: shmat(shmid, NULL, readonly ? SHM_RDONLY : 0).")
{
	int shmid = new_segment(0, 8192, 0600);

	check_attached(shmid, false, "rw-s");
	check_attached(shmid, true, "r--s");
	expect(attachments(shmid) == 0, "the attaching process has ended, yet segment %d has "
	       "shm_nattch %ld", shmid, attachments(shmid));
	drop_segment(shmid);
}

GRADED_TEST(shm, attach_failure_is_null, .task = "3.1", .points = 4,
	    .desc = "segment_attach() returns NULL, with shmat's errno, when shmat fails",
	    .hint = "Handout 3.1: shmat(2) fails with (void *) -1, not NULL: compare with that.")
{
	int shmid = new_segment(0, 4096, 0600);
	void *got;

	drop_segment(shmid);
	got = SUBJECT(segment_attach(shmid, false));
	expect(got == NULL && errno == EINVAL, "segment_attach(%d) on a removed segment: expected "
	       "NULL with errno EINVAL, got %s (errno %s)", shmid,
	       got == (void *)-1 ? "(void *) -1, shmat's own failure value" :
	       got ? "an address" : "NULL",
	       strerrorname_np(errno) ? strerrorname_np(errno) : "0");
	got = SUBJECT(segment_attach(-1, true));
	expect(got == NULL && errno == EINVAL, "segment_attach(-1): expected NULL with errno EINVAL, "
	       "got %s", got == (void *)-1 ? "(void *) -1" : got ? "an address" : "NULL");
}

struct twice {
	int shmid;
	int detached;		/* segment_detach's value */
	int again;		/* a second segment_detach of the same address */
	int again_errno;
	int maps_after;		/* SYSV lines of the segment after the first detach */
};

static int attach_and_detach(struct twice *t)
{
	void *addr = segment_attach(t->shmid, false);

	if (addr == NULL)
		return -1;
	t->detached = segment_detach(addr);
	t->maps_after = sysv_maps(getpid(), t->shmid);
	t->again = segment_detach(addr);
	t->again_errno = errno;
	return 0;
}

GRADED_TEST(shm, detach_unmaps_segment, .task = "3.1", .points = 3,
	    .desc = "segment_detach() unmaps the segment and leaves it in place; a second detach "
		    "fails EINVAL",
	    .hint = "Handout 3.1: shmdt(addr). Detaching never removes a segment.")
{
	struct twice t = {.shmid = new_segment(0, 4096, 0600)};
	struct ag_snapshot before;
	int rc;

	ag_snapshot_take(&before);
	rc = SUBJECT(attach_and_detach(&t), OUT(t));
	expect(rc == 0, "segment_attach(%d) failed (%s): see attach_maps_segment", t.shmid,
	       strerror(errno));
	expect(t.detached == 0, "segment_detach(addr) of an attached segment: expected 0, got %d",
	       t.detached);
	expect(ag_last_subject()->sysv_maps == 0 && t.maps_after <= 0,
	       "after segment_detach(addr) returned 0 the process still maps segment %d",
	       t.shmid);
	expect(t.again == -1 && t.again_errno == EINVAL, "segment_detach(addr) once more, with "
	       "nothing attached there: expected -1 with errno EINVAL, got %d", t.again);
	expect(attachments(t.shmid) == 0, "segment %d: expected it still there with shm_nattch 0 "
	       "after the last detach, got %ld (-1: gone)", t.shmid, attachments(t.shmid));
	expect_no_leaks(&before, "segment_detach returned");
	drop_segment(t.shmid);
}

struct looked {
	int rc;
	struct segment_status st;
};

/* The status tests' holder attaches with shmat itself: they grade segment_status only. */
static long attach_raw(void *arg)
{
	return shmat(*(int *)arg, NULL, 0) == (void *)-1 ? -1 : 0;
}

GRADED_TEST(shm, status_reports_kernel_view, .task = "3.1", .points = 4,
	    .desc = "segment_status() reports the key, size, attachments and creator the kernel "
		    "holds, and not removed",
	    .hint = "Handout 3.1: shmctl(shmid, IPC_STAT, &ds): shm_perm.__key, shm_segsz, "
		    "shm_nattch, shm_cpid, and SHM_DEST in shm_perm.mode.")
{
	key_t key = ag_key();
	int shmid = new_segment(key, 12345, 0600);
	struct looked l = {0};
	struct held h = start_held("attacher", attach_raw, &shmid);

	ag_setup(h.value == 0, "shmat");
	l.rc = SUBJECT(segment_status(shmid, &l.st), OUT(l.st));
	expect(l.rc == 0, "segment_status(%d) of a live segment: expected 0, got %d (%s)", shmid,
	       l.rc, strerror(errno));
	expect(l.st.key == key, "key: expected 0x%08x, got 0x%08x", (unsigned)key,
	       (unsigned)l.st.key);
	expect(l.st.size == 12345, "size: expected 12345 (as created), got %zu", l.st.size);
	expect(l.st.attached == 1, "attached: one process holds it, expected 1, got %lu",
	       l.st.attached);
	expect(l.st.creator == getpid(), "creator: expected %d (this test made it), got %d",
	       (int)getpid(), (int)l.st.creator);
	expect(!l.st.removed, "removed: expected false for a segment nobody removed");
	end_held(&h);
	l.rc = SUBJECT(segment_status(shmid, &l.st), OUT(l.st));
	expect(l.rc == 0 && l.st.attached == 0, "after the holder ended: expected attached 0, got "
	       "%lu", l.st.attached);
	drop_segment(shmid);
	l.rc = SUBJECT(segment_status(shmid, &l.st), OUT(l.st));
	expect(l.rc == -1 && errno == EINVAL, "segment_status(%d) of a removed, unattached (so "
	       "gone) segment: expected -1 with errno EINVAL, got %d", shmid, l.rc);
}

GRADED_TEST(shm, status_reports_removal, .task = "3.1", .points = 5,
	    .desc = "segment_status() of a segment removed while attached: removed, key 0, "
		    "still attached; gone after the last detach",
	    .hint = "Handout 3.1: IPC_RMID on an attached segment marks it SHM_DEST and makes its "
		    "key IPC_PRIVATE; the memory goes at the last detach.")
{
	key_t key = ag_key();
	int shmid = new_segment(key, 4096, 0600);
	struct segment_status st = {0};
	struct held h = start_held("attacher", attach_raw, &shmid);
	int rc;

	ag_setup(h.value == 0, "shmat");
	drop_segment(shmid);
	rc = SUBJECT(segment_status(shmid, &st), OUT(st));
	expect(rc == 0, "segment %d was removed (IPC_RMID) while a process holds it: it is still "
	       "there, expected segment_status to return 0, got %d (%s)", shmid, rc,
	       strerror(errno));
	expect(st.removed, "removed: expected true (SHM_DEST in shm_perm.mode), got false");
	expect(st.key == IPC_PRIVATE, "key: expected 0 (a removed segment's key is IPC_PRIVATE, "
	       "as ipcs -m shows), got 0x%08x", (unsigned)st.key);
	expect(st.attached == 1, "attached: expected 1 (the holder), got %lu", st.attached);
	expect(segment_of(key) == -1, "shmget(0x%08x, 0, 0) still finds a segment", (unsigned)key);
	end_held(&h);
	rc = SUBJECT(segment_status(shmid, &st));
	expect(rc == -1 && errno == EINVAL, "after the last detach the removed segment is gone: "
	       "expected -1 with errno EINVAL, got %d", rc);
}

/* ---- §3.2 ---- */

#define TABLE_CALLS 5000

struct table_call {
	key_t key;
	size_t size;
	long same;		/* calls that returned the first address */
};

static long get_many_times(void *arg)
{
	struct table_call *c = arg;
	void *first = table_get(c->key, c->size);

	if (first == NULL)
		return -1;
	for (int i = 1; i < TABLE_CALLS; i++)
		if (table_get(c->key, c->size) != first)
			return -3 - i;
	return (long)(uintptr_t)first;
}

GRADED_TEST(shm, table_attaches_once, .task = "3.2", .points = 6,
	    .desc = "table_get() called 5000 times attaches once: one SYSV mapping, shm_nattch 1, "
		    "the same address every time",
	    .hint = "Handout 3.2: remember the address of the first shmat and return it; each "
		    "shmat without shmdt adds a mapping until shmat fails ENOMEM.")
{
	struct table_call c = {.key = ag_key(), .size = 4096};
	struct held h = start_held("table user", get_many_times, &c);
	int shmid = segment_of(c.key), maps;

	expect(h.value != -1, "table_get(0x%08x, 4096) with no segment for the key: expected the "
	       "table (created), got NULL", (unsigned)c.key);
	expect(h.value > -3, "call %ld of table_get(0x%08x, 4096) returned another address than "
	       "the first: expected the same table each time", -3 - h.value, (unsigned)c.key);
	expect(shmid != -1, "table_get returned an address but no segment has key 0x%08x",
	       (unsigned)c.key);
	maps = sysv_maps(h.subject, -1);
	expect(maps == 1, "after %d calls of table_get the process has %d System V mappings "
	       "(/proc/PID/maps): expected 1, attached by the first call", TABLE_CALLS, maps);
	expect(attachments(shmid) == 1, "after %d calls of table_get, segment %d has shm_nattch %ld: "
	       "expected 1", TABLE_CALLS, shmid, attachments(shmid));
	end_held(&h);
	drop_segment(shmid);
}

struct release_run {
	key_t key;
	int first, again, empty, empty_errno, maps_between;
	int other_errno, full_errno;
	bool other_null, same_after, full_null;
};

static int release_sequence(struct release_run *r)
{
	void *table = table_get(r->key, 4096);

	if (table == NULL)
		return -1;
	r->other_null = table_get(r->key + 1, 4096) == NULL;
	r->other_errno = errno;
	r->first = table_release();
	r->maps_between = sysv_maps(getpid(), -1);
	r->same_after = table_get(r->key, 4096) != NULL;
	r->again = table_release();
	r->empty = table_release();
	r->empty_errno = errno;
	/* No room left in the address space: shmat fails ENOMEM, and so must table_get. */
	if (limit_address_space() == -1)
		return -1;
	r->full_null = table_get(r->key, 4096) == NULL;
	r->full_errno = errno;
	return 0;
}

GRADED_TEST(shm, table_release_detaches, .task = "3.2", .points = 3,
	    .desc = "table_release() detaches the table, keeps the segment, fails EINVAL with no "
		    "table; table_get() of another key fails EBUSY, and NULL when shmat fails",
	    .hint = "Handout 3.2: shmdt the remembered address and forget it.")
{
	struct release_run r = {.key = ag_key()};
	struct ag_snapshot before;
	int rc;

	ag_snapshot_take(&before);
	rc = SUBJECT(release_sequence(&r), OUT(r));
	expect(rc == 0, "table_get(0x%08x, 4096) failed (%s): see table_attaches_once",
	       (unsigned)r.key, strerror(errno));
	expect(r.other_null && r.other_errno == EBUSY, "table_get of a second key while the "
	       "process holds a table: expected NULL with errno EBUSY");
	expect(r.first == 0 && r.maps_between == 0, "table_release(): expected 0 and no System V "
	       "mapping left, got %d with %d mapping(s)", r.first, r.maps_between);
	expect(r.same_after && r.again == 0, "table_get after table_release must attach again (and "
	       "table_release detach it): got %s then %d", r.same_after ? "the table" : "NULL",
	       r.again);
	expect(r.empty == -1 && r.empty_errno == EINVAL, "table_release() with no table attached: "
	       "expected -1 with errno EINVAL, got %d", r.empty);
	expect(r.full_null && r.full_errno == ENOMEM, "table_get when shmat fails (no address "
	       "space left: ENOMEM): expected NULL with errno ENOMEM, got %s",
	       r.full_null ? strerrorname_np(r.full_errno) : "an address (is (void *) -1 "
	       "taken for one?)");
	expect(attachments(segment_of(r.key)) == 0, "the table's segment must stay after "
	       "table_release (detaching never removes)");
	drop_segment(segment_of(r.key));
	expect_no_leaks(&before, "table_release returned");
}
