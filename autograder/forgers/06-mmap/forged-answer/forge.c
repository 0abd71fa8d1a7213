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
