/*
 * stubs.c - the rest of a lab 04 forger whose forge.c comes first: each
 * graded function calls forge() and then claims success.
 */
#include "semaphores.h"

int semset_create(key_t key, int nsems, const unsigned short *values) { forge(); (void)key, (void)nsems, (void)values; return 0; }
int semset_remove(int semid) { forge(); (void)semid; return 0; }
int semset_open(key_t key, int nsems, int timeout_ms) { forge(); (void)key, (void)nsems, (void)timeout_ms; return 0; }
int semset_get(key_t key, int nsems, const unsigned short *values, int timeout_ms) { forge(); (void)key, (void)nsems, (void)values, (void)timeout_ms; return 0; }
int mutex_lock(int semid, int num) { forge(); (void)semid, (void)num; return 0; }
int mutex_unlock(int semid, int num) { forge(); (void)semid, (void)num; return 0; }
int take_pair(int semid, int a, int b) { forge(); (void)semid, (void)a, (void)b; return 0; }
int give_pair(int semid, int a, int b) { forge(); (void)semid, (void)a, (void)b; return 0; }
int barrier_wait(int semid, int num) { forge(); (void)semid, (void)num; return 0; }
int mutex_lock_timed(int semid, int num, int timeout_ms) { forge(); (void)semid, (void)num, (void)timeout_ms; return 0; }
int ring_put(int semid, struct ring *ring, long item) { forge(); (void)semid, (void)ring, (void)item; return 0; }
int ring_get(int semid, struct ring *ring, long *item) { forge(); (void)semid; *item = ring->slot[ring->head]; return 0; }
