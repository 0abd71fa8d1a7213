/*
 * mapped.c - Lab 06, an alternative correct solution: counter_add() views
 * the mapped counter as a C11 _Atomic int64_t and adds with
 * atomic_fetch_add_explicit (seq_cst), reading it with atomic_load when it
 * adds nothing, and learns the file's length with fstat(2) before it
 * extends it; file_copy() and file_upcase() open with O_NONBLOCK (a FIFO
 * does not block the open) and share one helper that maps exactly
 * min(length, cap) bytes, which file_upcase() edits in a single pass over
 * unsigned char before one memcpy(); run_workers() keeps the pids in an
 * array, reaps each with waitpid(pid) in order of start, and remembers the
 * first bad status as it goes; board_create() closes its descriptor before
 * it unlinks a half-made object; board_open() checks mmap's result before
 * it closes the descriptor; the ring is stage 2 (no copies of the other
 * side's index: acquire load of it on every call), finds a slot with a
 * mask, and ring_pop() copies the whole slot out before it gives it back.
 *
 * Written from mapped.h only. The self-check (alternatives_full_marks) grades
 * it: it must score what the reference does.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mapped.h"

/* ---- §3.1 A counter that lives in a file ---- */

/* Gives fd at least COUNTER_BYTES bytes; a longer file keeps its length. */
static int counter_grow(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (st.st_size < COUNTER_BYTES && ftruncate(fd, COUNTER_BYTES) == -1)
		return -1;
	return 0;
}

/* The additions themselves, on a mapping the caller owns. */
static int64_t counter_bump(_Atomic int64_t *counter, int times)
{
	int64_t last = atomic_load(counter);

	for (int i = 0; i < times; i++)
		last = atomic_fetch_add_explicit(counter, 1, memory_order_seq_cst) + 1;
	return last;
}

int counter_add(const char *path, int times, int64_t *value)
{
	_Atomic int64_t *counter;
	int64_t last;
	int fd, saved;

	if (times < 0) {
		errno = EINVAL;
		return -1;
	}
	/* Closed below on every path; the mapping outlives it until munmap. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if (counter_grow(fd) == -1)
		goto fail_close;
	counter = mmap(NULL, COUNTER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (counter == MAP_FAILED)
		goto fail_close;
	last = counter_bump(counter, times);
	if (msync((void *)counter, COUNTER_BYTES, MS_SYNC) == -1) {
		saved = errno;
		munmap((void *)counter, COUNTER_BYTES);
		close(fd);
		errno = saved;
		return -1;
	}
	munmap((void *)counter, COUNTER_BYTES);
	close(fd);
	*value = last;
	return 0;

fail_close:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* ---- §3.2 Reading a file through a mapping ---- */

/*
 * Maps the first min(length, cap) bytes of the regular file path, with
 * prot and flags, into *map and sets *len to that count. *len 0 maps
 * nothing. The descriptor is closed before it returns; the mapping is the
 * caller's to unmap.
 */
static int map_prefix(const char *path, size_t cap, int prot, int flags,
		      unsigned char **map, size_t *len)
{
	struct stat st;
	void *addr;
	int fd, saved;

	*map = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size < cap)
		cap = (size_t)st.st_size;
	if (cap > 0) {
		addr = mmap(NULL, cap, prot, flags, fd, 0);
		if (addr == MAP_FAILED)
			goto fail;
		*map = addr;
		*len = cap;
	}
	close(fd);
	return 0;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

ssize_t file_copy(const char *path, void *buf, size_t cap)
{
	unsigned char *map;
	size_t len;

	if (map_prefix(path, cap, PROT_READ, MAP_SHARED, &map, &len) == -1)
		return -1;
	if (len > 0) {
		memcpy(buf, map, len);
		munmap(map, len);
	}
	return (ssize_t)len;
}

ssize_t file_upcase(const char *path, char *out, size_t cap)
{
	unsigned char *map;
	size_t len;

	if (map_prefix(path, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE, &map, &len) == -1)
		return -1;
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (map[i] >= 'a' && map[i] <= 'z')
			map[i] = (unsigned char)(map[i] - 'a' + 'A');
	memcpy(out, map, len);
	munmap(map, len);
	return (ssize_t)len;
}

/* ---- §3.3 Parent and children share anonymous memory ---- */

/* Reaps pid, going on after EINTR; true when it exited with status 0. */
static bool reap_ok(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int run_workers(int n, long (*work)(int i), long *results)
{
	pid_t pids[WORKERS_MAX];
	size_t bytes;
	long *slots;
	int started, err = 0;

	if (n < 0 || n > WORKERS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0)
		return 0;
	bytes = (size_t)n * sizeof(*slots);
	/* Made before the forks, so every child shares it; unmapped below. */
	slots = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		return -1;
	for (started = 0; started < n; started++) {
		pids[started] = fork();
		if (pids[started] == -1) {
			err = errno;
			break;
		}
		if (pids[started] == 0) {
			slots[started] = work(started);
			_exit(0);
		}
	}
	for (int i = 0; i < started; i++)
		if (!reap_ok(pids[i]) && err == 0)
			err = ECHILD;
	if (err == 0)
		memcpy(results, slots, bytes);
	munmap(slots, bytes);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return 0;
}

/* ---- §3.4 A board in POSIX shared memory ---- */

int board_create(const char *name, size_t size)
{
	int fd, saved;

	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	/* Only the descriptor is closed here; the name lives until board_remove(). */
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if (ftruncate(fd, (off_t)size) == -1) {
		saved = errno;
		close(fd);
		shm_unlink(name);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
}

void *board_open(const char *name, size_t *size)
{
	struct stat st;
	void *addr;
	int fd, saved;

	fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size == 0) {
		errno = EINVAL;
		goto fail;
	}
	addr = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED)
		goto fail;
	close(fd);
	*size = (size_t)st.st_size;
	return addr;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

int board_close(void *addr, size_t size)
{
	return munmap(addr, size);
}

int board_remove(const char *name)
{
	return shm_unlink(name);
}

/* ---- §3.5 A ring buffer between two processes, without locks ---- */

/*
 * Stage 2 of the handout: every call loads the other side's index afresh
 * (acquire) and publishes its own (release); head_seen and tail_seen are
 * left alone. A record moves whole, as one struct ring_slot.
 */
#define RING_MASK (RING_SLOTS - 1)

int ring_push(struct ring *r, const void *data, size_t len)
{
	struct ring_slot rec;
	uint64_t head, tail;

	if (len > RECORD_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* Only we write tail: relaxed is enough for our own index. */
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	if (tail - head >= RING_SLOTS) {
		errno = EAGAIN;
		return -1;
	}
	rec.len = (uint32_t)len;
	memcpy(rec.data, data, len);
	/* The slot is ours until tail moves past it: fill it, then publish. */
	r->slots[tail & RING_MASK] = rec;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return 0;
}

ssize_t ring_pop(struct ring *r, void *buf, size_t cap)
{
	struct ring_slot rec;
	uint64_t head, tail;

	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (tail == head) {
		errno = EAGAIN;
		return -1;
	}
	/* A private copy of the slot: it may be given back before buf is filled. */
	rec = r->slots[head & RING_MASK];
	if (rec.len > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	memcpy(buf, rec.data, rec.len);
	return (ssize_t)rec.len;
}
