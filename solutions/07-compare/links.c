/*
 * links.c - Lab 07 §3.2: one link a mechanism, two directions. The
 * contract is compare.h; the handout (README.md) explains each mechanism.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "compare.h"

/* Every field a mechanism may use, released: what link_open starts from. */
static void link_clear(struct link *l, enum mech m)
{
	l->mech = m;
	l->side = -1;
	for (int d = 0; d < 2; d++)
		l->fd[d][0] = l->fd[d][1] = -1;
	l->msqid = l->shmid = l->semid = -1;
	l->box = NULL;
	l->ring = NULL;
	l->dir[0] = '\0';
}

#ifdef SOLUTION
/* The path of direction d's FIFO. */
static void fifo_path(const struct link *l, int d, char *path, size_t cap)
{
	snprintf(path, cap, "%s/fifo%d", l->dir, d);
}

/* Makes the two FIFOs; on failure neither is left (an existing one is not ours). */
static int make_fifos(const struct link *l)
{
	char path[2][160];

	for (int d = 0; d < 2; d++)
		fifo_path(l, d, path[d], sizeof(path[d]));
	if (mkfifo(path[0], 0600) == -1)
		return -1;
	if (mkfifo(path[1], 0600) == 0)
		return 0;
	unlink(path[0]);
	return -1;
}

/*
 * Opens both ends of direction d's FIFO without blocking: the read end
 * first (O_NONBLOCK lets it open with no writer), then the write end
 * (it has a reader now), then the read end blocks again.
 */
static int open_fifo(struct link *l, int d)
{
	char path[160];
	int *fd = l->fd[d];

	fifo_path(l, d, path, sizeof(path));
	fd[0] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd[0] == -1)
		return -1;
	fd[1] = open(path, O_WRONLY | O_CLOEXEC);
	if (fd[1] == -1)
		return -1;
	return fcntl(fd[0], F_SETFL, 0);
}

static int open_shm(struct link *l)
{
	void *addr;

	l->shmid = shmget(IPC_PRIVATE, 2 * sizeof(struct link_box), IPC_CREAT | 0600);
	if (l->shmid == -1)
		return -1;
	addr = shmat(l->shmid, NULL, 0);
	if (addr == (void *)-1)
		return -1;
	l->box = addr;
	l->semid = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600);
	if (l->semid == -1)
		return -1;
	for (int d = 0; d < 2; d++)
		if (semctl(l->semid, 2 * d + 1, SETVAL, 1) == -1)
			return -1;
	return 0;
}
#endif

