/*
 * fifos.c - Lab 02: FIFOs. The functions declared in fifos.h.
 *
 * Usage: `make` builds it with server.c and client.c into the demo programs
 * `server` and `client`; `ipclab test 02` grades it. Partners: server.c,
 * client.c. Handout: README.md, §3 (one subsection per group of functions).
 * The contracts in fifos.h are exactly what the tests check.
 */
/*
 * Your edition: replace each TODO(lab02) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fifos.h"

/* ---- §3.1: fifo_make() and fifo_open_writer() ------------------------ */

int fifo_make(const char *path, mode_t mode)
{
	/* TODO(lab02): create the FIFO with mkfifo(3); decide what EEXIST
	 * means by looking at what is there. Handout §3.1. */
	(void)path;
	(void)mode;
	errno = ENOSYS;
	return -1;
}

int fifo_open_writer(const char *path, bool wait)
{
	/* TODO(lab02): open for writing, waiting for a reader or not. Handout
	 * §3.1 shows both behaviours with the shell. */
	(void)path;
	(void)wait;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.2: the server ------------------------------------------------- */

int server_open(struct fifo_server *server, const char *dir)
{
	/* TODO(lab02): create the request FIFO, open it without waiting for a
	 * client and so that reads never see end of file, and make sure a
	 * vanished client cannot kill the server. Handout §3.2. */
	(void)server;
	(void)dir;
	errno = ENOSYS;
	return -1;
}

int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg)
{
	/* TODO(lab02): read one request, open the client's reply FIFO without
	 * waiting, call the handler, close. Handout §3.2 lists the ways a
	 * client can vanish. */
	(void)server;
	(void)handler;
	(void)arg;
	errno = ENOSYS;
	return -1;
}

int server_close(struct fifo_server *server)
{
	/* TODO(lab02): close what server_open() opened and remove the request
	 * FIFO. Handout §3.2. */
	(void)server;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.3: the client ------------------------------------------------- */

ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap)
{
	/* TODO(lab02): make and open your reply FIFO, send the request in one
	 * write, read the reply until end of file, remove the FIFO. Handout
	 * §3.3 explains the order and why it matters. */
	(void)dir;
	(void)text;
	(void)reply;
	(void)cap;
	errno = ENOSYS;
	return -1;
}
