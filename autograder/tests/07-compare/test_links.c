/*
 * test_links.c - Lab 07's graded tests of §3.2: links.
 *
 * link_open() and link_close() are judged from what the kernel shows once
 * the subject has ended: its descriptors (/proc), the FIFOs in the
 * directory, the System V objects' modes, keys and values. The messages
 * are judged from the other side: the test makes the link itself, as
 * struct link says, and a helper process of the test's own sends and
 * receives on one side (judgelinks.h) while the graded code runs the
 * other. The helper checks every byte, chunk and message type that comes,
 * draws the bytes it sends back after the subject started, and hands the
 * judge a digest of them: what the subject received must match it.
 *
 * Handout: labs/07-compare/README.md. Run one test: ipclab test 07 NAME.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "grader.h"
#include "compare.h"
#include "judgelinks.h"
#include "ringmessages.h"

/* ---- the kernel's view of a subject's link ---- */

/* What the last subject had open at fd, as /proc said ("pipe read end, pipe:[12]"), or NULL. */
static const char *subject_fd(int fd)
{
	const struct ag_snapshot *s = ag_last_subject();

	for (int i = 0; i < s->nfds; i++)
		if (s->fds[i] == fd)
			return s->fd_what[i];
	return NULL;
}

/* The inode of a pipe or socket as /proc names it ("pipe:[12]" gives 12), or -1. */
static long inode_of(const char *what)
{
	const char *at = what ? strchr(what, '[') : NULL;

	return at ? strtol(at + 1, NULL, 10) : -1;
}

/* The last subject's judged mapping that starts at addr ("/dev/zero (deleted) (rw-s, ...)"), or NULL. */
static const char *subject_mapping(const void *addr)
{
	const struct ag_snapshot *s = ag_last_subject();

	for (int i = 0; i < s->nmaps; i++)
		if (s->map_start[i] == (unsigned long)addr)
			return s->map_what[i];
	return NULL;
}

static void check_ring(const struct link *l)
{
	const char *what = subject_mapping(l->ring);
	const char *bytes = what ? strstr(what, "s, ") : NULL;

	expect(l->ring && what && bytes && strstr(what, "rw-s") &&
	       strtoul(bytes + 3, NULL, 10) >= 2 * sizeof(struct link_ring),
	       "link_open(MECH_RING): ring is %p, and the process had %s there; expected a "
	       "shared, writable mapping of ring[2], %zu bytes", (void *)l->ring,
	       what ? what : "no shared mapping", 2 * sizeof(struct link_ring));
}

static const char *fd_text(int fd)
{
	const char *what = subject_fd(fd);

	return what ? what : "not open";
}

/* FIFO d of dir: "" when it is a FIFO of mode 0600, else what it is. */
static const char *fifo_state(const char *dir, int d)
{
	static char text[96];
	char path[192];
	struct stat st;

	snprintf(path, sizeof(path), "%s/fifo%d", dir, d);
	if (lstat(path, &st) == -1)
		snprintf(text, sizeof(text), "fifo%d is not there", d);
	else if (!S_ISFIFO(st.st_mode))
		snprintf(text, sizeof(text), "fifo%d is not a FIFO", d);
	else if ((st.st_mode & 07777) != 0600)
		snprintf(text, sizeof(text), "fifo%d has mode %04o", d, st.st_mode & 07777);
	else
		text[0] = '\0';
	return text;
}

static void check_pipe_ends(const struct link *l)
{
	for (int d = 0; d < 2; d++) {
		const char *r = subject_fd(l->fd[d][0]), *w = subject_fd(l->fd[d][1]);

		expect(r && strncmp(r, "pipe read end", 13) == 0 && w &&
		       strncmp(w, "pipe write end", 14) == 0 && inode_of(r) == inode_of(w),
		       "link_open(MECH_PIPE): fd[%d][0] = %d is %s and fd[%d][1] = %d is %s; "
		       "expected the read and write ends of one pipe", d, l->fd[d][0],
		       fd_text(l->fd[d][0]), d, l->fd[d][1], fd_text(l->fd[d][1]));
	}
	expect(inode_of(subject_fd(l->fd[0][0])) != inode_of(subject_fd(l->fd[1][0])),
	       "link_open(MECH_PIPE): both directions are the same pipe (%s); expected two pipes",
	       fd_text(l->fd[0][0]));
}

static void check_unix_ends(const struct link *l)
{
	const char *a = subject_fd(l->fd[0][0]), *b = subject_fd(l->fd[1][0]);

	expect(a && strncmp(a, "socket:", 7) == 0 && b && strncmp(b, "socket:", 7) == 0 &&
	       inode_of(a) != inode_of(b) && l->fd[0][1] == -1 && l->fd[1][1] == -1,
	       "link_open(MECH_UNIX): fd[0][0] = %d is %s, fd[1][0] = %d is %s, fd[0][1] = %d, "
	       "fd[1][1] = %d; expected the two sockets of a pair, and -1", l->fd[0][0],
	       fd_text(l->fd[0][0]), l->fd[1][0], fd_text(l->fd[1][0]), l->fd[0][1], l->fd[1][1]);
}

