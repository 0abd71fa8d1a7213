/*
 * test_hidden.c - hidden tests of Lab 07 (which IPC is fastest), 4 points
 * on top of the 100.
 *
 * Instructor-only: autograder/hidden/ is not in the student edition, and the
 * Makefile compiles this file with -DAG_HIDDEN_DEFAULT=1, so every test here
 * is "hidden" in results.json. Written like autograder/tests/07-compare/
 * test_links.c (graded code runs only through SUBJECT(); the test's own
 * side is judgelinks.h). Where the visible tests send messages of 1 byte
 * and more, this one sends the empty message that compare.h allows.
 *
 * Handout: labs/07-compare/README.md. Run one test: ipclab test 07 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "grader.h"
#include "compare.h"
#include "../../tests/07-compare/judgelinks.h"

/* In a subject: side 0 sends and receives a message of 0 bytes. */
static int empty_exchange(struct link *l, int *step)
{
	char buf[1];

	*step = 0;
	if (link_side(l, 0) == -1)
		return -1;
	*step = 1;
	if (link_send(l, buf, 0) == -1)
		return -1;
	*step = 2;
	if (link_recv(l, buf, 0) == -1)
		return -1;
	*step = 3;
	return link_send(l, "after", 5);
}

static char what_came[64];

/*
 * True when the first thing on the way to the test's side is the 5 bytes
 * "after", and nothing more; what_came says what came instead. Nothing
 * here waits: the subject has ended.
 */
static bool first_is_after(const struct link *l)
{
	char buf[LINK_CHUNK], wrong[160];

	snprintf(what_came, sizeof(what_came), "nothing");
	if (judge_nothing_more(l))
		return false;
	if (l->mech == MECH_MSGQ || l->mech == MECH_SHM || l->mech == MECH_RING) {
		if (judge_recv(l, buf, 5, wrong, sizeof(wrong)) == -1) {
			snprintf(what_came, sizeof(what_came), "something else (%.40s)", wrong);
			return false;
		}
	} else {
		/* judge_nothing_more() took the first byte of the stream. */
		if (judge_recv(l, buf + 1, 4, wrong, sizeof(wrong)) == -1)
			return false;
		buf[0] = 'a';
	}
	snprintf(what_came, sizeof(what_came), "\"%.5s\"", buf);
	return memcmp(buf, "after", 5) == 0 && judge_nothing_more(l);
}

GRADED_TEST(compare, empty_messages_move_nothing, .task = "3.2", .points = 4,
	    .desc = "link_send() of 0 bytes sends nothing and link_recv() of 0 bytes returns 0 "
		    "at once, over every mechanism",
	    .hint = "Handout 3.2: a message of len 0 is no message: no empty System V message, "
		    "no box announced, no byte written.")
{
	static const char *const steps[] = {"link_side()", "link_send(l, buf, 0)",
					    "link_recv(l, buf, 0)", "link_send(l, \"after\", 5)"};

	for (int m = 0; m < MECH_COUNT; m++) {
		struct link l;
		int rc, step = 0;

		judge_open(&l, m);
		rc = SUBJECT(empty_exchange(&l, &step), OUT(step));
		expect(rc == 0, "side 0 of a %s link: %s failed: %s", mech_const(m),
		       steps[step], result_text(rc, errno));
		/* The test is side 1 now: its copy of side 0's ends goes, and EOF can come. */
		judge_side(&l, 1);
		/* Then the 5 bytes sent after the empty message, and nothing before them. */
		expect(first_is_after(&l), "link_send(l, buf, 0) over a %s link sent something, "
		       "or the 5 bytes sent after it did not come: %s came first", mech_const(m),
		       what_came);
		judge_close(&l, true);
	}
}
