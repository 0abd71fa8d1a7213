/*
 * ring_stages.c - throughput of Lab 06's single-producer single-consumer
 * ring buffer, each of its three stages measured in one run.
 *
 * Usage:   ring_stages [RECORDS [RUNS]]   (default 5000000 records a run,
 *                                          3 runs of each stage)
 *
 * A producer and a consumer process, pinned to two CPUs when there are two,
 * pass RECORDS fixed 64-byte records through a ring of 1024 slots in
 * MAP_SHARED memory, once per run of each stage of the lab:
 *   1 plain   head and tail side by side on one cache line; each side reads
 *             the other's index on every push and pop
 *   2 padded  head and tail each on a cache line of its own
 *   3 cached  as 2, and each side keeps its own copy of the other's index,
 *             reading the shared one only when its copy says full or empty
 * The stages run interleaved (1 2 3 1 2 3 ...), so that a noisy moment of the
 * machine hits them all alike. Prints the CPUs used, then the median records/s
 * of each stage, then the ratios between the stages.
 *
 * The consumer checks every record: its length, the sequence number in its
 * first 8 bytes and the bytes derived from it.
 * Exit status: 0 done, 1 a bad record or a failed system call, 2 bad usage.
 * Built and run by bench/ring.sh. Handout: labs/06 (the ring buffer).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CACHE_LINE 64
#define RING_SLOTS 1024 /* a power of two: a mask turns an index into a slot */
#define RING_MASK (RING_SLOTS - 1)
#define WARMUP_RECORDS 100000 /* faults the ring in, wakes the CPUs up */
/* 20 million took over a minute on a busy 2-CPU VM: the whole run should not */
#define DEFAULT_RECORDS 5000000ULL
#define DEFAULT_RUNS 3
#define MAX_RUNS 99
#define STAGES 3

struct record {
	uint32_t len;		/* bytes of data in use: 8, 24 or 60 */
	unsigned char data[60]; /* sequence number, then bytes derived from it */
};
_Static_assert(sizeof(struct record) == CACHE_LINE, "a record fills one cache line");

/*
 * Indexes count records from 0 and never wrap (2^64 records is centuries):
 * the ring is empty when head == tail and full when tail - head == RING_SLOTS.
 * head is written only by the consumer, tail only by the producer.
 */

/* Stage 1: both indexes on one cache line, which every push and pop writes. */
struct ring_plain {
	_Atomic uint64_t head;
	_Atomic uint64_t tail;
	_Alignas(CACHE_LINE) struct record slots[RING_SLOTS];
};

/*
 * Stage 2: a write to one index no longer takes the other's line away. Each
 * side still reads the other's index on every push and pop, though, so both
 * lines still cross between the CPUs once a record.
 */
struct ring_padded {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;
	_Alignas(CACHE_LINE) struct record slots[RING_SLOTS];
};

/*
 * Stage 3: each side reads the other's line only when its copy says the ring
 * is full (producer) or empty (consumer): at best once a ring's worth, not once
 * a record. A consumer as fast as its producer finds the ring empty after most
 * records, though, and reads the tail nearly as often as in stage 2.
 * The copies have lines of their own, written only by their side.
 */
struct ring_cached {
	_Alignas(CACHE_LINE) _Atomic uint64_t head;
	_Alignas(CACHE_LINE) uint64_t cached_tail; /* the consumer's */
	_Alignas(CACHE_LINE) _Atomic uint64_t tail;
	_Alignas(CACHE_LINE) uint64_t cached_head; /* the producer's */
	_Alignas(CACHE_LINE) struct record slots[RING_SLOTS];
};

/* What the parent and both children share: one mmap(MAP_SHARED) for the whole run. */
struct shared {
	_Alignas(CACHE_LINE) _Atomic int go; /* the start barrier, set by the parent */
	/* each side's time runnable but off CPU while timed, written as it ends */
	_Alignas(CACHE_LINE) uint64_t waited_ns[2];
	union {
		struct ring_plain plain;
		struct ring_padded padded;
		struct ring_cached cached;
	} ring;
};

enum side { PRODUCER, CONSUMER };