/* "" when perm is a private object of mode 0600, else what it is. */
static const char *private_0600(const struct ipc_perm *perm)
{
	static char text[96];

	if (perm->__key != IPC_PRIVATE)
		snprintf(text, sizeof(text), "it has key 0x%08x, not IPC_PRIVATE", (unsigned)perm->__key);
	else if ((perm->mode & 0777) != 0600)
		snprintf(text, sizeof(text), "it has mode %04o, not 0600", perm->mode & 0777);
	else
		text[0] = '\0';
	return text;
}

static void check_msgq(const struct link *l)
{
	struct msqid_ds ds;

	expect(msgctl(l->msqid, IPC_STAT, &ds) == 0, "link_open(MECH_MSGQ): msqid %d is not a "
	       "queue", l->msqid);
	expect(!*private_0600(&ds.msg_perm), "link_open(MECH_MSGQ): the queue %d: %s", l->msqid,
	       private_0600(&ds.msg_perm));
}

static void check_shm(const struct link *l)
{
	unsigned short values[4] = {9, 9, 9, 9};
	struct shmid_ds shm;
	struct semid_ds sem;

	expect(shmctl(l->shmid, IPC_STAT, &shm) == 0, "link_open(MECH_SHM): shmid %d is not a "
	       "segment", l->shmid);
	expect(!*private_0600(&shm.shm_perm), "link_open(MECH_SHM): the segment: %s",
	       private_0600(&shm.shm_perm));
	expect(shm.shm_segsz >= 2 * sizeof(struct link_box), "link_open(MECH_SHM): the segment "
	       "has %zu bytes; expected room for box[2], %zu", (size_t)shm.shm_segsz,
	       2 * sizeof(struct link_box));
	expect(l->box != NULL && shm.shm_lpid > 0, "link_open(MECH_SHM): box is %p and the "
	       "segment was %s; expected it attached at box", (void *)l->box,
	       shm.shm_lpid > 0 ? "attached" : "never attached");
	expect(semctl(l->semid, 0, IPC_STAT, &sem) == 0 && sem.sem_nsems == 4,
	       "link_open(MECH_SHM): semid %d is not a set of 4 semaphores", l->semid);
	expect(!*private_0600(&sem.sem_perm), "link_open(MECH_SHM): the semaphores: %s",
	       private_0600(&sem.sem_perm));
	semctl(l->semid, 0, GETALL, values);
	expect(values[0] == 0 && values[1] == 1 && values[2] == 0 && values[3] == 1,
	       "link_open(MECH_SHM): the semaphores are %u, %u, %u, %u; expected 0, 1, 0, 1 "
	       "(no box full, each empty)", values[0], values[1], values[2], values[3]);
}

/* Which fields of l are not as they must be for its mechanism, as text ("" when all are). */
static const char *unused_fields(const struct link *l)
{
	bool fds = l->mech == MECH_PIPE || l->mech == MECH_FIFO || l->mech == MECH_UNIX;

	if (!fds && (l->fd[0][0] != -1 || l->fd[0][1] != -1 || l->fd[1][0] != -1 ||
		     l->fd[1][1] != -1))
		return "descriptors that are not -1";
	if (l->mech != MECH_MSGQ && l->msqid != -1)
		return "msqid not -1";
	if (l->mech != MECH_SHM && (l->shmid != -1 || l->semid != -1 || l->box))
		return "shmid, semid or box set";
	if (l->mech != MECH_RING && l->ring)
		return "ring set";
	return "";
}

/* Removes what a subject's link_open made (the test's own descriptors are not touched). */
static void remove_objects(struct link *l)
{
	for (int d = 0; d < 2; d++)
		l->fd[d][0] = l->fd[d][1] = -1;
	l->box = NULL;
	l->ring = NULL;
	judge_close(l, true);
}

/* A directory in the scratch one whose path is len bytes long, made; in path. */
static void long_dir(char *path, size_t len)
{
	size_t at = (size_t)snprintf(path, len + 1, "%s/", ag_scratch());

	ag_setup(at + 2 <= len, "the scratch directory's path is too long");
	memset(path + at, 'd', len - at);
	path[len] = '\0';
	ag_setup(mkdir(path, 0700) == 0, "mkdir");
}

/* A FIFO link's dir may be 100 bytes long, not 101. */
static void expect_dir_lengths(void)
{
	for (size_t len = 100; len <= 101; len++) {
		char dir[128];
		struct link l;
		int rc;

		long_dir(dir, len);
		memset(&l, 0x55, sizeof(l));
		rc = SUBJECT(link_open(&l, MECH_FIFO, dir), OUT(l));
		expect(len == 100 ? rc == 0 : rc == -1 && errno == EINVAL, "link_open(&l, "
		       "MECH_FIFO, dir) with a dir of %zu bytes: expected %s, got %s", len,
		       len == 100 ? "0" : "-1 with errno EINVAL", result_text(rc, errno));
		if (rc == 0) {
			snprintf(l.dir, sizeof(l.dir), "%s", dir);
			remove_objects(&l);
		}
		ag_setup(rmdir(dir) == 0, "rmdir");
	}
}

