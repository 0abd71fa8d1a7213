/*
 * test_keys.c - Lab 05's graded tests of §3.3 (keys are hashes) and §3.4
 * (keys that collide).
 *
 * The collisions are real ones, built the way they happen: proj_id 1 and
 * 257 (ftok keeps 8 bits of it); two files whose inode numbers differ by
 * 65536 (ftok keeps 16 bits of those), made on the tmpfs of /dev/shm, which
 * numbers its inodes from a counter: files made and dropped until the
 * counter comes round; and a file deleted and recreated, which ext4 gives
 * the freed inode, and so the old key. The judge computes every key itself,
 * with glibc's ftok(3), and reads the segments with shmctl(IPC_STAT): shm_lpid
 * (the last process that attached or detached) says whether a call attached
 * a segment it should have left alone.
 *
 * Handout: labs/05-shm/README.md. Run one test: ipclab test 05 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "grader.h"
#include "shm.h"
#include "segments.h"

static const char *err_name(int err)
{
	return strerrorname_np(err) ? strerrorname_np(err) : "0";
}

/* What a call that returns an id or -1 gave: "-1 with errno EPERM" or "id 3". */
static const char *outcome_text(int rc, int err)
{
	static char text[64];

	if (rc == -1)
		snprintf(text, sizeof(text), "-1 with errno %s", err_name(err));
	else
		snprintf(text, sizeof(text), "id %d", rc);
	return text;
}

/* A fresh directory on /dev/shm (tmpfs; the sandbox's own), its path in dir. */
static void shm_dir(char *dir, size_t cap)
{
	snprintf(dir, cap, "/dev/shm/keys-XXXXXX");
	ag_setup(mkdtemp(dir) != NULL, "mkdtemp in /dev/shm");
}

static void make_dir(const char *path)
{
	ag_setup(mkdir(path, 0700) == 0, "mkdir");
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path);
}

/*
 * Removes a tree the test made on /dev/shm. The sandbox's /dev/shm ends with
 * the test; without namespaces it is the host's, so the tests remove their
 * trees before they judge.
 */
static void remove_tree(const char *dir)
{
	ag_setup(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0, "removing the test's tree");
}

/*
 * The key ftok(3) gives path: the judge's own, for the expected values.
 * Without namespaces the grader removes what is left at it after the test.
 */
static key_t ftok_of(const char *path, int proj_id)
{
	key_t key = ftok(path, proj_id);

	ag_setup(key != -1, "ftok");
	ag_key_add(key);
	return key;
}

/* Inodes to make at most while waiting for the counter to come round (4 times round). */
#define TWIN_TRIES (4 * 65536)

/*
 * Makes first, then second on the same tmpfs with an inode number 65536
 * (or a multiple) above first's: the same key for every proj_id. Each try
 * takes the next inode number with an unnamed file (O_TMPFILE) and lets it
 * go; the one that fits is given the name second.
 */
static void make_twins(const char *first, const char *second)
{
	char dir[4096], proc_path[64];
	struct stat a, b;
	int fd = -1;

	make_file(first);
	ag_setup(stat(first, &a) == 0, "stat");
	snprintf(dir, sizeof(dir), "%s", second);
	*strrchr(dir, '/') = '\0';
	for (int i = 0; i < TWIN_TRIES; i++) {
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		ag_setup(fd != -1 && fstat(fd, &b) == 0, "open O_TMPFILE on /dev/shm");
		if (b.st_ino != a.st_ino && (b.st_ino & 0xffff) == (a.st_ino & 0xffff))
			break;
		close(fd);
		fd = -1;
	}
	ag_setup(fd != -1, "an inode number 65536 above the first file's (on /dev/shm)");
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd);
	ag_setup(linkat(AT_FDCWD, proc_path, AT_FDCWD, second, AT_SYMLINK_FOLLOW) == 0,
		 "linkat");
	close(fd);
	ag_setup(ftok_of(first, 1) == ftok_of(second, 1), "twin files with one key");
}

