/*
 * runner.c - main() of every lab's test runner.
 *
 * The tests are Criterion tests (Test(), --list, filters). The runner runs
 * them in one of two ways:
 *
 *  - for ipclab (IPCLAB_RECORDS set): its own loop. Each test gets a forked
 *    worker, up to -j at a time, and each worker's ag_run() sandboxes the
 *    body as usual. Criterion's own workers cost about 100 ms each here
 *    (a re-exec and a message bus per test), more than most of our tests.
 *  - otherwise, or with IPCLAB_CRITERION=1: Criterion's runner, with all of
 *    its options; each worker still writes its result record.
 *
 * Either way the runner first chooses the sandbox mode, then writes the plan
 * (every selected test with points, deadline, description and hint), and an
 * "end" record after each worker so that ipclab can tell a worker that died
 * from one that reported.
 *
 * Only Criterion's public API is used (criterion/internal/ changes between
 * releases): the graded tests are listed from the specs that each
 * GRADED_TEST registers (ag_register), in Criterion's order, by suite and
 * then by name.
 *
 * Usage: RUNNER [-jN] [--filter=SUITE/NAME-PATTERN] [criterion options]
 * With IPCLAB_PLAN_ONLY set it writes the plan and runs nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/options.h>
#include <valgrind/valgrind.h>

#include "grader.h"
#include "records.h"
#include "sandbox.h"

#define MAX_JOBS 16

static void emit(const char *kind, int n, const char *const fields[])
{
	int fd = ag_records_open();

	if (fd == -1)
		return;
	rec_write(fd, kind, n, fields);
	close(fd);
}

static void emit_plan(const struct ag_spec *spec)
{
	double seconds = ag_deadline(spec);
	char points[16], deadline[16];
	const char *fields[8];

	snprintf(points, sizeof(points), "%d", spec->points);
	snprintf(deadline, sizeof(deadline), "%d", (int)(seconds * 1000));
	fields[0] = spec->suite;
	fields[1] = spec->name;
	fields[2] = points;
	fields[3] = deadline;
	fields[4] = spec->desc ? spec->desc : "";
	fields[5] = spec->hint ? spec->hint : "";
	fields[6] = spec->hidden ? "hidden" : "visible";
	fields[7] = spec->task ? spec->task : "";
	emit("plan", 8, fields);
}

static void emit_end(const char *suite, const char *name, bool passed, bool crashed,
		     bool timed_out, int sig, int exit_code)
{
	char flags[3][4], signal[8], code[8];
	const char *fields[7];

	snprintf(flags[0], sizeof(flags[0]), "%d", passed);
	snprintf(flags[1], sizeof(flags[1]), "%d", crashed);
	snprintf(flags[2], sizeof(flags[2]), "%d", timed_out);
	snprintf(signal, sizeof(signal), "%d", sig);
	snprintf(code, sizeof(code), "%d", exit_code);
	fields[0] = suite;
	fields[1] = name;
	fields[2] = flags[0];
	fields[3] = flags[1];
	fields[4] = flags[2];
	fields[5] = signal;
	fields[6] = code;
	emit("end", 7, fields);
}

ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	emit_end(stats->test->category, stats->test->name,
		 stats->test_status == CR_STATUS_PASSED, stats->crashed, stats->timed_out,
		 stats->signal, stats->exit_code);
}

/* ---- the graded tests ---- */

static struct ag_spec *graded;	/* sorted by suite, then name */

static int spec_order(const struct ag_spec *a, const struct ag_spec *b)
{
	int by_suite = strcmp(a->suite, b->suite);

	return by_suite ? by_suite : strcmp(a->name, b->name);
}

/* Runs before main (a constructor of each test): cannot fail, allocates nothing. */
void ag_register(struct ag_spec *spec)
{
	struct ag_spec **at = &graded;

	while (*at && spec_order(*at, spec) < 0)
		at = &(*at)->next;
	spec->next = *at;
	*at = spec;
}

/* ---- our own loop ---- */

