/*
 * test_run.c - Lab 07's graded test of §3.5: run_suite() (given) with the
 * student's functions under it, judged from the CSV it writes.
 *
 * The judge parses the file itself: the header, the rows in order, the
 * counts the plan asked for, percentiles in order, one fingerprint; and
 * holds each figure against the calibration measured in the same run,
 * never against a fixed time. That the rows were measured, not written,
 * it learns from what it saw: the FIFOs each fifo row made in the
 * directory (inotify), and the time the whole run took, which must hold
 * the time the rows say their round trips and transfers took.
 *
 * Handout: labs/07-compare/README.md. Run one test: ipclab test 07 NAME.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/inotify.h>

#include "grader.h"
#include "compare.h"
#include "judgelinks.h"

#define HEADER "kind,name,bytes,count,min_ns,p50_ns,p99_ns,p999_ns,max_ns,mean_ns,gbps,cpus," \
	       "machine"
#define ROWS (4 + MECH_COUNT + MECH_COUNT * SUITE_SIZES)
#define COLUMNS 13

struct csv_row {
	char field[COLUMNS][256];
};

/* In a subject: run_suite into path. */
static int run_into(const char *path, const struct suite *plan)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = run_suite(f, plan);
	return fclose(f) == 0 ? rc : -1;
}

/* Splits line (no quotes in this CSV) into exactly COLUMNS fields. */
static bool split(char *line, struct csv_row *r)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *at = line;; n++) {
		size_t len = strcspn(at, ",");

		if (n == COLUMNS || len >= sizeof(r->field[0]))
			return false;
		memcpy(r->field[n], at, len);
		r->field[n][len] = '\0';
		if (!at[len])
			break;
		at += len + 1;
	}
	return n == COLUMNS - 1;
}

static unsigned long long number(const struct csv_row *r, int column)
{
	return strtoull(r->field[column], NULL, 10);
}

/* "" when the row's timings are all there and in order, else what is wrong. */
static const char *ordered(const struct csv_row *r)
{
	unsigned long long v[6];

	for (int i = 0; i < 6; i++) {
		if (!r->field[4 + i][0])
			return "a timing is missing";
		v[i] = number(r, 4 + i);
	}
	if (!(v[0] <= v[1] && v[1] <= v[2] && v[2] <= v[3] && v[3] <= v[4]))
		return "min <= p50 <= p99 <= p999 <= max does not hold";
	if (!(v[0] <= v[5] && v[5] <= v[4]))
		return "the mean is not between min and max";
	return "";
}

/* How many times fifo0 was made in the watched directory. */
static int fifos_made(int watch)
{
	char events[8192] __attribute__((aligned(8)));
	int n = 0;

	for (ssize_t len; (len = read(watch, events, sizeof(events))) > 0;)
		for (char *at = events; at < events + len;) {
			const struct inotify_event *e = (const struct inotify_event *)at;

			n += e->len && strcmp(e->name, "fifo0") == 0;
			at += sizeof(*e) + e->len;
		}
	close(watch);
	return n;
}

