/*
 * class_report_demo.c - writes a class report (classreport.c) for a made-up
 * class of 30 submissions to Lab 01, for make check's class_report_renders
 * and for a person to look at.
 *
 * Usage: build/selftest/class_report_demo OUT.html [empty]
 *
 * The class is the same on every run (a fixed pseudo-random sequence): 27
 * graded submissions with scores from 0 to 100, 3 not graded, and names and
 * messages that a report must escape: commas, quotes, <script>, spaces,
 * "Zoë Ünal", CJK, an invalid UTF-8 byte, control bytes, a 5000-byte
 * message. Two of the graded fail every test for one reason: one did not
 * compile, one is the skeleton, unchanged. With "empty", the report of a
 * class of no submissions. Prints "submissions N graded N not-graded N
 * no-build N skeleton N" for the check to compare.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classreport.h"
#include "util.h"

#define CLASS_SIZE 30

struct demo_test {
	const char *name, *desc;
	int points;
	double difficulty;		/* 0: everyone passes, 1: nobody does */
	enum ag_status failure;		/* how it fails */
	const char *message;		/* printf format; takes two numbers */
	const char *hint;
};

static const struct demo_test plan[] = {
	{"read_full_gathers_partial_reads",
	 "read_full() keeps reading until it has all the bytes asked for",
	 8, 0.15, AG_FAILED,
	 "expected 4096 bytes, read_full() returned %d: it stopped after one read(2)? (pid %d)",
	 "Handout 3.1: read(2) on a pipe returns what is there now; loop until count."},
	{"read_full_retries_after_signal",
	 "read_full() goes on reading when a signal interrupts read(2) with EINTR",
	 8, 0.35, AG_FAILED,
	 "read_full() failed with EINTR after %d bytes in pid %d",
	 "Handout 3.1: a handler installed without SA_RESTART makes read(2) fail with EINTR."},
	{"write_full_survives_interruption",
	 "write_full() delivers 1 MiB through a pipe despite signals mid-write",
	 8, 0.3, AG_FAILED,
	 "delivered %d of 1048576 bytes, then failed (pid %d)",
	 "Handout 3.1: an interrupted write(2) returns a short count: loop."},
	{"pipeline_passes_data",
	 "run_pipeline() connects cmd1's stdout to cmd2's stdin",
	 10, 0.1, AG_FAILED,
	 "expected \"hello\" on cmd2's stdin, got \"<script>alert(1)</script>\xff\xfe\x01\" "
	 "(%d bytes, pid %d)",
	 "Handout 3.2: dup2() the write end onto 1 in the first child."},
	{"pipeline_reader_sees_eof",
	 "cmd2 sees end of file when cmd1 exits (printf x | wc -c ends)",
	 12, 0.45, AG_TIMEOUT,
	 "timed out after 2000 ms: pid %d (wc) blocked in pipe_read; "
	 "the write end is still open in: pid %d",
	 "Handout 3.2: EOF comes only when every write end is closed, in the parent "
	 "and in both children."},
	{"pipeline_leaves_nothing_behind",
	 "run_pipeline() closes both pipe ends and reaps both children",
	 10, 0.5, AG_LEAK,
	 "leaked file descriptor %d (pipe:[%d]) in the parent",
	 "Handout 3.2: the parent closes both ends after forking, then waitpid()s each child."},
	{"messages_arrive_whole",
	 "8 processes writing lines into one pipe: every line arrives whole",
	 10, 0.4, AG_FAILED,
	 "line %d arrived cut: expected 57 bytes, got %d",
	 "Handout 3.6: one write(2) of at most PIPE_BUF bytes is atomic."},
	{"feed_command_survives_early_exit",
	 "feed_command() is not killed when the command exits before reading it all",
	 10, 0.55, AG_CRASHED,
	 "killed by signal 13 (SIGPIPE) after writing %d bytes to pid %d",
	 "Handout 3.3: ignore or block SIGPIPE while writing and treat EPIPE as the end."},
	{"filter_large_message_no_deadlock",
	 "filter_through_child() moves 4 MiB each way without deadlocking",
	 14, 0.7, AG_TIMEOUT,
	 "timed out after %d ms: pid %d blocked in pipe_write on /tmp/ipclab.Xf3k9q/req",
	 "Handout 3.5: interleave reads and writes with poll(2)."},
	{"capacity_default_is_measured",
	 "measure_pipe_capacity() finds 65536 bytes in a new pipe",
	 10, 0.25, AG_FAILED,
	 "measured %d bytes, expected 65536 (pid %d)",
	 "Handout 3.4: fill the pipe with O_NONBLOCK writes until EAGAIN."},
};
#define NTESTS ((int)(sizeof(plan) / sizeof(plan[0])))

/* Names a report must show as they are; the rest are student-NN. */
static const char *const special_names[] = {
	"Doe, John", "O'Neil \"Shaq\"", "<script>alert(1)</script>", "Carol  Danvers",
	"Zo\xc3\xab \xc3\x9cnal", "bad\xffname", "fish & chips",
	"\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d",
	"tab\there\x1b[31m", "semi;colon,comma",
};
#define NSPECIAL ((int)(sizeof(special_names) / sizeof(special_names[0])))