/* One side's handle on a ring, whatever the stage's layout. */
struct ring_view {
	_Atomic uint64_t *head;
	_Atomic uint64_t *tail;
	uint64_t *cached; /* this side's copy of the other's index; NULL: none */
	struct record *slots;
};

struct stage {
	int number;
	const char *name;
	struct ring_view (*view)(struct shared *sh, enum side side);
};

/* One run of one stage. */
struct trial {
	struct shared *sh;
	const struct stage *stage;
	uint64_t records;
};

/* What one trial measured. */
struct result {
	double rate;	/* records per second */
	double elapsed; /* seconds, from the start to the consumer's 'd' */
	double waited;	/* seconds the two sides spent waiting for a CPU, together */
};

/* A running child, and the read end of the pipe it reports on ('r' ready, 'd' done). */
struct child {
	pid_t pid; /* 0: reaped */
	int fd;	   /* -1: closed */
};

static struct child children[2]; /* [PRODUCER], [CONSUMER] of the current trial */
static int cpus[2] = {-1, -1};	 /* the CPU each side is pinned to; -1: none */
static cpu_set_t parent_cpus;	 /* the parent's own affinity, restored after forks */

static struct ring_view plain_view(struct shared *sh, enum side side)
{
	(void)side;
	return (struct ring_view){&sh->ring.plain.head, &sh->ring.plain.tail, NULL,
				  sh->ring.plain.slots};
}

static struct ring_view padded_view(struct shared *sh, enum side side)
{
	(void)side;
	return (struct ring_view){&sh->ring.padded.head, &sh->ring.padded.tail, NULL,
				  sh->ring.padded.slots};
}

static struct ring_view cached_view(struct shared *sh, enum side side)
{
	struct ring_cached *r = &sh->ring.cached;

	return (struct ring_view){&r->head, &r->tail,
				  side == PRODUCER ? &r->cached_head : &r->cached_tail,
				  r->slots};
}

static const struct stage stages[STAGES] = {
	{1, "plain", plain_view},
	{2, "padded", padded_view},
	{3, "cached", cached_view},
};

