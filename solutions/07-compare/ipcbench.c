/*
 * ipcbench.c - Lab 07 demo: measures every mechanism and writes the CSV.
 *
 * Usage:   ./ipcbench [-r ROUNDS] [-b BYTES] [-c same|cross|any] [-o FILE.csv]
 *
 *   -r ROUNDS  timed round trips a latency row (default 10000, as many
 *              warm-up ones before)
 *   -b BYTES   bytes a throughput row moves (default 64 MiB); 64K, 16M
 *              and 1G are understood
 *   -c WHERE   both sides on CPU 0 (same), side 0 on CPU 0 and side 1 on
 *              CPU 1 (cross, the default when there are two CPUs), or
 *              wherever the scheduler puts them (any)
 *   -o FILE    the CSV (default: standard output)
 *
 * The FIFOs go in the current directory (fifo0, fifo1), for the length of
 * a row. `make plot` turns results.csv into latency.svg/png and
 * throughput.svg/png with gnuplot (plot.gp).
 * Exit status: 0 done, 1 a measurement failed, 2 usage.
 * Partner: harness.c (run_suite and what it calls), links.c.
 * Handout: README.md §4.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-r ROUNDS] [-b BYTES] [-c same|cross|any] [-o FILE.csv]\n",
		prog);
	return 2;
}

/* A count with an optional K, M or G (powers of 1024); 0 when it is not one. */
static size_t parse_size(const char *text)
{
	char *end;
	unsigned long long n = strtoull(text, &end, 10);

	switch (*end) {
	case 'K': n <<= 10; end++; break;
	case 'M': n <<= 20; end++; break;
	case 'G': n <<= 30; end++; break;
	default: break;
	}
	return *end || text[0] == '-' ? 0 : (size_t)n;
}

int main(int argc, char **argv)
{
	struct suite plan = {.cpu = {0, 1}, .rounds = 10000, .bulk_bytes = 64 << 20, .dir = "."};
	const char *out = NULL;
	FILE *csv = stdout;
	int opt, rc;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		plan.cpu[1] = 0;
	while ((opt = getopt(argc, argv, "r:b:c:o:")) != -1) {
		switch (opt) {
		case 'r':
			plan.rounds = parse_size(optarg);
			break;
		case 'b':
			plan.bulk_bytes = parse_size(optarg);
			break;
		case 'c':
			if (strcmp(optarg, "same") == 0) {
				plan.cpu[1] = 0;
			} else if (strcmp(optarg, "any") == 0) {
				plan.cpu[0] = plan.cpu[1] = -1;
			} else if (strcmp(optarg, "cross") != 0) {
				return usage(argv[0]);
			}
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return usage(argv[0]);
		}
	}
	if (optind != argc || plan.rounds == 0 || plan.bulk_bytes == 0)
		return usage(argv[0]);
	if (out && !(csv = fopen(out, "w"))) {
		fprintf(stderr, "ipcbench: %s: %s\n", out, strerror(errno));
		return 1;
	}
	rc = run_suite(csv, &plan);
	if (rc == -1)
		fprintf(stderr, "ipcbench: a measurement failed: %s (the CSV has the rows before it)\n",
			strerror(errno));
	if (out && fclose(csv) == EOF)
		rc = -1;
	return rc == 0 ? 0 : 1;
}
