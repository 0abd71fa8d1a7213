/*
 * cmd_grade.c - `ipclab grade NN DIR [TEST...] [--results FILE] [--junit FILE]
 * [--deadline SECONDS]`: grades a submission (only the TESTs named, if any).
 * Only the lab's source files are copied out of DIR (regular files, at most
 * 1 MiB, no symlinks) into a fresh scratch directory; DIR is never written.
 * The reports are written on every path, a submission that cannot be graded
 * included.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "build.h"
#include "ipclab.h"
#include "report.h"
#include "util.h"

struct grade_args {
	const char *results, *junit;
	double deadline;
	const char *lab_name, *dir;
	struct selection only;
};

static int parse(int argc, char **argv, struct grade_args *args)
{
	static const struct option options[] = {
		{"results", required_argument, NULL, 'r'},
		{"junit", required_argument, NULL, 'j'},
		{"deadline", required_argument, NULL, 'd'},
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
		case 'h':
			usage_of("grade");
			return 0;
		default:
			return bad_option("grade", argv, c);
		}
	}
	if (argc - optind < 2)
		return usage_error("grade", "which lab, and which directory? "
				   "(ipclab grade 01 submission/)");
	for (int i = optind + 2; i < argc; i++)
		if (!valid_test_name(argv[i]))
			return usage_error("grade", "'%s' is not a test name (grades one "
					   "directory at a time)", argv[i]);
	args->lab_name = argv[optind];
	args->dir = argv[optind + 1];
	args->only = (struct selection){argv + optind + 2, argc - optind - 2};
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

/* The submission cannot be graded: every test fails and says why. */
static void not_graded(const struct lab *lab, const struct selection *only,
		       const char *problem, enum ag_status status, struct ag_run *run)
{
	char *reason = xstrfmt("not graded: %s", problem);

	run->lab = xstrdup(lab->dir);
	run->title = xstrdup(lab->title);
	run->output = xstrfmt("%s\n", problem);
	fail_all(lab, only, reason, status, run);
	free(reason);
}

static int write_reports(const struct grade_args *args, const struct ag_run *run)
{
	int rc = 0;

	if (args->results && report_json(args->results, run) == -1)
		rc = error_errno("cannot write %s", args->results);
	if (args->junit && report_junit(args->junit, run) == -1)
		rc = error_errno("cannot write %s", args->junit);
	return rc;
}

int cmd_grade(int argc, char **argv)
{
	struct grade_args args = {0};
	int status = parse(argc, argv, &args);

	if (status != -1)
		return status;
	const struct lab *lab = lab_lookup(args.lab_name);
	if (lab == NULL || check_test_names(lab, &args.only) == -1)
		return EXIT_USAGE;

	char *word = shell_word(args.dir);
	char *rerun = xstrfmt("ipclab grade %s %s", lab->number, word);
	struct report_style style = {.colour = use_colour(STDOUT_FILENO), .rerun = rerun};
	struct grade_opts opts = {.only = args.only, .deadline = args.deadline,
				  .progress = isatty(STDOUT_FILENO)};
	struct ag_run run = {0};
	char *scratch = make_scratch();
	char *problem = NULL;

	if (!is_dir(args.dir))
		problem = xstrfmt("%s %s", args.dir, access(args.dir, F_OK) == 0 ?
				  "is not a directory" : "does not exist");
	else if (scratch)
		build_copy_sources(lab, args.dir, args.dir, scratch, true, &problem);
	if (problem) {
		not_graded(lab, &args.only, problem, AG_FAILED, &run);
	} else if (!scratch || grade_workdir(lab, scratch, &opts, &run) == -1) {
		run_free(&run);
		not_graded(lab, &args.only, "the grader could not build the submission "
			   "(a fault of the grading machine: see its log)", AG_ERROR,
			   &run);
		status = EXIT_USAGE;
	}
	/* what goes wrong is said first: the last line is always the score */
	if (write_reports(&args, &run) == -1)
		status = EXIT_USAGE;
	if (scratch && remove_tree(scratch) == -1)
		error_errno("cannot remove the scratch directory %s", scratch);
	if (problem) {
		char *files = source_list(lab);

		error_msg("cannot grade: %s (a lab %s submission is a directory "
			  "holding %s)", problem, lab->number, files);
		free(files);
		status = EXIT_USAGE;
	}
	fflush(stderr);
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
