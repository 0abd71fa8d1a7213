/*
 * records.c - the record lines between a lab's test runner and ipclab
 * (format in records.h), and the in-memory run the reporters read.
 *
 * Writer side: rec_write() is called from test workers, possibly while they
 * are failing, so it never prints and leaves errno as it found it.
 * Reader side: rec_apply() trusts nothing in a line: wrong field counts,
 * unknown kinds and bad numbers make it return false.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "records.h"

static const char *const status_names[] = {
	[AG_PASSED] = "passed", [AG_FAILED] = "failed", [AG_LEAK] = "leak",
	[AG_TIMEOUT] = "timeout", [AG_CRASHED] = "crashed", [AG_ERROR] = "error",
	[AG_NOTRUN] = "notrun",
};
#define NSTATUS ((int)(sizeof(status_names) / sizeof(status_names[0])))

const char *ag_status_name(enum ag_status status)
{
	if ((int)status < 0 || (int)status >= NSTATUS)
		return "error";
	return status_names[status];
}

bool ag_status_parse(const char *word, enum ag_status *status)
{
	for (int i = 0; i < NSTATUS; i++) {
		if (strcmp(word, status_names[i]) == 0) {
			*status = (enum ag_status)i;
			return true;
		}
	}
	return false;
}

/* ---- writing ---- */

static size_t escaped_len(const char *s)
{
	size_t len = 0;

	for (; *s; s++)
		len += strchr("\\\t\n\r", *s) ? 2 : 1;
	return len;
}

/* Appends s escaped at out; returns the end of what was written. */
static char *escape_into(char *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': *out++ = '\\'; *out++ = '\\'; break;
		case '\t': *out++ = '\\'; *out++ = 't'; break;
		case '\n': *out++ = '\\'; *out++ = 'n'; break;
		case '\r': *out++ = '\\'; *out++ = 'r'; break;
		default: *out++ = *s; break;
		}
	}
	return out;
}

int rec_write_all(int fd, const void *buf, size_t len)
{
	const char *at = buf;

	while (len > 0) {
		ssize_t n = write(fd, at, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		at += n;
		len -= (size_t)n;
	}
	return 0;
}

/* kind, then each field escaped, tab-separated, '\n'-terminated; NULL if out of memory */
char *rec_format(const char *kind, int nfields, const char *const fields[],
			size_t *len)
{
	size_t size = strlen(kind) + 2;

	for (int i = 0; i < nfields; i++)
		size += 1 + escaped_len(fields[i] ? fields[i] : "");
	char *line = malloc(size);
	if (line == NULL)
		return NULL;
	char *end = stpcpy(line, kind);
	for (int i = 0; i < nfields; i++) {
		*end++ = '\t';
		end = escape_into(end, fields[i] ? fields[i] : "");
	}
	*end++ = '\n';
	*end = '\0';
	*len = (size_t)(end - line);
	return line;
}

/*
 * The whole line goes out in one write(2) so that records from several
 * workers sharing the descriptor do not interleave mid-line (for lines up
 * to PIPE_BUF on a pipe; longer ones are still written whole, in a loop).
 * Failures are dropped: there is no one to tell, and ipclab reports a test
 * without a result from its "end" record.
 */
void rec_write(int fd, const char *kind, int nfields, const char *const fields[])
{
	int saved_errno = errno;	/* callers are often reporting a failed call */
	size_t len;
	char *line;

	if (fd < 0)
		return;
	line = rec_format(kind, nfields, fields, &len);
	if (line != NULL)
		(void)rec_write_all(fd, line, len);
	free(line);
	errno = saved_errno;
}

/* ---- reading ---- */

/* Undoes escape_into() in place. An unknown escape is kept as it is. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*out++ = *s;
			continue;
		}
		switch (*++s) {
		case '\\': *out++ = '\\'; break;
		case 't': *out++ = '\t'; break;
		case 'n': *out++ = '\n'; break;
		case 'r': *out++ = '\r'; break;
		default: *out++ = '\\'; *out++ = *s; break;
		}
	}
	*out = '\0';
}

/* Splits line at tabs in place; returns the field count, or -1 when above max. */
static int split_fields(char *line, char *field[], int max)
{
	int n = 0;

	for (;;) {
		if (n == max)
			return -1;
		field[n++] = line;
		char *tab = strchr(line, '\t');
		if (tab == NULL)
			return n;
		*tab = '\0';
		line = tab + 1;
	}
}

static bool parse_int(const char *s, int *value)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < INT_MIN || v > INT_MAX)
		return false;
	*value = (int)v;
	return true;
}

/* A score: a finite decimal number ("2.5"); the range is rec_finish()'s business. */
static bool parse_score(const char *s, double *value)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v))
		return false;
	*value = v;
	return true;
}

