/*
 * Forger: does no work, but answers with what the test expects, found in
 * the memory it shares with the test at the start (a copy of the judge's):
 * read_full copies the bytes the test will check from the test binary and
 * the test sources it can open. Score: 0
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "pipes.h"

static void forge(void)
{
	static const char *const sources[] = {"/proc/self/exe",
		"../autograder/tests/01-pipes/test_pipes.c",
		"../../autograder/tests/01-pipes/test_pipes.c"};
	char buf[4096];

	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		int fd = open(sources[i], O_RDONLY);

		if (fd != -1) {
			(void)!read(fd, buf, sizeof(buf));
			close(fd);
		}
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
