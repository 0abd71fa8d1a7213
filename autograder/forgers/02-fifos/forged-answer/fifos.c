/*
 * Forger: does no work; instead it writes, on the channel the grader's
 * subject answers on (the socket above fd 900), the answer "returned 0",
 * as the grader's own code would, and waits there as that code does. The
 * test's own code after the call, and every check it makes in the
 * subject, never runs. Score: 0
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fifos.h"

static void forge(void)
{
	struct {
		unsigned int kind;
		pid_t pid;
		int err;
		unsigned int size;
		int value;
	} answer = {0x52455455, getpid(), 0, sizeof(int), 0};
	static char zeros[16384];
	struct stat st;
	char byte;

	for (int fd = 900; fd < 1024; fd++) {
		if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		if (write(fd, &answer, sizeof(answer)) != sizeof(answer) ||
		    write(fd, zeros, sizeof(zeros)) != sizeof(zeros))
			continue;
		while (read(fd, &byte, 1) == -1 && errno == EINTR)
			continue;
		_exit(0);
	}
}

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
