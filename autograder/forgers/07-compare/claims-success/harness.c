/*
 * Forger (with links.c): summaries, round trips and transfers made up, in
 * the shapes the tests read: a summary of plausible, ordered figures,
 * timings of 20 ms each, a transfer of 20 ms; run_suite writes a CSV
 * whose every row looks right and none was measured.
 * Score: 0
 */
#include <stdio.h>
#include "compare.h"

const size_t suite_size[SUITE_SIZES] = {64, 1024, 64 * 1024, 1024 * 1024};

int summarize(const uint64_t *ns, size_t n, struct summary *s)
{
	*s = (struct summary){n, ns[0], ns[0], ns[0], ns[0], ns[0], ns[0]};
	return 0;
}

int ping(struct link *l, void *buf, size_t len, size_t warmup, size_t rounds, uint64_t *ns)
{
	(void)l, (void)buf, (void)len, (void)warmup;
	for (size_t i = 0; i < rounds; i++)
		ns[i] = 20000000;
	return 0;
}

int pong(struct link *l, void *buf, size_t len, size_t count) { (void)l, (void)buf, (void)len, (void)count; return 0; }

int bulk_send(struct link *l, const void *buf, size_t len, size_t count, uint64_t *ns)
{
	(void)l, (void)buf, (void)len, (void)count;
	*ns = 20000000;
	return 0;
}

int bulk_recv(struct link *l, void *buf, size_t len, size_t count) { (void)l, (void)buf, (void)len, (void)count; return 0; }
uint64_t now_ns(void) { return 0; }
uint64_t clock_step_ns(void) { return 1; }
int pin_to_cpu(int cpu) { (void)cpu; return 0; }

int run_suite(FILE *csv, const struct suite *plan)
{
	fprintf(csv, "kind,name,bytes,count,min_ns,p50_ns,p99_ns,p999_ns,max_ns,mean_ns,gbps,cpus,machine\n");
	fprintf(csv, "calibration,clock,,1,20,20,20,20,20,20,,0/1,x;2 CPUs;6.1;vm\n");
	fprintf(csv, "calibration,syscall,,%zu,100,100,100,100,100,100,,0/1,x;2 CPUs;6.1;vm\n", plan->rounds);
	fprintf(csv, "calibration,memcpy,1048576,256,,,,,,,40.000,0/1,x;2 CPUs;6.1;vm\n");
	fprintf(csv, "calibration,line,8,%zu,100,100,100,100,100,100,,0/1,x;2 CPUs;6.1;vm\n", plan->rounds);
	for (int m = 0; m < MECH_COUNT; m++)
		fprintf(csv, "latency,%s,8,%zu,9000,9000,9000,9000,9000,9000,,0/1,x;2 CPUs;6.1;vm\n",
			mech_name(m), plan->rounds);
	for (int m = 0; m < MECH_COUNT; m++)
		for (int i = 0; i < SUITE_SIZES; i++)
			fprintf(csv, "throughput,%s,%zu,%zu,,,,,,,1.000,0/1,x;2 CPUs;6.1;vm\n", mech_name(m),
				suite_size[i], (plan->bulk_bytes + suite_size[i] - 1) / suite_size[i]);
	return 0;
}
