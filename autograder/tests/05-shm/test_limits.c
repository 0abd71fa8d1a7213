/*
 * test_limits.c - Lab 05's graded tests of §3.6 (the limits) and §3.7
 * (cleaning up what is yours).
 *
 * Each test runs in a sandbox of its own (see grader.h). In ns mode it is
 * root of its own IPC namespace: the limits test writes limits of its own
 * into /proc/sys/kernel/shm* (so that no figure written into the code can
 * match), and lays files over them (so that the two sources differ). In
 * fallback mode it can do neither and compares with what it reads itself.
 * The cleanup tests make the lab's objects and foreign ones with raw
 * shmget/semget/msgget, and check by id in /proc/sysvipc which are left.
 * Every object here has the test's uid as its creator: the sandbox maps one
 * uid only, so no test can make an object another user created.
 *
 * Handout: labs/05-shm/README.md. Run one test: ipclab test 05 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "grader.h"
#include "shm.h"
#include "segments.h"

/* ---- §3.6 ---- */

static const char *const limit_files[] = {"shmmax", "shmall", "shmmni"};

/* The judge's own reading: shmctl(IPC_INFO). */
static void kernel_limits(struct shm_limits *l)
{
	struct shminfo info;

	ag_setup(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) != -1, "shmctl IPC_INFO");
	l->max_bytes = info.shmmax;
	l->all_pages = info.shmall;
	l->max_segments = info.shmmni;
}

/* Limit i of l: 0 SHMMAX, 1 SHMALL, 2 SHMMNI (the order of limit_files). */
static unsigned long long *limit_field(struct shm_limits *l, int i)
{
	return i == 0 ? &l->max_bytes : i == 1 ? &l->all_pages : &l->max_segments;
}

static unsigned long long limit_of(const struct shm_limits *l, int i)
{
	return i == 0 ? l->max_bytes : i == 1 ? l->all_pages : l->max_segments;
}

/* The judge's own reading of /proc/sys/kernel/shmmax, shmall and shmmni. */
static void file_limits(struct shm_limits *l)
{
	for (int i = 0; i < 3; i++) {
		char path[64], text[64];

		snprintf(path, sizeof(path), "/proc/sys/kernel/%s", limit_files[i]);
		ag_setup(ag_read_file(path, text, sizeof(text)) > 0,
			 "read /proc/sys/kernel/shm*");
		*limit_field(l, i) = strtoull(text, NULL, 10);
	}
}

/* Writes text to /proc/sys/kernel/NAME; false when the kernel refuses. */
static bool write_limit(const char *name, const char *text)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	f = fopen(path, "we");
	if (f == NULL)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* Lays a scratch file holding text over /proc/sys/kernel/NAME (a bind mount). */
static void cover_limit(const char *name, const char *text)
{
	char path[64], file[64];
	FILE *f;

	snprintf(file, sizeof(file), "covered-%s", name);
	f = fopen(file, "we");
	ag_setup(f != NULL && fputs(text, f) >= 0 && fclose(f) == 0, "write a scratch file");
	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	ag_setup(mount(file, path, NULL, MS_BIND, NULL) == 0, "mount --bind over /proc/sys");
}

static void uncover_limit(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	ag_setup(umount(path) == 0, "umount /proc/sys/kernel/shm*");
}

/* One call of shm_limits, what it filled, and both sources checked against it. */
struct limits_call {
	int rc;
	struct shm_limits kernel, proc;
};

static void check_limits(const struct shm_limits *kernel, const struct shm_limits *proc,
			 const char *when)
{
	struct limits_call c = {0};
	static const char *const names[] = {"SHMMAX", "SHMALL", "SHMMNI"};

	c.rc = SUBJECT(shm_limits(&c.kernel, &c.proc), OUT(c.kernel), OUT(c.proc));
	expect(c.rc == 0, "%s: shm_limits returned %d (%s): expected 0", when, c.rc,
	       strerror(errno));
	for (int i = 0; i < 3; i++) {
		unsigned long long want_k = limit_of(kernel, i), got_k = limit_of(&c.kernel, i);
		unsigned long long want_p = limit_of(proc, i), got_p = limit_of(&c.proc, i);

		expect(got_k == want_k, "%s: kernel's %s: shmctl(IPC_INFO) says %llu, got "
		       "%llu%s", when, names[i], want_k, got_k, got_k == 32ULL << 20 ?
		       " (32 MiB: the default before Linux 3.16)" : "");
		expect(got_p == want_p, "%s: proc's %s: /proc/sys/kernel/%s holds %llu, got "
		       "%llu%s", when, names[i], limit_files[i], want_p, got_p,
		       got_p == want_k && want_p != want_k ?
		       " (IPC_INFO's value: read the file)" : "");
	}
}

