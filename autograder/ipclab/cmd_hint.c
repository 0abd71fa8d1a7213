/*
 * cmd_hint.c - `ipclab hint NN [TEST]`: where to go next. For the first task
 * of the handout that the last `ipclab test NN` (build/last/NN-topic.results)
 * did not pass: its handout section, the hint and the first line of the
 * failure of each test it failed, and the handout's common traps that those
 * hints lead to; for TEST, the same about that one test, its whole failure
 * message. Before any run, the first task's tests. Hints point to the
 * handout, never to the answer.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ipclab.h"
#include "report.h"
#include "util.h"

#define MAX_SECTIONS 32

/* Sections a text names, "3.1" in "Handout 2.7 and 3.1:" or "(§3.1)", added to secs. */
static int sections_in(const char *text, char secs[][16], int n)
{
	regex_t re;
	regmatch_t m;

	if (text == NULL || regcomp(&re, "[0-9]+\\.[0-9]+", REG_EXTENDED) != 0)
		return n;
	for (const char *p = text; n < MAX_SECTIONS && regexec(&re, p, 1, &m, 0) == 0;
	     p += m.rm_eo) {
		int len = (int)(m.rm_eo - m.rm_so);
		bool known = false;

		for (int i = 0; i < n; i++)
			known |= (int)strlen(secs[i]) == len && strncmp(secs[i], p + m.rm_so, len) == 0;
		if (!known && len < 16)
			snprintf(secs[n++], 16, "%.*s", len, p + m.rm_so);
	}
	regfree(&re);
	return n;
}

/* True when the trap cites one of the sections, as "§3.1" (not "§3.10"). */
static bool trap_cites(const char *trap, char secs[][16], int n)
{
	for (int i = 0; i < n; i++) {
		char *mark = xstrfmt("§%s", secs[i]);
		size_t len = strlen(mark);

		for (const char *p = strstr(trap, mark); p; p = strstr(p + 1, mark)) {
			char after = p[len];
			if (!(after >= '0' && after <= '9') && !(after == '.' && p[len + 1] >= '0' &&
								 p[len + 1] <= '9')) {
				free(mark);
				return true;
			}
		}
		free(mark);
	}
	return false;
}

/* The handout's traps that the sections lead to; how many were shown. */
static int show_traps(const struct lab *lab, char secs[][16], int nsecs, int width)
{
	char **traps;
	int ntraps = lab_traps(lab, &traps), shown = 0;

	for (int i = 0; i < ntraps; i++) {
		if (!trap_cites(traps[i], secs, nsecs))
			continue;
		if (shown++ == 0)
			printf("\nCommon traps these hints lead to (the handout's section 5):\n");
		printf("\n");
		report_wrapped(stdout, "  ", "", traps[i], width);
	}
	for (int i = 0; i < ntraps; i++)
		free(traps[i]);
	free(traps);
	return shown;
}

/* One test: its points and description, why it failed (the first line, or all), its hint. */
static void show_test(const struct ag_result *t, bool ran, bool whole_why, int width)
{
	char score[AG_POINTS_LEN], *head;

	if (ran)
		head = xstrfmt("%s (%s, %s/%d)", t->name, ag_status_name(t->status),
			       ag_points(score, t->score), t->max_score);
	else
		head = xstrfmt("%s (%d points)", t->name, t->max_score);
	printf("\n");
	report_wrapped(stdout, "  ", "", head, width);
	if (t->desc && *t->desc)
		report_wrapped(stdout, "    ", "", t->desc, width);
	if (ran && t->status != AG_PASSED && t->message && *t->message) {
		char *why = whole_why ? xstrdup(t->message) :
			xstrfmt("%.*s", (int)strcspn(t->message, "\n"), t->message);
		report_wrapped(stdout, "    ", "why: ", why, width);
		free(why);
	}
	if (t->hint && *t->hint)
		report_wrapped(stdout, "    ", "hint: ", t->hint, width);
	free(head);
}