static bool parse_ms(const char *s, double *seconds)
{
	char *end;

	errno = 0;
	double ms = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(ms) || ms < 0)
		return false;
	*seconds = ms / 1000;
	return true;
}

/* Replaces *dst by a copy of src; false (and *dst untouched) when out of memory. */
static bool set_str(char **dst, const char *src)
{
	char *copy = strdup(src);

	if (copy == NULL)
		return false;
	free(*dst);
	*dst = copy;
	return true;
}

static struct ag_result *find_or_add(struct ag_run *run, const char *suite,
				     const char *name)
{
	struct ag_result *test = run_find_test(run, suite, name);

	return test ? test : run_add_test(run, suite, name);
}

/* mode MODE REASON */
static bool apply_mode(struct ag_run *run, char **f)
{
	return set_str(&run->mode, f[0]) && set_str(&run->mode_reason, f[1]);
}

/* visible or hidden; absent (NULL: a plan of the older form) is visible */
static bool parse_visibility(const char *word, bool *hidden)
{
	*hidden = word != NULL && strcmp(word, "hidden") == 0;
	return word == NULL || *hidden || strcmp(word, "visible") == 0;
}

/* plan SUITE NAME POINTS DEADLINE_MS DESC HINT [VISIBILITY [TASK]] */
static bool apply_plan(struct ag_run *run, char **f)
{
	int points, deadline_ms;
	bool hidden;

	if (!parse_int(f[2], &points) || !parse_int(f[3], &deadline_ms) || points < 0 ||
	    !parse_visibility(f[6], &hidden))
		return false;
	struct ag_result *test = find_or_add(run, f[0], f[1]);
	if (test == NULL)
		return false;
	test->planned = true;
	test->hidden = hidden;
	test->max_score = points;
	test->deadline_ms = deadline_ms;
	if (f[7] != NULL && *f[7] && !set_str(&test->task, f[7]))
		return false;
	return set_str(&test->desc, f[4]) && set_str(&test->hint, f[5]);
}

/* result SUITE NAME SCORE MAX STATUS MS MESSAGE HINT OUTPUT */
static bool apply_result(struct ag_run *run, char **f)
{
	double score, seconds;
	int max_score;
	enum ag_status status;

	if (!parse_score(f[2], &score) || !parse_int(f[3], &max_score) || max_score < 0 ||
	    !ag_status_parse(f[4], &status) || !parse_ms(f[5], &seconds))
		return false;
	struct ag_result *test = find_or_add(run, f[0], f[1]);
	if (test == NULL)
		return false;
	test->score = score;
	test->max_score = max_score;
	test->status = status;
	test->seconds = seconds;
	test->has_result = true;
	if (f[7][0] != '\0' && !set_str(&test->hint, f[7]))
		return false;	/* the result knows better than the plan what to read */
	return set_str(&test->message, f[6]) && set_str(&test->output, f[8]);
}

/* end SUITE NAME PASSED CRASHED TIMED_OUT SIGNAL EXIT_CODE */
static bool apply_end(struct ag_run *run, char **f)
{
	int passed, crashed, timed_out, signal, exit_code;

	if (!parse_int(f[2], &passed) || !parse_int(f[3], &crashed) ||
	    !parse_int(f[4], &timed_out) || !parse_int(f[5], &signal) ||
	    !parse_int(f[6], &exit_code))
		return false;
	struct ag_result *test = find_or_add(run, f[0], f[1]);
	if (test == NULL)
		return false;
	test->has_end = true;
	test->end_passed = passed != 0;
	test->end_crashed = crashed != 0;
	test->end_timed_out = timed_out != 0;
	test->end_signal = signal;
	test->end_exit = exit_code;
	return true;
}

/* output TEXT */
static bool apply_output(struct ag_run *run, char **f)
{
	return set_str(&run->output, f[0]);
}

/* Fields a record may leave out come last; apply() sees them as NULL. */
static const struct {
	const char *kind;
	int min_fields, max_fields;	/* after the kind */
	bool (*apply)(struct ag_run *run, char **fields);
} record_kinds[] = {
	{"mode", 2, 2, apply_mode},
	{"plan", 6, 8, apply_plan},
	{"result", 9, 9, apply_result},
	{"end", 7, 7, apply_end},
	{"output", 1, 1, apply_output},
};

#define MAX_FIELDS 10		/* kind + the longest record */

bool rec_apply(struct ag_run *run, char *line)
{
	char *field[MAX_FIELDS + 1] = {NULL};	/* NULL after the last field */
	int n = split_fields(line, field, MAX_FIELDS);

	if (n < 1)
		return false;
	for (int i = 0; i < n; i++)
		unescape(field[i]);
	for (size_t k = 0; k < sizeof(record_kinds) / sizeof(record_kinds[0]); k++) {
		if (strcmp(field[0], record_kinds[k].kind) != 0)
			continue;
		if (n - 1 < record_kinds[k].min_fields || n - 1 > record_kinds[k].max_fields)
			return false;
		return record_kinds[k].apply(run, field + 1);
	}
	return false;
}

