/*
 * report.h - the grader's outputs, all written from one struct ag_run:
 * the terminal report, Gradescope results.json and JUnit XML (README.md,
 * "Output formats"). Every writer accepts any bytes in the results'
 * text (quotes, newlines, control bytes, invalid UTF-8) and produces a
 * file its consumers parse.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "records.h"

#define REPORT_OUTPUT_CAP 8192	/* bytes of a test's output kept in a report */

struct report_style {
	bool colour;		/* ANSI colours (a terminal, NO_COLOR unset) */
	bool verbose;		/* every test in full, passing ones' description and output too */
	bool focus;		/* failures in full only in the first task not done (ipclab test) */
	int width;		/* columns every line fits in; 0 means 80 */
	const char *rerun;	/* "ipclab test 01" or "ipclab grade 01 DIR": rerun hint prefix */
};

/*
 * The tests grouped by task in the handout's order, each group headed by the
 * task and its points; per test ok/FAIL, points and name, and for a failure
 * in full its description, why, hint and rerun command. Then how many passed,
 * "start here:" with the first task not done and its handout section, and
 * last "score: N/M". Every line fits style->width columns.
 */
void report_terminal(FILE *out, const struct ag_run *run, const struct report_style *style);
/*
 * Return 0, or -1 with errno set (nothing half-written is left: temp file + rename).
 * Hidden tests (struct ag_result) count in every score. The terminal report
 * marks them "[hidden]" and JUnit with a property visibility=hidden: both are
 * for instructors. results.json gives them Gradescope's "visibility": "hidden",
 * and the text above the tests says how many there are and what they are worth.
 */
int report_json(const char *path, const struct ag_run *run);
int report_junit(const char *path, const struct ag_run *run);

/*
 * indent, label, then text on one line, as the terminal report writes it:
 * broken at spaces to fit width columns (0: 80), further lines under the text.
 */
void report_wrapped(FILE *out, const char *indent, const char *label, const char *text,
		    int width);

/* Text helpers shared by the writers, exposed for their tests. */
/* Valid UTF-8 with invalid sequences replaced by U+FFFD; at most cap bytes of input. */
char *text_sanitise(const char *s, size_t cap);
void json_string(FILE *out, const char *s);	/* quoted, escaped, sanitised */
void xml_text(FILE *out, const char *s);	/* escaped, XML-1.0-illegal chars replaced */

#endif