/* ---- §3.3 Keys are hashes ---- */

#define NPATHS 8
#define NPROJS 6

static const int projs[NPROJS] = {1, 'P', 255, 257, 0x1ff, 2015};

struct keying {
	const char *paths[NPATHS];
	key_t want[NPATHS][NPROJS];	/* ftok's, computed by the judge */
	key_t got[NPATHS][NPROJS];
	key_t missing, not_dir;
	int missing_errno, not_dir_errno;
};

static int key_all(struct keying *k)
{
	for (int i = 0; i < NPATHS; i++)
		for (int j = 0; j < NPROJS; j++)
			k->got[i][j] = key_for(k->paths[i], projs[j]);
	k->missing = key_for("no-such-file", 1);
	k->missing_errno = errno;
	k->not_dir = key_for("plain/below", 1);
	k->not_dir_errno = errno;
	return 0;
}

GRADED_TEST(shm, key_for_matches_ftok, .task = "3.3", .points = 5,
	    .desc = "key_for() gives ftok's key for files on ext4 and tmpfs, links and "
		    "directories, for proj_id 1 to 2015; -1 with stat's errno for a missing path",
	    .hint = "Handout 3.3: stat(2) the path; the low 8 bits of proj_id, of st_dev and "
		    "the low 16 of st_ino, at bits 31-24, 23-16 and 15-0.")
{
	char dir[64], on_shm[96], abs_plain[4200];
	struct keying k;

	shm_dir(dir, sizeof(dir));
	snprintf(on_shm, sizeof(on_shm), "%s/on-tmpfs", dir);
	snprintf(abs_plain, sizeof(abs_plain), "%s/plain", ag_scratch());
	make_file("plain");
	make_file(on_shm);
	make_dir("sub");
	make_file("sub/inner");
	ag_setup(link("plain", "hard") == 0 && symlink("plain", "soft") == 0 &&
		 symlink(on_shm, "soft-to-tmpfs") == 0, "link, symlink");
	k = (struct keying){.paths = {"plain", abs_plain, on_shm, "hard", "soft",
				      "soft-to-tmpfs", "sub", "sub/inner"}};
	for (int i = 0; i < NPATHS; i++)
		for (int j = 0; j < NPROJS; j++)
			k.want[i][j] = ftok_of(k.paths[i], projs[j]);
	SUBJECT(key_all(&k), OUT(k.got), OUT(k.missing), OUT(k.not_dir),
		OUT(k.missing_errno), OUT(k.not_dir_errno));
	remove_tree(dir);
	for (int i = 0; i < NPATHS; i++)
		for (int j = 0; j < NPROJS; j++)
			expect(k.got[i][j] == k.want[i][j], "key_for(\"%s\", %d): expected 0x%08x "
			       "(as ftok), got 0x%08x", k.paths[i], projs[j],
			       (unsigned)k.want[i][j], (unsigned)k.got[i][j]);
	expect(k.missing == -1 && k.missing_errno == ENOENT, "key_for(\"no-such-file\", 1): "
	       "expected -1 with errno ENOENT (stat's), got 0x%08x with errno %s",
	       (unsigned)k.missing, err_name(k.missing_errno));
	expect(k.not_dir == -1 && k.not_dir_errno == ENOTDIR, "key_for(\"plain/below\", 1) "
	       "(plain is a file): expected -1 with errno ENOTDIR, got 0x%08x with errno %s",
	       (unsigned)k.not_dir, err_name(k.not_dir_errno));
}

struct listing {
	char dir[128];
	int proj;
	char text[8192];	/* what collisions_list wrote */
};

/* Runs collisions_list into l->text (a memory stream); errno as it left it. */
static int list_into(struct listing *l)
{
	FILE *out = fmemopen(l->text, sizeof(l->text), "w");
	int rc, err;

	if (out == NULL)
		return -2;
	rc = collisions_list(l->dir, l->proj, out);
	err = errno;
	fclose(out);
	errno = err;
	return rc;
}

