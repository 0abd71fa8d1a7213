/*
 * shmat-leak.c - an ipclab scenario (kit code: no lab's solution).
 * shmat without shmdt: every call maps the segment again, until ENOMEM.
 *
 * Run: bin/ipclab scenario shmat-leak (in a private IPC namespace: the
 * segment ends with it). It attaches one 4 KiB segment in a loop, printing
 * shm_nattch and the SYSV lines of /proc/self/maps, until shmat fails; then
 * again with RLIMIT_AS lowered and a 1 MiB segment; then the fixed version,
 * which attaches once and reuses the address. It ends with "fact:" lines that
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
#include <sys/resource.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#define REPORT_EVERY 8192
#define MAX_ATTACHES 1000000L

static void die(const char *what)
{
	fprintf(stderr, "shmat-leak: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long value = -1;

	if (f == NULL || fscanf(f, "%ld", &value) != 1)
		die(path);
	fclose(f);
	return value;
}

/* Lines of /proc/self/maps: all of them, and the SYSV ones (System V segments). */
static void count_maps(long *all, long *sysv)
{
	char line[512];
	FILE *maps = fopen("/proc/self/maps", "r");

	if (maps == NULL)
		die("/proc/self/maps");
	*all = *sysv = 0;
	while (fgets(line, sizeof(line), maps)) {
		(*all)++;
		if (strstr(line, "/SYSV"))
			(*sysv)++;
	}
	fclose(maps);
}

/* Bytes of address space in use (VmSize), the figure RLIMIT_AS limits. */
static long address_space(void)
{
	char line[256];
	long kib = -1;
	FILE *status = fopen("/proc/self/status", "r");

	if (status == NULL)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), status))
		if (sscanf(line, "VmSize: %ld kB", &kib) == 1)
			break;
	fclose(status);
	return kib * 1024;
}

static unsigned long nattch(int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) == -1)
		die("shmctl IPC_STAT");
	return ds.shm_nattch;
}

