/*
 * mapping-bounds.c - an ipclab scenario (kit code: no lab's solution).
 * where a mapping ends: the last page of a file, a page past it, munmap,
 * MAP_PRIVATE against MAP_SHARED, and a full tmpfs.
 *
 * Run: bin/ipclab scenario mapping-bounds (in private namespaces: its
 * /dev/shm is the sandbox's own small tmpfs). It prints what this kernel
 * does, then "fact:" lines that autograder/selfcheck/scenario_facts.py
 * compares with FACTS.md.
 * Handout: labs/06-mmap/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* The most /dev/shm this scenario fills (ipclab scenario mounts 16 MiB). */
#define SHM_ROOM_MAX (64UL << 20)

static sigjmp_buf escape;
static volatile sig_atomic_t caught;

static void die(const char *what)
{
	fprintf(stderr, "mapping-bounds: %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static void on_fault(int sig)
{
	caught = sig;
	siglongjmp(escape, 1);
}

/* Reads the byte at p; the signal that stopped it, or 0 when none did. */
static int touch(volatile const char *p, char *value)
{
	caught = 0;
	if (sigsetjmp(escape, 1) == 0)
		*value = *p;
	return caught;
}

/* Writes a byte at p; the signal that stopped it, or 0 when none did. */
static int poke(volatile char *p)
{
	caught = 0;
	if (sigsetjmp(escape, 1) == 0)
		*p = 'w';
	return caught;
}

static const char *signal_name(int sig)
{
	return sig == 0 ? "nothing" : sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "?";
}

/* A file of len bytes of 'f', open read-write. */
static int file_of(const char *path, size_t len)
{
	char *bytes = malloc(len);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (!bytes || fd == -1)
		die(path);
	memset(bytes, 'f', len);
	if (write(fd, bytes, len) != (ssize_t)len)
		die("write");
	free(bytes);
	return fd;
}

static char *map(int fd, size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* What this kernel did, for the fact lines. */
struct facts {
	bool zero_fill, length_kept, private_seen, shared_seen;
	int past, after_unmap, full;
};

/* A 100-byte file mapped two pages long: its last page, the next, then munmap. */
static void past_the_end(const char *path, long page, struct facts *f)
{
	int fd = file_of(path, 100);
	char *p = map(fd, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED), value = 'x';
	struct stat st;

	f->zero_fill = touch(p + 100, &value) == 0 && value == 0 &&
		       touch(p + page - 1, &value) == 0 && value == 0;
	f->past = touch(p + page, &value);
	p[200] = 'z';	/* within the last page, past the end */
	if (fstat(fd, &st) == -1)
		die("fstat");
	f->length_kept = st.st_size == 100;
	printf("a 100-byte file mapped 2 pages: bytes 100 to %ld read %s, byte %ld is %s\n",
	       page - 1, f->zero_fill ? "0" : "not 0", page, signal_name(f->past));
	printf("after a store at byte 200 the file is %lld bytes long\n", (long long)st.st_size);
	if (ftruncate(fd, 2 * page) == -1)
		die("ftruncate");
	printf("after ftruncate to 2 pages, byte %ld reads %s\n", page,
	       touch(p + page, &value) == 0 ? "fine" : "no");
	munmap(p, 2 * (size_t)page);
	f->after_unmap = touch(p, &value);
	printf("after munmap, reading the old address is %s\n", signal_name(f->after_unmap));
	close(fd);
}

/* One file mapped MAP_SHARED and MAP_PRIVATE: who sees whose stores. */
static void private_and_shared(const char *path, long page, struct facts *f)
{
	int fd = file_of(path, (size_t)page);
	char *shared = map(fd, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *private = map(fd, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char first = 0, second = 0;

	private[0] = 'P';
	shared[1] = 'S';
	if (pread(fd, &first, 1, 0) != 1 || pread(fd, &second, 1, 1) != 1)
		die("pread");
	f->private_seen = shared[0] == 'P' || first == 'P';
	f->shared_seen = second == 'S';
	printf("a MAP_PRIVATE store: in the file %s, in a MAP_SHARED mapping %s\n",
	       yes(first == 'P'), yes(shared[0] == 'P'));
	printf("a MAP_SHARED store: in the file %s, in the MAP_PRIVATE mapping that had "
	       "copied the page %s\n",
	       yes(second == 'S'), yes(private[1] == 'S'));
	munmap(shared, (size_t)page);
	munmap(private, (size_t)page);
	close(fd);
}

/* An object in /dev/shm larger than the room its tmpfs has, written page by page. */
static void full_tmpfs(long page, struct facts *f)
{
	int shm = shm_open("/mapping-bounds", O_RDWR | O_CREAT | O_EXCL, 0600);
	struct statvfs fs;
	size_t room, len, at;
	char *p;

	if (shm == -1 || fstatvfs(shm, &fs) == -1)
		die("shm_open");
	room = fs.f_bavail * fs.f_frsize;
	if (room > SHM_ROOM_MAX) {
		shm_unlink("/mapping-bounds");
		fprintf(stderr, "mapping-bounds: /dev/shm has %zu MiB free: this scenario fills "
			"it, and runs only where ipclab scenario gives it a small one of its own\n",
			room >> 20);
		exit(1);
	}
	len = room + 16 * (size_t)page;
	if (ftruncate(shm, (off_t)len) == -1)
		die("ftruncate /dev/shm");
	p = map(shm, len, PROT_READ | PROT_WRITE, MAP_SHARED);
	f->full = 0;
	for (at = 0; at < len && !f->full; at += (size_t)page)
		f->full = poke(p + at);
	printf("/dev/shm has %zu KiB free; an object %zu KiB long: its writes stopped at KiB "
	       "%zu, with %s\n", room >> 10, len >> 10, (at - (size_t)page) >> 10,
	       signal_name(f->full));
	munmap(p, len);
	close(shm);
	shm_unlink("/mapping-bounds");
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char dir[] = "/tmp/mapping-bounds.XXXXXX", path[64];
	struct sigaction sa = {.sa_handler = on_fault};
	struct facts f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/data", dir);
	past_the_end(path, page, &f);
	private_and_shared(path, page, &f);
	unlink(path);
	rmdir(dir);
	full_tmpfs(page, &f);

	printf("fact: within the last page past the end reads 0: %s\n", yes(f.zero_fill));
	printf("fact: a page past the end of the file is: %s\n", signal_name(f.past));
	printf("fact: a store past the end changes the file's length: %s\n",
	       yes(!f.length_kept));
	printf("fact: after munmap access is: %s\n", signal_name(f.after_unmap));
	printf("fact: a MAP_PRIVATE store is seen by the file or other mappings: %s\n",
	       yes(f.private_seen));
	printf("fact: a MAP_SHARED store is in the file at once: %s\n", yes(f.shared_seen));
	printf("fact: a write to a full tmpfs is: %s\n", signal_name(f.full));
	return 0;
}
