/*
 * initrace.c - Lab 04 demo: the initialisation race of a System V semaphore,
 * made to happen on purpose, and semset_get() waiting it out.
 *
 * Usage:   ./initrace naive        (two processes hold one mutex at once)
 *          ./initrace careful      (the opener waits for the creator)
 *
 * Two processes share a mutex, semaphore 0 of a new set, which should start
 * at 1. The creator pauses between semget(2) and its initialisation, and the
 * opener comes in during that pause: the parent runs their steps one at a
 * time, in that order, through pipes (no sleeps), so the race is lost the
 * same way every run.
 *
 *   naive:   both run the copied recipe "semget(IPC_CREAT), then SETVAL 1".
 *            The opener initialises the set and locks it; then the creator's
 *            late SETVAL gives the lock away a second time.
 *   careful: the opener calls your semset_get(), which must not touch a set
 *            whose sem_otime is still 0: first it gives up after 200 ms
 *            (ETIMEDOUT), then it waits until the creator's one semop.
 *
 * The key is ftok() of a file in a directory this program makes (mkdtemp),
 * so no two runs share a key. One line per step on stdout. Exit status: 0
 * when the run showed what it should, 1 otherwise, 2 on bad usage.
 *
 * Who removes what: this program removes the set, the key file and its
 * directory before it exits, on every path. The creator always creates with
 * IPC_EXCL, so a run never touches a set it did not make.
 * Partner: semaphores.c (semset_get, mutex_lock). Handout: README.md §2.4.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include "semaphores.h"

static const char usage[] = "usage: initrace naive|careful\n";

/* What this program made, for cleanup() to remove. */
static char dir_name[] = "/tmp/initrace-XXXXXX";
static char key_path[sizeof(dir_name) + 4];
static int race_set = -1;
static pid_t helpers[2];

/* One child per role; the parent lets each do one step at a time. */
enum role { CREATOR, OPENER };

struct helper {
	int go[2];	/* parent -> child: one byte per step to run */
	int done[2];	/* child -> parent: one byte per step finished */
};

static struct helper helper[2];
static key_t race_key;
static int careful;

static void cleanup(void)
{
	for (int i = 0; i < 2; i++) {
		if (helpers[i] <= 0)
			continue;
		kill(helpers[i], SIGKILL);
		waitpid(helpers[i], NULL, 0);
	}
	if (race_set != -1)
		semctl(race_set, 0, IPC_RMID);
	if (key_path[0] != '\0')
		unlink(key_path);
	rmdir(dir_name);
}

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	cleanup();
	exit(1);
}

/* In a child: report the failed call and end; the parent sees the pipe close. */
static void __attribute__((noreturn)) child_fails(const char *what)
{
	perror(what);
	_exit(1);
}

static int value_of(int semid)
{
	return semctl(semid, 0, GETVAL);
}

/* The copied recipe: every process creates-or-opens, then sets the value. */
static int naive_get(void)
{
	int semid = semget(race_key, 1, IPC_CREAT | 0600);

	if (semid == -1 || semctl(semid, 0, SETVAL, 1) == -1)
		return -1;
	return semid;
}

/* Takes the mutex without waiting: a demo that goes wrong must not hang. */
static int lock_now(int semid)
{
	struct sembuf down = {.sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT};

	return semop(semid, &down, 1);
}

/* The creator's steps. Step 1 is the same in both modes; step 2 differs. */
static void creator_step(int step, int *semid)
{
	if (step == 1) {
		*semid = semget(race_key, 1, IPC_CREAT | IPC_EXCL | 0600);
		if (*semid == -1)
			child_fails("initrace: creator: semget");
		printf("creator: semget made set %d; semaphore 0 is %d; pausing before it sets it to 1\n",
		       *semid, value_of(*semid));
	} else if (!careful) {
		if (semctl(*semid, 0, SETVAL, 1) == -1 || lock_now(*semid) == -1)
			child_fails("initrace: creator: SETVAL, lock");
		printf("creator: SETVAL 1, then locked the mutex: it is %d\n", value_of(*semid));
	} else {
		struct sembuf ready = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};

		printf("creator: initialises it with one semop (+1), which sets sem_otime\n");
		fflush(stdout);
		if (semop(*semid, &ready, 1) == -1)
			child_fails("initrace: creator: semop");
	}
}

