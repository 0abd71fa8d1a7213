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

#ifdef SOLUTION
/*
 * Reference edition, the worked answer of the course. Habits to copy: a
 * failed shmat is (void *) -1, a key is a hash that another program's file
 * can share (create with IPC_EXCL, check whose segment it is before
 * trusting it), a segment is attached once and reused, and removing is
 * IPC_RMID, never the last shmdt.
 */
#else
/*
 * Your edition: replace each TODO(lab05) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented"). The
 * pair of §3.5 is there already, as a naive first draft: review it, then fix
 * its faults (the handout lists them).
 */
#endif

/* ---- §3.1 Attach, detach, look ---- */

void *segment_attach(int shmid, bool readonly)
{
#ifdef SOLUTION
	void *addr = shmat(shmid, NULL, readonly ? SHM_RDONLY : 0);

	return addr == (void *)-1 ? NULL : addr;
#else
	/* TODO(lab05): attach the segment. Handout §3.1. */
	(void)shmid, (void)readonly;
	errno = ENOSYS;
	return NULL;
#endif
}

int segment_detach(const void *addr)
{
#ifdef SOLUTION
	return shmdt(addr);
#else
	/* TODO(lab05): detach it. Handout §3.1. */
	(void)addr;
	errno = ENOSYS;
	return -1;
#endif
}

int segment_status(int shmid, struct segment_status *status)
{
#ifdef SOLUTION
	struct shmid_ds ds;

	if (shmctl(shmid, IPC_STAT, &ds) == -1)
		return -1;
	status->key = ds.shm_perm.__key;
	status->size = ds.shm_segsz;
	status->attached = ds.shm_nattch;
	status->creator = ds.shm_cpid;
	status->removed = (ds.shm_perm.mode & SHM_DEST) != 0;
	return 0;
#else
	/* TODO(lab05): ask the kernel with shmctl(IPC_STAT). Handout §3.1. */
	(void)shmid, (void)status;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.2 One shared table, attached once ---- */

#ifdef SOLUTION
/* The table this process holds: its key and address (NULL: none). */
static key_t table_key;
static void *table_addr;
#endif

void *table_get(key_t key, size_t size)
{
#ifdef SOLUTION
	int shmid;
	void *addr;

	if (table_addr) {
		if (key == table_key)
			return table_addr;
		errno = EBUSY;
		return NULL;
	}
	shmid = shmget(key, size, IPC_CREAT | 0600);
	if (shmid == -1)
		return NULL;
	addr = shmat(shmid, NULL, 0);
	if (addr == (void *)-1)
		return NULL;
	table_key = key;
	table_addr = addr;
	return addr;
#else
	/* TODO(lab05): attach the first time only. Handout §3.2. */
	(void)key, (void)size;
	errno = ENOSYS;
	return NULL;
#endif
}

int table_release(void)
{
#ifdef SOLUTION
	if (table_addr == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (shmdt(table_addr) == -1)
		return -1;
	table_addr = NULL;
	return 0;
#else
	/* TODO(lab05): detach the table. Handout §3.2. */
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.3 Keys are hashes ---- */

#ifdef SOLUTION
static key_t key_of(const struct stat *st, int proj_id)
{
	return (key_t)(((unsigned)proj_id & 0xff) << 24 |
		       ((unsigned)st->st_dev & 0xff) << 16 |
		       ((unsigned)st->st_ino & 0xffff));
}
#endif

key_t key_for(const char *path, int proj_id)
{
#ifdef SOLUTION
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	return key_of(&st, proj_id);
#else
	/* TODO(lab05): stat the file and put the key together. Handout §3.3. */
	(void)path, (void)proj_id;
	errno = ENOSYS;
	return -1;
#endif
}

#ifdef SOLUTION
/* The regular files found under the directory, with their keys. */
struct keyed {
	key_t key;
	char *path;
};

static struct keyed *found;
static size_t nfound, found_cap;
static int walk_proj;

static int note_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_DNR) {
		errno = EACCES;
		return -1;
	}
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if (nfound == found_cap) {
		size_t cap = found_cap ? 2 * found_cap : 64;
		struct keyed *more = realloc(found, cap * sizeof(*more));

		if (more == NULL)
			return -1;
		found = more;
		found_cap = cap;
	}
	found[nfound].path = strdup(path);
	if (found[nfound].path == NULL)
		return -1;
	found[nfound++].key = key_of(st, walk_proj);
	return 0;
}

static int by_key_then_path(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->key != y->key)
		return (unsigned)x->key < (unsigned)y->key ? -1 : 1;
	return strcmp(x->path, y->path);
}
#endif

