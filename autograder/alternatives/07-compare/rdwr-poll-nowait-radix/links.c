/*
 * links.c - Lab 07 §3.2, an alternative correct solution: one table of
 * operations a mechanism (open, send, receive) instead of a switch; each
 * open function undoes its own work on failure (goto unwinding), so
 * link_open() never calls link_close(); pipe() and socketpair() then
 * fcntl(FD_CLOEXEC); a FIFO's two ends are opened, both blocking, while a
 * third O_RDWR descriptor of it (Linux: a reader and a writer at once)
 * keeps either open from waiting, and that descriptor is closed at once;
 * every read and write waits in poll() first; the socket goes by
 * send(MSG_NOSIGNAL) and recv(MSG_WAITALL); msgsnd, msgrcv and semop try
 * IPC_NOWAIT first (semop a few times, spinning) and block only when that
 * would wait; the four semaphores are each set with SETVAL. A ring's
 * sender (receiver) keeps the other side's index as last loaded and loads
 * it again only when the ring looks full (empty) by that copy; one loop
 * copies a wrap's two pieces; between loads it calls sched_yield() and
 * nothing else.
 *
 * The contract is compare.h. The self-check (alternatives_full_marks)
 * grades it: it must score what the reference does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

/* How many times semop tries without waiting before it blocks. */
#define SEM_SPINS 64

/* ---- Descriptors ---- */

/* Closes *fd if it is open, marks it closed, and keeps errno as it was. */
static void drop_fd(int *fd)
{
	int saved = errno;

	if (*fd != -1)
		close(*fd);
	*fd = -1;
	errno = saved;
}

/* Closes every descriptor of the link (for the unwinding of a failed open). */
static void drop_all_fds(struct link *l)
{
	for (int d = 0; d < 2; d++) {
		drop_fd(&l->fd[d][0]);
		drop_fd(&l->fd[d][1]);
	}
}

/* Sets FD_CLOEXEC on fd: what pipe2/SOCK_CLOEXEC would have done. */
static int set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags == -1)
		return -1;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

/* ---- Opening each mechanism; each leaves nothing behind on failure ---- */

static int open_pipes(struct link *l, const char *dir)
{
	(void)dir;
	for (int d = 0; d < 2; d++) {
		if (pipe(l->fd[d]) == -1)
			goto fail;
		if (set_cloexec(l->fd[d][0]) == -1 || set_cloexec(l->fd[d][1]) == -1)
			goto fail;
	}
	return 0;
fail:
	drop_all_fds(l);
	return -1;
}

static void fifo_path(const char *dir, int d, char *path, size_t cap)
{
	snprintf(path, cap, "%s/fifo%d", dir, d);
}

/*
 * Opens both ends of the FIFO at path, leaving them blocking. Opening the
 * read end alone would wait for a writer, and the write end for a reader;
 * a descriptor opened O_RDWR is both on Linux, so while it is open
 * neither open waits. It is closed before returning, and ends[0] and
 * ends[1] are then plain read and write ends.
 */
static int open_fifo_ends(const char *path, int ends[2])
{
	int both = open(path, O_RDWR | O_CLOEXEC);

	if (both == -1)
		return -1;
	ends[0] = open(path, O_RDONLY | O_CLOEXEC);
	if (ends[0] == -1)
		goto fail;
	ends[1] = open(path, O_WRONLY | O_CLOEXEC);
	if (ends[1] == -1)
		goto fail;
	if (close(both) == -1) {
		both = -1;
		goto fail;
	}
	return 0;
fail:
	drop_fd(&both);
	drop_fd(&ends[0]);
	drop_fd(&ends[1]);
	return -1;
}