/* Fails the test at the first line where got differs from want. */
static void expect_same_lines(const char *call, const char *want, const char *got)
{
	int line = 1;

	while (*want && *got) {
		size_t wl = strcspn(want, "\n"), gl = strcspn(got, "\n");

		expect(wl == gl && strncmp(want, got, wl) == 0, "%s, line %d: expected \"%.*s\", "
		       "got \"%.*s\"", call, line, (int)wl, want, (int)gl, got);
		want += wl + (want[wl] == '\n');
		got += gl + (got[gl] == '\n');
		line++;
	}
	expect(*got == '\0', "%s wrote a line %d too, \"%.*s\": expected %d line(s)", call, line,
	       (int)strcspn(got, "\n"), got, line - 1);
	expect(*want == '\0', "%s wrote %d line(s): expected line %d, \"%.*s\"", call, line - 1,
	       line, (int)strcspn(want, "\n"), want);
}

/*
 * proj_id 0x1cb: ftok (and so collisions_list) keeps 0xcb, and every key is
 * negative as a key_t; the lines print it as unsigned, `0x%08x`.
 */
#define LIST_PROJ 0x1cb

GRADED_TEST(shm, collisions_found, .task = "3.3", .points = 6, .deadline = 6,
	    .desc = "collisions_list() writes one line per shared key, in key order, paths "
		    "sorted, at any depth, hard links counted, symbolic links not followed",
	    .hint = "Handout 3.3: nftw with FTW_PHYS, regular files only; sort by key (unsigned) "
		    "then strcmp; a line only for a key two or more paths share.")
{
	struct listing l = {.proj = LIST_PROJ};
	char p[8][192], lines[2][600], call[256];
	const char *dir = l.dir;
	key_t links_key, twins_key;
	int rc, err;

	shm_dir(l.dir, sizeof(l.dir));
	snprintf(p[0], sizeof(p[0]), "%s/m", dir);
	snprintf(p[1], sizeof(p[1]), "%s/z", dir);
	snprintf(p[2], sizeof(p[2]), "%s/a", dir);
	snprintf(p[3], sizeof(p[3]), "%s/sub/deep/far", dir);
	snprintf(p[4], sizeof(p[4]), "%s/near", dir);
	snprintf(p[5], sizeof(p[5]), "%s/u1", dir);
	snprintf(p[6], sizeof(p[6]), "%s/sub/u2", dir);
	snprintf(p[7], sizeof(p[7]), "%s/sub", dir);
	make_dir(p[7]);
	snprintf(p[7], sizeof(p[7]), "%s/sub/deep", dir);
	make_dir(p[7]);
	/* One file, three names, made in an order that is not strcmp's. */
	make_file(p[0]);
	ag_setup(link(p[0], p[1]) == 0 && link(p[0], p[2]) == 0, "link");
	make_twins(p[3], p[4]);
	make_file(p[5]);
	make_file(p[6]);
	/* Symbolic links: to a file (a fourth name if followed) and to a directory. */
	snprintf(p[7], sizeof(p[7]), "%s/sub/link", dir);
	ag_setup(symlink("../m", p[7]) == 0, "symlink");
	snprintf(p[7], sizeof(p[7]), "%s/linkdir", dir);
	ag_setup(symlink("sub", p[7]) == 0, "symlink");

	links_key = ftok_of(p[0], LIST_PROJ);
	twins_key = ftok_of(p[3], LIST_PROJ);
	ag_setup(links_key != twins_key && ftok_of(p[5], LIST_PROJ) != ftok_of(p[6], LIST_PROJ),
		 "distinct keys");
	for (int i = 5; i <= 6; i++)
		ag_setup(ftok_of(p[i], LIST_PROJ) != links_key &&
			 ftok_of(p[i], LIST_PROJ) != twins_key, "unique keys");
	snprintf(lines[0], sizeof(lines[0]), "0x%08x %s %s %s\n", (unsigned)links_key, p[2],
		 p[0], p[1]);
	snprintf(lines[1], sizeof(lines[1]), "0x%08x %s %s\n", (unsigned)twins_key, p[4], p[3]);

	rc = SUBJECT(list_into(&l), OUT(l.text));
	err = errno;
	remove_tree(dir);
	l.text[sizeof(l.text) - 1] = '\0';
	snprintf(call, sizeof(call), "collisions_list(\"%s\", 0x%x, out)", dir, LIST_PROJ);
	expect(rc != -1, "%s: expected 2 (lines), got -1 (%s)", call, strerror(err));
	if ((unsigned)links_key < (unsigned)twins_key)
		expect_same_lines(call, strcat(lines[0], lines[1]), l.text);
	else
		expect_same_lines(call, strcat(lines[1], lines[0]), l.text);
	expect(rc == 2, "%s wrote the 2 lines expected, but returned %d", call, rc);
}

