/*
 * cmd_grade.c - `ipclab grade NN DIR [TEST...] [--results FILE] [--junit FILE]
 * [--records FILE] [--deadline SECONDS]`: grades a submission (only the TESTs
 * named, if any). Only the lab's source files are copied out of DIR (regular
 * files, at most 1 MiB, no symlinks) into a fresh scratch directory; DIR is
 * never written. The reports are written on every path, a submission that
 * cannot be graded included.
 * `ipclab grade NN PATH... [--out DIR] [--jobs N] [--regrade]` grades a class
 * (batch.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "batch.h"
#include "build.h"
#include "gradelimits.h"
#include "ipclab.h"
#include "report.h"
#include "stage.h"
#include "util.h"

struct grade_args {
	const char *results, *junit, *records;
	double deadline;
	const char *lab_name, *dir;
	struct selection only;
	struct batch_opts batch;
	bool batch_asked;	/* an option only a batch takes was given */
	char **rest;		/* the arguments after NN */
	int nrest;
};

/* A number of parallel gradings: 1 to 256. */
static int parse_jobs(const char *text, int *jobs)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (end == text || *end || n < 1 || n > 256)
		return usage_error("grade", "--jobs wants a number from 1 to 256, not '%s'",
				   text);
	*jobs = (int)n;
	return -1;
}

static int parse(int argc, char **argv, struct grade_args *args)
{
	static const struct option options[] = {
		{"results", required_argument, NULL, 'r'},
		{"junit", required_argument, NULL, 'j'},
		{"deadline", required_argument, NULL, 'd'},
		{"records", required_argument, NULL, 'R'},
		{"out", required_argument, NULL, 'o'},
		{"jobs", required_argument, NULL, 'J'},
		{"regrade", no_argument, NULL, 'g'},
		{"limits", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'r':
			args->results = optarg;
			break;
		case 'j':
			args->junit = optarg;
			break;
		case 'd':
			args->deadline = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(args->deadline) ||
			    args->deadline <= 0)
				return usage_error("grade", "--deadline wants "
						   "seconds > 0, not '%s'", optarg);
			break;
		case 'R':
			args->records = optarg;
			break;
		case 'o':
			args->batch.out = optarg;
			args->batch_asked = true;
			break;
		case 'J':
			if (parse_jobs(optarg, &args->batch.jobs) != -1)
				return EXIT_USAGE;
			args->batch_asked = true;
			break;
		case 'L':
			if (!limits_known(optarg))
				return usage_error("grade", "--limits knows 'gradescope' (half a "
						   "CPU, 768 MiB, 64 MiB /dev/shm), not '%s'",
						   optarg);
			args->batch.limits = optarg;
			break;
		case 'g':
			args->batch.regrade = true;
			args->batch_asked = true;
			break;
		case 'h':
			usage_of("grade");
			return 0;
		default:
			return bad_option("grade", argv, c);
		}
	}
	if (argc - optind < 2)
		return usage_error("grade", "which lab, and which submissions? "
				   "(ipclab grade 01 submission/, or ipclab grade 01 "
				   "submissions/*)");
	args->lab_name = argv[optind];
	args->rest = argv + optind + 1;
	args->nrest = argc - optind - 1;
	args->batch.deadline = args->deadline;
	return -1;
}

/*
 * One submission and test names (the arguments after it are not paths, or an
 * option for one submission was given), or a batch: several paths, a
 * directory of submissions, or a batch option.
 */
static int choose(const struct lab *lab, struct grade_args *args, bool *batch)
{
	bool one = args->results || args->junit || args->records, paths = false;

	if (one && args->batch_asked)
		return usage_error("grade", "--results, --junit and --records are for one "
				   "submission: a batch (--out, --jobs, --regrade) writes "
				   "them per submission under --out");
	for (int i = 1; i < args->nrest; i++)
		paths |= access(args->rest[i], F_OK) == 0;
	*batch = !one && (args->batch_asked || paths || batch_is_class_dir(lab, args->rest[0]));
	if (*batch) {
		for (int i = 0; i < args->nrest; i++)
			if (access(args->rest[i], F_OK) == -1)
				return usage_error("grade", "%s: no such submission (a batch "
						   "grades whole labs: name tests only "
						   "when grading one submission)",
						   args->rest[i]);
		return -1;
	}
	for (int i = 1; i < args->nrest; i++)
		if (!valid_test_name(args->rest[i]))
			return usage_error("grade", "'%s' is neither a test name nor a "
					   "submission", args->rest[i]);
	args->dir = args->rest[0];
	args->only = (struct selection){args->rest + 1, args->nrest - 1};
	return -1;
}

