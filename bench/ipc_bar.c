/*
 * ipc_bar.c - issue 18's bar, "the kit's own bar, ratios printed from one
 * run": how close the fastest IPC of the kit comes to this machine's floors,
 * each figure a ratio of a floor that ipc_floor.c measured a moment before.
 *
 * Runs as the second half of ipc_floor (its main calls measure_bar); built
 * with it by bench/ipc.sh. The two sides run in two processes pinned to the
 * two CPUs (0 and 1 here), each figure warmed up first, then timed:
 *   ring      a single-producer single-consumer ring of RING_SLOTS slots of
 *             1 MiB in MAP_SHARED memory: the producer copies each message
 *             in, the consumer copies it out; GB/s of messages delivered
 *   splice    a pipe fed 64 KiB at a time from page-aligned buffers, step by
 *             step: write(2) and read(2); vmsplice(2) and read; vmsplice and
 *             splice(2) to /dev/null; the same with the pipe grown to 1 MiB
 *             (F_SETPIPE_SZ). The steps run interleaved, STEP_ROUNDS times
 *             each; GB/s of each step's median and its ratio to the first's
 *   ring      an 8-byte round trip through two slots on cache lines of their
 *             own (p50 of single round trips, each including a clock read)
 * then a line a target:  bar: WHAT RATIO (target T) ok|MISSED
 * A missed target is a finding, not an error: the exit status stays 0.
 * Printed by a run of bench/ipc.sh (2-vCPU KVM guest, AMD EPYC, a quiet moment):
 *   ring:     1 MiB messages, across CPUs 46.26 GB/s (4 slots, copied in and out;
 *             off CPU 1.3% of the time)
 *   splice:   write / read,      64 KiB pipe    0.93 GB/s   1.0x (runs 0.91 to 1.04)
 *   splice:   vmsplice / read,   64 KiB pipe    1.39 GB/s   1.5x (runs 1.36 to 2.69)
 *   splice:   vmsplice / splice, 64 KiB pipe    2.69 GB/s   2.9x (runs 1.69 to 2.75)
 *   splice:   vmsplice / splice, 1 MiB pipe    29.92 GB/s  32.2x (runs 29.22 to 30.95)
 *   ring:     8-byte round trip, across CPUs: p50 120 ns, p99 170 ns, max 99108 ns
 *             (1000000, each with a clock read)
 *   bar:      ring 1 MiB messages / memcpy 1 MiB 65.2% (target >= 60%) ok
 *   bar:      pipe 64 KiB writes / memcpy 1 MiB 1.8% (target >= 8%) MISSED
 *   bar:      vmsplice+splice 1 MiB pipe / plain pipe 32.2x (target >= 4x) ok
 *   bar:      ring round trip / line round trip 1.0x (target <= 3x) ok
 *   bar:      ring round trip / pipe round trip 1/440 (target <= 1/20) ok
 * The plain pipe across CPUs waits on a cross-CPU wakeup whenever it fills or
 * empties (about 25 us here, a halted vCPU woken by the host): it misses 8%
 * even on one CPU (4.3 GB/s, two copies and two context switches a 64 KiB).
 * Handout: Lab 07 (to come).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ipc_bench.h"

#define CACHE_LINE 64
#define PAGE 4096
#define RING_SLOTS 4		/* messages in flight: the producer fills one while the
				   consumer empties another */
#define RING_WARMUP 64		/* messages: faults the slots in, wakes both CPUs up */
#define TRIP_WARMUP 100000
#define MAX_TRIPS 1000000
#define STREAM_WARMUP (16 * MIB)
#define STEPS 4
#define STEP_ROUNDS 3		/* runs of each step, interleaved 1 2 3 4 1 2 3 4 ...: a
				   noisy moment of the host hits every step alike */

/* Spin-wait hint: lets the sibling hyperthread run, saves power, avoids the
   memory-order mis-speculation penalty when the awaited line changes. */
#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ volatile("yield" ::: "memory")
#else
#define cpu_relax() __asm__ volatile("" ::: "memory")
#endif

/* Tells the compiler that the bytes at p are used, so that a copy into them stays. */
#define keep(p) __asm__ volatile("" : : "r"(p) : "memory")

