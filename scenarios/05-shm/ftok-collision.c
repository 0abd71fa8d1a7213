/*
 * ftok-collision.c - an ipclab scenario (kit code: no lab's solution).
 * ftok is a hash of proj_id, device and inode: different files share one key.
 *
 * Run: bin/ipclab scenario ftok-collision (in private IPC and mount
 * namespaces, with a fresh tmpfs on /tmp: the segment and the tmpfs end with it).
 * It prints what this machine does, then "fact:" lines that
 * autograder/selfcheck/scenario_facts.py compares with FACTS.md ("ftok").
 * Handout: labs/05-shm/README.md. Its scratch directory, /var/tmp/ipclab-ftok.*,
 * is removed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROJ 'L'

static char scratch[] = "/var/tmp/ipclab-ftok.XXXXXX";
static char disk_dir[64], tmpfs_dir[64];

static void die(const char *what)
{
	fprintf(stderr, "ftok-collision: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* glibc's formula, written out: only 8 + 8 + 16 bits of the three numbers count. */
static key_t formula(const struct stat *st, int proj_id)
{
	return (key_t)(((proj_id & 0xff) << 24) | ((st->st_dev & 0xff) << 16) |
		       (st->st_ino & 0xffff));
}

static key_t key_of(const char *path, int proj_id)
{
	key_t key = ftok(path, proj_id);

	if (key == -1)
		die(path);
	return key;
}

static struct stat stat_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		die(path);
	return st;
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd == -1 || close(fd) == -1)
		die(path);
}

static const char *fs_kind(const char *path)
{
	struct statfs fs;

	if (statfs(path, &fs) == -1)
		die(path);
	switch ((unsigned long)fs.f_type) {
	case 0xEF53: return "ext4";
	case 0x01021994: return "tmpfs";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x794C7630: return "overlayfs";
	default: return "other";
	}
}

static void show_file(const char *label, const char *path)
{
	struct stat st = stat_of(path);

	printf("  %-10s dev %u:%u (st_dev 0x%lx)  ino %lu  ftok 0x%08x\n", label,
	       major(st.st_dev), minor(st.st_dev), (unsigned long)st.st_dev,
	       (unsigned long)st.st_ino, (unsigned)key_of(path, PROJ));
}

static void ipcs_m(void)
{
	char line[256];
	FILE *ipcs = popen("ipcs -m", "r");

	if (ipcs == NULL)
		die("ipcs -m");
	printf("  $ ipcs -m\n");
	while (fgets(line, sizeof(line), ipcs))
		if (line[0] != '\n')
			printf("  %s", line);
	pclose(ipcs);
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static bool show_formula(void)
{
	struct stat st = stat_of("/etc/passwd");
	key_t mine = formula(&st, PROJ), glibc = key_of("/etc/passwd", PROJ);

	printf("1. The formula: key = (proj_id & 0xff) << 24 | (st_dev & 0xff) << 16"
	       " | (st_ino & 0xffff)\n");
	printf("  /etc/passwd: st_dev 0x%lx, st_ino %lu (0x%lx), proj_id '%c' (0x%x)\n",
	       (unsigned long)st.st_dev, (unsigned long)st.st_ino,
	       (unsigned long)st.st_ino, PROJ, PROJ);
	printf("  formula 0x%08x, glibc ftok 0x%08x\n", (unsigned)mine, (unsigned)glibc);
	return mine == glibc;
}

static bool show_proj_ids(void)
{
	key_t one = key_of("/etc/passwd", 1), other = key_of("/etc/passwd", 257);

	printf("\n2. Only the low 8 bits of proj_id count:\n");
	printf("  ftok(\"/etc/passwd\", 1)   = 0x%08x\n", (unsigned)one);
	printf("  ftok(\"/etc/passwd\", 257) = 0x%08x\n", (unsigned)other);
	return one == other;
}

/*
 * tmpfs numbers inodes from a counter of its own mount: take new inode
 * numbers (O_TMPFILE files, freed at close) until one is 65536 past a's,
 * and give that one the name b.
 */
static bool make_colliding_pair(const char *a, const char *b, double *took)
{
	struct stat st_a = stat_of(a), st;
	double start = seconds();
	char proc[64];

	for (int tries = 0; tries < 200000; tries++) {
		int fd = open(tmpfs_dir, O_TMPFILE | O_RDWR, 0600);

		if (fd == -1 || fstat(fd, &st) == -1)
			die("O_TMPFILE on the tmpfs");
		if (st.st_ino != st_a.st_ino && (st.st_ino & 0xffff) == (st_a.st_ino & 0xffff)) {
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
			if (linkat(AT_FDCWD, proc, AT_FDCWD, b, AT_SYMLINK_FOLLOW) == -1)
				die(b);
			close(fd);
			*took = seconds() - start;
			return true;
		}
		close(fd);
	}
	return false;
}

static bool show_inode_collision(char *a, char *b)
{
	double took = 0;
	bool made;

	snprintf(a, 128, "%s/a", tmpfs_dir);
	snprintf(b, 128, "%s/b", tmpfs_dir);
	touch(a);
	printf("\n3. Two files whose inode numbers differ by 65536, on a fresh tmpfs (%s):\n",
	       tmpfs_dir);
	made = make_colliding_pair(a, b, &took);
	if (!made) {
		printf("  no inode number 65536 apart in 200000 new files (took %.2f s)\n", took);
		return false;
	}
	printf("  made in %.2f s (65535 files created and freed in between)\n", took);
	show_file("a", a);
	show_file("b", b);
	return key_of(a, PROJ) == key_of(b, PROJ);
}

/* A real pair under /usr: the first two files whose inodes share their low 16 bits. */
static ino_t seen_ino[65536];
static char *seen_path[65536];
static dev_t scan_dev;
static char found[2][4096];
static long scanned;

static int scan_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	unsigned slot = st->st_ino & 0xffff;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_dev != scan_dev)
		return 0;
	scanned++;
	if (seen_path[slot] == NULL) {
		seen_ino[slot] = st->st_ino;
		seen_path[slot] = strdup(path);
		return 0;
	}
	if (seen_ino[slot] == st->st_ino)
		return 0;	/* a hard link of a file already seen */
	snprintf(found[0], sizeof(found[0]), "%s", seen_path[slot]);
	snprintf(found[1], sizeof(found[1]), "%s", path);
	return 1;
}

