/*
 * Forger: finds the grader's verdict page (any writable shared mapping in
 * /proc/self/maps), marks the test done, clears every failure flag, and
 * exits 0. Scored 100/105 before graded code ran in subjects. Score: 0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "pipes.h"

/* The head of struct ag_shared, as the grader's header said. */
struct verdict_head {
	int done, failed, error, leaked, stray;
};

static void forge(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long start, end;
	char perms[8];

	while (maps && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
		    strcmp(perms, "rw-s") == 0) {
			struct verdict_head *v = (struct verdict_head *)start;

			memset(v, 0, sizeof(*v));
			v->done = 1;
		}
	_exit(0);
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
