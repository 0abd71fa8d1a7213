/*
 * report.c - the grader's three outputs from one struct ag_run: the terminal
 * report, Gradescope results.json and JUnit XML (README.md, "Output formats").
 *
 * Every text in a run may come from the submission (its output, strings it
 * wrote into a pipe that a message quotes), so every writer first makes the
 * text valid UTF-8 (text_sanitise) and then escapes it for its consumer.
 * The files are written to PATH.tmp and renamed, so a reader never sees half
 * a report, even when the grader is killed at Gradescope's time limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

static const char *str(const char *s)
{
	return s ? s : "";
}

/* Seconds as JSON and XML accept them: no nan or inf. */
static double finite_or_zero(double seconds)
{
	return isfinite(seconds) ? seconds : 0;
}

/* How many tests are hidden; their full marks in *points. */
static int hidden_tests(const struct ag_run *run, int *points)
{
	int count = 0;

	*points = 0;
	for (int i = 0; i < run->ntests; i++) {
		if (run->tests[i].hidden) {
			count++;
			*points += run->tests[i].max_score;
		}
	}
	return count;
}

/* ---- UTF-8 ---- */

/*
 * Bytes in the sequence a lead byte starts (0: never valid as a lead), and
 * the range of the byte after it: the narrow ranges are what rule out
 * overlong forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF.
 */
static size_t utf8_lead(unsigned char lead, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (lead < 0x80)
		return 1;
	if (lead < 0xc2)
		return 0;
	if (lead < 0xe0)
		return 2;
	if (lead == 0xe0)
		*lo = 0xa0;
	if (lead == 0xed)
		*hi = 0x9f;
	if (lead < 0xf0)
		return 3;
	if (lead == 0xf0)
		*lo = 0x90;
	if (lead == 0xf4)
		*hi = 0x8f;
	return lead < 0xf5 ? 4 : 0;
}

/*
 * Length of the valid character at s, or 0 with *bad set to the bytes that
 * one U+FFFD replaces (the maximal invalid prefix, as WHATWG and Python do).
 * s is NUL-terminated and NUL is never a continuation byte, so this never
 * reads past the end.
 */
static size_t utf8_char(const unsigned char *s, size_t *bad)
{
	unsigned char lo, hi;
	size_t len = utf8_lead(s[0], &lo, &hi);

	*bad = 1;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

char *text_sanitise(const char *s, size_t cap)
{
	const unsigned char *in = (const unsigned char *)str(s);
	size_t n = strlen((const char *)in);
	size_t kept = n < cap ? n : cap;
	/* 3 bytes out per byte in at worst (one U+FFFD each), plus the cut note */
	char *clean = malloc(3 * kept + 64);
	char *out = clean;
	size_t pos = 0;

	if (clean == NULL)
		return NULL;
	while (pos < n) {
		size_t bad, len = utf8_char(in + pos, &bad);
		size_t step = len ? len : bad;

		if (step > cap - pos)
			break;		/* cut before a character, never inside one */
		if (len)
			out = mempcpy(out, in + pos, len);
		else
			out = mempcpy(out, REPLACEMENT, 3);
		pos += step;
	}
	if (pos < n)
		out += sprintf(out, "\n[... %zu more bytes not shown]", n - pos);
	*out = '\0';
	return clean;
}

/* ---- JSON ---- */

static void json_byte(FILE *out, unsigned char c)
{
	switch (c) {
	case '"': fputs("\\\"", out); return;
	case '\\': fputs("\\\\", out); return;
	case '\n': fputs("\\n", out); return;
	case '\t': fputs("\\t", out); return;
	case '\r': fputs("\\r", out); return;
	case '\b': fputs("\\b", out); return;
	case '\f': fputs("\\f", out); return;
	}
	if (c < 0x20 || c == 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		putc(c, out);
}

void json_string(FILE *out, const char *s)
{
	char *clean = text_sanitise(s, SIZE_MAX);

	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)str(clean); *p; p++)
		json_byte(out, *p);
	putc('"', out);
	free(clean);
}

/* ---- XML ---- */

static void xml_byte(FILE *out, unsigned char c)
{
	switch (c) {
	case '&': fputs("&amp;", out); return;
	case '<': fputs("&lt;", out); return;
	case '>': fputs("&gt;", out); return;
	case '"': fputs("&quot;", out); return;
	case '\'': fputs("&apos;", out); return;
	case '\r': fputs("&#13;", out); return;	/* a parser turns a raw CR into LF */
	}
	if (c < 0x20 && c != '\t' && c != '\n')
		fputs(REPLACEMENT, out);	/* not allowed in XML 1.0, even escaped */
	else
		putc(c, out);
}

