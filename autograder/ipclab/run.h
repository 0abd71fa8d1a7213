/*
 * run.h - running a lab's test runner and collecting its records.
 *
 * The runner (a Criterion binary with the grading library's main) runs in
 * its own process group: cwd the work directory, stdin /dev/null, stdout
 * and stderr into a pipe whose last 16 KiB are kept (shown when the runner
 * fails). It and its workers append records to WORKDIR/records (named by
 * IPCLAB_RECORDS), which ipclab reads as it grows. One run covers the
 * whole lab, or one run per named test (`--filter=*` `/NAME`). ipclab is a
 * child subreaper: whatever the runner leaves behind comes back to it and is
 * killed. A global deadline (the planned tests' deadlines + 30 s, or the
 * user's) bounds the whole run; when it passes, or on SIGINT/SIGTERM, the
 * runner's tree is killed. On every path each planned test ends with a
 * status (rec_finish), so the reports can always be written.
 */
#ifndef IPCLAB_RUN_H
#define IPCLAB_RUN_H

#include <stdbool.h>
#include "labs.h"
#include "records.h"

#define DEADLINE_SLACK 30	/* seconds added to the planned tests' deadlines */

/* Which tests of a lab: all (n == 0) or the ones named. */
struct selection {
	char *const *names;
	int n;
};

struct grade_opts {
	struct selection only;
	double deadline;	/* global deadline in seconds; 0: from the plan */
	bool progress;		/* redraw "[3/18] name" on stdout while tests run */
};

/*
 * Builds the lab's sources found in workdir and runs its tests: fills run
 * (lab, title, tests, output, seconds). A submission that does not compile
 * fails every planned test. Returns 0, or -1 when the kit or the compiler is
 * missing (already said).
 */
int grade_workdir(const struct lab *lab, const char *workdir,
		  const struct grade_opts *opts, struct ag_run *run);

/*
 * Every planned test of the lab (from its plan file) that has no result ends with
 * status (failed: the submission's fault; error: the grader's) and reason.
 */
void fail_all(const struct lab *lab, const struct selection *only, const char *reason,
	      enum ag_status status, struct ag_run *run);

/*
 * The submission cannot be graded: run (empty) gets every planned test failed
 * with status and "not graded: problem", and problem as its output.
 */
void run_not_graded(const struct lab *lab, const struct selection *only,
		    const char *problem, enum ag_status status, struct ag_run *run);

/* Exit status for a run: 0 when every test passed, else 1. */
int run_exit_status(const struct ag_run *run);

/*
 * Applies the records of a file to run, for the selected tests; with plan_only,
 * only the "plan" lines of tests that run does not know yet. -1 with errno.
 */
int records_load(struct ag_run *run, const char *path, const struct selection *only,
		 bool plan_only);
/* Writes the run as records (plan + result per test), atomically. -1 with errno. */
int records_save(const char *path, const struct ag_run *run);

bool selected(const struct selection *only, const char *name);
/* 0 when each name is a test of the lab (or no plan says); else says which is not. */
int check_test_names(const struct lab *lab, const struct selection *only);

/* Kills and reaps every descendant of this process (which is a subreaper). */
void kill_descendants(void);

#endif
