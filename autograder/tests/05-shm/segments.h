/*
 * segments.h - the helpers Lab 05's tests share (the test_*.c files and the
 * hidden tests): segments made and read with raw shmget/shmctl, as another
 * program would, what /proc says of a process's attachments, files made
 * for their keys, and helpers' exit statuses. Static inline, so that a file
 * that leaves one unused still compiles without a warning.
 */
#ifndef SEGMENTS_H
#define SEGMENTS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>

#include "grader.h"
#include "shm.h"

static inline void name_process(const char *name)
{
	prctl(PR_SET_NAME, name);
}

/* A new segment of size bytes for key (ag_key() when key is 0), with mode. */
static inline int new_segment(key_t key, size_t size, int mode)
{
	int shmid = shmget(key ? key : ag_key(), size, IPC_CREAT | IPC_EXCL | mode);

	ag_setup(shmid != -1, "shmget");
	return shmid;
}

/* The kernel's view of segment shmid; false when there is no such segment. */
static inline bool stat_segment(int shmid, struct shmid_ds *ds)
{
	return shmctl(shmid, IPC_STAT, ds) == 0;
}

/* How many attachments segment shmid has now; -1 when it is gone. */
static inline long attachments(int shmid)
{
	struct shmid_ds ds;

	return stat_segment(shmid, &ds) ? (long)ds.shm_nattch : -1;
}

/* The id of the segment that has key now, or -1. */
static inline int segment_of(key_t key)
{
	return shmget(key, 0, 0);
}

/*
 * Removes a segment the test made. In the sandbox its namespace would vanish
 * anyway; without namespaces (the valgrind runs) this keeps the host clean.
 */
static inline void drop_segment(int shmid)
{
	ag_setup(shmctl(shmid, IPC_RMID, NULL) == 0, "shmctl IPC_RMID");
}

/*
 * How many lines of /proc/PID/maps are System V attachments (their file is
 * "/SYSV%08x"), and of segment shmid only when shmid >= 0 (the inode column
 * is the shmid); -1 when the file cannot be read.
 */
static inline int sysv_maps(pid_t pid, int shmid)
{
	char path[64], line[512];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long inode;

		if (strstr(line, "/SYSV") == NULL)
			continue;
		if (shmid < 0 || (sscanf(line, "%*s %*s %*s %*s %lu", &inode) == 1 &&
				  inode == (unsigned long)shmid))
			n++;
	}
	fclose(f);
	return n;
}

/*
 * Lowers RLIMIT_AS to the address space the process uses now, so that its
 * next new mapping (a shmat) fails ENOMEM. For a subject, just before the
 * call under test; 0, or -1 when /proc/self/status cannot be read.
 */
static inline int limit_address_space(void)
{
	char line[128];
	unsigned long kib = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) && sscanf(line, "VmSize: %lu kB", &kib) != 1)
		;
	fclose(f);
	if (kib == 0)
		return -1;
	return setrlimit(RLIMIT_AS, &(struct rlimit){kib * 1024, kib * 1024});
}

/* Creates an empty file at path (in the scratch directory, the cwd). */
static inline void make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);

	ag_setup(fd != -1, "open");
	close(fd);
}

/* A helper's exit status for a call's outcome: 0, the errno of a -1, else 255. */
static inline int outcome(int rc, int err)
{
	if (rc == 0)
		return 0;
	return rc == -1 && err > 0 && err < 255 ? err : 255;
}

/*
 * A held call: a helper, named `name`, whose subject runs fn(arg) (graded
 * code), sends the long it returns to the test, and stays alive, its
 * attachments in place, until the test lets it go: meanwhile the test reads
 * /proc/SUBJECT/maps and the segments' shm_nattch itself.
 *
 *     struct held h = start_held("attacher", attach_it, &shmid);
 *     ... h.value (what fn returned), sysv_maps(h.subject, shmid) ...
 *     end_held(&h);
 */
struct held {
	pid_t helper, subject;
	int ready, release;
	long value;		/* what fn returned */
};

static inline long hold_after(long (*fn)(void *), void *arg, int ready, int release)
{
	long value = fn(arg);
	char byte;

	if (write(ready, &value, sizeof(value)) != (ssize_t)sizeof(value) ||
	    read(release, &byte, 1) != 1)
		return -2;
	return value;
}

static inline struct held start_held(const char *name, long (*fn)(void *), void *arg)
{
	int ready[2], release[2];
	struct held h;

	ag_setup(pipe2(ready, O_CLOEXEC) == 0 && pipe2(release, O_CLOEXEC) == 0, "pipe");
	h.helper = ag_fork();
	ag_setup(h.helper != -1, "fork");
	if (h.helper == 0) {
		name_process(name);
		close(ready[0]);
		close(release[1]);
		SUBJECT(hold_after(fn, arg, ready[1], release[0]));
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	h.ready = ready[0];
	h.release = release[1];
	expect(read(h.ready, &h.value, sizeof(h.value)) == (ssize_t)sizeof(h.value),
	       "the %s's call did not return (it crashed or exited: see above)", name);
	h.subject = ag_subject_pid(h.helper);
	return h;
}

/* Lets a held call's subject end (detaching what it attached) and waits for it. */
static inline void end_held(struct held *h)
{
	ag_setup(write(h->release, "x", 1) == 1, "write");
	ag_wait_exit(h->helper);
	close(h->ready);
	close(h->release);
}

#endif
