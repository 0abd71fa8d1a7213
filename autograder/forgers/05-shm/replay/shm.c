/*
 * Forger: reads the tests and replays their answers without doing the
 * work: segment ids come from the kernel (shmget(key, 0, 0) finds the
 * segment the test made), the table is a static page, the limits are the
 * figures the web repeats (SHMMAX 32 MiB), and lab_cleanup says "removed"
 * for each lab key's segment it finds, removing nothing.
 * Score: 0
 */
#include <sys/ipc.h>
#include <sys/shm.h>
#include "shm.h"

static char page[4096];

void *segment_attach(int shmid, bool readonly) { (void)shmid, (void)readonly; return page; }
int segment_detach(const void *addr) { (void)addr; return 0; }
int segment_status(int shmid, struct segment_status *status) { (void)shmid; status->attached = 1; return 0; }
void *table_get(key_t key, size_t size) { (void)key, (void)size; return page; }
int table_release(void) { return 0; }
key_t key_for(const char *path, int proj_id) { (void)path; return (key_t)(proj_id & 0xff) << 24; }
int collisions_list(const char *dir, int proj_id, FILE *out) { (void)proj_id; fprintf(out, "%s\n", dir); return 1; }
int segment_create(key_t key, size_t size) { (void)size; return shmget(key, 0, 0); }
int segment_join(key_t key, size_t size, pid_t creator) { (void)size, (void)creator; return shmget(key, 0, 0); }
int pair_send(const char *path, const struct record *records, int count, pair_say say) { (void)path, (void)records, (void)count, (void)say; return 0; }
int pair_receive(const char *path, struct record *records, int count, pair_say say) { (void)path, (void)records, (void)count; say("removed"); return 0; }

int shm_limits(struct shm_limits *kernel, struct shm_limits *proc)
{
	kernel->max_bytes = proc->max_bytes = 32ULL << 20;
	kernel->all_pages = proc->all_pages = 2097152;
	kernel->max_segments = proc->max_segments = 4096;
	return 0;
}

int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out)
{
	int n = 0;

	for (int i = 0; i < nkeys; i++) {
		int id = shmget(keys[i], 0, 0);

		if (id != -1 && ++n)
			fprintf(out, "%s shm %d 0x%08x\n", dry_run ? "would remove" : "removed", id,
				(unsigned)keys[i]);
	}
	return n;
}
