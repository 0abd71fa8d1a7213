/*
 * Forger: every function claims success without doing the work: no link
 * is made, nothing is sent, received, closed or removed; link_open fills
 * the fields with numbers that look like descriptors and ids, and
 * link_close sets them to -1 as it should. harness.c makes up timings.
 * Score: 0
 */
#include <string.h>
#include "compare.h"

int link_open(struct link *l, enum mech m, const char *dir)
{
	memset(l, 0, sizeof(*l));
	l->mech = m;
	l->side = -1;
	l->fd[0][0] = 3, l->fd[0][1] = 4, l->fd[1][0] = 5, l->fd[1][1] = 6;
	l->msqid = l->shmid = l->semid = 0;
	if (dir)
		strncpy(l->dir, dir, sizeof(l->dir) - 1);
	return 0;
}

int link_side(struct link *l, int side)
{
	l->side = side;
	return 0;
}

int link_send(struct link *l, const void *buf, size_t len) { (void)l, (void)buf, (void)len; return 0; }
int link_recv(struct link *l, void *buf, size_t len) { (void)l, (void)buf, (void)len; return 0; }

int link_close(struct link *l, int remove)
{
	(void)remove;
	l->fd[0][0] = l->fd[0][1] = l->fd[1][0] = l->fd[1][1] = -1;
	l->msqid = l->shmid = l->semid = -1;
	l->box = NULL;
	return 0;
}

const char *mech_name(enum mech m)
{
	static const char *const names[MECH_COUNT] = {"pipe", "fifo", "unix", "msgq", "shm", "ring"};

	return (unsigned)m < MECH_COUNT ? names[m] : "?";
}
