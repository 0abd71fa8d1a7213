/*
 * test_summary.c - Lab 07's graded tests of §3.1: summarize().
 *
 * The test draws timings, works out the summary itself (its own sort and
 * the nearest-rank rule of compare.h) and compares it with what
 * summarize() gives, field by field.
 *
 * Handout: labs/07-compare/README.md. Run one test: ipclab test 07 NAME.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grader.h"
#include "compare.h"
#include "judgelinks.h"

#define MOST 2000

static int ascending(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile, p in tenths of a percent, of sorted s[n]. */
static uint64_t nearest_rank(const uint64_t *s, size_t n, unsigned tenths)
{
	size_t k = 1;

	while (k * 1000 < n * tenths)
		k++;
	return s[k - 1];
}

static struct summary expected_summary(const uint64_t *ns, size_t n)
{
	uint64_t sorted[MOST], sum = 0;

	memcpy(sorted, ns, n * sizeof(*ns));
	qsort(sorted, n, sizeof(*sorted), ascending);
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	return (struct summary){.n = n, .min = sorted[0], .p50 = nearest_rank(sorted, n, 500),
				.p99 = nearest_rank(sorted, n, 990),
				.p999 = nearest_rank(sorted, n, 999), .max = sorted[n - 1],
				.mean = sum / n};
}

#define FIELD(s) s.n, (unsigned long long)s.min, (unsigned long long)s.p50, \
	(unsigned long long)s.p99, (unsigned long long)s.p999, (unsigned long long)s.max, \
	(unsigned long long)s.mean
#define FIELDS "n %zu, min %llu, p50 %llu, p99 %llu, p999 %llu, max %llu, mean %llu"

/* n timings: distinct ones in random order, or few values repeated, below 2^40. */
static void draw(uint64_t *ns, size_t n, bool repeats)
{
	random_bytes(ns, n * sizeof(*ns));
	for (size_t i = 0; i < n; i++)
		ns[i] = repeats ? 1000 + ns[i] % 7 * 250 : (ns[i] & 0xffffffffffULL) | 1;
}

GRADED_TEST(compare, summarize_nearest_rank, .task = "3.1", .points = 7,
	    .desc = "summarize() gives n, min, max, the mean rounded down and the nearest-rank "
		    "p50, p99 and p999 (s[k - 1], k the smallest whole number >= p * n / 100); "
		    "n = 0 fails with EINVAL",
	    .hint = "Handout 3.1: sort a copy; the p-th percentile of n sorted timings is "
		    "s[k - 1] with k = ceil(p * n / 100), worked in whole numbers.")
{
	static const size_t sizes[] = {1, 2, 10, 99, 100, 101, 999, 1000, 1001, 2000, 1999};
	static uint64_t ns[MOST];
	struct summary got, want;
	int rc;

	for (size_t t = 0; t < sizeof(sizes) / sizeof(sizes[0]) * 2; t++) {
		size_t n = sizes[t / 2];

		draw(ns, n, t % 2);
		want = expected_summary(ns, n);
		memset(&got, 0xff, sizeof(got));
		rc = SUBJECT(summarize(ns, n, &got), OUT(got));
		expect(rc == 0, "summarize() of %zu timings: expected 0, got %s", n,
		       result_text(rc, errno));
		expect(memcmp(&got, &want, sizeof(got)) == 0, "summarize() of %zu timings%s gave "
		       FIELDS "; expected " FIELDS, n, t % 2 ? " (7 values, repeated)" : "",
		       FIELD(got), FIELD(want));
	}
	rc = SUBJECT(summarize(ns, 0, &got));
	expect(rc == -1 && errno == EINVAL, "summarize() of 0 timings: expected -1 with errno "
	       "EINVAL, got %s", result_text(rc, errno));
}

GRADED_TEST(compare, summarize_leaves_samples, .task = "3.1", .points = 3,
	    .desc = "summarize() leaves the timings it was given as they were (it sorts a copy), "
		    "and its summary is right",
	    .hint = "Handout 3.1: the caller's timings are in the order they were measured; "
		    "sort a copy of them.")
{
	static uint64_t ns[MOST], before[MOST];
	struct summary got, want;
	int rc;

	draw(ns, MOST, false);
	memcpy(before, ns, sizeof(ns));
	want = expected_summary(ns, MOST);
	memset(&got, 0xff, sizeof(got));
	rc = SUBJECT(summarize(ns, MOST, &got), OUT(ns), OUT(got));
	expect(rc == 0 && memcmp(&got, &want, sizeof(got)) == 0, "summarize() of %d timings: "
	       "expected 0 and " FIELDS ", got %s and " FIELDS, MOST, FIELD(want),
	       result_text(rc, errno), FIELD(got));
	expect(first_difference(ns, before, sizeof(ns)) == -1, "after summarize(), the timings "
	       "it was given are not as they were: timing %ld changed",
	       first_difference(ns, before, sizeof(ns)) / 8);
}
