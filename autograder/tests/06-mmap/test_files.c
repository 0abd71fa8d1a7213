/*
 * test_files.c - Lab 06's graded tests of §3.1 (a counter that lives in a
 * file) and §3.2 (reading a file through a mapping).
 *
 * Each test runs in a sandbox of its own (see grader.h), in a fresh scratch
 * directory. The tests make their files with plain write(2) and judge from
 * what the file holds afterwards, read back with pread(2) once the graded
 * call's process has ended, and from what the call copied out; never from
 * what the call says it did. A call that touches a page past the end of its
 * file dies of SIGBUS, and the report names the page and the file.
 *
 * Handout: labs/06-mmap/README.md. Run one test: ipclab test 06 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "grader.h"
#include "mapped.h"
#include "mappings.h"

/* This machine's page size (4096 on the kit's machines). */
#define PAGE ((size_t)sysconf(_SC_PAGESIZE))

/* The counter file's value and length as another program reads them. */
struct counter_file {
	bool exists;
	off_t length;
	mode_t mode;
	int64_t value;
};

static struct counter_file look_at_counter(const char *path)
{
	struct counter_file c = {0};
	struct stat st;

	if (stat(path, &st) == -1)
		return c;
	c.exists = true;
	c.length = st.st_size;
	c.mode = st.st_mode & 07777;
	if (read_back(path, &c.value, sizeof(c.value)) != (ssize_t)sizeof(c.value))
		c.value = -1;
	return c;
}

static void make_counter(const char *path, int64_t value, size_t length)
{
	unsigned char bytes[256] = {0};

	ag_setup(length <= sizeof(bytes), "counter length");
	memcpy(bytes, &value, length < sizeof(value) ? length : sizeof(value));
	for (size_t i = sizeof(value); i < length; i++)
		bytes[i] = (unsigned char)(0x40 + i);
	make_file_of(path, bytes, length, 0600);
}

/* ---- §3.1 ---- */

GRADED_TEST(mmap, counter_creates_its_file, .task = "3.1", .points = 4,
	    .desc = "counter_add() of a missing file creates it (mode 0600, 8 bytes) and counts "
		    "from 0 into it",
	    .hint = "Handout 3.1: a new file is 0 bytes long; ftruncate it to COUNTER_BYTES before "
		    "the mapping is touched, or the first access is SIGBUS.")
{
	struct ag_snapshot before;
	struct counter_file c;
	int64_t value = -1;
	int rc;

	ag_snapshot_take(&before);
	rc = SUBJECT(counter_add("count", 5, &value), OUT(value));
	expect(rc == 0, "counter_add(\"count\", 5, &value) of a missing file: expected 0, got %s",
	       result_text(rc, errno));
	c = look_at_counter("count");
	expect(c.exists, "counter_add() returned 0 but there is no file \"count\": create it "
	       "(O_CREAT, mode 0600)");
	expect(c.length == COUNTER_BYTES, "counter_add() made \"count\" %lld bytes long: expected "
	       "COUNTER_BYTES (%d), its length after ftruncate", (long long)c.length,
	       COUNTER_BYTES);
	expect(c.mode == 0600, "counter_add() created \"count\" with mode %04o: expected 0600",
	       (unsigned)c.mode);
	expect(c.value == 5, "after counter_add(\"count\", 5, ...) of a new file, the file holds "
	       "%" PRId64 ": expected 5 (the counter counts from 0)", c.value);
	expect(value == 5, "counter_add() set value to %" PRId64 ": expected 5, the counter after "
	       "its last addition", value);
	expect_no_leaks(&before, "counter_add returned");
}

