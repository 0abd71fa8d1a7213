/*
 * labclean.c - Lab 05 demo: removes your System V objects of the keys you
 * name, and nothing else (the answer to "ipcs | awk | xargs ipcrm").
 *
 * Usage:   ./labclean [-n] KEY...     (-n: only list what it would remove;
 *                                      KEY: 0x1234abcd, or a decimal number)
 *
 * Calls lab_cleanup() with the keys, then prints how many objects it
 * removed (or would remove).
 * Exit status: 0 done, 1 error, 2 bad usage.
 * Partner: shm.c (lab_cleanup). Handout: README.md §3.7.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>

#include "shm.h"

int main(int argc, char **argv)
{
	bool dry_run = argc > 1 && strcmp(argv[1], "-n") == 0;
	int first = dry_run ? 2 : 1, nkeys = argc - first, n;
	key_t keys[64];

	if (nkeys < 1 || nkeys > 64) {
		fputs("usage: labclean [-n] KEY... (at most 64 keys)\n", stderr);
		return 2;
	}
	for (int k = 0; k < nkeys; k++) {
		const char *arg = argv[first + k];
		char *end;

		keys[k] = (key_t)strtoul(arg, &end, 0);
		if (*end || end == arg) {
			fprintf(stderr, "labclean: %s is not a key (0x1234abcd)\n", arg);
			return 2;
		}
	}
	n = lab_cleanup(keys, nkeys, dry_run, stdout);
	if (n == -1) {
		fprintf(stderr, "labclean: %s\n", strerror(errno));
		return 1;
	}
	printf("%s %d object%s\n", dry_run ? "would remove" : "removed", n, n == 1 ? "" : "s");
	return 0;
}
