/*
 * classreport.c - the class report of `ipclab grade`'s batch mode: one
 * static HTML file an instructor opens in a browser or prints.
 *
 * Everything in it but the layout comes from submissions (their names, the
 * messages their code provoked), so every text goes through html_text():
 * valid UTF-8 (report.h's text_sanitise), capped, and escaped. The file is
 * also well-formed XML (every element closed, no '<' or '&' in the CSS), so
 * an XML parser can check its structure; it has no script and loads nothing.
 * It is written whole in memory, then to PATH.tmp and renamed over PATH.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "classreport.h"
#include "report.h"
#include "util.h"

#define NAME_CAP 200		/* bytes of a submission's or a test's name shown */
#define TEXT_CAP 500		/* of a reason, a description or a hint */
#define LINE_CAP 240		/* of the failure message line a signature keeps */
#define TOP_SIGNATURES 10
#define BINS 10

static const char *str(const char *s)
{
	return s ? s : "";
}

/* ---- escaping ---- */

static void html_byte(FILE *out, unsigned char c)
{
	switch (c) {
	case '&': fputs("&amp;", out); return;
	case '<': fputs("&lt;", out); return;
	case '>': fputs("&gt;", out); return;
	case '"': fputs("&quot;", out); return;
	case '\'': fputs("&#39;", out); return;
	case '\r': putc(' ', out); return;
	}
	if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
		fputs("\xef\xbf\xbd", out);	/* controls: parse errors in HTML, illegal in XML */
	else
		putc(c, out);
}

