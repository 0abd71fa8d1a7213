/*
 * test_report.c - self-tests of the grader's records (records.c) and its
 * reports (report.c): hostile text survives the record protocol, and the
 * JSON and JUnit files load in real parsers with the right fields.
 *
 * Build and run from the repository root:
 *
 *   mkdir -p build/selftest
 *   gcc -std=gnu11 -Wall -Wextra -Werror -Iautograder/lib \
 *       autograder/selftest/test_report.c autograder/lib/records.c \
 *       autograder/lib/report.c -lcriterion -o build/selftest/test_report
 *   ./build/selftest/test_report
 *
 * Needs python3 (json, xml.etree) and xmllint (Debian: libxml2-utils).
 * Each test works in its own mkdtemp directory, removed at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include "records.h"
#include "report.h"

#define FFFD "\xef\xbf\xbd"

/*
 * A failure message as a submission can make one: quotes, tabs, newlines,
 * backslashes, every control byte, DEL and the invalid UTF-8 kinds. Literals
 * are split where a hex escape would swallow the next character.
 */
static const char hostile_message[] =
	"expected \"quoted\"\tgot\nline2 back\\slash\r"
	"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
	"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
	"\x7f" " ff fe:\xff\xfe" " trunc:\xe2\x82" " overlong:\xc0\xaf"
	" surrogate:\xed\xa0\x80" " toobig:\xf4\x90\x80\x80" " end";

#define BIG_OUTPUT_BYTES (100 * 1024)

static char workdir[] = "/tmp/test_report.XXXXXX";
static char *big_output;