static void report(const char *label, long calls, int id)
{
	long all, sysv;

	count_maps(&all, &sysv);
	printf("  %-8s %6ld calls: shm_nattch %6lu, SYSV maps %6ld (of %ld)\n", label,
	       calls, nattch(id), sysv, all);
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

struct leak {
	void **addrs;
	long count;		/* successful shmat calls */
	int err;		/* errno of the one that failed */
	bool distinct;		/* every address new */
	bool counted;		/* shm_nattch == count at every report */
	long maps_all;		/* /proc/self/maps lines when it failed */
};

/* Attaches id until shmat fails, printing every `every` calls. */
static struct leak leak(int id, long every)
{
	struct leak l = {.distinct = true, .counted = true};

	l.addrs = malloc(MAX_ATTACHES * sizeof(*l.addrs));
	if (l.addrs == NULL)
		die("malloc");
	while (l.count < MAX_ATTACHES) {
		void *addr = shmat(id, NULL, 0);

		if (addr == (void *)-1) {
			l.err = errno;
			break;
		}
		if (l.count > 0 && addr == l.addrs[l.count - 1])
			l.distinct = false;
		l.addrs[l.count++] = addr;
		if (l.count % every == 0) {
			report("leaking", l.count, id);
			l.counted = l.counted && nattch(id) == (unsigned long)l.count;
		}
	}
	long sysv;
	count_maps(&l.maps_all, &sysv);
	return l;
}

static void detach_all(struct leak *l)
{
	for (long i = 0; i < l->count; i++)
		if (shmdt(l->addrs[i]) == -1)
			die("shmdt");
	free(l->addrs);
}

/* The fix: attach once, and every later call gets the same address. */
static void *segment_at(int id)
{
	static void *addr;

	if (addr == NULL) {
		addr = shmat(id, NULL, 0);
		if (addr == (void *)-1)
			die("shmat");
	}
	return addr;
}

static const char *limit_hit(const struct leak *l, long max_map_count, rlim_t as_limit,
			     size_t size)
{
	if (l->maps_all >= max_map_count - 1)
		return "vm.max_map_count";
	if (as_limit != RLIM_INFINITY && address_space() + (long)size > (long)as_limit)
		return "RLIMIT_AS";
	return "neither";
}

int main(void)
{
	long max_map_count = read_long("/proc/sys/vm/max_map_count");
	struct shminfo info;
	struct rlimit as;
	double start, took;
	struct leak first, second;
	const char *first_limit, *second_limit;
	long calls;
	int id, big;

	if (getenv("IPCLAB_SCENARIO") == NULL) {
		fprintf(stderr, "shmat-leak: run it as `bin/ipclab scenario shmat-leak`:"
			" it creates IPC objects, in a namespace of its own\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getrlimit(RLIMIT_AS, &as) == -1 || shmctl(0, IPC_INFO, (void *)&info) == -1)
		die("getrlimit/IPC_INFO");
	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id == -1)
		die("shmget");
	printf("1. shmat(id, NULL, 0) in a loop, never shmdt: one 4 KiB segment (id %d)\n", id);
	printf("  vm.max_map_count %ld, RLIMIT_AS %s, SHMSEG (IPC_INFO) %lu\n",
	       max_map_count, as.rlim_cur == RLIM_INFINITY ? "unlimited" : "set",
	       info.shmseg);
	report("before", 0, id);
	start = seconds();
	first = leak(id, REPORT_EVERY);
	took = seconds() - start;
	first_limit = limit_hit(&first, max_map_count, as.rlim_cur, 4096);
	printf("  call %ld failed: errno %s (%s) after %.2f s\n", first.count + 1,
	       strerrorname_np(first.err), strerror(first.err), took);
	printf("  /proc/self/maps has %ld lines, vm.max_map_count is %ld: the limit hit is %s\n",
	       first.maps_all, max_map_count, first_limit);
	report("failed", first.count, id);
	calls = first.count;
	/* Even popen fails now (no mapping left for the child's stack): free one. */
	if (shmdt(first.addrs[--first.count]) == -1)
		die("shmdt");
	printf("  one shmdt, so that popen(\"ipcs -m\") can map its child's stack:\n");
	ipcs_m();
	detach_all(&first);
	report("shmdt'd", first.count, id);

	/* The other limit: address space, with a segment big enough to reach it soon. */
	big = shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600);
	if (big == -1)
		die("shmget 1 MiB");
	struct rlimit lowered = {address_space() + (64L << 20), as.rlim_max};
	printf("\n2. The same with a 1 MiB segment (id %d) and RLIMIT_AS lowered to"
	       " VmSize + 64 MiB (%ld MiB):\n", big, (long)(lowered.rlim_cur >> 20));
	if (setrlimit(RLIMIT_AS, &lowered) == -1)
		die("setrlimit");
	second = leak(big, 16);
	second_limit = limit_hit(&second, max_map_count, lowered.rlim_cur, 1 << 20);
	printf("  call %ld failed: errno %s, /proc/self/maps %ld lines: the limit hit is %s\n",
	       second.count + 1, strerrorname_np(second.err), second.maps_all, second_limit);
	detach_all(&second);
	if (setrlimit(RLIMIT_AS, &as) == -1 || shmctl(big, IPC_RMID, NULL) == -1)
		die("setrlimit/IPC_RMID");

	printf("\n3. Fixed: attach once, keep the address, reuse it (%ld calls, as in 1):\n",
	       calls);
	bool steady = true;
	void *addr = segment_at(id);
	for (long call = 1; call <= calls; call++) {
		steady = steady && segment_at(id) == addr && nattch(id) == 1;
		if (call % REPORT_EVERY == 0 || call == calls)
			report("fixed", call, id);
	}
	ipcs_m();
	if (shmdt(addr) == -1)
		die("shmdt");
	report("shmdt'd", calls, id);
	unsigned long left = nattch(id);
	if (shmctl(id, IPC_RMID, NULL) == -1)
		die("IPC_RMID");

	printf("\nWhat to conclude: each shmat maps the segment again at a new address and\n"
	       "adds 1 to shm_nattch; nothing is reused and no per-process SHMSEG limit\n"
	       "stops it: the process runs out of mappings (vm.max_map_count) or address\n"
	       "space (RLIMIT_AS) and shmat fails with ENOMEM. Attach once, keep the\n"
	       "address, and shmdt it once when done.\n");
	printf("\nfact: each shmat gives a new address: %s\n", first.distinct ? "yes" : "no");
	printf("fact: each shmat adds 1 to shm_nattch: %s\n", first.counted ? "yes" : "no");
	printf("fact: shmat without shmdt fails with: %s\n", strerrorname_np(first.err));
	printf("fact: with default limits the limit hit is: %s\n", first_limit);
	printf("fact: with RLIMIT_AS lowered the limit hit is: %s\n", second_limit);
	printf("fact: a per-process SHMSEG limit stopped it: %s\n",
	       first.count < (long)info.shmseg ? "yes" : "no");
	printf("fact: attach once and reuse holds shm_nattch at 1: %s\n", steady ? "yes" : "no");
	printf("fact: shmdt of every address brings shm_nattch to 0: %s\n", left == 0 ? "yes" : "no");
	return 0;
}