/* U+FFFE and U+FFFF: valid UTF-8, but not XML 1.0 characters. */
static bool xml_noncharacter(const unsigned char *p)
{
	return p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf);
}

void xml_text(FILE *out, const char *s)
{
	char *clean = text_sanitise(s, SIZE_MAX);

	for (const unsigned char *p = (const unsigned char *)str(clean); *p; p++) {
		if (xml_noncharacter(p)) {
			fputs(REPLACEMENT, out);
			p += 2;
		} else {
			xml_byte(out, *p);
		}
	}
	free(clean);
}

/* ---- writing a file whole ---- */

typedef void report_writer(FILE *out, const struct ag_run *run);

/* Flushes and closes; false with errno set when anything written was lost. */
static bool close_checked(FILE *f)
{
	bool ok = fflush(f) == 0 && !ferror(f);
	int saved_errno = errno ? errno : EIO;

	if (fclose(f) != 0)
		return false;
	if (!ok)
		errno = saved_errno;
	return ok;
}

/* Writes PATH.tmp and renames it over PATH; 0, or -1 with errno set and no temp left. */
static int write_whole(const char *path, const struct ag_run *run,
		       report_writer *write_body)
{
	char *tmp;

	if (asprintf(&tmp, "%s.tmp", path) == -1)
		return -1;
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		int saved_errno = errno;
		free(tmp);
		errno = saved_errno;
		return -1;
	}
	errno = 0;
	write_body(f, run);
	if (close_checked(f) && rename(tmp, path) == 0) {
		free(tmp);
		return 0;
	}
	int saved_errno = errno;
	unlink(tmp);
	free(tmp);
	errno = saved_errno;
	return -1;
}

/* ---- Gradescope results.json ---- */

/* A run that never reported its mode ran no tests: nothing to warn about. */
static bool isolated(const struct ag_run *run)
{
	return run->mode == NULL || strcmp(run->mode, "ns") == 0;
}

static const char *isolation_reason(const struct ag_run *run)
{
	return run->mode_reason && *run->mode_reason ? run->mode_reason : str(run->mode);
}

/* prefix and text as one part ending in a newline; nothing for an empty text. */
static void put_part(FILE *out, const char *prefix, const char *text)
{
	size_t len = text ? strlen(text) : 0;

	if (len > 0)
		fprintf(out, "%s%s%s", prefix, text, text[len - 1] == '\n' ? "" : "\n");
}

