/*
 * board.c - Lab 06 demo: a board in POSIX shared memory, used by processes
 * that are not related to each other.
 *
 * Usage:   ./board create /NAME SIZE    make the object (SIZE bytes, all 0)
 *          ./board write /NAME TEXT     write TEXT (and a 0 byte) at its start
 *          ./board read /NAME           print the text at its start
 *          ./board remove /NAME         remove the name
 *
 * Each command is its own process: what `write` leaves, a later `read`
 * finds, until `remove`. The object is /dev/shm/NAME.
 * Exit status: 0 done, 1 error, 2 usage.
 * Partner: mapped.c (board_create, board_open, board_close, board_remove).
 * Handout: README.md §3.4.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapped.h"

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s create /NAME SIZE | write /NAME TEXT | read /NAME | "
		"remove /NAME\n", prog);
	return 2;
}

static int fail(const char *name)
{
	fprintf(stderr, "board: %s: %s\n", name, strerror(errno));
	return 1;
}

/* Writes text, cut to fit with its 0 byte, or prints what the board holds. */
static int use_board(const char *name, const char *text)
{
	size_t size;
	char *board = board_open(name, &size);

	if (!board)
		return fail(name);
	if (text) {
		size_t len = strnlen(text, size - 1);

		memcpy(board, text, len);
		board[len] = '\0';
	} else {
		printf("%.*s\n", (int)strnlen(board, size), board);
	}
	return board_close(board, size) == -1 ? fail(name) : 0;
}

int main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "create") == 0)
		return board_create(argv[2], strtoul(argv[3], NULL, 10)) == -1 ? fail(argv[2]) : 0;
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return use_board(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return use_board(argv[2], NULL);
	if (argc == 3 && strcmp(argv[1], "remove") == 0)
		return board_remove(argv[2]) == -1 ? fail(argv[2]) : 0;
	return usage(argv[0]);
}
