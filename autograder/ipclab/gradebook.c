/*
 * gradebook.c - the class outputs of a batch grading (see gradebook.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "classreport.h"
#include "gradebook.h"
#include "report.h"
#include "run.h"
#include "util.h"

void submission_free(struct submission *s)
{
	free(s->path);
	free(s->name);
	free(s->slug);
	free(s->dir);
	free(s->problem);
	free(s->note);
	run_free(&s->run);
}

static bool starts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "did not compile" or "did not link" when every test failed for it, else NULL. */
static const char *build_failure(const struct ag_run *run)
{
	const char *words[] = {"did not compile", "did not link"};

	for (int w = 0; w < 2 && run->ntests > 0; w++) {
		int t = 0;

		while (t < run->ntests && run->tests[t].status == AG_FAILED &&
		       starts_with(run->tests[t].message, words[w]))
			t++;
		if (t == run->ntests)
			return words[w];
	}
	return NULL;
}

#define ERROR_LINE_CAP 200

static bool names_an_error(const char *line, size_t len)
{
	return memmem(line, len, "error", 5) ||
	       memmem(line, len, "undefined reference", 19);
}

/* The compiler's first line that names an error (or its first line), capped; or NULL. */
static char *first_error(const char *messages)
{
	const char *first = NULL;
	size_t first_len = 0;

	for (const char *p = messages; p && *p; p += strspn(p, "\n")) {
		size_t len = strcspn(p, "\n");

		if ((!first && len > 0) || names_an_error(p, len)) {
			first = p;
			first_len = len;
			if (names_an_error(p, len))
				break;
		}
		p += len;
	}
	if (first == NULL)
		return NULL;
	return strndup(first, first_len < ERROR_LINE_CAP ? first_len : ERROR_LINE_CAP);
}

void submission_judge(const struct lab *lab, struct submission *s)
{
	const char *failure = build_failure(&s->run);

	free(s->note);
	s->note = NULL;
	s->verdict = CLASS_TESTED;
	char *files = xstrfmt("%s/submission", s->dir);
	bool skeleton = lab_is_pristine(lab, files);
	free(files);
	if (skeleton) {
		s->verdict = CLASS_SKELETON;
		s->note = xstrdup(class_verdict_name(CLASS_SKELETON));
	} else if (failure) {
		char *error = first_error(s->run.output);

		s->verdict = CLASS_NO_BUILD;
		s->note = xstrfmt("%s: %s", failure,
				  error ? error : "see its report.txt");
		free(error);
	}
}

void csv_field(FILE *out, const char *text)
{
	char *clean = text_sanitise(text ? text : "", 1 << 16);

	if (clean[strcspn(clean, ",\"\r\n")] == '\0') {
		fputs(clean, out);
	} else {
		fputc('"', out);
		for (const char *p = clean; *p; p++) {
			if (*p == '"')
				fputc('"', out);
			fputc(*p, out);
		}
		fputc('"', out);
	}
	free(clean);
}

static void csv_number(FILE *out, double value)
{
	char points[AG_POINTS_LEN];

	fprintf(out, ",%s", ag_points(points, value));
}

static void csv_row(FILE *out, const struct submission *s, const struct ag_run *plan)
{
	csv_field(out, s->name);
	fputs(s->problem ? ",not graded" : ",graded", out);
	csv_number(out, run_score(&s->run));
	csv_number(out, run_max_score(&s->run));
	for (int t = 0; t < plan->ntests; t++) {
		const struct ag_result *r = run_find_test((struct ag_run *)&s->run,
							  plan->tests[t].suite,
							  plan->tests[t].name);
		csv_number(out, r ? r->score : 0);
	}
	fputc(',', out);
	csv_field(out, s->problem ? s->problem : s->note);
	fputs("\r\n", out);
}

static int write_csv(const char *path, const struct submission *subs, int n,
		     const struct ag_run *plan)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (out == NULL)
		die_errno("open_memstream");
	fputs("submission,status,score,max_score", out);
	for (int t = 0; t < plan->ntests; t++) {
		fputc(',', out);
		csv_field(out, plan->tests[t].name);
	}
	fputs(",reason\r\n", out);
	for (int i = 0; i < n; i++)
		csv_row(out, &subs[i], plan);
	if (fclose(out) != 0)
		die_errno("open_memstream");
	int rc = write_whole_file(path, text, size);
	free(text);
	return rc;
}

/* ---- the summary ---- */

static void summarise_scores(FILE *out, const struct submission *subs, int n, int max)
{
	double *scores = xmalloc((size_t)(n ? n : 1) * sizeof(double)), sum = 0;
	int graded = 0;

	for (int i = 0; i < n; i++)
		if (!subs[i].problem)
			sum += scores[graded++] = run_score(&subs[i].run);
	if (graded > 0) {
		double median = median_of(scores, graded);	/* sorts them */

		char middle[AG_POINTS_LEN], low[AG_POINTS_LEN], high[AG_POINTS_LEN];

		ag_points(middle, median);
		ag_points(low, scores[0]);
		ag_points(high, scores[graded - 1]);
		fprintf(out, "scores of the %d graded: mean %.1f, median %s, lowest %s, "
			"highest %s (of %d)\n", graded, sum / graded, middle, low, high,
			max);
	}
	free(scores);
}