static void make_workdir(void)
{
	cr_assert_not_null(mkdtemp(workdir), "mkdtemp: %s", strerror(errno));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void remove_workdir(void)
{
	free(big_output);
	if (nftw(workdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == -1)
		cr_log_warn("could not remove %s: %s", workdir, strerror(errno));
}

TestSuite(records, .init = make_workdir, .fini = remove_workdir, .timeout = 30);
TestSuite(report, .init = make_workdir, .fini = remove_workdir, .timeout = 30);

/* Path of a file in this test's directory (one static buffer per name slot). */
static const char *in_workdir(const char *name)
{
	static char paths[4][256];
	static int next;
	char *path = paths[next++ % 4];

	snprintf(path, sizeof(paths[0]), "%s/%s", workdir, name);
	return path;
}

/* 100 KB of lines, with a terminal escape and bad bytes, ending in a marker. */
static const char *make_big_output(void)
{
	size_t len = 0;

	big_output = malloc(BIG_OUTPUT_BYTES + 1);
	cr_assert_not_null(big_output);
	for (int line = 0; len + 64 < BIG_OUTPUT_BYTES; line++)
		len += (size_t)sprintf(big_output + len, "line %04d of output\x1b[2J\xff\n", line);
	strcpy(big_output + len, "THE-END\n");
	return big_output;
}

static void put_record(int fd, const char *kind, int n, ...)
{
	const char *fields[16];
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		fields[i] = va_arg(ap, const char *);
	va_end(ap);
	rec_write(fd, kind, n, fields);
}

/* What a runner writes for six tests: one of each way a test can end. */
static void write_sample_records(int fd)
{
	put_record(fd, "mode", 2, "fallback", "user namespaces are disabled");
	put_record(fd, "plan", 6, "pipes", "reader_sees_eof", "8", "2000",
		   "cat at the end of a pipeline sees EOF", "Handout 3.2");
	put_record(fd, "plan", 6, "pipes", "writer_gets_epipe", "6", "2000",
		   "a writer with no reader gets EPIPE", "Handout 3.3");
	put_record(fd, "plan", 6, "pipes", "no_fd_leaks", "4", "2000",
		   "run_pipeline closes what it opens", "Handout 3.4");
	put_record(fd, "plan", 6, "pipes", "blocks_forever", "5", "1500", "reader wakes up", "");
	put_record(fd, "plan", 6, "pipes", "worker_dies", "3", "2000", "worker survives", "");
	put_record(fd, "plan", 6, "pipes", "never_started", "2", "2000", "runs last", "");
	put_record(fd, "result", 9, "pipes", "reader_sees_eof", "8", "8", "passed", "12",
		   "", "", "hello\n");
	put_record(fd, "end", 7, "pipes", "reader_sees_eof", "1", "0", "0", "0", "0");
	put_record(fd, "result", 9, "pipes", "writer_gets_epipe", "0", "6", "failed", "30",
		   hostile_message, "read 3.3 again", make_big_output());
	put_record(fd, "end", 7, "pipes", "writer_gets_epipe", "0", "0", "0", "0", "1");
	put_record(fd, "result", 9, "pipes", "no_fd_leaks", "2", "4", "leak", "5",
		   "fd 4 (pipe write end) still open after run_pipeline returned", "", "");
	put_record(fd, "end", 7, "pipes", "blocks_forever", "0", "0", "1", "9", "-1");
	put_record(fd, "end", 7, "pipes", "worker_dies", "0", "1", "0", "11", "-1");
}

/* Writes records with rec_write into a file and feeds them back line by line. */
static void feed_records(struct ag_run *run, void (*write_records)(int fd))
{
	const char *path = in_workdir("records");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	cr_assert_neq(fd, -1, "open %s: %s", path, strerror(errno));
	write_records(fd);
	FILE *in = fdopen(fd, "r");
	cr_assert_not_null(in);
	rewind(in);
	while ((len = getline(&line, &cap, in)) > 0) {
		cr_assert_eq(line[len - 1], '\n', "every record ends with a newline");
		line[len - 1] = '\0';
		cr_assert(rec_apply(run, line), "rec_apply rejected a line rec_write wrote");
	}
	free(line);
	fclose(in);
}

/* The same six, two of them planned again as hidden (7 fields): 4 + 5 points. */
static void write_hidden_records(int fd)
{
	write_sample_records(fd);
	put_record(fd, "plan", 7, "pipes", "no_fd_leaks", "4", "2000",
		   "run_pipeline closes what it opens", "Handout 3.4", "hidden");
	put_record(fd, "plan", 7, "pipes", "blocks_forever", "5", "1500", "reader wakes up", "",
		   "hidden");
}

static void run_from(struct ag_run *run, void (*write_records)(int fd))
{
	memset(run, 0, sizeof(*run));
	feed_records(run, write_records);
	rec_finish(run, "the global deadline passed before this test ran");
	run->lab = strdup("01-pipes");
	run->title = strdup("Lab 01: pipes");
	run->seconds = 1.5;
}

static void sample_run(struct ag_run *run)
{
	run_from(run, write_sample_records);
}

static void hidden_run(struct ag_run *run)
{
	run_from(run, write_hidden_records);
}

static struct ag_result *test_named(struct ag_run *run, const char *name)
{
	struct ag_result *test = run_find_test(run, "pipes", name);

	cr_assert_not_null(test, "test pipes/%s missing from the run", name);
	return test;
}

/* Runs a shell command; returns its stdout (malloc'd, NUL-terminated) and exit status. */
static char *run_command(int *status, const char *fmt, ...)
{
	char *command, *out = NULL;
	size_t len = 0;
	va_list ap;

	va_start(ap, fmt);
	cr_assert_neq(vasprintf(&command, fmt, ap), -1);
	va_end(ap);
	FILE *pipe = popen(command, "r");
	cr_assert_not_null(pipe, "popen %s: %s", command, strerror(errno));
	FILE *text = open_memstream(&out, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0)
		fwrite(buf, 1, n, text);
	fclose(text);
	int wstatus = pclose(pipe);
	*status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
	free(command);
	return out;
}

/*
 * Loads a report with Python's own parser (strict UTF-8 and JSON/XML rules)
 * and prints one Python expression over it: strings as they are, anything
 * else as JSON. `r` is the JSON document or the XML root element.
 */
static const char py_eval[] =
	"import json, sys, xml.etree.ElementTree as ET\n"
	"path, kind, expr = sys.argv[1:4]\n"
	"if kind == \"json\":\n"
	"    r = json.load(open(path, encoding=\"utf-8\"))\n"
	"else:\n"
	"    r = ET.parse(path).getroot()\n"
	"v = eval(expr)\n"
	"sys.stdout.buffer.write((v if isinstance(v, str) else json.dumps(v)).encode())\n";

static char *parsed(const char *path, const char *kind, const char *expr)
{
	int status;
	char *out = run_command(&status, "python3 -c '%s' '%s' %s '%s'", py_eval, path, kind,
				expr);

	cr_assert_eq(status, 0, "python3 could not load %s as %s or evaluate %s", path, kind,
		     expr);
	return out;
}

static void assert_parsed(const char *path, const char *kind, const char *expr,
			  const char *expected)
{
	char *got = parsed(path, kind, expr);

	cr_assert_str_eq(got, expected, "%s of %s: expected %s, got %s", expr, path, expected,
			 got);
	free(got);
}

static void assert_contains(const char *text, const char *part, const char *what)
{
	cr_assert_not_null(strstr(text, part), "%s: expected to find \"%s\" in:\n%s", what,
			   part, text);
}

/* ---- status names ---- */

Test(records, status_names_round_trip_through_parse)
{
	const char *names[] = {"passed", "failed", "leak", "timeout", "crashed", "error",
			       "notrun"};

	for (int i = 0; i < 7; i++) {
		enum ag_status status;
		cr_assert(ag_status_parse(names[i], &status), "%s not parsed", names[i]);
		cr_assert_eq(status, (enum ag_status)i);
		cr_assert_str_eq(ag_status_name(status), names[i]);
	}
}

Test(records, status_parse_rejects_unknown_words)
{
	enum ag_status status;

	cr_assert_not(ag_status_parse("PASSED", &status));
	cr_assert_not(ag_status_parse("", &status));
	cr_assert_not(ag_status_parse("pass", &status));
}

/* ---- records ---- */

Test(records, hostile_message_and_100kb_output_survive_the_round_trip)
{
	struct ag_run run;

	sample_run(&run);
	struct ag_result *test = test_named(&run, "writer_gets_epipe");
	cr_assert_str_eq(test->message, hostile_message, "message changed on the way");
	cr_assert_eq(strlen(test->output), strlen(big_output));
	cr_assert_str_eq(test->output, big_output, "100 KB output changed on the way");
	cr_assert_eq(test->score, 0);
	cr_assert_eq(test->max_score, 6);
	cr_assert_eq(test->status, AG_FAILED);
	cr_assert_float_eq(test->seconds, 0.030, 1e-9);
	run_free(&run);
}

Test(records, plan_sets_points_deadline_desc_and_hint)
{
	struct ag_run run;

	sample_run(&run);
	struct ag_result *test = test_named(&run, "blocks_forever");
	cr_assert(test->planned);
	cr_assert_eq(test->max_score, 5);
	cr_assert_eq(test->deadline_ms, 1500);
	cr_assert_str_eq(test->desc, "reader wakes up");
	cr_assert_eq(run.ntests, 6, "expected 6 tests, got %d", run.ntests);
	cr_assert_str_eq(run.mode, "fallback");
	cr_assert_str_eq(run.mode_reason, "user namespaces are disabled");
	run_free(&run);
}

Test(records, result_hint_replaces_plan_hint_only_when_given)
{
	struct ag_run run;

	sample_run(&run);
	cr_assert_str_eq(test_named(&run, "writer_gets_epipe")->hint, "read 3.3 again");
	cr_assert_str_eq(test_named(&run, "no_fd_leaks")->hint, "Handout 3.4");
	run_free(&run);
}

static bool applies(struct ag_run *run, const char *text)
{
	char line[256];

	snprintf(line, sizeof(line), "%s", text);
	return rec_apply(run, line);
}

Test(records, malformed_lines_are_rejected)
{
	struct ag_run run = {0};

	cr_assert_not(applies(&run, "hello\tworld"), "unknown kind accepted");
	cr_assert_not(applies(&run, ""), "empty line accepted");
	cr_assert_not(applies(&run, "mode\tns"), "mode with 1 field accepted");
	cr_assert_not(applies(&run, "mode\tns\tok\textra"), "mode with 3 fields accepted");
	cr_assert_not(applies(&run, "plan\ts\tn\tlots\t100\td\th"), "non-numeric points accepted");
	cr_assert_not(applies(&run, "result\ts\tn\t1\t1\twon\t5\tm\th\to"), "bad status accepted");
	cr_assert_not(applies(&run, "result\ts\tn\t1\t1\tpassed\t5\tm\th"), "8 fields accepted");
	cr_assert_not(applies(&run, "end\ts\tn\t0\t0\t0\t9x\t0"), "bad signal accepted");
	cr_assert(applies(&run, "mode\tns\t"), "a valid mode line was rejected");
	run_free(&run);
}

Test(records, plan_visibility_is_read_and_a_plan_without_it_is_visible)
{
	struct ag_run run = {0};

	cr_assert(applies(&run, "plan\ts\told\t5\t2000\td\th"), "a 6-field plan was rejected");
	cr_assert(applies(&run, "plan\ts\tshown\t5\t2000\td\th\tvisible"));
	cr_assert(applies(&run, "plan\ts\tsecret\t5\t2000\td\th\thidden"));
	cr_assert_not(run_find_test(&run, "s", "old")->hidden, "a plan of the older form is visible");
	cr_assert_not(run_find_test(&run, "s", "shown")->hidden);
	cr_assert(run_find_test(&run, "s", "secret")->hidden);
	cr_assert_eq(run_find_test(&run, "s", "secret")->max_score, 5);
	cr_assert_not(applies(&run, "plan\ts\tn\t5\t2000\td\th\tHIDDEN"), "unknown visibility accepted");
	cr_assert_not(applies(&run, "plan\ts\tn\t5\t2000\td\th\t"), "empty visibility accepted");
	cr_assert(applies(&run, "plan\ts\ttasked\t5\t2000\td\th\thidden\t3.2"));
	cr_assert_str_eq(run_find_test(&run, "s", "tasked")->task, "3.2");
	cr_assert_null(run_find_test(&run, "s", "old")->task, "a plan without a task has one");
	cr_assert_not(applies(&run, "plan\ts\tn\t5\t2000\td\th\thidden\t3.2\tx"),
		      "9 fields accepted");
	cr_assert_not(applies(&run, "plan\ts\tn\t5\t2000\td"), "5 fields accepted");
	cr_assert_eq(run.ntests, 4);
	run_free(&run);
}

Test(records, hidden_tests_count_in_the_score_and_the_maximum)
{
	struct ag_run run;

	hidden_run(&run);
	cr_assert(test_named(&run, "no_fd_leaks")->hidden);
	cr_assert(test_named(&run, "blocks_forever")->hidden);
	cr_assert_not(test_named(&run, "reader_sees_eof")->hidden);
	cr_assert_eq(run_score(&run), 8 + 2, "got %g", run_score(&run));
	cr_assert_eq(run_max_score(&run), 28, "got %d", run_max_score(&run));
	run_free(&run);
}

Test(records, tests_not_in_a_plan_are_added_as_they_come)
{
	struct ag_run run = {0};

	cr_assert(applies(&run, "result\tmisc\tsurprise\t3\t3\tpassed\t7\t\t\t"));
	cr_assert_eq(run.ntests, 1);
	rec_finish(&run, "unused");
	cr_assert_eq(run.tests[0].status, AG_PASSED);
	cr_assert_eq(run.tests[0].score, 3);
	cr_assert_not(run.tests[0].planned);
	run_free(&run);
}

Test(records, planned_but_unreported_test_is_notrun_with_the_reason)
{
	struct ag_run run;

	sample_run(&run);
	struct ag_result *test = test_named(&run, "never_started");
	cr_assert_eq(test->status, AG_NOTRUN, "got status %s", ag_status_name(test->status));
	cr_assert_eq(test->score, 0);
	cr_assert_eq(test->max_score, 2);
	cr_assert_str_eq(test->message, "the global deadline passed before this test ran");
	run_free(&run);
}

Test(records, end_without_result_is_a_crash_or_a_timeout)
{
	struct ag_run run;

	sample_run(&run);
	struct ag_result *crash = test_named(&run, "worker_dies");
	struct ag_result *timeout = test_named(&run, "blocks_forever");
	cr_assert_eq(crash->status, AG_CRASHED, "got %s", ag_status_name(crash->status));
	assert_contains(crash->message, "died (signal 11) before reporting", "crash message");
	cr_assert_eq(timeout->status, AG_TIMEOUT, "got %s", ag_status_name(timeout->status));
	assert_contains(timeout->message, "deadline (1500 ms)", "timeout message");
	cr_assert_eq(crash->score + timeout->score, 0);
	run_free(&run);
}

Test(records, leak_keeps_its_partial_score_and_failure_scores_nothing)
{
	struct ag_run run = {0};

	cr_assert(applies(&run, "result\ts\tleaky\t2\t4\tleak\t1\tfd 4 open\t\t"));
	cr_assert(applies(&run, "result\ts\twrong\t3\t4\tfailed\t1\tno\t\t"));
	cr_assert(applies(&run, "result\ts\tgreedy\t9\t4\tpassed\t1\t\t\t"));
	rec_finish(&run, "unused");
	cr_assert_eq(run_find_test(&run, "s", "leaky")->score, 2);
	cr_assert_eq(run_find_test(&run, "s", "wrong")->score, 0);
	cr_assert_eq(run_find_test(&run, "s", "greedy")->score, 4, "score above max not capped");
	run_free(&run);
}

Test(records, points_print_as_halves_or_whole_numbers)
{
	char buf[AG_POINTS_LEN];

	cr_assert_str_eq(ag_points(buf, 2.5), "2.5");
	cr_assert_str_eq(ag_points(buf, 100), "100");
	cr_assert_str_eq(ag_points(buf, 0), "0");
	cr_assert_str_eq(ag_points(buf, 97.5), "97.5");
	cr_assert_str_eq(ag_points(buf, 0.1 + 0.2), "0.3");
}

Test(records, run_score_sums_scores_and_max_scores)
{
	struct ag_run run;

	sample_run(&run);
	cr_assert_eq(run_score(&run), 8 + 2, "got %g", run_score(&run));
	cr_assert_eq(run_max_score(&run), 8 + 6 + 4 + 5 + 3 + 2, "got %d", run_max_score(&run));
	run_free(&run);
}

/* ---- text helpers ---- */

static void assert_sanitised(const char *in, size_t cap, const char *expected)
{
	char *got = text_sanitise(in, cap);

	cr_assert_str_eq(got, expected, "text_sanitise(\"%s\", %zu): expected \"%s\", got \"%s\"",
			 in, cap, expected, got);
	free(got);
}

Test(report, sanitise_replaces_each_invalid_sequence_with_fffd)
{
	assert_sanitised("a\xff\xfe" "b", SIZE_MAX, "a" FFFD FFFD "b");
	assert_sanitised("\xe2\x82" "x", SIZE_MAX, FFFD "x");		/* truncated */
	assert_sanitised("x\xe2\x82", SIZE_MAX, "x" FFFD);		/* truncated at end */
	assert_sanitised("\xc0\xaf", SIZE_MAX, FFFD FFFD);		/* overlong '/' */
	assert_sanitised("\xe0\x80\xaf", SIZE_MAX, FFFD FFFD FFFD);	/* overlong, 3 bytes */
	assert_sanitised("\xed\xa0\x80", SIZE_MAX, FFFD FFFD FFFD);	/* surrogate */
	assert_sanitised("\xf4\x90\x80\x80", SIZE_MAX, FFFD FFFD FFFD FFFD);	/* > U+10FFFF */
	assert_sanitised("\x80", SIZE_MAX, FFFD);			/* lone continuation */
	assert_sanitised("\xf5\x80\x80\x80", SIZE_MAX, FFFD FFFD FFFD FFFD);	/* no such lead */
	assert_sanitised("\xf8\x88\x80\x80\x80", SIZE_MAX, FFFD FFFD FFFD FFFD FFFD);
}

Test(report, sanitise_keeps_valid_utf8_whole)
{
	const char *valid = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \xed\x9f\xbf \xf4\x8f\xbf\xbf";

	assert_sanitised(valid, SIZE_MAX, valid);
	assert_sanitised("", 0, "");
}

Test(report, sanitise_cuts_at_a_character_boundary_and_counts_the_rest)
{
	assert_sanitised("a\xc3\xa9z", 2, "a\n[... 3 more bytes not shown]");
	assert_sanitised("a\xc3\xa9z", 3, "a\xc3\xa9\n[... 1 more bytes not shown]");
	assert_sanitised("abc", 3, "abc");
}

Test(report, json_string_escapes_quotes_controls_and_del)
{
	char *got = NULL;
	size_t len;
	FILE *out = open_memstream(&got, &len);

	json_string(out, "q\"b\\n\nt\tr\rb\bf\f\x01\x1f\x7f\xff");
	fclose(out);
	cr_assert_str_eq(got, "\"q\\\"b\\\\n\\nt\\tr\\rb\\bf\\f\\u0001\\u001f\\u007f" FFFD "\"");
	free(got);
}

Test(report, xml_text_escapes_markup_and_replaces_illegal_chars)
{
	char *got = NULL;
	size_t len;
	FILE *out = open_memstream(&got, &len);

	xml_text(out, "<a href='x'>&\"</a>\t\n\r\x01\x1b\xef\xbf\xbe\xef\xbf\xbf\xc0");
	fclose(out);
	cr_assert_str_eq(got, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;\t\n&#13;"
			 FFFD FFFD FFFD FFFD FFFD);
	free(got);
}

/* ---- results.json ---- */

static const char *sample_json(struct ag_run *run)
{
	const char *path = in_workdir("results.json");

	sample_run(run);
	cr_assert_eq(report_json(path, run), 0, "report_json: %s", strerror(errno));
	return path;
}

Test(report, json_loads_with_scores_statuses_and_numbers)
{
	struct ag_run run;
	const char *path = sample_json(&run);

	assert_parsed(path, "json", "r[\"score\"]", "10");
	assert_parsed(path, "json", "r[\"max_score\"]", "28");
	assert_parsed(path, "json", "len(r[\"tests\"])", "6");
	assert_parsed(path, "json", "[t[\"status\"] for t in r[\"tests\"]]",
		      "[\"passed\", \"failed\", \"failed\", \"failed\", \"failed\", \"failed\"]");
	assert_parsed(path, "json", "[t[\"score\"] for t in r[\"tests\"]]", "[8, 0, 2, 0, 0, 0]");
	assert_parsed(path, "json", "[t[\"number\"] for t in r[\"tests\"]]",
		      "[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]");
	assert_parsed(path, "json", "r[\"tests\"][1][\"name\"]", "writer_gets_epipe");
	assert_parsed(path, "json", "r[\"tests\"][1][\"tags\"]", "[\"pipes\"]");
	assert_parsed(path, "json", "r[\"output_format\"]", "text");
	run_free(&run);
}

Test(report, json_test_output_keeps_the_message_text)
{
	struct ag_run run;
	const char *path = sample_json(&run);
	char *output = parsed(path, "json", "r[\"tests\"][1][\"output\"]");

	cr_assert(strncmp(output, "a writer with no reader gets EPIPE\n", 35) == 0,
		  "the output should start with the description, got:\n%.200s", output);
	/* JSON escapes every control byte, so the parser gives all of them back */
	assert_contains(output, "expected \"quoted\"\tgot\nline2 back\\slash\r"
			"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
			"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
			"\x7f", "JSON test output");
	assert_contains(output, " ff fe:" FFFD FFFD " trunc:" FFFD " overlong:" FFFD FFFD
			" surrogate:" FFFD FFFD FFFD " toobig:" FFFD FFFD FFFD FFFD " end",
			"JSON test output");
	assert_contains(output, "hint: read 3.3 again\n", "JSON test output");
	free(output);
	run_free(&run);
}

Test(report, json_caps_a_100kb_output)
{
	struct ag_run run;
	const char *path = sample_json(&run);
	struct stat st;
	char *output = parsed(path, "json", "r[\"tests\"][1][\"output\"]");

	cr_assert_eq(stat(path, &st), 0);
	cr_assert_lt(st.st_size, 4 * REPORT_OUTPUT_CAP + 4096,
		     "results.json is %lld bytes for a 100 KB output", (long long)st.st_size);
	assert_contains(output, "output:\nline 0000 of output\x1b[2J" FFFD "\n", "capped output");
	assert_contains(output, "more bytes not shown]", "capped output");
	cr_assert_null(strstr(output, "THE-END"), "output past the cap was kept");
	free(output);
	run_free(&run);
}

Test(report, json_says_when_tests_were_not_isolated)
{
	struct ag_run run;
	const char *path = sample_json(&run);

	assert_parsed(path, "json", "r[\"output\"]",
		      "tests were not isolated: user namespaces are disabled\n");
	run_free(&run);
}

Test(report, json_marks_hidden_tests_and_numbers_them_after_the_visible_ones)
{
	struct ag_run run;
	const char *path = in_workdir("results.json");

	hidden_run(&run);
	cr_assert_eq(report_json(path, &run), 0, "report_json: %s", strerror(errno));
	assert_parsed(path, "json", "[t[\"visibility\"] for t in r[\"tests\"]]",
		      "[\"visible\", \"visible\", \"hidden\", \"hidden\", \"visible\", \"visible\"]");
	/* no gap in the numbers students see */
	assert_parsed(path, "json", "[t[\"number\"] for t in r[\"tests\"]]",
		      "[\"1\", \"2\", \"5\", \"6\", \"3\", \"4\"]");
	assert_parsed(path, "json", "[r[\"score\"], r[\"max_score\"]]", "[10, 28]");
	run_free(&run);
}

Test(report, json_output_counts_the_hidden_tests_and_their_points)
{
	struct ag_run run;
	const char *path = in_workdir("results.json");

	hidden_run(&run);
	cr_assert_eq(report_json(path, &run), 0, "report_json: %s", strerror(errno));
	assert_parsed(path, "json", "r[\"output\"]",
		      "tests were not isolated: user namespaces are disabled\n"
		      "2 hidden tests worth 9 points count in your score, but Gradescope does "
		      "not show them to you, and while a test is hidden Gradescope does not "
		      "show your total score either.\n");
	test_named(&run, "blocks_forever")->hidden = false;
	free(run.mode);
	run.mode = strdup("ns");
	cr_assert_eq(report_json(path, &run), 0, "report_json: %s", strerror(errno));
	assert_parsed(path, "json", "r[\"output\"]",
		      "1 hidden test worth 4 points counts in your score, but Gradescope does "
		      "not show it to you, and while a test is hidden Gradescope does not "
		      "show your total score either.\n");
	run_free(&run);
}

Test(report, json_failure_returns_errno_and_leaves_no_temp_file)
{
	struct ag_run run;
	const char *dir = in_workdir("a-directory");
	const char *tmp = in_workdir("a-directory.tmp");

	sample_run(&run);
	errno = 0;
	cr_assert_eq(report_json(in_workdir("missing/results.json"), &run), -1);
	cr_assert_eq(errno, ENOENT, "expected ENOENT, got %s", strerror(errno));
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(report_json(dir, &run), -1, "renamed a file over a directory?");
	cr_assert_eq(errno, EISDIR, "expected EISDIR, got %s", strerror(errno));
	cr_assert_eq(access(tmp, F_OK), -1, "%s was left behind", tmp);
	run_free(&run);
}

/* ---- JUnit XML ---- */

static const char *sample_junit(struct ag_run *run)
{
	const char *path = in_workdir("junit.xml");

	sample_run(run);
	cr_assert_eq(report_junit(path, run), 0, "report_junit: %s", strerror(errno));
	return path;
}

Test(report, junit_is_well_formed_for_xmllint)
{
	struct ag_run run;
	const char *path = sample_junit(&run);
	int status;
	char *out = run_command(&status, "xmllint --noout '%s' 2>&1", path);

	cr_assert_eq(status, 0, "xmllint rejected %s:\n%s", path, out);
	cr_assert_str_empty(out, "xmllint complained:\n%s", out);
	free(out);
	run_free(&run);
}

Test(report, junit_counts_match_the_testcases)
{
	struct ag_run run;
	const char *path = sample_junit(&run);

	assert_parsed(path, "xml", "len(r.findall(\".//testcase\"))", "6");
	assert_parsed(path, "xml", "len(r.findall(\".//failure\"))", "2");
	assert_parsed(path, "xml", "len(r.findall(\".//error\"))", "2");
	assert_parsed(path, "xml", "len(r.findall(\".//skipped\"))", "1");
	assert_parsed(path, "xml", "[r.get(a) for a in (\"tests\", \"failures\", \"errors\")]",
		      "[\"6\", \"2\", \"2\"]");
	assert_parsed(path, "xml", "[r[0].get(a) for a in (\"name\", \"tests\", \"failures\", "
		      "\"errors\", \"skipped\")]", "[\"lab01-pipes\", \"6\", \"2\", \"2\", \"1\"]");
	assert_parsed(path, "xml", "r.find(\".//testcase[2]\").get(\"name\")", "writer_gets_epipe");
	assert_parsed(path, "xml", "r.find(\".//testcase[2]\").get(\"time\")", "0.030");
	run_free(&run);
}

Test(report, junit_failure_holds_the_message_and_hint)
{
	struct ag_run run;
	const char *path = sample_junit(&run);
	char *text = parsed(path, "xml", "r.find(\".//testcase[2]/failure\").text");

	assert_parsed(path, "xml", "r.find(\".//testcase[2]/failure\").get(\"message\")",
		      "expected \"quoted\" got");	/* XML turns a tab in an attribute into a space */
	/* control bytes other than tab, newline and CR are replaced: XML 1.0 forbids them */
	assert_contains(text, "expected \"quoted\"\tgot\nline2 back\\slash\r"
			FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD "\t\n" FFFD FFFD "\r", "failure");
	assert_contains(text, "\x7f ff fe:" FFFD FFFD " trunc:" FFFD, "failure");
	assert_contains(text, "\nhint: read 3.3 again", "failure");
	assert_parsed(path, "xml", "r.find(\".//testcase[6]/skipped\").get(\"message\")",
		      "the global deadline passed before this test ran");
	free(text);
	run_free(&run);
}

Test(report, junit_system_out_is_capped)
{
	struct ag_run run;
	const char *path = sample_junit(&run);
	char *out = parsed(path, "xml", "r.find(\".//testcase[2]/system-out\").text");

	cr_assert_lt(strlen(out), 3 * REPORT_OUTPUT_CAP, "system-out is %zu bytes", strlen(out));
	assert_contains(out, "line 0000 of output" FFFD "[2J" FFFD "\n", "system-out");
	cr_assert_null(strstr(out, "THE-END"), "output past the cap was kept");
	free(out);
	run_free(&run);
}

/* Jenkins' junit-10.xsd gives a testcase no properties: the suite holds the marks. */
Test(report, junit_marks_hidden_tests_in_the_suite_properties)
{
	struct ag_run run;
	const char *path = in_workdir("junit.xml");

	hidden_run(&run);
	cr_assert_eq(report_junit(path, &run), 0, "report_junit: %s", strerror(errno));
	assert_parsed(path, "xml", "[(p.get(\"name\"), p.get(\"value\")) for p in "
		      "r.findall(\"testsuite/properties/property\")]",
		      "[[\"visibility:no_fd_leaks\", \"hidden\"], "
		      "[\"visibility:blocks_forever\", \"hidden\"]]");
	assert_parsed(path, "xml", "len(r.findall(\".//testcase/properties\"))", "0");
	assert_parsed(path, "xml", "len(r.findall(\".//testcase\"))", "6");
	run_free(&run);
}

Test(report, junit_is_valid_for_the_kits_schema)
{
	struct ag_run run;
	int status;

	hidden_run(&run);
	free(run.output);
	run.output = strdup("the runner's output\n");
	const char *path = in_workdir("junit.xml");
	cr_assert_eq(report_junit(path, &run), 0, "report_junit: %s", strerror(errno));
	char *out = run_command(&status, "xmllint --noout --schema "
				"autograder/selfcheck/junit.xsd '%s' 2>&1", path);

	cr_assert_eq(status, 0, "%s does not fit autograder/selfcheck/junit.xsd:\n%s", path, out);
	free(out);
	run_free(&run);
}

/* "...: " introduces the lines after it: alone in an attribute, it dangles. */
Test(report, junit_message_attribute_reads_whole)
{
	struct ag_run run;
	const char *path = in_workdir("junit.xml");

	sample_run(&run);
	free(test_named(&run, "blocks_forever")->message);
	test_named(&run, "blocks_forever")->message = strdup("timed out after 1.5 s. Where "
		"each process was when the deadline passed:\n  pid 2 (the test): reading\n");
	free(test_named(&run, "worker_dies")->message);
	test_named(&run, "worker_dies")->message = strdup("waited 2.5 s for:\n  the worker\n");
	cr_assert_eq(report_junit(path, &run), 0, "report_junit: %s", strerror(errno));
	assert_parsed(path, "xml", "r.find(\".//testcase[4]/error\").get(\"message\")",
		      "timed out after 1.5 s.");
	assert_parsed(path, "xml", "r.find(\".//testcase[5]/error\").get(\"message\")",
		      "waited 2.5 s for");
	/* the text ends with its words: no blank line before the hint, no newline at the end */
	assert_parsed(path, "xml", "r.find(\".//testcase[4]/error\").text",
		      "timed out after 1.5 s. Where each process was when the deadline passed:\n"
		      "  pid 2 (the test): reading");
	run_free(&run);
}

/* Every test failed for the build: its failure text holds the compiler's messages. */
Test(report, junit_build_failure_carries_the_compiler_messages)
{
	struct ag_run run;
	const char *path = in_workdir("junit.xml");

	sample_run(&run);
	run.output = strdup("pipes.c:1:30: error: 'syntax' undeclared\n");
	run.not_built = true;
	cr_assert_eq(report_junit(path, &run), 0, "report_junit: %s", strerror(errno));
	char *text = parsed(path, "xml", "r.find(\".//testcase[2]/failure\").text");
	assert_contains(text, "\npipes.c:1:30: error: 'syntax' undeclared\nhint: read 3.3 again",
			"failure");
	assert_parsed(path, "xml", "r.find(\"testsuite/system-out\").text",
		      "pipes.c:1:30: error: 'syntax' undeclared\n");
	free(text);
	run.not_built = false;	/* warnings of a build that worked: the suite's only */
	cr_assert_eq(report_junit(path, &run), 0, "report_junit: %s", strerror(errno));
	text = parsed(path, "xml", "r.find(\".//testcase[2]/failure\").text");
	cr_assert_null(strstr(text, "syntax"), "a test's failure holds the build's output:\n%s",
		       text);
	free(text);
	run_free(&run);
}

/* ---- terminal ---- */

static char *styled(struct ag_run *run, struct report_style style)
{
	char *text = NULL;
	size_t len;
	FILE *out = open_memstream(&text, &len);

	cr_assert_not_null(out);
	report_terminal(out, run, &style);
	cr_assert_eq(fclose(out), 0);
	return text;
}

static char *terminal(struct ag_run *run, bool colour)
{
	return styled(run, (struct report_style){.colour = colour, .rerun = "ipclab test 01"});
}

static void assert_ends_with(const char *text, const char *end)
{
	size_t len = strlen(text), end_len = strlen(end);

	cr_assert(len >= end_len && strcmp(text + len - end_len, end) == 0,
		  "expected the report to end with \"%s\", got:\n%s", end, text);
}

Test(report, plain_terminal_has_no_escape_or_control_bytes_and_ends_with_score)
{
	struct ag_run run;
	char *text;

	sample_run(&run);
	text = terminal(&run, false);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		cr_assert(*p >= 0x20 ? *p != 0x7f : *p == '\n',
			  "byte 0x%02x at offset %td of the plain report", *p,
			  (const char *)p - text);
	char *valid = text_sanitise(text, SIZE_MAX);
	cr_assert_str_eq(valid, text, "the plain report is not valid UTF-8");
	assert_ends_with(text, "\n\n1/6 tests passed\nstart here: writer_gets_epipe\n"
			 "score: 10/28\n");
	free(valid);
	free(text);
	run_free(&run);
}

Test(report, colour_terminal_uses_ansi_but_keeps_the_score_line_plain)
{
	struct ag_run run;
	char *text;

	sample_run(&run);
	text = terminal(&run, true);
	assert_contains(text, "\033[31mFAIL \033[0m", "colour report");
	assert_contains(text, "\033[32mok   \033[0m", "colour report");
	assert_ends_with(text, "\nscore: 10/28\n");
	free(text);
	run_free(&run);
}

Test(report, terminal_lines_up_one_line_per_test)
{
	struct ag_run run;
	char *text;

	sample_run(&run);
	text = terminal(&run, false);
	assert_contains(text, "\n\n  ok    8/8  reader_sees_eof\n", "passed line");
	assert_contains(text, "\n  FAIL  0/6  writer_gets_epipe\n", "failed line");
	assert_contains(text, "\n  LEAK  2/4  no_fd_leaks\n", "leak line");
	assert_contains(text, "\n  TIME  0/5  blocks_forever\n", "timeout line");
	assert_contains(text, "\n  CRASH 0/3  worker_dies\n", "crash line");
	assert_contains(text, "\n  SKIP  0/2  never_started\n", "notrun line");
	cr_assert_null(strstr(text, "cat at the end of a pipeline"),
		       "a passing test's description shown without -v");
	free(text);
	run_free(&run);
}

Test(report, terminal_explains_a_failure_under_its_line)
{
	struct ag_run run;
	char *text;

	sample_run(&run);
	text = terminal(&run, false);
	assert_contains(text, "  FAIL  0/6  writer_gets_epipe\n"
			"        a writer with no reader gets EPIPE\n", "description");
	assert_contains(text, "EPIPE\n        expected \"quoted\" got\n"
			"        line2 back\\slash?????????", "message, every line indented");
	assert_contains(text, "\n        hint: read 3.3 again\n"
			"        rerun: ipclab test 01 writer_gets_epipe\n"
			"        output:\n          line 0000 of output?[2J" FFFD "\n", "details");
	assert_contains(text, "\n          line 0019 of output?[2J" FFFD "\n          [... ",
			"output cut after 20 lines");
	cr_assert_null(strstr(text, "line 0020"), "more than 20 output lines shown");
	cr_assert_null(strstr(text, "rerun: ipclab test 01 reader_sees_eof"),
		       "a passing test got a rerun line");
	free(text);
	run_free(&run);
}

Test(report, terminal_explains_crashes_timeouts_leaks_and_skips_too)
{
	struct ag_run run;
	char *text;

	sample_run(&run);
	text = terminal(&run, false);
	assert_contains(text, "\n        worker survives\n        the test's worker process died "
			"(signal 11) before reporting", "crash details");
	assert_contains(text, "\n        reader wakes up\n        the test's worker process was "
			"killed at its deadline (1500 ms)", "timeout details");
	assert_contains(text, "\n        run_pipeline closes what it opens\n        fd 4 (pipe "
			"write end) still open after run_pipeline returned\n"
			"        hint: Handout 3.4\n"
			"        rerun: ipclab test 01 no_fd_leaks\n", "leak details");
	assert_contains(text, "\n        runs last\n        the global deadline passed before "
			"this test ran\n        rerun: ipclab test 01 never_started\n",
			"skip details");
	free(text);
	run_free(&run);
}

Test(report, terminal_notes_when_tests_are_not_isolated)
{
	struct ag_run run;
	char *text;

	sample_run(&run);
	text = terminal(&run, false);
	assert_contains(text, "\nnote: tests are not isolated (user namespaces are disabled); "
			"see `ipclab doctor`\n", "isolation note");
	free(text);
	free(run.mode);
	run.mode = strdup("ns");
	text = terminal(&run, false);
	cr_assert_null(strstr(text, "not isolated"), "note shown for an isolated run");
	free(text);
	run_free(&run);
}

Test(report, terminal_marks_hidden_tests)
{
	struct ag_run run;
	char *text;

	hidden_run(&run);
	text = terminal(&run, false);
	assert_contains(text, "\n  ok    8/8  reader_sees_eof\n", "visible line");
	assert_contains(text, "\n  LEAK  2/4  no_fd_leaks [hidden]\n", "hidden leak line");
	assert_contains(text, "\n  TIME  0/5  blocks_forever [hidden]\n", "hidden timeout line");
	assert_ends_with(text, "\n\n1/6 tests passed (2 hidden, worth 9 of the points)\n"
			 "start here: writer_gets_epipe\nscore: 10/28\n");
	free(text);
	run_free(&run);
}

/*
 * The sample's tests graded for a handout with tasks 3.1 to 3.3: two tests
 * of 3.2, one of 3.1, one of a task the handout does not have (3.10, after
 * 3.9 in number order), two of none.
 */
static void write_task_records(int fd)
{
	write_sample_records(fd);
	put_record(fd, "plan", 8, "pipes", "reader_sees_eof", "8", "2000",
		   "cat at the end of a pipeline sees EOF", "Handout 3.2", "visible", "3.2");
	put_record(fd, "plan", 8, "pipes", "writer_gets_epipe", "6", "2000",
		   "a writer with no reader gets EPIPE", "Handout 3.3", "visible", "3.2");
	put_record(fd, "plan", 8, "pipes", "no_fd_leaks", "4", "2000",
		   "run_pipeline closes what it opens", "Handout 3.4", "hidden", "3.1");
	put_record(fd, "plan", 8, "pipes", "blocks_forever", "5", "1500", "reader wakes up", "",
		   "visible", "3.10");
	put_record(fd, "plan", 8, "pipes", "worker_dies", "3", "2000", "worker survives", "",
		   "visible", "3.9");
}

static void add_task(struct ag_run *run, const char *number, const char *title,
		     const char *where)
{
	run->tasks = realloc(run->tasks, (size_t)(run->ntasks + 1) * sizeof(*run->tasks));
	cr_assert_not_null(run->tasks);
	run->tasks[run->ntasks++] = (struct ag_task){strdup(number), strdup(title), strdup(where)};
}

static void task_run(struct ag_run *run)
{
	run_from(run, write_task_records);
	add_task(run, "3.1", "read_full() and write_full()", "labs/01-pipes/README.md#31-x");
	add_task(run, "3.2", "run_pipeline(): who closes what", "labs/01-pipes/README.md#32-y");
	add_task(run, "3.3", "a task no test grades", "labs/01-pipes/README.md#33-z");
}

/* Where in text the line that starts with prefix is; fails the test when none is. */
static const char *line_at(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);

	for (const char *line = text; *line; line += strcspn(line, "\n") + 1) {
		if (strncmp(line, prefix, len) == 0)
			return line;
		if (line[strcspn(line, "\n")] == '\0')
			break;
	}
	cr_assert_fail("no line starts with \"%s\" in:\n%s", prefix, text);
	return NULL;
}

/* The line at line has cols bytes, and its end and the lines after it are text. */
static void assert_line_ends(const char *line, size_t cols, const char *text)
{
	size_t len = strcspn(line, "\n"), end = strcspn(text, "\n");

	cr_assert(len == cols, "a line of %zu columns, not %zu: \"%.*s\"", len, cols, (int)len,
		  line);
	cr_assert(strncmp(line + len - end, text, strlen(text)) == 0,
		  "expected the line and those after it to end with:\n%s\ngot:\n%s", text, line);
}

Test(report, terminal_groups_tests_by_task_in_the_handouts_order)
{
	struct ag_run run;

	task_run(&run);
	char *text = styled(&run, (struct report_style){.rerun = "ipclab test 01"});
	const char *first = line_at(text, "3.1 read_full() and write_full() ");
	const char *second = line_at(text, "3.2 run_pipeline(): who closes what ");
	const char *nine = line_at(text, "task 3.9 ");
	const char *ten = line_at(text, "task 3.10 ");
	const char *none = line_at(text, "tests with no task ");
	cr_assert(first < second && second < nine && nine < ten && ten < none,
		  "tasks out of the handout's order:\n%s", text);
	cr_assert_null(strstr(text, "a task no test grades"), "a task with no tests shown");
	/* each task's points at the right margin; a hidden test's after the handout's */
	assert_line_ends(second, 80, " 8/14\n  ok    8/8  reader_sees_eof\n"
			 "  FAIL  0/6  writer_gets_epipe\n");
	assert_line_ends(first, 80, " 0/0 + 2/4 hidden\n  LEAK  2/4  no_fd_leaks [hidden]\n");
	free(text);
	run_free(&run);
}

Test(report, terminal_starts_with_the_first_task_not_done)
{
	struct ag_run run;

	task_run(&run);
	char *text = styled(&run, (struct report_style){.focus = true,
							.rerun = "ipclab test 01"});
	assert_ends_with(text, "\n`ipclab test 01 -v` shows every failure in full\n"
			 "start here: 3.1 read_full() and write_full(), in "
			 "labs/01-pipes/README.md#31-x\nscore: 10/28\n");
	/* in full: the failures of the first task not done, and no other */
	assert_contains(text, "rerun: ipclab test 01 no_fd_leaks\n", "3.1 in full");
	cr_assert_null(strstr(text, "rerun: ipclab test 01 writer_gets_epipe"),
		       "a failure of a later task in full:\n%s", text);
	free(text);
	text = styled(&run, (struct report_style){.focus = true, .verbose = true,
						  .rerun = "ipclab test 01"});
	assert_contains(text, "rerun: ipclab test 01 writer_gets_epipe\n", "-v: every failure");
	assert_contains(text, "  ok    8/8  reader_sees_eof\n"
			"        cat at the end of a pipeline sees EOF\n", "-v: passing tests too");
	cr_assert_null(strstr(text, "-v` shows"), "-v still says to use -v");
	free(text);
	run_free(&run);
}

/* Every line of text fits in width columns (one per character). */
static void assert_fits(const char *text, int width)
{
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		int cols = 0;

		for (size_t i = 0; i < len; i++)
			cols += ((unsigned char)line[i] & 0xc0) != 0x80;
		cr_assert(cols <= width, "a line of %d columns, above %d: \"%.*s\"", cols, width,
			  (int)len, line);
		line += len + (line[len] == '\n');
	}
}

