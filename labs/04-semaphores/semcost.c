/*
 * semcost.c - Lab 04 demo: what an uncontended lock and unlock of a System V
 * semaphore costs, next to the cheapest system call there is.
 *
 * Usage:   ./semcost [ROUNDS]          (default 200000)
 *
 * Times, with CLOCK_MONOTONIC, ROUNDS calls of syscall(SYS_getppid) (a null
 * system call: it does nothing but enter and leave the kernel), then ROUNDS
 * pairs of your mutex_lock() and mutex_unlock() on a free mutex, then the
 * same pairs without SEM_UNDO, each pass three times keeping the fastest,
 * and prints the cost of each in nanoseconds and as a multiple of the null
 * call. Nobody else uses the set, so no call ever waits: this is the price of
 * the two system calls and of the kernel's work on the set. The figures
 * change from run to run and from machine to machine; their ratios much less.
 * Exit status: 0, 1 on error, 2 on bad usage.
 *
 * Who removes the set: this program, which created it (IPC_PRIVATE), before
 * it exits, on every path. Partner: semaphores.c (mutex_lock, mutex_unlock).
 * Handout: README.md §6.
 */
#define _GNU_SOURCE

#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "semaphores.h"

static const char usage[] = "usage: semcost [ROUNDS]\n";

static int cost_set = -1;

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	if (cost_set != -1)
		semctl(cost_set, 0, IPC_RMID);
	exit(1);
}

static double seconds_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

enum pass { NULL_CALL, WITH_UNDO, WITHOUT_UNDO };

/* One pass of @p rounds; returns nanoseconds per round. */
static double time_pass(enum pass pass, long rounds)
{
	struct sembuf down = {.sem_num = 0, .sem_op = -1, .sem_flg = 0};
	struct sembuf up = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
	double begin = seconds_now();

	for (long i = 0; i < rounds; i++) {
		if (pass == NULL_CALL) {
			syscall(SYS_getppid);
		} else if (pass == WITH_UNDO) {
			if (mutex_lock(cost_set, 0) == -1 || mutex_unlock(cost_set, 0) == -1)
				die("semcost: mutex_lock, mutex_unlock");
		} else if (semop(cost_set, &down, 1) == -1 || semop(cost_set, &up, 1) == -1) {
			die("semcost: semop");
		}
	}
	return (seconds_now() - begin) * 1e9 / (double)rounds;
}

/* The fastest of three passes: the others lost time to the rest of the machine. */
static double best_of_three(enum pass pass, long rounds)
{
	double best = time_pass(pass, rounds);

	for (int i = 0; i < 2; i++) {
		double again = time_pass(pass, rounds);

		if (again < best)
			best = again;
	}
	return best;
}

int main(int argc, char **argv)
{
	struct sembuf make_free = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
	long rounds = argc == 2 ? strtol(argv[1], NULL, 10) : 200000;
	double null_ns, undo_ns, plain_ns;

	if (argc > 2 || rounds < 1) {
		fputs(usage, stderr);
		return 2;
	}
	cost_set = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (cost_set == -1)
		die("semcost: semget");
	if (semop(cost_set, &make_free, 1) == -1)
		die("semcost: semop");
	null_ns = best_of_three(NULL_CALL, rounds);
	undo_ns = best_of_three(WITH_UNDO, rounds);
	plain_ns = best_of_three(WITHOUT_UNDO, rounds);
	printf("null system call (getppid):      %7.0f ns\n", null_ns);
	printf("mutex_lock + mutex_unlock:       %7.0f ns = %4.1f null calls\n",
	       undo_ns, undo_ns / null_ns);
	printf("the same pair without SEM_UNDO:  %7.0f ns = %4.1f null calls\n",
	       plain_ns, plain_ns / null_ns);
	if (semctl(cost_set, 0, IPC_RMID) == -1)
		die("semcost: semctl IPC_RMID");
	return 0;
}