GRADED_TEST(mmap, counter_keeps_what_the_file_holds, .task = "3.1", .points = 4,
	    .desc = "counter_add() goes on from the value in the file, extends a short file to 8 "
		    "bytes, and leaves a longer file's length and other bytes alone",
	    .hint = "Handout 3.1: the file outlives every process; never truncate it (no O_TRUNC), "
		    "extend it only when it is shorter than COUNTER_BYTES.")
{
	unsigned char longer[100], after[100];
	struct counter_file c;
	int64_t start, value = 0;
	int rc;

	random_bytes(&start, sizeof(start));
	start = (start & 0xffffff) + 1000;
	make_counter("old", start, COUNTER_BYTES);
	rc = SUBJECT(counter_add("old", 3, &value), OUT(value));
	c = look_at_counter("old");
	expect(rc == 0 && c.value == start + 3, "a file holding %" PRId64 ", then counter_add(\"old\", "
	       "3, ...) returned %s: expected the file to hold %" PRId64 ", it holds %" PRId64,
	       start, result_text(rc, errno), start + 3, c.value);
	expect(value == start + 3, "counter_add() set value to %" PRId64 ": expected %" PRId64,
	       value, start + 3);
	rc = SUBJECT(counter_add("old", 0, &value), OUT(value));
	expect(rc == 0 && value == start + 3, "counter_add(\"old\", 0, &value) returned %s and set "
	       "value to %" PRId64 ": expected 0 and the value found, %" PRId64,
	       result_text(rc, errno), value, start + 3);

	make_file_of("empty", "", 0, 0600);
	rc = SUBJECT(counter_add("empty", 2, &value), OUT(value));
	c = look_at_counter("empty");
	expect(rc == 0 && c.length == COUNTER_BYTES && c.value == 2, "an existing empty file, then "
	       "counter_add(\"empty\", 2, ...) returned %s: expected it %d bytes long holding 2, it "
	       "is %lld bytes holding %" PRId64 ": extend a short file even when it exists",
	       result_text(rc, errno), COUNTER_BYTES, (long long)c.length, c.value);

	make_counter("long", 7, sizeof(longer));
	ag_setup(read_back("long", longer, sizeof(longer)) == sizeof(longer), "read");
	rc = SUBJECT(counter_add("long", 2, &value), OUT(value));
	c = look_at_counter("long");
	ag_setup(read_back("long", after, sizeof(after)) >= 0, "read");
	expect(rc == 0 && c.value == 9, "a %zu-byte file holding 7, then counter_add(\"long\", 2, "
	       "...) returned %s: expected the file to hold 9, it holds %" PRId64, sizeof(longer),
	       result_text(rc, errno), c.value);
	expect(c.length == (off_t)sizeof(longer) &&
	       first_difference(longer + 8, after + 8, sizeof(longer) - 8) == -1,
	       "a %zu-byte counter file is %lld bytes after counter_add(), or its bytes after the "
	       "counter changed: expected the length and every other byte kept", sizeof(longer),
	       (long long)c.length);
}

/* ---- two counting processes ---- */

#define ADDITIONS 10000000
#define RACES 3

struct counting {
	pid_t helper;
	int gate, result;
};

/* In the subject: waits until the test opens the gate (so that both start at once). */
static void await_gate(int gate)
{
	char byte;

	while (read(gate, &byte, 1) == -1 && errno == EINTR)
		continue;
}

/*
 * A helper whose subject, once its gate opens, runs counter_add(path, times);
 * it reports value. The test opens both gates once both subjects wait there.
 */
static struct counting start_counting(const char *path, int times)
{
	int gate[2], result[2];
	struct counting s;

	ag_setup(pipe2(gate, O_CLOEXEC) == 0 && pipe2(result, O_CLOEXEC) == 0, "pipe");
	s.helper = ag_fork();
	ag_setup(s.helper != -1, "fork");
	if (s.helper == 0) {
		int64_t value = -1;
		int rc;

		close(gate[1]);
		close(result[0]);
		rc = SUBJECT((await_gate(gate[0]), counter_add(path, times, &value)), OUT(value));
		if (rc != 0)
			_exit(errno > 0 && errno < 128 ? errno : 255);
		_exit(write(result[1], &value, sizeof(value)) == sizeof(value) ? 0 : 254);
	}
	close(gate[0]);
	close(result[1]);
	s.gate = gate[1];
	s.result = result[0];
	return s;
}