GRADED_TEST(shm, collisions_none_or_error, .task = "3.3", .points = 2,
	    .desc = "collisions_list() of a tree with no shared key writes nothing and returns 0; "
		    "a missing directory: -1 with errno ENOENT; a file or a link to a directory: "
		    "ENOTDIR",
	    .hint = "Handout 3.3: a key one path has is no collision; nftw returns -1 with errno "
		    "set when it cannot walk the directory.")
{
	struct listing l = {.proj = 1};
	char p[5][192], call[256];
	int rc, err;

	shm_dir(l.dir, sizeof(l.dir));
	snprintf(p[0], sizeof(p[0]), "%s/one", l.dir);
	snprintf(p[1], sizeof(p[1]), "%s/two", l.dir);
	snprintf(p[2], sizeof(p[2]), "%s/sub", l.dir);
	snprintf(p[3], sizeof(p[3]), "%s/sub/three", l.dir);
	snprintf(p[4], sizeof(p[4]), "%s/sub/to-one", l.dir);
	make_file(p[0]);
	make_file(p[1]);
	make_dir(p[2]);
	make_file(p[3]);
	ag_setup(symlink("../one", p[4]) == 0, "symlink");
	ag_setup(ftok_of(p[0], 1) != ftok_of(p[1], 1) && ftok_of(p[0], 1) != ftok_of(p[3], 1) &&
		 ftok_of(p[1], 1) != ftok_of(p[3], 1), "files with distinct keys");

	rc = SUBJECT(list_into(&l), OUT(l.text));
	err = errno;
	remove_tree(l.dir);
	l.text[sizeof(l.text) - 1] = '\0';
	snprintf(call, sizeof(call), "collisions_list(\"%s\", 1, out)", l.dir);
	expect(rc != -1, "%s of three files with distinct keys: expected 0, got -1 (%s)", call,
	       strerror(err));
	expect_same_lines(call, "", l.text);
	expect(rc == 0, "%s wrote nothing (no key is shared) but returned %d: expected 0", call,
	       rc);

	snprintf(l.dir, sizeof(l.dir), "%s/missing", ag_scratch());
	rc = SUBJECT(list_into(&l), OUT(l.text));
	err = errno;
	expect(rc == -1 && err == ENOENT, "collisions_list(\"%s\", 1, out) of a directory that "
	       "does not exist: expected -1 with errno ENOENT, got %d with errno %s", l.dir, rc,
	       err_name(err));

	/* Not a directory: a file, and a symbolic link to a directory (not followed). */
	snprintf(l.dir, sizeof(l.dir), "%s/plain", ag_scratch());
	make_file(l.dir);
	rc = SUBJECT(list_into(&l), OUT(l.text));
	err = errno;
	expect(rc == -1 && err == ENOTDIR, "collisions_list(\"%s\", 1, out) of a regular file: "
	       "expected -1 with errno ENOTDIR, got %d with errno %s", l.dir, rc, err_name(err));
	snprintf(p[0], sizeof(p[0]), "%s/tree", ag_scratch());
	make_dir(p[0]);
	snprintf(l.dir, sizeof(l.dir), "%s/link-to-tree", ag_scratch());
	ag_setup(symlink("tree", l.dir) == 0, "symlink");
	rc = SUBJECT(list_into(&l), OUT(l.text));
	err = errno;
	expect(rc == -1 && err == ENOTDIR, "collisions_list(\"%s\", 1, out) of a symbolic link "
	       "to a directory (links are not followed): expected -1 with errno ENOTDIR, got %d "
	       "with errno %s", l.dir, rc, err_name(err));
}

