/*
 * gradebook.h - the class outputs of a batch grading (see batch.h): the CSV
 * gradebook, the summary and the HTML class report.
 *
 * gradebook.csv follows RFC 4180: a header row, then one row per submission:
 *   submission,status,score,max_score,TEST...,reason
 * fields quoted when they hold a comma, a quote, CR or LF (quotes doubled),
 * CRLF line ends, UTF-8 (invalid bytes in names replaced by U+FFFD). status is
 * "graded" or "not graded"; TEST columns hold each test's score, in the lab's
 * order; reason says why a submission was not graded, or why a graded one
 * failed every test: "did not compile: FIRST ERROR LINE" (or "did not link:
 * ..."), "the skeleton, unchanged".
 */
#ifndef IPCLAB_GRADEBOOK_H
#define IPCLAB_GRADEBOOK_H

#include <stdio.h>
#include <sys/types.h>
#include "classreport.h"
#include "labs.h"
#include "records.h"

/* One submission of a batch. */
struct submission {
	char *path;		/* as given, or found in a directory of submissions */
	char *name;		/* its name as shown: any bytes */
	char *slug;		/* its directory under the batch's output */
	char *dir;		/* OUT/SLUG */
	char *problem;		/* why it was not graded, or NULL */
	bool resumed;		/* graded before with the same files */
	bool finished;		/* its grading ended with results (this time or before) */
	pid_t pid;		/* its grading, while it runs */
	double started;		/* when its grading began */
	struct ag_run run;	/* its results */
	enum class_verdict verdict;	/* of a graded one (classreport.h) */
	char *note;		/* the gradebook's reason for that verdict, or NULL */
};

void submission_free(struct submission *s);

/*
 * Sets s->verdict and s->note for a graded submission from its results and
 * its staged sources (s->dir/submission/): the skeleton, unchanged when they
 * are the kit's skeleton (build/pristine/, line ends aside); did not compile
 * when every test failed for that, with the compiler's first error line.
 */
void submission_judge(const struct lab *lab, struct submission *s);

/*
 * Writes OUT/gradebook.csv, OUT/class-report.html and OUT/summary.txt for the
 * n submissions graded in seconds, and prints the summary. 0, or EXIT_USAGE
 * when a file could not be written (said).
 */
int gradebook_write(const struct lab *lab, const char *out, const struct submission *subs,
		    int n, double seconds);

/* One CSV field as RFC 4180 wants it (exposed for the tests). */
void csv_field(FILE *out, const char *text);

#endif