int collisions_list(const char *dir, int proj_id, FILE *out)
{
#ifdef SOLUTION
	struct stat top;
	int lines = 0, rc;

	if (lstat(dir, &top) == -1)
		return -1;
	if (!S_ISDIR(top.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	nfound = 0;
	walk_proj = proj_id;
	rc = nftw(dir, note_file, 16, FTW_PHYS);
	if (rc == 0) {
		qsort(found, nfound, sizeof(*found), by_key_then_path);
		for (size_t i = 0; i < nfound;) {
			size_t j = i + 1;

			while (j < nfound && found[j].key == found[i].key)
				j++;
			if (j - i > 1) {
				fprintf(out, "0x%08x", (unsigned)found[i].key);
				for (size_t k = i; k < j; k++)
					fprintf(out, " %s", found[k].path);
				fputc('\n', out);
				lines++;
			}
			i = j;
		}
	}
	for (size_t i = 0; i < nfound; i++)
		free(found[i].path);
	free(found);
	found = NULL;
	found_cap = 0;
	return rc == 0 ? lines : -1;
#else
	/* TODO(lab05): walk the tree (nftw), key each file, print shared keys. Handout §3.3. */
	(void)dir, (void)proj_id, (void)out;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.4 Keys that collide ---- */

int segment_create(key_t key, size_t size)
{
#ifdef SOLUTION
	return shmget(key, size, IPC_CREAT | IPC_EXCL | 0600);
#else
	/* TODO(lab05): create, never reuse. Handout §3.4. */
	(void)key, (void)size;
	errno = ENOSYS;
	return -1;
#endif
}

int segment_join(key_t key, size_t size, pid_t creator)
{
#ifdef SOLUTION
	struct shmid_ds ds;
	int shmid = shmget(key, 0, 0);

	if (shmid == -1 || shmctl(shmid, IPC_STAT, &ds) == -1)
		return -1;
	if (ds.shm_cpid != creator || (ds.shm_perm.mode & 0777) != 0600)
		errno = EPERM;
	else if (ds.shm_segsz != size)
		errno = EINVAL;
	else
		return shmid;
	return -1;
#else
	/* TODO(lab05): open it, then check whose it is before trusting it. Handout §3.4. */
	(void)key, (void)size, (void)creator;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.5 A writer and a reader ---- */

#ifdef SOLUTION
/* The pair's segment and set, and where the segment is attached. */
struct pair {
	int shmid, semid;
	struct record *slot;
};

/* Opens (or creates) the pair's objects and attaches the segment. */
static int pair_open(const char *path, struct pair *p)
{
	key_t key = ftok(path, PAIR_PROJ);
	void *addr;

	if (key == -1)
		return -1;
	p->shmid = shmget(key, sizeof(struct record), IPC_CREAT | 0600);
	if (p->shmid == -1)
		return -1;
	p->semid = semget(key, 2, IPC_CREAT | 0600);
	if (p->semid == -1)
		return -1;
	addr = shmat(p->shmid, NULL, 0);
	if (addr == (void *)-1)
		return -1;
	p->slot = addr;
	return 0;
}

/* Adds delta to semaphore num, waiting while that would go below 0. */
static int pair_op(const struct pair *p, unsigned short num, short delta)
{
	struct sembuf op = {.sem_num = num, .sem_op = delta};
	int rc;

	while ((rc = semop(p->semid, &op, 1)) == -1 && errno == EINTR)
		;
	return rc;
}

/* Detaches, keeping the errno of what failed before. */
static int pair_fail(const struct pair *p)
{
	int err = errno;

	shmdt(p->slot);
	errno = err;
	return -1;
}
#endif

int pair_send(const char *path, const struct record *records, int count, pair_say say)
{
#ifdef SOLUTION
	struct pair p;

	(void)say;
	if (pair_open(path, &p) == -1)
		return -1;
	for (int i = 0; i < count; i++) {
		if (i > 0 && pair_op(&p, 1, -1) == -1)
			return pair_fail(&p);
		*p.slot = records[i];
		if (pair_op(&p, 0, 1) == -1)
			return pair_fail(&p);
	}
	return shmdt(p.slot);
#else
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
#endif
}

int pair_receive(const char *path, struct record *records, int count, pair_say say)
{
#ifdef SOLUTION
	struct pair p;
	char line[80];

	if (pair_open(path, &p) == -1)
		return -1;
	for (int i = 0; i < count; i++) {
		if (pair_op(&p, 0, -1) == -1)
			return pair_fail(&p);
		records[i] = *p.slot;
		if (pair_op(&p, 1, 1) == -1)
			return pair_fail(&p);
	}
	if (shmdt(p.slot) == -1 || shmctl(p.shmid, IPC_RMID, NULL) == -1 ||
	    semctl(p.semid, 0, IPC_RMID) == -1)
		return -1;
	snprintf(line, sizeof(line), "removed segment %d and semaphore set %d",
		 p.shmid, p.semid);
	say(line);
	return 0;
#else
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
#endif
}

/* ---- §3.6 The limits ---- */

#ifdef SOLUTION
/* Reads one number from /proc/sys/kernel/NAME into *value. */
static int read_limit(const char *name, unsigned long long *value)
{
	char path[64];
	FILE *f;
	int got;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	got = fscanf(f, "%llu", value);
	fclose(f);
	if (got != 1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}
#endif

int shm_limits(struct shm_limits *kernel, struct shm_limits *proc)
{
#ifdef SOLUTION
	struct shminfo info;

	if (shmctl(0, IPC_INFO, (struct shmid_ds *)&info) == -1)
		return -1;
	kernel->max_bytes = info.shmmax;
	kernel->all_pages = info.shmall;
	kernel->max_segments = info.shmmni;
	if (read_limit("shmmax", &proc->max_bytes) == -1 ||
	    read_limit("shmall", &proc->all_pages) == -1 ||
	    read_limit("shmmni", &proc->max_segments) == -1)
		return -1;
	return 0;
#else
	/* TODO(lab05): ask shmctl(IPC_INFO), then read the three files. Handout §3.6. */
	(void)kernel, (void)proc;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.7 Cleaning up what is yours ---- */

#ifdef SOLUTION
/* One kind of object: its /proc/sysvipc file, its name and how to remove one. */
struct kind {
	const char *file, *name;
	int uid_column;		/* the cuid's column, counting from 0 */
	int (*remove)(int id);
};

static int remove_shm(int id)
{
	return shmctl(id, IPC_RMID, NULL);
}

static int remove_sem(int id)
{
	return semctl(id, 0, IPC_RMID);
}

static int remove_msg(int id)
{
	return msgctl(id, IPC_RMID, NULL);
}

static bool is_lab_key(key_t key, const key_t *keys, int nkeys)
{
	for (int i = 0; i < nkeys; i++)
		if (keys[i] == key)
			return true;
	return false;
}

/* An object found in /proc/sysvipc. */
struct object {
	int id;
	key_t key;
};

static int by_id(const void *a, const void *b)
{
	int first = ((const struct object *)a)->id, second = ((const struct object *)b)->id;

	return first < second ? -1 : first > second;
}

/*
 * Lists into *found (a malloc'd array, by id) the objects of one kind that
 * are the lab's and the caller's; returns how many, or -1.
 */
static int list_ours(const struct kind *kind, const key_t *keys, int nkeys,
		     struct object **found)
{
	char line[512];
	FILE *f = fopen(kind->file, "r");
	int n = 0, cap = 0;

	*found = NULL;
	if (f == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL) {	/* the column names */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		long long column[12];
		int got = 0;
		char *p = line, *end;

		while (got <= kind->uid_column) {
			column[got] = strtoll(p, &end, 10);
			if (end == p)
				break;
			p = end;
			got++;
		}
		if (got <= kind->uid_column || !is_lab_key((key_t)column[0], keys, nkeys) ||
		    (uid_t)column[kind->uid_column] != geteuid())
			continue;
		if (n == cap) {
			struct object *more = realloc(*found, (size_t)(cap + 64) * sizeof(*more));

			if (more == NULL) {
				fclose(f);
				return -1;
			}
			*found = more;
			cap += 64;
		}
		(*found)[n].id = (int)column[1];
		(*found)[n++].key = (key_t)column[0];
	}
	fclose(f);
	if (n > 0)
		qsort(*found, (size_t)n, sizeof(**found), by_id);
	return n;
}
#endif

int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out)
{
#ifdef SOLUTION
	/* /proc/sysvipc columns: key, id, perms, ...; the cuid's, counting from 0. */
	static const struct kind kinds[] = {
		{"/proc/sysvipc/shm", "shm", 9, remove_shm},
		{"/proc/sysvipc/sem", "sem", 6, remove_sem},
		{"/proc/sysvipc/msg", "msg", 9, remove_msg},
	};
	int total = 0;

	if (nkeys < 1 || is_lab_key(IPC_PRIVATE, keys, nkeys)) {
		errno = EINVAL;
		return -1;
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct object *found;
		int n = list_ours(&kinds[k], keys, nkeys, &found);

		if (n == -1)
			return -1;
		for (int i = 0; i < n; i++) {
			if (!dry_run && kinds[k].remove(found[i].id) == -1) {
				free(found);
				return -1;
			}
			fprintf(out, "%s %s %d 0x%08x\n", dry_run ? "would remove" : "removed",
				kinds[k].name, found[i].id, (unsigned)found[i].key);
			total++;
		}
		free(found);
	}
	return total;
#else
	/* TODO(lab05): find yours in /proc/sysvipc, remove only those. Handout §3.7. */
	(void)keys, (void)nkeys, (void)dry_run, (void)out;
	errno = ENOSYS;
	return -1;
#endif
}
