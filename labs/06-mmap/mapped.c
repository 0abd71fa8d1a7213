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

/*
 * Your edition: replace each TODO(lab06) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */


/* ---- §3.1 A counter that lives in a file ---- */


int counter_add(const char *path, int times, int64_t *value)
{
	/* TODO(lab06): open, ftruncate, mmap, add atomically, msync, munmap. Handout §3.1. */
	(void)path, (void)times, (void)value;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.2 Reading a file through a mapping ---- */


ssize_t file_copy(const char *path, void *buf, size_t cap)
{
	/* TODO(lab06): map the file read-only, copy what fits, unmap. Handout §3.2. */
	(void)path, (void)buf, (void)cap;
	errno = ENOSYS;
	return -1;
}

ssize_t file_upcase(const char *path, char *out, size_t cap)
{
	/* TODO(lab06): map the file MAP_PRIVATE and writable, edit, copy, unmap. Handout §3.2. */
	(void)path, (void)out, (void)cap;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.3 Parent and children share anonymous memory ---- */


int run_workers(int n, long (*work)(int i), long *results)
{
	/* TODO(lab06): one MAP_SHARED | MAP_ANONYMOUS mapping, n forks, wait for all. §3.3. */
	(void)n, (void)work, (void)results;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.4 A board in POSIX shared memory ---- */

int board_create(const char *name, size_t size)
{
	/* TODO(lab06): shm_open with O_CREAT | O_EXCL, then ftruncate. Handout §3.4. */
	(void)name, (void)size;
	errno = ENOSYS;
	return -1;
}

void *board_open(const char *name, size_t *size)
{
	/* TODO(lab06): shm_open, fstat for the length, mmap MAP_SHARED, close. Handout §3.4. */
	(void)name, (void)size;
	errno = ENOSYS;
	return NULL;
}

int board_close(void *addr, size_t size)
{
	/* TODO(lab06): unmap it. Handout §3.4. */
	(void)addr, (void)size;
	errno = ENOSYS;
	return -1;
}

int board_remove(const char *name)
{
	/* TODO(lab06): remove the name. Handout §3.4. */
	(void)name;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.5 A ring buffer between two processes, without locks ---- */

int ring_push(struct ring *r, const void *data, size_t len)
{
	/* TODO(lab06): check len and room, fill the slot, then publish tail. Handout §3.5. */
	(void)r, (void)data, (void)len;
	errno = ENOSYS;
	return -1;
}

ssize_t ring_pop(struct ring *r, void *buf, size_t cap)
{
	/* TODO(lab06): check for a record, copy it out, then give its slot back. Handout §3.5. */
	(void)r, (void)buf, (void)cap;
	errno = ENOSYS;
	return -1;
}