/*
 * Counters count messages from 0 and never wrap: the ring is empty when
 * head == tail and full when head - tail == RING_SLOTS. Each counter has a
 * cache line of its own, written by one side only, so that a store to one does
 * not take the other's line away. The parent maps the ring before the fork and
 * unmaps it after reaping the child.
 */
struct ring {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;	/* pushed: the producer's */
	_Atomic int stop;		/* the producer's too: no more messages */
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;	/* popped: the consumer's */
	_Alignas(PAGE) char slots[RING_SLOTS][MIB];
};

static void *map_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	memset(p, 0, size);	/* faults the pages in before any timing */
	return p;
}

static void ring_consumer(void *arg)
{
	struct ring *ring = arg;
	char *message = malloc(MIB);
	uint64_t tail = 0;

	if (!message)
		_exit(1);
	memset(message, 0, MIB);
	for (;;) {
		/* acquire: the slot's bytes are read only after the head that published them */
		while (atomic_load_explicit(&ring->head, memory_order_acquire) == tail) {
			if (atomic_load_explicit(&ring->stop, memory_order_relaxed))
				_exit(0);
			cpu_relax();
		}
		memcpy(message, ring->slots[tail % RING_SLOTS], MIB);
		keep(message);
		/* release: the slot is handed back only after it was read */
		atomic_store_explicit(&ring->tail, ++tail, memory_order_release);
	}
}

/* Nanoseconds process pid (0: this one) was runnable but off its CPU; 0 if unknown. */
static double run_delay(pid_t pid)
{
	char path[64];
	unsigned long long ran, waited;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), pid ? "/proc/%d/schedstat" : "/proc/self/schedstat",
		 (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fscanf(f, "%llu %llu", &ran, &waited);
	fclose(f);
	return n == 2 ? (double)waited : 0;
}

/*
 * 1 MiB messages through the ring, producer here, consumer on cpus[1]: GB/s
 * delivered. Sets *off_cpu to the share of the time either side spent
 * runnable but off its CPU: a spinning ring moves only while both run.
 */
static double measure_ring_bandwidth(double *off_cpu)
{
	struct ring *ring = map_shared(sizeof(*ring));
	char *message = malloc(MIB);
	uint64_t head = 0;
	double start = 0, elapsed, waited = 0;
	pid_t child;

	if (!message)
		die("malloc");
	memset(message, 'm', MIB);
	child = fork_pinned(cpus[1], ring_consumer, ring);
	for (;;) {
		while (head - atomic_load_explicit(&ring->tail, memory_order_acquire) == RING_SLOTS)
			cpu_relax();
		memcpy(ring->slots[head % RING_SLOTS], message, MIB);
		atomic_store_explicit(&ring->head, ++head, memory_order_release);
		if (head == RING_WARMUP) {
			waited = -run_delay(0) - run_delay(child);
			start = now();
		}
		if (head > RING_WARMUP && head % 16 == 0 && now() - start >= seconds)
			break;
	}
	while (atomic_load_explicit(&ring->tail, memory_order_acquire) != head)
		cpu_relax();	/* timed until the last message is out */
	elapsed = now() - start;
	waited += run_delay(0) + run_delay(child);
	*off_cpu = waited / 1e9 / elapsed;
	atomic_store_explicit(&ring->stop, 1, memory_order_relaxed);
	reap(child);
	munmap(ring, sizeof(*ring));
	free(message);
	return (double)(head - RING_WARMUP) * MIB / elapsed / 1e9;
}

/* Two slots, each on a line of its own and written by one side only. */
struct ping_pong {
	_Alignas(CACHE_LINE) _Atomic uint64_t ping;	/* the parent's: a trip's number */
	_Alignas(CACHE_LINE) _Atomic uint64_t pong;	/* the child's: the number sent back */
};

static void pong_child(void *arg)
{
	struct ping_pong *slots = arg;

	for (uint64_t seen = 0;;) {
		uint64_t v = atomic_load_explicit(&slots->ping, memory_order_acquire);

		if (v == UINT64_MAX)
			return;
		if (v == seen) {
			cpu_relax();
			continue;
		}
		seen = v;
		atomic_store_explicit(&slots->pong, v, memory_order_release);
	}
}

