/*
 * Forger: does no work, but answers with what the test expects, found in
 * the memory it shares with the test at the start (a copy of the judge's):
 * read_full copies the bytes the test will check from the test binary and
 * the test sources it can open. Score: 0
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

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
