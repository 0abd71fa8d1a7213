/*
 * buffer.c - Lab 04 demo: producers and consumers, in separate processes,
 * through the ring of semaphores.h and your ring_put() and ring_get().
 *
 * Usage:   ./buffer [PRODUCERS [CONSUMERS [ITEMS]]]   (default: 3 3 10000)
 *
 * Maps the ring and a tally, one counter per item, in shared anonymous
 * memory (mmap MAP_SHARED), creates the ring's set with semset_create(), and
 * forks PRODUCERS processes that each put ITEMS numbered items, and CONSUMERS
 * processes that take items until they take a 0, the end mark the parent puts
 * once per consumer after every producer has exited. Each consumer counts
 * what it took; then the parent checks the tally: every item taken exactly
 * once. Prints one line per consumer (how many items it took: that changes
 * from run to run) and a verdict. Exit status: 0 when no item was lost or
 * taken twice, 1 otherwise or on error, 2 on bad usage.
 *
 * Who removes what: this program removes the set (and kills its children) on
 * every path, on SIGINT and SIGTERM too, and the key file and its directory; the memory goes with the
 * processes. Partner: semaphores.c (semset_create, ring_put, ring_get).
 * Handout: README.md §3.6.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include "semaphores.h"

static const char usage[] = "usage: buffer [PRODUCERS [CONSUMERS [ITEMS]]]\n";

#define MAX_WORKERS 64

static char dir_name[] = "/tmp/buffer-XXXXXX";
static char key_path[sizeof(dir_name) + 4];
static int ring_set = -1;
static pid_t workers[2 * MAX_WORKERS];
static int nworkers;

static void cleanup(void)
{
	for (int i = 0; i < nworkers; i++) {
		if (workers[i] == 0)
			continue;	/* reaped already */
		kill(workers[i], SIGKILL);
		waitpid(workers[i], NULL, 0);
	}
	if (ring_set != -1)
		semctl(ring_set, 0, IPC_RMID);
	if (key_path[0] != '\0')
		unlink(key_path);
	rmdir(dir_name);
}

/*
 * SIGINT, SIGTERM: removes the set (semctl is a plain system call, safe in a
 * handler), so that every worker waiting on it wakes with EIDRM and fails,
 * and the run ends through its error path even when the ring deadlocks.
 */
static void remove_set(int sig)
{
	int saved_errno = errno;

	(void)sig;
	semctl(ring_set, 0, IPC_RMID);
	errno = saved_errno;
}

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	cleanup();
	exit(1);
}

static long count_of(const char *arg, long fallback, long max)
{
	char *end;
	long n;

	if (!arg)
		return fallback;
	n = strtol(arg, &end, 10);
	return *end == '\0' && n >= 1 && n <= max ? n : -1;
}

static void *shared_memory(size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (mem == MAP_FAILED)
		die("buffer: mmap");
	return mem;
}

static pid_t start_worker(void)
{
	pid_t pid = fork();

	if (pid == -1)
		die("buffer: fork");
	if (pid > 0)
		workers[nworkers++] = pid;
	return pid;
}

/* Producer @p p puts items p * items + 1 to (p + 1) * items: never 0. */
static void __attribute__((noreturn)) produce(struct ring *ring, long p, long items)
{
	for (long i = 1; i <= items; i++)
		if (ring_put(ring_set, ring, p * items + i) == -1) {
			perror("buffer: producer: ring_put");
			_exit(1);
		}
	_exit(0);
}

/* Takes items until the end mark (0), tallying each, and counts them in @p taken. */
static void __attribute__((noreturn)) consume(struct ring *ring, unsigned char *tally,
					      long total, long *taken)
{
	long item;

	for (;;) {
		if (ring_get(ring_set, ring, &item) == -1) {
			perror("buffer: consumer: ring_get");
			_exit(1);
		}
		if (item == 0)
			_exit(0);
		if (item < 0 || item > total) {
			fprintf(stderr, "buffer: consumer took %ld, which nobody put\n", item);
			_exit(1);
		}
		__atomic_add_fetch(&tally[item - 1], 1, __ATOMIC_RELAXED);
		(*taken)++;
	}
}

/* Waits for workers @p first to @p last - 1; 0 when each exited with status 0. */
static int reap(int first, int last)
{
	int status, failed = 0;

	for (int i = first; i < last; i++) {
		if (waitpid(workers[i], &status, 0) == -1)
			die("buffer: waitpid");
		workers[i] = 0;
		failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	const unsigned short start[RING_NSEMS] = {[RING_MUTEX] = 1, [RING_FREE] = RING_SLOTS};
	long producers = count_of(argc > 1 ? argv[1] : NULL, 3, MAX_WORKERS);
	long consumers = count_of(argc > 2 ? argv[2] : NULL, 3, MAX_WORKERS);
	long items = count_of(argc > 3 ? argv[3] : NULL, 10000, 1000000);
	long total, lost = 0, twice = 0;
	struct ring *ring;
	unsigned char *tally;
	long *taken;
	key_t key;
	int fd;

	if (argc > 4 || producers == -1 || consumers == -1 || items == -1) {
		fputs(usage, stderr);
		return 2;
	}
	total = producers * items;
	ring = shared_memory(sizeof(*ring));
	tally = shared_memory((size_t)total);
	taken = shared_memory((size_t)consumers * sizeof(*taken));
	if (!mkdtemp(dir_name))
		die("buffer: mkdtemp");
	snprintf(key_path, sizeof(key_path), "%s/key", dir_name);
	fd = open(key_path, O_CREAT | O_WRONLY, 0600);
	if (fd == -1 || close(fd) == -1)
		die("buffer: key file");
	key = ftok(key_path, 'B');
	if (key == -1)
		die("buffer: ftok");
	ring_set = semset_create(key, RING_NSEMS, start);
	if (ring_set == -1)
		die("buffer: semset_create");
	if (signal(SIGINT, remove_set) == SIG_ERR || signal(SIGTERM, remove_set) == SIG_ERR)
		die("buffer: signal");
	printf("buffer: %ld producers put %ld items each through a ring of %d slots\n",
	       producers, items, RING_SLOTS);
	fflush(stdout);
	for (long c = 0; c < consumers; c++)
		if (start_worker() == 0)
			consume(ring, tally, total, &taken[c]);
	for (long p = 0; p < producers; p++)
		if (start_worker() == 0)
			produce(ring, p, items);
	/* The producers first: the consumers wait for their end marks. */
	if (reap((int)consumers, nworkers) == -1) {
		fprintf(stderr, "buffer: a producer failed\n");
		cleanup();
		return 1;
	}
	for (long c = 0; c < consumers; c++)
		if (ring_put(ring_set, ring, 0) == -1)
			die("buffer: ring_put");
	if (reap(0, (int)consumers) == -1) {
		fprintf(stderr, "buffer: a consumer failed\n");
		cleanup();
		return 1;
	}
	for (long c = 0; c < consumers; c++)
		printf("buffer: consumer %ld took %ld items\n", c + 1, taken[c]);
	for (long i = 0; i < total; i++) {
		lost += tally[i] == 0;
		twice += tally[i] > 1;
	}
	cleanup();
	if (lost || twice) {
		printf("buffer: %ld items lost, %ld taken more than once\n", lost, twice);
		return 1;
	}
	printf("buffer: %ld items taken, each exactly once\n", total);
	return 0;
}