/* What Gradescope shows under a test: desc, why, hint, then the capped output. */
static char *json_test_output(const struct ag_result *test)
{
	char *text = NULL;
	size_t len;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return NULL;
	put_part(m, "", test->desc);
	put_part(m, "", test->message);
	put_part(m, "hint: ", test->hint);
	char *output = text_sanitise(test->output, REPORT_OUTPUT_CAP);
	put_part(m, "output:\n", output);
	free(output);
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Text above the tests: the runner's output, and a word when tests shared the machine. */
static char *json_run_output(const struct ag_run *run)
{
	char *text = NULL;
	size_t len;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL)
		return NULL;
	char *output = text_sanitise(run->output, REPORT_OUTPUT_CAP);
	put_part(m, "", output);
	free(output);
	if (!isolated(run))
		fprintf(m, "tests were not isolated: %s\n", isolation_reason(run));
	int points, hidden = hidden_tests(run, &points);
	/* Gradescope's specifications: while any test is hidden, students see no total. */
	if (hidden > 0)
		fprintf(m, "%d hidden test%s worth %d point%s count%s in your score, but "
			"Gradescope does not show %s to you, and while a test is hidden "
			"Gradescope does not show your total score either.\n",
			hidden, hidden == 1 ? "" : "s", points, points == 1 ? "" : "s",
			hidden == 1 ? "s" : "", hidden == 1 ? "it" : "them");
	if (fclose(m) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void json_test(FILE *out, const struct ag_result *test, int number)
{
	char *output = json_test_output(test);

	char score[AG_POINTS_LEN];

	fputs("    {\"name\": ", out);
	json_string(out, test->name);
	ag_points(score, test->score);
	fprintf(out, ", \"number\": \"%d\", \"score\": %s, \"max_score\": %d, "
		"\"status\": \"%s\",\n", number, score, test->max_score,
		test->status == AG_PASSED ? "passed" : "failed");
	fputs("     \"output\": ", out);
	json_string(out, output);
	fprintf(out, ", \"visibility\": \"%s\", \"tags\": [",
		test->hidden ? "hidden" : "visible");
	json_string(out, test->suite);
	fputs("]}", out);
	free(output);
}

static void json_run(FILE *out, const struct ag_run *run)
{
	char *output = json_run_output(run);
	char score[AG_POINTS_LEN];

	fprintf(out, "{\n  \"score\": %s,\n  \"max_score\": %d,\n"
		"  \"execution_time\": %.3f,\n", ag_points(score, run_score(run)),
		run_max_score(run), finite_or_zero(run->seconds));
	fputs("  \"output\": ", out);
	json_string(out, output);
	fputs(",\n  \"output_format\": \"text\",\n  \"tests\": [\n", out);
	/* Hidden tests are numbered after the visible ones: no gap in what students see. */
	int points, next_visible = 1, next_hidden = run->ntests - hidden_tests(run, &points) + 1;
	for (int i = 0; i < run->ntests; i++) {
		const struct ag_result *test = &run->tests[i];

		json_test(out, test, test->hidden ? next_hidden++ : next_visible++);
		fputs(i + 1 < run->ntests ? ",\n" : "\n", out);
	}
	fputs("  ]\n}\n", out);
	free(output);
}

int report_json(const char *path, const struct ag_run *run)
{
	return write_whole(path, run, json_run);
}

/* ---- JUnit XML ---- */

enum junit_kind { JUNIT_PASS, JUNIT_FAILURE, JUNIT_ERROR, JUNIT_SKIPPED };

/* A failure is the submission's wrong behaviour; an error, a test that could not judge. */
static enum junit_kind junit_kind(enum ag_status status)
{
	switch (status) {
	case AG_PASSED: return JUNIT_PASS;
	case AG_FAILED: case AG_LEAK: return JUNIT_FAILURE;
	case AG_NOTRUN: return JUNIT_SKIPPED;
	default: return JUNIT_ERROR;
	}
}

static int junit_count(const struct ag_run *run, enum junit_kind kind)
{
	int count = 0;

	for (int i = 0; i < run->ntests; i++)
		count += junit_kind(run->tests[i].status) == kind;
	return count;
}

/* Length of the whole sentences ("... s. ") in the first len bytes of s; len if none. */
static size_t sentences_before(const char *s, size_t len)
{
	for (size_t end = len; end > 1; end--)
		if (s[end - 2] == '.' && s[end - 1] == ' ')
			return end - 1;
	return len;
}

/*
 * The message attribute: one line that reads whole. A message's first line
 * may end in ':' to introduce the lines after it ("timed out after 2.0 s.
 * Where each process was when the deadline passed:"); alone, that clause
 * dangles, so it goes and the sentences before it stay. The status stands in
 * for a message that has no line of its own.
 */
static char *junit_summary(const struct ag_result *test)
{
	const char *message = str(test->message);
	size_t len = strcspn(message, "\n");

	while (len > 0 && strchr(" \t:;,", message[len - 1])) {
		bool introduces = message[len - 1] == ':';

		len--;
		if (introduces)
			len = sentences_before(message, len);
	}
	return len ? strndup(message, len) : strdup(ag_status_name(test->status));
}

static void junit_message_attr(FILE *out, const struct ag_result *test)
{
	char *summary = junit_summary(test);

	fputs(" message=\"", out);
	xml_text(out, summary ? summary : ag_status_name(test->status));
	fputc('"', out);
	free(summary);
}

/* text, without its trailing newlines: the element's text ends where its words do. */
static void xml_text_trimmed(FILE *out, const char *text)
{
	char *trimmed = strdup(str(text));
	size_t len = trimmed ? strlen(trimmed) : 0;

	while (len > 0 && trimmed[len - 1] == '\n')
		trimmed[--len] = '\0';
	xml_text(out, trimmed);
	free(trimmed);
}

static void junit_outcome(FILE *out, const struct ag_result *test, const struct ag_run *run)
{
	static const char *const element[] = {
		[JUNIT_FAILURE] = "failure", [JUNIT_ERROR] = "error",
		[JUNIT_SKIPPED] = "skipped",
	};
	enum junit_kind kind = junit_kind(test->status);

	if (kind == JUNIT_PASS)
		return;
	fprintf(out, "      <%s", element[kind]);
	junit_message_attr(out, test);
	if (kind == JUNIT_SKIPPED) {
		fputs("/>\n", out);
		return;
	}
	fputs(">", out);
	xml_text_trimmed(out, test->message);
	/*
	 * A build failure is every test's failure, and GitLab and GitHub's
	 * readers show a test's failure text, not the suite's system-out: the
	 * compiler's messages go here too.
	 */
	if (run->not_built && run->output && *run->output) {
		char *messages = text_sanitise(run->output, REPORT_OUTPUT_CAP);

		xml_text(out, "\n");
		xml_text_trimmed(out, messages);
		free(messages);
	}
	if (test->hint && *test->hint) {
		xml_text(out, "\nhint: ");
		xml_text_trimmed(out, test->hint);
	}
	fprintf(out, "</%s>\n", element[kind]);
}

/* Suite and class are "lab01-pipes", as JUnit consumers show them. */
static void junit_lab(FILE *out, const struct ag_run *run)
{
	fputs("lab", out);
	xml_text(out, run->lab);
}

static void junit_test(FILE *out, const struct ag_result *test, const struct ag_run *run)
{
	fputs("    <testcase classname=\"", out);
	junit_lab(out, run);
	fputs("\" name=\"", out);
	xml_text(out, test->name);
	fprintf(out, "\" time=\"%.3f\">\n", finite_or_zero(test->seconds));
	junit_outcome(out, test, run);
	if (test->output && *test->output) {
		char *output = text_sanitise(test->output, REPORT_OUTPUT_CAP);
		fputs("      <system-out>", out);
		xml_text(out, output);
		fputs("</system-out>\n", out);
		free(output);
	}
	fputs("    </testcase>\n", out);
}

/*
 * Hidden tests, for the instructor: students never see them on Gradescope.
 * The mark is a property of the suite, "visibility:NAME" = "hidden", because
 * Jenkins' schema (junit-10.xsd) gives a testcase no properties, and a
 * test's system-out is what the test printed, not the grader's notes. One
 * name per test: Jenkins keeps a suite's properties in a map.
 */
static void junit_hidden(FILE *out, const struct ag_run *run)
{
	int points;

	if (hidden_tests(run, &points) == 0)
		return;
	fputs("    <properties>\n", out);
	for (int i = 0; i < run->ntests; i++) {
		if (!run->tests[i].hidden)
			continue;
		fputs("      <property name=\"visibility:", out);
		xml_text(out, run->tests[i].name);
		fputs("\" value=\"hidden\"/>\n", out);
	}
	fputs("    </properties>\n", out);
}

/* The runner's output (compiler messages, a runner crash): the suite's, after its tests. */
static void junit_run_output(FILE *out, const struct ag_run *run)
{
	char *output = text_sanitise(run->output, REPORT_OUTPUT_CAP);

	if (output && *output) {
		fputs("    <system-out>", out);
		xml_text(out, output);
		fputs("</system-out>\n", out);
	}
	free(output);
}

static void junit_run(FILE *out, const struct ag_run *run)
{
	int failures = junit_count(run, JUNIT_FAILURE);
	int errors = junit_count(run, JUNIT_ERROR);
	double seconds = finite_or_zero(run->seconds);

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites tests=\"%d\" failures=\"%d\" errors=\"%d\" "
		"time=\"%.3f\">\n", run->ntests, failures, errors, seconds);
	fputs("  <testsuite name=\"", out);
	junit_lab(out, run);
	fprintf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" "
		"time=\"%.3f\">\n", run->ntests, failures, errors,
		junit_count(run, JUNIT_SKIPPED), seconds);
	junit_hidden(out, run);
	for (int i = 0; i < run->ntests; i++)
		junit_test(out, &run->tests[i], run);
	junit_run_output(out, run);
	fputs("  </testsuite>\n</testsuites>\n", out);
}