static bool to_do(const struct ag_result *t, bool ran)
{
	return !ran || t->status != AG_PASSED;
}

/* The task's title and handout section: "3.1 read_full() ..., in labs/...#31-...". */
static void show_task(const struct ag_task *task, const char *handout, int width)
{
	char *line = task ? xstrfmt("%s %s, in %s", task->number, task->title, task->where) :
		xstrfmt("the tests below, in %s", handout);

	report_wrapped(stdout, "", "read: ", line, width);
	free(line);
}

/* The first task not done: its section, its tests to do, the traps. */
static void show_first_task(const struct lab *lab, const struct ag_run *run, bool ran,
			    int width)
{
	char secs[MAX_SECTIONS][16];
	const struct ag_result *first = NULL;
	int nsecs = 0, later = 0;
	char *handout = xstrfmt("labs/%s/README.md", lab->dir);

	for (int t = 0; t <= run->ntasks && first == NULL; t++)	/* handout order, then the rest */
		for (int i = 0; i < run->ntests && first == NULL; i++)
			if (to_do(&run->tests[i], ran) &&
			    (t < run->ntasks ? run_task_of(run, &run->tests[i]) == &run->tasks[t] :
			     run_task_of(run, &run->tests[i]) == NULL))
				first = &run->tests[i];
	if (first == NULL) {
		printf("every test passed: no hints needed.\n");
		free(handout);
		return;
	}
	const struct ag_task *task = run_task_of(run, first);
	show_task(task, handout, width);
	for (int i = 0; i < run->ntests; i++) {
		const struct ag_result *t = &run->tests[i];

		if (!to_do(t, ran))
			continue;
		if (run_task_of(run, t) != task) {
			later++;
			continue;
		}
		show_test(t, ran, false, width);
		nsecs = sections_in(t->hint, secs, nsecs);
	}
	if (task)
		nsecs = sections_in(task->number, secs, nsecs);
	show_traps(lab, secs, nsecs, width);
	if (later > 0)
		printf("\n%d more test%s to do in later tasks (`ipclab list %s` lists every test).\n",
		       later, later == 1 ? "" : "s", lab->number);
	free(handout);
}

static int show_hints(const struct lab *lab, const struct ag_run *run, const char *test,
		      bool ran, const char *when)
{
	int width = terminal_width(STDOUT_FILENO);

	if (test) {
		const struct ag_result *t = run_find_test((struct ag_run *)run, "", test);
		char secs[MAX_SECTIONS][16];
		char *handout = xstrfmt("labs/%s/README.md", lab->dir);

		for (int i = 0; t == NULL && i < run->ntests; i++)
			if (strcmp(run->tests[i].name, test) == 0)
				t = &run->tests[i];
		if (t == NULL) {
			free(handout);
			return error_msg("lab %s has no test named '%s' "
					 "(`ipclab list %s` lists them)",
					 lab->number, test, lab->number);
		}
		show_task(run_task_of(run, t), handout, width);
		show_test(t, ran, true, width);
		int nsecs = sections_in(t->hint, secs, 0);
		show_traps(lab, secs, sections_in(t->task, secs, nsecs), width);
		free(handout);
		return 0;
	}
	if (ran)
		printf("Lab %s, last run %s (ipclab test %s): where to go next.\n", lab->number,
		       when, lab->number);
	else
		printf("Lab %s has not been run yet (ipclab test %s runs it; ipclab list %s lists "
		       "its tests). Where to begin:\n", lab->number, lab->number, lab->number);
	show_first_task(lab, run, ran, width);
	return 0;
}

int cmd_hint(int argc, char **argv)
{
	int c;

	if ((c = no_options("hint", argc, argv)) != -1)
		return c;
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
	lab_tasks(lab, &run);
	if (rc == 0)
		rc = show_hints(lab, &run, test, ran, when);
	run_free(&run);
	free(last);
	free(plan);
	return rc == 0 ? 0 : EXIT_USAGE;
}