GRADED_TEST(compare, link_open_makes_each_mechanism, .task = "3.2", .points = 7,
	    .desc = "link_open() makes each mechanism's objects as struct link says: the "
		    "descriptors' kinds and ends, the FIFOs in dir, private System V objects of "
		    "mode 0600, the semaphores at 0, 1, 0, 1, and side -1; EINVAL for no mechanism, "
		    "or a FIFO link without dir or with one longer than 100 bytes",
	    .hint = "Handout 3.2: struct link in compare.h says which field holds what, for "
		    "each mechanism; unused fields are -1.")
{
	struct link l;
	int rc;

	for (int m = 0; m < MECH_COUNT; m++) {
		memset(&l, 0x55, sizeof(l));
		rc = SUBJECT(link_open(&l, m, ag_scratch()), OUT(l));
		expect(rc == 0, "link_open(%s): expected 0, got %s", mech_const(m),
		       result_text(rc, errno));
		expect(l.mech == (enum mech)m && l.side == -1, "link_open(%s): mech is %d and "
		       "side %d; expected %d and -1", mech_const(m), l.mech, l.side, m);
		expect(!*unused_fields(&l), "link_open(%s) left %s", mech_const(m),
		       unused_fields(&l));
		if (m == MECH_PIPE)
			check_pipe_ends(&l);
		if (m == MECH_FIFO)
			for (int d = 0; d < 2; d++)
				expect(!*fifo_state(ag_scratch(), d), "link_open(MECH_FIFO, dir): in "
				       "dir, %s; expected a FIFO of mode 0600", fifo_state(ag_scratch(), d));
		if (m == MECH_UNIX)
			check_unix_ends(&l);
		if (m == MECH_MSGQ)
			check_msgq(&l);
		if (m == MECH_SHM)
			check_shm(&l);
		if (m == MECH_RING)
			check_ring(&l);
		snprintf(l.dir, sizeof(l.dir), "%s", ag_scratch());
		remove_objects(&l);
	}
	expect_dir_lengths();
	rc = SUBJECT(link_open(&l, MECH_COUNT, ag_scratch()));
	expect(rc == -1 && errno == EINVAL, "link_open(&l, MECH_COUNT, dir): expected -1 with "
	       "errno EINVAL, got %s", result_text(rc, errno));
	rc = SUBJECT(link_open(&l, MECH_FIFO, NULL));
	expect(rc == -1 && errno == EINVAL, "link_open(&l, MECH_FIFO, NULL): expected -1 with "
	       "errno EINVAL, got %s", result_text(rc, errno));
}

GRADED_TEST(compare, link_open_fails_cleanly, .task = "3.2", .points = 3,
	    .desc = "link_open(MECH_FIFO) where fifo0 or fifo1 exists fails with EEXIST and "
		    "leaves no FIFO of its own and no descriptor; the file that was there stays",
	    .hint = "Handout 3.2: when the second FIFO cannot be made, remove the first; never "
		    "remove a file you did not make.")
{
	for (int there = 0; there < 2; there++) {
		char path[192], other[192];
		struct ag_snapshot before;
		struct link l;
		struct stat st;
		int rc;

		snprintf(path, sizeof(path), "%s/fifo%d", ag_scratch(), there);
		snprintf(other, sizeof(other), "%s/fifo%d", ag_scratch(), 1 - there);
		ag_setup(mkfifo(path, 0644) == 0, "mkfifo");
		ag_snapshot_take(&before);
		rc = SUBJECT(link_open(&l, MECH_FIFO, ag_scratch()));
		expect(rc == -1 && errno == EEXIST, "link_open(MECH_FIFO, dir) where dir/fifo%d "
		       "exists already: expected -1 with errno EEXIST, got %s", there,
		       result_text(rc, errno));
		expect(lstat(other, &st) == -1, "link_open(MECH_FIFO, dir) failed (dir/fifo%d "
		       "exists) and left dir/fifo%d behind", there, 1 - there);
		expect(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0644,
		       "link_open(MECH_FIFO, dir) failed and removed or changed dir/fifo%d, which "
		       "was there before it and is not its own", there);
		expect_no_leaks(&before, "link_open(MECH_FIFO) failed");
		ag_setup(unlink(path) == 0, "unlink");
	}
}

/* ---- link_close ---- */

struct closed {
	int open_rc, close_rc, err;
	struct link opened, after;
};

/* In a subject: link_open, then link_close(remove); what each returned and left. */
static int open_then_close(enum mech m, int remove, struct closed *c)
{
	c->open_rc = link_open(&c->opened, m, ag_scratch());
	if (c->open_rc == -1)
		return -1;
	c->after = c->opened;
	errno = 0;
	c->close_rc = link_close(&c->after, remove);
	c->err = errno;
	return 0;
}

/* "" when the fields link_close(remove) must release are released. */
static const char *released(const struct closed *c, int remove)
{
	const struct link *a = &c->after;

	for (int d = 0; d < 2; d++)
		if (a->fd[d][0] != -1 || a->fd[d][1] != -1)
			return "a descriptor not set to -1";
	if (a->box)
		return "box not set to NULL";
	if (a->ring)
		return "ring not set to NULL";
	if (remove && (a->msqid != -1 || a->shmid != -1 || a->semid != -1))
		return "an id not set to -1";
	return "";
}

/* True when the System V objects of the link are there. */
static bool objects_there(const struct link *l)
{
	struct msqid_ds q;
	struct shmid_ds s;
	struct semid_ds sem;

	if (l->mech == MECH_MSGQ)
		return msgctl(l->msqid, IPC_STAT, &q) == 0;
	if (l->mech == MECH_SHM)
		return shmctl(l->shmid, IPC_STAT, &s) == 0 && semctl(l->semid, 0, IPC_STAT, &sem) == 0;
	if (l->mech == MECH_FIFO)
		return !*fifo_state(ag_scratch(), 0) && !*fifo_state(ag_scratch(), 1);
	return true;
}