/* Kills and reaps the children of the trial, prints the message, exits 1. */
static void die(const char *fmt, ...)
{
	va_list ap;

	for (int i = 0; i < 2; i++) {
		if (children[i].pid > 0) {
			kill(children[i].pid, SIGKILL);
			waitpid(children[i].pid, NULL, 0);
		}
	}
	fputs("ring_stages: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	/* tells the CPU we spin: no misspeculated exit from the loop, a fair share
	 * for an SMT sibling */
	__builtin_ia32_pause();
#endif
}

/* Stages 1 and 2: the consumer's index is read on every push. */
static inline void push_always(const struct ring_view *v, const struct record *rec)
{
	uint64_t tail = atomic_load_explicit(v->tail, memory_order_relaxed);

	/* acquire: the consumer has finished reading a slot before we reuse it */
	while (tail - atomic_load_explicit(v->head, memory_order_acquire) == RING_SLOTS)
		cpu_relax();
	v->slots[tail & RING_MASK] = *rec;
	/* release: the record is in its slot before the consumer sees the new tail */
	atomic_store_explicit(v->tail, tail + 1, memory_order_release);
}

/* Stage 3: the consumer's index is read only when the copy of it says full. */
static inline void push_cached(const struct ring_view *v, const struct record *rec)
{
	uint64_t tail = atomic_load_explicit(v->tail, memory_order_relaxed);

	while (tail - *v->cached == RING_SLOTS) {
		*v->cached = atomic_load_explicit(v->head, memory_order_acquire);
		if (tail - *v->cached == RING_SLOTS)
			cpu_relax();
	}
	v->slots[tail & RING_MASK] = *rec;
	atomic_store_explicit(v->tail, tail + 1, memory_order_release);
}

/* Stages 1 and 2: the producer's index is read on every pop. */
static inline void pop_always(const struct ring_view *v, struct record *rec)
{
	uint64_t head = atomic_load_explicit(v->head, memory_order_relaxed);

	/* acquire: the producer's record is in the slot once we see its tail */
	while (atomic_load_explicit(v->tail, memory_order_acquire) == head)
		cpu_relax();
	*rec = v->slots[head & RING_MASK];
	/* release: we are done with the slot before the producer may reuse it */
	atomic_store_explicit(v->head, head + 1, memory_order_release);
}

/* Stage 3: the producer's index is read only when the copy of it says empty. */
static inline void pop_cached(const struct ring_view *v, struct record *rec)
{
	uint64_t head = atomic_load_explicit(v->head, memory_order_relaxed);

	while (*v->cached == head) {
		*v->cached = atomic_load_explicit(v->tail, memory_order_acquire);
		if (*v->cached == head)
			cpu_relax();
	}
	*rec = v->slots[head & RING_MASK];
	atomic_store_explicit(v->head, head + 1, memory_order_release);
}

static const uint32_t record_lens[] = {8, 24, 60};

/* 0, 1, ..., 255, 0, 1, ...: a record's derived bytes are a run of these, so that
 * making and checking one is a memcpy and a memcmp, cheap next to the ring. */
static unsigned char counting[256 + sizeof(((struct record *)0)->data)];

static void init_counting(void)
{
	for (size_t i = 0; i < sizeof(counting); i++)
		counting[i] = (unsigned char)i;
}

/* Where record seq's run starts: the top byte of a multiplicative hash, so that
 * it also changes between records a ring's length (1024) apart. */
static inline unsigned char first_byte(uint64_t seq)
{
	return (unsigned char)((seq * 0x9e3779b97f4a7c15ULL) >> 56);
}

/* data[i] of record seq, for 8 <= i < len */
static inline unsigned char derived_byte(uint64_t seq, uint32_t i)
{
	return counting[first_byte(seq) + i];
}

static inline void make_record(struct record *rec, uint64_t seq)
{
	rec->len = record_lens[seq % 3];
	memcpy(rec->data, &seq, sizeof(seq));
	memcpy(rec->data + sizeof(seq), &counting[first_byte(seq) + sizeof(seq)],
	       rec->len - sizeof(seq));
}

static inline int record_ok(const struct record *rec, uint64_t seq)
{
	uint64_t got;

	memcpy(&got, rec->data, sizeof(got));
	return rec->len == record_lens[seq % 3] && got == seq &&
	       memcmp(rec->data + sizeof(seq), &counting[first_byte(seq) + sizeof(seq)],
		      rec->len - sizeof(seq)) == 0;
}

/* Says what is wrong with rec, which record_ok() refused as record seq. */
static void describe_bad(const struct record *rec, uint64_t seq, char *buf, size_t size)
{
	uint32_t want_len = record_lens[seq % 3];
	uint64_t got;

	memcpy(&got, rec->data, sizeof(got));
	if (rec->len != want_len) {
		snprintf(buf, size, "len %u, expected %u", rec->len, want_len);
		return;
	}
	if (got != seq) {
		snprintf(buf, size, "sequence number %llu", (unsigned long long)got);
		return;
	}
	for (uint32_t i = sizeof(seq); i < want_len; i++) {
		unsigned char want = derived_byte(seq, i);

		if (rec->data[i] != want) {
			snprintf(buf, size, "data[%u] is 0x%02x, expected 0x%02x", i,
				 rec->data[i], want);
			return;
		}
	}
}

/* The consumer's count of bad records, and what was wrong with the first. */
struct tally {
	uint64_t bad;
	uint64_t first_bad;
	char why[80];
};

static void tally_bad(struct tally *t, const struct record *rec, uint64_t seq)
{
	if (t->bad++ == 0) {
		t->first_bad = seq;
		describe_bad(rec, seq, t->why, sizeof(t->why));
	}
}

/* The branch on v->cached is the same for every record: the CPU predicts it. */
static void produce(const struct ring_view *v, uint64_t first, uint64_t count)
{
	struct record rec;

	for (uint64_t seq = first; seq < first + count; seq++) {
		make_record(&rec, seq);
		if (v->cached)
			push_cached(v, &rec);
		else
			push_always(v, &rec);
	}
}

static void consume(const struct ring_view *v, uint64_t first, uint64_t count,
		    struct tally *t)
{
	struct record rec;

	for (uint64_t seq = first; seq < first + count; seq++) {
		if (v->cached)
			pop_cached(v, &rec);
		else
			pop_always(v, &rec);
		if (!record_ok(&rec, seq))
			tally_bad(t, &rec, seq);
	}
}

/* A child tells the parent 'r' (ready) or 'd' (done); it gives up if it cannot. */
static void report(int fd, char event)
{
	while (write(fd, &event, 1) == -1) {
		if (errno != EINTR)
			_exit(1);
	}
}

/* Nanoseconds this process has been runnable but not running; 0 if unknown. */
static uint64_t run_queue_wait(void)
{
	unsigned long long ran, waited;
	FILE *f = fopen("/proc/self/schedstat", "r");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu", &ran, &waited);
	fclose(f);
	return n == 2 ? waited : 0;
}

static void wait_for_go(struct shared *sh)
{
	while (!atomic_load_explicit(&sh->go, memory_order_acquire))
		cpu_relax();
}

/* Reports 'r' after the warm-up; exits (closing the pipe) once all is pushed. */
static void producer_main(const struct trial *t, int report_fd)
{
	struct ring_view v = t->stage->view(t->sh, PRODUCER);
	uint64_t waited;

	produce(&v, 0, WARMUP_RECORDS);
	report(report_fd, 'r');
	waited = run_queue_wait();
	wait_for_go(t->sh);
	produce(&v, WARMUP_RECORDS, t->records);
	t->sh->waited_ns[PRODUCER] = run_queue_wait() - waited;
	_exit(0);
}

/* Reports 'd' only if every record was right; else says which was not, exits 1. */
static void consumer_main(const struct trial *t, int report_fd)
{
	struct ring_view v = t->stage->view(t->sh, CONSUMER);
	struct tally tally = {0};
	uint64_t waited;

	consume(&v, 0, WARMUP_RECORDS, &tally);
	report(report_fd, 'r');
	waited = run_queue_wait();
	wait_for_go(t->sh);
	consume(&v, WARMUP_RECORDS, t->records, &tally);
	if (tally.bad) {
		fprintf(stderr,
			"ring_stages: stage %d %s: %llu bad records; "
			"the first, record %llu: %s\n",
			t->stage->number, t->stage->name, (unsigned long long)tally.bad,
			(unsigned long long)tally.first_bad, tally.why);
		_exit(1);
	}
	report(report_fd, 'd');
	t->sh->waited_ns[CONSUMER] = run_queue_wait() - waited; /* read after reap() */
	_exit(0);
}

static int pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Picks the first two CPUs we may run on, checks we can pin to them, says which. */
static void choose_cpus(void)
{
	int found = 0;

	if (sched_getaffinity(0, sizeof(parent_cpus), &parent_cpus) == -1) {
		printf("cpus: not pinned (sched_getaffinity: %s)\n", strerror(errno));
		return;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE && found < 2; cpu++)
		if (CPU_ISSET(cpu, &parent_cpus))
			cpus[found++] = cpu;
	if (found < 2) {
		printf("cpus: one CPU only: producer and consumer take turns on it\n");
		cpus[0] = cpus[1] = -1;
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (pin_self(cpus[i]) == -1) {
			printf("cpus: not pinned (sched_setaffinity CPU %d: %s)\n",
			       cpus[i], strerror(errno));
			cpus[0] = cpus[1] = -1;
			break;
		}
	}
	if (sched_setaffinity(0, sizeof(parent_cpus), &parent_cpus) == -1)
		die("sched_setaffinity: %s", strerror(errno));
	if (cpus[0] != -1)
		printf("cpus: producer on CPU %d, consumer on CPU %d\n", cpus[0],
		       cpus[1]);
}

/*
 * Forks the child of this side running child_main, pinned by pinning the parent
 * first (the child inherits it), so that a failure is the parent's to report.
 * The parent keeps the read end of the child's pipe; the child, its write end.
 */
static void start_child(const struct trial *t, enum side side,
			void (*child_main)(const struct trial *t, int report_fd))
{
	pid_t parent = getpid();
	int fds[2];

	if (pipe(fds) == -1)
		die("pipe: %s", strerror(errno));
	if (cpus[side] != -1 && pin_self(cpus[side]) == -1) {
		printf("cpus: not pinned from now on (sched_setaffinity CPU %d: %s)\n",
		       cpus[side], strerror(errno));
		cpus[0] = cpus[1] = -1;
	}
	fflush(stdout); /* or the child would inherit what is buffered */
	children[side].pid = fork();
	if (children[side].pid == -1)
		die("fork: %s", strerror(errno));
	if (children[side].pid == 0) {
		/* a child spinning on a ring nobody else uses would spin for ever */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
			_exit(1);
		close(fds[0]);
		if (side == CONSUMER)
			close(children[PRODUCER].fd);
		child_main(t, fds[1]);
	}
	close(fds[1]);
	children[side].fd = fds[0];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The next byte child reports, 0 once it has exited, -1 if nothing came in time. */
static int next_report(struct child *c, double deadline)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	char event;
	ssize_t n;

	for (;;) {
		int left_ms = (int)((deadline - now()) * 1000);
		int ready = poll(&pfd, 1, left_ms > 0 ? left_ms : 0);

		if (ready == -1 && errno == EINTR)
			continue;
		if (ready == -1)
			die("poll: %s", strerror(errno));
		if (ready == 0)
			return -1;
		n = read(c->fd, &event, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("read: %s", strerror(errno));
		return n == 0 ? 0 : event;
	}
}

/* Waits for the child to exit; anything but exit status 0 ends the program. */
static void reap(const struct trial *t, enum side side)
{
	const char *who = side == PRODUCER ? "producer" : "consumer";
	int status;

	while (waitpid(children[side].pid, &status, 0) == -1) {
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	}
	children[side].pid = 0;
	close(children[side].fd);
	children[side].fd = -1;
	if (WIFSIGNALED(status))
		die("stage %d %s: the %s was killed by signal %d", t->stage->number,
		    t->stage->name, who, WTERMSIG(status));
	if (WEXITSTATUS(status) != 0)
		die("stage %d %s: the %s failed", t->stage->number, t->stage->name, who);
}

/* Waits for child to report event; a child that exits or is late ends the program. */
static void expect_report(const struct trial *t, enum side side, char event,
			  double deadline)
{
	const char *who = side == PRODUCER ? "producer" : "consumer";
	int got = next_report(&children[side], deadline);

	if (got == event)
		return;
	if (got == 0)
		reap(t, side); /* says how it ended */
	die("stage %d %s: the %s did not report '%c' in time", t->stage->number,
	    t->stage->name, who, event);
}

/*
 * Waits for the consumer's 'd'. The producer may exit first, having pushed all
 * its records; if it dies instead, reap() says so, rather than leave us waiting
 * with a consumer that waits for ever.
 */
static void wait_consumer_done(const struct trial *t, double deadline)
{
	struct pollfd pfd[2] = {
		[PRODUCER] = {.fd = children[PRODUCER].fd, .events = POLLIN},
		[CONSUMER] = {.fd = children[CONSUMER].fd, .events = POLLIN},
	};

	for (;;) {
		int left_ms = (int)((deadline - now()) * 1000);
		int ready = poll(pfd, 2, left_ms > 0 ? left_ms : 0);

		if (ready == -1 && errno == EINTR)
			continue;
		if (ready == -1)
			die("poll: %s", strerror(errno));
		if (ready == 0)
			die("stage %d %s: no finish in time", t->stage->number,
			    t->stage->name);
		if (pfd[CONSUMER].revents) {
			expect_report(t, CONSUMER, 'd', deadline);
			return;
		}
		if (pfd[PRODUCER].revents) { /* it writes nothing after 'r': it exited */
			reap(t, PRODUCER);
			pfd[PRODUCER].fd = -1;
		}
	}
}

/* One run of one stage, timed from the start to the consumer's last check. */
static struct result run_trial(const struct trial *t)
{
	/* generous: a ring that moves fewer than a million records a second is broken */
	double deadline = now() + 10 + (WARMUP_RECORDS + t->records) / 1e6;
	struct result res;
	double start;

	memset(&t->sh->ring, 0, sizeof(t->sh->ring));
	memset(t->sh->waited_ns, 0, sizeof(t->sh->waited_ns));
	atomic_store(&t->sh->go, 0);
	start_child(t, PRODUCER, producer_main);
	start_child(t, CONSUMER, consumer_main);
	if (cpus[0] != -1 &&
	    sched_setaffinity(0, sizeof(parent_cpus), &parent_cpus) == -1)
		die("sched_setaffinity: %s", strerror(errno));
	expect_report(t, PRODUCER, 'r', deadline);
	expect_report(t, CONSUMER, 'r', deadline);

	start = now();
	atomic_store_explicit(&t->sh->go, 1, memory_order_release);
	wait_consumer_done(t, deadline);
	res.elapsed = now() - start;

	if (children[PRODUCER].pid)
		reap(t, PRODUCER);
	reap(t, CONSUMER);
	res.rate = t->records / res.elapsed;
	res.waited = (t->sh->waited_ns[PRODUCER] + t->sh->waited_ns[CONSUMER]) / 1e9;
	return res;
}

/*
 * A spinning ring moves records only while both sides are on a CPU at once:
 * say how much of the time they were not, for other programs had the CPUs.
 */
static void print_waits(double waited, double timed)
{
	double share = timed > 0 ? waited / timed : 0;

	printf("off CPU: producer and consumer waited for a CPU %.1f%% of the time\n",
	       100 * share);
	if (share > 0.05)
		printf("warning: other programs are busy on these CPUs: the figures "
		       "above are the machine's more than the ring's\n");
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts the rates in place; the middle one (the mean of the two middle ones). */
static double median(double *rates, int n)
{
	qsort(rates, n, sizeof(*rates), by_value);
	return n % 2 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
}

static void print_stage(const struct stage *st, double *rates, int runs, double *med)
{
	char label[16];

	*med = median(rates, runs);
	snprintf(label, sizeof(label), "%s:", st->name);
	printf("stage %d %-8s %6.1f M records/s  (%5.0f MB/s of slots; "
	       "runs %.1f to %.1f)\n",
	       st->number, label, *med / 1e6, *med * sizeof(struct record) / 1e6,
	       rates[0] / 1e6, rates[runs - 1] / 1e6);
}

/* A whole positive number no greater than max, or 0. */
static unsigned long long parse_count(const char *arg, unsigned long long max)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || n > max)
		return 0;
	return n;
}

int main(int argc, char **argv)
{
	unsigned long long records = DEFAULT_RECORDS, runs = DEFAULT_RUNS;
	double rates[STAGES][MAX_RUNS], med[STAGES], waited = 0, timed = 0;
	struct shared *sh;

	if (argc > 1)
		records = parse_count(argv[1], 1ULL << 40);
	if (argc > 2)
		runs = parse_count(argv[2], MAX_RUNS);
	if (argc > 3 || records == 0 || runs == 0) {
		fprintf(stderr, "usage: ring_stages [RECORDS [RUNS]]   (RUNS: 1 to %d)\n",
			MAX_RUNS);
		return 2;
	}
	/* shared with both children of every trial; unmapped by exit */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	init_counting();
	choose_cpus();
	printf("ring: %d slots of %zu bytes; %llu records a run; "
	       "median of %llu runs a stage\n",
	       RING_SLOTS, sizeof(struct record), records, runs);
	for (unsigned long long run = 0; run < runs; run++) {
		for (int s = 0; s < STAGES; s++) {
			struct trial t = {sh, &stages[s], records};
			struct result res = run_trial(&t);

			rates[s][run] = res.rate;
			waited += res.waited;
			timed += 2 * res.elapsed;
		}
	}
	for (int s = 0; s < STAGES; s++)
		print_stage(&stages[s], rates[s], (int)runs, &med[s]);
	printf("padded / plain: %.2fx   cached / plain: %.2fx   cached / padded: %.2fx\n",
	       med[1] / med[0], med[2] / med[0], med[2] / med[1]);
	print_waits(waited, timed);
	return 0;
}
