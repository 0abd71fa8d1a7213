/*
 * segment-life.c - an ipclab scenario (kit code: no lab's solution).
 * a segment's life: fixed size, kept after the last shmdt, IPC_RMID, fork/exec/exit, limits.
 *
 * Run: bin/ipclab scenario segment-life (in a private IPC namespace: the
 * segments end with it, and the limits are the kernel's defaults). It prints
 * what this kernel does, then "fact:" lines that
 * autograder/selfcheck/scenario_facts.py compares with FACTS.md.
 * Handout: labs/05-shm/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY ((key_t)0x5e6e0001)	/* a private namespace: nobody else's */

static void die(const char *what)
{
	fprintf(stderr, "segment-life: %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static long sysv_maps(void)
{
	char line[512];
	long n = 0;
	FILE *maps = fopen("/proc/self/maps", "r");

	if (maps == NULL)
		die("/proc/self/maps");
	while (fgets(line, sizeof(line), maps))
		n += strstr(line, "/SYSV") != NULL;
	fclose(maps);
	return n;
}

/* IPC_STAT of id; false (errno set) when it is gone. */
static bool stat_of(int id, struct shmid_ds *ds)
{
	return shmctl(id, IPC_STAT, ds) == 0;
}

static unsigned long nattch(int id)
{
	struct shmid_ds ds;

	if (!stat_of(id, &ds))
		die("shmctl IPC_STAT");
	return ds.shm_nattch;
}

/* ipcs -m's rows (header left out), and the last row, for the facts. */
static void ipcs_m(const char *when, char *last, size_t cap)
{
	char line[256];
	int rows = 0;
	FILE *ipcs = popen("ipcs -m", "r");

	if (ipcs == NULL)
		die("ipcs -m");
	printf("  $ ipcs -m    (%s)\n", when);
	while (fgets(line, sizeof(line), ipcs)) {
		if (line[0] == '\n' || line[0] == '-')
			continue;
		printf("  %s", line);
		if (strncmp(line, "0x", 2) == 0) {
			snprintf(last, cap, "%s", line);
			rows++;
		}
	}
	if (rows == 0)
		snprintf(last, cap, "none");
	pclose(ipcs);
}

static void *attach(int id)
{
	void *addr = shmat(id, NULL, 0);

	if (addr == (void *)-1)
		die("shmat");
	return addr;
}

static void detach(void *addr)
{
	if (shmdt(addr) == -1)
		die("shmdt");
}

struct facts {
	bool smaller_same, zero_same, size_kept, outlives_detach, dest, key_zero;
	bool usable, attach_after_rmid, gone, fork_adds, exec_detaches, exit_detaches;
	int larger_err;
};

static void sizes(struct facts *f)
{
	struct shmid_ds ds;
	char row[256];
	int id = shmget(KEY, 8192, IPC_CREAT | IPC_EXCL | 0600), again;

	if (id == -1)
		die("shmget");
	printf("1. shmget(0x%08x, 8192, IPC_CREAT | IPC_EXCL | 0600) = id %d\n", KEY, id);
	again = shmget(KEY, 4096, 0600);
	printf("  shmget(key, 4096, 0600)  = %d (smaller: the same segment)\n", again);
	f->smaller_same = again == id;
	again = shmget(KEY, 0, 0);
	printf("  shmget(key, 0, 0)        = %d\n", again);
	f->zero_same = again == id;
	again = shmget(KEY, 16384, IPC_CREAT | 0600);
	f->larger_err = again == -1 ? errno : 0;
	printf("  shmget(key, 16384, IPC_CREAT | 0600) = %d, errno %s (larger)\n", again,
	       again == -1 ? strerrorname_np(errno) : "none");
	if (!stat_of(id, &ds))
		die("IPC_STAT");
	printf("  shm_segsz is still %zu\n", ds.shm_segsz);
	f->size_kept = ds.shm_segsz == 8192;

	char *text = attach(id);
	snprintf(text, 8192, "written before the last shmdt");
	detach(text);
	printf("\n2. Attached, written, shmdt: shm_nattch %lu, and the segment is still there:\n",
	       nattch(id));
	ipcs_m("after the last shmdt", row, sizeof(row));
	text = attach(id);
	printf("  attached again, it still holds \"%s\"\n", text);
	f->outlives_detach = strcmp(text, "written before the last shmdt") == 0;
	detach(text);
	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("IPC_RMID");
}

static void removal(struct facts *f)
{
	struct shmid_ds ds;
	char row[256];
	int id = shmget(KEY, 4096, IPC_CREAT | IPC_EXCL | 0600);

	if (id == -1)
		die("shmget");
	char *text = attach(id);
	printf("\n3. IPC_RMID while attached (id %d, nattch %lu):\n", id, nattch(id));
	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("IPC_RMID");
	ipcs_m("after IPC_RMID", row, sizeof(row));
	f->dest = strstr(row, "dest") != NULL;
	f->key_zero = strncmp(row, "0x00000000 ", 11) == 0;
	snprintf(text, 4096, "still usable after IPC_RMID");
	printf("  the attached process writes and reads: \"%s\"\n", text);
	f->usable = strcmp(text, "still usable after IPC_RMID") == 0;
	void *second = shmat(id, NULL, 0);
	f->attach_after_rmid = second != (void *)-1;
	printf("  a new shmat by id: %s (nattch %lu)\n",
	       f->attach_after_rmid ? "succeeds" : strerrorname_np(errno), nattch(id));
	if (f->attach_after_rmid)
		detach(second);
	detach(text);
	f->gone = !stat_of(id, &ds) && errno == EINVAL;
	printf("  after the last shmdt: IPC_STAT gives %s, and:\n",
	       f->gone ? "EINVAL (gone)" : "the segment");
	ipcs_m("after the last shmdt", row, sizeof(row));
	f->gone = f->gone && strcmp(row, "none") == 0;
}

/* A child that execs this program again, which reports from the other side. */
static void processes(struct facts *f, const char *self)
{
	int id = shmget(KEY, 4096, IPC_CREAT | IPC_EXCL | 0600), status;
	char id_text[16];
	pid_t child;

	if (id == -1)
		die("shmget");
	void *addr = attach(id);
	printf("\n4. fork, exec, exit (id %d): the parent is attached, shm_nattch %lu\n", id,
	       nattch(id));
	snprintf(id_text, sizeof(id_text), "%d", id);
	for (int round = 0; round < 2; round++) {
		fflush(stdout);
		child = fork();
		if (child == -1)
			die("fork");
		if (child == 0) {
			printf("  child %d after fork: shm_nattch %lu, SYSV maps %ld\n",
			       (int)getpid(), nattch(id), sysv_maps());
			fflush(stdout);
			if (round == 0)
				execl("/proc/self/exe", self, "--after-exec", id_text, (char *)NULL);
			_exit(round == 0 ? 127 : nattch(id) == 2 ? 0 : 3);
		}
		if (waitpid(child, &status, 0) == -1)
			die("waitpid");
		if (round == 0) {
			f->exec_detaches = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		} else {
			f->fork_adds = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			f->exit_detaches = nattch(id) == 1;
		}
		printf("  child %d %s: shm_nattch %lu\n", (int)child,
		       round == 0 ? "exec'd, then exited" : "exited", nattch(id));
	}
	detach(addr);
	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("IPC_RMID");
}

/* The exec'd child: it is still the same process, no longer attached. */
static int after_exec(const char *id_text)
{
	int id = atoi(id_text);
	long mine = sysv_maps();

	printf("  same pid %d after exec: SYSV maps %ld, shm_nattch %lu (the parent's)\n",
	       (int)getpid(), mine, nattch(id));
	return mine == 0 && nattch(id) == 1 ? 0 : 1;
}

static unsigned long long proc_value(const char *path)
{
	unsigned long long value = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL || fscanf(f, "%llu", &value) != 1)
		die(path);
	fclose(f);
	return value;
}

static void limits(struct shminfo *info)
{
	long page = sysconf(_SC_PAGESIZE);

	if (shmctl(0, IPC_INFO, (void *)info) == -1)
		die("shmctl IPC_INFO");
	printf("\n5. Limits of this IPC namespace (a new one: the kernel's defaults):\n");
	printf("  shmctl(IPC_INFO): shmmax %lu, shmmin %lu, shmmni %lu, shmseg %lu,"
	       " shmall %lu pages\n", info->shmmax, info->shmmin, info->shmmni, info->shmseg,
	       info->shmall);
	printf("  /proc/sys/kernel/shmmax %llu, shmall %llu (pages of %ld bytes), shmmni %llu\n",
	       proc_value("/proc/sys/kernel/shmmax"), proc_value("/proc/sys/kernel/shmall"),
	       page, proc_value("/proc/sys/kernel/shmmni"));
	printf("  kernel.shm_rmid_forced %llu\n", proc_value("/proc/sys/kernel/shm_rmid_forced"));
	printf("  shmmax %s 32 MiB (33554432), the default before Linux 3.16\n",
	       info->shmmax == 33554432 ? "is" : "is not");
}

int main(int argc, char **argv)
{
	struct facts f = {0};
	struct shminfo info;

	if (argc == 3 && strcmp(argv[1], "--after-exec") == 0)
		return after_exec(argv[2]);
	if (getenv("IPCLAB_SCENARIO") == NULL) {
		fprintf(stderr, "segment-life: run it as `bin/ipclab scenario segment-life`:"
			" it creates IPC objects, in a namespace of its own\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sizes(&f);
	removal(&f);
	processes(&f, argv[0]);
	limits(&info);

	printf("\nWhat to conclude: a segment is made once with its size, and a later shmget\n"
	       "can only find it (same size or smaller) or fail (EINVAL). It is a kernel\n"
	       "object, not a part of a process: it outlives every shmdt and exit until\n"
	       "IPC_RMID, and IPC_RMID only marks it (dest, key 0) while someone is\n"
	       "attached. fork shares the attachment; exec and exit drop it.\n");
	printf("\nfact: shmget with a smaller size returns the same id: %s\n", yes(f.smaller_same));
	printf("fact: shmget with size 0 returns the same id: %s\n", yes(f.zero_same));
	printf("fact: shmget with a larger size fails with: %s\n",
	       f.larger_err ? strerrorname_np(f.larger_err) : "nothing");
	printf("fact: the segment's size stays: %s\n", yes(f.size_kept));
	printf("fact: the segment outlives its last shmdt: %s\n", yes(f.outlives_detach));
	printf("fact: IPC_RMID while attached shows dest: %s\n", yes(f.dest));
	printf("fact: IPC_RMID while attached shows key 0: %s\n", yes(f.key_zero));
	printf("fact: memory usable after IPC_RMID: %s\n", yes(f.usable));
	printf("fact: shmat by id after IPC_RMID succeeds: %s\n", yes(f.attach_after_rmid));
	printf("fact: gone after the last shmdt once removed: %s\n", yes(f.gone));
	printf("fact: fork adds 1 to shm_nattch: %s\n", yes(f.fork_adds));
	printf("fact: exec detaches: %s\n", yes(f.exec_detaches));
	printf("fact: exit detaches: %s\n", yes(f.exit_detaches));
	printf("fact: shmmax: %lu\n", info.shmmax);
	printf("fact: shmall: %lu\n", info.shmall);
	printf("fact: shmmni: %lu\n", info.shmmni);
	printf("fact: shmmax is 32 MiB: %s\n", yes(info.shmmax == 33554432));
	return 0;
}