/* ---- §3.4 Keys that collide ---- */

/* The kernel's view of a segment; the test's setup fails if it is gone. */
static struct shmid_ds seen(int shmid)
{
	struct shmid_ds ds;

	ag_setup(stat_segment(shmid, &ds), "shmctl IPC_STAT");
	return ds;
}

/* Fails the test unless segment shmid is as before: size, mode, attachments, shm_lpid. */
static void expect_untouched(int shmid, const struct shmid_ds *before, const char *after)
{
	struct shmid_ds now;

	expect(stat_segment(shmid, &now), "after %s, the segment %d that another process made is "
	       "gone: it must be left alone", after, shmid);
	expect(now.shm_segsz == before->shm_segsz && now.shm_perm.mode == before->shm_perm.mode,
	       "after %s, segment %d has size %zu and mode %04o: expected %zu and %04o, as made",
	       after, shmid, now.shm_segsz, now.shm_perm.mode & 0777, before->shm_segsz,
	       before->shm_perm.mode & 0777);
	expect(now.shm_lpid == before->shm_lpid && now.shm_nattch == before->shm_nattch,
	       "after %s, segment %d was attached or detached (shm_lpid %d, was %d): a segment "
	       "the code refuses, it never attaches", after, shmid, (int)now.shm_lpid,
	       (int)before->shm_lpid);
}

#define PATTERN 0xa5

static void fill(int shmid, size_t size)
{
	unsigned char *bytes = shmat(shmid, NULL, 0);

	ag_setup(bytes != (void *)-1, "shmat");
	memset(bytes, PATTERN, size);
	ag_setup(shmdt(bytes) == 0, "shmdt");
}

/* True when the segment still holds the pattern fill() wrote. */
static bool still_filled(int shmid, size_t size)
{
	unsigned char *bytes = shmat(shmid, NULL, SHM_RDONLY);
	size_t i = 0;

	ag_setup(bytes != (void *)-1, "shmat");
	while (i < size && bytes[i] == PATTERN)
		i++;
	ag_setup(shmdt(bytes) == 0, "shmdt");
	return i == size;
}

GRADED_TEST(shm, create_refuses_taken_key, .task = "3.4", .points = 4,
	    .desc = "segment_create() fails EEXIST for a key taken by another segment (proj_id "
		    "257 against 1) and leaves it untouched; on a free key it makes a 0600 segment",
	    .hint = "Handout 3.4: shmget with IPC_CREAT | IPC_EXCL | 0600; without IPC_EXCL "
		    "shmget returns the existing segment.")
{
	static const size_t sizes[] = {4096, 1024, 8192};
	key_t taken, same, fresh;
	struct shmid_ds before, ds;
	char after[96];
	int theirs, rc, err;

	make_file("project");
	taken = ftok_of("project", 1);
	same = ftok_of("project", 257);
	fresh = ftok_of("project", 2);
	theirs = new_segment(taken, 4096, 0600);
	ag_setup(same == taken, "ftok with proj_id 257 and 1 giving one key");
	fill(theirs, 4096);
	before = seen(theirs);
	for (int i = 0; i < 3; i++) {
		rc = SUBJECT(segment_create(same, sizes[i]));
		err = errno;
		snprintf(after, sizeof(after), "segment_create(0x%08x, %zu)", (unsigned)same,
			 sizes[i]);
		expect(rc == -1 && err == EEXIST, "%s, key ftok(\"project\", 257), which "
		       "segment %d (of ftok(\"project\", 1)) has: expected -1 with errno "
		       "EEXIST, got %s%s", after, theirs, outcome_text(rc, err),
		       rc == theirs ? ": that is the other program's segment" : "");
		expect_untouched(theirs, &before, after);
		expect(still_filled(theirs, 4096), "after %s, segment %d's bytes changed", after,
		       theirs);
		expect(segment_of(taken) == theirs, "after %s, key 0x%08x no longer names "
		       "segment %d", after, (unsigned)taken, theirs);
	}

	rc = SUBJECT(segment_create(fresh, 12345));
	expect(rc >= 0, "segment_create(0x%08x, 12345) of a free key: expected a new segment's id, "
	       "got %d (%s)", (unsigned)fresh, rc, strerror(errno));
	expect(stat_segment(rc, &ds) && ds.shm_perm.__key == fresh && segment_of(fresh) == rc,
	       "segment_create(0x%08x, 12345) returned %d, which is not the segment of that key",
	       (unsigned)fresh, rc);
	expect(ds.shm_segsz == 12345 && (ds.shm_perm.mode & 0777) == 0600, "segment_create(0x%08x, "
	       "12345) made a segment of %zu bytes, mode %04o: expected 12345 bytes, mode 0600",
	       (unsigned)fresh, ds.shm_segsz, ds.shm_perm.mode & 0777);
	drop_segment(rc);
	drop_segment(theirs);
}

