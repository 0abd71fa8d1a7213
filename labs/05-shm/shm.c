/*
 * shm.c - Lab 05: System V shared memory. The contract is shm.h; the
 * handout (README.md) explains each task.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>
#include "shm.h"

/*
 * Your edition: replace each TODO(lab05) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented"). The
 * pair of §3.5 is there already, as a naive first draft: review it, then fix
 * its faults (the handout lists them).
 */

/* ---- §3.1 Attach, detach, look ---- */

void *segment_attach(int shmid, bool readonly)
{
	/* TODO(lab05): attach the segment. Handout §3.1. */
	(void)shmid, (void)readonly;
	errno = ENOSYS;
	return NULL;
}

int segment_detach(const void *addr)
{
	/* TODO(lab05): detach it. Handout §3.1. */
	(void)addr;
	errno = ENOSYS;
	return -1;
}

int segment_status(int shmid, struct segment_status *status)
{
	/* TODO(lab05): ask the kernel with shmctl(IPC_STAT). Handout §3.1. */
	(void)shmid, (void)status;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.2 One shared table, attached once ---- */


void *table_get(key_t key, size_t size)
{
	/* TODO(lab05): attach the first time only. Handout §3.2. */
	(void)key, (void)size;
	errno = ENOSYS;
	return NULL;
}

int table_release(void)
{
	/* TODO(lab05): detach the table. Handout §3.2. */
	errno = ENOSYS;
	return -1;
}

/* ---- §3.3 Keys are hashes ---- */


key_t key_for(const char *path, int proj_id)
{
	/* TODO(lab05): stat the file and put the key together. Handout §3.3. */
	(void)path, (void)proj_id;
	errno = ENOSYS;
	return -1;
}


int collisions_list(const char *dir, int proj_id, FILE *out)
{
	/* TODO(lab05): walk the tree (nftw), key each file, print shared keys. Handout §3.3. */
	(void)dir, (void)proj_id, (void)out;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.4 Keys that collide ---- */

int segment_create(key_t key, size_t size)
{
	/* TODO(lab05): create, never reuse. Handout §3.4. */
	(void)key, (void)size;
	errno = ENOSYS;
	return -1;
}

int segment_join(key_t key, size_t size, pid_t creator)
{
	/* TODO(lab05): open it, then check whose it is before trusting it. Handout §3.4. */
	(void)key, (void)size, (void)creator;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.5 A writer and a reader ---- */


int pair_send(const char *path, const struct record *records, int count, pair_say say)
{
	/* TODO(lab05): first draft, five faults. Review and fix it. Handout §3.5. */
	key_t key = ftok(path, 2015);
	int shmid;
	struct record *slot;

	if (key == -1)
		say("ftok failed");
	shmid = shmget(key, sizeof(struct record), IPC_CREAT | 0666);
	slot = shmat(shmid, NULL, 0);
	if (slot == NULL) {
		say("shmat failed");
		return -1;
	}
	for (int i = 0; i < count; i++)
		slot[0] = records[i];
	return 0;
}

int pair_receive(const char *path, struct record *records, int count, pair_say say)
{
	/* TODO(lab05): first draft, five faults. Review and fix it. Handout §3.5. */
	key_t key = ftok(path, 2015);
	int shmid;
	struct record *slot;

	if (key == -1)
		say("ftok failed");
	shmid = shmget(key, sizeof(struct record), IPC_CREAT | 0666);
	slot = shmat(shmid, NULL, 0);
	if (slot == NULL) {
		say("shmat failed");
		return -1;
	}
	for (int i = 0; i < count; i++)
		records[i] = slot[0];
	shmdt(slot);
	say("deleted shared-memory");
	shmctl(shmid, IPC_RMID, NULL);
	return 0;
}

/* ---- §3.6 The limits ---- */


int shm_limits(struct shm_limits *kernel, struct shm_limits *proc)
{
	/* TODO(lab05): ask shmctl(IPC_INFO), then read the three files. Handout §3.6. */
	(void)kernel, (void)proc;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.7 Cleaning up what is yours ---- */


int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out)
{
	/* TODO(lab05): find yours in /proc/sysvipc, remove only those. Handout §3.7. */
	(void)keys, (void)nkeys, (void)dry_run, (void)out;
	errno = ENOSYS;
	return -1;
}
