/*
 * shm.c - Lab 05, an alternative correct solution: collisions_list() walks
 * the tree with fts(3) (FTS_PHYSICAL), sorts the files by key alone, then
 * each run of one key by path; table_get() opens an existing segment first
 * (shmget without IPC_CREAT, its size read with IPC_STAT) and creates one
 * with IPC_CREAT | IPC_EXCL only when none exists; segment_join() checks
 * the creator and the mode in one test, then the size, and takes a segment
 * removed after its shmget() for none (ENOENT); the pair opens its objects
 * before it creates them, drives its semaphores with sem_op arrays in a
 * for(;;) loop, and the receiver removes the set first; shm_limits() reads
 * the files with fgets/sscanf before it asks shmctl(IPC_INFO);
 * lab_cleanup() finds the key, id and cuid columns of /proc/sysvipc/shm,
 * sem and msg by their names in the first line, and keeps what it finds in
 * a linked list sorted by id as it grows.
 *
 * Written from shm.h only. The self-check (alternatives_full_marks) grades
 * it: it must score what the reference does.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fts.h>
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

/* ---- §3.1 Attach, detach, look ---- */

void *segment_attach(int shmid, bool readonly)
{
	void *addr = shmat(shmid, NULL, readonly ? SHM_RDONLY : 0);

	if (addr == (void *)-1)
		addr = NULL;
	return addr;
}

int segment_detach(const void *addr)
{
	return shmdt(addr);
}

int segment_status(int shmid, struct segment_status *status)
{
	struct shmid_ds ds;

	memset(&ds, 0, sizeof(ds));
	if (shmctl(shmid, IPC_STAT, &ds) != 0)
		return -1;
	status->removed = false;
	if (ds.shm_perm.mode & SHM_DEST)
		status->removed = true;
	status->key = ds.shm_perm.__key;
	status->size = ds.shm_segsz;
	status->attached = ds.shm_nattch;
	status->creator = ds.shm_cpid;
	return 0;
}

/* ---- §3.2 One shared table, attached once ---- */

/* The table held: where it is attached (NULL: none) and its key. */
static void *held_table;
static key_t held_key;

/* The id of the segment of key, at least size bytes; created when none exists. */
static int table_segment(key_t key, size_t size)
{
	for (;;) {
		struct shmid_ds ds;
		int shmid = shmget(key, 0, 0);

		if (shmid != -1) {
			if (shmctl(shmid, IPC_STAT, &ds) == -1)
				return -1;
			if (ds.shm_segsz < size) {
				errno = EINVAL;
				return -1;
			}
			return shmid;
		}
		if (errno != ENOENT)
			return -1;
		shmid = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
		if (shmid != -1 || errno != EEXIST)
			return shmid;
		/* another process made it in between: open that one */
	}
}

void *table_get(key_t key, size_t size)
{
	void *addr;
	int shmid;

	if (held_table != NULL && held_key == key)
		return held_table;
	if (held_table != NULL) {
		errno = EBUSY;
		return NULL;
	}
	shmid = table_segment(key, size);
	if (shmid == -1)
		return NULL;
	addr = shmat(shmid, NULL, 0);
	if (addr == (void *)-1)
		return NULL;
	held_key = key;
	held_table = addr;
	return held_table;
}

int table_release(void)
{
	int rc;

	if (held_table == NULL) {
		errno = EINVAL;
		return -1;
	}
	rc = shmdt(held_table);
	if (rc == 0)
		held_table = NULL;
	return rc;
}

/* ---- §3.3 Keys are hashes ---- */

static key_t key_from(dev_t dev, ino_t ino, int proj_id)
{
	unsigned long key = (unsigned long)(proj_id & 0xff) << 24;

	key |= (unsigned long)(dev & 0xff) << 16;
	key |= (unsigned long)(ino & 0xffff);
	return (key_t)key;
}

key_t key_for(const char *path, int proj_id)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return key_from(st.st_dev, st.st_ino, proj_id);
}

/* A regular file met in the walk. */
struct hit {
	unsigned int key;	/* unsigned, so that keys sort as %08x prints them */
	char *path;
};

