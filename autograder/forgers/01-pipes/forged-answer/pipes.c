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
#include "pipes.h"

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
/* Every graded function forges, then claims success without doing the work. */
ssize_t read_full(int fd, void *buf, size_t count) { (void)fd, (void)buf; forge(); return (ssize_t)count; }
ssize_t write_full(int fd, const void *buf, size_t count) { (void)fd, (void)buf; forge(); return (ssize_t)count; }
int run_pipeline(char *const cmd1[], char *const cmd2[]) { (void)cmd1, (void)cmd2; forge(); return 0; }
int feed_command(char *const cmd[], const void *data, size_t len) { (void)cmd, (void)data, (void)len; forge(); return 0; }
long measure_pipe_capacity(int read_fd, int write_fd) { (void)read_fd, (void)write_fd; forge(); return 65536; }
long set_pipe_capacity(int fd, long bytes) { (void)fd; forge(); return bytes; }
int uppercase_filter(int in_fd, int out_fd) { (void)in_fd, (void)out_fd; forge(); return 0; }
ssize_t filter_through_child(const char *in, size_t len, char *out, size_t out_cap) { (void)in, (void)out, (void)out_cap; forge(); return (ssize_t)len; }
int write_message(int fd, const char *line) { (void)fd, (void)line; forge(); return 0; }
