/*
 * fake_runner.c - a stand-in for a lab's test runner, for ipclab's own tests
 * (tests/check.sh). It plans three tests of suite "fake" and behaves as the
 * environment variable FAKE says, so that every path of ipclab's run.c can
 * be reached on purpose:
 *
 *   normal   alpha and gamma pass, beta fails (with quotes, control bytes
 *            and invalid UTF-8 in its output); exits 1 as Criterion does
 *   hang     alpha passes, then it blocks forever, leaving a session-leader
 *            grandchild (`sleep 987654`) behind
 *   crash    alpha passes, then SIGSEGV
 *   early    alpha passes, then exit 0 without the others
 *   flood    20 MB on stdout, then SIGKILL
 *   noplan   abort() before writing anything
 *   orphan   as normal, but leaves `sleep 987655` holding its stdout
 *   bigline  as normal, with a 200 kB output in beta's result
 *   leak     as normal, but beta is worth 5 and passes with a leak: 2.5 of 5
 *
 * Records go to $IPCLAB_RECORDS (records.h), one open(O_APPEND) per line, as
 * the real runner's workers write them. --filter=SUITE/NAME-PATTERN selects.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "records.h"

static const char *const names[] = {"alpha_works", "beta_works", "gamma_works"};
static const char *filter;
static int leak;		/* FAKE=leak */

static void emit(const char *kind, int n, const char *const fields[])
{
	const char *path = getenv("IPCLAB_RECORDS");
	int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;

	rec_write(fd, kind, n, fields);
	if (fd != -1)
		close(fd);
}

static int wanted(int test)
{
	char id[64];

	snprintf(id, sizeof(id), "fake/%s", names[test]);
	return !filter || fnmatch(filter, id, 0) == 0;
}

static void result(int test, int passed, const char *output)
{
	const char *fields[] = {"fake", names[test], passed ? "10" : "0", "10",
				passed ? "passed" : "failed", "12",
				passed ? "" : "expected 1, got 2", "", output};
	const char *leaked[] = {"fake", names[test], "2.5", "5", "leak", "12",
				"fd 4 (pipe:[77]) still open after the test", "", output};
	const char *end[] = {"fake", names[test], "1", "0", "0", "0", "0"};

	if (!wanted(test))
		return;
	emit("result", 9, leak && test == 1 ? leaked : fields);
	emit("end", 7, end);
}

/* A grandchild in a session of its own: only a subreaper gets it back. */
static void leave_behind(const char *seconds)
{
	if (fork() == 0) {
		setsid();
		if (fork() == 0) {
			execlp("sleep", "sleep", seconds, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
}

int main(int argc, char **argv)
{
	const char *fake = getenv("FAKE") ? getenv("FAKE") : "normal";
	const char *mode[] = {"fallback", "FAKE runner"};
	char *big = NULL;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--filter=", 9) == 0)
			filter = argv[i] + 9;
	if (strcmp(fake, "noplan") == 0) {
		puts("dying before the plan");
		fflush(stdout);
		abort();
	}
	leak = strcmp(fake, "leak") == 0;
	emit("mode", 2, mode);
	for (int i = 0; i < 3; i++) {
		const char *plan[] = {"fake", names[i], leak && i == 1 ? "5" : "10",
				      strcmp(fake, "hang") == 0 ? "1000" : "2000",
				      "the thing works", "Handout 1.1: read it.", "visible",
				      i < 2 ? "3.1" : "3.2"};
		if (wanted(i))
			emit("plan", 8, plan);
	}
	result(0, 1, "");
	fflush(stdout);
	if (strcmp(fake, "hang") == 0) {
		leave_behind("987654");
		puts("about to hang");
		fflush(stdout);
		for (;;)
			pause();
	}
	if (strcmp(fake, "crash") == 0) {
		puts("last words before the crash");
		fflush(stdout);
		raise(SIGSEGV);
	}
	if (strcmp(fake, "early") == 0)
		return 0;
	if (strcmp(fake, "flood") == 0) {
		for (int i = 0; i < 20 * 1024; i++)
			fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
			      stdout);
		fflush(stdout);
		raise(SIGKILL);
	}
	if (strcmp(fake, "orphan") == 0)
		leave_behind("987655");
	if (strcmp(fake, "bigline") == 0) {
		big = malloc(200001);
		if (big == NULL)
			return 2;
		memset(big, 'y', 200000);
		big[200000] = '\0';
	}
	result(1, 0, big ? big : "some output\nwith \"quotes\", \x01 a control byte, \xff bad UTF-8");
	result(2, 1, "");
	free(big);
	return 1;
}