GRADED_TEST(shm, limits_match_namespace, .task = "3.6", .points = 5,
	    .desc = "shm_limits() reports this IPC namespace's limits: kernel from "
		    "shmctl(IPC_INFO), proc from /proc/sys/kernel/shm*; EPROTO when a file "
		    "holds no number",
	    .hint = "Handout 3.6: the limits belong to the IPC namespace and change; no figure "
		    "written into the code (32 MiB, 4096) matches them.")
{
	struct shm_limits kernel, proc, covered;
	key_t salt = ag_key();
	const char *mode = getenv("IPCLAB_SANDBOX");
	char text[3][32];
	struct limits_call c = {0};

	/* Only in a namespace of its own may the test change limits (never the host's). */
	if (mode == NULL || strcmp(mode, "ns") != 0) {
		kernel_limits(&kernel);
		file_limits(&proc);
		check_limits(&kernel, &proc, "this namespace's limits");
		return;
	}
	/* Random per run, within what the kernel takes (SHMMNI at most IPCMNI, 32768). */
	snprintf(text[0], sizeof(text[0]), "%u", 100000000u + (unsigned)(salt & 0xffffff));
	snprintf(text[1], sizeof(text[1]), "%u", 200000u + (unsigned)(salt & 0xfff));
	snprintf(text[2], sizeof(text[2]), "%u", 1000u + (unsigned)(salt & 0x3ff));
	for (int i = 0; i < 3; i++)
		ag_setup(write_limit(limit_files[i], text[i]), "write /proc/sys/kernel/shm*");
	kernel_limits(&kernel);
	file_limits(&proc);
	for (int i = 0; i < 3; i++)
		ag_setup(limit_of(&kernel, i) == strtoull(text[i], NULL, 10) &&
			 limit_of(&proc, i) == limit_of(&kernel, i),
			 "IPC_INFO does not report the limits written");
	check_limits(&kernel, &proc, "after the test set SHMMAX, SHMALL, SHMMNI");

	/* Files that differ from the kernel: each struct must come from its own source. */
	for (int i = 0; i < 3; i++) {
		*limit_field(&covered, i) = limit_of(&kernel, i) + 1000 + (unsigned)i;
		snprintf(text[i], sizeof(text[i]), "%llu\n", limit_of(&covered, i));
		cover_limit(limit_files[i], text[i]);
	}
	check_limits(&kernel, &covered, "with files over /proc/sys/kernel/shm* that differ "
		     "from the kernel");
	uncover_limit("shmall");
	cover_limit("shmall", "lots\n");
	c.rc = SUBJECT(shm_limits(&c.kernel, &c.proc));
	expect(c.rc == -1 && errno == EPROTO, "/proc/sys/kernel/shmall holding \"lots\": "
	       "expected -1 with errno EPROTO (not a number), got %d (%s)", c.rc,
	       c.rc == -1 ? strerror(errno) : "success");
}

/* ---- §3.7 ---- */

enum { SHM, SEM, MSG };

static const char *const kind_name[] = {"shm", "sem", "msg"};
static const char *const kind_file[] = {"/proc/sysvipc/shm", "/proc/sysvipc/sem",
					"/proc/sysvipc/msg"};

/* A new object of kind with key (mode 0600). */
static int new_object(int kind, key_t key)
{
	int flags = IPC_CREAT | IPC_EXCL | 0600;
	int id = kind == SHM ? shmget(key, 4096, flags) :
		 kind == SEM ? semget(key, 1, flags) : msgget(key, flags);

	ag_setup(id != -1, "shmget/semget/msgget");
	return id;
}

/* True when /proc/sysvipc lists an object of kind with id. */
static bool listed(int kind, int id)
{
	char line[512];
	FILE *f = fopen(kind_file[kind], "re");
	bool found = false;

	ag_setup(f != NULL, "fopen /proc/sysvipc");
	while (!found && fgets(line, sizeof(line), f)) {
		long key, got;

		found = sscanf(line, "%ld %ld", &key, &got) == 2 && got == id;
	}
	fclose(f);
	return found;
}

#define MAX_OBJECTS 16

struct object {
	int kind, id;
	key_t key;
	bool lab;		/* lab_cleanup must remove it */
};

/*
 * The scene: lab objects (a lab key, any kind) and foreign ones (another key
 * of the same owner, IPC_PRIVATE, a lab key's segment removed while the judge
 * holds it, so its key is 0 now). Keys are named out of id order.
 */
struct scene {
	key_t keys[5];		/* the lab's 4, one twice, then one it must not read */
	int nkeys, nobjects, nlab;
	struct object objects[MAX_OBJECTS];
	struct object sorted[MAX_OBJECTS];	/* the contract's order */
};

static void add(struct scene *s, int kind, key_t key, bool lab)
{
	s->objects[s->nobjects++] = (struct object){kind, new_object(kind, key), key, lab};
}

