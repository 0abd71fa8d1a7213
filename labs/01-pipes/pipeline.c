/*
 * pipeline.c - Lab 01 demo: runs `CMD1 | CMD2` through run_pipeline().
 *
 * Usage:   ./pipeline 'ls -l' 'wc -l'
 *          ./pipeline 'yes' 'head -n 1'; echo $?
 *
 * Each argument is split on spaces into a command and its arguments (no
 * quoting, no globbing: this is not a shell). The program prints nothing of
 * its own; it exits with CMD2's status as a shell reports it (128 + N when
 * signal N killed CMD2), with 2 on bad usage, and with 1 and a message when
 * the pipeline could not be started.
 *
 * Partner: pipes.c (run_pipeline()). Handout: README.md §3.2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipes.h"

static const char usage[] = "usage: pipeline 'CMD1 [ARG]...' 'CMD2 [ARG]...'\n";

/* True when @p s holds at least one word. */
static int has_word(const char *s)
{
	return s[strspn(s, " ")] != '\0';
}

/*
 * Splits @p s in place on spaces into a NULL-terminated argument vector.
 * Returns NULL when memory runs out.
 */
static char **split_words(char *s)
{
	/* n words need at least 2n - 1 characters: room for them and NULL. */
	char **words = calloc(strlen(s) / 2 + 2, sizeof *words);
	size_t n = 0;

	if (words == NULL)
		return NULL;
	for (char *word = strtok(s, " "); word != NULL; word = strtok(NULL, " "))
		words[n++] = word;
	return words;
}

int main(int argc, char *argv[])
{
	char **cmd1, **cmd2;
	int status = 1;

	if (argc != 3 || !has_word(argv[1]) || !has_word(argv[2])) {
		fputs(usage, stderr);
		return 2;
	}
	cmd1 = split_words(argv[1]);
	cmd2 = split_words(argv[2]);
	if (cmd1 == NULL || cmd2 == NULL)
		perror("pipeline: calloc");
	else if ((status = run_pipeline(cmd1, cmd2)) == -1)
		perror("pipeline: run_pipeline");
	free(cmd1);
	free(cmd2);
	return status == -1 ? 1 : status;
}
