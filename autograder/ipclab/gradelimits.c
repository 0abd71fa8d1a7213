/*
 * gradelimits.c - `ipclab grade --limits gradescope` (see gradelimits.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gradelimits.h"
#include "util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* The cgroups limits_apply made, and the cgroup.procs files to go back to. */
static char *made[2], *home[2];
static int nmade;

int limits_known(const char *name)
{
	return strcmp(name, "gradescope") == 0;
}

/* Writes text into the file path: 0, or -1 with errno. */
static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * This process's cgroup ("/a/b") in the v1 hierarchy holding controller, or
 * in the v2 hierarchy when controller is "". NULL when there is none.
 */
static char *own_cgroup(const char *controller)
{
	char *text, *save = NULL, *found = NULL;
	char *wanted = xstrfmt(",%s,", controller);

	if (read_text("/proc/self/cgroup", &text, 1 << 16) == -1) {
		free(wanted);
		return NULL;
	}
	for (char *line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *names = strchr(line, ':'), *path = names ? strchr(names + 1, ':') : NULL;

		if (path == NULL)
			continue;
		*path++ = '\0';
		char *listed = xstrfmt(",%s,", names + 1);
		if (*controller ? strstr(listed, wanted) != NULL : names[1] == '\0')
			found = xstrdup(strcmp(path, "/") == 0 ? "" : path);
		free(listed);
	}
	free(text);
	free(wanted);
	return found;
}

/*
 * Makes the cgroup dir (its settings: file and value pairs, NULL-ended) and
 * moves this process into it; back is the cgroup.procs to return to.
 */
static int join(char *dir, char *back, const char *const settings[])
{
	char pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		goto fail;
	for (int i = 0; settings[i]; i += 2) {
		char *file = xstrfmt("%s/%s", dir, settings[i]);
		int rc = put(file, settings[i + 1]);

		free(file);
		if (rc == -1)
			goto fail_made;
	}
	char *procs = xstrfmt("%s/cgroup.procs", dir);
	int rc = put(procs, pid);
	free(procs);
	if (rc == -1)
		goto fail_made;
	made[nmade] = dir;
	home[nmade++] = back;
	return 0;
fail_made:
	rmdir(dir);
fail:
	free(dir);
	free(back);
	return -1;
}

static bool has_word(const char *path, const char *word)
{
	char *text;
	bool found = false;

	if (read_text(path, &text, 4096) != -1) {
		for (char *p = strstr(text, word); p && !found; p = strstr(p + 1, word))
			found = (p == text || p[-1] == ' ') && strchr(" \n", p[strlen(word)]);
		free(text);
	}
	return found;
}

/* cgroup v2: one cgroup at the root of the hierarchy, for CPU and memory. */
static const char *join_v2(void)
{
	static const char *const settings[] = {"cpu.max", "50000 100000",
					       "memory.max", "805306368", NULL};
	const char *control = CGROUP_ROOT "/cgroup.subtree_control";
	char *own = own_cgroup("");

	if (own == NULL || !has_word(control, "cpu") || !has_word(control, "memory")) {
		free(own);
		return NULL;
	}
	char *back = xstrfmt(CGROUP_ROOT "%s/cgroup.procs", own);
	free(own);
	if (join(xstrfmt(CGROUP_ROOT "/ipclab-%d", (int)getpid()), back, settings) == -1)
		return NULL;
	return "half a CPU and 768 MiB for the whole grading (a cgroup v2 of its own)";
}

/* cgroup v1: a cgroup under this process's own, in the cpu and the memory hierarchies. */
static bool join_v1(const char *controller, const char *const settings[])
{
	char *own = own_cgroup(controller);

	if (own == NULL)
		return false;
	char *base = xstrfmt(CGROUP_ROOT "/%s%s", controller, own);
	char *dir = xstrfmt("%s/ipclab-%d", base, (int)getpid());
	char *back = xstrfmt("%s/cgroup.procs", base);

	free(own);
	free(base);
	return join(dir, back, settings) == 0;
}

static const char *join_cgroups(void)
{
	static const char *const cpu[] = {"cpu.cfs_period_us", "100000",
					  "cpu.cfs_quota_us", "50000", NULL};
	static const char *const memory[] = {"memory.limit_in_bytes", "805306368", NULL};
	const char *v2 = access(CGROUP_ROOT "/cgroup.controllers", F_OK) == 0 ? join_v2() : NULL;

	if (v2)
		return v2;
	if (!join_v1("cpu", cpu))
		return NULL;
	if (!join_v1("memory", memory)) {
		free(limits_release());
		return NULL;
	}
	return "half a CPU and 768 MiB for the whole grading (cgroup v1 cpu and memory)";
}

/* Pins this process to the first CPU it may use. */
static void one_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (CPU_ISSET(cpu, &set)) {
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
			return;
		}
	}
}

/* A /dev/shm of Docker's size, in a mount namespace of this process's own. */
static bool small_shm(void)
{
	return unshare(CLONE_NEWNS) == 0 &&
	       mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
	       mount("ipclab-shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, LIMITS_SHM) == 0;
}

char *limits_apply(const char *name)
{
	const char *cpu_memory;
	bool shm;

	(void)name;	/* gradescope, the only one */
	cpu_memory = join_cgroups();
	if (cpu_memory == NULL)
		one_cpu();
	shm = small_shm();
	/* Gradescope's containers forbid unshare: the grader runs in fallback mode */
	setenv("IPCLAB_SANDBOX", "fallback", 1);
	return xstrfmt("limits gradescope: %s; %s; no namespaces for the tests "
			"(fallback mode, as in Gradescope's containers)",
			cpu_memory ? cpu_memory : "one CPU, not half (no writable cgroup: "
			"run as root), and no limit on the whole grading's memory",
			shm ? "a /dev/shm of 64 MiB" : "the machine's /dev/shm (a 64 MiB "
			"one needs root)");
}

/* The number after "key " in a file of "key value" lines, or -1. */
static long long stat_value(const char *dir, const char *file, const char *key)
{
	char *path = xstrfmt("%s/%s", dir, file), *text, *at;
	long long value = -1;

	if (read_text(path, &text, 1 << 16) != -1) {
		size_t len = strlen(key);

		for (at = text; at && value < 0; at = strchr(at, '\n'), at += at != NULL)
			if (strncmp(at, key, len) == 0 && at[len] == ' ')
				value = atoll(at + len + 1);
		if (*key == '\0')
			value = atoll(text);
		free(text);
	}
	free(path);
	return value;
}

/* "throttled 12 times; memory peak 45 MiB", from the cgroups' counters. */
static char *usage(void)
{
	long long throttled = -1, peak = -1;

	for (int i = 0; i < nmade; i++) {
		if (throttled < 0)
			throttled = stat_value(made[i], "cpu.stat", "nr_throttled");
		if (peak < 0)
			peak = stat_value(made[i], "memory.max_usage_in_bytes", "");
		if (peak < 0)
			peak = stat_value(made[i], "memory.peak", "");
	}
	if (throttled < 0 && peak < 0)
		return NULL;
	return xstrfmt("limits gradescope: the CPU quota held the grading back %lld "
		       "times; its memory peaked at %lld MiB", throttled, peak >> 20);
}

char *limits_release(void)
{
	char pid[32], *said = usage();

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	while (nmade > 0) {
		nmade--;
		put(home[nmade], pid);
		if (rmdir(made[nmade]) == -1)
			error_errno("cannot remove the cgroup %s", made[nmade]);
		free(made[nmade]);
		free(home[nmade]);
	}
	return said;
}
