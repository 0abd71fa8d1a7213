/*
 * cmd_scenario.c - `ipclab scenario [NAME]`: the kit's demonstrations.
 * Without NAME, lists scenarios/NN-topic/NAME.c with the line under each
 * one's name; with NAME, runs build/scenarios/NAME (built by make) in a
 * private IPC namespace and a private mount namespace with fresh tmpfs on
 * /tmp and /dev/shm, since scenarios create System V objects, POSIX shared
 * memory and files. As root it
 * unshares them directly; otherwise it first enters a user namespace where
 * the user is mapped to itself. Where namespaces are refused (a container),
 * it says so and runs nothing: never in this machine's own namespaces.
 * Exit status: the scenario's, or 2.
 * Partners: scenarios/NN-topic/NAME.c, autograder/selfcheck/scenario_facts.py
 * (which runs each one and compares its "fact:" lines with FACTS.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <libgen.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "ipclab.h"
#include "util.h"

struct scenario {
	char *name;	/* ftok-collision */
	char *lab;	/* 05-shm */
	char *what;	/* the line under the name in its source */
};

/* The line after the one that names NAME.c in the source's first comment. */
static char *description(const char *source, const char *name)
{
	char *text = NULL, *file = xstrfmt("%s.c -", name), *line, *what = NULL;

	if (read_text(source, &text, 65536) >= 0 && (line = strstr(text, file)) &&
	    (line = strchr(line, '\n')) && strncmp(line + 1, " * ", 3) == 0) {
		line += 4;
		what = xstrfmt("%.*s", (int)strcspn(line, "\n"), line);
	}
	free(text);
	free(file);
	return what ? what : xstrdup("(no description under its name)");
}

/* Every scenarios/NN-topic/NAME.c, sorted by lab then name; returns the count. */
static int find_scenarios(struct scenario **list)
{
	char *pattern = kit_path("scenarios/[0-9][0-9]-*/*.c");
	glob_t found;
	int n = 0;

	*list = NULL;
	if (glob(pattern, 0, NULL, &found) == 0) {
		*list = xmalloc(found.gl_pathc * sizeof(**list));
		for (size_t i = 0; i < found.gl_pathc; i++) {
			char *path = xstrdup(found.gl_pathv[i]), *dir = xstrdup(path);
			char *base = basename(path);
			struct scenario *s = &(*list)[n++];

			base[strlen(base) - 2] = '\0';
			s->name = xstrdup(base);
			s->lab = xstrdup(basename(dirname(dir)));
			s->what = description(found.gl_pathv[i], s->name);
			free(path);
			free(dir);
		}
		globfree(&found);
	}
	free(pattern);
	return n;
}

static void free_scenarios(struct scenario *list, int n)
{
	for (int i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].lab);
		free(list[i].what);
	}
	free(list);
}

static char *program_of(const struct scenario *s)
{
	return kit_path("build/scenarios/%s", s->name);
}

static int list(const struct scenario *list, int n)
{
	if (n == 0)
		return error_msg("no scenarios in %s/scenarios/", kit_root());
	printf("Scenarios (ipclab scenario NAME runs one, in private IPC and mount namespaces):\n");
	for (int i = 0; i < n; i++) {
		char *program = program_of(&list[i]);

		printf("  %-16s lab %s: %s%s\n", list[i].name, list[i].lab, list[i].what,
		       is_file(program) ? "" : " (not built: run `make`)");
		free(program);
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);
	int ok = fd != -1 && write(fd, text, len) == len;

	if (fd != -1)
		close(fd);
	return ok ? 0 : -1;
}

/* A user namespace where we are ourselves (uid and gid mapped 1:1). */
static int enter_user_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER) == -1)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") == -1)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) == -1)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", map);
}

/* Private IPC and mount namespaces for this process; -1 with errno. */
static int enter_namespaces(void)
{
	/* main() made us undumpable, which would leave /proc/self/uid_map root's. */
	prctl(PR_SET_DUMPABLE, 1);
	if (geteuid() != 0 && enter_user_namespace() == -1)
		return -1;
	if (unshare(CLONE_NEWIPC | CLONE_NEWNS) == -1)
		return -1;
	/* Nothing mounted here reaches the machine's mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return -1;
	/*
	 * Fresh tmpfs on /tmp and on /dev/shm (POSIX shared memory): mounted
	 * now, since a scenario that is not root loses its capabilities in the
	 * user namespace when it is exec'd. A scenario may fill them.
	 */
	if (mount("ipclab-scenario", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		  "mode=1777,size=64m") == -1)
		return -1;
	return mount("ipclab-scenario-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
		     "mode=1777,size=16m");
}

static int run(const struct scenario *s)
{
	char *program = program_of(s);

	if (!is_file(program)) {
		error_msg("scenario %s is not built (no %s): run `make` in %s", s->name,
			  program, kit_root());
		free(program);
		return EXIT_USAGE;
	}
	/* Opened first: the kit itself may be under the /tmp about to be covered. */
	int program_fd = open(program, O_RDONLY);	/* not O_CLOEXEC: a script reads it */

	if (program_fd == -1) {
		error_errno("cannot open %s", program);
		free(program);
		return EXIT_USAGE;
	}
	if (enter_namespaces() == -1) {
		error_errno("scenario %s not run: it needs private IPC and mount namespaces,"
			    " which this machine refuses (a container?), and it never runs in"
			    " the machine's own, since it creates System V objects and mounts;"
			    " `ipclab doctor` says why (unshare)", s->name);
		close(program_fd);
		free(program);
		return EXIT_USAGE;
	}
	fflush(stdout);
	signals_default();
	setenv("IPCLAB_SCENARIO", s->name, 1);
	fexecve(program_fd, (char *[]){s->name, NULL}, environ);
	error_errno("cannot run %s", program);
	free(program);
	return EXIT_USAGE;
}

int cmd_scenario(int argc, char **argv)
{
	static const struct option options[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct scenario *scenarios;
	int c, n, rc;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 'h')
			return usage_of("scenario");
		return bad_option("scenario", argv, c);
	}
	if (argc - optind > 1)
		return usage_error("scenario", "one scenario at a time");
	n = find_scenarios(&scenarios);
	if (optind == argc) {
		rc = list(scenarios, n) == 0 ? 0 : EXIT_USAGE;
		free_scenarios(scenarios, n);
		return rc;
	}
	for (int i = 0; i < n; i++)
		if (strcmp(scenarios[i].name, argv[optind]) == 0)
			return run(&scenarios[i]);	/* returns only when it failed */
	fflush(stdout);
	fprintf(stderr, "ipclab scenario: no scenario named '%s'; the scenarios:", argv[optind]);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", scenarios[i].name);
	fprintf(stderr, "%s\n", n ? "" : " none");
	free_scenarios(scenarios, n);
	return EXIT_USAGE;
}