/* A helper, "another program", that creates a segment for key and exits; its pid. */
static pid_t other_program_creates(key_t key, size_t size)
{
	pid_t pid = ag_fork();

	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		name_process("other program");
		_exit(shmget(key, size, IPC_CREAT | IPC_EXCL | 0600) == -1 ? 1 : 0);
	}
	ag_setup(ag_wait_exit(pid) == 0, "the helper's shmget");
	return pid;
}

GRADED_TEST(shm, join_refuses_foreign_creator, .task = "3.4", .points = 6, .deadline = 6,
	    .desc = "segment_join() refuses (EPERM) a segment another process created for a "
		    "colliding file, without attaching it; it opens it for its creator's pid",
	    .hint = "Handout 3.4: shmget(key, 0, 0), then shmctl IPC_STAT: compare shm_cpid with "
		    "the creator expected, before any shmat.")
{
	char dir[64], theirs_path[96], ours_path[96];
	key_t theirs_key, ours_key;
	struct shmid_ds before;
	pid_t other;
	int shmid, rc, err;

	shm_dir(dir, sizeof(dir));
	snprintf(theirs_path, sizeof(theirs_path), "%s/theirs", dir);
	snprintf(ours_path, sizeof(ours_path), "%s/ours", dir);
	make_twins(theirs_path, ours_path);
	theirs_key = ftok_of(theirs_path, 'J');
	ours_key = ftok_of(ours_path, 'J');
	remove_tree(dir);
	other = other_program_creates(theirs_key, 4096);
	shmid = segment_of(theirs_key);
	ag_setup(shmid != -1, "shmget");
	before = seen(shmid);

	rc = SUBJECT(segment_join(ours_key, 4096, getpid()));
	err = errno;
	expect(rc == -1 && err == EPERM, "segment_join(0x%08x, 4096, %d): the key of %s is also "
	       "that of %s (inode numbers 65536 apart), whose segment %d process %d created: "
	       "expected -1 with errno EPERM, got %s", (unsigned)ours_key,
	       (int)getpid(), ours_path, theirs_path, shmid, (int)other, outcome_text(rc, err));
	expect(ag_last_subject()->sysv_maps == 0, "segment_join refused segment %d but the process "
	       "still had it attached when it returned", shmid);
	expect_untouched(shmid, &before, "segment_join refused it");

	rc = SUBJECT(segment_join(ours_key, 4096, other));
	expect(rc == shmid, "segment_join(0x%08x, 4096, %d), the pid that created segment %d "
	       "(mode 0600, 4096 bytes): expected %d, got %d (%s)", (unsigned)ours_key, (int)other,
	       shmid, shmid, rc, rc == -1 ? strerror(errno) : "another id");
	drop_segment(shmid);
}

