/*
 * runner.c - main() of every lab's test runner.
 *
 * Chooses the sandbox mode once, announces the plan (every test with its
 * points, deadline, description and hint) on the records descriptor, then
 * lets Criterion run the tests one at a time. Each test's worker writes its
 * own "result" record (sandbox.c); the POST_TEST hook adds an "end" record
 * so that ipclab can tell a worker that died from one that reported.
 *
 * Usage: RUNNER [criterion options]     e.g. --filter='*' /NAME, --list
 * With IPCLAB_RECORDS unset it is a plain Criterion runner; with
 * IPCLAB_PLAN_ONLY set it writes the plan and runs nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/options.h>
#include <criterion/internal/ordered-set.h>

#include "grader.h"
#include "records.h"
#include "sandbox.h"

static void emit_mode(int fd)
{
	const char *fields[] = {ag_mode_name(ag_mode), ag_mode_reason};

	rec_write(fd, "mode", 2, fields);
}

static void emit_plan(int fd, const char *suite, const char *name, const struct ag_spec *spec)
{
	char points[16], deadline[16];
	double seconds = spec->deadline > 0 ? spec->deadline : AG_DEFAULT_DEADLINE;
	const char *fields[6];

	snprintf(points, sizeof(points), "%d", spec->points);
	snprintf(deadline, sizeof(deadline), "%d", (int)(seconds * 1000));
	fields[0] = suite;
	fields[1] = name;
	fields[2] = points;
	fields[3] = deadline;
	fields[4] = spec->desc ? spec->desc : "";
	fields[5] = spec->hint ? spec->hint : "";
	rec_write(fd, "plan", 6, fields);
}

static void emit_plans(int fd, struct criterion_test_set *set)
{
	FOREACH_SET(struct criterion_suite_set *suite, set->suites) {
		FOREACH_SET(struct criterion_test *test, suite->tests) {
			const struct ag_spec *spec = test->data->data;

			if (spec)
				emit_plan(fd, test->category, test->name, spec);
		}
	}
}

ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	char passed[4], crashed[4], timed_out[4], signal[8], exit_code[8];
	const char *fields[7];
	int fd = ag_records_open();

	if (fd == -1)
		return;
	snprintf(passed, sizeof(passed), "%d", stats->test_status == CR_STATUS_PASSED);
	snprintf(crashed, sizeof(crashed), "%d", stats->crashed);
	snprintf(timed_out, sizeof(timed_out), "%d", stats->timed_out);
	snprintf(signal, sizeof(signal), "%d", stats->signal);
	snprintf(exit_code, sizeof(exit_code), "%d", stats->exit_code);
	fields[0] = stats->test->category;
	fields[1] = stats->test->name;
	fields[2] = passed;
	fields[3] = crashed;
	fields[4] = timed_out;
	fields[5] = signal;
	fields[6] = exit_code;
	rec_write(fd, "end", 7, fields);
	close(fd);
}

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	int fd = ag_records_open();
	int result = 0;

	criterion_options.jobs = 1;
	if (criterion_handle_args(argc, argv, true)) {
		ag_mode_choose();
		if (fd != -1) {
			emit_mode(fd);
			emit_plans(fd, tests);
		}
		if (fd != -1)
			close(fd);
		if (!getenv("IPCLAB_PLAN_ONLY"))
			result = !criterion_run_all_tests(tests);
	}
	criterion_finalize(tests);
	return result;
}