/* C1 controls (U+0080..U+009F) and U+FFFE, U+FFFF: valid UTF-8, not valid in a page. */
static size_t forbidden_char(const unsigned char *p)
{
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	if (p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
		return 3;
	return 0;
}

/* s as an element's text or an attribute's value: sanitised, capped, escaped. */
static void html_text(FILE *out, const char *s, size_t cap)
{
	char *clean = text_sanitise(s, cap);

	if (clean == NULL)
		die("out of memory");
	for (const unsigned char *p = (const unsigned char *)clean; *p;) {
		size_t skip = forbidden_char(p);

		if (skip) {
			fputs("\xef\xbf\xbd", out);
			p += skip;
		} else {
			html_byte(out, *p++);
		}
	}
	free(clean);
}

/* ---- what the report counts ---- */

struct test_row {
	const struct ag_result *plan;	/* the first run's test: name, description, points */
	int passed, failed;		/* among graded submissions */
};

struct signature {
	/* its test and hint, from the first failure seen; NULL: whole submissions */
	const struct ag_result *first;
	enum class_verdict verdict;	/* of such a row: why they all failed */
	char *line;			/* the message's first line, normalised */
	int count;
	int order;			/* when it was first seen: ties keep that order */
};

struct class_stats {
	int n, graded;
	int tested;			/* graded, with verdict CLASS_TESTED */
	int max_points;			/* the lab's maximum score */
	double mean, median;		/* points, over graded submissions */
	int bins[BINS];			/* graded submissions per tenth of the maximum */
	struct test_row *tests;
	int ntests;
	struct signature *sigs;
	int nsigs;
};

static const struct ag_run no_run;

static const struct ag_run *run_of(const struct class_entry *entry)
{
	return entry->run ? entry->run : &no_run;
}

static bool graded(const struct class_entry *entry)
{
	return entry->problem == NULL;
}

/* Graded, and its tests ran on the student's code: it counts test by test. */
static bool tested(const struct class_entry *entry)
{
	return graded(entry) && entry->verdict == CLASS_TESTED;
}

const char *class_verdict_name(enum class_verdict verdict)
{
	switch (verdict) {
	case CLASS_NO_BUILD: return "did not compile";
	case CLASS_SKELETON: return "the skeleton, unchanged";
	case CLASS_TESTED: break;
	}
	return NULL;
}

/* Score as a percentage of the submission's own maximum (0 when it has none). */
static double percent(const struct ag_run *run)
{
	int max = run_max_score(run);

	return max > 0 ? 100.0 * run_score(run) / max : 0;
}

static int bin_of(double pct)
{
	int bin = (int)(pct / (100.0 / BINS));

	return bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin;	/* 100% joins the last bin */
}

/* Counts, mean, median, histogram and the lab's maximum. */
static void count_scores(struct class_stats *stats, const struct class_entry *entries)
{
	double *scores = xmalloc(sizeof(double) * (stats->n + 1));
	double sum = 0;

	for (int i = 0; i < stats->n; i++) {
		const struct ag_run *run = run_of(&entries[i]);
		int max = run_max_score(run);

		if (max > stats->max_points)
			stats->max_points = max;	/* every run has the lab's plan */
		if (!graded(&entries[i]))
			continue;
		stats->tested += tested(&entries[i]);
		scores[stats->graded++] = run_score(run);
		sum += run_score(run);
		stats->bins[bin_of(percent(run))]++;
	}
	stats->mean = stats->graded ? sum / stats->graded : 0;
	stats->median = median_of(scores, stats->graded);
	free(scores);
}

static bool same_test(const struct ag_result *a, const struct ag_result *b)
{
	return strcmp(str(a->suite), str(b->suite)) == 0 &&
	       strcmp(str(a->name), str(b->name)) == 0;
}

static struct test_row *find_row(struct class_stats *stats, const struct ag_result *test)
{
	for (int i = 0; i < stats->ntests; i++)
		if (same_test(stats->tests[i].plan, test))
			return &stats->tests[i];
	return NULL;
}

/* The tests in plan order: the first run's, then any test a later run adds. */
static struct test_row *row_for(struct class_stats *stats, const struct ag_result *test)
{
	struct test_row *row = find_row(stats, test);

	if (row)
		return row;
	stats->tests = xrealloc(stats->tests, sizeof(*row) * (stats->ntests + 1));
	row = &stats->tests[stats->ntests++];
	*row = (struct test_row){.plan = test};
	return row;
}

static void count_tests(struct class_stats *stats, const struct class_entry *entries)
{
	for (int i = 0; i < stats->n; i++) {
		const struct ag_run *run = run_of(&entries[i]);

		for (int t = 0; t < run->ntests; t++) {
			struct test_row *row = row_for(stats, &run->tests[t]);

			if (!tested(&entries[i]))
				continue;
			if (run->tests[t].status == AG_PASSED)
				row->passed++;
			else
				row->failed++;
		}
	}
}

/* ---- failure signatures ---- */

/* A path starts with '/' at the start of a word: "on /tmp/x", "'/dev/shm/y'". */
static bool path_start(const char *line, const char *p)
{
	return *p == '/' && p[1] && !isspace((unsigned char)p[1]) &&
	       (p == line || strchr(" \t([{'\"=:,", p[-1]));
}

static const char *skip_path(const char *p)
{
	return p + strcspn(p, " \t'\")]},;:");
}

/* The first line of a message, valid UTF-8, at most cap bytes ("\n[..." marks a cut). */
static char *first_line(const char *message, size_t cap)
{
	char *line = strndup(str(message), strcspn(str(message), "\n"));
	char *clean = line ? text_sanitise(line, cap) : NULL;

	free(line);
	if (clean == NULL)
		die("out of memory");
	return clean;
}

/* Length of a number at p (decimal, or hex with 0x), or 0; not the digits of "cmd2". */
static size_t number_len(const char *line, const char *p)
{
	size_t len = 0;

	if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
		return 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2]))
		for (len = 2; isxdigit((unsigned char)p[len]); len++)
			;
	while (isdigit((unsigned char)p[len]))
		len++;
	return len;
}

/*
 * The part of a message that says what went wrong, without what changes from
 * run to run: its first line, numbers as N (pids, counts, sizes, hex keys;
 * not digits inside a word), absolute paths as PATH. "pid 1234" and "pid 99"
 * group together.
 */