Test(report, terminal_fits_the_width_and_breaks_lines_between_words)
{
	struct ag_run run;

	task_run(&run);
	for (int width = 40; width <= 120; width += 40) {
		char *text = styled(&run, (struct report_style){.verbose = true, .width = width,
								.rerun = "ipclab test 01"});
		assert_fits(text, width);
		free(text);
	}
	char *text = styled(&run, (struct report_style){.width = 40, .rerun = "ipclab test 01"});
	assert_contains(text, "\n        hint: Handout 3.3\n        rerun: ipclab test 01\n"
			"               writer_gets_epipe\n", "a rerun line broken after a word");
	free(text);
	text = styled(&run, (struct report_style){.width = 10});
	assert_fits(text, 40);	/* narrower than 40 is taken as 40 */
	free(text);
	/* one line of a flood (8 KiB kept of it) stays a few lines, then says it was cut */
	struct ag_result *failed = test_named(&run, "writer_gets_epipe");
	free(failed->output);
	failed->output = malloc(100001);
	cr_assert_not_null(failed->output);
	memset(failed->output, 'x', 100000);
	failed->output[100000] = '\0';
	text = styled(&run, (struct report_style){.verbose = true});
	assert_fits(text, 80);
	int lines = 0;
	for (const char *p = strstr(text, "xxxx\n"); p; p = strstr(p + 1, "xxxx\n"))
		lines++;
	cr_assert(lines > 1 && lines < 10 && strstr(text, "x [...]\n"),
		  "a 100 kB line takes %d lines of the report, or is not marked cut", lines);
	free(text);
	run_free(&run);
}

