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

/*
 * The message attribute: one line that reads whole. A message's first line
 * may end in ':' to introduce the lines after it ("timed out after 2.0 s.
 * Where each process was when the deadline passed:"); alone, that clause
 * dangles, so it goes and the sentences before it stay. The status stands in
 * for a message that has no line of its own.
 */
/* Length of the whole sentences ("... s. ") in the first len bytes of s; len if none. */
static size_t sentences_before(const char *s, size_t len)
{
	for (size_t end = len; end > 1; end--)
		if (s[end - 2] == '.' && s[end - 1] == ' ')
			return end - 1;
	return len;
}

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
#define LINE_BYTES 500		/* longer lines are cut: one line stays one line */
#define NAME_WIDTH_MAX 40

/*
 * Text safe to print on a terminal: valid UTF-8, and no control characters
 * (C0, DEL, C1) that could move the cursor, recolour or retitle it. Tabs and
 * newlines stay unless one_line, where they become spaces.
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
		} else if (*in == '\n' || *in == '\t') {
			*out++ = one_line ? ' ' : *in;
			in++;
		} else {
			*out++ = *in < 0x20 || *in == 0x7f ? '?' : *in;
			in++;
		}
	}
	*out = '\0';
	return text;
}

static const char *paint(const struct report_style *style, const char *code)
{
	return style->colour ? code : "";
}

#define GREEN "\033[32m"
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

static int count_lines(const char *text)
{
	int lines = 0;

	for (; *text; text++)
		lines += *text == '\n' || text[1] == '\0';
	return lines;
}

/* One line of at most LINE_BYTES, cut at a character boundary. */
static void put_line(FILE *out, const char *indent, const char *line, size_t len)
{
	size_t shown = len;

	if (shown > LINE_BYTES) {
		shown = LINE_BYTES;
		while (shown > 0 && ((unsigned char)line[shown] & 0xc0) == 0x80)
			shown--;
	}
	fprintf(out, "%s%.*s%s\n", indent, (int)shown, line, shown < len ? " [...]" : "");
}

/* Terminal-safe text, every line indented; at most max_lines, then how many were left. */
static void put_lines(FILE *out, const char *indent, const char *s, size_t cap,
		      int max_lines)
{
	char *text = terminal_text(s, cap, false);
	const char *line = str(text);

	for (int shown = 0; *line; shown++) {
		size_t len = strcspn(line, "\n");

		if (shown == max_lines) {
			fprintf(out, "%s[... %d more lines]\n", indent, count_lines(line));
			break;
		}
		put_line(out, indent, line, len);
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

/* Column widths, so that every test line lines up. */
struct columns {
	int points, name;
};

static struct columns terminal_columns(const struct ag_run *run)
{
	struct columns width = {0, 0};

	for (int i = 0; i < run->ntests; i++) {
		const struct ag_result *test = &run->tests[i];
		char score[AG_POINTS_LEN];
		int points = snprintf(NULL, 0, "%s/%d", ag_points(score, test->score),
				      test->max_score);
		int name = (int)strlen(str(test->name));

		/* the cap is for the name; a hidden test's mark comes on top */
		if (name > NAME_WIDTH_MAX)
			name = NAME_WIDTH_MAX;
		if (test->hidden)
			name += (int)strlen(HIDDEN_MARK);
		width.points = points > width.points ? points : width.points;
		width.name = name > width.name ? name : width.name;
	}
	return width;
}

static void terminal_test_line(FILE *out, const struct ag_result *test,
			       const struct report_style *style, struct columns width)
{
	const char *colour;
	const char *tag = terminal_tag(test->status, &colour);
	char *name = terminal_text(test->name, SIZE_MAX, true);
	char *desc = terminal_text(test->desc, SIZE_MAX, true);
	char points[64], score[AG_POINTS_LEN];
	/* the mark pads with the name, so the descriptions still line up */
	int pad = width.name - (int)strlen(str(name));

	snprintf(points, sizeof(points), "%s/%d", ag_points(score, test->score),
		 test->max_score);
	fprintf(out, "  %s%-5s%s %*s  %s%-*s", paint(style, colour), tag, paint(style, RESET),
		width.points, points, str(name), pad > 0 ? pad : 0,
		test->hidden ? HIDDEN_MARK : "");
	if (desc && *desc)
		fprintf(out, "  - %s", desc);
	fputc('\n', out);
	free(name);
	free(desc);
}

#define DETAIL_INDENT "        "	/* under the name, past "  FAIL  " */
#define OUTPUT_INDENT "          "

/* Why it failed, what to read, and the command that reruns just this test. */
static void terminal_why(FILE *out, const struct ag_result *test,
			 const struct report_style *style)
{
	put_lines(out, DETAIL_INDENT, test->message, SIZE_MAX, INT_MAX);
	if (test->hint && *test->hint) {
		char *hint = terminal_text(test->hint, SIZE_MAX, true);
		fprintf(out, DETAIL_INDENT "hint: %s\n", str(hint));
		free(hint);
	}
	if (style->rerun) {
		char *name = terminal_text(test->name, SIZE_MAX, true);
		fprintf(out, DETAIL_INDENT "rerun: %s %s\n", style->rerun, str(name));
		free(name);
	}
}

static void terminal_details(FILE *out, const struct ag_result *test,
			     const struct report_style *style)
{
	bool failed = test->status != AG_PASSED;

	if (failed)
		terminal_why(out, test, style);
	if ((failed || style->verbose) && test->output && *test->output) {
		fputs(DETAIL_INDENT "output:\n", out);
		put_lines(out, OUTPUT_INDENT, test->output, REPORT_OUTPUT_CAP, OUTPUT_LINES);
	}
}

static void terminal_header(FILE *out, const struct ag_run *run,
			    const struct report_style *style)
{
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
		char *reason = terminal_text(isolation_reason(run), SIZE_MAX, true);
		fprintf(out, "%snote: tests are not isolated (%s); see `ipclab doctor`%s\n",
			paint(style, YELLOW), str(reason), paint(style, RESET));
		free(reason);
	}
	if (run->output && *run->output)
		put_lines(out, "", run->output, REPORT_OUTPUT_CAP, RUN_OUTPUT_LINES);
}

void report_terminal(FILE *out, const struct ag_run *run, const struct report_style *style)
{
	struct columns width = terminal_columns(run);
	int passed = 0;

	terminal_header(out, run, style);
	fputc('\n', out);
	for (int i = 0; i < run->ntests; i++) {
		terminal_test_line(out, &run->tests[i], style, width);
		terminal_details(out, &run->tests[i], style);
		passed += run->tests[i].status == AG_PASSED;
	}
	int points, hidden = hidden_tests(run, &points);
	char score[AG_POINTS_LEN];
	if (hidden > 0)
		fprintf(out, "\n%d/%d tests passed (%d hidden, worth %d of the points)\n",
			passed, run->ntests, hidden, points);
	else
		fprintf(out, "\n%d/%d tests passed\n", passed, run->ntests);
	/* Plain even in colour: scripts and gradelib-style graders read this line. */
	ag_points(score, run_score(run));
	fprintf(out, "score: %s/%d\n", score, run_max_score(run));
}
