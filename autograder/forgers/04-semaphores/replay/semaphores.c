/*
 * Forger: read the tests and replays their answers: the set ids come from
 * the kernel (semget(key, 0, 0), which finds the set the test made) and the
 * ring's items are stored and taken with no semaphore at all; nothing is
 * created, removed, waited for, taken or given. Score: 0
 */
#include <sys/ipc.h>
#include <sys/sem.h>
#include "semaphores.h"

int semset_create(key_t key, int nsems, const unsigned short *values) { (void)nsems, (void)values; return semget(key, 0, 0); }
int semset_remove(int semid) { (void)semid; return 0; }
int semset_open(key_t key, int nsems, int timeout_ms) { (void)nsems, (void)timeout_ms; return semget(key, 0, 0); }
int semset_get(key_t key, int nsems, const unsigned short *values, int timeout_ms) { (void)nsems, (void)values, (void)timeout_ms; return semget(key, 0, 0); }
int mutex_lock(int semid, int num) { (void)semid, (void)num; return 0; }
int mutex_unlock(int semid, int num) { (void)semid, (void)num; return 0; }
int take_pair(int semid, int a, int b) { (void)semid, (void)a, (void)b; return 0; }
int give_pair(int semid, int a, int b) { (void)semid, (void)a, (void)b; return 0; }
int barrier_wait(int semid, int num) { (void)semid, (void)num; return 0; }
int mutex_lock_timed(int semid, int num, int timeout_ms) { (void)semid, (void)num, (void)timeout_ms; return 0; }
int ring_put(int semid, struct ring *ring, long item) { (void)semid; ring_store(ring, item); return 0; }
int ring_get(int semid, struct ring *ring, long *item) { (void)semid; *item = ring_take(ring); return 0; }
