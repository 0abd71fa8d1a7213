/*
 * cmd_progress.c - `ipclab` alone: one line per lab from the last runs in
 * build/last/ ("01 pipes   82/100  last run 5 min ago", "not started"),
 * then whether every lab is at full marks.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "ipclab.h"
#include "util.h"

/* The lab's full marks from its plan, or -1. */
static int plan_max(const struct lab *lab)
{
	char *path = lab_plan_path(lab);
	struct ag_run plan = {0};
	int max = records_load(&plan, path, NULL, true) == 0 ? run_max_score(&plan) : -1;

	run_free(&plan);
	free(path);
	return max;
}

/* One lab's line; true when it is at full marks. */
static bool show_lab(const struct lab *lab)
{
	enum lab_state state = lab_state(lab);
	char *path = lab_last_path(lab);
	struct ag_run last = {0};
	struct stat st;
	bool full = false;

	printf("%s %-11s ", lab->number, lab->topic);
	if (records_load(&last, path, NULL, false) == 0 && last.ntests > 0 &&
		   stat(path, &st) == 0) {
		double score = run_score(&last);
		int max = run_max_score(&last);
		int planned = plan_max(lab);
		char ago[64];

		if (planned > max)
			max = planned;	/* tests added since, or never run */
		format_ago(ago, sizeof(ago), st.st_mtime);
		full = score == max && run_exit_status(&last) == 0;
		char points[64], shown[AG_POINTS_LEN];

		snprintf(points, sizeof(points), "%s/%d", ag_points(shown, score), max);
		printf("%-7s  last run %s%s\n", points, ago,
		       state == LAB_NOT_BUILT ? " (not built: run `make`)" : "");
	} else {
		printf("%s\n", state == LAB_NOT_BUILT ? "not built: run `make`" :
		       "not started");
	}
	run_free(&last);
	free(path);
	return full;
}

int cmd_progress(int argc, char **argv)
{
	int full = 0;
	const struct lab *next = NULL;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return usage_of("progress");
	if (argc > 1)
		return usage_error("progress", "takes no arguments");
	for (int i = 0; i < lab_count(); i++) {
		bool done = show_lab(lab_at(i));

		full += done;
		if (!done && !next && lab_state(lab_at(i)) == LAB_READY)
			next = lab_at(i);
	}
	if (lab_count() > 0 && full == lab_count())
		printf("\nevery lab is at full marks (%d of %d)\n", full, lab_count());
	else if (next)
		printf("\n%d of %d labs at full marks; next: ipclab test %s "
		       "(ipclab help for more)\n", full, lab_count(), next->number);
	return 0;
}
