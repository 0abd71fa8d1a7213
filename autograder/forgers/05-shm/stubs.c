/*
 * stubs.c - the rest of a lab 05 forger whose forge.c comes first: each
 * graded function calls forge() and then claims success.
 */
#include "shm.h"

static char page[4096];

void *segment_attach(int shmid, bool readonly) { forge(); (void)shmid, (void)readonly; return page; }
int segment_detach(const void *addr) { forge(); (void)addr; return 0; }
int segment_status(int shmid, struct segment_status *status) { forge(); (void)shmid, (void)status; return 0; }
void *table_get(key_t key, size_t size) { forge(); (void)key, (void)size; return page; }
int table_release(void) { forge(); return 0; }
key_t key_for(const char *path, int proj_id) { forge(); (void)path, (void)proj_id; return 0; }
int collisions_list(const char *dir, int proj_id, FILE *out) { forge(); (void)dir, (void)proj_id, (void)out; return 0; }
int segment_create(key_t key, size_t size) { forge(); (void)key, (void)size; return 0; }
int segment_join(key_t key, size_t size, pid_t creator) { forge(); (void)key, (void)size, (void)creator; return 0; }
int pair_send(const char *path, const struct record *records, int count, pair_say say) { forge(); (void)path, (void)records, (void)count, (void)say; return 0; }
int pair_receive(const char *path, struct record *records, int count, pair_say say) { forge(); (void)path, (void)records, (void)count, (void)say; return 0; }
int shm_limits(struct shm_limits *kernel, struct shm_limits *proc) { forge(); (void)kernel, (void)proc; return 0; }
int lab_cleanup(const key_t *keys, int nkeys, bool dry_run, FILE *out) { forge(); (void)keys, (void)nkeys, (void)dry_run, (void)out; return 0; }
