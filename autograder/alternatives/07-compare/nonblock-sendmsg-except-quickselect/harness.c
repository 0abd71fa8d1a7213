/*
 * harness.c - Lab 07 §3.1, §3.3 and §3.4, an alternative correct solution:
 * summarize() sorts nothing: it finds min, max and the sum in one pass
 * over the timings, then puts each percentile's element in place in a
 * copy by quickselect (three-way partitions around a median of three),
 * p50 first, each later search only above the one before; a nearest rank
 * is counted from the top, k = n - floor(n * (100 - p) / 100), the most
 * timings that may lie above it; ping() and bulk_send() read
 * CLOCK_MONOTONIC with clock_gettime() themselves rather than through
 * now_ns(); bulk_send() counts the bytes still to send, not messages.
 * The clock, the CPU placement, the machine's floors and the CSV
 * (run_suite) are the kit's, as given.
 *
 * The contract is compare.h. The self-check (alternatives_full_marks)
 * grades it: it must score what the reference does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "compare.h"

/* ---- §3.1 Percentiles ---- */

static void swap_u64(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

static uint64_t median_of_three(uint64_t a, uint64_t b, uint64_t c)
{
	if (a > b)
		swap_u64(&a, &b);
	if (b > c)
		b = c;
	return a > b ? a : b;
}

/*
 * Rearranges v[lo..hi) so that v[k] (lo <= k < hi) holds what it would
 * hold were v[lo..hi) sorted, nothing after it smaller and nothing before
 * it larger. Each step splits the range three ways around a pivot,
 * smaller | equal | larger, and goes on in the part that holds k; timings
 * that repeat (the usual case) end in the middle part at once.
 */
static void select_kth(uint64_t *v, size_t lo, size_t hi, size_t k)
{
	while (hi - lo > 1) {
		uint64_t pivot = median_of_three(v[lo], v[lo + (hi - lo) / 2], v[hi - 1]);
		size_t lt = lo, i = lo, gt = hi;

		/* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
		while (i < gt) {
			if (v[i] < pivot)
				swap_u64(&v[lt++], &v[i++]);
			else if (v[i] > pivot)
				swap_u64(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return;
	}
}

/*
 * The 0-based index of the nearest-rank p-th percentile of n timings, p in
 * tenths of a percent. At most floor(n * (1000 - p) / 1000) timings may lie
 * above it; k = n minus that is the smallest k >= p * n / 1000.
 */
static size_t rank_index(size_t n, unsigned tenths)
{
	size_t above = n * (1000 - tenths) / 1000;

	return n - above > 0 ? n - above - 1 : 0;
}

int summarize(const uint64_t *ns, size_t n, struct summary *s)
{
	static const unsigned tenths[3] = {500, 990, 999};
	uint64_t *work, at[3], sum = 0, lo, hi;
	size_t from = 0;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	lo = hi = ns[0];
	for (size_t i = 0; i < n; i++) {
		sum += ns[i];
		lo = ns[i] < lo ? ns[i] : lo;
		hi = ns[i] > hi ? ns[i] : hi;
	}
	work = malloc(n * sizeof(*work));	/* ns stays as it was */
	if (work == NULL)
		return -1;
	memcpy(work, ns, n * sizeof(*work));
	/* Ranks ascend: once v[k] is in place, the next rank is at or above k. */
	for (int r = 0; r < 3; r++) {
		size_t k = rank_index(n, tenths[r]);

		select_kth(work, from, n, k);
		at[r] = work[k];
		from = k;
	}
	free(work);
	*s = (struct summary){.n = n, .min = lo, .p50 = at[0], .p99 = at[1],
			      .p999 = at[2], .max = hi, .mean = sum / n};
	return 0;
}

/* ---- §3.3 Round trips ---- */

/* Nanoseconds from a to b, two readings of CLOCK_MONOTONIC (b not before a). */
static uint64_t ns_between(const struct timespec *a, const struct timespec *b)
{
	int64_t sec = (int64_t)b->tv_sec - (int64_t)a->tv_sec;
	int64_t nsec = (int64_t)b->tv_nsec - (int64_t)a->tv_nsec;

	return (uint64_t)(sec * 1000000000 + nsec);
}

int ping(struct link *l, void *buf, size_t len, size_t warmup, size_t rounds, uint64_t *ns)
{
	size_t total = warmup + rounds;

	for (size_t i = 0; i < total; i++) {
		struct timespec before, after;

		if (clock_gettime(CLOCK_MONOTONIC, &before) == -1)
			return -1;
		if (link_send(l, buf, len) == -1)
			return -1;
		if (link_recv(l, buf, len) == -1)
			return -1;
		if (clock_gettime(CLOCK_MONOTONIC, &after) == -1)
			return -1;
		if (i >= warmup)	/* warm-up round trips are made, not kept */
			ns[i - warmup] = ns_between(&before, &after);
	}
	return 0;
}

int pong(struct link *l, void *buf, size_t len, size_t count)
{
	while (count-- > 0)
		if (link_recv(l, buf, len) == -1 || link_send(l, buf, len) == -1)
			return -1;
	return 0;
}

/* ---- §3.4 Bulk transfer ---- */

int bulk_send(struct link *l, const void *buf, size_t len, size_t count, uint64_t *ns)
{
	struct timespec before, after;
	size_t left = len * count;	/* bytes still to send, len a message */
	char ack;

	if (clock_gettime(CLOCK_MONOTONIC, &before) == -1)
		return -1;
	for (; left > 0; left -= len)
		if (link_send(l, buf, len) == -1)
			return -1;
	if (link_recv(l, &ack, 1) == -1 || clock_gettime(CLOCK_MONOTONIC, &after) == -1)
		return -1;
	*ns = ns_between(&before, &after);
	if (ack == 'A')
		return 0;
	errno = EPROTO;
	return -1;
}

int bulk_recv(struct link *l, void *buf, size_t len, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (link_recv(l, buf, len) == -1)
			return -1;
	return link_send(l, "A", 1);
}

/* ---- Given: the clock, the CPUs ---- */

uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t clock_step_ns(void)
{
	uint64_t step = UINT64_MAX;

	for (int i = 0; i < 1000; i++) {
		uint64_t a = now_ns(), b;

		while ((b = now_ns()) == a)
			;
		if (b - a < step)
			step = b - a;
	}
	return step;
}

int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

const size_t suite_size[SUITE_SIZES] = {64, 1024, 64 * 1024, 1024 * 1024};

/* ---- Given: the machine's floors ---- */

/* A null system call (getppid, never cached by the C library), p50 of batches. */
static int time_syscall(uint64_t *ns, size_t rounds)
{
	for (size_t i = 0; i < rounds; i++) {
		uint64_t start = now_ns();

		for (int j = 0; j < 100; j++)
			syscall(SYS_getppid);
		ns[i] = (now_ns() - start) / 100;
	}
	return 0;
}

/*
 * memcpy of 1 MiB blocks between two buffers, in GB/s: the best of 8 runs
 * of 32 copies, so that a run the scheduler interrupted does not count.
 * The second buffer starts 64 bytes into a page: two buffers at the same
 * offset in their pages make the CPU mistake stores for loads it must wait
 * for (4K aliasing), and copy slower than it can.
 */
static double memcpy_gbps(void)
{
	size_t len = 1 << 20;
	char *a = malloc(len), *b = malloc(len + 4096 + 64);
	char *to = b ? (char *)(((uintptr_t)b + 4095) & ~(uintptr_t)4095) + 64 : NULL;
	double best = 0;

	if (!a || !b) {
		free(a);
		free(b);
		return 0;
	}
	memset(a, 1, len);
	memcpy(to, a, len);
	for (int run = 0; run < 8; run++) {
		uint64_t start = now_ns(), ns;

		for (int i = 0; i < 32; i++) {
			memcpy(i % 2 ? a : to, i % 2 ? to : a, len);
			__asm__ volatile("" ::: "memory");
		}
		ns = now_ns() - start;
		if (ns && (double)(32 * len) / (double)ns > best)
			best = (double)(32 * len) / (double)ns;
	}
	free(a);
	free(b);
	return best;
}

/* A cache line passed between two processes: each waits for its turn, spinning. */
struct line {
	_Alignas(64) _Atomic uint64_t turn;
};

static int time_line(const struct suite *plan, uint64_t *ns, size_t rounds)
{
	struct line *line = mmap(NULL, sizeof(*line), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	size_t total = 2 * rounds;
	pid_t pid;
	int status;

	if (line == MAP_FAILED)
		return -1;
	atomic_store(&line->turn, 0);
	pid = fork();
	if (pid == -1) {
		munmap(line, sizeof(*line));
		return -1;
	}
	if (pid == 0) {
		if (plan->cpu[1] >= 0)
			pin_to_cpu(plan->cpu[1]);
		for (uint64_t i = 0; i < total; i++) {
			while (atomic_load_explicit(&line->turn, memory_order_acquire) != 2 * i + 1)
				;
			atomic_store_explicit(&line->turn, 2 * i + 2, memory_order_release);
		}
		_exit(0);
	}
	for (uint64_t i = 0; i < total; i++) {
		uint64_t start = now_ns();

		atomic_store_explicit(&line->turn, 2 * i + 1, memory_order_release);
		while (atomic_load_explicit(&line->turn, memory_order_acquire) != 2 * i + 2)
			;
		if (i >= rounds)
			ns[i - rounds] = now_ns() - start;
	}
	munmap(line, sizeof(*line));
	return waitpid(pid, &status, 0) == pid && status == 0 ? 0 : -1;
}

/* ---- Given: the machine's fingerprint ---- */

/* Copies the value of the first line of path starting with key into out, trimmed. */
static void file_value(const char *path, const char *key, char *out, size_t cap)
{
	char line[512];
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, key, strlen(key)) != 0 || !colon)
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(out, cap, "%s", colon);
		break;
	}
	fclose(f);
}

/* CPU model;CPUs;kernel;vm|bare, with no comma or quote (the CSV stays plain). */
static void fingerprint(char *out, size_t cap)
{
	char model[128], flags[2048], release[128] = "";
	FILE *f = fopen("/proc/sys/kernel/osrelease", "re");

	if (f) {
		if (fgets(release, sizeof(release), f))
			release[strcspn(release, "\n")] = '\0';
		fclose(f);
	}
	file_value("/proc/cpuinfo", "model name", model, sizeof(model));
	file_value("/proc/cpuinfo", "flags", flags, sizeof(flags));
	snprintf(out, cap, "%s;%ld CPUs;%s;%s", model[0] ? model : "unknown CPU",
		 sysconf(_SC_NPROCESSORS_ONLN), release,
		 strstr(flags, "hypervisor") ? "vm" : "bare");
	for (char *p = out; *p; p++)
		if (*p == ',' || *p == '"')
			*p = ' ';
}

/* ---- Given: the CSV ---- */

struct row {
	const char *kind, *name;
	size_t bytes, count;
	const struct summary *sum;	/* NULL: no timings */
	double gbps;			/* 0: none */
};

static void write_row(FILE *csv, const struct suite *plan, const char *machine,
		      const struct row *r)
{
	char cpus[32];

	if (plan->cpu[0] >= 0 && plan->cpu[1] >= 0)
		snprintf(cpus, sizeof(cpus), "%d/%d", plan->cpu[0], plan->cpu[1]);
	else
		snprintf(cpus, sizeof(cpus), "any");
	fprintf(csv, "%s,%s,", r->kind, r->name);
	if (r->bytes)
		fprintf(csv, "%zu", r->bytes);
	fprintf(csv, ",%zu,", r->count);
	if (r->sum)
		fprintf(csv, "%llu,%llu,%llu,%llu,%llu,%llu", (unsigned long long)r->sum->min,
			(unsigned long long)r->sum->p50, (unsigned long long)r->sum->p99,
			(unsigned long long)r->sum->p999, (unsigned long long)r->sum->max,
			(unsigned long long)r->sum->mean);
	else
		fprintf(csv, ",,,,,");
	fprintf(csv, ",");
	if (r->gbps > 0)
		fprintf(csv, "%.6g", r->gbps);
	fprintf(csv, ",%s,%s\n", cpus, machine);
	/* Written out now: a child that measure() forks must not write it again. */
	fflush(csv);
}

/* ---- Given: the two sides of a measurement ---- */

enum what { LATENCY, THROUGHPUT };

/* A throughput row's warm-up: a quarter of its messages, moved first and not timed. */
static size_t warmup_of(size_t count)
{
	return (count + 3) / 4;
}

/* Side 1, in the child: the other half of what side 0 does. */
static int side1(struct link *l, const struct suite *plan, enum what w, size_t len,
		 size_t count)
{
	void *buf = malloc(len);
	int rc;

	if (!buf || link_side(l, 1) == -1)
		return -1;
	if (plan->cpu[1] >= 0)
		pin_to_cpu(plan->cpu[1]);
	if (w == LATENCY)
		rc = pong(l, buf, len, 2 * count);
	else
		rc = bulk_recv(l, buf, len, warmup_of(count)) == -1 ? -1 :
		     bulk_recv(l, buf, len, count);
	free(buf);
	return rc;
}

/*
 * One measurement of mechanism m: a link, a child as side 1, this process
 * side 0, both warmed up first. LATENCY fills ns[rounds]; THROUGHPUT sets
 * *gbps.
 */
static int measure(const struct suite *plan, enum mech m, enum what w, size_t len,
		   uint64_t *ns, double *gbps)
{
	size_t count = w == LATENCY ? plan->rounds : (plan->bulk_bytes + len - 1) / len;
	void *buf = calloc(1, len);
	struct link l;
	uint64_t elapsed = 0;
	int rc = -1, status, saved;
	pid_t pid;

	if (!buf || link_open(&l, m, plan->dir) == -1) {
		free(buf);
		return -1;
	}
	pid = fork();
	if (pid == 0)
		_exit(side1(&l, plan, w, len, count) == 0 ? 0 : 1);
	if (pid != -1 && link_side(&l, 0) == 0) {
		if (w == LATENCY)
			rc = ping(&l, buf, len, count, count, ns);
		else
			rc = bulk_send(&l, buf, len, warmup_of(count), &elapsed) == -1 ? -1 :
			     bulk_send(&l, buf, len, count, &elapsed);
	}
	saved = errno;
	link_close(&l, 0);
	if (pid != -1 && (waitpid(pid, &status, 0) != pid || status != 0) && rc == 0) {
		rc = -1;
		saved = EPROTO;
	}
	link_close(&l, 1);
	free(buf);
	if (rc == 0 && w == THROUGHPUT)
		*gbps = elapsed ? (double)(len * count) / (double)elapsed : 0;
	errno = saved;
	return rc;
}

int run_suite(FILE *csv, const struct suite *plan)
{
	char machine[512];
	size_t rounds = plan->rounds;
	uint64_t *ns, step;
	struct summary sum;
	int rc = -1;

	if (rounds == 0 || plan->bulk_bytes == 0) {
		errno = EINVAL;
		return -1;
	}
	ns = malloc(rounds * sizeof(*ns));
	if (!ns)
		return -1;
	fingerprint(machine, sizeof(machine));
	if (plan->cpu[0] >= 0)
		pin_to_cpu(plan->cpu[0]);
	fprintf(csv, "kind,name,bytes,count,min_ns,p50_ns,p99_ns,p999_ns,max_ns,mean_ns,"
		"gbps,cpus,machine\n");
	step = clock_step_ns();
	sum = (struct summary){.n = 1, .min = step, .p50 = step, .p99 = step, .p999 = step,
			       .max = step, .mean = step};
	write_row(csv, plan, machine, &(struct row){"calibration", "clock", 0, 1, &sum, 0});
	if (time_syscall(ns, rounds) == -1 || summarize(ns, rounds, &sum) == -1)
		goto out;
	write_row(csv, plan, machine, &(struct row){"calibration", "syscall", 0, rounds, &sum, 0});
	write_row(csv, plan, machine,
		  &(struct row){"calibration", "memcpy", 1 << 20, 32, NULL, memcpy_gbps()});
	if (time_line(plan, ns, rounds) == -1 || summarize(ns, rounds, &sum) == -1)
		goto out;
	write_row(csv, plan, machine, &(struct row){"calibration", "line", 8, rounds, &sum, 0});
	for (int m = 0; m < MECH_COUNT; m++) {
		if (measure(plan, m, LATENCY, 8, ns, NULL) == -1 ||
		    summarize(ns, rounds, &sum) == -1)
			goto out;
		write_row(csv, plan, machine, &(struct row){"latency", mech_name(m), 8, rounds,
							    &sum, 0});
	}
	for (int m = 0; m < MECH_COUNT; m++)
		for (int i = 0; i < SUITE_SIZES; i++) {
			size_t len = suite_size[i], count = (plan->bulk_bytes + len - 1) / len;
			double gbps = 0;

			if (measure(plan, m, THROUGHPUT, len, NULL, &gbps) == -1)
				goto out;
			write_row(csv, plan, machine, &(struct row){"throughput", mech_name(m),
								    len, count, NULL, gbps});
		}
	rc = 0;
out:
	fflush(csv);
	free(ns);
	return rc;
}
