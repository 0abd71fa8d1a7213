/*
 * links.c - Lab 07 §3.2, an alternative correct solution: link_open()
 * checks dir with strnlen() and opens both FIFOs' read ends first, then
 * both write ends, every end O_NONBLOCK, and then clears O_NONBLOCK on all
 * four with F_GETFL/F_SETFL; the socket goes by sendmsg(MSG_NOSIGNAL) and
 * recvmsg(MSG_WAITALL) over an iovec that advances past what moved; a
 * receiver takes any message but its own with msgrcv(..., MSG_EXCEPT),
 * asking for no more than the bytes it still expects; the semaphores start
 * at 0, 1, 0, 1 by one SETALL, and are taken and given by sem_down() and
 * sem_up(); link_side() walks the two directions and closes in each the
 * end this side does not use. A ring is indexed by masking (its size is a
 * power of two); each step copies only up to the ring's end, with one
 * memcpy, and stores the index then, so a wrap takes two steps; one
 * helper waits for either side, loading the other's index until it is no
 * longer the value that means full (empty), with a CPU pause for the
 * first RING_SPINS loads and sched_yield() after each one later.
 *
 * The contract is compare.h. The self-check (alternatives_full_marks)
 * grades it: it must score what the reference does.
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
#include <sys/uio.h>

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

/* semctl's fourth argument, which the caller defines (semctl(2)). */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

/* ---- link_open ---- */