static char *normalise(const char *message)
{
	char *line = first_line(message, LINE_CAP);
	char *out = xmalloc(2 * strlen(line) + 8), *o = out;	/* "/x" -> "PATH" at worst */
	const char *p = line;

	while (*p && *p != '\n') {
		size_t len = number_len(line, p);

		if (len) {
			*o++ = 'N';
			p += len;
		} else if (path_start(line, p)) {
			o = stpcpy(o, "PATH");
			p = skip_path(p);
		} else {
			*o++ = *p++;
		}
	}
	strcpy(o, *p == '\n' ? " [...]" : "");
	free(line);
	return out;
}

static struct signature *find_signature(struct class_stats *stats,
					const struct ag_result *test, const char *line)
{
	for (int i = 0; i < stats->nsigs; i++) {
		struct signature *sig = &stats->sigs[i];

		if (sig->first && sig->first->status == test->status &&
		    same_test(sig->first, test) && strcmp(sig->line, line) == 0)
			return sig;
	}
	return NULL;
}

static void add_failure(struct class_stats *stats, const struct ag_result *test)
{
	char *line = normalise(test->message);
	struct signature *sig = find_signature(stats, test, line);

	if (sig) {
		sig->count++;
		free(line);
		return;
	}
	stats->sigs = xrealloc(stats->sigs, sizeof(*sig) * (stats->nsigs + 1));
	sig = &stats->sigs[stats->nsigs++];
	*sig = (struct signature){.first = test, .line = line, .count = 1};
}

/* Most frequent first; among equals, the one seen first. */
static int compare_signatures(const void *a, const void *b)
{
	const struct signature *x = a, *y = b;

	if (x->count != y->count)
		return y->count - x->count;
	return (x->order > y->order) - (x->order < y->order);
}

/* One row for the graded submissions of a verdict other than tested, if any. */
static void add_whole(struct class_stats *stats, const struct class_entry *entries,
		      enum class_verdict verdict)
{
	int count = 0;

	for (int i = 0; i < stats->n; i++)
		count += graded(&entries[i]) && entries[i].verdict == verdict;
	if (count == 0)
		return;
	stats->sigs = xrealloc(stats->sigs, sizeof(*stats->sigs) * (stats->nsigs + 1));
	stats->sigs[stats->nsigs++] = (struct signature){
		.verdict = verdict, .count = count,
		.line = xstrdup(class_verdict_name(verdict))};
}

static void count_failures(struct class_stats *stats, const struct class_entry *entries)
{
	for (int i = 0; i < stats->n; i++) {
		const struct ag_run *run = run_of(&entries[i]);

		for (int t = 0; tested(&entries[i]) && t < run->ntests; t++)
			if (run->tests[t].status != AG_PASSED)
				add_failure(stats, &run->tests[t]);
	}
	add_whole(stats, entries, CLASS_NO_BUILD);
	add_whole(stats, entries, CLASS_SKELETON);
	for (int i = 0; i < stats->nsigs; i++)
		stats->sigs[i].order = i;
	qsort(stats->sigs, stats->nsigs, sizeof(*stats->sigs), compare_signatures);
}

static void stats_free(struct class_stats *stats)
{
	for (int i = 0; i < stats->nsigs; i++)
		free(stats->sigs[i].line);
	free(stats->sigs);
	free(stats->tests);
}

/* ---- the page ---- */

#define EN_DASH "\xe2\x80\x93"