int report_junit(const char *path, const struct ag_run *run)
{
	return write_whole(path, run, junit_run);
}

/* ---- terminal ---- */

#define OUTPUT_LINES 20		/* of a failing test's output */
#define RUN_OUTPUT_LINES 40	/* of the runner's output (compile errors) */
#define LINE_COLUMNS 500		/* of one line of text: the rest is cut */
#define DEFAULT_WIDTH 80
#define MIN_WIDTH 40		/* below this, lines are cut too small to read */

/*
 * Text safe to print on a terminal: valid UTF-8, and no control characters
 * (C0, DEL, C1) that could move the cursor, recolour or retitle it. Tabs
 * become spaces (their width is the terminal's guess); newlines stay unless
 * one_line, where they become spaces too.
 */
static char *terminal_text(const char *s, size_t cap, bool one_line)
{
	char *text = text_sanitise(s, cap);
	unsigned char *in = (unsigned char *)text, *out = in;

	if (text == NULL)
		return NULL;
	while (*in) {
		if (in[0] == 0xc2 && in[1] >= 0x80 && in[1] <= 0x9f) {
			*out++ = '?';	/* C1 controls: U+0080..U+009F */
			in += 2;
		} else if (*in == '\n') {
			*out++ = one_line ? ' ' : '\n';
			in++;
		} else if (*in == '\t') {
			*out++ = ' ';
			in++;
		} else {
			*out++ = *in < 0x20 || *in == 0x7f ? '?' : *in;
			in++;
		}
	}
	*out = '\0';
	return text;
}

