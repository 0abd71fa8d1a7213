/*
 * holder.c - Lab 04 demo: a process that takes a mutex and keeps it, so that
 * you can kill it inside its critical section and see who gets the lock.
 *
 * Usage:   ./holder KEYFILE &            (takes the mutex with mutex_lock)
 *          ./holder --no-undo KEYFILE &  (takes it with a semop without SEM_UNDO)
 *          kill -9 %1                    (dies holding it)
 *          kill %1                       (removes the set, exits)
 *
 * Gets the set of ftok(KEYFILE, 'H') with semset_get() (one semaphore, 1: a
 * free mutex), creating KEYFILE when needed, takes the mutex, prints one line
 * on stdout ("holder: pid P holds the mutex of set ID"), and waits for a
 * signal. A second holder on the same KEYFILE waits in mutex_lock() until the
 * first one lets go. Killed with SIGKILL, a holder that locked with SEM_UNDO
 * gets its 1 back from the kernel; one that locked without it leaves the
 * mutex at 0 for good, and GETPID still names it (ipcs -s -i ID shows both).
 * Exit status: 0 after SIGINT or SIGTERM, 1 on error (EIDRM when the set is
 * removed while it waits), 2 on bad usage.
 *
 * Who removes the set: the holder of the mutex, when SIGINT or SIGTERM stops
 * it (whoever created the set), without unlocking it first: the holders
 * waiting for it wake with EIDRM and exit with status 1. After
 * a SIGKILL nobody does: remove it with ipcrm -s ID.
 * Partner: semaphores.c (semset_get, mutex_lock, semset_remove).
 * Handout: README.md §2.5, §3.3.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <unistd.h>

#include "semaphores.h"

static const char usage[] = "usage: holder [--no-undo] KEYFILE\n";

static volatile sig_atomic_t stop_asked;

static void ask_to_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

static key_t key_of(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0600);

	if (fd == -1 || close(fd) == -1)
		return -1;
	return ftok(path, 'H');
}

/* The lock the wrong way: the kernel records nothing to give back. */
static int lock_without_undo(int mutex_set)
{
	struct sembuf down = {.sem_num = 0, .sem_op = -1, .sem_flg = 0};

	while (semop(mutex_set, &down, 1) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction action = {.sa_handler = ask_to_stop};
	const unsigned short free_mutex = 1;
	int no_undo = argc == 3 && strcmp(argv[1], "--no-undo") == 0;
	int mutex_set, rc;
	sigset_t stop_signals, before;
	key_t key;

	if (argc != 2 + no_undo || argv[1 + no_undo][0] == '-') {
		fputs(usage, stderr);
		return 2;
	}
	/* SIGINT and SIGTERM stay blocked except in sigsuspend: none is missed. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop_signals, &before);
	sigemptyset(&action.sa_mask);
	if (sigaction(SIGINT, &action, NULL) == -1 || sigaction(SIGTERM, &action, NULL) == -1) {
		perror("holder: sigaction");
		return 1;
	}
	key = key_of(argv[1 + no_undo]);
	if (key == -1) {
		perror("holder: key file");
		return 1;
	}
	mutex_set = semset_get(key, 1, &free_mutex, 5000);
	if (mutex_set == -1) {
		perror("holder: semset_get");
		return 1;
	}
	rc = no_undo ? lock_without_undo(mutex_set) : mutex_lock(mutex_set, 0);
	if (rc == -1) {
		perror("holder: mutex_lock");
		return 1;	/* not ours to remove: its creator does */
	}
	printf("holder: pid %d holds the mutex of set %d%s\n", (int)getpid(), mutex_set,
	       no_undo ? ", without SEM_UNDO" : "");
	fflush(stdout);
	while (!stop_asked)
		sigsuspend(&before);
	/* No unlock first: the waiters would take the lock; removal wakes them with EIDRM. */
	if (semset_remove(mutex_set) == -1) {
		perror("holder: semset_remove");
		return 1;
	}
	printf("holder: removed set %d\n", mutex_set);
	return 0;
}
