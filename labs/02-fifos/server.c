/*
 * server.c - Lab 02 demo: a shared counter served over FIFOs.
 *
 * Usage:   ./server DIR &          (DIR must exist; the FIFOs go there)
 *          ./client DIR add 5      prints "counter = 5"
 *          ./client DIR get        prints "counter = 5"
 *          kill %1                 (or Ctrl-C) stops the server
 *
 * Serves requests until SIGINT or SIGTERM, then removes its request FIFO
 * and exits 0. Commands: "get", "add N" (N may be negative); anything else
 * gets "error: ..." back. Prints one line per request on stdout. Exits 2 on
 * bad usage, 1 with a message when the server cannot start or fails.
 *
 * Partners: fifos.c (server_open(), server_serve_one()), client.c.
 * Handout: README.md §3.2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fifos.h"

static const char usage[] = "usage: server DIR\n";

/* The request FIFO's path, for the signal handler. */
static char request_path[FIFO_PATH_MAX];

/*
 * SIGINT and SIGTERM: the server is most likely asleep in read(2), which
 * server_serve_one() restarts after EINTR, so the handler finishes the job
 * itself with async-signal-safe calls only. The kernel closes the
 * descriptors at exit; the FIFO's name is ours to remove.
 */
static void stop(int sig)
{
	(void)sig;
	unlink(request_path);
	_exit(0);
}

/* Answers one request about the counter in *arg, in one write(2). */
static int counter_handler(const struct fifo_request *request, int reply_fd, void *arg)
{
	long *counter = arg, amount;
	char reply[128], *end;
	int len;

	if (strcmp(request->text, "get") == 0) {
		len = snprintf(reply, sizeof reply, "counter = %ld\n", *counter);
	} else if (strncmp(request->text, "add ", 4) == 0 &&
		   (amount = strtol(request->text + 4, &end, 10), *end == '\0')) {
		*counter += amount;
		len = snprintf(reply, sizeof reply, "counter = %ld\n", *counter);
	} else {
		len = snprintf(reply, sizeof reply, "error: unknown command (try get, add N)\n");
	}
	printf("pid %d: %s -> %s", (int)request->client_pid, request->text, reply);
	fflush(stdout);
	return write(reply_fd, reply, (size_t)len) == len ? 0 : -1;
}

int main(int argc, char *argv[])
{
	struct sigaction on_stop = { .sa_handler = stop };
	struct fifo_server server;
	long counter = 0;
	int served;

	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (server_open(&server, argv[1]) == -1) {
		perror("server: server_open");
		return 1;
	}
	strcpy(request_path, server.request_path);
	sigemptyset(&on_stop.sa_mask);
	if (sigaction(SIGINT, &on_stop, NULL) == -1 || sigaction(SIGTERM, &on_stop, NULL) == -1) {
		perror("server: sigaction");
		server_close(&server);
		return 1;
	}
	printf("serving a counter at %s (pid %d)\n", server.request_path, (int)getpid());
	fflush(stdout);
	while ((served = server_serve_one(&server, counter_handler, &counter)) != -1)
		if (served == 0)
			printf("a client left before its reply\n");
	perror("server: server_serve_one");
	server_close(&server);
	return 1;
}