/* Graded, and its tests ran on the student's code. */
static bool tested(const struct submission *s)
{
	return !s->problem && s->verdict == CLASS_TESTED;
}

/* The graded ones the tests say nothing about one by one: a line per verdict. */
static void summarise_wholes(FILE *out, const struct submission *subs, int n)
{
	const enum class_verdict verdicts[] = {CLASS_NO_BUILD, CLASS_SKELETON};

	for (size_t v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
		int count = 0;

		for (int i = 0; i < n; i++)
			count += !subs[i].problem && subs[i].verdict == verdicts[v];
		if (count > 0)
			fprintf(out, "%s: %d submission%s (score 0, left out of the "
				"failures by test)\n", class_verdict_name(verdicts[v]),
				count, count == 1 ? "" : "s");
	}
}

static void summarise_tests(FILE *out, const struct submission *subs, int n,
			    const struct ag_run *plan)
{
	int counted = 0;

	summarise_wholes(out, subs, n);
	for (int i = 0; i < n; i++)
		counted += tested(&subs[i]);
	if (counted == 0)
		return;
	fprintf(out, "failures by test (of the %d graded whose tests ran):\n", counted);
	for (int t = 0; t < plan->ntests; t++) {
		int failed = 0;

		for (int i = 0; i < n; i++) {
			const struct ag_result *r = run_find_test(
				(struct ag_run *)&subs[i].run, plan->tests[t].suite,
				plan->tests[t].name);
			failed += tested(&subs[i]) &&
				  (r == NULL || r->status != AG_PASSED);
		}
		fprintf(out, "  %-40s %4d  (%.0f%%)\n", plan->tests[t].name, failed,
			100.0 * failed / counted);
	}
}

static void summarise(FILE *out, const struct lab *lab, const char *dir,
		      const struct submission *subs, int n, double seconds,
		      const struct ag_run *plan)
{
	int not_graded = 0;

	for (int i = 0; i < n; i++)
		not_graded += subs[i].problem != NULL;
	fprintf(out, "%s: %d submission%s, %d graded, %d not graded, in %.0f s\n",
		lab->title, n, n == 1 ? "" : "s", n - not_graded, not_graded, seconds);
	summarise_scores(out, subs, n, run_max_score(plan));
	summarise_tests(out, subs, n, plan);
	if (not_graded)
		fprintf(out, "not graded (each row of the gradebook says why):\n");
	for (int i = 0; i < n; i++) {
		if (subs[i].problem) {
			char *name = text_sanitise(subs[i].name, 256);
			fprintf(out, "  %s: %s\n", name, subs[i].problem);
			free(name);
		}
	}
	fprintf(out, "written in %s/: gradebook.csv, class-report.html, summary.txt, and "
		"per submission ID/results.json, junit.xml, report.txt\n", dir);
}

static int write_html(const char *path, const struct lab *lab,
		      const struct submission *subs, int n)
{
	struct class_entry *entries = xmalloc((size_t)(n ? n : 1) * sizeof(*entries));

	for (int i = 0; i < n; i++)
		entries[i] = (struct class_entry){subs[i].name, subs[i].problem,
						  &subs[i].run, subs[i].verdict};
	int rc = report_class_html(path, lab->title, entries, n);
	free(entries);
	return rc;
}

int gradebook_write(const struct lab *lab, const char *out, const struct submission *subs,
		    int n, double seconds)
{
	struct ag_run plan = {0};
	char *plan_path = lab_plan_path(lab);
	char *csv = xstrfmt("%s/gradebook.csv", out);
	char *summary = xstrfmt("%s/summary.txt", out);
	char *html = xstrfmt("%s/class-report.html", out);
	char *text = NULL;
	size_t size = 0;
	int rc = 0;
	FILE *memory;

	if (records_load(&plan, plan_path, NULL, true) == -1)
		rc = error_errno("cannot read the lab's test list %s", plan_path);
	else if (write_csv(csv, subs, n, &plan) == -1)
		rc = error_errno("cannot write %s", csv);
	else if (write_html(html, lab, subs, n) == -1)
		rc = error_errno("cannot write %s", html);
	else {
		if ((memory = open_memstream(&text, &size)) == NULL)
			die_errno("open_memstream");
		summarise(memory, lab, out, subs, n, seconds, &plan);
		if (fclose(memory) != 0)
			die_errno("open_memstream");
		if (write_whole_file(summary, text, size) == -1)
			rc = error_errno("cannot write %s", summary);
		fputs(text, stdout);
	}
	run_free(&plan);
	free(plan_path);
	free(csv);
	free(summary);
	free(html);
	free(text);
	return rc == -1 ? EXIT_USAGE : 0;
}
