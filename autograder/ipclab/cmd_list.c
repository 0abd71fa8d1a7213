/*
 * cmd_list.c - `ipclab list NN`: the lab's tests, by the handout's tasks in
 * its order, each with its points and what it checks (from the lab's test
 * list, build/tests/NN-topic/plan.records). Nothing runs.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ipclab.h"
#include "report.h"
#include "util.h"

static void list_test(const struct ag_result *t, int width)
{
	char *head = xstrfmt("%2d  %s%s", t->max_score, t->name, t->hidden ? " [hidden]" : "");

	report_wrapped(stdout, "  ", "", head, width);
	if (t->desc && *t->desc)
		report_wrapped(stdout, "      ", "", t->desc, width);
	free(head);
}

int cmd_list(int argc, char **argv)
{
	int c;

	if ((c = no_options("list", argc, argv)) != -1)
		return c;
	if (argc - optind != 1)
		return usage_error("list", optind >= argc ? "which lab? (ipclab list 01)" :
				   "one lab at a time");
	const struct lab *lab = lab_lookup(argv[optind]);
	if (lab == NULL)
		return EXIT_USAGE;

	char *plan = lab_plan_path(lab);
	struct ag_run run = {0};
	int width = terminal_width(STDOUT_FILENO), total = 0;

	if (records_load(&run, plan, NULL, true) == -1) {
		int rc = error_errno("no test list for lab %s (%s): run `make` in %s",
				     lab->number, plan, kit_root());
		free(plan);
		return rc;
	}
	lab_tasks(lab, &run);
	printf("%s: %d tests (points, name, what it checks)\n", lab->title, run.ntests);
	for (int k = 0; k < run.ntasks; k++) {
		const struct ag_task *task = &run.tasks[k];
		int points = 0;

		for (int i = 0; i < run.ntests; i++)
			if (run_task_of(&run, &run.tests[i]) == task && !run.tests[i].hidden)
				points += run.tests[i].max_score;
		char *head = xstrfmt("%s %s, %d points:", task->number, task->title, points);
		printf("\n");
		report_wrapped(stdout, "", "", head, width);
		report_wrapped(stdout, "  ", "", task->where, width);
		free(head);
		for (int i = 0; i < run.ntests; i++)
			if (run_task_of(&run, &run.tests[i]) == task)
				list_test(&run.tests[i], width);
	}
	for (int i = 0; i < run.ntests; i++) {
		if (run_task_of(&run, &run.tests[i]))
			continue;
		if (total++ == 0)
			printf("\nTests of no task in the handout:\n");
		list_test(&run.tests[i], width);
	}
	run_free(&run);
	free(plan);
	return 0;
}
