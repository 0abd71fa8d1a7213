/*
 * Forger: every function claims success without doing the work: no FIFO is
 * made or opened, no request read, no reply written; what comes back is what
 * a test might expect to see (0, a descriptor number, a full reply length).
 * Score: 0
 */
#include <string.h>
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
	(void)dir;
	strncpy(reply, text, cap);
	return (ssize_t)strnlen(reply, cap);
}
