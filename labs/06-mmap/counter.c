/*
 * counter.c - Lab 06 demo: a counter that lives in a file.
 *
 * Usage:   ./counter FILE [TIMES]
 *
 * Adds 1 to the counter in FILE, TIMES times (default 1), and prints its
 * value after the last addition. Run two at once on the same file: no
 * addition is lost. The file outlives every process that counted in it.
 * Exit status: 0 done, 1 error, 2 usage.
 * Partner: mapped.c (counter_add). Handout: README.md §3.1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapped.h"

int main(int argc, char *argv[])
{
	int times = argc == 3 ? atoi(argv[2]) : 1;
	int64_t value;

	if (argc < 2 || argc > 3 || times < 0) {
		fprintf(stderr, "usage: %s FILE [TIMES]\n", argv[0]);
		return 2;
	}
	if (counter_add(argv[1], times, &value) == -1) {
		fprintf(stderr, "counter: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%" PRId64 "\n", value);
	return 0;
}
