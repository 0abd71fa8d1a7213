/*
 * judgelinks.h - the tests' own side of Lab 07's links: the objects of each
 * mechanism made as struct link (compare.h) says, and sending and receiving
 * as it says, written apart from the graded code. The graded code runs on
 * one side (in a subject); a helper process of the test runs this code on
 * the other and checks every byte, chunk and message type that arrives.
 */
#ifndef JUDGELINKS_H
#define JUDGELINKS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "grader.h"
#include "compare.h"

static inline const char *errname(int err)
{
	return err == 0 ? "0" : strerrorname_np(err) ? strerrorname_np(err) : "?";
}

/* A call's value as the messages show it: "0", "-1 (errno EPIPE)". */
static inline const char *result_text(long rc, int err)
{
	static char text[64];

	if (rc == -1)
		snprintf(text, sizeof(text), "-1 (errno %s)", errname(err));
	else
		snprintf(text, sizeof(text), "%ld", rc);
	return text;
}

static inline void random_bytes(void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		ag_setup(n > 0, "getrandom");
		done += (size_t)n;
	}
}

/* The first index where a and b differ, or -1. */
static inline long first_difference(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < len; i++)
		if (x[i] != y[i])
			return (long)i;
	return -1;
}

/* The mechanism as compare.h names it, for messages: "MECH_PIPE". */
static inline const char *mech_const(enum mech m)
{
	static const char *const names[MECH_COUNT] = {"MECH_PIPE", "MECH_FIFO", "MECH_UNIX",
						      "MECH_MSGQ", "MECH_SHM", "MECH_RING"};

	return (unsigned)m < MECH_COUNT ? names[m] : "MECH_?";
}