/* What a counting helper's exit status says its call did. */
static const char *status_text(int status)
{
	static char text[64];

	if (status > 0 && status < 128)
		snprintf(text, sizeof(text), "returned -1 with errno %s", errname(status));
	else if (status == 255)
		snprintf(text, sizeof(text), "returned -1 with an errno above 127");
	else
		snprintf(text, sizeof(text), "ended with status %d", status);
	return text;
}

/* Waits for a counting helper; its value, or -1 with *status its exit status. */
static int64_t end_counting(struct counting *s, int *status)
{
	int64_t value = -1;

	*status = ag_wait_exit(s->helper);
	if (*status == 0 && read(s->result, &value, sizeof(value)) != sizeof(value))
		*status = 254;
	close(s->gate);
	close(s->result);
	return value;
}

/*
 * One race: two processes add ADDITIONS each to the file at once. False
 * (the test has failed) when the sum is not in the file.
 */
static void race(int round)
{
	struct counting a, b;
	struct counter_file c;
	int64_t start, va, vb;
	int sa, sb;

	random_bytes(&start, sizeof(start));
	start &= 0xffff;
	make_counter("shared", start, COUNTER_BYTES);
	a = start_counting("shared", ADDITIONS);
	b = start_counting("shared", ADDITIONS);
	ag_setup(ag_wait_blocked(a.helper) && ag_wait_blocked(b.helper), "the counting processes "
		 "did not start");
	ag_setup(write(a.gate, "x", 1) == 1 && write(b.gate, "x", 1) == 1, "write");
	va = end_counting(&a, &sa);
	vb = end_counting(&b, &sb);
	expect(sa == 0 && sb == 0, "two processes ran counter_add(\"shared\", %d, ...) at once: "
	       "expected both to return 0; one %s", ADDITIONS, status_text(sa != 0 ? sa : sb));
	c = look_at_counter("shared");
	expect(c.value == start + 2 * ADDITIONS, "race %d of %d: the file held %" PRId64 ", then "
	       "two processes each added 1 %d times at once: expected %" PRId64 ", the file holds "
	       "%" PRId64 " (%" PRId64 " additions lost: a load and a store are not one atomic "
	       "addition)", round, RACES, start, ADDITIONS, start + 2 * ADDITIONS, c.value,
	       start + 2 * ADDITIONS - c.value);
	expect((va == c.value || vb == c.value) && va <= c.value && vb <= c.value,
	       "the two calls set value to %" PRId64 " and %" PRId64 ": expected the last one to "
	       "finish to see the file's final %" PRId64, va, vb, c.value);
}

/*
 * Races, not one: on a busy machine one process can finish before the other
 * gets a CPU, and then no addition can be lost in that race.
 */
GRADED_TEST(mmap, counter_loses_no_addition, .task = "3.1", .points = 6, .deadline = 30,
	    .desc = "two processes counting into one file at the same time, 10 million additions "
		    "each, leave the sum in the file (3 races)",
	    .hint = "Handout 3.1: value = value + 1 on a shared mapping is a load and a store; "
		    "another process adds in between and one addition is lost. Add atomically.")
{
	for (int round = 1; round <= RACES; round++)
		race(round);
}

/* Checks that a failed counter_add() call returned -1 with errno want, and leaked nothing. */
static void expect_failure(const char *call, int rc, int err, int want, const char *why,
			   const struct ag_snapshot *before)
{
	expect(rc == -1 && err == want, "%s: expected -1 with errno %s (%s), got %s", call,
	       errname(want), why, result_text(rc, err));
	expect_no_leaks(before, call);
}