static void opener_step(int step)
{
	unsigned short one = 1;
	int semid;

	if (!careful) {
		semid = naive_get();
		if (semid == -1 || lock_now(semid) == -1)
			child_fails("initrace: opener: semget, SETVAL, lock");
		printf("opener:  semget gave set %d too; SETVAL 1, then locked the mutex: it is %d\n",
		       semid, value_of(semid));
		return;
	}
	semid = semset_get(race_key, 1, &one, step == 1 ? 200 : 5000);
	if (step == 1 && semid == -1 && errno == ETIMEDOUT) {
		printf("opener:  semset_get gave up after 200 ms (%s); it took nothing\n",
		       strerror(errno));
		return;
	}
	if (step == 1)
		child_fails("initrace: opener: semset_get did not time out");
	if (semid == -1 || mutex_lock(semid, 0) == -1)
		child_fails("initrace: opener: semset_get, mutex_lock");
	printf("opener:  semset_get returned once the set was ready; locked the mutex: it is %d\n",
	       value_of(semid));
}

/* A child: runs its steps one by one, each when the parent says so. */
static void __attribute__((noreturn)) run_helper(enum role role)
{
	char byte;
	int semid = -1;

	for (int step = 1; read(helper[role].go[0], &byte, 1) == 1; step++) {
		if (role == CREATOR)
			creator_step(step, &semid);
		else
			opener_step(step);
		fflush(stdout);
		if (write(helper[role].done[1], "d", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static void start_helper(enum role role)
{
	if (pipe(helper[role].go) == -1 || pipe(helper[role].done) == -1)
		die("initrace: pipe");
	helpers[role] = fork();
	if (helpers[role] == -1)
		die("initrace: fork");
	if (helpers[role] == 0)
		run_helper(role);
	close(helper[role].go[0]);
	close(helper[role].done[1]);
}

/* Lets @p role start its next step. */
static void start_step(enum role role)
{
	if (write(helper[role].go[1], "g", 1) != 1)
		die("initrace: write");
}

/* Waits until @p role has finished the step it runs. */
static void finish_step(enum role role)
{
	char byte;

	if (read(helper[role].done[0], &byte, 1) != 1) {
		fprintf(stderr, "initrace: the %s failed (see above)\n",
			role == CREATOR ? "creator" : "opener");
		cleanup();
		exit(1);
	}
}

static void step(enum role role)
{
	start_step(role);
	finish_step(role);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2 || (strcmp(argv[1], "naive") != 0 && strcmp(argv[1], "careful") != 0)) {
		fputs(usage, stderr);
		return 2;
	}
	careful = strcmp(argv[1], "careful") == 0;
	if (!mkdtemp(dir_name))
		die("initrace: mkdtemp");
	snprintf(key_path, sizeof(key_path), "%s/key", dir_name);
	fd = open(key_path, O_CREAT | O_WRONLY, 0600);
	if (fd == -1 || close(fd) == -1)
		die("initrace: key file");
	race_key = ftok(key_path, 'R');
	if (race_key == -1)
		die("initrace: ftok");
	setvbuf(stdout, NULL, _IOLBF, 0);
	start_helper(CREATOR);
	start_helper(OPENER);
	step(CREATOR);
	/* The creator made it with IPC_EXCL: this set is ours to remove. */
	race_set = semget(race_key, 0, 0);
	if (race_set == -1)
		die("initrace: semget");
	step(OPENER);
	if (careful)
		start_step(OPENER);	/* waits in semset_get for the creator */
	step(CREATOR);
	if (careful)
		finish_step(OPENER);
	if (!careful)
		printf("initrace: the mutex was taken twice: two processes are in the critical section\n");
	else
		printf("initrace: one holder, and the set was used only once it was ready\n");
	cleanup();
	return 0;
}