GRADED_TEST(compare, link_close_releases, .task = "3.2", .points = 5,
	    .desc = "link_close(l, 0) closes, detaches and unmaps, and leaves the FIFOs and "
		    "System V objects; link_close(l, 1) also removes them, and nothing else in "
		    "dir; every field it released is -1 (box and ring NULL)",
	    .hint = "Handout 3.2: close every descriptor that is not -1, shmdt the box, munmap "
		    "the rings; with "
		    "remove, unlink the FIFOs and IPC_RMID the objects.")
{
	char bystander[192];
	struct stat st;

	/* A file beside the FIFOs that is not the link's. */
	snprintf(bystander, sizeof(bystander), "%s/fifo2", ag_scratch());
	ag_setup(mkfifo(bystander, 0600) == 0, "mkfifo");
	for (int m = 0; m < MECH_COUNT; m++) {
		struct ag_snapshot before;
		struct closed c;
		int rc;

		memset(&c, 0, sizeof(c));
		rc = SUBJECT(open_then_close(m, 0, &c), OUT(c));
		expect(rc == 0, "link_open(%s) failed: %s", mech_const(m),
		       result_text(c.open_rc, errno));
		expect(c.close_rc == 0, "link_close(l, 0) of a %s link: expected 0, got %s",
		       mech_const(m), result_text(c.close_rc, c.err));
		expect(!*released(&c, 0), "link_close(l, 0) of a %s link left %s",
		       mech_const(m), released(&c, 0));
		for (int d = 0; d < 2; d++)
			for (int k = 0; k < 2; k++)
				expect(c.opened.fd[d][k] == -1 || !subject_fd(c.opened.fd[d][k]),
				       "link_close(l, 0) of a %s link left fd[%d][%d] = %d open "
				       "(%s)", mech_const(m), d, k, c.opened.fd[d][k],
				       fd_text(c.opened.fd[d][k]));
		expect(ag_last_subject()->sysv_maps == 0, "link_close(l, 0) of a %s link left "
		       "the segment attached (a SYSV mapping)", mech_const(m));
		expect(!c.opened.ring || !subject_mapping(c.opened.ring), "link_close(l, 0) of a "
		       "MECH_RING link left the rings mapped: %s", subject_mapping(c.opened.ring));
		expect(objects_there(&c.opened), "link_close(l, 0) of a %s link removed its "
		       "objects; expected them left, for the other side", mech_const(m));
		remove_objects(&c.opened);

		ag_snapshot_take(&before);
		memset(&c, 0, sizeof(c));
		rc = SUBJECT(open_then_close(m, 1, &c), OUT(c));
		expect(rc == 0 && c.close_rc == 0, "link_close(l, 1) of a %s link: expected "
		       "0, got %s", mech_const(m), result_text(c.close_rc, c.err));
		expect(!*released(&c, 1), "link_close(l, 1) of a %s link left %s",
		       mech_const(m), released(&c, 1));
		expect(m != MECH_FIFO || (strstr(fifo_state(ag_scratch(), 0), "not there") &&
					  strstr(fifo_state(ag_scratch(), 1), "not there")),
		       "link_close(l, 1) of a MECH_FIFO link left a FIFO in dir");
		expect(lstat(bystander, &st) == 0, "link_close(l, 1) of a %s link removed "
		       "dir/fifo2, which is not the link's", mech_const(m));
		expect_no_leaks(&before, "link_close(l, 1)");
	}
}

/* ---- link_side ---- */

struct sided {
	int rc[3], err[3];
	struct link l;
};

/* In a subject: link_side(side), then again, and side 2 on a fresh copy. */
static int take_side(struct link *l, int side, struct sided *s)
{
	struct link fresh = *l;

	errno = 0;
	s->rc[0] = link_side(l, side);
	s->err[0] = errno;
	errno = 0;
	s->rc[1] = link_side(l, side);
	s->err[1] = errno;
	errno = 0;
	s->rc[2] = link_side(&fresh, 2);
	s->err[2] = errno;
	s->l = *l;
	return 0;
}