GRADED_TEST(mmap, counter_fails_cleanly, .task = "3.1", .points = 4,
	    .desc = "counter_add() with a negative count, a missing directory, a directory, a file "
		    "it may not extend (EFBIG) or no room for a mapping (ENOMEM) fails with that "
		    "errno and leaves nothing open or mapped",
	    .hint = "Handout 3.1: check times first; return the errno of the call that failed "
		    "(open, ftruncate, mmap); close and unmap on every path.")
{
	struct ag_snapshot before;
	int64_t value = 0;
	int rc;

	ag_snapshot_take(&before);
	rc = SUBJECT(counter_add("new", -1, &value));
	expect_failure("counter_add(\"new\", -1, ...)", rc, errno, EINVAL, "times < 0", &before);
	expect(access("new", F_OK) == -1, "counter_add(\"new\", -1, ...) failed but created "
	       "\"new\": check times before making anything");
	rc = SUBJECT(counter_add("no/such/dir", 1, &value));
	expect_failure("counter_add(\"no/such/dir\", 1, ...)", rc, errno, ENOENT, "open's",
		       &before);
	ag_setup(mkdir("dir", 0700) == 0, "mkdir");
	rc = SUBJECT(counter_add("dir", 1, &value));
	expect_failure("counter_add(\"dir\", 1, ...) of a directory", rc, errno, EISDIR, "open's",
		       &before);
	rc = SUBJECT((limit_file_size(4), counter_add("small", 1, &value)));
	expect_failure("counter_add(\"small\", 1, ...) where no file may grow past 4 bytes "
		       "(RLIMIT_FSIZE)", rc, errno, EFBIG, "ftruncate's", &before);
	make_counter("full", 5, COUNTER_BYTES);
	rc = SUBJECT((forbid_new_mappings(), counter_add("full", 1, &value)));
	expect_failure("counter_add(\"full\", 1, ...) with no room left for a mapping", rc, errno,
		       ENOMEM, "mmap's", &before);
}

/* ---- §3.2 ---- */

#define FILL 0xa5

/*
 * Runs file_copy(path, buf, cap) on a buffer of cap + PAGE bytes of FILL and
 * checks that it leaked nothing; returns the buffer.
 */
static unsigned char *copy_of(const char *path, size_t cap, ssize_t *got, int *err)
{
	unsigned char *buf = xmalloc(cap + PAGE);
	struct ag_snapshot before;

	memset(buf, FILL, cap + PAGE);
	ag_snapshot_take(&before);
	*got = SUBJECT(file_copy(path, buf, cap), OUT_BYTES(buf, cap + PAGE));
	*err = errno;
	expect_no_leaks(&before, "file_copy returned");
	return buf;
}

/* Checks a copy of data (len bytes): got == len, the bytes, and FILL after them. */
static void expect_copy(const char *call, const unsigned char *data, size_t len,
			const unsigned char *buf, size_t room, ssize_t got, int err)
{
	long at;

	expect(got == (ssize_t)len, "%s: expected %zu, got %s", call, len, result_text(got, err));
	at = first_difference(data, buf, len);
	expect(at == -1, "%s: byte %ld of the copy is %#x: expected %#x, the file's byte %ld", call,
	       at, at == -1 ? 0 : buf[at], at == -1 ? 0 : data[at], at);
	at = first_not(buf, len, room, FILL);
	expect(at == -1, "%s copied %zu bytes but wrote byte %ld of buf too (%#x): it copied past "
	       "the end of the file, the zero fill of its last page, or past cap", call, len, at,
	       at == -1 ? 0 : buf[at]);
}

GRADED_TEST(mmap, copy_stops_at_end_of_file, .task = "3.2", .points = 4,
	    .desc = "file_copy() of a 5000-byte file into a larger buffer copies 5000 bytes and "
		    "writes nothing after them",
	    .hint = "Handout 3.2: the mapping's last page runs on past the end of the file with "
		    "zeros that are not the file's; copy the file's length, from fstat.")
{
	unsigned char *data = make_random_file("data", 5000), *buf;
	ssize_t got;
	int err;

	buf = copy_of("data", 16384, &got, &err);
	expect_copy("file_copy(\"data\", buf, 16384) of a 5000-byte file", data, 5000, buf,
		    16384 + PAGE, got, err);
	free(buf);
	buf = copy_of("data", 1234, &got, &err);
	expect_copy("file_copy(\"data\", buf, 1234) of a 5000-byte file", data, 1234, buf,
		    1234 + PAGE, got, err);
	free(buf);
	free(data);
}