/* p50 of 8-byte round trips through the ring's slots, the child on cpus[1], in ns. */
static double measure_ring_round_trip(void)
{
	struct ping_pong *slots = map_shared(PAGE);
	double *samples = malloc(MAX_TRIPS * sizeof(*samples));
	double start = 0, before = now(), p50;
	long n = 0;
	pid_t child;

	if (!samples)
		die("malloc");
	child = fork_pinned(cpus[1], pong_child, slots);
	for (uint64_t v = 1; n < MAX_TRIPS; v++) {
		double after;

		atomic_store_explicit(&slots->ping, v, memory_order_release);
		while (atomic_load_explicit(&slots->pong, memory_order_acquire) != v)
			cpu_relax();
		after = now();	/* one clock read a trip: each trip includes one call */
		if (v == TRIP_WARMUP)
			start = after;
		if (v > TRIP_WARMUP) {
			samples[n++] = (after - before) * 1e9;
			if (after - start >= seconds)
				break;
		}
		before = after;
	}
	atomic_store(&slots->ping, UINT64_MAX);
	reap(child);
	munmap(slots, PAGE);
	qsort(samples, (size_t)n, sizeof(samples[0]), by_value);
	printf("ring:     8-byte round trip, across CPUs: p50 %.0f ns, p99 %.0f ns, max %.0f ns "
	       "(%ld, each with a clock read)\n", samples[n / 2], samples[n * 99 / 100],
	       samples[n - 1], n);
	p50 = samples[n / 2];
	free(samples);
	return p50;
}

/* A step of the pipe's: how each side moves the bytes, and the pipe's size. */
struct step {
	const char *name;
	int vmsplice_in;	/* the writer vmsplices its pages instead of writing */
	int splice_out;		/* the reader splices to /dev/null instead of reading */
	int pipe_size;		/* bytes, set with F_SETPIPE_SZ; 0 keeps the default */
};

/* A pipe and the step it is measured at, as the reader child gets them. */
struct stream {
	const struct step *step;
	int fds[2];
};

static void stream_reader(void *arg)
{
	const struct stream *stream = arg;
	int fd = stream->fds[0];
	char *buf = malloc(PIPE_CHUNK);
	int devnull = open("/dev/null", O_WRONLY);	/* closed at _exit */
	ssize_t got;

	close(stream->fds[1]);	/* or the reader never sees end of file */
	if (!buf || devnull == -1)
		_exit(1);
	for (;;) {
		if (stream->step->splice_out)	/* the pages go, no byte is copied */
			got = splice(fd, NULL, devnull, NULL, MIB, 0);
		else
			got = read(fd, buf, PIPE_CHUNK);
		if (got == 0)
			_exit(0);
		if (got == -1 && errno != EINTR)
			_exit(1);
	}
}

/* Writes len bytes at buf to the pipe fd, by reference if by_reference (vmsplice). */
static void send_all(int fd, char *buf, size_t len, int by_reference)
{
	struct iovec iov = {buf, len};

	while (iov.iov_len > 0) {
		ssize_t n = by_reference ? vmsplice(fd, &iov, 1, 0)
					 : write(fd, iov.iov_base, iov.iov_len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die(by_reference ? "vmsplice" : "write");
		iov.iov_base = (char *)iov.iov_base + n;
		iov.iov_len -= (size_t)n;
	}
}

/* A pipe fed 64 KiB at a time as step says, the reader on cpus[1]: GB/s. */
static double measure_stream(const struct step *step, double timed)
{
	struct stream stream = {step, {-1, -1}};
	int *fds = stream.fds;
	double start = 0, elapsed = 0;
	size_t ring_size, offset = 0;
	long chunks = 0;
	int pipe_size;
	char *ring;
	pid_t child;

	if (pipe(fds) == -1)
		die("pipe");
	if (step->pipe_size && fcntl(fds[1], F_SETPIPE_SZ, step->pipe_size) == -1)
		die("fcntl F_SETPIPE_SZ");
	if ((pipe_size = fcntl(fds[1], F_GETPIPE_SZ)) == -1)
		die("fcntl F_GETPIPE_SZ");
	/*
	 * The bytes are not checked, so rewriting a page still in the pipe
	 * would go unseen; still the writer cycles through twice the pipe's
	 * size, as a real sender must: a page comes round again only after at
	 * least a pipe's worth was written behind it, so the reader has taken it.
	 */
	ring_size = 2 * (size_t)pipe_size;
	ring = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ring == MAP_FAILED)
		die("mmap");
	memset(ring, 'v', ring_size);
	child = fork_pinned(cpus[1], stream_reader, &stream);
	close(fds[0]);
	for (long i = -(long)(STREAM_WARMUP / PIPE_CHUNK);; i++) {
		send_all(fds[1], ring + offset, PIPE_CHUNK, step->vmsplice_in);
		offset = (offset + PIPE_CHUNK) % ring_size;
		if (i == 0)
			start = now();
		if (i > 0 && ++chunks % 64 == 0 && (elapsed = now() - start) >= timed)
			break;
	}
	close(fds[1]);
	reap(child);
	munmap(ring, ring_size);
	return (double)chunks * PIPE_CHUNK / elapsed / 1e9;
}

