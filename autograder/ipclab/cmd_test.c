/*
 * cmd_test.c - `ipclab test NN [TEST...] [-v]`: grades the student's
 * working copy labs/NN-topic/ in build/work/NN-topic/ (kept between runs, so
 * an unchanged lab is not compiled again) and saves the results in
 * build/last/NN-topic.results for `ipclab` and `ipclab hint`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "build.h"
#include "ipclab.h"
#include "report.h"
#include "util.h"

/*
 * Saves the run for `ipclab` and `ipclab hint`. A run of some tests only
 * updates those in the last results (their records applied over the old
 * ones), so the lab's score stays whole.
 */
static void save_last(const struct lab *lab, const struct ag_run *run,
		      const struct selection *only)
{
	char *dir = kit_path("build/last");
	char *path = lab_last_path(lab);
	char *update = xstrfmt("%s.update", path);
	struct ag_run merged = {0};
	int rc = mkdir_p(dir);

	if (rc == 0 && only->n > 0 && records_load(&merged, path, NULL, false) == 0) {
		rc = records_save(update, run);
		if (rc == 0)
			rc = records_load(&merged, update, NULL, false);
		unlink(update);
		run = &merged;
	}
	if (rc == -1 || records_save(path, run) == -1)
		error_errno("cannot save the results in %s", path);
	run_free(&merged);
	free(update);
	free(path);
	free(dir);
}

/*
 * One `ipclab test NN` at a time uses build/work/NN-topic (a watch and a test
 * started by hand, say): the others wait. Returns the lock's descriptor, or -1
 * when interrupted while waiting.
 */
static int lock_workdir(const struct lab *lab, const char *workdir)
{
	char *path = xstrfmt("%s/lock", workdir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	free(path);
	if (fd == -1)
		return error_errno("cannot create %s/lock", workdir);
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	fprintf(stderr, "ipclab: waiting for another `ipclab test %s` to finish\n",
		lab->number);
	while (flock(fd, LOCK_EX) == -1) {
		if (errno != EINTR || interrupted_by) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

int test_lab(const struct lab *lab, const struct selection *only, bool verbose)
{
	char *workdir = kit_path("build/work/%s", lab->dir);
	char *labdir = kit_path("labs/%s", lab->dir);
	char *shown = xstrfmt("labs/%s", lab->dir);
	char *rerun = xstrfmt("ipclab test %s", lab->number);
	char *problem = NULL;
	struct ag_run run = {0};
	struct grade_opts opts = {.only = *only, .progress = isatty(STDOUT_FILENO)};
	struct report_style style = {.colour = use_colour(STDOUT_FILENO),
				     .verbose = verbose, .focus = only->n == 0,
				     .width = terminal_width(STDOUT_FILENO), .rerun = rerun};
	int status = EXIT_USAGE, lock = -1;

	if (check_test_names(lab, only) == -1)
		goto out;
	if (mkdir_p(workdir) == -1) {
		error_errno("cannot create %s", workdir);
		goto out;
	}
	if ((lock = lock_workdir(lab, workdir)) == -1)
		goto out;
	if (build_copy_sources(lab, labdir, shown, workdir, false, &problem) == -1) {
		error_msg("%s (`ipclab reset %s` puts the skeleton back)", problem,
			  lab->number);
		goto out;
	}
	if (grade_workdir(lab, workdir, &opts, &run) == -1)
		goto out;
	if (!interrupted_by)	/* a run cut short says nothing about the lab */
		save_last(lab, &run, only);
	lab_tasks(lab, &run);
	report_terminal(stdout, &run, &style);	/* last: its last line is the score */
	fflush(stdout);
	status = run_exit_status(&run);
out:
	if (lock != -1)
		close(lock);
	run_free(&run);
	free(problem);
	free(rerun);
	free(shown);
	free(labdir);
	free(workdir);
	return status;
}

/* `ipclab test` with no lab: every lab whose working copy is not the skeleton. */
static int test_started_labs(bool verbose)
{
	struct selection none = {NULL, 0};
	int status = 0, tested = 0;

	for (int i = 0; i < lab_count() && !interrupted_by; i++) {
		const struct lab *lab = lab_at(i);
		char *labdir = kit_path("labs/%s", lab->dir);
		bool started = lab_state(lab) == LAB_READY && !lab_is_pristine(lab, labdir);

		free(labdir);
		if (!started)
			continue;
		if (tested++ > 0)
			printf("\n");
		int rc = test_lab(lab, &none, verbose);
		status = rc > status ? rc : status;
	}
	if (tested == 0) {
		printf("No lab is started yet: every labs/NN-topic/ holds its skeleton.\n"
		       "Begin with lab 01: read labs/%s/README.md, then `ipclab test 01`.\n",
		       lab_count() > 0 ? lab_at(0)->dir : "01-pipes");
		return EXIT_USAGE;
	}
	return status;
}

int cmd_test(int argc, char **argv)
{
	static const struct option options[] = {
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, ":vh", options, NULL)) != -1) {
		if (c == 'v')
			verbose = true;
		else if (c == 'h')
			return usage_of("test");
		else
			return bad_option("test", argv, c);
	}
	if (optind >= argc) {
		int status = test_started_labs(verbose);
		if (interrupted_by)
			reraise_interrupt();
		return status;
	}
	for (int i = optind + 1; i < argc; i++)
		if (!valid_test_name(argv[i]))
			return usage_error("test", "'%s' is not a test name", argv[i]);

	const struct lab *lab = lab_lookup(argv[optind]);
	if (lab == NULL)
		return EXIT_USAGE;
	struct selection only = {argv + optind + 1, argc - optind - 1};
	int status = test_lab(lab, &only, verbose);
	if (interrupted_by)
		reraise_interrupt();
	return status;
}
