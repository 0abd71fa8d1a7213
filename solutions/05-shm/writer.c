/*
 * writer.c - Lab 05 demo: the writer of the pair, one record per argument.
 *
 * Usage:   ./writer PATH TEXT...
 *
 * Sends each TEXT, numbered from 1, with pair_send() through the segment and
 * the semaphore set of ftok(PATH, PAIR_PROJ), and prints what the pair says.
 * Start ./reader with the same PATH and count, before or after it: with the
 * fixed pair either order works; with the first draft, only writer first.
 * Exit status: 0 sent, 1 error, 2 bad usage.
 * Partner: shm.c (pair_send). Handout: README.md §3.5.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm.h"

static void say(const char *line)
{
	printf("writer: %s\n", line);
}

int main(int argc, char **argv)
{
	struct record *records;
	int count = argc - 2;

	if (argc < 3) {
		fputs("usage: writer PATH TEXT...\n", stderr);
		return 2;
	}
	records = calloc((size_t)count, sizeof(*records));
	if (records == NULL) {
		perror("writer");
		return 1;
	}
	for (int i = 0; i < count; i++) {
		records[i].seq = (unsigned)i + 1;
		snprintf(records[i].text, sizeof(records[i].text), "%s", argv[i + 2]);
	}
	if (pair_send(argv[1], records, count, say) == -1) {
		fprintf(stderr, "writer: pair_send: %s\n", strerror(errno));
		free(records);
		return 1;
	}
	printf("writer: sent %d record%s\n", count, count == 1 ? "" : "s");
	free(records);
	return 0;
}