struct options {
	int jobs;
	const char *filter;	/* fnmatch pattern over "suite/name", or NULL */
	bool criterion;		/* leave everything to Criterion */
};

static struct options parse_options(int argc, char *argv[])
{
	struct options opt = {.jobs = 1};

	opt.criterion = !getenv("IPCLAB_RECORDS") || getenv("IPCLAB_CRITERION");
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "-j", 2) == 0 && argv[i][2])
			opt.jobs = atoi(argv[i] + 2);
		else if (strncmp(argv[i], "--jobs=", 7) == 0)
			opt.jobs = atoi(argv[i] + 7);
		else if (strncmp(argv[i], "--filter=", 9) == 0)
			opt.filter = argv[i] + 9;
		else
			opt.criterion = true;	/* an option only Criterion knows */
	}
	if (opt.jobs < 1 || opt.jobs > MAX_JOBS)
		opt.jobs = 1;
	return opt;
}

static bool selected(const struct ag_spec *spec, const char *filter)
{
	char id[512];

	if (!filter)
		return true;
	snprintf(id, sizeof(id), "%s/%s", spec->suite, spec->name);
	return fnmatch(filter, id, 0) == 0;
}

struct running {
	pid_t pid;
	const struct ag_spec *spec;
};

/* Waits for one worker and writes its "end" record. */
static void reap_one(struct running *slots, int *nrunning)
{
	int status;
	pid_t pid = waitpid(-1, &status, 0);

	if (pid == -1)
		return;
	for (int i = 0; i < *nrunning; i++) {
		if (slots[i].pid != pid)
			continue;
		emit_end(slots[i].spec->suite, slots[i].spec->name,
			 WIFEXITED(status) && WEXITSTATUS(status) == 0, WIFSIGNALED(status), false,
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0,
			 WIFEXITED(status) ? WEXITSTATUS(status) : 0);
		slots[i] = slots[--*nrunning];
		return;
	}
}

static int run_direct(const struct options *opt)
{
	struct running slots[MAX_JOBS];
	int nrunning = 0;

	ag_direct = true;
	for (const struct ag_spec *spec = graded; spec; spec = spec->next) {
		pid_t pid;

		if (!selected(spec, opt->filter))
			continue;
		while (nrunning >= opt->jobs)
			reap_one(slots, &nrunning);
		pid = fork();
		if (pid == 0) {
			/* Criterion turns valgrind's error reports off in the
			 * runner; the code under test must be checked. */
			VALGRIND_ENABLE_ERROR_REPORTING;
			ag_run(spec);	/* exits */
		}
		if (pid == -1) {
			perror("runner: fork");
			return 1;
		}
		slots[nrunning++] = (struct running){pid, spec};
	}
	while (nrunning > 0)
		reap_one(slots, &nrunning);
	return 0;
}

static void emit_header(const char *filter)
{
	const char *fields[] = {ag_mode_name(ag_mode), ag_mode_reason};

	emit("mode", 2, fields);
	for (const struct ag_spec *spec = graded; spec; spec = spec->next) {
		if (selected(spec, filter))
			emit_plan(spec);
	}
}

int main(int argc, char *argv[])
{
	struct criterion_test_set *tests = criterion_initialize();
	struct options opt = parse_options(argc, argv);
	int result = 0;

	prctl(PR_SET_DUMPABLE, 0);	/* its descriptors and memory: none of the tests' business */
	/* Criterion's workers re-execute us: pass the chosen mode on. */
	ag_mode_choose();
	setenv("IPCLAB_SANDBOX", ag_mode_name(ag_mode), 1);
	if (opt.criterion) {
		criterion_options.jobs = 1;
		if (criterion_handle_args(argc, argv, true)) {
			emit_header(NULL);
			result = !criterion_run_all_tests(tests);
		}
	} else {
		emit_header(opt.filter);
		if (!getenv("IPCLAB_PLAN_ONLY"))
			result = run_direct(&opt);
	}
	criterion_finalize(tests);
	return result;
}
