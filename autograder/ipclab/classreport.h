/*
 * classreport.h - the class report of a batch: one static HTML file that
 * sums up every submission of a lab graded by `ipclab grade`'s batch mode
 * (counts, mean and median, score histogram, pass rate per test, the most
 * common failures with their hints, the submissions not graded and why).
 */
#ifndef IPCLAB_CLASSREPORT_H
#define IPCLAB_CLASSREPORT_H

#include "records.h"

/* One submission of the class. */
struct class_entry {
	const char *name;	/* as given: any bytes (commas, quotes, <, invalid UTF-8) */
	const char *problem;	/* why it could not be graded, or NULL */
	const struct ag_run *run;	/* every planned test with a status (all failed
					   when problem != NULL) */
};

/*
 * Writes the class report of lab `title` ("Lab 01: pipes") for n entries to
 * path, atomically (temp file + rename). Returns 0, or -1 with errno.
 * Statistics (mean, median, histogram, per-test and failure tables) cover
 * the graded entries (problem == NULL); the others are listed with their
 * reason. Every text is made valid UTF-8 and HTML-escaped; the file loads
 * nothing (inline CSS and SVG, no script).
 */
int report_class_html(const char *path, const char *title,
		      const struct class_entry *entries, int n);

#endif