#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static const char *paint(const struct report_style *style, const char *code)
{
	return style->colour ? code : "";
}

static int report_width(const struct report_style *style)
{
	if (style->width == 0)
		return DEFAULT_WIDTH;
	return style->width < MIN_WIDTH ? MIN_WIDTH : style->width;
}

/* Columns of the first len bytes of valid UTF-8: one per character. */
static int columns_of(const char *s, size_t len)
{
	int cols = 0;

	for (size_t i = 0; i < len; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cols;
}

/* Bytes of s (len of them) that fill at most cols columns, cut at a character. */
static size_t bytes_in_columns(const char *s, size_t len, int cols)
{
	size_t i = 0;

	for (int used = 0; i < len; used++) {
		if (used == cols)
			break;
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/*
 * The len bytes of text, from column `used` of a line the caller began, broken
 * at spaces to fit width; each further line starts with indent, except one
 * whose word would not fit after it (a long path: better whole than cut). A
 * word longer than a whole line is cut.
 */
static void put_wrapped(FILE *out, int used, const char *indent, const char *text,
			size_t len, int width)
{
	int room = width - used;

	for (;;) {
		if (room < 1)
			room = 1;
		size_t take = bytes_in_columns(text, len, room), shown;
		if (take < len) {
			size_t space = take;
			while (space > 0 && text[space] != ' ')
				space--;
			if (space > 0)
				take = space;
		}
		for (shown = take; take < len && shown > 0 && text[shown - 1] == ' '; shown--)
			;	/* no spaces before a break */
		fprintf(out, "%.*s\n", (int)shown, text);
		while (take < len && text[take] == ' ')
			take++;
		text += take;
		len -= take;
		if (len == 0)
			return;
		room = width - columns_of(indent, strlen(indent));
		size_t word = strcspn(text, " ");
		int word_cols = columns_of(text, word < len ? word : len);
		if (word_cols <= room || word_cols > width)
			fputs(indent, out);
		else
			room = width;
	}
}

/*
 * label (in colour, an ANSI code or "") and then text, wrapped: further lines
 * under the text, past the label.
 */
static void put_labelled(FILE *out, const char *indent, const char *colour, const char *label,
			 const char *text, int width)
{
	char *clean = terminal_text(text, SIZE_MAX, true);
	char under[128];

	snprintf(under, sizeof(under), "%s%*s", indent, columns_of(label, strlen(label)), "");
	fprintf(out, "%s%s%s%s", indent, colour, label, *colour ? RESET : "");
	put_wrapped(out, columns_of(under, strlen(under)), under, str(clean),
		    strlen(str(clean)), width);
	free(clean);
}

void report_wrapped(FILE *out, const char *indent, const char *label, const char *text,
		    int width)
{
	struct report_style style = {.width = width};

	put_labelled(out, indent, "", label, text, report_width(&style));
}

static int count_lines(const char *text)
{
	int lines = 0;

	for (; *text; text++)
		lines += *text == '\n' || text[1] == '\0';
	return lines;
}

/*
 * Terminal-safe text, every line indented and wrapped to width, a wrapped
 * line further in by two; at most max_lines lines of the text, then how many
 * were left.
 */
static void put_lines(FILE *out, const char *indent, const char *s, size_t cap,
		      int max_lines, int width)
{
	char *text = terminal_text(s, cap, false);
	const char *line = str(text);

	for (int shown = 0; *line; shown++) {
		size_t len = strcspn(line, "\n");
		size_t lead = strspn(line, " ");
		char under[128];

		if (shown == max_lines) {
			fprintf(out, "%s[... %d more lines]\n", indent, count_lines(line));
			break;
		}
		if (lead > len)
			lead = len;
		if (lead > (size_t)width / 2)
			lead = (size_t)width / 2;	/* deeper is no indent, only spaces */
		/* a line of a flood stays a few lines: the rest of it is cut */
		size_t kept = bytes_in_columns(line, len, LINE_COLUMNS);
		char *piece = NULL;
		if (asprintf(&piece, "%.*s%s", (int)(kept - lead), line + lead,
			     kept < len ? " [...]" : "") == -1)
			piece = NULL;
		snprintf(under, sizeof(under), "%s%*s", indent, (int)lead + 2, "");
		fprintf(out, "%s%.*s", indent, (int)lead, line);
		put_wrapped(out, columns_of(indent, strlen(indent)) + (int)lead, under,
			    str(piece), strlen(str(piece)), width);
		free(piece);
		line += len + (line[len] == '\n');
	}
	free(text);
}

static const char *terminal_tag(enum ag_status status, const char **colour)
{
	static const struct { const char *tag, *colour; } tags[] = {
		[AG_PASSED] = {"ok", GREEN}, [AG_FAILED] = {"FAIL", RED},
		[AG_LEAK] = {"LEAK", YELLOW}, [AG_TIMEOUT] = {"TIME", RED},
		[AG_CRASHED] = {"CRASH", RED}, [AG_ERROR] = {"ERR", RED},
		[AG_NOTRUN] = {"SKIP", YELLOW},
	};

	if ((int)status < 0 || (int)status > AG_NOTRUN)
		status = AG_ERROR;
	*colour = tags[status].colour;
	return tags[status].tag;
}

#define HIDDEN_MARK " [hidden]"	/* after a hidden test's name */
#define DETAIL_INDENT "        "	/* under the name, past "  FAIL  " */
#define OUTPUT_INDENT "          "

/* The tests of one task, in the order the report shows them. */
struct group {
	const char *number;	/* "3.2"; NULL for tests that name no task */
	const struct ag_task *task;	/* the handout's heading; NULL when unknown */
	int *tests;		/* indexes into run->tests */
	int ntests;
	double score, hidden_score;	/* of the visible tests, and of the hidden ones */
	int max_score, hidden_max;	/* the visible tests' add up to the handout's points */
	bool done;		/* every test passed */
};

static bool same_task(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static struct group *group_of(struct group *groups, int ngroups, const char *number)
{
	for (int g = 0; g < ngroups; g++)
		if (same_task(groups[g].number, number))
			return &groups[g];
	return NULL;
}

static int by_number(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->number == NULL || y->number == NULL)
		return (x->number == NULL) - (y->number == NULL);	/* no task: last */
	return strverscmp(x->number, y->number);
}

/*
 * The groups: the handout's tasks in its order, then tasks it does not have
 * (by number), then the tests that name no task. Returns how many; *out is
 * malloc'd (NULL when there are no tests or no memory).
 */
static int make_groups(const struct ag_run *run, struct group **out)
{
	int ngroups = 0, known = run->ntasks;
	struct group *groups = calloc((size_t)(run->ntasks + run->ntests) + 1, sizeof(*groups));
	int *slots = calloc((size_t)run->ntests + 1, sizeof(*slots));

	*out = NULL;
	if (groups == NULL || slots == NULL || run->ntests == 0) {
		free(groups);
		free(slots);
		return 0;
	}
	for (int t = 0; t < run->ntasks; t++)
		groups[ngroups++] = (struct group){.number = run->tasks[t].number,
						   .task = &run->tasks[t]};
	for (int i = 0; i < run->ntests; i++)
		if (group_of(groups, ngroups, run->tests[i].task) == NULL)
			groups[ngroups++] = (struct group){.number = run->tests[i].task};
	qsort(groups + known, (size_t)(ngroups - known), sizeof(*groups), by_number);
	/* the tests, each group's in the run's order, share one array */
	int used = 0;
	for (int g = 0; g < ngroups; g++) {
		groups[g].tests = slots + used;
		groups[g].done = true;
		for (int i = 0; i < run->ntests; i++) {
			const struct ag_result *test = &run->tests[i];

			if (!same_task(test->task, groups[g].number))
				continue;
			groups[g].tests[groups[g].ntests++] = i;
			*(test->hidden ? &groups[g].hidden_score : &groups[g].score) += test->score;
			*(test->hidden ? &groups[g].hidden_max : &groups[g].max_score) +=
				test->max_score;
			groups[g].done &= test->status == AG_PASSED;
		}
		used += groups[g].ntests;
	}
	*out = groups;
	return ngroups;
}

static void free_groups(struct group *groups)
{
	if (groups != NULL)
		free(groups[0].tests);	/* the array every group's tests are in */
	free(groups);
}

/* "3.2 run_pipeline(): who closes what", "task 3.7", or "tests with no task". */
static char *group_title(const struct group *g)
{
	char *title = NULL;

	if (g->task && g->task->title && *g->task->title) {
		char *words = terminal_text(g->task->title, SIZE_MAX, true);
		char *number = terminal_text(g->number, SIZE_MAX, true);
		if (words && number && asprintf(&title, "%s %s", number, words) == -1)
			title = NULL;
		free(words);
		free(number);
	} else if (g->number) {
		char *number = terminal_text(g->number, SIZE_MAX, true);
		if (number && asprintf(&title, "task %s", number) == -1)
			title = NULL;
		free(number);
	} else {
		title = strdup("tests with no task");
	}
	return title;
}

/*
 * The task and, at the right margin, its score: "3.1 read_full() ...   0/16",
 * the handout's points; a hidden test's come after them, "0/30 + 0/5 hidden".
 */
static void terminal_group_line(FILE *out, const struct group *g,
				const struct report_style *style)
{
	int width = report_width(style);
	char *title = group_title(g);
	char points[96], score[AG_POINTS_LEN], hidden[AG_POINTS_LEN];
	int len = g->hidden_max == 0 ?
		snprintf(points, sizeof(points), "%s/%d", ag_points(score, g->score),
			 g->max_score) :
		snprintf(points, sizeof(points), "%s/%d + %s/%d hidden",
			 ag_points(score, g->score), g->max_score,
			 ag_points(hidden, g->hidden_score), g->hidden_max);
	int cols = columns_of(str(title), strlen(str(title)));

	fputs(paint(style, BOLD), out);
	if (cols + 2 + len <= width) {
		fprintf(out, "%s%*s%s\n", str(title), width - cols, points, paint(style, RESET));
	} else {
		put_wrapped(out, 0, "    ", str(title), strlen(str(title)), width);
		fprintf(out, "%*s%s\n", width, points, paint(style, RESET));
	}
	free(title);
}

/* "  FAIL  0/4  read_full_stops_at_eof [hidden]": tag, points, name. */
static void terminal_test_line(FILE *out, const struct ag_result *test,
			       const struct report_style *style, int points_width)
{
	const char *colour;
	const char *tag = terminal_tag(test->status, &colour);
	char *name = terminal_text(test->name, SIZE_MAX, true);
	char line[128], score[AG_POINTS_LEN];

	snprintf(line, sizeof(line), "%s/%d", ag_points(score, test->score), test->max_score);
	fprintf(out, "  %s%-5s%s %*s  ", paint(style, colour), tag, paint(style, RESET),
		points_width, line);
	char *shown = NULL;
	if (asprintf(&shown, "%s%s", str(name), test->hidden ? HIDDEN_MARK : "") == -1)
		shown = NULL;
	put_wrapped(out, 2 + 5 + 1 + points_width + 2, DETAIL_INDENT, str(shown),
		    strlen(str(shown)), report_width(style));
	free(shown);
	free(name);
}

/* What the test checks, why it failed, what to read, and the command that reruns it. */
static void terminal_details(FILE *out, const struct ag_result *test,
			     const struct report_style *style)
{
	int width = report_width(style);
	bool failed = test->status != AG_PASSED;

	if (test->desc && *test->desc)
		put_labelled(out, DETAIL_INDENT, "", "", test->desc, width);
	if (failed) {
		put_lines(out, DETAIL_INDENT, test->message, SIZE_MAX, INT_MAX, width);
		if (test->hint && *test->hint)
			put_labelled(out, DETAIL_INDENT, "", "hint: ", test->hint, width);
		if (style->rerun) {
			char *rerun = NULL;
			if (asprintf(&rerun, "%s %s", style->rerun, str(test->name)) != -1)
				put_labelled(out, DETAIL_INDENT, "", "rerun: ", rerun, width);
			free(rerun);
		}
	}
	if ((failed || style->verbose) && test->output && *test->output) {
		fputs(DETAIL_INDENT "output:\n", out);
		put_lines(out, OUTPUT_INDENT, test->output, REPORT_OUTPUT_CAP, OUTPUT_LINES,
			  width);
	}
}

/* text without its first line when reason ends with that line: said already. */
static const char *unsaid(const char *text, const char *reason)
{
	size_t len = strcspn(text, "\n"), rlen = reason ? strlen(reason) : 0;

	if (len == 0 || rlen < len || strncmp(reason + rlen - len, text, len) != 0)
		return text;
	return text + len + (text[len] == '\n');
}

static void terminal_header(FILE *out, const struct ag_run *run,
			    const struct report_style *style, const char *reason)
{
	int width = report_width(style);
	char *lab = terminal_text(run->lab, SIZE_MAX, true);
	char *title = terminal_text(run->title, SIZE_MAX, true);

	/* "Lab 01: pipes", or "lab 01-pipes" when the run has no title. */
	if (title && *title)
		fprintf(out, "%s%s%s\n", paint(style, BOLD), title, paint(style, RESET));
	else
		fprintf(out, "%slab %s%s\n", paint(style, BOLD), str(lab), paint(style, RESET));
	free(lab);
	free(title);
	if (!isolated(run)) {
		char *note = NULL;
		if (asprintf(&note, "tests are not isolated (%s); see `ipclab doctor`",
			     isolation_reason(run)) != -1) {
			put_labelled(out, "", paint(style, YELLOW), "note: ", note, width);
		}
		free(note);
	}
	if (reason)
		put_lines(out, "", reason, SIZE_MAX, INT_MAX, width);
	if (run->output && *unsaid(run->output, reason))
		put_lines(out, "", unsaid(run->output, reason), REPORT_OUTPUT_CAP,
			  RUN_OUTPUT_LINES, width);
}

/*
 * The one reason no test passed, when every test failed for the same reason
 * (the code did not compile, the submission is not there): said once, not
 * once per test. NULL otherwise.
 */
static const char *common_reason(const struct ag_run *run)
{
	if (run->ntests < 2)
		return NULL;
	for (int i = 0; i < run->ntests; i++) {
		const struct ag_result *test = &run->tests[i];
		if (test->status == AG_PASSED || test->message == NULL || *test->message == '\0' ||
		    strcmp(test->message, str(run->tests[0].message)) != 0)
			return NULL;
	}
	return run->tests[0].message;
}

static int points_width(const struct ag_run *run)
{
	int width = 0;

	for (int i = 0; i < run->ntests; i++) {
		char score[AG_POINTS_LEN];
		int len = snprintf(NULL, 0, "%s/%d", ag_points(score, run->tests[i].score),
				   run->tests[i].max_score);
		width = len > width ? len : width;
	}
	return width;
}

/* The name of the group's first test that did not pass. */
static const char *first_failure(const struct ag_run *run, const struct group *g)
{
	for (int k = 0; k < g->ntests; k++)
		if (run->tests[g->tests[k]].status != AG_PASSED)
			return str(run->tests[g->tests[k]].name);
	return "";
}

/* Where to begin: the first task not done, and its handout section. */
static void terminal_start_here(FILE *out, const struct ag_run *run, const struct group *g,
				const struct report_style *style)
{
	char *title = group_title(g);
	char *line = NULL;
	int rc;

	if (g->task && g->task->where && *g->task->where)
		rc = asprintf(&line, "%s, in %s", str(title), g->task->where);
	else if (g->number)
		rc = asprintf(&line, "%s (section %s of the handout)", str(title), g->number);
	else
		rc = asprintf(&line, "%s", first_failure(run, g));
	if (rc != -1) {
		put_labelled(out, "", paint(style, BOLD), "start here: ", line,
			     report_width(style));
	}
	free(line);
	free(title);
}

void report_terminal(FILE *out, const struct ag_run *run, const struct report_style *style)
{
	struct group *groups;
	int ngroups = make_groups(run, &groups);
	const struct group *start = NULL;
	const char *reason = common_reason(run);
	int passed = 0, pw = points_width(run);
	bool more = false;	/* failures not shown in full */

	terminal_header(out, run, style, reason);
	/* with one reason for every test, the tests have nothing more to say */
	for (int g = 0; g < ngroups && reason == NULL; g++) {
		bool full = style->verbose || !style->focus;

		if (start == NULL && !groups[g].done && groups[g].ntests > 0) {
			start = &groups[g];
			full = true;
		}
		if (groups[g].ntests == 0)
			continue;	/* a task no test grades */
		fputc('\n', out);
		if (groups[g].number || ngroups > 1)
			terminal_group_line(out, &groups[g], style);
		for (int k = 0; k < groups[g].ntests; k++) {
			const struct ag_result *test = &run->tests[groups[g].tests[k]];

			terminal_test_line(out, test, style, pw);
			if (full && (test->status != AG_PASSED || style->verbose))
				terminal_details(out, test, style);
			more |= !full && test->status != AG_PASSED;
			passed += test->status == AG_PASSED;
		}
	}
	int points, hidden = hidden_tests(run, &points);
	char score[AG_POINTS_LEN], *summary = NULL;
	int rc = hidden > 0 ?
		asprintf(&summary, "%d/%d tests passed (%d hidden, worth %d of the points)",
			 passed, run->ntests, hidden, points) :
		asprintf(&summary, "%d/%d tests passed", passed, run->ntests);
	if (rc != -1) {
		fputc('\n', out);
		put_labelled(out, "", "", "", summary, report_width(style));
		free(summary);
	}
	if (more && style->rerun)
		fprintf(out, "`%s -v` shows every failure in full\n", style->rerun);
	if (start && reason == NULL)
		terminal_start_here(out, run, start, style);
	free_groups(groups);
	/* Plain even in colour: scripts and gradelib-style graders read this line. */
	ag_points(score, run_score(run));
	fprintf(out, "score: %s/%d\n", score, run_max_score(run));
}