/* Prints each step's median GB/s of STEP_ROUNDS runs, its range, and its ratio to the
   first step's; returns the last step's ratio. */
static double measure_steps(const struct step steps[STEPS])
{
	double runs[STEPS][STEP_ROUNDS], median[STEPS];

	for (int round = 0; round < STEP_ROUNDS; round++)
		for (int i = 0; i < STEPS; i++)
			runs[i][round] = measure_stream(&steps[i], seconds / STEP_ROUNDS);
	for (int i = 0; i < STEPS; i++) {
		qsort(runs[i], STEP_ROUNDS, sizeof(runs[i][0]), by_value);
		median[i] = runs[i][STEP_ROUNDS / 2];
		printf("splice:   %-31s %6.2f GB/s %5.1fx (runs %.2f to %.2f)\n", steps[i].name,
		       median[i], median[i] / median[0], runs[i][0], runs[i][STEP_ROUNDS - 1]);
	}
	return median[STEPS - 1] / median[0];
}

static void print_bar(const char *what, const char *ratio, int met, const char *target)
{
	printf("bar:      %s %s (target %s) %s\n", what, ratio, target, met ? "ok" : "MISSED");
}

void measure_bar(const struct floors *floors)
{
	static const struct step steps[STEPS] = {
		{"write / read,      64 KiB pipe", 0, 0, 0},
		{"vmsplice / read,   64 KiB pipe", 1, 0, 0},
		{"vmsplice / splice, 64 KiB pipe", 1, 1, 0},
		{"vmsplice / splice, 1 MiB pipe", 1, 1, MIB},
	};
	double ring_gbs, ring_ns, off_cpu, splice_x;
	char ratio[32];

	if (cpus[0] < 0) {	/* a spinning side would wait a time slice for each step */
		printf("bar:      not measured: the bar is across CPUs, and there is one\n");
		return;
	}
	ring_gbs = measure_ring_bandwidth(&off_cpu);
	printf("ring:     1 MiB messages, across CPUs %.2f GB/s (%d slots, copied in and out; "
	       "off CPU %.1f%% of the time)\n", ring_gbs, RING_SLOTS, off_cpu * 100);
	if (off_cpu > 0.05)
		printf("warning:  other programs had these CPUs: the ring's figure is theirs too\n");
	splice_x = measure_steps(steps);
	ring_ns = measure_ring_round_trip();

	snprintf(ratio, sizeof(ratio), "%.1f%%", ring_gbs / floors->memcpy_gbs * 100);
	print_bar("ring 1 MiB messages / memcpy 1 MiB", ratio,
		  ring_gbs >= 0.60 * floors->memcpy_gbs, ">= 60%");
	snprintf(ratio, sizeof(ratio), "%.1f%%", floors->pipe_gbs / floors->memcpy_gbs * 100);
	print_bar("pipe 64 KiB writes / memcpy 1 MiB", ratio,
		  floors->pipe_gbs >= 0.08 * floors->memcpy_gbs, ">= 8%");
	snprintf(ratio, sizeof(ratio), "%.1fx", splice_x);
	print_bar("vmsplice+splice 1 MiB pipe / plain pipe", ratio, splice_x >= 4, ">= 4x");
	snprintf(ratio, sizeof(ratio), "%.1fx", ring_ns / floors->line_ns);
	print_bar("ring round trip / line round trip", ratio,
		  ring_ns <= 3 * floors->line_ns, "<= 3x");
	snprintf(ratio, sizeof(ratio), "1/%.0f", floors->pipe_ns / ring_ns);
	print_bar("ring round trip / pipe round trip", ratio,
		  ring_ns * 20 <= floors->pipe_ns, "<= 1/20");
}
