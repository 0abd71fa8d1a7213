/*
 * build.h - compiling a submission into a lab's test runner.
 *
 * The lab's sources, already copied into a work directory, are compiled
 * there against the kit's pristine headers (never a header from the
 * submission) and linked with the lab's test objects and the grading
 * library:
 *   cc -std=gnu11 -g -O1 -Wall -Wextra -I build/pristine/NN-topic -c pipes.c
 *   cc -o runner pipes.o build/tests/NN-topic/ *.o build/lib/runner.o \
 *      build/lib/libgrader.a -lcriterion -lpthread
 * An object with constructors or destructors is refused: that code would run
 * in the grader, outside the sandbox.
 * Only what is out of date is redone, so a rerun of an unchanged lab costs
 * nothing; the compiler's messages are kept beside each object and shown
 * again.
 */
#ifndef IPCLAB_BUILD_H
#define IPCLAB_BUILD_H

#include <stdbool.h>
#include "labs.h"

#define BUILD_MESSAGE_LINES 60

#define SOURCE_MAX (1 << 20)	/* bytes: a larger "source file" is not one */

struct build {
	char *runner;		/* the linked runner, in the work directory */
	char *messages;		/* the compiler's and linker's (60 lines), or NULL */
	char *problem;		/* why, in one plain sentence, when the compiler cannot say it
				 * plainly (not a text file, a main of its own), or NULL */
	bool failed;		/* the submission did not compile or link */
	bool link_failed;	/* it compiled, but did not link */
};

/*
 * Copies the lab's sources from dir into workdir. A file that is missing, not a
 * regular file, larger than SOURCE_MAX or (when submission) a symbolic link
 * stops the copy: returns -1 with *problem saying so in words that name
 * shown_dir. A source whose bytes did not change is not copied again (so it
 * is not recompiled).
 */
int build_copy_sources(const struct lab *lab, const char *dir, const char *shown_dir,
		       const char *workdir, bool submission, char **problem);

/*
 * Returns 0 (b->failed tells whether the submission compiled), or -1 when the
 * compiler or the kit's pieces are missing, after saying so.
 */
int build_lab(const struct lab *lab, const char *workdir, struct build *b);
void build_free(struct build *b);

#endif
