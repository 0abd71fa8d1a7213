/*
 * Forger: every function claims success without doing the work: nothing is
 * attached, created, removed or read; what comes back is what a test might
 * expect to see (an address, 0, a key, a count of 0).
 * Score: 0
 */
#include "shm.h"

static char page[4096];

void *segment_attach(int shmid, bool readonly) { (void)shmid, (void)readonly; return page; }
int segment_detach(const void *addr) { (void)addr; return 0; }
int segment_status(int shmid, struct segment_status *status) { (void)shmid, (void)status; return 0; }
void *table_get(key_t key, size_t size) { (void)key, (void)size; return page; }
int table_release(void) { return 0; }
key_t key_for(const char *path, int proj_id) { (void)path; return (key_t)(proj_id & 0xff) << 24; }
int collisions_list(const char *dir, int proj_id, FILE *out) { (void)dir, (void)proj_id, (void)out; return 0; }
int segment_create(key_t key, size_t size) { (void)key, (void)size; return 0; }
int segment_join(key_t key, size_t size, pid_t creator) { (void)key, (void)size, (void)creator; return 0; }
int pair_send(const char *path, const struct record *records, int count, pair_say say) { (void)path, (void)records, (void)count, (void)say; return 0; }
int pair_receive(const char *path, struct record *records, int count, pair_say say) { (void)path, (void)records, (void)count; say("removed"); return 0; }
int shm_limits(struct shm_limits *kernel, struct shm_limits *proc) { (void)kernel, (void)proc; return 0; }
int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out) { (void)keys, (void)nkeys, (void)dry_run, (void)out; return 0; }
