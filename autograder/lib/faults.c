/*
 * faults.c - a process killed by SIGBUS or SIGSEGV is described by the
 * memory it touched: the fault address, the mapping that holds it (from
 * /proc/self/maps) and, for a mapped file, which page of the file that is
 * and how long the file was.
 *
 * The subject installs fault_story_handler() (ag_fault_stories_on()) before
 * the graded code runs; the code can replace it, which only costs it the
 * description. What the handler says never changes a score: the judge
 * learns that the process died from waitpid(), and the text only explains.
 * Runs in a signal handler: it reads with open/read, allocates nothing, and
 * formats with snprintf (which glibc implements without malloc for integers
 * and strings).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "sandbox.h"

struct mapping {
	uintptr_t start, end;
	unsigned long long offset;
	char perms[8];
	char path[256];
};

/* Finds the line of /proc/self/maps that holds addr; false when none does. */
static bool find_mapping(uintptr_t addr, struct mapping *m)
{
	static char text[256 * 1024];	/* static: a handler's stack is small */
	ssize_t len = 0, n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return false;
	while (len < (ssize_t)sizeof(text) - 1 &&
	       (n = read(fd, text + len, sizeof(text) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	text[len] = '\0';
	for (char *line = text, *next; *line; line = next) {
		int path_at = 0;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		m->path[0] = '\0';
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %*s %*s %n", &m->start,
			   &m->end, m->perms, &m->offset, &path_at) < 4)
			continue;
		if (addr < m->start || addr >= m->end)
			continue;
		if (path_at > 0)
			snprintf(m->path, sizeof(m->path), "%s", line + path_at);
		return true;
	}
	return false;
}

/*
 * SIGBUS within the file: the file system had no page to give (tmpfs, such
 * as /dev/shm, allocates a page on its first write, and fails when full).
 */
static void full_story(const char *path, char *buf, size_t cap)
{
	struct statvfs fs;

	if (statvfs(path, &fs) == 0 && fs.f_bavail == 0)
		snprintf(buf, cap, ": the page is within the file, but its file system is full "
			 "(%llu MiB, none free): a write to a page it has not stored yet has "
			 "nowhere to go", (unsigned long long)fs.f_blocks * fs.f_frsize >> 20);
	else
		snprintf(buf, cap, ": the page is within the file; the file system could not "
			 "provide it (full, or the file was cut shorter meanwhile)");
}

/* For a mapped file: which page of it addr is, and what the file's size allows. */
static void file_story(uintptr_t addr, const struct mapping *m, int sig, char *buf,
		       size_t cap)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long at = m->offset + (addr - m->start);
	unsigned long long file_page = at / (unsigned long long)page;
	struct stat st;
	size_t len = strlen(buf);

	snprintf(buf + len, cap - len, ", page %llu of the file %s (byte %llu)", file_page,
		 m->path, at);
	len = strlen(buf);
	if (stat(m->path, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	if (st.st_size == 0)
		snprintf(buf + len, cap - len, ", which was empty (0 bytes)");
	else
		snprintf(buf + len, cap - len, ", which was %lld bytes long (pages 0 to %lld)",
			 (long long)st.st_size, (long long)((st.st_size - 1) / page));
	len = strlen(buf);
	if (sig == SIGBUS && at >= (unsigned long long)st.st_size)
		snprintf(buf + len, cap - len, ": a page past the end of a file cannot be "
			 "touched; ftruncate() the file to the size you map");
	else if (sig == SIGBUS)
		full_story(m->path, buf + len, cap - len);
}

void ag_describe_fault(int sig, int code, const void *address, char *buf, size_t cap)
{
	uintptr_t addr = (uintptr_t)address;
	struct mapping m;

	if (code <= 0) {	/* sent by kill(), not a fault */
		snprintf(buf, cap, "%s was sent to it (si_code %d), it touched nothing",
			 sig == SIGBUS ? "SIGBUS" : "SIGSEGV", code);
		return;
	}
	snprintf(buf, cap, "%s at address %#" PRIxPTR, sig == SIGBUS ? "SIGBUS" : "SIGSEGV",
		 addr);
	if (!find_mapping(addr, &m)) {
		size_t len = strlen(buf);

		snprintf(buf + len, cap - len, ", which no mapping holds (%s)",
			 addr < 65536 ? "a NULL pointer?" :
			 "never mapped, or used after munmap()?");
		return;
	}
	size_t len = strlen(buf);

	snprintf(buf + len, cap - len, ", in the mapping %#" PRIxPTR "-%#" PRIxPTR " (%s)",
		 m.start, m.end, m.perms);
	if (m.path[0] == '/')
		file_story(addr, &m, sig, buf, cap);
	else if (m.path[0])
		snprintf(buf + strlen(buf), cap - strlen(buf), " %s", m.path);
	if (sig == SIGSEGV && code == SEGV_ACCERR) {
		len = strlen(buf);
		snprintf(buf + len, cap - len, ": the mapping does not allow this access "
			 "(a write to a PROT_READ mapping?)");
	}
}
