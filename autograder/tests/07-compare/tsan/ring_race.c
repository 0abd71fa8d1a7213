/*
 * ring_race.c - the graded MECH_RING link in two threads of one process,
 * under ThreadSanitizer, which reports a data race: two accesses to the
 * same bytes, one a write, that nothing orders. A ring whose head or tail
 * is stored or loaded relaxed, or that touches data on the wrong side of
 * the index that hands it over, races on the ring's bytes, and the report
 * names both accesses, however well x86-64's CPU hides the bug.
 *
 * Usage: ring_race MESSAGES KEY   (test_links.c runs it in a subject)
 * A sender thread sends MESSAGES messages on side 0 (message i has
 * 1 + (i * 7919) % 3000 bytes, made from KEY and i); the main thread
 * receives them on side 1, checks each, and prints the digest of them all,
 * which the test compares with its own. Exit status: 0 no race and every
 * message right; 66 ThreadSanitizer found a race (its report on stderr);
 * 3 a message came wrong; 4 a call failed; 2 bad usage or setup.
 *
 * ipclab links it with the submission's sources, both built with
 * -fsanitize=thread (build.c), into ring_race beside the test runner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "compare.h"
#include "../ringmessages.h"

/* ThreadSanitizer's options, read before main: stop at the first race, with its own status. */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:exitcode=66:report_signal_unsafe=0:detect_deadlocks=0:"
	       "allocator_may_return_null=1";
}

static struct link sender;
static unsigned long long messages, key;

static void *send_all(void *arg)
{
	unsigned char buf[MESSAGE_MAX];

	for (unsigned long long i = 0; i < messages; i++) {
		size_t len = make_message(key, i, buf);

		if (link_send(&sender, buf, len) == -1) {
			fprintf(stderr, "ring_race: link_send failed: %s\n", strerror(errno));
			exit(4);
		}
	}
	return arg;
}

/* Caps the address space at what ThreadSanitizer mapped at start plus 256 MiB. */
static void cap_memory(void)
{
	char line[256];
	unsigned long long kib = 0;
	FILE *status = fopen("/proc/self/status", "re");

	if (!status)
		exit(2);
	while (fgets(line, sizeof(line), status))
		if (strncmp(line, "VmSize:", 7) == 0)
			kib = strtoull(line + 7, NULL, 10);
	fclose(status);
	rlim_t cap = (rlim_t)(kib + (256ULL << 10)) << 10;

	if (kib == 0 || setrlimit(RLIMIT_AS, &(struct rlimit){cap, cap}) == -1)
		exit(2);
}

int main(int argc, char **argv)
{
	unsigned char got[MESSAGE_MAX], want[MESSAGE_MAX];
	uint64_t digest = DIGEST_START;
	struct link receiver;
	pthread_t thread;

	if (argc != 3 || (messages = strtoull(argv[1], NULL, 10)) == 0) {
		fprintf(stderr, "usage: ring_race MESSAGES KEY\n");
		return 2;
	}
	key = strtoull(argv[2], NULL, 16);
	cap_memory();
	if (link_open(&sender, MECH_RING, NULL) == -1) {
		fprintf(stderr, "ring_race: link_open(MECH_RING) failed: %s\n", strerror(errno));
		return 4;
	}
	receiver = sender;
	if (link_side(&sender, 0) == -1 || link_side(&receiver, 1) == -1) {
		fprintf(stderr, "ring_race: link_side failed: %s\n", strerror(errno));
		return 4;
	}
	if (pthread_create(&thread, NULL, send_all, NULL) != 0)
		return 2;
	for (unsigned long long i = 0; i < messages; i++) {
		size_t len = make_message(key, i, want);

		if (link_recv(&receiver, got, len) == -1) {
			fprintf(stderr, "ring_race: link_recv failed: %s\n", strerror(errno));
			return 4;
		}
		if (memcmp(got, want, len) != 0) {
			fprintf(stderr, "ring_race: message %llu (%zu bytes) came with other bytes\n",
				i, len);
			return 3;
		}
		digest = digest_add(digest, got, len);
	}
	pthread_join(thread, NULL);
	printf("digest %016llx\n", (unsigned long long)digest);
	return 0;
}
