/*
 * cmd_hint.c - `ipclab hint NN [TEST]`: the hints of the tests that failed
 * in the last `ipclab test NN` (build/last/NN-topic.results), or of TEST;
 * before any run, what every test checks and its hint. Hints point to the
 * handout, never to the answer.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ipclab.h"
#include "util.h"

/* The first line of a message, for a one-line "why". */
static void print_first_line(const char *label, const char *text)
{
	if (text && *text)
		printf("    %s: %.*s\n", label, (int)strcspn(text, "\n"), text);
}

static void print_test(const struct ag_result *t, const char *handout, bool ran)
{
	char score[AG_POINTS_LEN];

	if (ran)
		printf("\n%s (%s, %s/%d): %s\n", t->name, ag_status_name(t->status),
		       ag_points(score, t->score), t->max_score, t->desc ? t->desc : "");
	else
		printf("\n%s (%d points): %s\n", t->name, t->max_score,
		       t->desc ? t->desc : "");
	if (ran && t->status != AG_PASSED)
		print_first_line("why", t->message);
	print_first_line("hint", t->hint);
	printf("    read: %s\n", handout);
}

static const struct ag_result *find_name(const struct ag_run *run, const char *name)
{
	for (int i = 0; i < run->ntests; i++)
		if (strcmp(run->tests[i].name, name) == 0)
			return &run->tests[i];
	return NULL;
}

static int show_hints(const struct lab *lab, const struct ag_run *run, const char *test,
		      bool ran, const char *when)
{
	char *handout = xstrfmt("labs/%s/README.md", lab->dir);
	int shown = 0;

	if (test) {
		const struct ag_result *t = find_name(run, test);

		if (t == NULL) {
			free(handout);
			return error_msg("lab %s has no test named '%s' "
					 "(`ipclab hint %s` lists them)",
					 lab->number, test, lab->number);
		}
		print_test(t, handout, ran);
		free(handout);
		return 0;
	}
	if (ran)
		printf("Lab %s, last run %s (ipclab test %s):\n", lab->number, when,
		       lab->number);
	else
		printf("Lab %s has not been run yet (ipclab test %s runs it). "
		       "What each test checks:\n", lab->number, lab->number);
	for (int i = 0; i < run->ntests; i++) {
		if (ran && run->tests[i].status == AG_PASSED)
			continue;
		print_test(&run->tests[i], handout, ran);
		shown++;
	}
	if (ran && shown == 0)
		printf("every test passed: no hints needed.\n");
	free(handout);
	return 0;
}

int cmd_hint(int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 'h')
			return usage_of("hint");
		return bad_option("hint", argv, c);
	}
	if (optind >= argc || argc - optind > 2)
		return usage_error("hint", optind >= argc ?
				   "which lab? (ipclab hint 01)" : "one test at a time");
	const char *test = argc - optind == 2 ? argv[optind + 1] : NULL;
	if (test && !valid_test_name(test))
		return usage_error("hint", "'%s' is not a test name", test);
	const struct lab *lab = lab_lookup(argv[optind]);
	if (lab == NULL)
		return EXIT_USAGE;

	char *last = lab_last_path(lab), *plan = lab_plan_path(lab), when[64] = "";
	struct ag_run run = {0};
	struct stat st;
	bool ran = records_load(&run, last, NULL, false) == 0 && run.ntests > 0;
	int rc = 0;

	if (ran && stat(last, &st) == 0)
		format_ago(when, sizeof(when), st.st_mtime);
	if (!ran && records_load(&run, plan, NULL, true) == -1)
		rc = error_errno("no test list for lab %s (%s): run `make` in %s",
				 lab->number, plan, kit_root());
	if (rc == 0)
		rc = show_hints(lab, &run, test, ran, when);
	run_free(&run);
	free(last);
	free(plan);
	return rc == 0 ? 0 : EXIT_USAGE;
}