GRADED_TEST(compare, link_side_keeps_own_ends, .task = "3.2", .points = 4,
	    .desc = "link_side(l, side) keeps side's write end of direction side and read end "
		    "of the other (MECH_UNIX: its own socket), closes the other two and sets "
		    "them to -1; EINVAL for a side not 0 or 1, or a second call",
	    .hint = "Handout 3.2: a process that keeps an end it does not use keeps the other "
		    "side from ever seeing EOF.")
{
	static const enum mech mechs[] = {MECH_PIPE, MECH_UNIX};

	for (int i = 0; i < 2; i++)
		for (int side = 0; side < 2; side++) {
			struct link l;
			struct sided s;
			int kept[2][2] = {{0}};

			judge_open(&l, mechs[i]);
			SUBJECT(take_side(&l, side, &s), OUT(s));
			expect(s.rc[0] == 0 && s.l.side == side, "link_side(l, %d) of a %s link: "
			       "expected 0 and side %d, got %s and side %d", side,
			       mech_const(mechs[i]), side, result_text(s.rc[0], s.err[0]), s.l.side);
			if (mechs[i] == MECH_UNIX) {
				kept[side][0] = 1;
			} else {
				kept[side][1] = 1;
				kept[1 - side][0] = 1;
			}
			for (int d = 0; d < 2; d++)
				for (int k = 0; k < 2; k++) {
					int fd = l.fd[d][k];

					if (fd == -1)
						continue;
					expect(kept[d][k] ? subject_fd(fd) && s.l.fd[d][k] == fd
							  : !subject_fd(fd) && s.l.fd[d][k] == -1,
					       "link_side(l, %d) of a %s link: fd[%d][%d] (%d) is %s "
					       "and the field says %d; expected it %s", side,
					       mech_const(mechs[i]), d, k, fd, fd_text(fd), s.l.fd[d][k],
					       kept[d][k] ? "kept, open" : "closed and -1");
				}
			expect(s.rc[1] == -1 && s.err[1] == EINVAL, "link_side(l, %d) a second time: "
			       "expected -1 with errno EINVAL, got %s", side,
			       result_text(s.rc[1], s.err[1]));
			expect(s.rc[2] == -1 && s.err[2] == EINVAL, "link_side(l, 2): expected -1 with "
			       "errno EINVAL, got %s", result_text(s.rc[2], s.err[2]));
			judge_close(&l, true);
		}
}

/* ---- messages, both ways, against the test's own side ---- */

#define SIZES 8
static const size_t sizes[SIZES] = {
	1, 8, 1000, LINK_CHUNK, LINK_CHUNK + 1, 3 * LINK_CHUNK - 5, 65536 + 3, 1 << 20};
#define ALL_BYTES (1 + 8 + 1000 + LINK_CHUNK + LINK_CHUNK + 1 + 3 * LINK_CHUNK - 5 + 65536 + 3 + \
		   (1 << 20))

static unsigned char sent[ALL_BYTES], replies[ALL_BYTES];

/* What the helper tells the judge: what was wrong, and the digest of what it sent. */
struct verdict {
	char wrong[240];	/* "" when everything came as it should */
	bool bytes;		/* what was wrong is what came, not only that it stopped */
	uint64_t digest;
};

/*
 * The helper: side `side` of l, the test's own code. Receives each message
 * and checks it is sent[], and replies with bytes it draws now (over a byte
 * stream, one reply in two pieces, the second once the subject waits). A
 * byte stream must then reach EOF (the judge checks queues, boxes and rings).
 * Stops at the first fault: the judge then removes the link's objects, so
 * that whoever waits on them stops waiting.
 */
static void helper_side(struct link *l, int side, int answer)
{
	static unsigned char got[1 << 20];
	struct verdict v;
	bool stream = l->mech == MECH_PIPE || l->mech == MECH_FIFO || l->mech == MECH_UNIX;
	size_t at = 0;

	memset(&v, 0, sizeof(v));

	signal(SIGPIPE, SIG_IGN);
	judge_side(l, side);
	for (int i = 0; i < SIZES; i++) {
		char wrong[160] = "";
		size_t skip = 0;

		if (judge_recv(l, got, sizes[i], wrong, sizeof(wrong)) == -1) {
			v.bytes = errno == EPROTO;
			snprintf(v.wrong, sizeof(v.wrong), "message %d (%zu bytes): %s", i, sizes[i],
				 wrong[0] ? wrong : errname(errno));
			break;
		}
		if (first_difference(got, sent + at, sizes[i]) != -1) {
			v.bytes = true;
			snprintf(v.wrong, sizeof(v.wrong), "message %d (%zu bytes) came with other "
				 "bytes from byte %ld on", i, sizes[i],
				 first_difference(got, sent + at, sizes[i]));
			break;
		}
		random_bytes(replies + at, sizes[i]);
		if (stream && sizes[i] == 65536 + 3) {
			/*
			 * 1000 bytes, and the rest only once the subject waits again: a
			 * receiver that takes one read() for the message has it short.
			 */
			if (judge_send(l, replies + at, 1000, 0) == -1) {
				snprintf(v.wrong, sizeof(v.wrong), "the test could not send reply %d: "
					 "%s", i, errname(errno));
				break;
			}
			ag_wait_blocked(ag_subject_pid(getppid()));
			skip = 1000;
		}
		if (judge_send(l, replies + at + skip, sizes[i] - skip, i % 2 ? 0 : 1000) == -1) {
			snprintf(v.wrong, sizeof(v.wrong), "the test could not send reply %d: %s", i,
				 errname(errno));
			break;
		}
		at += sizes[i];
	}
	if (!v.wrong[0] && l->mech != MECH_MSGQ && l->mech != MECH_SHM && l->mech != MECH_RING &&
	    !judge_nothing_more(l)) {
		v.bytes = true;
		snprintf(v.wrong, sizeof(v.wrong), "after the %d messages, more bytes came", SIZES);
	}
	v.digest = fnv1a(replies, ALL_BYTES);
	_exit(write(answer, &v, sizeof(v)) == sizeof(v) ? 0 : 1);
}

struct exchanged {
	int rc, err, at;	/* at: which message failed, or SIZES for link_side */
};

