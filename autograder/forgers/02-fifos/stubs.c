/*
 * stubs.c - the rest of a lab 02 forger whose forge.c comes first: each
 * graded function calls forge() and then claims success.
 */
#include <string.h>
#include "fifos.h"


int fifo_make(const char *path, mode_t mode) { (void)path, (void)mode; forge(); return 0; }
int fifo_open_writer(const char *path, bool wait) { (void)path, (void)wait; forge(); return 3; }
int server_open(struct fifo_server *server, const char *dir) { (void)server, (void)dir; forge(); return 0; }
int server_serve_one(struct fifo_server *server, fifo_handler handler, void *arg)
{
	(void)server, (void)handler, (void)arg;
	forge();
	return 0;
}
int server_close(struct fifo_server *server) { (void)server; forge(); return 0; }
ssize_t client_request(const char *dir, const char *text, char *reply, size_t cap)
{
	(void)dir, (void)text, (void)reply, (void)cap;
	forge();
	return 0;
}