static int fifo_name(const char *dir, int d, char *path, size_t cap)
{
	int n = snprintf(path, cap, "%s/fifo%d", dir, d);

	if (n < 0 || (size_t)n >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Clears O_NONBLOCK on fd, keeping its other status flags. */
static int make_blocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

/*
 * The two FIFOs, made and opened. Only once both are made here is l->dir
 * set, so that link_close(l, 1) after a later failure unlinks them, and a
 * FIFO that was there before (EEXIST) is never unlinked. A read end opened
 * O_NONBLOCK does not wait for a writer, and a write end opened once its
 * FIFO has a reader does not fail with ENXIO; then all four block.
 */
static int open_fifos(struct link *l, const char *dir)
{
	char path[2][160];

	if (fifo_name(dir, 0, path[0], sizeof(path[0])) == -1 ||
	    fifo_name(dir, 1, path[1], sizeof(path[1])) == -1)
		return -1;
	if (mkfifo(path[0], 0600) == -1)
		return -1;
	if (mkfifo(path[1], 0600) == -1) {
		int saved = errno;

		unlink(path[0]);
		errno = saved;
		return -1;
	}
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	for (int d = 0; d < 2; d++) {
		l->fd[d][0] = open(path[d], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (l->fd[d][0] == -1)
			return -1;
	}
	for (int d = 0; d < 2; d++) {
		l->fd[d][1] = open(path[d], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (l->fd[d][1] == -1)
			return -1;
	}
	for (int d = 0; d < 2; d++)
		if (make_blocking(l->fd[d][0]) == -1 || make_blocking(l->fd[d][1]) == -1)
			return -1;
	return 0;
}

static int open_socket(struct link *l)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	l->fd[0][0] = sv[0];
	l->fd[1][0] = sv[1];
	return 0;
}

static int open_segment(struct link *l)
{
	unsigned short start[4] = {0, 1, 0, 1};	/* full, empty; full, empty */
	union semun arg = {.array = start};
	void *addr;

	l->shmid = shmget(IPC_PRIVATE, 2 * sizeof(struct link_box), IPC_CREAT | 0600);
	if (l->shmid == -1)
		return -1;
	l->semid = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600);
	if (l->semid == -1)
		return -1;
	if (semctl(l->semid, 0, SETALL, arg) == -1)
		return -1;
	addr = shmat(l->shmid, NULL, 0);
	if (addr == (void *)-1)
		return -1;
	l->box = addr;
	return 0;
}

static int open_rings(struct link *l)
{
	void *addr = mmap(NULL, 2 * sizeof(struct link_ring), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (addr == MAP_FAILED)
		return -1;
	l->ring = addr;	/* mmap gives zeros: head == tail == 0, both rings empty */
	return 0;
}

/* Makes mechanism m's objects in l; on failure l may hold some of them. */
static int open_mech(struct link *l, enum mech m, const char *dir)
{
	switch (m) {
	case MECH_PIPE:
		for (int d = 0; d < 2; d++)
			if (pipe2(l->fd[d], O_CLOEXEC) == -1)
				return -1;
		return 0;
	case MECH_FIFO:
		return open_fifos(l, dir);
	case MECH_UNIX:
		return open_socket(l);
	case MECH_MSGQ:
		l->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		return l->msqid == -1 ? -1 : 0;
	case MECH_SHM:
		return open_segment(l);
	case MECH_RING:
		return open_rings(l);
	default:
		errno = EINVAL;
		return -1;
	}
}

int link_open(struct link *l, enum mech m, const char *dir)
{
	int saved;

	if ((int)m < 0 || (int)m >= MECH_COUNT ||
	    (m == MECH_FIFO && (dir == NULL || strnlen(dir, 101) > 100))) {
		errno = EINVAL;
		return -1;
	}
	link_clear(l, m);
	if (open_mech(l, m, dir) == 0)
		return 0;
	/* Undo whatever was made: it is all recorded in l. */
	saved = errno;
	link_close(l, 1);
	errno = saved;
	return -1;
}

/* ---- link_side ---- */

int link_side(struct link *l, int side)
{
	int rc = 0, saved = 0;

	if (l->side != -1 || !(side == 0 || side == 1)) {
		errno = EINVAL;
		return -1;
	}
	l->side = side;
	for (int d = 0; d < 2; d++) {
		/*
		 * Direction d: this side writes it when d == side and reads it
		 * otherwise. A socket has one end a side, at fd[side][0].
		 */
		int *unused;

		if (l->mech == MECH_UNIX)
			unused = d == side ? NULL : &l->fd[d][0];
		else
			unused = d == side ? &l->fd[d][0] : &l->fd[d][1];
		if (unused == NULL || *unused == -1)
			continue;
		if (close(*unused) == -1 && rc == 0) {
			rc = -1;
			saved = errno;
		}
		*unused = -1;
	}
	errno = saved;
	return rc;
}

/* ---- Byte streams ---- */

static int fd_write_all(int fd, const char *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, p + done, len - done);

		if (n >= 0)
			done += (size_t)n;
		else if (errno != EINTR)
			return -1;
	}
	return 0;
}

static int fd_read_all(int fd, char *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n > 0) {
			done += (size_t)n;
		} else if (n == 0) {
			errno = EPIPE;	/* no writer left: the rest will not come */
			return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

/* Moves iov past n bytes that went. */
static void iov_advance(struct iovec *iov, size_t n)
{
	iov->iov_base = (char *)iov->iov_base + n;
	iov->iov_len -= n;
}

/* The whole message on the socket; MSG_NOSIGNAL makes a gone peer EPIPE, not SIGPIPE. */
static int sock_send_all(int fd, const void *buf, size_t len)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	while (iov.iov_len > 0) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		iov_advance(&iov, (size_t)n);
	}
	return 0;
}

/* MSG_WAITALL waits for the rest; a signal or the peer's close can still cut it short. */
static int sock_recv_all(int fd, void *buf, size_t len)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	while (iov.iov_len > 0) {
		ssize_t n = recvmsg(fd, &mh, MSG_WAITALL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		iov_advance(&iov, (size_t)n);
	}
	return 0;
}

/* ---- System V messages ---- */

static int msgq_send(const struct link *l, const char *p, size_t len)
{
	struct link_msg msg;
	size_t done = 0;

	msg.mtype = l->side + 1;
	while (done < len) {
		size_t n = len - done > LINK_CHUNK ? LINK_CHUNK : len - done;

		memcpy(msg.data, p + done, n);
		if (msgsnd(l->msqid, &msg, n, 0) == -1) {
			if (errno == EINTR)
				continue;	/* not queued: the same chunk again */
			return -1;
		}
		done += n;
	}
	return 0;
}

