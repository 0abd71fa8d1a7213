/*
 * Forger: finds the grader's verdict page (any writable shared mapping in
 * /proc/self/maps), marks the test done, clears every failure flag, and
 * exits 0. Scored 100/105 before graded code ran in subjects. Score: 0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
