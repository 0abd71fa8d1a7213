/*
 * batch.h - `ipclab grade NN PATH...` on a whole class.
 *
 * Each PATH is one submission (a directory or an archive, see stage.h); a
 * single PATH that is a directory of submissions stands for its entries.
 * Every submission is staged into OUT/SLUG/submission/ (only the lab's files)
 * and graded by a child `ipclab grade` of its own (its own scratch copy and
 * sandbox), up to jobs at a time. Per submission, OUT/SLUG/ receives
 * results.json (Gradescope), junit.xml, report.txt (the terminal report) and
 * records (what the class outputs are made from). A submission whose staged
 * files are the same as at its last grading is not graded again (so an
 * interrupted batch resumes where it stopped) unless regrade is set.
 * The class outputs: OUT/gradebook.csv (RFC 4180), OUT/summary.txt and
 * OUT/class-report.html; the summary is also printed.
 */
#ifndef IPCLAB_BATCH_H
#define IPCLAB_BATCH_H

#include <stdbool.h>
#include "labs.h"

struct batch_opts {
	const char *out;	/* output directory; NULL: ipclab-grades/NN-topic */
	int jobs;		/* submissions graded at once; 0: one per CPU */
	bool regrade;		/* grade again what was graded already */
	double deadline;	/* per submission, passed on to each grading */
	const char *limits;	/* passed on to each grading, or NULL */
};

/* True when path is a directory of submissions rather than one submission. */
bool batch_is_class_dir(const struct lab *lab, const char *path);

/*
 * Grades every submission. Returns 0 when each one was graded, 1 when some
 * could not be (each has a row saying why), 2 on a usage or environment error.
 */
int grade_batch(const struct lab *lab, char *const paths[], int npaths,
		const struct batch_opts *opts);

#endif