/* In a subject: side `side` of l; sends each message of sent[] and receives its reply. */
static int exchange(struct link *l, int side, unsigned char *got, struct exchanged *e)
{
	size_t at = 0;

	e->at = SIZES;
	e->rc = -1;
	if (link_side(l, side) == -1) {
		e->err = errno;
		return -1;
	}
	for (int i = 0; i < SIZES; i++) {
		e->at = i;
		if (link_send(l, sent + at, sizes[i]) == -1 ||
		    link_recv(l, got + at, sizes[i]) == -1) {
			e->err = errno;
			return -1;
		}
		at += sizes[i];
	}
	e->rc = 0;
	return 0;
}

static void carries_messages(enum mech m)
{
	static unsigned char got[ALL_BYTES];

	for (int side = 0; side < 2; side++) {
		struct exchanged e = {0};
		struct verdict v;
		struct link l;
		int answer[2], quit[2];
		bool extra;
		pid_t helper;

		random_bytes(sent, sizeof(sent));
		judge_open(&l, m);
		ag_setup(pipe2(answer, O_CLOEXEC) == 0 && pipe2(quit, O_CLOEXEC) == 0, "pipe2");
		helper = ag_fork();
		if (helper == 0) {
			close(answer[0]);
			close(quit[1]);
			judge_quit_fd = quit[0];
			helper_side(&l, 1 - side, answer[1]);
		}
		close(answer[1]);
		close(quit[0]);
		SUBJECT(exchange(&l, side, got, &e), OUT(e), OUT(got));
		/* The subject has ended: a helper still waiting on a ring stops. */
		close(quit[1]);
		/* What the subject sent beyond its messages, left in the queue, box or ring. */
		l.side = 1 - side;
		extra = (m == MECH_MSGQ || m == MECH_SHM || m == MECH_RING) && e.rc == 0 &&
			!judge_nothing_more(&l);
		judge_close(&l, false);
		judge_close(&l, true);
		ag_setup(read(answer[0], &v, sizeof(v)) == sizeof(v) && ag_wait_exit(helper) == 0,
			 "the test's side did not answer");
		close(answer[0]);
		expect(!v.wrong[0] || !v.bytes, "side %d of a %s link (the graded code) sent: %s",
		       side, mech_const(m), v.wrong);
		expect(e.rc == 0, "side %d of a %s link: %s failed: %s", side, mech_const(m),
		       e.at == SIZES ? "link_side()" : "link_send() or link_recv()",
		       result_text(e.rc, e.err));
		expect(!v.wrong[0], "side %d of a %s link: %s", side, mech_const(m), v.wrong);
		expect(!extra, "side %d of a %s link sent more than its %d messages", side,
		       mech_const(m), SIZES);
		expect(fnv1a(got, sizeof(got)) == v.digest, "side %d of a %s link received "
		       "other bytes than the test's side sent back", side, mech_const(m));
	}
}

GRADED_TEST(compare, link_ring_carries_messages, .task = "3.2", .points = 4, .deadline = 10,
	    .desc = "the same over MECH_RING, through the ring of each direction: bytes at "
		    "data[tail % LINK_RING_BYTES] on, then tail stored; taken from "
		    "data[head % LINK_RING_BYTES] on, then head stored",
	    .hint = "Handout 3.2: tail - head bytes are in the ring; a copy that reaches the "
		    "end of data goes on at data[0].")
{
	carries_messages(MECH_RING);
}

GRADED_TEST(compare, link_pipe_carries_messages, .task = "3.2", .points = 3, .deadline = 10,
	    .desc = "link_send() and link_recv() over MECH_PIPE move messages of 1 byte to 1 MiB "
		    "both ways, byte for byte, as the test's own side sends and expects them",
	    .hint = "Handout 3.2: a write to a pipe may take fewer bytes than asked, a read "
		    "may return fewer than there will be: loop on both.")
{
	carries_messages(MECH_PIPE);
}

GRADED_TEST(compare, link_fifo_carries_messages, .task = "3.2", .points = 3, .deadline = 10,
	    .desc = "the same over MECH_FIFO",
	    .hint = "Handout 3.2: a FIFO is a pipe with a name: the same loops.")
{
	carries_messages(MECH_FIFO);
}

GRADED_TEST(compare, link_unix_carries_messages, .task = "3.2", .points = 3, .deadline = 10,
	    .desc = "the same over MECH_UNIX",
	    .hint = "Handout 3.2: a stream socket splits and joins messages as a pipe does.")
{
	carries_messages(MECH_UNIX);
}

GRADED_TEST(compare, link_msgq_carries_messages, .task = "3.2", .points = 4, .deadline = 10,
	    .desc = "the same over MECH_MSGQ, in messages of mtype d + 1 of LINK_CHUNK bytes but "
		    "the last",
	    .hint = "Handout 3.2: side 0 sends type 1 and receives type 2; cut the message in "
		    "chunks of LINK_CHUNK bytes.")
{
	carries_messages(MECH_MSGQ);
}

GRADED_TEST(compare, link_shm_carries_messages, .task = "3.2", .points = 4, .deadline = 10,
	    .desc = "the same over MECH_SHM, a chunk of LINK_CHUNK bytes but the last in the box "
		    "at a time, taking 1 from \"empty\" before and adding 1 to \"full\" after",
	    .hint = "Handout 3.2: semaphore 2d + 1 says the box of direction d may be written, "
		    "semaphore 2d that it may be read.")
{
	carries_messages(MECH_SHM);
}