int link_open(struct link *l, enum mech m, const char *dir)
{
#ifdef SOLUTION
	int rc = -1, saved;

	if ((unsigned)m >= MECH_COUNT ||
	    (m == MECH_FIFO && (!dir || strlen(dir) > 100))) {
		errno = EINVAL;
		return -1;
	}
	link_clear(l, m);
	switch (m) {
	case MECH_PIPE:
		rc = pipe2(l->fd[0], O_CLOEXEC) == -1 ? -1 : pipe2(l->fd[1], O_CLOEXEC);
		break;
	case MECH_FIFO:
		strcpy(l->dir, dir);
		if (make_fifos(l) == -1) {
			l->dir[0] = '\0';
			return -1;
		}
		rc = open_fifo(l, 0) == -1 ? -1 : open_fifo(l, 1);
		break;
	case MECH_UNIX: {
		int sv[2];

		rc = socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
		if (rc == 0) {
			l->fd[0][0] = sv[0];
			l->fd[1][0] = sv[1];
		}
		break;
	}
	case MECH_MSGQ:
		l->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		rc = l->msqid == -1 ? -1 : 0;
		break;
	case MECH_SHM:
		rc = open_shm(l);
		break;
	case MECH_RING: {
		void *addr = mmap(NULL, 2 * sizeof(struct link_ring), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (addr != MAP_FAILED) {
			l->ring = addr;
			rc = 0;
		}
		break;
	}
	default:
		break;
	}
	if (rc == 0)
		return 0;
	saved = errno;
	link_close(l, 1);
	errno = saved;
	return -1;
#else
	/* TODO(lab07): make the mechanism's objects, as struct link says. */
	link_clear(l, m);
	(void)dir;
	errno = ENOSYS;
	return -1;
#endif
}

#ifdef SOLUTION
/* Closes *fd if it is open and marks it closed; keeps the first error in *rc. */
static void close_end(int *fd, int *rc, int *err)
{
	if (*fd == -1)
		return;
	if (close(*fd) == -1 && *rc == 0) {
		*rc = -1;
		*err = errno;
	}
	*fd = -1;
}
#endif

int link_side(struct link *l, int side)
{
#ifdef SOLUTION
	int rc = 0, err = 0;

	if ((side != 0 && side != 1) || l->side != -1) {
		errno = EINVAL;
		return -1;
	}
	l->side = side;
	if (l->mech == MECH_UNIX) {
		close_end(&l->fd[1 - side][0], &rc, &err);
	} else {
		/* Keep the write end of direction side and the read end of the other. */
		close_end(&l->fd[side][0], &rc, &err);
		close_end(&l->fd[1 - side][1], &rc, &err);
	}
	errno = err;
	return rc;
#else
	/* TODO(lab07): keep this side's ends, close the others. */
	(void)l;
	(void)side;
	errno = ENOSYS;
	return -1;
#endif
}

#ifdef SOLUTION
/* Writes all len bytes to fd, however many each write takes. */
static int write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes from fd; EPIPE when the other side closed first. */
static int read_all(int fd, unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* semop of one operation on semaphore num, again after a signal. */
static int sem_add(int semid, int num, int delta)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = (short)delta};

	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The byte-stream descriptor this side writes to, or reads from. */
static int stream_fd(const struct link *l, int sending)
{
	if (l->mech == MECH_UNIX)
		return l->fd[l->side][0];
	return sending ? l->fd[l->side][1] : l->fd[1 - l->side][0];
}

static int msgq_send(const struct link *l, const unsigned char *p, size_t len)
{
	struct link_msg msg = {.mtype = l->side + 1};

	while (len > 0) {
		size_t n = len < LINK_CHUNK ? len : LINK_CHUNK;

		memcpy(msg.data, p, n);
		while (msgsnd(l->msqid, &msg, n, 0) == -1)
			if (errno != EINTR)
				return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int msgq_recv(const struct link *l, unsigned char *p, size_t len)
{
	struct link_msg msg;

	while (len > 0) {
		ssize_t n = msgrcv(l->msqid, &msg, LINK_CHUNK, 2 - l->side, 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if ((size_t)n > len) {
			errno = EPROTO;
			return -1;
		}
		memcpy(p, msg.data, (size_t)n);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Between two loads of the other side's index: a CPU pause, and every 256th
 * time a sched_yield(), so that the other side gets the CPU when both sides
 * share one.
 */
static void relax(unsigned *spins)
{
	if (++*spins % 256 == 0)
		sched_yield();
#if defined(__x86_64__) || defined(__i386__)
	else
		__builtin_ia32_pause();
#elif defined(__aarch64__)
	else
		__asm__ volatile("yield");
#endif
}

static int ring_send(const struct link *l, const unsigned char *p, size_t len)
{
	struct link_ring *r = &l->ring[l->side];
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	unsigned spins = 0;

	while (len > 0) {
		uint64_t room = LINK_RING_BYTES -
				(tail - atomic_load_explicit(&r->head, memory_order_acquire));
		size_t at = tail % LINK_RING_BYTES, n = len < room ? len : room;
		size_t first = n < LINK_RING_BYTES - at ? n : LINK_RING_BYTES - at;

		if (room == 0) {
			relax(&spins);
			continue;
		}
		memcpy(r->data + at, p, first);
		memcpy(r->data, p + first, n - first);
		tail += n;
		atomic_store_explicit(&r->tail, tail, memory_order_release);
		p += n;
		len -= n;
	}
	return 0;
}

static int ring_recv(const struct link *l, unsigned char *p, size_t len)
{
	struct link_ring *r = &l->ring[1 - l->side];
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned spins = 0;

	while (len > 0) {
		uint64_t there = atomic_load_explicit(&r->tail, memory_order_acquire) - head;
		size_t at = head % LINK_RING_BYTES, n = len < there ? len : there;
		size_t first = n < LINK_RING_BYTES - at ? n : LINK_RING_BYTES - at;

		if (there == 0) {
			relax(&spins);
			continue;
		}
		memcpy(p, r->data + at, first);
		memcpy(p + first, r->data, n - first);
		head += n;
		atomic_store_explicit(&r->head, head, memory_order_release);
		p += n;
		len -= n;
	}
	return 0;
}

static int shm_send(const struct link *l, const unsigned char *p, size_t len)
{
	int d = l->side;
	struct link_box *box = &l->box[d];

	while (len > 0) {
		size_t n = len < LINK_CHUNK ? len : LINK_CHUNK;

		if (sem_add(l->semid, 2 * d + 1, -1) == -1)
			return -1;
		memcpy(box->data, p, n);
		box->len = (uint32_t)n;
		if (sem_add(l->semid, 2 * d, 1) == -1)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int shm_recv(const struct link *l, unsigned char *p, size_t len)
{
	int d = 1 - l->side;
	struct link_box *box = &l->box[d];

	while (len > 0) {
		size_t n;

		if (sem_add(l->semid, 2 * d, -1) == -1)
			return -1;
		n = box->len;
		if (n > len || n > LINK_CHUNK) {
			errno = EPROTO;
			return -1;
		}
		memcpy(p, box->data, n);
		if (sem_add(l->semid, 2 * d + 1, 1) == -1)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}
#endif

int link_send(struct link *l, const void *buf, size_t len)
{
#ifdef SOLUTION
	if (l->side != 0 && l->side != 1) {
		errno = EINVAL;
		return -1;
	}
	switch (l->mech) {
	case MECH_MSGQ:
		return msgq_send(l, buf, len);
	case MECH_SHM:
		return shm_send(l, buf, len);
	case MECH_RING:
		return ring_send(l, buf, len);
	default:
		return write_all(stream_fd(l, 1), buf, len);
	}
#else
	/* TODO(lab07): hand all len bytes to the mechanism. */
	(void)l;
	(void)buf;
	(void)len;
	errno = ENOSYS;
	return -1;
#endif
}

int link_recv(struct link *l, void *buf, size_t len)
{
#ifdef SOLUTION
	if (l->side != 0 && l->side != 1) {
		errno = EINVAL;
		return -1;
	}
	switch (l->mech) {
	case MECH_MSGQ:
		return msgq_recv(l, buf, len);
	case MECH_SHM:
		return shm_recv(l, buf, len);
	case MECH_RING:
		return ring_recv(l, buf, len);
	default:
		return read_all(stream_fd(l, 0), buf, len);
	}
#else
	/* TODO(lab07): wait for exactly len bytes. */
	(void)l;
	(void)buf;
	(void)len;
	errno = ENOSYS;
	return -1;
#endif
}

int link_close(struct link *l, int remove)
{
#ifdef SOLUTION
	int rc = 0, err = 0;

	for (int d = 0; d < 2; d++) {
		close_end(&l->fd[d][0], &rc, &err);
		close_end(&l->fd[d][1], &rc, &err);
	}
	if (l->box) {
		if (shmdt(l->box) == -1 && rc == 0) {
			rc = -1;
			err = errno;
		}
		l->box = NULL;
	}
	if (l->ring) {
		if (munmap(l->ring, 2 * sizeof(struct link_ring)) == -1 && rc == 0) {
			rc = -1;
			err = errno;
		}
		l->ring = NULL;
	}
	if (!remove) {
		errno = err;
		return rc;
	}
	if (l->dir[0]) {
		char path[160];

		for (int d = 0; d < 2; d++) {
			fifo_path(l, d, path, sizeof(path));
			if (unlink(path) == -1 && errno != ENOENT && rc == 0) {
				rc = -1;
				err = errno;
			}
		}
		l->dir[0] = '\0';
	}
	if (l->msqid != -1 && msgctl(l->msqid, IPC_RMID, NULL) == -1 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (l->shmid != -1 && shmctl(l->shmid, IPC_RMID, NULL) == -1 && rc == 0) {
		rc = -1;
		err = errno;
	}
	if (l->semid != -1 && semctl(l->semid, 0, IPC_RMID) == -1 && rc == 0) {
		rc = -1;
		err = errno;
	}
	l->msqid = l->shmid = l->semid = -1;
	errno = err;
	return rc;
#else
	/* TODO(lab07): close, detach, and with remove, remove. */
	(void)l;
	(void)remove;
	errno = ENOSYS;
	return -1;
#endif
}

const char *mech_name(enum mech m)
{
	static const char *const names[MECH_COUNT] = {"pipe", "fifo", "unix", "msgq", "shm",
						      "ring"};

	return (unsigned)m < MECH_COUNT ? names[m] : "?";
}