/* No '<' or '&' in here: the page stays well-formed XML. */
static const char page_css[] =
	":root { color-scheme: light; }\n"
	"body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans',"
	" sans-serif; color: #1f2328; background: #fff; max-width: 1100px;"
	" margin: 2rem auto; padding: 0 1.5rem; }\n"
	"h1 { font-size: 1.7rem; margin: 0 0 .2rem; }\n"
	"h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .25rem;"
	" border-bottom: 1px solid #d0d7de; }\n"
	".meta, .note { color: #59636e; font-size: .9rem; }\n"
	".cards { display: flex; flex-wrap: wrap; gap: .75rem; }\n"
	".card { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem;"
	" min-width: 8rem; }\n"
	".card .value { font-size: 1.6rem; font-weight: 600; }\n"
	".card .label { color: #59636e; font-size: .85rem; }\n"
	"table { border-collapse: collapse; width: 100%; font-size: .92rem; }\n"
	"th, td { text-align: left; vertical-align: top; padding: .3rem .6rem;"
	" border-bottom: 1px solid #e4e7eb; }\n"
	"th { background: #f6f8fa; font-weight: 600; }\n"
	".num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
	".bar { display: inline-block; width: 8rem; height: .7rem; margin-left: .5rem;"
	" vertical-align: middle; background: #f3d1d1; border-radius: 3px; overflow: hidden; }\n"
	".bar span { display: block; height: 100%; background: #2da44e; }\n"
	"code, .msg { font-family: ui-monospace, 'DejaVu Sans Mono', monospace;"
	" font-size: .85rem; }\n"
	".msg, .name { overflow-wrap: anywhere; } .status { white-space: nowrap; }\n"
	".ok { color: #1a7f37; } .bad { color: #cf222e; }"
	" .notgraded { color: #9a6700; font-weight: 600; }\n"
	"svg { display: block; max-width: 100%; height: auto; }\n"
	"svg text { font: 12px system-ui, 'DejaVu Sans', sans-serif; fill: #1f2328; }\n"
	"@media print { body { margin: 0; max-width: none; font-size: 10pt; }"
	" h2 { break-after: avoid; } tr, .card, svg { break-inside: avoid; }"
	" * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }\n";

static void html_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<title>Class report: ", out);
	html_text(out, title, NAME_CAP);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Class report: ",
		page_css);
	html_text(out, title, NAME_CAP);
	fputs("</h1>\n", out);
}

static void html_date(FILE *out)
{
	time_t now = time(NULL);
	struct tm tm;
	char date[64] = "";

	if (localtime_r(&now, &tm))
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M %Z", &tm);
	fputs("<p class=\"meta\">Written by ipclab grade on <span id=\"date\">", out);
	html_text(out, date, sizeof(date));
	fputs("</span>.</p>\n", out);
}

static void card(FILE *out, const char *id, const char *label, const char *value)
{
	fprintf(out, "<div class=\"card\"><div class=\"value\" id=\"%s\">%s</div>"
		"<div class=\"label\">%s</div></div>\n", id, value, label);
}

/* A mean or a median: one decimal, or a dash when nothing was graded. */
static void score_value(char *buf, size_t cap, int graded, double score)
{
	if (graded)
		snprintf(buf, cap, "%.1f", score);
	else
		snprintf(buf, cap, "%s", EN_DASH);
}

static void html_summary(FILE *out, const struct class_stats *stats)
{
	char value[64];
	double pct = stats->max_points ? 100 * stats->mean / stats->max_points : 0;

	fputs("<h2>Summary</h2>\n<div class=\"cards\">\n", out);
	snprintf(value, sizeof(value), "%d", stats->n);
	card(out, "submissions", "submissions", value);
	snprintf(value, sizeof(value), "%d", stats->graded);
	card(out, "graded", "graded", value);
	snprintf(value, sizeof(value), "%d", stats->n - stats->graded);
	card(out, "not-graded", "not graded", value);
	score_value(value, sizeof(value), stats->graded, stats->mean);
	card(out, "mean", "mean score", value);
	score_value(value, sizeof(value), stats->graded, stats->median);
	card(out, "median", "median score", value);
	snprintf(value, sizeof(value), "%d", stats->max_points);
	card(out, "max", "maximum score", value);
	fputs("</div>\n", out);
	if (stats->graded)
		fprintf(out, "<p class=\"note\">Mean %.0f%% of the maximum. Statistics, the "
			"histogram and the tables below cover the %d graded submission%s.</p>\n",
			pct, stats->graded, stats->graded == 1 ? "" : "s");
}