/* ---- waiting ---- */

static const char late[] = "twenty bytes, late.";

/* then(): side 1 sends the 20 bytes link_recv waits for. */
static void send_late(void *arg)
{
	struct link l = *(struct link *)arg;

	judge_side(&l, 1);
	expect(judge_send(&l, late, sizeof(late), 0) == 0, "the test could not send");
}

static int side_recv(struct link *l, void *buf, size_t len)
{
	return link_side(l, 0) == -1 ? -1 : link_recv(l, buf, len);
}

GRADED_TEST(compare, link_recv_waits_through_signals, .task = "3.2", .points = 4,
	    .desc = "link_recv() on an empty pipe, socket, queue or box waits, through signals, "
		    "until the message comes",
	    .hint = "Handout 3.2: read, msgrcv and semop fail with EINTR when a signal comes; "
		    "go on waiting.")
{
	static const enum mech mechs[] = {MECH_PIPE, MECH_UNIX, MECH_MSGQ, MECH_SHM};

	for (int i = 0; i < 4; i++) {
		unsigned short values[4] = {9, 9, 9, 9};
		char buf[sizeof(late)] = "";
		struct link l;
		int rc, err, signals;

		judge_open(&l, mechs[i]);
		ag_interrupt_start(2, send_late, &l);
		rc = SUBJECT(side_recv(&l, buf, sizeof(buf)), OUT(buf));
		err = errno;
		signals = ag_interrupt_stop();
		if (mechs[i] == MECH_SHM)
			semctl(l.semid, 0, GETALL, values);
		judge_close(&l, true);
		expect(rc == 0 && memcmp(buf, late, sizeof(late)) == 0, "%d signals interrupted "
		       "link_recv() on an empty %s link; expected it to go on waiting and "
		       "return 0 with the 20 bytes sent then, got %s", signals, mech_const(mechs[i]),
		       result_text(rc, err));
		expect(ag_interrupt_acted(), "link_recv() on a %s link returned before the "
		       "test had sent anything", mech_const(mechs[i]));
		expect(mechs[i] != MECH_SHM || (values[2] == 0 && values[3] == 1), "after %d signals "
		       "interrupted link_recv() and it took its one box, direction 1's semaphores "
		       "are full %u and empty %u; expected 0 and 1: each box is taken once", signals,
		       values[2], values[3]);
	}
}

/* Fills direction 0 of l (a pipe or a queue) until it takes no more; returns the bytes. */
static size_t fill(const struct link *l)
{
	static unsigned char junk[LINK_CHUNK];
	size_t total = 0;

	if (l->mech == MECH_MSGQ) {
		struct link_msg msg = {.mtype = 1};

		while (msgsnd(l->msqid, &msg, LINK_CHUNK, IPC_NOWAIT) == 0)
			total += LINK_CHUNK;
		return total;
	}
	ag_setup(fcntl(l->fd[0][1], F_SETFL, O_NONBLOCK) == 0, "fcntl");
	for (ssize_t n; (n = write(l->fd[0][1], junk, sizeof(junk))) > 0;)
		total += (size_t)n;
	ag_setup(fcntl(l->fd[0][1], F_SETFL, 0) == 0, "fcntl");
	return total;
}

struct drain {
	struct link *l;
	size_t filled;
};

static const char message[] = "one hundred bytes, sent into a full pipe or queue, and all "
			      "of them must arrive in order.....";

/* then(): side 1 takes what filled the link, then the message link_send was waiting to send. */
static void drain(void *arg)
{
	struct drain *d = arg;
	struct link l = *d->l;
	static unsigned char buf[1 << 20];
	char wrong[160] = "";

	judge_side(&l, 1);
	if (l.mech == MECH_MSGQ) {
		struct link_msg msg;

		for (size_t got = 0; got < d->filled; got += LINK_CHUNK)
			expect(msgrcv(l.msqid, &msg, LINK_CHUNK, 1, 0) == LINK_CHUNK,
			       "the test could not take back what filled the queue");
	} else {
		expect(judge_recv(&l, buf, d->filled, wrong, sizeof(wrong)) == 0,
		       "the test could not take back what filled the pipe");
	}
	expect(judge_recv(&l, buf, sizeof(message), wrong, sizeof(wrong)) == 0 &&
	       memcmp(buf, message, sizeof(message)) == 0, "after the test made room in the "
	       "full %s link, link_send()'s %zu bytes did not come as sent%s%s",
	       mech_const(l.mech), sizeof(message), wrong[0] ? ": " : "", wrong);
}

static int side_send(struct link *l, const void *buf, size_t len)
{
	return link_side(l, 0) == -1 ? -1 : link_send(l, buf, len);
}

GRADED_TEST(compare, link_send_waits_when_full, .task = "3.2", .points = 4,
	    .desc = "link_send() on a full pipe or queue waits, through signals, until there is "
		    "room, and then sends all of its message",
	    .hint = "Handout 3.2: write and msgsnd wait for room, and fail with EINTR when a "
		    "signal comes; go on with what is left.")
{
	static const enum mech mechs[] = {MECH_PIPE, MECH_MSGQ};

	for (int i = 0; i < 2; i++) {
		struct link l;
		struct drain d = {&l, 0};
		int rc, err, signals;

		judge_open(&l, mechs[i]);
		d.filled = fill(&l);
		ag_interrupt_start(2, drain, &d);
		rc = SUBJECT(side_send(&l, message, sizeof(message)));
		err = errno;
		signals = ag_interrupt_stop();
		judge_close(&l, true);
		expect(rc == 0, "%d signals interrupted link_send() on a full %s link; "
		       "expected it to go on waiting and return 0, got %s", signals,
		       mech_const(mechs[i]), result_text(rc, err));
		expect(ag_interrupt_acted(), "link_send() on a full %s link returned before "
		       "the test had made room", mech_const(mechs[i]));
	}
}

