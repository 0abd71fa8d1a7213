/*
 * Forger: writes fake result records and report lines into every
 * descriptor it holds and every one it can open through /proc/PID/fd of
 * its ancestors, then claims success. Score: 0
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char fake[] = "result\tpipes\tread_full_gathers_partial_reads\t4\t4\tpassed\t1\t\t\t\n"
			   "ok 5/5\nscore: 105/105\n";

static void forge(void)
{
	char path[64];

	for (int fd = 3; fd < 1024; fd++)
		(void)!write(fd, fake, strlen(fake));
	for (pid_t pid = getppid(); pid > 1; pid = 0)
		for (int fd = 0; fd < 64; fd++) {
			int copy;

			snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
			copy = open(path, O_WRONLY | O_APPEND);
			if (copy != -1) {
				(void)!write(copy, fake, strlen(fake));
				close(copy);
			}
		}
}