/* Makes dir/fifo0 and dir/fifo1 and opens their ends; dir fits in l->dir. */
static int open_fifos(struct link *l, const char *dir)
{
	char path[2][160];
	int made, d, saved;

	for (d = 0; d < 2; d++)
		fifo_path(dir, d, path[d], sizeof(path[d]));
	for (made = 0; made < 2; made++)
		if (mkfifo(path[made], 0600) == -1)
			goto unmake;	/* path[made] is not ours: it stays */
	for (d = 0; d < 2; d++)
		if (open_fifo_ends(path[d], l->fd[d]) == -1)
			goto close_ends;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	return 0;
close_ends:
	drop_all_fds(l);
unmake:
	saved = errno;
	while (made-- > 0)
		unlink(path[made]);
	errno = saved;
	return -1;
}

static int open_socket(struct link *l, const char *dir)
{
	int sv[2];

	(void)dir;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		return -1;
	l->fd[0][0] = sv[0];
	l->fd[1][0] = sv[1];
	if (set_cloexec(sv[0]) == -1 || set_cloexec(sv[1]) == -1) {
		drop_all_fds(l);
		return -1;
	}
	return 0;
}

static int open_queue(struct link *l, const char *dir)
{
	(void)dir;
	l->msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	return l->msqid == -1 ? -1 : 0;
}

/* The segment, attached, and the semaphores: full 0 and empty 1 a direction. */
static int open_segment(struct link *l, const char *dir)
{
	void *addr;
	int saved;

	(void)dir;
	l->shmid = shmget(IPC_PRIVATE, sizeof(struct link_box[2]), IPC_CREAT | 0600);
	if (l->shmid == -1)
		return -1;
	addr = shmat(l->shmid, NULL, 0);
	if (addr == (void *)-1)
		goto remove_segment;
	l->box = addr;
	l->semid = semget(IPC_PRIVATE, 4, IPC_CREAT | 0600);
	if (l->semid == -1)
		goto detach;
	for (int num = 0; num < 4; num++)
		if (semctl(l->semid, num, SETVAL, num % 2) == -1)
			goto remove_set;
	return 0;
remove_set:
	saved = errno;
	semctl(l->semid, 0, IPC_RMID);
	l->semid = -1;
	errno = saved;
detach:
	saved = errno;
	shmdt(l->box);
	l->box = NULL;
	errno = saved;
remove_segment:
	saved = errno;
	shmctl(l->shmid, IPC_RMID, NULL);
	l->shmid = -1;
	errno = saved;
	return -1;
}