static int by_key(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct hit *)a)->path, ((const struct hit *)b)->path);
}

/* Appends the file of ent to *hits; returns 0 or an errno. */
static int add_hit(struct hit **hits, size_t *n, size_t *cap, const FTSENT *ent,
		   int proj_id)
{
	if (*n == *cap) {
		size_t more = *cap ? 2 * *cap : 128;
		struct hit *grown = realloc(*hits, more * sizeof(**hits));

		if (grown == NULL)
			return errno;
		*hits = grown;
		*cap = more;
	}
	(*hits)[*n].path = strdup(ent->fts_path);
	if ((*hits)[*n].path == NULL)
		return errno;
	(*hits)[(*n)++].key = (unsigned)key_from(ent->fts_statp->st_dev,
						 ent->fts_statp->st_ino, proj_id);
	return 0;
}

/* Collects every regular file under dir into *hits (*n of them). */
static int gather(const char *dir, int proj_id, struct hit **hits, size_t *n)
{
	char *roots[] = {(char *)dir, NULL};
	size_t cap = 0;
	FTSENT *ent;
	FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	int err = 0;

	if (fts == NULL)
		return -1;
	while (err == 0) {
		errno = 0;
		ent = fts_read(fts);
		if (ent == NULL) {
			err = errno;	/* 0: the walk is over */
			break;
		}
		if (ent->fts_info == FTS_DNR || ent->fts_info == FTS_ERR ||
		    ent->fts_info == FTS_NS) {
			err = ent->fts_errno;
		} else if (ent->fts_level == 0 && ent->fts_info != FTS_D &&
			   ent->fts_info != FTS_DP) {
			/* dir itself is no directory (a link to one is not followed) */
			err = ENOTDIR;
		} else if (ent->fts_info == FTS_F && S_ISREG(ent->fts_statp->st_mode)) {
			err = add_hit(hits, n, &cap, ent, proj_id);
		}
	}
	fts_close(fts);
	errno = err;
	return err ? -1 : 0;
}

int collisions_list(const char *dir, int proj_id, FILE *out)
{
	struct hit *hits = NULL;
	size_t n = 0;
	int lines = 0, err;

	errno = 0;
	if (gather(dir, proj_id, &hits, &n) == -1) {
		lines = -1;
	} else {
		qsort(hits, n, sizeof(*hits), by_key);
		for (size_t start = 0, end; start < n; start = end) {
			end = start + 1;
			while (end < n && hits[end].key == hits[start].key)
				end++;
			if (end - start < 2)
				continue;
			qsort(hits + start, end - start, sizeof(*hits), by_path);
			fprintf(out, "0x%08x", hits[start].key);
			for (size_t i = start; i < end; i++)
				fprintf(out, " %s", hits[i].path);
			fprintf(out, "\n");
			lines++;
		}
	}
	err = errno;
	for (size_t i = 0; i < n; i++)
		free(hits[i].path);
	free(hits);
	errno = err;
	return lines;
}

/* ---- §3.4 Keys that collide ---- */

int segment_create(key_t key, size_t size)
{
	int shmid = shmget(key, size, 0600 | IPC_CREAT | IPC_EXCL);

	return shmid;
}

int segment_join(key_t key, size_t size, pid_t creator)
{
	struct shmid_ds ds;
	int shmid = shmget(key, 0, 0);

	if (shmid == -1 || shmctl(shmid, IPC_STAT, &ds) == -1)
		return -1;
	/* removed between the two calls: its key is IPC_PRIVATE now, as if none had it */
	if (ds.shm_perm.mode & SHM_DEST) {
		errno = ENOENT;
		return -1;
	}
	if ((ds.shm_perm.mode & 0777) != 0600 || ds.shm_cpid != creator) {
		errno = EPERM;
		return -1;
	}
	if (ds.shm_segsz != size) {
		errno = EINVAL;
		return -1;
	}
	return shmid;
}

/* ---- §3.5 A writer and a reader ---- */

