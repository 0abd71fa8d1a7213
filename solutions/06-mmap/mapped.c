/*
 * mapped.c - Lab 06: memory mappings. The contract is mapped.h; the
 * handout (README.md) explains each task.
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

#ifdef SOLUTION
/*
 * Reference edition, the worked answer of the course. Habits to copy: a
 * file gets its length (ftruncate) before anything touches its mapping, a
 * mapping never reaches past the end of its file, mmap failure is
 * MAP_FAILED and not NULL, the descriptor can be closed as soon as the
 * mapping exists, and every mapping is unmapped on every path.
 */
#else
/*
 * Your edition: replace each TODO(lab06) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */
#endif

#ifdef SOLUTION
/* close() and munmap() without losing the errno of the failure before them. */
static void close_keeping_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

static void unmap_keeping_errno(void *addr, size_t len)
{
	int saved = errno;

	munmap(addr, len);
	errno = saved;
}
#endif

/* ---- §3.1 A counter that lives in a file ---- */

#ifdef SOLUTION
/* Opens (creating) the counter file, at least COUNTER_BYTES long; -1 on failure. */
static int open_counter(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	struct stat st;

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 ||
	    (st.st_size < COUNTER_BYTES && ftruncate(fd, COUNTER_BYTES) == -1)) {
		close_keeping_errno(fd);
		return -1;
	}
	return fd;
}
#endif