GRADED_TEST(compare, run_suite_writes_csv, .task = "3.5", .points = 8, .deadline = 30,
	    .desc = "run_suite() writes the header and the calibration, latency and throughput "
		    "rows in order, with counts as planned, each on a link of its own (a fifo "
		    "row's FIFOs made in dir), percentiles ordered, one machine fingerprint, and "
		    "figures no faster than the calibration allows (a round trip through the "
		    "kernel no shorter than two null system calls, the ring's no shorter than the "
		    "clock's step, no throughput above memcpy's) and no slower than the run was",
	    .hint = "Handout 3.5: run ./ipcbench -r 100 -b 1M and read its CSV; each row comes "
		    "from your functions.")
{
	static const char *const calibration[4] = {"clock", "syscall", "memcpy", "line"};
	static struct csv_row rows[ROWS];
	struct suite plan = {.cpu = {0, 1}, .rounds = 40, .bulk_bytes = 64 * 1024,
			     .dir = ag_scratch()};
	char path[4200], line[1024];
	uint64_t start, elapsed;
	double memcpy_gbps, claimed = 0;
	int watch, fifos;
	unsigned long long syscall_ns, clock_ns;
	FILE *f;
	int rc, n = 0;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		plan.cpu[1] = 0;
	snprintf(path, sizeof(path), "%s/results.csv", ag_scratch());
	watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ag_setup(watch != -1 && inotify_add_watch(watch, ag_scratch(), IN_CREATE) != -1,
		 "inotify");
	start = judge_now();
	rc = SUBJECT(run_into(path, &plan));
	elapsed = judge_now() - start;
	fifos = fifos_made(watch);
	expect(rc == 0, "run_suite() with 40 round trips and 64 KiB a throughput row: expected "
	       "0, got %s", result_text(rc, errno));
	f = fopen(path, "re");
	ag_setup(f != NULL, "open the CSV");
	expect(fgets(line, sizeof(line), f) && strcmp(line, HEADER "\n") == 0, "the CSV's first "
	       "line is not the header " HEADER);
	while (n < ROWS && fgets(line, sizeof(line), f)) {
		expect(split(line, &rows[n]), "line %d of the CSV does not have %d fields: %s",
		       n + 2, COLUMNS, line);
		n++;
	}
	expect(n == ROWS && !fgets(line, sizeof(line), f), "the CSV has %s rows; expected %d "
	       "(4 calibration, %d latency, %d throughput)", n == ROWS ? "more" : "fewer",
	       ROWS, MECH_COUNT, MECH_COUNT * SUITE_SIZES);
	fclose(f);

	for (int i = 0; i < ROWS; i++) {
		const struct csv_row *r = &rows[i];
		int m = i < 4 + MECH_COUNT ? i - 4 : (i - 4 - MECH_COUNT) / SUITE_SIZES;
		const char *kind = i < 4 ? "calibration" : i < 4 + MECH_COUNT ? "latency"
						: "throughput";
		const char *name = i < 4 ? calibration[i] : mech_name(m);

		expect(strcmp(r->field[0], kind) == 0 && strcmp(r->field[1], name) == 0,
		       "row %d of the CSV is %s,%s; expected %s,%s", i + 1, r->field[0], r->field[1],
		       kind, name);
		expect(strcmp(r->field[12], rows[0].field[12]) == 0, "row %d's machine (%s) is not "
		       "row 1's (%s)", i + 1, r->field[12], rows[0].field[12]);
	}
	expect(strcmp(rows[0].field[11], plan.cpu[1] == 1 ? "0/1" : "0/0") == 0,
	       "the cpus column is %s; the plan put side 0 on CPU 0 and side 1 on CPU %d",
	       rows[0].field[11], plan.cpu[1]);
	expect(strchr(rows[0].field[12], ';'), "the machine column (%s) is not a fingerprint",
	       rows[0].field[12]);

	for (int i = 1; i < 4 + MECH_COUNT; i++)
		if (i != 2)
			expect(!*ordered(&rows[i]), "row %d (%s,%s): %s", i + 1, rows[i].field[0],
			       rows[i].field[1], ordered(&rows[i]));
	clock_ns = number(&rows[0], 4);
	syscall_ns = number(&rows[1], 4);
	memcpy_gbps = strtod(rows[2].field[10], NULL);
	expect(memcpy_gbps > 0, "the memcpy row has no figure");
	for (int m = 0; m < MECH_COUNT; m++) {
		const struct csv_row *r = &rows[4 + m];

		expect(number(r, 3) == plan.rounds, "latency,%s counts %llu round trips; the plan "
		       "asked for %zu", r->field[1], number(r, 3), plan.rounds);
		expect(m == MECH_RING ? number(r, 4) >= clock_ns : number(r, 4) >= 2 * syscall_ns,
		       "latency,%s: its shortest round trip, %llu ns, is shorter than %s (%llu ns): "
		       "it was not measured", r->field[1], number(r, 4), m == MECH_RING ?
		       "the clock's step" : "two null system calls", m == MECH_RING ? clock_ns :
		       2 * syscall_ns);
		claimed += (double)number(r, 9) * (double)number(r, 3);
	}
	for (int i = 4 + MECH_COUNT; i < ROWS; i++) {
		const struct csv_row *r = &rows[i];
		size_t len = suite_size[(i - 4 - MECH_COUNT) % SUITE_SIZES];
		double gbps = strtod(r->field[10], NULL);

		expect(number(r, 2) == len && number(r, 3) == (plan.bulk_bytes + len - 1) / len,
		       "throughput,%s,%s: bytes and count are %s and %s; expected %zu and %zu",
		       r->field[1], r->field[2], r->field[2], r->field[3], len,
		       (plan.bulk_bytes + len - 1) / len);
		expect(gbps > 0 && gbps <= memcpy_gbps, "throughput,%s of %zu-byte messages: %s "
		       "GB/s, against memcpy's %.3f: a link copies each byte at least twice, so it "
		       "cannot beat memcpy", r->field[1], len, r->field[10], memcpy_gbps);
		claimed += (double)(len * number(r, 3)) / gbps;
	}
	expect(fifos == 1 + SUITE_SIZES, "run_suite() made dir/fifo0 %d times; its fifo rows "
	       "(1 latency, %d throughput) make it once each", fifos, SUITE_SIZES);
	expect(claimed <= (double)elapsed, "the CSV's round trips and transfers took %.0f ns by "
	       "its own figures, but the whole run took %llu ns: they were not all measured",
	       claimed, (unsigned long long)elapsed);
}