/* ---- the histogram (inline SVG) ---- */

#define PLOT_X 50		/* left of the plot area, after the y labels */
#define PLOT_TOP 20
#define PLOT_BASE 220		/* y of the x axis */
#define SLOT 58			/* width of one bin */
#define BAR_WIDTH 44
#define BAR_MAX 180		/* height of the tallest bar */

static int tallest_bin(const struct class_stats *stats)
{
	int tallest = 0;

	for (int i = 0; i < BINS; i++)
		tallest = stats->bins[i] > tallest ? stats->bins[i] : tallest;
	return tallest;
}

static void histogram_axes(FILE *out, int tallest)
{
	int right = PLOT_X + BINS * SLOT;

	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#59636e\"/>\n"
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#59636e\"/>\n",
		PLOT_X, PLOT_TOP, PLOT_X, PLOT_BASE, PLOT_X, PLOT_BASE, right, PLOT_BASE);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n",
		PLOT_X - 6, PLOT_BASE + 4);
	if (tallest > 0)
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>\n",
			PLOT_X - 6, PLOT_BASE - BAR_MAX + 4, tallest);
	fprintf(out, "<text transform=\"rotate(-90)\" x=\"%d\" y=\"16\" "
		"text-anchor=\"middle\">submissions</text>\n", -(PLOT_TOP + PLOT_BASE) / 2);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">score, %% of the "
		"maximum</text>\n", PLOT_X + BINS * SLOT / 2, PLOT_BASE + 44);
}

static void histogram_bin(FILE *out, int bin, int count, int tallest)
{
	int height = tallest ? count * BAR_MAX / tallest : 0;
	int x = PLOT_X + bin * SLOT + (SLOT - BAR_WIDTH) / 2;
	int middle = PLOT_X + bin * SLOT + SLOT / 2;
	int low = bin * (100 / BINS);

	if (height == 0 && count > 0)
		height = 1;
	fprintf(out, "<rect class=\"bin\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
		"fill=\"#0969da\"><title>%d" EN_DASH "%d%%: %d</title></rect>\n",
		x, PLOT_BASE - height, BAR_WIDTH, height, low, low + 100 / BINS, count);
	fprintf(out, "<text class=\"count\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
		"%d</text>\n", middle, PLOT_BASE - height - 5, count);
	fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d" EN_DASH "%d</text>\n",
		middle, PLOT_BASE + 16, low, low + 100 / BINS);
}

static void html_histogram(FILE *out, const struct class_stats *stats)
{
	int tallest = tallest_bin(stats);

	fputs("<h2>Score distribution</h2>\n", out);
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"histogram\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Histogram of "
		"the graded submissions' scores\">\n", PLOT_X + BINS * SLOT + 10,
		PLOT_BASE + 52, PLOT_X + BINS * SLOT + 10, PLOT_BASE + 52);
	histogram_axes(out, tallest);
	for (int i = 0; i < BINS; i++)
		histogram_bin(out, i, stats->bins[i], tallest);
	if (stats->graded == 0)
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no graded "
			"submissions</text>\n", PLOT_X + BINS * SLOT / 2, PLOT_BASE / 2);
	fputs("</svg>\n<p class=\"note\">Graded submissions per tenth of the maximum score; "
	      "the last bar includes full marks.</p>\n", out);
}

/* ---- tables ---- */

static void pass_rate_cell(FILE *out, int passed, int total)
{
	if (total == 0) {
		fputs("<td class=\"num\">" EN_DASH "</td>", out);
		return;
	}
	int pct = (int)(100.0 * passed / total + 0.5);
	fprintf(out, "<td class=\"num\">%d%%<span class=\"bar\"><span style=\"width: %d%%\">"
		"</span></span></td>", pct, pct);
}

