/*
 * records.h - the line protocol between a lab's test runner and ipclab,
 * and the in-memory results that the reporters write out.
 *
 * The runner and its workers append records to the file named by the
 * environment variable IPCLAB_RECORDS (nothing when it is unset; Criterion's
 * workers inherit no descriptors, so it is a path), one record per line,
 * fields separated by a tab. Text fields are escaped: backslash -> "\\",
 * tab -> "\t", newline -> "\n", carriage return -> "\r"; every other byte is
 * passed through as is (it may be invalid UTF-8: the reporters sanitise).
 *
 *   mode    MODE REASON                  sandbox mode: ns | fallback | none
 *   plan    SUITE NAME POINTS DEADLINE_MS DESC HINT VISIBILITY TASK
 *                                        once per test, before any run
 *   result  SUITE NAME SCORE MAX STATUS MS MESSAGE HINT OUTPUT
 *                                        written by the test's worker when it ends
 *   end     SUITE NAME PASSED CRASHED TIMED_OUT SIGNAL EXIT_CODE
 *                                        written by the runner after each worker ends
 *   output  TEXT                         what ipclab showed above the tests (the
 *                                        compiler's messages), in the records it saves
 *
 * SCORE is a decimal number: a test that passes but leaks gets half its
 * POINTS, so 2.5 of 5. Scores are held as doubles: halves of whole numbers,
 * and their sums, are exact in a double.
 *
 * STATUS is one of passed, failed, leak, timeout, crashed, error (grader
 * fault), notrun. VISIBILITY is visible or hidden, as Gradescope says it: a
 * hidden test counts in the total, but students do not see it; a plan line
 * without it (the older form, 6 fields) is visible. TASK is the handout's
 * task the test grades ("3.2"), empty or absent when it names none.
 *
 * A "result" is authoritative; an "end" without a "result" means the worker
 * itself died and ipclab reports it from the "end" fields. ipclab reports
 * planned tests without either as "notrun" with the reason (global
 * deadline, runner crash).
 */
#ifndef RECORDS_H
#define RECORDS_H

#include <stdbool.h>
#include <stdio.h>

enum ag_status {
	AG_PASSED, AG_FAILED, AG_LEAK, AG_TIMEOUT, AG_CRASHED, AG_ERROR, AG_NOTRUN
};

const char *ag_status_name(enum ag_status status);
bool ag_status_parse(const char *word, enum ag_status *status);

/* One test as reported. Strings are owned by the result (malloc'd). */
struct ag_result {
	char *suite, *name, *desc;
	char *task;		/* "3.2": the handout's task; NULL when the plan names none */
	char *message;		/* why it failed: expected, got, where processes were blocked */
	char *hint;		/* what to read next */
	char *output;		/* what the submission printed (capped) */
	double score;		/* 0..max_score, in halves: a leak keeps half */
	int max_score;
	int deadline_ms;
	double seconds;
	enum ag_status status;
	bool hidden;		/* students see only its points in their total */
	bool planned, has_result, has_end;
	/* From the "end" record: how the worker process ended (reported when no "result"). */
	bool end_passed, end_crashed, end_timed_out;
	int end_signal, end_exit;
};

/*
 * A task of the lab's handout, from its heading
 * "### 3.2 run_pipeline(): who closes what (30 points)": the reports group
 * the tests by task, in the handout's order.
 */
struct ag_task {
	char *number;		/* "3.2": what a test's task names */
	char *title;		/* "run_pipeline(): who closes what" */
	char *where;		/* "labs/01-pipes/README.md#32-run_pipeline-who-closes-what-30-points" */
};

struct ag_run {
	char *lab;		/* "01-pipes" */
	char *title;		/* "Lab 01: pipes" */
	char *mode, *mode_reason;	/* sandbox mode as the runner reported it */
	char *output;		/* text shown above the tests (compile errors, runner crash) */
	bool not_built;		/* it did not compile or link: output holds the messages */
	struct ag_result *tests;
	int ntests;
	struct ag_task *tasks;	/* the handout's tasks, in its order; none when unknown */
	int ntasks;
	double seconds;
};

/* write(2) until all @len bytes of @buf are written, through EINTR: 0, or -1 with errno. */
int rec_write_all(int fd, const void *buf, size_t len);

/* Writing (runner side). Each call writes one whole line with one write(2). */
void rec_write(int fd, const char *kind, int nfields, const char *const fields[]);
/* The same line in memory (malloc'd, '\n'-terminated, length in *len), or NULL. */
char *rec_format(const char *kind, int nfields, const char *const fields[], size_t *len);

/* Reading (ipclab side): feed one line (without its '\n'). Returns false on a malformed line. */
bool rec_apply(struct ag_run *run, char *line);
/* Planned tests with no result become notrun with this reason; crashes are filled from "end". */
void rec_finish(struct ag_run *run, const char *notrun_reason);

void run_free(struct ag_run *run);
/* The handout task (run->tasks) the test grades, or NULL. */
const struct ag_task *run_task_of(const struct ag_run *run, const struct ag_result *test);
double run_score(const struct ag_run *run);
int run_max_score(const struct ag_run *run);
/*
 * Points as every report prints them: "2.5", "100" (never "2.50" or "100.0");
 * at most two decimals, trailing zeros dropped. Returns buf.
 */
#define AG_POINTS_LEN 32
char *ag_points(char buf[AG_POINTS_LEN], double points);
struct ag_result *run_add_test(struct ag_run *run, const char *suite, const char *name);
struct ag_result *run_find_test(struct ag_run *run, const char *suite, const char *name);

#endif