int counter_add(const char *path, int times, int64_t *value)
{
#ifdef SOLUTION
	_Atomic int64_t *counter;
	int fd, rc = 0;

	if (times < 0) {
		errno = EINVAL;
		return -1;
	}
	fd = open_counter(path);
	if (fd == -1)
		return -1;
	counter = mmap(NULL, COUNTER_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close_keeping_errno(fd);	/* the mapping keeps the file open */
	if (counter == MAP_FAILED)
		return -1;
	*value = atomic_load(counter);
	for (int i = 0; i < times; i++)
		*value = atomic_fetch_add(counter, 1) + 1;
	if (msync(counter, COUNTER_BYTES, MS_SYNC) == -1)
		rc = -1;
	unmap_keeping_errno(counter, COUNTER_BYTES);
	return rc;
#else
	/* TODO(lab06): open, ftruncate, mmap, add atomically, msync, munmap. Handout §3.1. */
	(void)path, (void)times, (void)value;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.2 Reading a file through a mapping ---- */

#ifdef SOLUTION
/*
 * Maps the first *len = min(file length, cap) bytes of path. When *len is 0
 * nothing is mapped and *addr is NULL. Returns 0, or -1 on failure.
 */
static int map_start_of(const char *path, size_t cap, int prot, int flags, void **addr,
			size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	*addr = NULL;
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close_keeping_errno(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*len = (size_t)st.st_size < cap ? (size_t)st.st_size : cap;
	if (*len > 0)
		*addr = mmap(NULL, *len, prot, flags, fd, 0);
	close_keeping_errno(fd);	/* the mapping keeps the file open */
	if (*addr == MAP_FAILED) {
		*addr = NULL;
		return -1;
	}
	return 0;
}
#endif

ssize_t file_copy(const char *path, void *buf, size_t cap)
{
#ifdef SOLUTION
	void *addr;
	size_t len;

	if (map_start_of(path, cap, PROT_READ, MAP_SHARED, &addr, &len) == -1)
		return -1;
	if (len > 0) {
		memcpy(buf, addr, len);
		munmap(addr, len);
	}
	return (ssize_t)len;
#else
	/* TODO(lab06): map the file read-only, copy what fits, unmap. Handout §3.2. */
	(void)path, (void)buf, (void)cap;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t file_upcase(const char *path, char *out, size_t cap)
{
#ifdef SOLUTION
	void *addr;
	char *text;
	size_t len;

	/* Writable and private: the file may be read-only, and it stays as it is. */
	if (map_start_of(path, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE, &addr, &len) == -1)
		return -1;
	text = addr;
	for (size_t i = 0; i < len; i++)
		if (text[i] >= 'a' && text[i] <= 'z')
			text[i] = (char)(text[i] - 'a' + 'A');	/* copies the page, once */
	if (len > 0) {
		memcpy(out, text, len);
		munmap(addr, len);
	}
	return (ssize_t)len;
#else
	/* TODO(lab06): map the file MAP_PRIVATE and writable, edit, copy, unmap. Handout §3.2. */
	(void)path, (void)out, (void)cap;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.3 Parent and children share anonymous memory ---- */

#ifdef SOLUTION
/* Waits for the n children in pids; false when one did not exit with status 0. */
static bool reap_all(const pid_t *pids, int n)
{
	bool all_ok = true;

	for (int i = 0; i < n; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) == -1 && errno == EINTR)
			continue;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			all_ok = false;
	}
	return all_ok;
}
#endif

int run_workers(int n, long (*work)(int i), long *results)
{
#ifdef SOLUTION
	size_t len = sizeof(long) * (n > 0 ? (size_t)n : 1);
	pid_t pids[WORKERS_MAX];
	int started, rc = 0;
	long *slots;

	if (n < 0 || n > WORKERS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (n == 0)
		return 0;
	slots = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		return -1;
	for (started = 0; started < n; started++) {
		pids[started] = fork();
		if (pids[started] == -1)
			break;
		if (pids[started] == 0) {
			slots[started] = work(started);
			_exit(0);
		}
	}
	if (started < n) {
		int fork_errno = errno;

		reap_all(pids, started);
		errno = fork_errno;
		rc = -1;
	} else if (!reap_all(pids, n)) {
		errno = ECHILD;
		rc = -1;
	} else {
		memcpy(results, slots, sizeof(long) * (size_t)n);
	}
	unmap_keeping_errno(slots, len);
	return rc;
#else
	/* TODO(lab06): one MAP_SHARED | MAP_ANONYMOUS mapping, n forks, wait for all. §3.3. */
	(void)n, (void)work, (void)results;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.4 A board in POSIX shared memory ---- */

int board_create(const char *name, size_t size)
{
#ifdef SOLUTION
	int fd;

	if (size == 0) {
		errno = EINVAL;
		return -1;
	}
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if (ftruncate(fd, (off_t)size) == -1) {
		int saved = errno;

		shm_unlink(name);	/* ours: O_EXCL made it */
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	return 0;
#else
	/* TODO(lab06): shm_open with O_CREAT | O_EXCL, then ftruncate. Handout §3.4. */
	(void)name, (void)size;
	errno = ENOSYS;
	return -1;
#endif
}

void *board_open(const char *name, size_t *size)
{
#ifdef SOLUTION
	int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	struct stat st;
	void *addr;

	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1) {
		close_keeping_errno(fd);
		return NULL;
	}
	if (st.st_size == 0) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	addr = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close_keeping_errno(fd);	/* the mapping holds the object */
	if (addr == MAP_FAILED)
		return NULL;
	*size = (size_t)st.st_size;
	return addr;
#else
	/* TODO(lab06): shm_open, fstat for the length, mmap MAP_SHARED, close. Handout §3.4. */
	(void)name, (void)size;
	errno = ENOSYS;
	return NULL;
#endif
}

int board_close(void *addr, size_t size)
{
#ifdef SOLUTION
	return munmap(addr, size);
#else
	/* TODO(lab06): unmap it. Handout §3.4. */
	(void)addr, (void)size;
	errno = ENOSYS;
	return -1;
#endif
}

int board_remove(const char *name)
{
#ifdef SOLUTION
	return shm_unlink(name);
#else
	/* TODO(lab06): remove the name. Handout §3.4. */
	(void)name;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.5 A ring buffer between two processes, without locks ---- */

int ring_push(struct ring *r, const void *data, size_t len)
{
#ifdef SOLUTION
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed); /* ours */
	struct ring_slot *slot = &r->slots[tail % RING_SLOTS];

	if (len > RECORD_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* Stage 3: read the consumer's line only when the old copy says full. */
	if (tail - r->head_seen >= RING_SLOTS) {
		r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
		if (tail - r->head_seen >= RING_SLOTS) {
			errno = EAGAIN;
			return -1;
		}
	}
	slot->len = (uint32_t)len;
	memcpy(slot->data, data, len);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return 0;
#else
	/* TODO(lab06): check len and room, fill the slot, then publish tail. Handout §3.5. */
	(void)r, (void)data, (void)len;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t ring_pop(struct ring *r, void *buf, size_t cap)
{
#ifdef SOLUTION
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed); /* ours */
	struct ring_slot *slot = &r->slots[head % RING_SLOTS];
	size_t len;

	/* Stage 3: read the producer's line only when the old copy says empty. */
	if (r->tail_seen <= head) {
		r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
		if (r->tail_seen <= head) {
			errno = EAGAIN;
			return -1;
		}
	}
	len = slot->len;
	if (len > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(buf, slot->data, len);
	/* The slot is the producer's again from here: read nothing of it after. */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return len;
#else
	/* TODO(lab06): check for a record, copy it out, then give its slot back. Handout §3.5. */
	(void)r, (void)buf, (void)cap;
	errno = ENOSYS;
	return -1;
#endif
}