/* dir as a shell word, for the rerun hint. */
static char *shell_word(const char *s)
{
	if (s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		     "_-./+:@%,=")] == '\0' && *s)
		return xstrdup(s);
	char *word = xmalloc(4 * strlen(s) + 3), *out = word;
	*out++ = '\'';
	for (; *s; s++)
		out = *s == '\'' ? stpcpy(out, "'\\''") : (*out = *s, out + 1);
	strcpy(out, "'");
	return word;
}

/* "pipes.c" or "a.c, b.c" */
static char *source_list(const struct lab *lab)
{
	char *list = xstrdup(lab->sources[0]);

	for (int i = 1; lab->sources[i]; i++) {
		char *longer = xstrfmt("%s, %s", list, lab->sources[i]);
		free(list);
		list = longer;
	}
	return list;
}

/* A fresh directory, as an absolute path (the runner's workers chdir); NULL if none. */
static char *make_scratch(void)
{
	const char *tmp = getenv("TMPDIR");
	char *scratch = xstrfmt("%s/ipclab-grade-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *absolute = NULL;

	if (mkdtemp(scratch) == NULL || (absolute = realpath(scratch, NULL)) == NULL)
		error_errno("cannot create a scratch directory %s", scratch);
	free(scratch);
	return absolute;
}

/*
 * The top of dir lacks a lab file: perhaps it is all in a folder (a student
 * zipped one, and Gradescope unpacked it). Clears *problem when the batch's
 * staging finds every file there; the top's problem stands otherwise.
 */
static void try_nested(const struct lab *lab, const char *dir, const char *scratch,
		       char **problem)
{
	char *nested_problem = NULL;

	if (stage_submission(lab, dir, scratch, &nested_problem) == 0) {
		free(*problem);
		*problem = NULL;
	}
	free(nested_problem);
}

/*
 * A lab's master under solutions/ holds its solution code between lines that
 * only the reference build turns on: compiled as a submission it is the
 * skeleton, and scores 0.
 */
static char *master_problem(const struct lab *lab, const char *dir)
{
	char *master = kit_path("solutions/%s", lab->dir);
	char *reference = kit_path("build/ref/%s", lab->dir);
	char *a = realpath(dir, NULL), *b = realpath(master, NULL);
	char *problem = NULL;

	if (a && b && strcmp(a, b) == 0)
		problem = xstrfmt("%s is the master that the skeleton and the reference are "
				  "made from: graded as it is, it is the skeleton (its solution "
				  "code is compiled only into the reference). Grade the reference "
				  "build instead: "
				  "ipclab grade %s %s", dir, lab->number, reference);
	free(a);
	free(b);
	free(reference);
	free(master);
	return problem;
}

/*
 * The lab's files of the submission at dir into scratch: a directory, or one
 * archive (.zip, .tar.gz) as a batch takes it. Returns the problem, or NULL.
 */
static char *take_sources(const struct lab *lab, const char *dir, const char *scratch)
{
	char *problem = master_problem(lab, dir);

	if (problem)
		return problem;
	if (!is_dir(dir) && stage_is_archive(dir) && access(dir, F_OK) == 0) {
		char *staged = xstrfmt("%s/submission", scratch);

		if (mkdir(staged, 0700) == -1)
			problem = xstrfmt("cannot create %s: %s", staged, strerror(errno));
		else if (stage_submission(lab, dir, staged, &problem) == 0)
			build_copy_sources(lab, staged, dir, scratch, true, &problem);
		if (remove_tree(staged) == -1)
			error_errno("cannot remove %s", staged);
		free(staged);
		return problem;
	}
	if (!is_dir(dir))
		return xstrfmt("%s %s", dir, access(dir, F_OK) == 0 ?
			       "is neither a directory nor an archive (.zip, .tar.gz, .tgz, "
			       ".tar)" : "does not exist");
	if (build_copy_sources(lab, dir, dir, scratch, true, &problem) == -1)
		try_nested(lab, dir, scratch, &problem);
	return problem;
}

static int write_reports(const struct grade_args *args, const struct ag_run *run)
{
	int rc = 0;

	if (args->results && report_json(args->results, run) == -1)
		rc = error_errno("cannot write %s", args->results);
	if (args->junit && report_junit(args->junit, run) == -1)
		rc = error_errno("cannot write %s", args->junit);
	/* last, and only for a grading that ended: a batch takes a records file as
	 * the sign that this submission needs no grading again */
	if (args->records && !interrupted_by && records_save(args->records, run) == -1)
		rc = error_errno("cannot write %s", args->records);
	return rc;
}

int cmd_grade(int argc, char **argv)
{
	struct grade_args args = {0};
	int status = parse(argc, argv, &args);

	if (status != -1)
		return status;
	const struct lab *lab = lab_lookup(args.lab_name);
	bool batch = false;
	if (lab == NULL || choose(lab, &args, &batch) != -1)
		return EXIT_USAGE;
	/* the code under test sees neither the kit (solutions) nor the submissions */
	hide_from_tests(kit_root());
	for (int i = 0; i < args.nrest && (batch || i == 0); i++)
		hide_from_tests(args.rest[i]);
	if (batch) {
		status = grade_batch(lab, args.rest, args.nrest, &args.batch);
		if (interrupted_by)
			reraise_interrupt();
		return status;
	}
	if (check_test_names(lab, &args.only) == -1)
		return EXIT_USAGE;

	char *word = shell_word(args.dir);
	char *rerun = xstrfmt("ipclab grade %s %s", lab->number, word);
	struct report_style style = {.colour = use_colour(STDOUT_FILENO),
				     .width = terminal_width(STDOUT_FILENO), .rerun = rerun};
	struct grade_opts opts = {.only = args.only, .deadline = args.deadline,
				  .progress = isatty(STDOUT_FILENO)};
	struct ag_run run = {0};
	char *scratch = make_scratch();
	char *problem = NULL;

	if (scratch)
		problem = take_sources(lab, args.dir, scratch);
	char *limited = args.batch.limits ? limits_apply(args.batch.limits) : NULL;
	if (problem) {
		run_not_graded(lab, &args.only, problem, AG_FAILED, &run);
	} else if (!scratch || grade_workdir(lab, scratch, &opts, &run) == -1) {
		run_free(&run);
		run_not_graded(lab, &args.only, "the grader could not build the submission "
			   "(a fault of the grading machine: see its log)", AG_ERROR,
			   &run);
		status = EXIT_USAGE;
	}
	if (limited) {
		char *used = limits_release();
		char *output = xstrfmt("%s\n%s%s%s", limited, used ? used : "",
				       used ? "\n" : "", run.output ? run.output : "");
		free(run.output);
		run.output = output;
		free(limited);
		free(used);
	}
	/* what goes wrong is said first: the last line is always the score */
	if (write_reports(&args, &run) == -1)
		status = EXIT_USAGE;
	if (scratch && remove_tree(scratch) == -1)
		error_errno("cannot remove the scratch directory %s", scratch);
	if (problem) {
		char *files = source_list(lab);

		error_msg("cannot grade: %s (a lab %s submission is a directory or an "
			  "archive holding %s)", problem, lab->number, files);
		free(files);
		status = EXIT_USAGE;
	}
	fflush(stderr);
	lab_tasks(lab, &run);
	report_terminal(stdout, &run, &style);
	fflush(stdout);
	if (status == -1)
		status = run_exit_status(&run);
	run_free(&run);
	free(problem);
	free(scratch);
	free(rerun);
	free(word);
	if (interrupted_by)
		reraise_interrupt();
	return status;
}
