/*
 * ftokscan.c - Lab 05 demo: finds the files under a directory that share an
 * ftok key.
 *
 * Usage:   ./ftokscan DIR [PROJ_ID]      (PROJ_ID: a number, default 1)
 *
 * Prints, with collisions_list(), one line per shared key: the key, then
 * the paths that give it; then how many keys are shared.
 * Exit status: 0 done (shared keys or not), 1 error, 2 bad usage.
 * Partner: shm.c (collisions_list). Handout: README.md §3.3.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm.h"

int main(int argc, char **argv)
{
	long proj = 1;
	char *end = "";
	int lines;

	if (argc == 3)
		proj = strtol(argv[2], &end, 0);
	if (argc < 2 || argc > 3 || *end) {
		fputs("usage: ftokscan DIR [PROJ_ID]\n", stderr);
		return 2;
	}
	lines = collisions_list(argv[1], (int)proj, stdout);
	if (lines == -1) {
		fprintf(stderr, "ftokscan: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%d shared key%s\n", lines, lines == 1 ? "" : "s");
	return 0;
}