Test(report, terminal_says_a_reason_every_test_shares_once)
{
	struct ag_run run;

	sample_run(&run);
	for (int i = 0; i < run.ntests; i++) {
		free(run.tests[i].message);
		run.tests[i].message = strdup("did not compile: see the compiler's messages");
		run.tests[i].status = AG_FAILED;
		run.tests[i].score = 0;
	}
	char *text = styled(&run, (struct report_style){.focus = true,
							.rerun = "ipclab test 01"});
	const char *once = strstr(text, "did not compile");
	cr_assert(once && strstr(once + 1, "did not compile") == NULL,
		  "the shared reason is not said once:\n%s", text);
	cr_assert_null(strstr(text, "rerun:"), "a test in full under a shared reason");
	cr_assert_null(strstr(text, "start here"), "a task to start from though nothing compiled");
	cr_assert_null(strstr(text, "writer_gets_epipe"), "a test listed under a shared reason");
	assert_ends_with(text, "\n\n0/6 tests passed\nscore: 0/28\n");
	free(text);
	/* a submission that is not there: its problem said once, not as output and reason */
	for (int i = 0; i < run.ntests; i++) {
		free(run.tests[i].message);
		run.tests[i].message = strdup("not graded: sub/pipes.c is missing");
	}
	free(run.output);
	run.output = strdup("sub/pipes.c is missing\n");
	text = styled(&run, (struct report_style){0});
	once = strstr(text, "pipes.c is missing");
	cr_assert(once && strstr(once + 1, "pipes.c is missing") == NULL,
		  "the missing file is not said once:\n%s", text);
	free(text);
	run_free(&run);
}