GRADED_TEST(compare, link_recv_sees_peer_close, .task = "3.2", .points = 3,
	    .desc = "link_recv() fails with EPIPE when the other side closed its pipe or socket "
		    "before the whole message came",
	    .hint = "Handout 3.2: read() returning 0 means the other side is gone: the rest "
		    "of the message will never come.")
{
	static const enum mech mechs[] = {MECH_PIPE, MECH_UNIX};

	for (int i = 0; i < 2; i++) {
		char buf[10];
		struct link l;
		int rc, *end;

		judge_open(&l, mechs[i]);
		end = mechs[i] == MECH_UNIX ? &l.fd[1][0] : &l.fd[1][1];
		ag_setup(write(*end, "abc", 3) == 3, "write");
		/* The other side's end, closed; link_side(l, 0) closes /dev/null in its place. */
		ag_setup(close(*end) == 0, "close");
		*end = open("/dev/null", O_WRONLY | O_CLOEXEC);
		ag_setup(*end != -1, "open /dev/null");
		rc = SUBJECT(side_recv(&l, buf, sizeof(buf)));
		expect(rc == -1 && errno == EPIPE, "link_recv(l, buf, 10) on a %s link whose "
		       "other side wrote 3 bytes and closed: expected -1 with errno EPIPE, got %s",
		       mech_const(mechs[i]), result_text(rc, errno));
		judge_close(&l, true);
	}
}

/* ---- the ring under ThreadSanitizer ---- */

#define RACE_PROGRAM "ring_race"
#define RACE_MESSAGES 20000

/* What a run of ring_race said. */
struct race {
	int status;		/* its exit status, 128 + a signal, or -1: it could not run */
	uint64_t digest;	/* the digest it printed */
	char said[2048];	/* the start of its stderr */
};

/* In a subject: runs ring_race RACE_MESSAGES KEY, its output in scratch files. */
static int run_race(uint64_t key, struct race *out)
{
	char count[32], keytext[32], printed[64] = "";
	char *argv[] = {RACE_PROGRAM, count, keytext, NULL};

	*out = (struct race){.status = -1};
	snprintf(count, sizeof(count), "%d", RACE_MESSAGES);
	snprintf(keytext, sizeof(keytext), "%llx", (unsigned long long)key);
	out->status = ag_run_sanitized(argv, "race.out", "race.err");
	if (out->status == -1)
		return -1;
	ag_read_file("race.err", out->said, sizeof(out->said));
	ag_read_file("race.out", printed, sizeof(printed));
	if (sscanf(printed, "digest %" SCNx64, &out->digest) != 1)
		out->digest = 0;
	return 0;
}

/* ThreadSanitizer's one-line summary of the race ("data race .../links.c:230 in ring_recv"). */
static const char *race_summary(const char *said)
{
	static char line[300];
	const char *at = strstr(said, "SUMMARY: ThreadSanitizer: ");

	if (!at)
		return "(no summary)";
	at += strlen("SUMMARY: ThreadSanitizer: ");
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(at, "\n"), at);
	return line;
}

GRADED_TEST(compare, ring_has_no_data_race, .task = "3.2", .points = 3, .deadline = 30,
	    .sanitized = RACE_PROGRAM,
	    .desc = "a MECH_RING link between two threads passes 20000 messages under "
		    "ThreadSanitizer, which finds no data race: each side stores its own index "
		    "with memory_order_release and loads the other's with memory_order_acquire",
	    .hint = "Handout 3.2: copy the bytes first, then store the index (release); load "
		    "the other side's index (acquire) before you touch the bytes it hands over.")
{
	unsigned char buf[MESSAGE_MAX];
	uint64_t key, digest = DIGEST_START;
	struct race race;
	int rc;

	random_bytes(&key, sizeof(key));
	rc = SUBJECT(run_race(key, &race), OUT(race));
	ag_setup(rc == 0, "fork and wait for " RACE_PROGRAM);
	expect(race.status != 66, "ThreadSanitizer found a data race in the ring: %s. Nothing "
	       "orders the two accesses, so the CPU and the compiler may reorder the bytes and "
	       "the index", race_summary(race.said));
	expect(race.status != 127, "the grader could not run " RACE_PROGRAM ", your links.c "
	       "built with ThreadSanitizer: %.200s", race.said);
	expect(race.status == 0, RACE_PROGRAM " (a MECH_RING link between two threads) ended with "
	       "status %d: %.300s", race.status, race.said);
	for (uint64_t i = 0; i < RACE_MESSAGES; i++)
		digest = digest_add(digest, buf, make_message(key, i, buf));
	expect(race.digest == digest, RACE_PROGRAM " passed %d messages between two threads "
	       "without a race, but not the messages sent", RACE_MESSAGES);
}