/* The semop arrays of the pair: semaphore 0 counts records written, 1 records read. */
static struct sembuf wrote_one[] = {{.sem_num = 0, .sem_op = 1}};
static struct sembuf take_written[] = {{.sem_num = 0, .sem_op = -1}};
static struct sembuf read_one[] = {{.sem_num = 1, .sem_op = 1}};
static struct sembuf take_read[] = {{.sem_num = 1, .sem_op = -1}};

/* semop, again after each signal that interrupts the wait. */
static int sem_apply(int semid, struct sembuf *ops, size_t nops)
{
	for (;;) {
		if (semop(semid, ops, nops) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* The pair's segment and set of key: flags 0 opens one, IPC_CREAT makes it if need be. */
static int open_segment(key_t key, int flags)
{
	return shmget(key, sizeof(struct record), flags | 0600);
}

static int open_set(key_t key, int flags)
{
	return semget(key, 2, flags | 0600);
}

/* Opens the existing object first; creates it only when none has the key. */
static int open_or_create(int (*open_it)(key_t, int), key_t key)
{
	int id = open_it(key, 0);

	if (id == -1 && errno == ENOENT)
		id = open_it(key, IPC_CREAT);
	return id;
}

/* Opens (or creates) the pair's segment and set, and attaches the segment. */
static struct record *pair_attach(const char *path, int *shmid, int *semid)
{
	key_t key = ftok(path, PAIR_PROJ);
	void *addr;

	if (key == -1)
		return NULL;
	*shmid = open_or_create(open_segment, key);
	if (*shmid == -1)
		return NULL;
	*semid = open_or_create(open_set, key);
	if (*semid == -1)
		return NULL;
	addr = shmat(*shmid, NULL, 0);
	return addr == (void *)-1 ? NULL : addr;
}

/* Detaches slot after a failure, keeping that failure's errno; returns -1. */
static int detach_failed(struct record *slot)
{
	int saved = errno;

	shmdt(slot);
	errno = saved;
	return -1;
}

int pair_send(const char *path, const struct record *records, int count, pair_say say)
{
	int shmid, semid;
	struct record *slot = pair_attach(path, &shmid, &semid);

	(void)say;
	if (slot == NULL)
		return -1;
	for (int i = 0; i < count; i++) {
		/* record i - 1 must have been read before record i overwrites it */
		if (i != 0 && sem_apply(semid, take_read, 1) != 0)
			return detach_failed(slot);
		*slot = records[i];
		if (sem_apply(semid, wrote_one, 1) != 0)
			return detach_failed(slot);
	}
	return shmdt(slot);
}

int pair_receive(const char *path, struct record *records, int count, pair_say say)
{
	int shmid, semid;
	struct record *slot = pair_attach(path, &shmid, &semid);
	char said[100];

	if (slot == NULL)
		return -1;
	for (int i = 0; i < count; i++) {
		if (sem_apply(semid, take_written, 1) != 0)
			return detach_failed(slot);
		records[i] = *slot;
		if (sem_apply(semid, read_one, 1) != 0)
			return detach_failed(slot);
	}
	if (semctl(semid, 0, IPC_RMID) == -1)
		return detach_failed(slot);
	if (shmdt(slot) == -1 || shmctl(shmid, IPC_RMID, NULL) == -1)
		return -1;
	snprintf(said, sizeof(said), "removed the pair's semaphore set %d and segment %d",
		 semid, shmid);
	say(said);
	return 0;
}

/* ---- §3.6 The limits ---- */

/* The number /proc/sys/kernel/NAME holds, into *value. */
static int proc_limit(const char *name, unsigned long long *value)
{
	char path[80], line[64], rest;
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	errno = 0;
	ok = fgets(line, sizeof(line), f) != NULL;
	if (!ok && ferror(f)) {
		int err = errno;

		fclose(f);
		errno = err;
		return -1;
	}
	fclose(f);
	/* one number of digits only: no sign, nothing after it but blanks */
	if (!ok || line[0] < '0' || line[0] > '9' ||
	    sscanf(line, "%llu %c", value, &rest) != 1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int shm_limits(struct shm_limits *kernel, struct shm_limits *proc)
{
	struct shminfo info;

	if (proc_limit("shmmax", &proc->max_bytes) != 0 ||
	    proc_limit("shmall", &proc->all_pages) != 0 ||
	    proc_limit("shmmni", &proc->max_segments) != 0)
		return -1;
	if (shmctl(0, IPC_INFO, (struct shmid_ds *)(void *)&info) == -1)
		return -1;
	kernel->max_bytes = info.shmmax;
	kernel->all_pages = info.shmall;
	kernel->max_segments = info.shmmni;
	return 0;
}

/* ---- §3.7 Cleaning up what is yours ---- */

/* An object to remove, in a list sorted by id. */
struct found {
	struct found *next;
	int id;
	key_t key;
};

/* Inserts (id, key) where it belongs in the sorted list *list. */
static int insert_by_id(struct found **list, int id, key_t key)
{
	struct found *f = malloc(sizeof(*f));

	if (f == NULL)
		return -1;
	while (*list && (*list)->id < id)
		list = &(*list)->next;
	f->id = id;
	f->key = key;
	f->next = *list;
	*list = f;
	return 0;
}

static void free_found(struct found *list)
{
	while (list) {
		struct found *next = list->next;

		free(list);
		list = next;
	}
}

/* The column (from 0) named name in the heading line head, or -1. */
static int column_of(const char *head, const char *name)
{
	char word[32];
	int n, column = 0;

	while (sscanf(head, " %31s%n", word, &n) == 1) {
		if (strcmp(word, name) == 0)
			return column;
		head += n;
		column++;
	}
	return -1;
}

static bool among(key_t key, const key_t *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (key == keys[i])
			return true;
	return false;
}

/* Lists the lab's objects of the caller in /proc/sysvipc/FILE, id column ID. */
static int find_ours(const char *file, const char *id_name, const key_t *keys, int nkeys,
		     struct found **list)
{
	char path[64], line[512];
	int key_col, id_col, uid_col, rc = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sysvipc/%s", file);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return 0;
	}
	key_col = column_of(line, "key");
	id_col = column_of(line, id_name);
	uid_col = column_of(line, "cuid");
	if (key_col < 0 || id_col < 0 || uid_col < 0) {
		fclose(f);
		errno = EPROTO;
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		long long key = 0, id = 0, uid = -1;
		char *p = line, *end;

		for (int col = 0; ; col++, p = end) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			if (col == key_col)
				key = v;
			if (col == id_col)
				id = v;
			if (col == uid_col)
				uid = v;
		}
		if (uid == (long long)geteuid() && among((key_t)key, keys, nkeys))
			rc = insert_by_id(list, (int)id, (key_t)key);
	}
	fclose(f);
	return rc;
}

int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out)
{
	static const char *const kinds[][2] = {
		{"shm", "shmid"}, {"sem", "semid"}, {"msg", "msqid"},
	};
	int total = 0;

	if (nkeys < 1 || among(IPC_PRIVATE, keys, nkeys)) {
		errno = EINVAL;
		return -1;
	}
	for (int k = 0; k < 3; k++) {
		struct found *list = NULL;

		if (find_ours(kinds[k][0], kinds[k][1], keys, nkeys, &list) == -1) {
			free_found(list);
			return -1;
		}
		for (struct found *f = list; f; f = f->next) {
			int rc = 0;

			if (!dry_run && k == 0)
				rc = shmctl(f->id, IPC_RMID, NULL);
			else if (!dry_run && k == 1)
				rc = semctl(f->id, 0, IPC_RMID);
			else if (!dry_run)
				rc = msgctl(f->id, IPC_RMID, NULL);
			if (rc == -1) {
				int err = errno;

				free_found(list);
				errno = err;
				return -1;
			}
			fprintf(out, "%s %s %d 0x%08x\n", dry_run ? "would remove" : "removed",
				kinds[k][0], f->id, (unsigned)f->key);
			total++;
		}
		free_found(list);
	}
	return total;
}