static int by_kind_then_id(const void *a, const void *b)
{
	const struct object *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind - y->kind;
	return (x->id > y->id) - (x->id < y->id);
}

/*
 * In a namespace of its own, the next object of kind gets id 65536: slot 0
 * of /proc/sysvipc, but a larger id than the objects made after it, so
 * that the order of the file is not the order of the ids.
 */
static void high_id_next(int kind)
{
	static const char *const next_id[] = {"shm_next_id", "sem_next_id", "msg_next_id"};
	const char *mode = getenv("IPCLAB_SANDBOX");

	if (mode && strcmp(mode, "ns") == 0)
		ag_setup(write_limit(next_id[kind], "65536"), "write /proc/sys/kernel/*_next_id");
}

static void make_scene(struct scene *s)
{
	key_t k1 = ag_key(), k2 = ag_key(), k3 = ag_key(), foreign = ag_key();
	int held;

	*s = (struct scene){.keys = {k3, k1, k2, k1, foreign}, .nkeys = 4};
	high_id_next(SHM);
	add(s, SHM, k2, true);
	add(s, SHM, IPC_PRIVATE, false);
	add(s, SHM, foreign, false);
	add(s, SHM, k1, true);
	held = new_object(SHM, k3);	/* removed while attached: key 0, foreign now */
	ag_setup(shmat(held, NULL, SHM_RDONLY) != (void *)-1, "shmat");
	drop_segment(held);
	s->objects[s->nobjects++] = (struct object){SHM, held, IPC_PRIVATE, false};
	high_id_next(SEM);
	add(s, SEM, k3, true);
	add(s, SEM, foreign, false);
	add(s, SEM, k1, true);
	add(s, SEM, IPC_PRIVATE, false);
	add(s, MSG, foreign, false);
	add(s, MSG, k2, true);
	add(s, MSG, IPC_PRIVATE, false);
	memcpy(s->sorted, s->objects, sizeof(s->sorted));
	qsort(s->sorted, (size_t)s->nobjects, sizeof(s->sorted[0]), by_kind_then_id);
	for (int i = 0; i < s->nobjects; i++)
		s->nlab += s->objects[i].lab;
}

/* errno's name after a call that returned rc, for the messages. */
static const char *errno_name(int rc)
{
	if (rc != -1)
		return "not read";
	return strerrorname_np(errno) ? strerrorname_np(errno) : "0";
}

#define OUT_FILE "cleanup.out"

/* In the subject: lab_cleanup writing into OUT_FILE, flushed before it returns. */
static int cleanup_into(const key_t *keys, int nkeys, bool dry_run)
{
	FILE *out = fopen(OUT_FILE, "we");
	int rc, err;

	if (out == NULL)
		return -2;
	rc = lab_cleanup(keys, nkeys, dry_run, out);
	err = errno;
	fclose(out);
	errno = err;
	return rc;
}

/*
 * Checks what the subject wrote: a line starting with verb for each lab
 * object (of key only, unless only is IPC_PRIVATE), in order; nothing when
 * verb is NULL.
 */
static void check_output(const struct scene *s, const char *verb, key_t only, const char *call)
{
	char text[4096], want[4096] = "";
	ssize_t len = ag_read_file(OUT_FILE, text, sizeof(text));
	int nlines = 0;

	ag_setup(len >= 0, "read " OUT_FILE);
	for (int i = 0; verb && i < s->nobjects; i++) {
		const struct object *o = &s->sorted[i];
		size_t used = strlen(want);

		if (!o->lab || (only != IPC_PRIVATE && o->key != only))
			continue;
		snprintf(want + used, sizeof(want) - used, "%s %s %d 0x%08x\n", verb,
			 kind_name[o->kind], o->id, (unsigned)o->key);
		nlines++;
	}
	expect(strcmp(text, want) == 0, "%s wrote:\n%s%sexpected %s\n%s", call,
	       len ? text : "(nothing)\n", len && text[len - 1] != '\n' ? "\n" : "",
	       nlines ? "exactly these lines (segments, then semaphore sets, then queues; "
	       "by id within a kind):" : "nothing", want);
}

/* Checks that each object of the scene is still there, or only the foreign ones. */
static void check_left(const struct scene *s, bool lab_gone, const char *after)
{
	for (int i = 0; i < s->nobjects; i++) {
		const struct object *o = &s->objects[i];
		bool gone = !listed(o->kind, o->id);

		expect(gone == (o->lab && lab_gone), "after %s, %s %d (key 0x%08x, %s) is %s: "
		       "expected it %s", after, kind_name[o->kind], o->id, (unsigned)o->key,
		       o->lab ? "the lab's" : o->key == IPC_PRIVATE ?
		       "IPC_PRIVATE, not the lab's" : "another key, not the lab's",
		       gone ? "gone" : "still there",
		       gone ? "left alone" : "removed");
	}
}