/* A digest of len bytes (FNV-1a, 64 bits): what a helper hands the judge of what it sent. */
static inline uint64_t fnv1a(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* CLOCK_MONOTONIC in nanoseconds, read by the judge itself (never the graded now_ns). */
static inline uint64_t judge_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A link of mechanism m, made by the test; FIFOs in the scratch directory. */
static inline void judge_open(struct link *l, enum mech m)
{
	memset(l, 0, sizeof(*l));
	l->mech = m;
	l->side = -1;
	for (int d = 0; d < 2; d++)
		l->fd[d][0] = l->fd[d][1] = -1;
	l->msqid = l->shmid = l->semid = -1;
	l->box = NULL;
	l->ring = NULL;
	switch (m) {
	case MECH_PIPE:
		ag_setup(pipe2(l->fd[0], O_CLOEXEC) == 0 && pipe2(l->fd[1], O_CLOEXEC) == 0, "pipe2");
		break;
	case MECH_FIFO:
		snprintf(l->dir, sizeof(l->dir), "%s", ag_scratch());
		for (int d = 0; d < 2; d++) {
			char path[192];

			snprintf(path, sizeof(path), "%s/fifo%d", l->dir, d);
			ag_setup(mkfifo(path, 0600) == 0, "mkfifo");
			l->fd[d][0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			l->fd[d][1] = open(path, O_WRONLY | O_CLOEXEC);
			ag_setup(l->fd[d][0] != -1 && l->fd[d][1] != -1 &&
				 fcntl(l->fd[d][0], F_SETFL, 0) == 0, "open the FIFO");
		}
		break;
	case MECH_UNIX: {
		int sv[2];

		ag_setup(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
		l->fd[0][0] = sv[0];
		l->fd[1][0] = sv[1];
		break;
	}
	case MECH_MSGQ:
		l->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		ag_setup(l->msqid != -1, "msgget");
		break;
	case MECH_SHM:
		l->shmid = shmget(IPC_PRIVATE, 2 * sizeof(struct link_box), IPC_CREAT | 0600);
		ag_setup(l->shmid != -1, "shmget");
		l->box = shmat(l->shmid, NULL, 0);
		ag_setup(l->box != (void *)-1, "shmat");
		l->semid = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600);
		ag_setup(l->semid != -1 && semctl(l->semid, 1, SETVAL, 1) == 0 &&
			 semctl(l->semid, 3, SETVAL, 1) == 0, "semget");
		ag_name_semaphore(l->semid, 0, "direction 0's full boxes");
		ag_name_semaphore(l->semid, 1, "direction 0's empty boxes");
		ag_name_semaphore(l->semid, 2, "direction 1's full boxes");
		ag_name_semaphore(l->semid, 3, "direction 1's empty boxes");
		break;
	case MECH_RING:
		l->ring = mmap(NULL, 2 * sizeof(struct link_ring), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		ag_setup(l->ring != MAP_FAILED, "mmap");
		break;
	default:
		ag_setup(0, "no such mechanism");
	}
}

static inline void judge_close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* The test's own link_side(): keeps side's ends. */
static inline void judge_side(struct link *l, int side)
{
	l->side = side;
	if (l->mech == MECH_UNIX) {
		judge_close_fd(&l->fd[1 - side][0]);
	} else {
		judge_close_fd(&l->fd[side][0]);
		judge_close_fd(&l->fd[1 - side][1]);
	}
}

/* Closes the test's descriptors of the link; with remove, removes its objects too. */
static inline void judge_close(struct link *l, bool remove)
{
	for (int d = 0; d < 2; d++) {
		judge_close_fd(&l->fd[d][0]);
		judge_close_fd(&l->fd[d][1]);
	}
	if (l->box)
		shmdt(l->box);
	l->box = NULL;
	if (l->ring)
		munmap(l->ring, 2 * sizeof(struct link_ring));
	l->ring = NULL;
	if (!remove)
		return;
	if (l->mech == MECH_FIFO)
		for (int d = 0; d < 2; d++) {
			char path[192];

			snprintf(path, sizeof(path), "%s/fifo%d", l->dir, d);
			unlink(path);
		}
	if (l->msqid != -1)
		msgctl(l->msqid, IPC_RMID, NULL);
	if (l->shmid != -1)
		shmctl(l->shmid, IPC_RMID, NULL);
	if (l->semid != -1)
		semctl(l->semid, 0, IPC_RMID);
	l->msqid = l->shmid = l->semid = -1;
}

static inline int judge_semop(int semid, int num, int delta)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = (short)delta};

	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * A descriptor that reaches EOF when the graded side has ended (the read
 * end of a pipe whose write end only the judge and its subject hold), or
 * -1: a helper waiting on a ring then stops instead of waiting for good.
 */
static int judge_quit_fd = -1;

static inline bool judge_told_to_quit(void)
{
	struct pollfd p = {.fd = judge_quit_fd, .events = POLLIN};

	return judge_quit_fd != -1 && poll(&p, 1, 0) == 1;
}

/*
 * MECH_RING, direction d: up to len bytes in (sending) or out of the ring,
 * as many as there is room or data for, once there is some; waits by
 * polling. 0 when the judge said to stop waiting (judge_quit_fd).
 */
static inline size_t ring_move(struct link_ring *r, unsigned char *p, size_t len, bool sending)
{
	uint64_t head, tail, mine;
	size_t n, at, first;

	for (;;) {
		head = atomic_load_explicit(&r->head, sending ? memory_order_acquire
							      : memory_order_relaxed);
		tail = atomic_load_explicit(&r->tail, sending ? memory_order_relaxed
							      : memory_order_acquire);
		n = sending ? LINK_RING_BYTES - (tail - head) : tail - head;
		if (n > 0)
			break;
		if (judge_told_to_quit())
			return 0;
		sched_yield();
	}
	n = n < len ? n : len;
	mine = sending ? tail : head;
	at = mine % LINK_RING_BYTES;
	first = n < LINK_RING_BYTES - at ? n : LINK_RING_BYTES - at;
	/* The bytes up to the end of data, then the rest from data[0]. */
	if (sending) {
		memcpy(&r->data[at], p, first);
		memcpy(&r->data[0], &p[first], n - first);
		atomic_store_explicit(&r->tail, mine + n, memory_order_release);
	} else {
		memcpy(p, &r->data[at], first);
		memcpy(&p[first], &r->data[0], n - first);
		atomic_store_explicit(&r->head, mine + n, memory_order_release);
	}
	return n;
}

static inline size_t chunk_of(size_t left)
{
	return left < LINK_CHUNK ? left : LINK_CHUNK;
}

/*
 * Sends len bytes as side l->side, the way compare.h says; a byte stream
 * goes in writes of at most `split` bytes (0: as the kernel takes them),
 * so that a receiver sees it arrive in pieces. Returns 0, or -1 (errno).
 */
static inline int judge_send(const struct link *l, const void *buf, size_t len, size_t split)
{
	const unsigned char *p = buf;
	int d = l->side;

	while (len > 0) {
		size_t n = l->mech == MECH_MSGQ || l->mech == MECH_SHM ? chunk_of(len)
			   : split && split < len ? split : len;
		ssize_t done = (ssize_t)n;

		if (l->mech == MECH_MSGQ) {
			struct link_msg msg = {.mtype = d + 1};

			memcpy(msg.data, p, n);
			while (msgsnd(l->msqid, &msg, n, 0) == -1)
				if (errno != EINTR)
					return -1;
		} else if (l->mech == MECH_RING) {
			done = (ssize_t)ring_move(&l->ring[d], (unsigned char *)p, n, true);
			if (done == 0) {
				errno = EPIPE;
				return -1;
			}
		} else if (l->mech == MECH_SHM) {
			if (judge_semop(l->semid, 2 * d + 1, -1) == -1)
				return -1;
			memcpy(l->box[d].data, p, n);
			l->box[d].len = (uint32_t)n;
			if (judge_semop(l->semid, 2 * d, 1) == -1)
				return -1;
		} else {
			int fd = l->mech == MECH_UNIX ? l->fd[d][0] : l->fd[d][1];

			done = write(fd, p, n);
			if (done == -1 && errno == EINTR)
				continue;
			if (done == -1)
				return -1;
		}
		p += done;
		len -= (size_t)done;
	}
	return 0;
}

/*
 * Receives exactly len bytes as side l->side. For MECH_MSGQ and MECH_SHM
 * every chunk must be LINK_CHUNK bytes but the last (and a queue's of the
 * other side's type): when one is not, *wrong says what came instead, and
 * the call returns -1 with errno EPROTO. EPIPE: the stream ended early.
 */
static inline int judge_recv(const struct link *l, void *buf, size_t len, char *wrong,
			     size_t cap)
{
	unsigned char *p = buf;
	int d = 1 - l->side;
	size_t total = len;

	while (len > 0) {
		size_t want = chunk_of(len);
		ssize_t n;

		if (l->mech == MECH_MSGQ) {
			struct link_msg msg;

			n = msgrcv(l->msqid, &msg, LINK_CHUNK, l->side + 1, MSG_NOERROR | MSG_EXCEPT);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				return -1;
			if (msg.mtype != d + 1 || (size_t)n != want) {
				snprintf(wrong, cap, "a message of type %ld and %zd bytes came %zu bytes "
					 "into a message of %zu; expected type %d and %zu bytes",
					 msg.mtype, n, total - len, total, d + 1, want);
				errno = EPROTO;
				return -1;
			}
			memcpy(p, msg.data, (size_t)n);
		} else if (l->mech == MECH_RING) {
			n = (ssize_t)ring_move(&l->ring[d], p, len, false);
			if (n == 0) {
				snprintf(wrong, cap, "the graded side ended %zu bytes into a message "
					 "of %zu", total - len, total);
				errno = EPIPE;
				return -1;
			}
		} else if (l->mech == MECH_SHM) {
			if (judge_semop(l->semid, 2 * d, -1) == -1)
				return -1;
			n = l->box[d].len;
			if ((size_t)n != want) {
				snprintf(wrong, cap, "box %d said len %zd %zu bytes into a message of %zu; "
					 "expected %zu", d, n, total - len, total, want);
				errno = EPROTO;
				return -1;
			}
			memcpy(p, l->box[d].data, (size_t)n);
			if (judge_semop(l->semid, 2 * d + 1, 1) == -1)
				return -1;
		} else {
			int fd = l->mech == MECH_UNIX ? l->fd[l->side][0] : l->fd[d][0];

			n = read(fd, p, len);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1)
				return -1;
			if (n == 0) {
				snprintf(wrong, cap, "the stream ended %zu bytes into a message of %zu",
					 total - len, total);
				errno = EPIPE;
				return -1;
			}
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * True when nothing more is on the way to side l->side: a stream at EOF
 * (a byte that came is taken), an empty queue, a box not announced full,
 * an empty ring.
 */
static inline bool judge_nothing_more(const struct link *l)
{
	int d = 1 - l->side;
	char byte;

	switch (l->mech) {
	case MECH_MSGQ: {
		struct msqid_ds ds;

		return msgctl(l->msqid, IPC_STAT, &ds) == 0 && ds.msg_qnum == 0;
	}
	case MECH_SHM:
		return semctl(l->semid, 2 * d, GETVAL) == 0;
	case MECH_RING:
		return atomic_load(&l->ring[d].tail) == atomic_load(&l->ring[d].head);
	case MECH_UNIX:
		return read(l->fd[l->side][0], &byte, 1) == 0;
	default:
		return read(l->fd[d][0], &byte, 1) == 0;
	}
}

#endif
