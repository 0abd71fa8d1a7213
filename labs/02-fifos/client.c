/*
 * client.c - Lab 02 demo: sends one request to the server and prints the reply.
 *
 * Usage:   ./client DIR get
 *          ./client DIR add 5
 *
 * The words after DIR, joined by spaces, are the request. Prints the reply
 * on stdout and exits 0; exits 1 with a message when there is no server in
 * DIR or the request fails, 2 on bad usage.
 *
 * Partners: fifos.c (client_request()), server.c. Handout: README.md §3.3.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fifos.h"

static const char usage[] = "usage: client DIR WORD...\n";

int main(int argc, char *argv[])
{
	char text[FIFO_TEXT_MAX] = "", reply[4096];
	size_t len = 0;

	if (argc < 3) {
		fputs(usage, stderr);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		int n = snprintf(text + len, sizeof text - len, "%s%s", i > 2 ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof text - len) {
			fprintf(stderr, "client: request longer than %d bytes\n", FIFO_TEXT_MAX - 1);
			return 1;
		}
		len += (size_t)n;
	}
	if (client_request(argv[1], text, reply, sizeof reply) == -1) {
		if (errno == ENXIO || errno == ENOENT)
			fprintf(stderr, "client: no server is running in %s (%s)\n", argv[1],
				strerror(errno));
		else
			perror("client: client_request");
		return 1;
	}
	fputs(reply, stdout);
	return 0;
}
