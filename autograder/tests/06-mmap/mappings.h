/*
 * mappings.h - the helpers Lab 06's tests share (the test_*.c files and the
 * hidden tests): files made and read with plain open/pread, as another
 * program would, random bytes, and errno names for messages. Static inline,
 * so that a file that leaves one unused still compiles without a warning.
 */
#ifndef MAPPINGS_H
#define MAPPINGS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "grader.h"
#include "mapped.h"

static inline const char *errname(int err)
{
	return err == 0 ? "0" : strerrorname_np(err) ? strerrorname_np(err) : "?";
}

/* A call's value as the messages show it: "5", "-1 (errno ENOENT)". */
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

static inline void *xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);

	ag_setup(p != NULL, "malloc");
	return p;
}

/* Makes path (replacing it) holding len bytes of data, with mode. */
static inline void make_file_of(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ag_setup(fd != -1, "open");
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, (const char *)data + done, len - done);

		ag_setup(n > 0, "write");
		done += (size_t)n;
	}
	ag_setup(fchmod(fd, mode) == 0 && close(fd) == 0, "fchmod");
}

/* A new file of len random bytes; returns them (free them). */
static inline unsigned char *make_random_file(const char *path, size_t len)
{
	unsigned char *data = xmalloc(len);

	random_bytes(data, len);
	make_file_of(path, data, len, 0600);
	return data;
}

/*
 * Reads up to cap bytes of path into buf, as another program would;
 * returns how many, or -1 (errno) when it cannot open the file.
 */
static inline ssize_t read_back(const char *path, void *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t done = 0;

	if (fd == -1)
		return -1;
	while (done < cap) {
		ssize_t n = pread(fd, (char *)buf + done, cap - done, (off_t)done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return (ssize_t)done;
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

/* The first index from `from` to len - 1 whose byte is not `byte`, or -1. */
static inline long first_not(const void *buf, size_t from, size_t len, unsigned char byte)
{
	const unsigned char *p = buf;

	for (size_t i = from; i < len; i++)
		if (p[i] != byte)
			return (long)i;
	return -1;
}

/* ---- limits a subject sets on itself, so that a call's failure path runs ---- */

/* No new mapping fits in the address space any more: mmap fails with ENOMEM. */
static inline void forbid_new_mappings(void)
{
	char line[128];
	unsigned long kib = 0;
	FILE *f = fopen("/proc/self/status", "re");

	ag_setup(f != NULL, "fopen /proc/self/status");
	while (fgets(line, sizeof(line), f) && sscanf(line, "VmSize: %lu kB", &kib) != 1)
		continue;
	fclose(f);
	ag_setup(kib > 0 && setrlimit(RLIMIT_AS, &(struct rlimit){kib << 10, kib << 10}) == 0,
		 "setrlimit RLIMIT_AS");
}

/* No file grows past bytes: ftruncate beyond fails with EFBIG (SIGXFSZ ignored). */
static inline void limit_file_size(off_t bytes)
{
	signal(SIGXFSZ, SIG_IGN);
	ag_setup(setrlimit(RLIMIT_FSIZE, &(struct rlimit){bytes, bytes}) == 0,
		 "setrlimit RLIMIT_FSIZE");
}

/* How many processes of this real uid /proc shows. */
static inline int processes_of_uid(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ag_setup(proc != NULL, "opendir /proc");
	while ((e = readdir(proc))) {
		char path[300], text[4096], *uid;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/status", e->d_name);
		if (ag_read_file(path, text, sizeof(text)) < 0 || !(uid = strstr(text, "\nUid:")))
			continue;
		n += strtoul(uid + 5, NULL, 10) == getuid();
	}
	closedir(proc);
	return n;
}

/* Only `more` forks succeed from now on; the next fails with EAGAIN. */
static inline void allow_forks(int more)
{
	rlim_t limit = (rlim_t)(processes_of_uid() + more);

	ag_setup(setrlimit(RLIMIT_NPROC, &(struct rlimit){limit, limit}) == 0,
		 "setrlimit RLIMIT_NPROC");
}

#endif