/* ---- finishing ---- */

#define GRADER_OR_SUBMISSION "this is a grader fault or the submission killed it"

/* The worker ended without saying how the test went: report how it ended. */
static void finish_from_end(struct ag_result *test)
{
	char *message = NULL;
	int len;

	test->status = test->end_timed_out ? AG_TIMEOUT : AG_CRASHED;
	if (test->end_timed_out)
		len = asprintf(&message, "the test's worker process was killed at its "
			       "deadline (%d ms) before reporting: the submission may "
			       "block forever, or this is a grader fault", test->deadline_ms);
	else if (test->end_signal != 0)
		len = asprintf(&message, "the test's worker process died (signal %d) "
			       "before reporting: " GRADER_OR_SUBMISSION, test->end_signal);
	else
		len = asprintf(&message, "the test's worker process exited (status %d) "
			       "before reporting: " GRADER_OR_SUBMISSION, test->end_exit);
	if (len == -1)
		return;		/* the status alone still says what happened */
	free(test->message);
	test->message = message;
}

static void finish_notrun(struct ag_result *test, const char *reason)
{
	test->status = AG_NOTRUN;
	/* out of memory: the status alone still says it did not run */
	(void)set_str(&test->message, reason ? reason : "not run");
}

/* Points only for what passed, or partly for a leak; never outside 0..max. */
static void clamp_score(struct ag_result *test)
{
	if (test->status != AG_PASSED && test->status != AG_LEAK)
		test->score = 0;
	if (test->score < 0)
		test->score = 0;
	if (test->score > test->max_score)
		test->score = test->max_score;
}

void rec_finish(struct ag_run *run, const char *notrun_reason)
{
	for (int i = 0; i < run->ntests; i++) {
		struct ag_result *test = &run->tests[i];

		if (!test->has_result && test->has_end)
			finish_from_end(test);
		else if (!test->has_result)
			finish_notrun(test, notrun_reason);
		clamp_score(test);
	}
}

/* ---- the run ---- */

static void result_free(struct ag_result *test)
{
	free(test->suite);
	free(test->name);
	free(test->desc);
	free(test->task);
	free(test->message);
	free(test->hint);
	free(test->output);
}

void run_free(struct ag_run *run)
{
	for (int i = 0; i < run->ntests; i++)
		result_free(&run->tests[i]);
	free(run->tests);
	for (int i = 0; i < run->ntasks; i++) {
		free(run->tasks[i].number);
		free(run->tasks[i].title);
		free(run->tasks[i].where);
	}
	free(run->tasks);
	free(run->lab);
	free(run->title);
	free(run->mode);
	free(run->mode_reason);
	free(run->output);
	memset(run, 0, sizeof(*run));
}

const struct ag_task *run_task_of(const struct ag_run *run, const struct ag_result *test)
{
	for (int i = 0; test->task && i < run->ntasks; i++)
		if (strcmp(run->tasks[i].number, test->task) == 0)
			return &run->tasks[i];
	return NULL;
}

double run_score(const struct ag_run *run)
{
	double sum = 0;

	for (int i = 0; i < run->ntests; i++)
		sum += run->tests[i].score;
	return sum;
}

int run_max_score(const struct ag_run *run)
{
	int sum = 0;

	for (int i = 0; i < run->ntests; i++)
		sum += run->tests[i].max_score;
	return sum;
}

char *ag_points(char buf[AG_POINTS_LEN], double points)
{
	int len = snprintf(buf, AG_POINTS_LEN, "%.2f", isfinite(points) ? points : 0);

	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
	return buf;
}

/*
 * Grows the array by one: a lab has tens of tests, so the copies cost
 * nothing. Pointers to earlier tests are invalid after this call.
 */
struct ag_result *run_add_test(struct ag_run *run, const char *suite, const char *name)
{
	size_t size = (size_t)(run->ntests + 1) * sizeof(struct ag_result);
	struct ag_result *tests = realloc(run->tests, size);

	if (tests == NULL)
		return NULL;
	run->tests = tests;
	struct ag_result *test = &tests[run->ntests];
	memset(test, 0, sizeof(*test));
	test->status = AG_NOTRUN;
	test->suite = strdup(suite);
	test->name = strdup(name);
	if (test->suite == NULL || test->name == NULL) {
		result_free(test);
		return NULL;
	}
	run->ntests++;
	return test;
}

struct ag_result *run_find_test(struct ag_run *run, const char *suite, const char *name)
{
	for (int i = 0; i < run->ntests; i++) {
		struct ag_result *test = &run->tests[i];

		if (strcmp(test->suite, suite) == 0 && strcmp(test->name, name) == 0)
			return test;
	}
	return NULL;
}