/*
 * Only two mtypes travel on the queue, side + 1 (ours, going out) and the
 * other; MSG_EXCEPT takes the first message that is not ours. Asking for
 * no more than the bytes still expected makes a longer message fail with
 * E2BIG (and stay queued) rather than overrun buf.
 */
static int msgq_recv(const struct link *l, char *p, size_t len)
{
	struct link_msg msg;
	size_t done = 0;

	while (done < len) {
		size_t want = len - done > LINK_CHUNK ? LINK_CHUNK : len - done;
		ssize_t n = msgrcv(l->msqid, &msg, want, l->side + 1, MSG_EXCEPT);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		memcpy(p + done, msg.data, (size_t)n);
		done += (size_t)n;
	}
	return 0;
}

/* ---- System V shared memory ---- */

static int sem_apply(int semid, int num, short delta)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = delta};

	for (;;) {
		if (semop(semid, &op, 1) == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static int sem_down(int semid, int num)
{
	return sem_apply(semid, num, -1);
}

static int sem_up(int semid, int num)
{
	return sem_apply(semid, num, 1);
}

static int shm_send(const struct link *l, const char *p, size_t len)
{
	const int full = 2 * l->side, empty = full + 1;
	struct link_box *box = l->box + l->side;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done > LINK_CHUNK ? LINK_CHUNK : len - done;

		if (sem_down(l->semid, empty) == -1)
			return -1;
		box->len = (uint32_t)n;
		memcpy(box->data, p + done, n);
		if (sem_up(l->semid, full) == -1)
			return -1;
		done += n;
	}
	return 0;
}

static int shm_recv(const struct link *l, char *p, size_t len)
{
	const int from = 1 - l->side, full = 2 * from, empty = full + 1;
	const struct link_box *box = l->box + from;
	size_t done = 0;

	while (done < len) {
		size_t n;

		if (sem_down(l->semid, full) == -1)
			return -1;
		n = box->len;
		if (n > LINK_CHUNK || n > len - done) {
			errno = EPROTO;	/* more than the message has left */
			return -1;
		}
		memcpy(p + done, box->data, n);
		done += n;
		if (sem_up(l->semid, empty) == -1)
			return -1;
	}
	return 0;
}

/* ---- The rings ---- */

_Static_assert((LINK_RING_BYTES & (LINK_RING_BYTES - 1)) == 0,
	       "a ring's size is a power of two: an index masked is its place");

#define RING_MASK ((uint64_t)LINK_RING_BYTES - 1)

/* Loads of the other side's index that pause the CPU before each starts to yield it. */
#define RING_SPINS 128

static void cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield" ::: "memory");
#endif
}

/*
 * Loads *index (acquire) until it is no longer stuck, and returns it. A
 * sender waits on head while it is tail - LINK_RING_BYTES (full), a
 * receiver on tail while it is head (empty). The acquire pairs with the
 * other side's release: what it copied before that store is done.
 */
static uint64_t ring_wait(_Atomic uint64_t *index, uint64_t stuck)
{
	uint64_t v;

	for (unsigned loads = 0;
	     (v = atomic_load_explicit(index, memory_order_acquire)) == stuck; loads++) {
		if (loads < RING_SPINS)
			cpu_pause();
		else
			sched_yield();
	}
	return v;
}

static int ring_send(const struct link *l, const char *p, size_t len)
{
	struct link_ring *r = l->ring + l->side;
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t done = 0;

	while (done < len) {
		uint64_t head = ring_wait(&r->head, tail - LINK_RING_BYTES);
		size_t at = (size_t)(tail & RING_MASK);
		size_t n = (size_t)(LINK_RING_BYTES - (tail - head));

		if (n > len - done)
			n = len - done;
		if (n > LINK_RING_BYTES - at)
			n = LINK_RING_BYTES - at;	/* to the end now, from data[0] next step */
		memcpy(r->data + at, p + done, n);
		tail += n;
		atomic_store_explicit(&r->tail, tail, memory_order_release);
		done += n;
	}
	return 0;
}