GRADED_TEST(mmap, copy_never_reaches_past_the_last_page, .task = "3.2", .points = 4,
	    .desc = "file_copy() of a file of 2 pages and 100 bytes, with room for 5 pages, copies "
		    "the file and touches no page past its end",
	    .hint = "Handout 3.2: a page wholly past the end of the file is SIGBUS; map and copy "
		    "min(file length, cap) bytes.")
{
	size_t len = 2 * PAGE + 100;
	unsigned char *data = make_random_file("pages", len), *buf;
	ssize_t got;
	int err;

	buf = copy_of("pages", 5 * PAGE, &got, &err);
	expect_copy("file_copy(\"pages\", buf, 5 pages) of a file of 2 pages and 100 bytes", data,
		    len, buf, 6 * PAGE, got, err);
	free(buf);
	free(data);
}

GRADED_TEST(mmap, copy_of_nothing_maps_nothing, .task = "3.2", .points = 4,
	    .desc = "file_copy() of an empty file or with cap 0 returns 0; of a directory EINVAL, "
		    "of a missing file ENOENT, with no room for a mapping ENOMEM (file_upcase() "
		    "too); nothing is left open or mapped",
	    .hint = "Handout 3.2: mmap of length 0 fails with EINVAL; copy nothing without "
		    "mapping. fstat tells a regular file from a directory. mmap fails with "
		    "MAP_FAILED, not NULL.")
{
	unsigned char *data = make_random_file("some", 100), *buf;
	struct ag_snapshot before;
	ssize_t got;
	int err;

	make_file_of("empty", "", 0, 0600);
	ag_setup(mkdir("dir", 0700) == 0, "mkdir");
	buf = copy_of("empty", 64, &got, &err);
	expect_copy("file_copy(\"empty\", buf, 64) of an empty file", data, 0, buf, 64 + PAGE, got,
		    err);
	free(buf);
	buf = copy_of("some", 0, &got, &err);
	expect_copy("file_copy(\"some\", buf, 0) of a 100-byte file", data, 0, buf, PAGE, got, err);
	free(buf);
	buf = copy_of("dir", 64, &got, &err);
	expect(got == -1 && err == EINVAL, "file_copy(\"dir\", buf, 64) of a directory: expected "
	       "-1 with errno EINVAL, got %s", result_text(got, err));
	free(buf);
	buf = copy_of("missing", 64, &got, &err);
	expect(got == -1 && err == ENOENT, "file_copy(\"missing\", buf, 64): expected -1 with "
	       "errno ENOENT (open's), got %s", result_text(got, err));
	ag_snapshot_take(&before);
	got = SUBJECT((forbid_new_mappings(), file_copy("some", buf, 64)));
	expect(got == -1 && errno == ENOMEM, "file_copy(\"some\", buf, 64) with no room left for a "
	       "mapping: expected -1 with errno ENOMEM (mmap's), got %s", result_text(got, errno));
	expect_no_leaks(&before, "file_copy failed with ENOMEM");
	got = SUBJECT((forbid_new_mappings(), file_upcase("some", (char *)buf, 64)));
	expect(got == -1 && errno == ENOMEM, "file_upcase(\"some\", out, 64) with no room left for "
	       "a mapping: expected -1 with errno ENOMEM (mmap's), got %s",
	       result_text(got, errno));
	expect_no_leaks(&before, "file_upcase failed with ENOMEM");
	free(buf);
	free(data);
}