/* ---- a leak of a 5-point test: 2.5 in every output ---- */

static void write_half_records(int fd)
{
	put_record(fd, "plan", 6, "pipes", "reader_sees_eof", "8", "2000", "sees EOF", "");
	put_record(fd, "plan", 6, "pipes", "no_fd_leaks", "5", "2000", "closes all", "");
	put_record(fd, "result", 9, "pipes", "reader_sees_eof", "8", "8", "passed", "12",
		   "", "", "");
	put_record(fd, "result", 9, "pipes", "no_fd_leaks", "2.5", "5", "leak", "5",
		   "fd 4 still open", "", "");
}

Test(records, half_points_of_a_leak_reach_every_report)
{
	struct ag_run run;
	const char *json = in_workdir("half.json");
	char *text;

	run_from(&run, write_half_records);
	cr_assert_eq(test_named(&run, "no_fd_leaks")->score, 2.5, "got %g",
		     test_named(&run, "no_fd_leaks")->score);
	cr_assert_eq(run_score(&run), 10.5, "got %g", run_score(&run));
	text = terminal(&run, false);
	assert_contains(text, "\n  LEAK  2.5/5  no_fd_leaks", "leak line");
	assert_contains(text, "\n  ok      8/8  reader_sees_eof", "passed line");
	assert_ends_with(text, "\nscore: 10.5/13\n");
	free(text);
	cr_assert_eq(report_json(json, &run), 0, "report_json: %s", strerror(errno));
	assert_parsed(json, "json", "r[\"score\"]", "10.5");
	assert_parsed(json, "json", "r[\"tests\"][1][\"score\"]", "2.5");
	assert_parsed(json, "json", "r[\"tests\"][0][\"score\"]", "8");
	run_free(&run);
}
