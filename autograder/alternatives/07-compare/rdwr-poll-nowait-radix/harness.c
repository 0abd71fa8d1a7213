/*
 * harness.c - Lab 07 §3.1, §3.3 and §3.4, an alternative correct solution:
 * summarize() sorts its copy by insertion for up to 32 timings and by an
 * LSD radix sort (a byte a pass, 256 buckets, a pass skipped when every
 * timing has the same byte there) above that, and finds a nearest rank as
 * the quotient plus one when the division leaves a remainder; ping() makes
 * its warm-up round trips in one loop and its timed ones in a second,
 * through one round_trip() helper; bulk_send() sets *ns only when the
 * acknowledgement is right; bulk_recv() acknowledges with a named constant.
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

/* Up to this many timings, insertion sort beats the radix sort's passes. */
#define INSERTION_MAX 32

static void insertion_sort(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/*
 * Sorts v[n] in ascending order, least significant byte first: each pass
 * is a stable counting sort on one byte, from one buffer into the other
 * (tmp has room for n). The result ends in v.
 */
static void radix_sort(uint64_t *v, uint64_t *tmp, size_t n)
{
	uint64_t *from = v, *to = tmp, *swap;

	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t start[256] = {0}, next = 0;

		for (size_t i = 0; i < n; i++)
			start[(from[i] >> shift) & 0xff]++;
		if (start[(from[0] >> shift) & 0xff] == n)
			continue;	/* one byte value throughout: the order stays */
		for (int b = 0; b < 256; b++) {
			size_t count = start[b];

			start[b] = next;
			next += count;
		}
		for (size_t i = 0; i < n; i++)
			to[start[(from[i] >> shift) & 0xff]++] = from[i];
		swap = from;
		from = to;
		to = swap;
	}
	if (from != v)
		memcpy(v, from, n * sizeof(*v));
}

/* The nearest rank k (1-based) of the p-th percentile of n, p in tenths of a percent. */
static size_t nearest_rank(size_t n, unsigned tenths)
{
	size_t k = n * tenths / 1000;

	if (n * tenths % 1000 != 0)
		k++;	/* k >= p * n / 100 rounds up */
	return k < 1 ? 1 : k;
}

int summarize(const uint64_t *ns, size_t n, struct summary *s)
{
	uint64_t *copy, sum = 0;

	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	if (n > SIZE_MAX / (2 * sizeof(*copy))) {
		errno = ENOMEM;
		return -1;
	}
	/* The copy, and after it the radix sort's second buffer. */
	copy = malloc(2 * n * sizeof(*copy));
	if (copy == NULL)
		return -1;
	memcpy(copy, ns, n * sizeof(*copy));
	if (n <= INSERTION_MAX)
		insertion_sort(copy, n);
	else
		radix_sort(copy, copy + n, n);
	for (size_t i = 0; i < n; i++)
		sum += copy[i];
	*s = (struct summary){
		.n = n,
		.min = copy[0],
		.p50 = copy[nearest_rank(n, 500) - 1],
		.p99 = copy[nearest_rank(n, 990) - 1],
		.p999 = copy[nearest_rank(n, 999) - 1],
		.max = copy[n - 1],
		.mean = sum / n,
	};
	free(copy);
	return 0;
}

/* ---- §3.3 Round trips ---- */

/* len bytes of buf to the other side, and len bytes back into buf. */
static int round_trip(struct link *l, void *buf, size_t len)
{
	if (link_send(l, buf, len) == -1)
		return -1;
	return link_recv(l, buf, len);
}

int ping(struct link *l, void *buf, size_t len, size_t warmup, size_t rounds, uint64_t *ns)
{
	for (size_t i = 0; i < warmup; i++)
		if (round_trip(l, buf, len) == -1)
			return -1;
	for (size_t i = 0; i < rounds; i++) {
		uint64_t start = now_ns();

		if (round_trip(l, buf, len) == -1)
			return -1;
		ns[i] = now_ns() - start;
	}
	return 0;
}

int pong(struct link *l, void *buf, size_t len, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (link_recv(l, buf, len) == -1)
			return -1;
		if (link_send(l, buf, len) == -1)
			return -1;
	}
	return 0;
}

/* ---- §3.4 Bulk transfer ---- */

/* The receiver's acknowledgement: everything came. */
static const char bulk_ack = 'A';

int bulk_send(struct link *l, const void *buf, size_t len, size_t count, uint64_t *ns)
{
	uint64_t start = now_ns(), end;
	char ack = 0;

	for (size_t sent = 0; sent < count; sent++)
		if (link_send(l, buf, len) == -1)
			return -1;
	if (link_recv(l, &ack, 1) == -1)
		return -1;
	end = now_ns();
	if (ack != bulk_ack) {
		errno = EPROTO;
		return -1;
	}
	*ns = end - start;
	return 0;
}

int bulk_recv(struct link *l, void *buf, size_t len, size_t count)
{
	for (size_t got = 0; got < count; got++)
		if (link_recv(l, buf, len) == -1)
			return -1;
	return link_send(l, &bulk_ack, 1);
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
