/*
 * classreport.h - the class report of a batch: one static HTML file that
 * sums up every submission of a lab graded by `ipclab grade`'s batch mode
 * (counts, mean and median, score histogram, pass rate per test, the most
 * common failures with their hints, the submissions not graded and why).
 */
#ifndef IPCLAB_CLASSREPORT_H
#define IPCLAB_CLASSREPORT_H

#include "records.h"

/*
 * What a graded submission's tests say. Those that did not compile, and
 * untouched skeletons, fail every test for one reason: the report counts
 * them once each, under that reason, and leaves them out of the per-test
 * counts and the failures of the tests, where they would hide the class's
 * real mistakes.
 */
enum class_verdict {
	CLASS_TESTED,		/* its tests ran on the student's code */
	CLASS_NO_BUILD,		/* it did not compile (or link) */
	CLASS_SKELETON,		/* the skeleton, unchanged */
};

/* One submission of the class. */
struct class_entry {
	const char *name;	/* as given: any bytes (commas, quotes, <, invalid UTF-8) */
	const char *problem;	/* why it could not be graded, or NULL */
	const struct ag_run *run;	/* every planned test with a status (all failed
					   when problem != NULL) */
	enum class_verdict verdict;	/* of a graded one */
};

/* "did not compile", "the skeleton, unchanged"; NULL for CLASS_TESTED. */
const char *class_verdict_name(enum class_verdict verdict);

/*
 * Writes the class report of lab `title` ("Lab 01: pipes") for n entries to
 * path, atomically (temp file + rename). Returns 0, or -1 with errno.
 * Statistics (mean, median, histogram) cover the graded entries (problem ==
 * NULL); the per-test and failure tables, those with verdict CLASS_TESTED,
 * and the failures table has one row per other verdict, counting
 * submissions. The entries not graded are listed with their reason. Every
 * text is made valid UTF-8 and HTML-escaped; the file loads nothing (inline
 * CSS and SVG, no script).
 */
int report_class_html(const char *path, const char *title,
		      const struct class_entry *entries, int n);

#endif
