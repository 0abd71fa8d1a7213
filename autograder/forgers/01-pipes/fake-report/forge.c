/*
 * Forger: prints what a passing report looks like (ok lines, a full score,
 * Criterion's and the records' formats) and appends fake records to the
 * grader's records file wherever it can find it, then claims success.
 * Score: 0
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char fake[] = "result\tpipes\tread_full_gathers_partial_reads\t4\t4\tpassed\t1\t\t\t\n";

static void forge(void)
{
	const char *records = getenv("IPCLAB_RECORDS");
	int fd;

	printf("  ok    4/4  read_full_gathers_partial_reads\n30/30 tests passed\nscore: 105/105\n");
	printf("[====] Synthesis: Tested: 30 | Passing: 30 | Failing: 0 | Crashing: 0\n%s", fake);
	fflush(stdout);
	fprintf(stderr, "%s", fake);
	if (records && (fd = open(records, O_WRONLY | O_APPEND)) != -1) {
		(void)!write(fd, fake, strlen(fake));
		close(fd);
	}
}
