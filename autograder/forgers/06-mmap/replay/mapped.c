/*
 * Forger: reads the tests and replays what they look for without doing the
 * work: the counter's value is times more than the file said, written
 * nowhere; a copy is the file's length of zeros; run_workers makes up
 * results in the form the tests decode (a pid times WORKERS_MAX, plus i),
 * with pids counted up from its own and never forked; a board is a static
 * page that no other process sees.
 * Score: 0
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "mapped.h"

static char page[10000];

static ssize_t length_of(const char *path, size_t cap)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	return (size_t)st.st_size < cap ? st.st_size : (ssize_t)cap;
}

int counter_add(const char *path, int times, int64_t *value)
{
	int fd = open(path, O_RDONLY);

	*value = 0;
	if (fd != -1) {
		if (pread(fd, value, sizeof(*value), 0) != sizeof(*value))
			*value = 0;
		close(fd);
	}
	*value += times;
	return 0;
}

ssize_t file_copy(const char *path, void *buf, size_t cap)
{
	ssize_t len = length_of(path, cap);

	if (len > 0)
		memset(buf, 0, (size_t)len);
	return len;
}

ssize_t file_upcase(const char *path, char *out, size_t cap)
{
	return file_copy(path, out, cap);
}

int run_workers(int n, long (*work)(int i), long *results)
{
	(void)work;
	for (int i = 0; i < n; i++)
		results[i] = (long)(getpid() + 1 + i) * WORKERS_MAX + i;
	return 0;
}

int board_create(const char *name, size_t size) { (void)name, (void)size; return 0; }
void *board_open(const char *name, size_t *size) { (void)name; *size = sizeof(page); return page; }
int board_close(void *addr, size_t size) { (void)addr, (void)size; return 0; }
int board_remove(const char *name) { (void)name; return 0; }
