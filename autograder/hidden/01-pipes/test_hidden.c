/*
 * test_hidden.c - hidden tests of Lab 01 (pipes), 5 points on top of the 100.
 *
 * Instructor-only: autograder/hidden/ is not in the student edition, and the
 * Makefile compiles this file with -DAG_HIDDEN_DEFAULT=1, so every test here
 * is "hidden" in results.json (students see only its points in their total).
 * Written like autograder/tests/01-pipes/test_pipes.c (graded code runs only
 * through SUBJECT()); see grader.h.
 *
 * Handout: labs/01-pipes/README.md. Run one test: ipclab test 01 NAME.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <unistd.h>

#include "grader.h"
#include "pipes.h"

/* What a copy of the caller's stdio buffer would put into the pipe. */
#define UNFLUSHED "ipclab: unflushed caller output\n"

/*
 * In the subject: run_pipeline() while UNFLUSHED waits in a stdio buffer on
 * fd 1. The buffer is filled here, not in the test: SUBJECT() flushes the
 * test's streams before it forks.
 */
static int run_with_unflushed_output(char *const cmd1[], char *const cmd2[])
{
	static char buffer[BUFSIZ];
	/* A stream of our own on fd 1, fully buffered for sure; never closed (it
	 * would close fd 1), purged after the call so nothing of it is printed. */
	FILE *caller_out = fdopen(STDOUT_FILENO, "w");
	int status;

	ag_setup(caller_out != NULL, "fdopen stdout");
	ag_setup(setvbuf(caller_out, buffer, _IOFBF, sizeof(buffer)) == 0, "setvbuf");
	ag_setup(fputs(UNFLUSHED, caller_out) >= 0 && __fpending(caller_out) > 0,
		 "buffer the caller's output");
	status = run_pipeline(cmd1, cmd2);
	__fpurge(caller_out);
	return status;
}

/*
 * Handout 5.8: a child whose execvp fails ends with _exit(127), because
 * exit() would flush its copy of the caller's stdio buffers, and cmd1's
 * stdout is the pipe by then. The visible tests only run a missing cmd2,
 * whose stdout is the caller's own.
 */
GRADED_TEST(pipes, pipeline_failed_exec_writes_nothing, .task = "3.2", .points = 5,
	    .desc = "a cmd1 that cannot be executed puts nothing into the pipe; cmd2 sees EOF",
	    .hint = "Handout 5.8: how a child ends after a failed execvp, and what else "
		    "goes with it.")
{
	char *cmd1[] = {"/nonexistent/ipclab-command", NULL};
	char *cmd2[] = {"sh", "-c", "wc -c > count.txt", NULL};
	struct ag_snapshot before;
	char got[32] = "";
	int status;

	ag_snapshot_take(&before);
	status = SUBJECT(run_with_unflushed_output(cmd1, cmd2));
	expect(status == 0, "/nonexistent/ipclab-command | wc -c: expected 0 (wc's status), "
	       "got %d", status);
	expect(ag_read_file("count.txt", got, sizeof(got)) > 0, "run_pipeline() returned 0, but "
	       "wc -c never ran (it would have written count.txt)");
	expect(atoi(got) == 0, "expected wc -c to count 0 bytes from a cmd1 that does not "
	       "exist, it counted %d: did the failed child flush a copy of the caller's "
	       "stdio buffer (%zu bytes) into the pipe?", atoi(got), sizeof(UNFLUSHED) - 1);
	expect_no_leaks(&before, "run_pipeline returned");
}
