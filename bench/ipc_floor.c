/*
 * ipc_floor.c - the floors any IPC figure of this machine is compared with,
 * and the plain pipe against them, measured in one run (Lab 07's
 * calibration; issue 18).
 *
 * Usage:   ipc_floor [SECONDS]   (default 0.5: how long each figure is timed)
 *
 * Prints one line a figure, then the ratios:
 *   timer      clock_gettime(CLOCK_MONOTONIC): its resolution (clock_getres)
 *              and the cost of a call
 *   syscall    a null system call (getppid through syscall(2)), per call
 *   memcpy     bandwidth copying 1 MiB blocks that stay in the caches, and
 *              64 MiB ones that do not
 *   line       a cache line bounced between two processes on two CPUs: the
 *              round trip, the floor of every cross-core round trip
 *   pipe       a 1-byte round trip over two pipes (p50, p99, p99.9, max of
 *              single round trips), and a bulk transfer in 64 KiB writes,
 *              each with both sides on one CPU, then across the two
 * Each figure is warmed up first, then timed for SECONDS; the two sides of a
 * cross-core figure are pinned to CPUs 0 and 1 when there are two.
 * Then main hands the floors to measure_bar (ipc_bar.c), issue 18's bar.
 * Exit status: 0 done, 1 a system call failed, 2 bad usage.
 * Built with ipc_bar.c and run by bench/ipc.sh. Handout: Lab 07 (to come).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc_bench.h"

#define MAX_SAMPLES 1000000

double seconds = 0.5;
int cpus[2] = {-1, -1};

void die(const char *what)
{
	perror(what);
	exit(1);
}

double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Pins the calling process to cpu; nothing when the machine has one. */
static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		die("sched_setaffinity");
}

/* The first two CPUs this process may run on. */
static void choose_cpus(void)
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		die("sched_getaffinity");
	for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[found++] = cpu;
	if (found < 2)
		cpus[0] = cpus[1] = -1;
}

static void measure_timer(void)
{
	struct timespec res;
	long calls = 0;
	double start = now(), end;

	clock_getres(CLOCK_MONOTONIC, &res);
	do {
		end = now();
		calls++;
	} while (end - start < seconds);
	printf("timer:    resolution %ld ns; a clock_gettime call %.1f ns\n", res.tv_nsec,
	       (end - start) / (double)calls * 1e9);
}

static double measure_syscall(void)
{
	long calls = 0;
	double start = now(), elapsed;

	do {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		calls += 1000;
	} while ((elapsed = now() - start) < seconds);
	return elapsed / (double)calls * 1e9;
}

/*
 * memcpy bandwidth in GB/s, copying blocks of size bytes back and forth.
 * b starts a cache line into its allocation: two fresh blocks start at the
 * same offset in a page, and copying between addresses a multiple of 4 KiB
 * apart is slower (4K aliasing: loads wait for stores that only look alike),
 * about 48 GB/s instead of 65 here for 1 MiB.
 */
static double measure_memcpy(size_t size)
{
	char *a = malloc(size), *b_block = malloc(size + 64), *b = b_block + 64;
	double start, elapsed;
	long copies = 0;

	if (!a || !b_block)
		die("malloc");
	memset(a, 1, size);
	memset(b, 2, size);
	for (int i = 0; i < 4; i++)	/* warm-up: faults the pages in */
		memcpy(i % 2 ? a : b, i % 2 ? b : a, size);
	start = now();
	do {
		memcpy(copies % 2 ? a : b, copies % 2 ? b : a, size);
		copies++;
	} while ((elapsed = now() - start) < seconds);
	free(a);
	free(b_block);
	return (double)copies * (double)size / elapsed / 1e9;
}

pid_t fork_pinned(int cpu, void (*body)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == -1)
		die("fork");
	if (pid == 0) {
		pin(cpu);
		body(arg);
		_exit(0);
	}
	return pid;
}

void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ipc_floor: a child failed\n");
		exit(1);
	}
}

/* The shared line: the parent writes odd values, the child answers with the next even one. */
static void line_child(void *arg)
{
	_Atomic uint64_t *line = arg;

	for (uint64_t seen = 0;;) {
		uint64_t v = atomic_load_explicit(line, memory_order_acquire);

		if (v == UINT64_MAX)
			return;
		if (v != seen && v % 2 == 1) {
			seen = v + 1;
			atomic_store_explicit(line, seen, memory_order_release);
		}
	}
}

/* The round trip of a cache line between two CPUs, in ns. */
static double measure_line(void)
{
	_Atomic uint64_t *line = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t trips = 0;
	double start = 0, elapsed = 0;
	pid_t child;

	if (line == MAP_FAILED)
		die("mmap");
	child = fork_pinned(cpus[1], line_child, (void *)line);
	for (uint64_t v = 1;; v += 2) {
		atomic_store_explicit(line, v, memory_order_release);
		while (atomic_load_explicit(line, memory_order_acquire) != v + 1)
			continue;
		if (v == 20001)		/* warm-up done */
			start = now();
		if (v > 20001 && ++trips % 1000 == 0 && (elapsed = now() - start) >= seconds)
			break;
	}
	atomic_store(line, UINT64_MAX);
	reap(child);
	munmap((void *)line, 4096);
	return elapsed / (double)trips * 1e9;
}