static void html_tests(FILE *out, const struct class_stats *stats)
{
	fputs("<h2>Tests</h2>\n", out);
	if (stats->ntests == 0) {
		fputs("<p>No tests: no submission has results.</p>\n", out);
		return;
	}
	if (stats->tested < stats->graded)
		fprintf(out, "<p class=\"note\">Passed and failed count the %d graded "
			"submission%s whose tests ran on the student's code: not those "
			"that did not compile, nor unchanged skeletons.</p>\n",
			stats->tested, stats->tested == 1 ? "" : "s");
	fputs("<table id=\"tests\">\n<thead><tr><th>Test</th>"
	      "<th class=\"num\">Points</th><th class=\"num\">Passed</th>"
	      "<th class=\"num\">Failed</th></tr></thead>\n<tbody>\n", out);
	for (int i = 0; i < stats->ntests; i++) {
		const struct test_row *row = &stats->tests[i];

		fputs("<tr><td><code>", out);
		html_text(out, row->plan->name, NAME_CAP);
		fputs(row->plan->hidden ? "</code> (hidden)" : "</code>", out);
		if (row->plan->desc && *row->plan->desc) {
			fputs("<div class=\"note\">", out);
			html_text(out, row->plan->desc, TEXT_CAP);
			fputs("</div>", out);
		}
		fprintf(out, "</td><td class=\"num\">%d</td>", row->plan->max_score);
		pass_rate_cell(out, row->passed, row->passed + row->failed);
		fprintf(out, "<td class=\"num\">%d</td></tr>\n", row->failed);
	}
	fputs("</tbody>\n</table>\n", out);
}

/* Submissions that all failed for one reason: one row, counted in submissions. */
static void whole_row(FILE *out, const struct signature *sig)
{
	const char *hint = sig->verdict == CLASS_NO_BUILD ?
		"The gradebook's reason gives each one's first compiler error." :
		"Nothing was changed in the skeleton's sources.";

	fprintf(out, "<tr class=\"whole\"><td class=\"num\">%d</td><td>every test</td>"
		"<td class=\"status bad\">%s</td><td class=\"msg\">%s " EN_DASH " %d "
		"submission%s, counted once each, not per test</td><td>%s</td></tr>\n",
		sig->count, sig->line, sig->line, sig->count, sig->count == 1 ? "" : "s",
		hint);
}

static void signature_row(FILE *out, const struct signature *sig)
{
	if (sig->first == NULL) {
		whole_row(out, sig);
		return;
	}
	fprintf(out, "<tr><td class=\"num\">%d</td><td><code>", sig->count);
	html_text(out, sig->first->name, NAME_CAP);
	fprintf(out, "</code></td><td class=\"status bad\">%s</td><td class=\"msg\">",
		ag_status_name(sig->first->status));
	html_text(out, *sig->line ? sig->line : "(no message)", SIZE_MAX);
	fputs("</td><td>", out);
	html_text(out, sig->first->hint, TEXT_CAP);
	fputs("</td></tr>\n", out);
}

static void html_signatures(FILE *out, const struct class_stats *stats)
{
	fputs("<h2>Most common failures</h2>\n", out);
	if (stats->nsigs == 0) {
		fputs("<p>No failures in the graded submissions.</p>\n", out);
		return;
	}
	fputs("<p class=\"note\">Failures grouped by test, status and the first line of the "
	      "message, with numbers shown as N and paths as PATH.</p>\n"
	      "<table id=\"failures\">\n<thead><tr><th class=\"num\">Count</th><th>Test</th>"
	      "<th>Status</th><th>Message</th><th>Hint</th></tr></thead>\n<tbody>\n", out);
	/* the rows of whole submissions always show: at most one per verdict */
	for (int i = 0, shown = 0; i < stats->nsigs; i++)
		if (!stats->sigs[i].first || shown++ < TOP_SIGNATURES)
			signature_row(out, &stats->sigs[i]);
	fputs("</tbody>\n</table>\n", out);
}