static int ring_recv(const struct link *l, char *p, size_t len)
{
	struct link_ring *r = l->ring + (1 - l->side);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t done = 0;

	while (done < len) {
		uint64_t tail = ring_wait(&r->tail, head);
		size_t at = (size_t)(head & RING_MASK);
		size_t n = (size_t)(tail - head);

		if (n > len - done)
			n = len - done;
		if (n > LINK_RING_BYTES - at)
			n = LINK_RING_BYTES - at;
		memcpy(p + done, r->data + at, n);
		head += n;
		atomic_store_explicit(&r->head, head, memory_order_release);
		done += n;
	}
	return 0;
}

/* ---- link_send, link_recv ---- */

int link_send(struct link *l, const void *buf, size_t len)
{
	if (l->side < 0 || l->side > 1) {
		errno = EINVAL;
		return -1;
	}
	if (l->mech == MECH_MSGQ)
		return msgq_send(l, buf, len);
	if (l->mech == MECH_SHM)
		return shm_send(l, buf, len);
	if (l->mech == MECH_RING)
		return ring_send(l, buf, len);
	if (l->mech == MECH_UNIX)
		return sock_send_all(l->fd[l->side][0], buf, len);
	return fd_write_all(l->fd[l->side][1], buf, len);
}

int link_recv(struct link *l, void *buf, size_t len)
{
	if (l->side < 0 || l->side > 1) {
		errno = EINVAL;
		return -1;
	}
	if (l->mech == MECH_MSGQ)
		return msgq_recv(l, buf, len);
	if (l->mech == MECH_SHM)
		return shm_recv(l, buf, len);
	if (l->mech == MECH_RING)
		return ring_recv(l, buf, len);
	if (l->mech == MECH_UNIX)
		return sock_recv_all(l->fd[l->side][0], buf, len);
	return fd_read_all(l->fd[1 - l->side][0], buf, len);
}

/* ---- link_close ---- */

/* Keeps the first failure: *rc -1 and its errno in *err. */
static void first_failure(int failed, int *rc, int *err)
{
	if (failed && *rc == 0) {
		*rc = -1;
		*err = errno;
	}
}

/* Removes the queue, the segment, the semaphores and the FIFOs this link has. */
static void remove_objects(struct link *l, int *rc, int *err)
{
	if (l->semid != -1)
		first_failure(semctl(l->semid, 0, IPC_RMID) == -1, rc, err);
	if (l->shmid != -1)
		first_failure(shmctl(l->shmid, IPC_RMID, NULL) == -1, rc, err);
	if (l->msqid != -1)
		first_failure(msgctl(l->msqid, IPC_RMID, NULL) == -1, rc, err);
	l->semid = l->shmid = l->msqid = -1;
	if (l->dir[0] == '\0')
		return;
	for (int d = 0; d < 2; d++) {
		char path[160];

		if (fifo_name(l->dir, d, path, sizeof(path)) == 0)
			first_failure(unlink(path) == -1 && errno != ENOENT, rc, err);
	}
	l->dir[0] = '\0';
}

int link_close(struct link *l, int remove)
{
	int rc = 0, err = 0;

	for (int d = 0; d < 2; d++)
		for (int end = 0; end < 2; end++)
			if (l->fd[d][end] != -1) {
				first_failure(close(l->fd[d][end]) == -1, &rc, &err);
				l->fd[d][end] = -1;
			}
	if (l->box != NULL) {
		first_failure(shmdt(l->box) == -1, &rc, &err);
		l->box = NULL;
	}
	if (l->ring != NULL) {
		first_failure(munmap(l->ring, 2 * sizeof(struct link_ring)) == -1, &rc, &err);
		l->ring = NULL;
	}
	if (remove)
		remove_objects(l, &rc, &err);
	errno = err;
	return rc;
}

const char *mech_name(enum mech m)
{
	static const char *const names[MECH_COUNT] = {"pipe", "fifo", "unix", "msgq", "shm",
						      "ring"};

	return (unsigned)m < MECH_COUNT ? names[m] : "?";
}