struct join_case {
	const char *what;
	int mode;		/* the segment's, made by the test (0: no segment) */
	size_t made, asked;	/* its size, and the size segment_join is given */
	int want;		/* errno, or 0 for the segment's id */
};

static const struct join_case join_cases[] = {
	{"mode 0600, 4096 bytes, asked 4096", 0600, 4096, 4096, 0},
	{"mode 0666 (anyone may write it)", 0666, 4096, 4096, EPERM},
	{"mode 0640", 0640, 4096, 4096, EPERM},
	{"4096 bytes, asked 2048 (shmget alone would return it)", 0600, 4096, 2048, EINVAL},
	{"4096 bytes, asked 8192", 0600, 4096, 8192, EINVAL},
	{"mode 0666 and 4096 bytes, asked 2048 (the mode is checked first)", 0666, 4096, 2048,
	 EPERM},
	{"no segment for the key", 0, 0, 4096, ENOENT},
};

static long attach_raw(void *arg)
{
	return shmat(*(int *)arg, NULL, 0) == (void *)-1 ? -1 : 0;
}

GRADED_TEST(shm, join_checks_mode_and_size, .task = "3.4", .points = 4,
	    .desc = "segment_join() refuses a segment whose mode is not 0600 (EPERM) or whose size "
		    "is not the size asked (EINVAL), in that order; no segment, or one removed: "
		    "ENOENT",
	    .hint = "Handout 3.4: shm_perm.mode & 0777 must be 0600 and shm_segsz exactly the "
		    "size; a removed segment's key is IPC_PRIVATE.")
{
	pid_t me = getpid();
	key_t key;
	struct shmid_ds before;
	struct held holder;
	int shmid, rc, err;

	for (size_t i = 0; i < sizeof(join_cases) / sizeof(join_cases[0]); i++) {
		const struct join_case *c = &join_cases[i];

		key = ag_key();
		shmid = c->mode ? new_segment(key, c->made, c->mode) : -1;
		if (shmid != -1)
			before = seen(shmid);
		rc = SUBJECT(segment_join(key, c->asked, me));
		err = errno;
		if (c->want == 0)
			expect(rc == shmid, "segment_join(0x%08x, %zu, %d), segment %d of %s, "
			       "made by %d: expected id %d, got %s", (unsigned)key, c->asked,
			       (int)me, shmid, c->what, (int)me, shmid, outcome_text(rc, err));
		else
			expect(rc == -1 && err == c->want, "segment_join(0x%08x, %zu, %d), %s: "
			       "expected -1 with errno %s, got %s", (unsigned)key, c->asked,
			       (int)me, c->what, err_name(c->want), outcome_text(rc, err));
		if (shmid != -1 && c->want != 0)
			expect_untouched(shmid, &before, "segment_join refused it");
		if (shmid != -1)
			drop_segment(shmid);
	}

	key = ag_key();
	shmid = new_segment(key, 4096, 0600);
	holder = start_held("holder", attach_raw, &shmid);
	ag_setup(holder.value == 0, "shmat");
	drop_segment(shmid);
	rc = SUBJECT(segment_join(key, 4096, me));
	err = errno;
	expect(rc == -1 && err == ENOENT, "segment_join(0x%08x, 4096, %d), whose segment %d was "
	       "removed while a process holds it (its key is now IPC_PRIVATE): expected -1 with "
	       "errno ENOENT, got %s", (unsigned)key, (int)me, shmid, outcome_text(rc, err));
	end_held(&holder);
}

/*
 * Files recreated at most, until one gets its old inode back. ext4 gives a
 * new file the lowest free inode of its group, so nearly always the one just
 * freed; a test running beside this one may take it first, so the test
 * tries again with a new file. A filesystem that never gives an inode back
 * (tmpfs) fails every try: then the test checks the new key is free.
 */
