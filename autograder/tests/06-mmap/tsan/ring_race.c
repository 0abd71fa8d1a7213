/*
 * ring_race.c - the graded ring_push() and ring_pop() in two threads of one
 * process, under ThreadSanitizer, which reports a data race: two accesses
 * to the same bytes, one a write, that nothing orders. An acquire load that
 * reads a release store orders everything before the store ahead of
 * everything after the load; a relaxed one orders nothing. So a ring whose
 * indexes are stored or loaded relaxed, or that touches a slot on the wrong
 * side of its handover, races on the slot, and the report names both
 * accesses, wherever the CPU (x86-64 keeps stores in order) hides the bug.
 *
 * Usage: ring_race RECORDS KEY   (test_ring.c runs it in a subject)
 * A producer thread pushes RECORDS records made from KEY (ringrecords.h);
 * the main thread pops them, checks each, and prints the digest of them
 * all, which the test compares with its own: a run that stopped early, or
 * made its records up, prints another. Exit status: 0 no race and every
 * record right; 66 ThreadSanitizer found a race (its report on stderr); 3 a
 * record came wrong; 4 a call failed other than with EAGAIN; 2 bad usage or
 * setup.
 *
 * ipclab links it with the submission's sources, both built with
 * -fsanitize=thread (build.c), into ring_race beside the test runner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "mapped.h"
#include "../ringrecords.h"

/*
 * ThreadSanitizer's options, read before main: stop at the first race, with
 * its own exit status; no report for the async-signal-unsafe calls nobody
 * makes here; malloc returns NULL when memory runs out, as it does without
 * ThreadSanitizer.
 */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:exitcode=66:report_signal_unsafe=0:detect_deadlocks=0:"
	       "allocator_may_return_null=1";
}

static struct ring ring;	/* all zero: an empty ring */
static unsigned long long records, key;

static void *producer(void *arg)
{
	unsigned char buf[RECORD_MAX];

	for (unsigned long long seq = 0; seq < records; seq++) {
		size_t len = make_record(key, seq, buf);

		while (ring_push(&ring, buf, len) == -1) {
			if (errno != EAGAIN) {
				fprintf(stderr, "ring_race: ring_push failed: %s\n", strerror(errno));
				exit(4);
			}
			sched_yield();
		}
	}
	return arg;
}

/*
 * Caps the address space and the data at what ThreadSanitizer has mapped
 * at start (terabytes of shadow memory, reserved, not used) plus 256 MiB,
 * so that the graded code cannot take the machine's memory.
 */
static void cap_memory(void)
{
	static const char *const fields[] = {"VmSize:", "VmData:"};
	static const int limits[] = {RLIMIT_AS, RLIMIT_DATA};
	char line[256];

	for (int k = 0; k < 2; k++) {
		FILE *status = fopen("/proc/self/status", "re");
		unsigned long long kib = 0;

		if (!status)
			exit(2);
		while (fgets(line, sizeof(line), status))
			if (strncmp(line, fields[k], strlen(fields[k])) == 0)
				kib = strtoull(line + strlen(fields[k]), NULL, 10);
		fclose(status);
		rlim_t cap = (rlim_t)(kib + (256ULL << 10)) << 10;

		if (kib == 0 || setrlimit(limits[k], &(struct rlimit){cap, cap}) == -1)
			exit(2);
	}
}

int main(int argc, char **argv)
{
	unsigned char got[RECORD_MAX];
	uint64_t digest = SUM_START;
	pthread_t thread;

	if (argc != 3 || (records = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: ring_race RECORDS KEY\n");
		return 2;
	}
	key = strtoull(argv[2], NULL, 16);
	cap_memory();
	if (pthread_create(&thread, NULL, producer, NULL) != 0)
		return 2;
	for (unsigned long long seq = 0; seq < records; seq++) {
		const char *fault;
		ssize_t n;

		while ((n = ring_pop(&ring, got, sizeof(got))) == -1) {
			if (errno != EAGAIN) {
				fprintf(stderr, "ring_race: ring_pop failed: %s\n", strerror(errno));
				return 4;
			}
			sched_yield();
		}
		if ((fault = record_fault(got, n, seq))) {
			fprintf(stderr, "ring_race: record %llu as popped %s\n", seq, fault);
			return 3;
		}
		digest = digest_add(digest, got, n);
	}
	pthread_join(thread, NULL);
	printf("digest %016llx\n", (unsigned long long)digest);
	return 0;
}