static void show_real_pair(void)
{
	double start = seconds();
	int rc;

	scan_dev = stat_of("/usr").st_dev;
	rc = nftw("/usr", scan_one, 32, FTW_PHYS | FTW_MOUNT);
	for (int i = 0; i < 65536; i++)
		free(seen_path[i]);
	printf("\n4. A pair already on this machine (/usr, %s): ", fs_kind("/usr"));
	if (rc != 1) {
		/* A small filesystem (the VM's) may hold no two inode numbers 65536 apart. */
		printf("none in %ld files (a pair needs inode numbers 65536 apart)\n", scanned);
		return;
	}
	printf("found after %ld files in %.2f s\n", scanned, seconds() - start);
	show_file(found[0], found[0]);
	show_file(found[1], found[1]);
}

/* Deletes and recreates dir/again; true when the inode number came back. */
static bool recreate(const char *dir)
{
	char path[128];
	struct stat before, after;
	key_t key_before, key_after;

	snprintf(path, sizeof(path), "%s/again", dir);
	touch(path);
	before = stat_of(path);
	key_before = key_of(path, PROJ);
	if (unlink(path) == -1)
		die(path);
	touch(path);
	after = stat_of(path);
	key_after = key_of(path, PROJ);
	printf("  %-5s %s: ino %lu -> %lu, key 0x%08x -> 0x%08x\n", fs_kind(dir), path,
	       (unsigned long)before.st_ino, (unsigned long)after.st_ino,
	       (unsigned)key_before, (unsigned)key_after);
	unlink(path);
	return key_before == key_after;
}

static bool show_links(const char *a, bool *symlink_same)
{
	char hard[128], soft[128];
	bool hard_same;

	snprintf(hard, sizeof(hard), "%s/hard", tmpfs_dir);
	snprintf(soft, sizeof(soft), "%s/soft", tmpfs_dir);
	if (link(a, hard) == -1 || symlink(a, soft) == -1)
		die("link");
	printf("\n6. Links (ftok calls stat, which follows a symlink):\n");
	show_file("a", a);
	show_file("hard link", hard);
	show_file("symlink", soft);
	hard_same = key_of(hard, PROJ) == key_of(a, PROJ);
	*symlink_same = key_of(soft, PROJ) == key_of(a, PROJ);
	unlink(hard);
	unlink(soft);
	return hard_same;
}

/*
 * Program A (a child) creates a segment for file a and exits; program B
 * wants its own for file b, same key. With IPC_EXCL it hears EEXIST and can
 * look at whose segment it is; without, it gets A's segment, silently.
 */