struct pipes {
	int to_child[2], to_parent[2];
};

static void echo_child(void *arg)
{
	struct pipes *p = arg;
	char byte;

	close(p->to_child[1]);
	close(p->to_parent[0]);
	while (read(p->to_child[0], &byte, 1) == 1)
		if (write(p->to_parent[1], &byte, 1) != 1)
			_exit(1);
}

int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * 1-byte round trips over two pipes, the child on cpu: prints the
 * percentiles, on a line that starts with where; returns p50 in ns.
 */
static double measure_pipe_round_trip(int cpu, const char *where)
{
	static double samples[MAX_SAMPLES];
	struct pipes p;
	long n = 0;
	double start = 0;
	char byte = 'x';
	pid_t child;

	if (pipe(p.to_child) == -1 || pipe(p.to_parent) == -1)
		die("pipe");
	child = fork_pinned(cpu, echo_child, &p);
	close(p.to_child[0]);
	close(p.to_parent[1]);
	for (int i = -10000; i < MAX_SAMPLES; i++) {	/* the first 10000: warm-up */
		double t0 = now();

		if (write(p.to_child[1], &byte, 1) != 1 || read(p.to_parent[0], &byte, 1) != 1)
			die("pipe round trip");
		if (i == 0)
			start = t0;
		if (i >= 0) {
			samples[n++] = (now() - t0) * 1e9;
			if (now() - start >= seconds)
				break;
		}
	}
	close(p.to_child[1]);
	close(p.to_parent[0]);
	reap(child);
	qsort(samples, (size_t)n, sizeof(samples[0]), by_value);
	printf("pipe:     1-byte round trip, %s: p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns, "
	       "max %.0f ns (%ld round trips)\n", where, samples[n / 2], samples[n * 99 / 100],
	       samples[n * 999 / 1000], samples[n - 1], n);
	return samples[n / 2];
}

static void drain_child(void *arg)
{
	int *fds = arg;
	char *buf = malloc(PIPE_CHUNK);
	ssize_t got;

	close(fds[1]);
	if (!buf)
		_exit(1);
	while ((got = read(fds[0], buf, PIPE_CHUNK)) > 0)
		continue;
	_exit(got == 0 ? 0 : 1);
}

/* Bulk transfer through a pipe in 64 KiB writes, in GB/s (the reader is the child, on cpu). */
static double measure_pipe_bulk(int cpu)
{
	char *buf = malloc(PIPE_CHUNK);
	double start = 0, elapsed = 0;
	long chunks = 0;
	int fds[2];
	pid_t child;

	if (!buf || pipe(fds) == -1)
		die("pipe");
	memset(buf, 'p', PIPE_CHUNK);
	child = fork_pinned(cpu, drain_child, fds);
	close(fds[0]);
	for (long i = -1000;; i++) {	/* 64 MiB of warm-up */
		for (size_t done = 0; done < PIPE_CHUNK;) {
			ssize_t n = write(fds[1], buf + done, PIPE_CHUNK - done);

			if (n == -1)
				die("write");
			done += (size_t)n;
		}
		if (i == 0)
			start = now();
		if (i > 0 && ++chunks % 64 == 0 && (elapsed = now() - start) >= seconds)
			break;
	}
	close(fds[1]);
	reap(child);
	free(buf);
	return (double)chunks * PIPE_CHUNK / elapsed / 1e9;
}

int main(int argc, char **argv)
{
	double syscall_ns, cached, uncached, line_ns, pipe_ns, pipe_gbs, same_gbs;

	if (argc > 2 || (argc == 2 && (seconds = atof(argv[1])) <= 0)) {
		fprintf(stderr, "usage: ipc_floor [SECONDS]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	choose_cpus();
	pin(cpus[0]);
	if (cpus[0] >= 0)
		printf("cpus:     the two sides on CPU %d and CPU %d\n", cpus[0], cpus[1]);
	else
		printf("cpus:     one CPU only: cross-core figures are same-core here\n");
	measure_timer();
	syscall_ns = measure_syscall();
	printf("syscall:  a null system call %.1f ns\n", syscall_ns);
	cached = measure_memcpy(MIB);
	uncached = measure_memcpy(64 * MIB);
	printf("memcpy:   1 MiB blocks %.1f GB/s, 64 MiB blocks %.1f GB/s\n", cached, uncached);
	line_ns = measure_line();
	printf("line:     a cache line's round trip between the CPUs %.0f ns\n", line_ns);
	measure_pipe_round_trip(cpus[0], "same CPU");
	pipe_ns = measure_pipe_round_trip(cpus[1], "across CPUs");
	same_gbs = measure_pipe_bulk(cpus[0]);
	pipe_gbs = measure_pipe_bulk(cpus[1]);
	printf("pipe:     64 KiB writes, same CPU %.2f GB/s, across CPUs %.2f GB/s\n", same_gbs,
	       pipe_gbs);
	printf("ratios:   across CPUs: pipe round trip / line round trip %.0fx, / null syscall "
	       "%.0fx; pipe 64 KiB / memcpy 1 MiB %.0f%%\n", pipe_ns / line_ns,
	       pipe_ns / syscall_ns, pipe_gbs / cached * 100);
	measure_bar(&(struct floors){cached, line_ns, pipe_ns, pipe_gbs});
	return 0;
}
