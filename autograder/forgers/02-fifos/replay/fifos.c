/*
 * Forger: read the tests and replays their answers: client_request sends
 * nothing and makes up the reply the test's server would give ("reply to
 * PID: TEXT"); every other function claims success without the work.
 * Score: 0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "fifos.h"

int fifo_make(const char *path, mode_t mode) { (void)path, (void)mode; return 0; }
int fifo_open_writer(const char *path, bool wait) { (void)path, (void)wait; return 3; }
int server_open(struct fifo_server *server, const char *dir)
{
	server->request_fd = 3;
	server->keepalive_fd = 4;
	strncpy(server->dir, dir, sizeof(server->dir) - 1);
	return 0;
}
int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg)
{
	(void)server, (void)handler, (void)arg;
	return 0;
}
int server_close(struct fifo_server *server) { (void)server; return 0; }
ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap)
{
	int len = snprintf(reply, cap, "reply to %d: %s", (int)getpid(), text);

	(void)dir;
	return len < (int)cap ? len : (ssize_t)cap - 1;
}