/* Removes what is left of the scene: without namespaces it would stay on the host. */
static void clear_scene(const struct scene *s)
{
	for (int i = 0; i < s->nobjects; i++) {
		const struct object *o = &s->objects[i];

		if (!listed(o->kind, o->id))
			continue;
		ag_setup((o->kind == SHM ? shmctl(o->id, IPC_RMID, NULL) :
			  o->kind == SEM ? semctl(o->id, 0, IPC_RMID) :
			  msgctl(o->id, IPC_RMID, NULL)) == 0, "IPC_RMID");
	}
}

GRADED_TEST(shm, cleanup_dry_run_lists_only, .task = "3.7", .points = 4,
	    .desc = "lab_cleanup() in dry run lists each lab object as \"would remove KIND ID "
		    "0xKEY\", in order, and removes nothing; nkeys < 1 fails EINVAL",
	    .hint = "Handout 3.7: read /proc/sysvipc/shm, sem and msg (key, id, cuid columns); "
		    "segments, then sets, then queues, by id.")
{
	struct scene s;
	int rc;

	make_scene(&s);
	rc = SUBJECT(cleanup_into(s.keys, 0, true));
	expect(rc == -1 && errno == EINVAL, "lab_cleanup(keys, 0, true, out): expected -1 with "
	       "errno EINVAL (nkeys < 1), got %d (errno %s)", rc, errno_name(rc));
	check_output(&s, NULL, IPC_PRIVATE, "lab_cleanup(keys, 0, true, out)");
	rc = SUBJECT(cleanup_into(s.keys + 2, 1, true));
	check_left(&s, false, "a dry run");
	check_output(&s, "would remove", s.keys[2], "lab_cleanup(&key, 1, true, out)");
	expect(rc == 2, "lab_cleanup(&key, 1, true, out), key 0x%08x of a segment and a queue: "
	       "expected 2, got %d (%s)", (unsigned)s.keys[2], rc,
	       rc == -1 ? strerror(errno) : "no error");
	rc = SUBJECT(cleanup_into(s.keys, s.nkeys, true));
	check_left(&s, false, "a dry run");
	check_output(&s, "would remove", IPC_PRIVATE, "lab_cleanup(keys, 4, true, out)");
	expect(rc == s.nlab, "lab_cleanup(keys, %d, true, out) with %d lab objects among %d: "
	       "expected %d (would remove), got %d (%s)", s.nkeys, s.nlab, s.nobjects, s.nlab,
	       rc, rc == -1 ? strerror(errno) : "no error");
	clear_scene(&s);
}

GRADED_TEST(shm, cleanup_removes_only_lab_objects, .task = "3.7", .points = 6,
	    .desc = "lab_cleanup() removes every segment, set and queue of the lab's keys, "
		    "says \"removed KIND ID 0xKEY\" for each, leaves every other object; a key "
		    "IPC_PRIVATE fails EINVAL",
	    .hint = "Handout 3.7: match the key and the creator of each object /proc/sysvipc "
		    "lists; an object removed while attached has key 0, and it is not yours.")
{
	struct scene s;
	key_t with_private[2];
	int rc;

	make_scene(&s);
	with_private[0] = s.keys[1];
	with_private[1] = IPC_PRIVATE;
	rc = SUBJECT(cleanup_into(with_private, 2, false));
	expect(rc == -1 && errno == EINVAL, "lab_cleanup({0x%08x, IPC_PRIVATE}, 2, false, "
	       "out): expected -1 with errno EINVAL (IPC_PRIVATE names no lab object), got %d "
	       "(errno %s)", (unsigned)with_private[0], rc, errno_name(rc));
	check_output(&s, NULL, IPC_PRIVATE, "lab_cleanup({KEY, IPC_PRIVATE}, 2, false, out)");
	check_left(&s, false, "lab_cleanup with IPC_PRIVATE among the keys");
	rc = SUBJECT(cleanup_into(s.keys, s.nkeys, false));
	check_left(&s, true, "lab_cleanup(keys, 4, false, out)");
	check_output(&s, "removed", IPC_PRIVATE, "lab_cleanup(keys, 4, false, out)");
	expect(rc == s.nlab, "lab_cleanup(keys, %d, false, out) with %d lab objects among %d: "
	       "expected %d (removed), got %d (%s)", s.nkeys, s.nlab, s.nobjects, s.nlab, rc,
	       rc == -1 ? strerror(errno) : "no error");
	rc = SUBJECT(cleanup_into(s.keys, s.nkeys, false));
	expect(rc == 0, "lab_cleanup once more, with no lab object left: expected 0, got %d",
	       rc);
	check_output(&s, NULL, IPC_PRIVATE, "the second lab_cleanup(keys, 4, false, out)");
	clear_scene(&s);
}
