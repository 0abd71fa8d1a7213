/*
 * ipc_bench.h - what the two halves of bench/ipc.sh's program share:
 * ipc_floor.c measures this machine's floors and owns main; ipc_bar.c
 * measures issue 18's bar against those floors, in the same run.
 */
#ifndef IPC_BENCH_H
#define IPC_BENCH_H

#include <sys/types.h>

#define MIB (1UL << 20)
#define PIPE_CHUNK (64UL << 10)

extern double seconds;		/* how long each figure is timed */
extern int cpus[2];		/* the two CPUs of a cross-core figure; -1 when one */

/* Prints "what: strerror(errno)" and exits 1. */
void die(const char *what);
/* CLOCK_MONOTONIC in seconds. */
double now(void);
/* Forks a child pinned to cpu that runs body(arg) and exits 0. */
pid_t fork_pinned(int cpu, void (*body)(void *), void *arg);
/* Waits for pid; exits 1 unless it exited 0. */
void reap(pid_t pid);
/* qsort comparison of doubles. */
int by_value(const void *a, const void *b);

/* The floors the bar is a ratio of, measured across CPUs. */
struct floors {
	double memcpy_gbs;	/* memcpy of 1 MiB blocks, GB/s */
	double line_ns;		/* a cache line's round trip */
	double pipe_ns;		/* a pipe's 1-byte round trip, p50 */
	double pipe_gbs;	/* a pipe fed 64 KiB writes, GB/s */
};

/* Measures the bar and prints its figures and a "bar:" line a target. */
void measure_bar(const struct floors *floors);

#endif