static int show_excl(const char *a, const char *b)
{
	key_t key_a = key_of(a, PROJ), key_b = key_of(b, PROJ);
	struct shmid_ds ds;
	int id, err;
	pid_t child;

	printf("\n7. Handling it: shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600)\n");
	fflush(stdout);
	child = fork();
	if (child == -1)
		die("fork");
	if (child == 0)
		_exit(shmget(key_a, 4096, IPC_CREAT | IPC_EXCL | 0600) == -1);
	if (waitpid(child, NULL, 0) == -1)
		die("waitpid");
	printf("  program A (pid %d), for a: key 0x%08x, created the segment, exited\n",
	       (int)child, (unsigned)key_a);
	id = shmget(key_b, 4096, IPC_CREAT | IPC_EXCL | 0600);
	err = errno;
	printf("  program B (pid %d), for b: key 0x%08x: shmget returned %d, errno %s\n",
	       (int)getpid(), (unsigned)key_b, id, id == -1 ? strerrorname_np(err) : "none");
	id = shmget(key_b, 0, 0);
	if (id == -1 || shmctl(id, IPC_STAT, &ds) == -1)
		die("shmget/IPC_STAT of the colliding key");
	printf("  IPC_STAT of the existing id %d: shm_cpid %d, shm_perm.uid %u, mode %03o,"
	       " size %zu, nattch %lu\n", id, (int)ds.shm_cpid, ds.shm_perm.uid,
	       ds.shm_perm.mode & 0777, ds.shm_segsz, (unsigned long)ds.shm_nattch);
	printf("  -> not B's (cpid %d is A): B must pick another key or be given the id\n",
	       (int)ds.shm_cpid);
	printf("  without IPC_EXCL, shmget(key, 4096, IPC_CREAT | 0600) returns id %d: A's\n",
	       shmget(key_b, 4096, IPC_CREAT | 0600));
	ipcs_m();
	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("IPC_RMID");
	return err;
}

static char a[128], b[128];

static void cleanup(void)
{
	unlink(a);
	unlink(b);
	rmdir(tmpfs_dir);
	rmdir(disk_dir);
	rmdir(scratch);
}

static void setup(void)
{
	if (mkdtemp(scratch) == NULL)
		die(scratch);
	atexit(cleanup);
	snprintf(disk_dir, sizeof(disk_dir), "%s/disk", scratch);
	if (mkdir(disk_dir, 0700) == -1)
		die(disk_dir);
	/* ipclab scenario mounted a fresh tmpfs on /tmp, in our own mount namespace. */
	if (strcmp(fs_kind("/tmp"), "tmpfs") != 0) {
		errno = ENOTSUP;
		die("/tmp is not a tmpfs (run through `ipclab scenario`, which mounts one)");
	}
	snprintf(tmpfs_dir, sizeof(tmpfs_dir), "/tmp/ftok");
	if (mkdir(tmpfs_dir, 0700) == -1)
		die(tmpfs_dir);
}

int main(void)
{
	bool same_formula, same_proj, same_ino, same_disk, same_tmpfs;
	bool same_hard, same_soft;
	const char *disk_kind;
	int excl;

	if (getenv("IPCLAB_SCENARIO") == NULL) {
		fprintf(stderr, "ftok-collision: run it as `bin/ipclab scenario ftok-collision`:"
			" it creates IPC objects and mounts, in namespaces of its own\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup();
	same_formula = show_formula();
	same_proj = show_proj_ids();
	same_ino = show_inode_collision(a, b);
	show_real_pair();
	printf("\n5. A file deleted and created again under the same name:\n");
	disk_kind = fs_kind(disk_dir);
	/*
	 * ext4 usually hands the freed inode to the next file, but another
	 * process creating files at that moment can take it: up to 5 tries.
	 */
	same_disk = false;
	for (int try = 0; try < 5 && !same_disk; try++)
		same_disk = recreate(disk_dir);
	same_tmpfs = recreate(tmpfs_dir);
	same_hard = show_links(a, &same_soft);
	excl = show_excl(a, b);

	printf("\nWhat to conclude: ftok keeps 8 bits of proj_id, 8 of the device and 16 of\n"
	       "the inode, so different files (and proj_ids) share keys, and a file made\n"
	       "again may or may not keep its key, depending on the filesystem. A key says\n"
	       "nothing about who made the segment: create with IPC_CREAT | IPC_EXCL, treat\n"
	       "EEXIST as \"someone else's\" (shm_cpid, shm_perm say whose), or pass ids.\n");
	printf("\nfact: ftok equals the formula: %s\n", yes(same_formula));
	printf("fact: proj_id 1 and 257 give the same key: %s\n", yes(same_proj));
	printf("fact: inode numbers 65536 apart give the same key: %s\n", yes(same_ino));
	printf("fact: recreated file on %s keeps its key: %s\n", disk_kind, yes(same_disk));
	printf("fact: recreated file on tmpfs keeps its key: %s\n", yes(same_tmpfs));
	printf("fact: a hard link gives the same key: %s\n", yes(same_hard));
	printf("fact: a symlink gives the same key: %s\n", yes(same_soft));
	printf("fact: IPC_EXCL on a colliding key fails with: %s\n",
	       excl ? strerrorname_np(excl) : "nothing");
	return 0;
}
