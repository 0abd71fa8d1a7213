/*
 * test_hidden.c - hidden tests of Lab 05 (System V shared memory), 8 points
 * on top of the 100.
 *
 * Instructor-only: autograder/hidden/ is not in the student edition, and the
 * Makefile compiles this file with -DAG_HIDDEN_DEFAULT=1, so every test here
 * is "hidden" in results.json (students see only its points in their total).
 * Written like autograder/tests/05-shm/test_segments.c (graded code runs only
 * through SUBJECT(); the test reads the segments itself); see grader.h.
 * Where the visible tests call each function in one process, these call it
 * across a fork, and on a segment already removed.
 *
 * Handout: labs/05-shm/README.md. Run one test: ipclab test 05 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include "grader.h"
#include "shm.h"
#include "../../tests/05-shm/segments.h"

/* ---- §3.2 the table across a fork ---- */

struct forked_table {
	key_t key;
	void *parent, *child;	/* what table_get returned in each */
	int child_maps;		/* the child's SYSV mappings after its calls */
	long nattch;		/* the segment's attachments, parent and child alive */
};

/* In the subject: table_get, fork, table_get 100 times in the child. */
static int table_in_child(struct forked_table *t)
{
	int link[2], status;
	pid_t child;

	t->parent = table_get(t->key, 4096);
	if (t->parent == NULL || pipe(link) == -1)
		return -1;
	child = fork();
	if (child == -1)
		return -1;
	if (child == 0) {
		void *got = NULL;
		int maps;

		for (int i = 0; i < 100; i++)
			got = table_get(t->key, 4096);
		maps = sysv_maps(getpid(), -1);
		if (write(link[1], &got, sizeof(got)) != (ssize_t)sizeof(got) ||
		    write(link[1], &maps, sizeof(maps)) != (ssize_t)sizeof(maps))
			_exit(1);
		_exit(0);
	}
	close(link[1]);
	if (read(link[0], &t->child, sizeof(t->child)) != (ssize_t)sizeof(t->child) ||
	    read(link[0], &t->child_maps, sizeof(t->child_maps)) != (ssize_t)sizeof(t->child_maps))
		t->child = NULL;
	waitpid(child, &status, 0);
	close(link[0]);
	return table_release();
}

GRADED_TEST(shm, table_inherited_by_fork, .task = "3.2", .points = 4,
	    .desc = "after fork, table_get() in the child returns the inherited table: no new "
		    "attachment",
	    .hint = "Handout 3.2: a child inherits its parent's attachments (and the remembered "
		    "address); fork counts in shm_nattch, table_get must not add to it.")
{
	struct forked_table t = {.key = ag_key()};
	int rc;

	rc = SUBJECT(table_in_child(&t), OUT(t));
	expect(rc == 0, "table_get, fork, table_get in the child, table_release in the parent: "
	       "expected 0, got %d (%s)", rc, strerror(errno));
	expect(t.child == t.parent, "in the child, table_get returned %p: expected the table the "
	       "parent attached before fork, at %p", t.child, t.parent);
	expect(t.child_maps == 1, "after 100 calls of table_get the child has %d System V "
	       "mappings: expected 1, the one fork gave it", t.child_maps);
	drop_segment(segment_of(t.key));
}

/* ---- §3.1 a removed segment can still be attached by id ---- */

static long attach_raw(void *arg)
{
	return shmat(*(int *)arg, NULL, 0) == (void *)-1 ? -1 : 0;
}

static long attach_graded(void *arg)
{
	return segment_attach(*(int *)arg, false) ? 0 : -1;
}

GRADED_TEST(shm, attach_removed_but_attached, .task = "3.1", .points = 4,
	    .desc = "segment_attach() of a segment removed while attached elsewhere succeeds "
		    "(Linux), and status shows both attachments",
	    .hint = "Handout 3.1: IPC_RMID while attached only marks the segment (SHM_DEST); "
		    "Linux still attaches it by id until the last detach.")
{
	int shmid = new_segment(0, 4096, 0600);
	struct held first = start_held("first attacher", attach_raw, &shmid), second;
	struct segment_status st = {0};
	int rc;

	ag_setup(first.value == 0, "shmat");
	drop_segment(shmid);
	second = start_held("second attacher", attach_graded, &shmid);
	expect(second.value == 0, "segment_attach(%d) of a segment marked removed, still "
	       "attached by another process: expected an address (Linux allows it), got NULL",
	       shmid);
	expect(sysv_maps(second.subject, shmid) == 1, "the second attacher does not map "
	       "segment %d", shmid);
	rc = SUBJECT(segment_status(shmid, &st), OUT(st));
	expect(rc == 0 && st.removed && st.attached == 2, "segment_status of it: expected removed "
	       "and attached 2, got rc %d, removed %d, attached %lu", rc, st.removed, st.attached);
	end_held(&second);
	end_held(&first);
	expect(attachments(shmid) == -1, "after the last detach, segment %d should be gone",
	       shmid);
}
