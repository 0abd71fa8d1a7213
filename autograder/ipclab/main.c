/*
 * main.c - ipclab, the one command students and instructors run.
 *
 * Usage: see the command table below (also `ipclab help`).
 * Exit status: 0 every test passed, 1 a test failed, 2 usage or environment error.
 * Partners: the lab's test runner (autograder/lib/runner.c) speaks to it
 * through records (records.h); the handouts (labs/NN-topic/README.md) say
 * how students use it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include "ipclab.h"
#include "util.h"

/* The one command table: name, function, usage and what it does. */
static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;	/* after "ipclab " */
	const char *summary;
} commands[] = {
	{"progress", cmd_progress, "progress",
	 "your progress over all labs (also plain `ipclab`)"},
	{"test", cmd_test, "test [NN [TEST...]] [-v]",
	 "grade your working copy labs/NN-topic/ (only the TESTs named, if any;\n"
	 "      with no NN, every lab you have started); -v: every failure in full"},
	{"grade", cmd_grade,
	 "grade NN DIR [TEST...] [--results FILE] [--junit FILE] [--records FILE]\n"
	 "                   [--deadline SECONDS] [--limits gradescope]\n"
	 "       ipclab grade NN PATH... [--out DIR] [--jobs N] [--regrade]\n"
	 "                   [--deadline SECONDS] [--limits gradescope]",
	 "grade a submission directory (write Gradescope results.json, JUnit XML),\n"
	 "      or a class: directories and .zip/.tar.gz archives, or a directory of\n"
	 "      them (gradebook.csv, class-report.html, summary.txt in --out, default\n"
	 "      ipclab-grades/NN-topic/; graded ones are skipped unless --regrade);\n"
	 "      --limits gradescope grades as in a Gradescope container"},
	{"hint", cmd_hint, "hint NN [TEST]",
	 "where to go next: the handout section, hints and traps of the first\n"
	 "      task your last run did not pass (or of TEST)"},
	{"list", cmd_list, "list NN", "the lab's tests by task, with points and what each checks"},
	{"watch", cmd_watch, "watch NN", "run `ipclab test NN` again each time you save"},
	{"reset", cmd_reset, "reset NN [--yes]",
	 "put the skeleton back (your files are backed up first)"},
	{"doctor", cmd_doctor, "doctor", "check this machine for what the labs need"},
	{"scenario", cmd_scenario, "scenario [NAME]",
	 "list the demonstrations, or run one in private IPC and mount namespaces\n"
	 "      (ftok collisions, the shmat leak, a segment's life: real values)"},
	{"help", cmd_help, "help", "this text"},
};
#define NCOMMANDS ((int)(sizeof(commands) / sizeof(commands[0])))

static const struct command *find_command(const char *name)
{
	for (int i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	fputs("usage: ipclab [COMMAND [ARGS]]\n\n", out);
	for (int i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  ipclab %s\n      %s\n", commands[i].usage,
			commands[i].summary);
	fputs("\nNN names a lab: 01, 1, 01-pipes or pipes.\n"
	      "Exit status: 0 every test passed, 1 a test failed,\n"
	      "             2 usage or environment error.\n"
	      "Colour and progress only on a terminal; NO_COLOR turns colour off.\n"
	      "IPCLAB_ROOT says where the kit is (default: the parent of bin/ipclab).\n"
	      "IPCLAB_JOBS says how many tests run side by side (default: one per CPU).\n"
	      "IPCLAB_SANDBOX=fallback grades without namespaces, as in a container.\n",
	      out);
}

/* A subcommand's usage line (cmd is always one of the table's names). */
static const char *usage_line(const char *cmd)
{
	const struct command *command = find_command(cmd);

	return command ? command->usage : cmd;
}

int usage_of(const char *cmd)
{
	printf("usage: ipclab %s\n", usage_line(cmd));
	return 0;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "ipclab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: ipclab %s\n", usage_line(cmd));
	return EXIT_USAGE;
}

int bad_option(const char *cmd, char **argv, int c)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return usage_error(cmd, "option '%s' needs a value", arg);
	if (optopt)
		return usage_error(cmd, "unknown option '-%c'", optopt);
	return usage_error(cmd, "unknown option '%s'", arg);
}

int no_options(const char *cmd, int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c = getopt_long(argc, argv, ":h", options, NULL);

	if (c == -1)
		return -1;
	return c == 'h' ? usage_of(cmd) : bad_option(cmd, argv, c);
}

bool valid_test_name(const char *name)
{
	if (*name == '\0')
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && *name != '_')
			return false;
	return true;
}

int cmd_help(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_error("help", "takes no arguments");
	print_usage(stdout);
	return 0;
}

/* A closed 0, 1 or 2 would be reused by the next open(): reports into a lock file. */
static void sanitise_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
			die_errno("/dev/null");
}

int main(int argc, char **argv)
{
	const struct command *command;

	sanitise_std_fds();
	signals_setup();
	/* It adds up the grade: graded code of the same uid must not write its memory. */
	prctl(PR_SET_DUMPABLE, 0);
	if (argc < 2)
		return cmd_progress(1, (char *[]){"progress", NULL});
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(1, argv + 1);
	command = find_command(argv[1]);
	if (command == NULL) {
		fprintf(stderr, "ipclab: '%s' is not an ipclab command\n\n", argv[1]);
		print_usage(stderr);
		return EXIT_USAGE;
	}
	optind = 1;
	opterr = 0;
	return command->run(argc - 1, argv + 1);
}
