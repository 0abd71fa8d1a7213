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
#include <sys/random.h>
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

#endif