/* Both directions' rings in one shared mapping, zero (empty) as mmap gives it. */
static int open_rings(struct link *l, const char *dir)
{
	void *addr = mmap(NULL, sizeof(struct link_ring[2]), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	(void)dir;
	if (addr == MAP_FAILED)
		return -1;
	l->ring = addr;
	return 0;
}

/* ---- Byte streams: pipes, FIFOs and the socket ---- */

/* Waits, through signals, until fd is ready for events (or hung up). */
static int wait_ready(int fd, short events)
{
	struct pollfd pfd = {.fd = fd, .events = events};

	for (;;) {
		int n = poll(&pfd, 1, -1);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (pfd.revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		return 0;	/* ready, or POLLHUP/POLLERR: the I/O says which */
	}
}

/* This side's descriptor for sending (or receiving) on a byte stream. */
static int own_fd(const struct link *l, int sending)
{
	if (l->mech == MECH_UNIX)
		return l->fd[l->side][0];
	return sending ? l->fd[l->side][1] : l->fd[1 - l->side][0];
}

static int stream_send(const struct link *l, const unsigned char *p, size_t len)
{
	int fd = own_fd(l, 1);

	while (len > 0) {
		ssize_t n;

		if (wait_ready(fd, POLLOUT) == -1)
			return -1;
		/* A socket whose peer is gone says EPIPE rather than raising SIGPIPE. */
		if (l->mech == MECH_UNIX)
			n = send(fd, p, len, MSG_NOSIGNAL);
		else
			n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int stream_recv(const struct link *l, unsigned char *p, size_t len)
{
	int fd = own_fd(l, 0);

	while (len > 0) {
		ssize_t n;

		if (wait_ready(fd, POLLIN) == -1)
			return -1;
		/* MSG_WAITALL: the rest in one call, unless a signal or EOF cuts it. */
		if (l->mech == MECH_UNIX)
			n = recv(fd, p, len, MSG_WAITALL);
		else
			n = read(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0) {
			errno = EPIPE;	/* every writer closed before all came */
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- System V messages ---- */

/* Queues one message of n data bytes: without waiting if there is room, else waits. */
static int queue_put(int msqid, const struct link_msg *msg, size_t n)
{
	if (msgsnd(msqid, msg, n, IPC_NOWAIT) == 0)
		return 0;
	if (errno != EAGAIN && errno != EINTR)
		return -1;
	while (msgsnd(msqid, msg, n, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Takes the next message of mtype type: at once if one is queued, else waits. */
static ssize_t queue_take(int msqid, struct link_msg *msg, long type)
{
	ssize_t n = msgrcv(msqid, msg, LINK_CHUNK, type, IPC_NOWAIT);

	if (n != -1 || (errno != ENOMSG && errno != EINTR))
		return n;
	do
		n = msgrcv(msqid, msg, LINK_CHUNK, type, 0);
	while (n == -1 && errno == EINTR);
	return n;
}

static int queue_send(const struct link *l, const unsigned char *p, size_t len)
{
	struct link_msg msg = {.mtype = l->side + 1};

	for (size_t off = 0; off < len; off += LINK_CHUNK) {
		size_t n = len - off < LINK_CHUNK ? len - off : LINK_CHUNK;

		memcpy(msg.data, p + off, n);
		if (queue_put(l->msqid, &msg, n) == -1)
			return -1;
	}
	return 0;
}

static int queue_recv(const struct link *l, unsigned char *p, size_t len)
{
	struct link_msg msg;
	size_t got = 0;

	while (got < len) {
		ssize_t n = queue_take(l->msqid, &msg, l->side == 0 ? 2 : 1);

		if (n == -1)
			return -1;
		if ((size_t)n > len - got) {
			errno = EPROTO;	/* more than this message has left */
			return -1;
		}
		memcpy(p + got, msg.data, (size_t)n);
		got += (size_t)n;
	}
	return 0;
}

/* ---- System V shared memory and semaphores ---- */

/*
 * Adds delta to semaphore num. A round trip is short, so a take first
 * tries a few times without waiting (the other process is often about to
 * give) and only then sleeps in semop, again after a signal.
 */
static int sem_change(int semid, int num, int delta)
{
	struct sembuf op = {.sem_num = (unsigned short)num, .sem_op = (short)delta};

	for (int i = 0; i < SEM_SPINS; i++) {
		op.sem_flg = IPC_NOWAIT;
		if (semop(semid, &op, 1) == 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	op.sem_flg = 0;
	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Semaphore numbers of direction d. */
static int sem_full(int d)
{
	return 2 * d;
}

static int sem_empty(int d)
{
	return 2 * d + 1;
}

static int box_send(const struct link *l, const unsigned char *p, size_t len)
{
	int d = l->side;

	for (size_t off = 0; off < len; off += LINK_CHUNK) {
		size_t n = len - off < LINK_CHUNK ? len - off : LINK_CHUNK;

		if (sem_change(l->semid, sem_empty(d), -1) == -1)
			return -1;
		memcpy(l->box[d].data, p + off, n);
		l->box[d].len = (uint32_t)n;
		if (sem_change(l->semid, sem_full(d), 1) == -1)
			return -1;
	}
	return 0;
}

static int box_recv(const struct link *l, unsigned char *p, size_t len)
{
	int d = 1 - l->side;
	size_t got = 0;

	while (got < len) {
		uint32_t n;

		if (sem_change(l->semid, sem_full(d), -1) == -1)
			return -1;
		n = l->box[d].len;
		if (n > LINK_CHUNK || n > len - got) {
			errno = EPROTO;
			return -1;
		}
		memcpy(p + got, l->box[d].data, n);
		got += n;
		if (sem_change(l->semid, sem_empty(d), 1) == -1)
			return -1;
	}
	return 0;
}

/* ---- The rings: polled, in shared memory ---- */

/* The piece of a copy that starts at byte number at: up to n bytes, not past the ring's end. */
static size_t ring_piece(uint64_t at, size_t n)
{
	size_t off = (size_t)(at % LINK_RING_BYTES);

	return n < LINK_RING_BYTES - off ? n : LINK_RING_BYTES - off;
}

/* n bytes of p into the ring from byte number at on: a piece a turn, two if it wraps. */
static void ring_put(struct link_ring *r, uint64_t at, const unsigned char *p, size_t n)
{
	for (size_t piece; n > 0; at += piece, p += piece, n -= piece) {
		piece = ring_piece(at, n);
		memcpy(r->data + at % LINK_RING_BYTES, p, piece);
	}
}

/* n bytes out of the ring from byte number at on into p, the same way. */
static void ring_take(const struct link_ring *r, uint64_t at, unsigned char *p, size_t n)
{
	for (size_t piece; n > 0; at += piece, p += piece, n -= piece) {
		piece = ring_piece(at, n);
		memcpy(p, r->data + at % LINK_RING_BYTES, piece);
	}
}

/*
 * head is the receiver's index as this sender last loaded it: the receiver
 * has taken at least that much, so while tail - head < LINK_RING_BYTES by
 * that copy there is room, and head is loaded again (acquire: the bytes it
 * frees were read before it was stored) only when the copy says full.
 */
static int ring_send(const struct link *l, const unsigned char *p, size_t len)
{
	struct link_ring *r = &l->ring[l->side];
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);	/* ours */
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);

	while (len > 0) {
		size_t room, n;

		while (tail - head == LINK_RING_BYTES) {
			head = atomic_load_explicit(&r->head, memory_order_acquire);
			if (tail - head == LINK_RING_BYTES)
				sched_yield();
		}
		room = (size_t)(LINK_RING_BYTES - (tail - head));
		n = len < room ? len : room;
		ring_put(r, tail, p, n);
		tail += n;
		/* Release: the bytes are in before the receiver can see the tail that covers them. */
		atomic_store_explicit(&r->tail, tail, memory_order_release);
		p += n;
		len -= n;
	}
	return 0;
}

/* The mirror image: tail as last loaded, loaded again only when the ring looks empty. */
static int ring_recv(const struct link *l, unsigned char *p, size_t len)
{
	struct link_ring *r = &l->ring[1 - l->side];
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);	/* ours */
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	while (len > 0) {
		size_t there, n;

		while (tail == head) {
			tail = atomic_load_explicit(&r->tail, memory_order_acquire);
			if (tail == head)
				sched_yield();
		}
		there = (size_t)(tail - head);
		n = len < there ? len : there;
		ring_take(r, head, p, n);
		head += n;
		/* Release: the bytes are out before the sender can see their room free. */
		atomic_store_explicit(&r->head, head, memory_order_release);
		p += n;
		len -= n;
	}
	return 0;
}

/* ---- The table ---- */

struct mech_ops {
	int (*open)(struct link *l, const char *dir);
	int (*send)(const struct link *l, const unsigned char *p, size_t len);
	int (*recv)(const struct link *l, unsigned char *p, size_t len);
};

static const struct mech_ops mech_ops[MECH_COUNT] = {
	[MECH_PIPE] = {open_pipes, stream_send, stream_recv},
	[MECH_FIFO] = {open_fifos, stream_send, stream_recv},
	[MECH_UNIX] = {open_socket, stream_send, stream_recv},
	[MECH_MSGQ] = {open_queue, queue_send, queue_recv},
	[MECH_SHM] = {open_segment, box_send, box_recv},
	[MECH_RING] = {open_rings, ring_send, ring_recv},
};

/* ---- The contract ---- */

int link_open(struct link *l, enum mech m, const char *dir)
{
	if ((unsigned)m >= MECH_COUNT) {
		errno = EINVAL;
		return -1;
	}
	if (m == MECH_FIFO && (dir == NULL || strlen(dir) > 100)) {
		errno = EINVAL;
		return -1;
	}
	link_clear(l, m);
	return mech_ops[m].open(l, dir);
}

/* Closes *fd if open and sets it to -1; the first failure's errno goes in *first. */
static void close_keep_first(int *fd, int *first)
{
	if (*fd == -1)
		return;
	if (close(*fd) == -1 && *first == 0)
		*first = errno;
	*fd = -1;
}

int link_side(struct link *l, int side)
{
	int first = 0, other = 1 - side;

	if (side < 0 || side > 1 || l->side != -1) {
		errno = EINVAL;
		return -1;
	}
	l->side = side;
	if (l->mech == MECH_UNIX) {
		close_keep_first(&l->fd[other][0], &first);
	} else {
		/* Not ours: the read end of what we send, the write end of the other. */
		close_keep_first(&l->fd[side][0], &first);
		close_keep_first(&l->fd[other][1], &first);
	}
	if (first) {
		errno = first;
		return -1;
	}
	return 0;
}

/* EINVAL unless link_side() made this process a side of a real mechanism. */
static int check_side(const struct link *l)
{
	if ((l->side == 0 || l->side == 1) && (unsigned)l->mech < MECH_COUNT)
		return 0;
	errno = EINVAL;
	return -1;
}

int link_send(struct link *l, const void *buf, size_t len)
{
	if (check_side(l) == -1)
		return -1;
	return mech_ops[l->mech].send(l, buf, len);
}

int link_recv(struct link *l, void *buf, size_t len)
{
	if (check_side(l) == -1)
		return -1;
	return mech_ops[l->mech].recv(l, buf, len);
}

/* Records errno in *first when the call failed and nothing failed before. */
static void note(int failed, int *first)
{
	if (failed && *first == 0)
		*first = errno;
}

int link_close(struct link *l, int remove)
{
	int first = 0;

	for (int d = 0; d < 2; d++)
		for (int e = 0; e < 2; e++)
			close_keep_first(&l->fd[d][e], &first);
	if (l->box != NULL) {
		note(shmdt(l->box) == -1, &first);
		l->box = NULL;
	}
	if (l->ring != NULL) {
		note(munmap(l->ring, sizeof(struct link_ring[2])) == -1, &first);
		l->ring = NULL;
	}
	if (remove) {
		if (l->dir[0] != '\0') {
			char path[160];

			for (int d = 0; d < 2; d++) {
				fifo_path(l->dir, d, path, sizeof(path));
				/* Gone already (the other side removed it) is fine. */
				note(unlink(path) == -1 && errno != ENOENT, &first);
			}
			l->dir[0] = '\0';
		}
		if (l->msqid != -1)
			note(msgctl(l->msqid, IPC_RMID, NULL) == -1, &first);
		if (l->shmid != -1)
			note(shmctl(l->shmid, IPC_RMID, NULL) == -1, &first);
		if (l->semid != -1)
			note(semctl(l->semid, 0, IPC_RMID) == -1, &first);
		l->msqid = l->shmid = l->semid = -1;
	}
	if (first) {
		errno = first;
		return -1;
	}
	return 0;
}

const char *mech_name(enum mech m)
{
	static const char *const names[MECH_COUNT] = {"pipe", "fifo", "unix", "msgq", "shm",
						      "ring"};

	return (unsigned)m < MECH_COUNT ? names[m] : "?";
}