static void html_not_graded(FILE *out, const struct class_entry *entries, int n)
{
	int shown = 0;

	fputs("<h2>Not graded</h2>\n", out);
	for (int i = 0; i < n; i++) {
		if (graded(&entries[i]))
			continue;
		if (shown++ == 0)
			fputs("<table id=\"not-graded-list\">\n<thead><tr><th>Submission</th>"
			      "<th>Reason</th></tr></thead>\n<tbody>\n", out);
		fputs("<tr><td class=\"name\">", out);
		html_text(out, entries[i].name, NAME_CAP);
		fputs("</td><td>", out);
		html_text(out, entries[i].problem, TEXT_CAP);
		fputs("</td></tr>\n", out);
	}
	if (shown)
		fputs("</tbody>\n</table>\n", out);
	else
		fputs(n ? "<p>Every submission was graded.</p>\n" : "<p>No submissions.</p>\n", out);
}

static int failed_tests(const struct ag_run *run)
{
	int failed = 0;

	for (int i = 0; i < run->ntests; i++)
		failed += run->tests[i].status != AG_PASSED;
	return failed;
}

static void submission_row(FILE *out, const struct class_entry *entry)
{
	const struct ag_run *run = run_of(entry);
	int failed = failed_tests(run);
	char score[AG_POINTS_LEN];

	fputs("<tr><td class=\"name\">", out);
	html_text(out, entry->name, NAME_CAP);
	fprintf(out, "</td><td class=\"num\">%s/%d</td><td class=\"num\">%.0f%%</td>",
		ag_points(score, run_score(run)), run_max_score(run), percent(run));
	if (!graded(entry))
		fputs("<td class=\"notgraded\">not graded</td></tr>\n", out);
	else if (entry->verdict != CLASS_TESTED)
		fprintf(out, "<td class=\"bad\">%s</td></tr>\n",
			class_verdict_name(entry->verdict));
	else if (failed == 0)
		fprintf(out, "<td class=\"ok\">all %d tests passed</td></tr>\n", run->ntests);
	else
		fprintf(out, "<td class=\"bad\">%d of %d tests failed</td></tr>\n",
			failed, run->ntests);
}

static void html_submissions(FILE *out, const struct class_entry *entries, int n)
{
	fputs("<h2>Submissions</h2>\n", out);
	if (n == 0) {
		fputs("<p>No submissions.</p>\n", out);
		return;
	}
	fputs("<table id=\"submission-list\">\n<thead><tr>"
	      "<th>Submission</th><th class=\"num\">Score</th><th class=\"num\">%</th>"
	      "<th>Result</th></tr></thead>\n<tbody>\n", out);
	for (int i = 0; i < n; i++)
		submission_row(out, &entries[i]);
	fputs("</tbody>\n</table>\n", out);
}

static void html_page(FILE *out, const char *title, const struct class_stats *stats,
		      const struct class_entry *entries)
{
	html_head(out, title);
	html_date(out);
	html_summary(out, stats);
	html_histogram(out, stats);
	html_tests(out, stats);
	html_signatures(out, stats);
	html_not_graded(out, entries, stats->n);
	html_submissions(out, entries, stats->n);
	fputs("</body>\n</html>\n", out);
}

/* The page in memory (malloc'd, length in *len), or NULL with errno set. */
static char *class_page(const char *title, const struct class_entry *entries, int n,
			size_t *len)
{
	struct class_stats stats = {.n = n > 0 ? n : 0};
	char *page = NULL;
	FILE *out;

	count_scores(&stats, entries);
	count_tests(&stats, entries);
	count_failures(&stats, entries);
	out = open_memstream(&page, len);
	if (out != NULL) {
		html_page(out, title, &stats, entries);
		if (fclose(out) != 0) {
			int saved = errno;
			free(page);
			page = NULL;
			errno = saved;
		}
	}
	stats_free(&stats);
	return page;
}

int report_class_html(const char *path, const char *title,
		      const struct class_entry *entries, int n)
{
	size_t len;
	char *page = class_page(title, entries, n, &len);

	if (page == NULL)
		return -1;
	int rc = write_whole_file(path, page, len);
	int saved = errno;
	free(page);
	errno = saved;
	return rc;
}
