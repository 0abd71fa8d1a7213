/*
 * reader.c - Lab 05 demo: the reader of the pair.
 *
 * Usage:   ./reader PATH COUNT
 *
 * Receives COUNT records with pair_receive() through the segment and the
 * semaphore set of ftok(PATH, PAIR_PROJ), prints each ("reader: 1 hello"),
 * and prints what the pair says (the fixed pair: "removed ...").
 * Exit status: 0 received, 1 error, 2 bad usage.
 * Partner: shm.c (pair_receive). Handout: README.md §3.5.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm.h"

static void say(const char *line)
{
	printf("reader: %s\n", line);
}

int main(int argc, char **argv)
{
	struct record *records;
	char *end;
	long count;

	if (argc != 3 || (count = strtol(argv[2], &end, 10)) < 1 || *end || count > 100000) {
		fputs("usage: reader PATH COUNT (1 to 100000)\n", stderr);
		return 2;
	}
	records = calloc((size_t)count, sizeof(*records));
	if (records == NULL) {
		perror("reader");
		return 1;
	}
	if (pair_receive(argv[1], records, (int)count, say) == -1) {
		fprintf(stderr, "reader: pair_receive: %s\n", strerror(errno));
		free(records);
		return 1;
	}
	for (long i = 0; i < count; i++)
		printf("reader: %u %.*s\n", records[i].seq, (int)sizeof(records[i].text),
		       records[i].text);
	free(records);
	return 0;
}