GRADED_TEST(mmap, copy_of_a_large_file, .task = "3.2", .points = 2,
	    .desc = "file_copy() of a file of 3 MiB and 1 byte copies every byte and unmaps it",
	    .hint = "Handout 3.2: map the length you copy; munmap the same length.")
{
	size_t len = (3 << 20) + 1;
	unsigned char *data = make_random_file("large", len), *buf;
	ssize_t got;
	int err;

	buf = copy_of("large", len, &got, &err);
	expect_copy("file_copy(\"large\", buf, 3 MiB + 1) of a 3 MiB + 1 byte file", data, len,
		    buf, len + PAGE, got, err);
	free(buf);
	free(data);
}

/* Text with letters, digits, punctuation and bytes above 0x7f. */
static void make_text(char *text, size_t len)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789 .,;:!?-_\n\xc3\xa9\xe2\x82\xac\x7f";
	unsigned char bytes[256];

	for (size_t i = 0; i < len; i++) {
		if (i % sizeof(bytes) == 0)
			random_bytes(bytes, sizeof(bytes));
		text[i] = chars[bytes[i % sizeof(bytes)] % (sizeof(chars) - 1)];
	}
}

static void upcase(const char *text, char *out, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out[i] = text[i] >= 'a' && text[i] <= 'z' ? (char)(text[i] - 32) : text[i];
}

/* file_upcase(path, out, cap) of a file holding text (len bytes), checked. */
static void check_upcase(const char *path, const char *text, size_t len, size_t cap)
{
	size_t want = len < cap ? len : cap;
	char *out = xmalloc(cap + PAGE), *upper = xmalloc(len), *after = xmalloc(len);
	char call[128];
	ssize_t got;
	int err;

	struct ag_snapshot before;

	upcase(text, upper, len);
	memset(out, FILL, cap + PAGE);
	ag_snapshot_take(&before);
	got = SUBJECT(file_upcase(path, out, cap), OUT_BYTES(out, cap + PAGE));
	err = errno;
	expect_no_leaks(&before, "file_upcase returned");
	snprintf(call, sizeof(call), "file_upcase(\"%s\", out, %zu) of a %zu-byte file", path, cap,
		 len);
	expect_copy(call, (const unsigned char *)upper, want, (unsigned char *)out, cap + PAGE,
		    got, err);
	expect(read_back(path, after, len) == (ssize_t)len &&
	       first_difference(text, after, len) == -1, "after %s the file itself changed at "
	       "byte %ld: expected it unchanged (MAP_PRIVATE: the writes go to this process's copy "
	       "of the page)", call, first_difference(text, after, len));
	free(out);
	free(upper);
	free(after);
}

GRADED_TEST(mmap, upcase_leaves_the_file_alone, .task = "3.2", .points = 4,
	    .desc = "file_upcase() returns the file's text uppercased and leaves the file "
		    "unchanged, a writable one and a read-only one",
	    .hint = "Handout 3.2: MAP_PRIVATE with PROT_WRITE copies each page you write for your "
		    "process only; it needs the file open only for reading.")
{
	size_t len = 3 * PAGE + 17;
	char *text = xmalloc(len);

	make_text(text, len);
	make_file_of("text", text, len, 0600);
	make_file_of("readonly", text, len, 0400);
	check_upcase("text", text, len, len);
	check_upcase("readonly", text, len, len);
	free(text);
}

GRADED_TEST(mmap, upcase_stops_at_end_of_file, .task = "3.2", .points = 2,
	    .desc = "file_upcase() copies min(file length, cap) bytes and writes nothing after "
		    "them; an empty file copies nothing",
	    .hint = "Handout 3.2: the same limits as file_copy: the file's length, from fstat, and "
		    "cap.")
{
	char text[5000];

	make_text(text, sizeof(text));
	make_file_of("short", text, sizeof(text), 0600);
	make_file_of("empty", "", 0, 0600);
	check_upcase("short", text, sizeof(text), 3 * PAGE);
	check_upcase("short", text, sizeof(text), 700);
	check_upcase("empty", text, 0, 64);
}