/* Not graded: entries 4, 12 and 25, for these reasons. */
static const struct {
	int index;
	const char *problem;
} not_graded[] = {
	{4, "pipes.c is missing: the submission holds only pipes.c.orig and notes.txt"},
	{12, "refused: pipes.c is a symbolic link to ../../etc/passwd"},
	{25, "pipes.c is larger than 1 MiB (3145728 bytes)"},
};

/* Graded, but every test fails for one reason (batch.c's submission_judge). */
static const struct {
	int index;
	enum class_verdict verdict;
	const char *message;
} wholes[] = {
	{7, CLASS_NO_BUILD, "did not compile: see the compiler's messages above"},
	{19, CLASS_SKELETON, "expected 4096 bytes, got -1 (errno 38, ENOSYS)"},
};
#define NWHOLES ((int)(sizeof(wholes) / sizeof(wholes[0])))

static int whole_of(int index)
{
	for (int i = 0; i < NWHOLES; i++)
		if (wholes[i].index == index)
			return i;
	return -1;
}

static uint32_t random_state = 2463534242u;

/* xorshift32: the same class on every run. */
static uint32_t next_random(void)
{
	random_state ^= random_state << 13;
	random_state ^= random_state >> 17;
	random_state ^= random_state << 5;
	return random_state;
}

static double random_unit(void)
{
	return (next_random() % 10000) / 10000.0;
}

static char *entry_name(int index)
{
	if (index % 3 == 1 && index / 3 < NSPECIAL)
		return xstrdup(special_names[index / 3]);
	return xstrfmt("student-%02d", index + 1);
}

static const char *problem_of(int index)
{
	for (size_t i = 0; i < sizeof(not_graded) / sizeof(not_graded[0]); i++)
		if (not_graded[i].index == index)
			return not_graded[i].problem;
	return NULL;
}

/* A failure's message, numbers changing from run to run; one quotes a 5000-byte line. */
static char *failure_message(const struct demo_test *test)
{
	char *message = xstrfmt(test->message, (int)(next_random() % 5000),
				(int)(next_random() % 32768));

	if (strcmp(test->name, "messages_arrive_whole") == 0) {
		char *line = xmalloc(5001), *quoted;

		memset(line, 'x', 5000);
		line[5000] = '\0';
		quoted = xstrfmt("%s: \"%s\"", message, line);
		free(line);
		free(message);
		message = quoted;
	}
	return message;
}

static void set_result(struct ag_result *result, const struct demo_test *test,
		       bool passed)
{
	result->max_score = test->points;
	result->desc = xstrdup(test->desc);
	result->hint = xstrdup(test->hint);
	result->planned = result->has_result = true;
	result->status = passed ? AG_PASSED : test->failure;
	/* a leak keeps half its points, as the sandbox gives them */
	result->score = passed ? test->points :
			test->failure == AG_LEAK ? test->points / 2.0 : 0;
	if (!passed)
		result->message = failure_message(test);
}

/* One submission: skill decides how many tests pass; a problem fails them all. */
static void make_run(struct ag_run *run, int student, const char *problem)
{
	int whole = whole_of(student);

	double skill = student == 0 ? 2 : student == 9 ? -1 : random_unit() * 1.3;

	run->lab = xstrdup("01-pipes");
	run->title = xstrdup("Lab 01: pipes");
	for (int t = 0; t < NTESTS; t++) {
		struct ag_result *result = run_add_test(run, "pipes", plan[t].name);

		if (result == NULL)
			die("out of memory");
		if (problem || whole >= 0) {
			set_result(result, &plan[t], false);
			result->status = AG_FAILED;
			result->score = 0;
			free(result->message);
			result->message = xstrdup(problem ? problem : wholes[whole].message);
		} else {
			set_result(result, &plan[t],
				   skill + random_unit() * 0.4 > plan[t].difficulty + 0.2);
		}
	}
}

int main(int argc, char **argv)
{
	struct class_entry entries[CLASS_SIZE] = {0};
	struct ag_run runs[CLASS_SIZE];
	char *names[CLASS_SIZE];
	int n = argc == 3 && strcmp(argv[2], "empty") == 0 ? 0 : CLASS_SIZE;
	int graded = 0, no_build = 0, skeleton = 0;

	if (argc < 2 || argc > 3 || (argc == 3 && n != 0))
		die("usage: class_report_demo OUT.html [empty]");
	memset(runs, 0, sizeof(runs));
	for (int i = 0; i < n; i++) {
		const char *problem = problem_of(i);

		names[i] = entry_name(i);
		make_run(&runs[i], i, problem);
		int whole = whole_of(i);
		enum class_verdict verdict = whole >= 0 ? wholes[whole].verdict : CLASS_TESTED;

		entries[i] = (struct class_entry){names[i], problem, &runs[i], verdict};
		graded += problem == NULL;
		no_build += verdict == CLASS_NO_BUILD;
		skeleton += verdict == CLASS_SKELETON;
	}
	if (report_class_html(argv[1], "Lab 01: pipes", entries, n) == -1)
		die_errno("%s", argv[1]);
	printf("submissions %d graded %d not-graded %d no-build %d skeleton %d\n", n, graded,
	       n - graded, no_build, skeleton);
	for (int i = 0; i < n; i++) {
		run_free(&runs[i]);
		free(names[i]);
	}
	return 0;
}