#define RECREATE_TRIES 8

/* Makes "data", deletes it and makes it again; its key before and after. */
static void recreate_data(key_t *before, key_t *after)
{
	make_file("data");
	*before = ftok_of("data", 'R');
	ag_setup(unlink("data") == 0, "unlink");
	make_file("data");
	*after = ftok_of("data", 'R');
}

GRADED_TEST(shm, join_after_file_recreated, .task = "3.4", .points = 4,
	    .desc = "a file deleted and recreated may keep its key (ext4 gives the inode "
		    "back): the old run's segment is refused by segment_create (EEXIST) and "
		    "segment_join (EPERM)",
	    .hint = "Handout 3.4: ftok hashes the inode number, which a recreated file may get "
		    "back: a segment of the key may be a stale one; create with IPC_EXCL and check "
		    "shm_cpid.")
{
	key_t old_key = 0, new_key = -1;
	struct shmid_ds before, ds;
	pid_t old_run;
	int old, rc, id, err;

	for (int i = 0; i < RECREATE_TRIES && new_key != old_key; i++) {
		if (i > 0)
			ag_setup(unlink("data") == 0, "unlink");
		recreate_data(&old_key, &new_key);
	}
	/* The old run made its segment for the key "data" had before it was deleted. */
	old_run = other_program_creates(old_key, 4096);
	old = segment_of(old_key);
	ag_setup(old != -1, "shmget");
	before = seen(old);
	if (new_key == old_key) {
		rc = SUBJECT(segment_create(new_key, 4096));
		err = errno;
		expect(rc == -1 && err == EEXIST, "\"data\" was deleted and recreated, and has its "
		       "old key 0x%08x (ext4 gave it its inode back), whose segment %d the old run "
		       "(pid %d) left: segment_create(0x%08x, 4096) expected -1 with errno EEXIST, "
		       "got %s", (unsigned)old_key, old, (int)old_run, (unsigned)new_key,
		       outcome_text(rc, err));
		expect_untouched(old, &before, "segment_create refused it");
		rc = SUBJECT(segment_join(new_key, 4096, getpid()));
		err = errno;
		expect(rc == -1 && err == EPERM, "segment_join(0x%08x, 4096, %d), key of the "
		       "recreated \"data\", whose segment %d the old run (pid %d) created: "
		       "expected -1 with errno EPERM, got %s", (unsigned)new_key, (int)getpid(),
		       old, (int)old_run, outcome_text(rc, err));
		expect_untouched(old, &before, "segment_join refused it");
	} else {
		/* A filesystem that gave the file a new inode (tmpfs does): a new, free key. */
		rc = SUBJECT(segment_create(new_key, 4096));
		err = errno;
		expect(rc >= 0 && rc != old, "\"data\" was recreated with a new key 0x%08x (the "
		       "old one, 0x%08x, has segment %d): segment_create(0x%08x, 4096) expected "
		       "a new segment, got %s", (unsigned)new_key, (unsigned)old_key, old,
		       (unsigned)new_key, outcome_text(rc, err));
		expect_untouched(old, &before, "segment_create of the new key");
		ag_setup(stat_segment(rc, &ds), "shmctl IPC_STAT");
		id = SUBJECT(segment_join(new_key, 4096, ds.shm_cpid));
		err = errno;
		expect(id == rc, "segment_join(0x%08x, 4096, %d) of the recreated file's key, "
		       "for the segment %d that pid just made: expected id %d, got %s",
		       (unsigned)new_key, (int)ds.shm_cpid, rc, rc, outcome_text(id, err));
		id = SUBJECT(segment_join(new_key, 4096, old_run));
		err = errno;
		expect(id == -1 && err == EPERM, "segment_join(0x%08x, 4096, %d), with the pid of "
		       "the old run, which did not make segment %d: expected -1 with errno EPERM, "
		       "got %s",
		       (unsigned)new_key, (int)old_run, rc, outcome_text(id, err));
		drop_segment(rc);
	}
	drop_segment(old);
}
