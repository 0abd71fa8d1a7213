/*
 * test_harness.c - Lab 07's graded tests of §3.3 to §3.5: ping(), pong(),
 * bulk_send(), bulk_recv() and the whole run, run_suite().
 *
 * The other side of each measurement is the test's own code, in a helper
 * process, over a pipe link the test made (judgelinks.h): it counts every
 * round trip and byte, draws the bytes it sends after the subject
 * started, and waits where the test wants a known delay, so that the
 * timings can be checked against it. A timing is only ever compared with
 * another one taken in the same run (a delay the helper made, the time the
 * judge saw the subject take), never with a fixed figure.
 *
 * Handout: labs/07-compare/README.md. Run one test: ipclab test 07 NAME.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grader.h"
#include "compare.h"
#include "judgelinks.h"

/* A known delay that the helper makes before it answers: 20 ms. */
#define DELAY_NS 20000000ULL

static void judge_delay(void)
{
	struct timespec t = {0, (long)DELAY_NS};

	while (nanosleep(&t, &t) == -1)
		;
}

/* What a helper tells the judge. */
struct count {
	char wrong[320];	/* "" when all came as it should */
	size_t rounds;		/* round trips, or messages, it saw in full */
	uint64_t digest;	/* of the last bytes it sent */
};

/* A pipe link, a helper as side `side` running fn, and its answer pipe in *answer. */
static pid_t start_helper(struct link *l, int side, int *answer,
			  void (*fn)(struct link *, struct count *, void *), void *arg)
{
	int fds[2];
	pid_t pid;

	judge_open(l, MECH_PIPE);
	ag_setup(pipe2(fds, O_CLOEXEC) == 0, "pipe2");
	pid = ag_fork();
	if (pid == 0) {
		struct count c = {"", 0, 0};

		signal(SIGPIPE, SIG_IGN);
		close(fds[0]);
		judge_side(l, side);
		fn(l, &c, arg);
		_exit(write(fds[1], &c, sizeof(c)) == sizeof(c) ? 0 : 1);
	}
	close(fds[1]);
	*answer = fds[0];
	return pid;
}

/* After the subject: the judge lets go of the link and reads what the helper saw. */
static struct count finish_helper(struct link *l, pid_t pid, int answer)
{
	struct count c;

	judge_close(l, true);
	ag_setup(read(answer, &c, sizeof(c)) == sizeof(c) && ag_wait_exit(pid) == 0,
		 "the test's side did not answer");
	close(answer);
	return c;
}

/* ---- §3.3 ping ---- */

struct pinged {
	size_t len;
	unsigned char first[1000];	/* what the subject's buf held at first */
	const size_t *delayed;		/* round trips (counting from 0) to answer late */
	int ndelayed;
};

/*
 * Side 1 against ping(): each message must be what it sent last (the
 * first one, buf as the subject had it); answers with new bytes, late in
 * the round trips named; counts round trips until the stream ends.
 */
static void answer_pings(struct link *l, struct count *c, void *arg)
{
	struct pinged *p = arg;
	unsigned char want[1000], got[1000];
	char wrong[160] = "";

	memcpy(want, p->first, p->len);
	for (;;) {
		if (judge_recv(l, got, p->len, wrong, sizeof(wrong)) == -1) {
			if (!strstr(wrong, " 0 bytes into"))
				snprintf(c->wrong, sizeof(c->wrong), "round trip %zu: %s", c->rounds,
					 wrong[0] ? wrong : errname(errno));
			return;
		}
		if (first_difference(got, want, p->len) != -1) {
			snprintf(c->wrong, sizeof(c->wrong), "round trip %zu sent other bytes than "
				 "came back in the one before (byte %ld differs)", c->rounds,
				 first_difference(got, want, p->len));
			return;
		}
		for (int i = 0; i < p->ndelayed; i++)
			if (p->delayed[i] == c->rounds)
				judge_delay();
		random_bytes(want, p->len);
		if (judge_send(l, want, p->len, 0) == -1)
			return;
		c->rounds++;
		c->digest = fnv1a(want, p->len);
	}
}

struct ping_result {
	int rc, err;
	unsigned char buf[1000];
};

static int side0_ping(struct link *l, struct pinged *p, size_t warmup, size_t rounds,
		      uint64_t *ns, struct ping_result *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->buf, p->first, p->len);
	r->rc = link_side(l, 0) == -1 ? -1 : ping(l, r->buf, p->len, warmup, rounds, ns);
	r->err = errno;
	return r->rc;
}

GRADED_TEST(compare, ping_makes_every_round_trip, .task = "3.3", .points = 6, .deadline = 5,
	    .desc = "ping() makes warmup + rounds round trips of len bytes, each sending what "
		    "came back last, no more and no fewer",
	    .hint = "Handout 3.3: one loop of warmup + rounds; each round trip is a link_send "
		    "and a link_recv of len bytes, into the same buffer.")
{
	static const struct { size_t len, warmup, rounds; } runs[] = {{8, 3, 50}, {1000, 0, 7},
								       {1, 10, 1}};

	for (int i = 0; i < 3; i++) {
		struct pinged p = {.len = runs[i].len};
		struct ping_result r;
		uint64_t ns[64];
		struct count c;
		struct link l;
		int answer;
		pid_t pid;

		random_bytes(p.first, sizeof(p.first));
		pid = start_helper(&l, 1, &answer, answer_pings, &p);
		SUBJECT(side0_ping(&l, &p, runs[i].warmup, runs[i].rounds, ns, &r), OUT(r));
		c = finish_helper(&l, pid, answer);
		expect(!c.wrong[0], "ping(l, buf, %zu, %zu, %zu, ns): %s", runs[i].len,
		       runs[i].warmup, runs[i].rounds, c.wrong);
		expect(r.rc == 0, "ping(l, buf, %zu, %zu, %zu, ns): expected 0, got %s",
		       runs[i].len, runs[i].warmup, runs[i].rounds, result_text(r.rc, r.err));
		expect(c.rounds == runs[i].warmup + runs[i].rounds, "ping(l, buf, %zu, %zu, %zu, ns) "
		       "made %zu round trips; expected %zu (warmup + rounds)", runs[i].len,
		       runs[i].warmup, runs[i].rounds, c.rounds, runs[i].warmup + runs[i].rounds);
		expect(fnv1a(r.buf, runs[i].len) == c.digest, "after ping() returned, buf does not "
		       "hold what came back in the last round trip");
	}
}

GRADED_TEST(compare, ping_times_each_round, .task = "3.3", .points = 6, .deadline = 5,
	    .desc = "ping()'s ns[i] is the (warmup + i)-th round trip, from before its send to "
		    "after its receive; warm-up round trips are not timed",
	    .hint = "Handout 3.3: read the clock just before link_send and just after "
		    "link_recv, and store the difference at i - warmup.")
{
	enum { WARMUP = 2, ROUNDS = 20 };
	/* Late answers: a warm-up round trip, timed ones 3 and ROUNDS - 1. */
	static const size_t delayed[] = {1, WARMUP + 3, WARMUP + ROUNDS - 1};
	struct pinged p = {.len = 8, .delayed = delayed, .ndelayed = 3};
	uint64_t ns[ROUNDS], start, elapsed, sum = 0;
	struct ping_result r;
	struct count c;
	struct link l;
	int answer;
	pid_t pid;

	random_bytes(p.first, sizeof(p.first));
	memset(ns, 0, sizeof(ns));
	pid = start_helper(&l, 1, &answer, answer_pings, &p);
	start = judge_now();
	SUBJECT(side0_ping(&l, &p, WARMUP, ROUNDS, ns, &r), OUT(r), OUT(ns));
	elapsed = judge_now() - start;
	c = finish_helper(&l, pid, answer);
	expect(r.rc == 0 && !c.wrong[0] && c.rounds == WARMUP + ROUNDS, "ping(l, buf, 8, %d, %d, "
	       "ns): expected 0 and %d round trips, got %s and %zu%s%s", WARMUP, ROUNDS,
	       WARMUP + ROUNDS, result_text(r.rc, r.err), c.rounds, c.wrong[0] ? ": " : "",
	       c.wrong);
	for (int i = 0; i < ROUNDS; i++) {
		expect(ns[i] > 0, "ping(l, buf, 8, %d, %d, ns): ns[%d] is 0; expected the time of "
		       "round trip %d", WARMUP, ROUNDS, i, WARMUP + i);
		sum += ns[i];
	}
	for (int i = 1; i < 3; i++)
		expect(ns[delayed[i] - WARMUP] >= DELAY_NS, "the test answered round trip %zu "
		       "(ns[%zu]) %llu ms late, and ns[%zu] is %llu ns: it does not time that round "
		       "trip, from before its send to after its receive", delayed[i],
		       delayed[i] - WARMUP, DELAY_NS / 1000000, delayed[i] - WARMUP,
		       (unsigned long long)ns[delayed[i] - WARMUP]);
	expect(sum + DELAY_NS <= elapsed, "the %d timings add up to %llu ns, but the whole call "
	       "took %llu ns, %llu ms of them in a warm-up round trip: ns[] counts time twice or "
	       "times the warm-up", ROUNDS, (unsigned long long)sum, (unsigned long long)elapsed,
	       DELAY_NS / 1000000);
}

/* ---- §3.3 pong ---- */

struct ponged {
	size_t len, count;
};

/* Side 0 against pong(): count messages of new bytes, each must come back as sent. */
static void send_pings(struct link *l, struct count *c, void *arg)
{
	struct ponged *p = arg;
	unsigned char out[700], back[700];
	char wrong[160] = "", byte;

	for (size_t i = 0; i < p->count; i++) {
		random_bytes(out, p->len);
		if (judge_send(l, out, p->len, p->len / 3 + 1) == -1 ||
		    judge_recv(l, back, p->len, wrong, sizeof(wrong)) == -1) {
			snprintf(c->wrong, sizeof(c->wrong), "message %zu of %zu did not come back: "
				 "%s", i, p->count, wrong[0] ? wrong : errname(errno));
			return;
		}
		if (first_difference(out, back, p->len) != -1) {
			snprintf(c->wrong, sizeof(c->wrong), "message %zu came back with other bytes "
				 "(from byte %ld on)", i, first_difference(out, back, p->len));
			return;
		}
		c->rounds++;
	}
	if (read(l->fd[1][0], &byte, 1) != 0)
		snprintf(c->wrong, sizeof(c->wrong), "after %zu messages came back, more bytes came",
			 p->count);
}

static int side1_pong(struct link *l, size_t len, size_t count)
{
	static unsigned char buf[700];

	return link_side(l, 1) == -1 ? -1 : pong(l, buf, len, count);
}

GRADED_TEST(compare, pong_echoes_every_message, .task = "3.3", .points = 5, .deadline = 5,
	    .desc = "pong() sends back each message as it came, count times, and sends nothing "
		    "else",
	    .hint = "Handout 3.3: a loop of count link_recv and link_send of len bytes.")
{
	static const struct ponged runs[] = {{8, 40}, {700, 9}, {1, 1}};

	for (int i = 0; i < 3; i++) {
		struct ponged p = runs[i];
		struct count c;
		struct link l;
		int answer, rc;
		pid_t pid;

		pid = start_helper(&l, 0, &answer, send_pings, &p);
		rc = SUBJECT(side1_pong(&l, p.len, p.count));
		c = finish_helper(&l, pid, answer);
		expect(rc == 0, "pong(l, buf, %zu, %zu): expected 0, got %s", p.len, p.count,
		       result_text(rc, errno));
		expect(!c.wrong[0] && c.rounds == p.count, "pong(l, buf, %zu, %zu): %s", p.len,
		       p.count, c.wrong[0] ? c.wrong : "fewer messages came back");
	}
}

/* ---- §3.4 bulk ---- */

static unsigned char bulk_data[64 * 1024 + 7];

struct bulked {
	size_t len, count;
	char ack;
};

/* Side 1 against bulk_send(): count messages of bulk_data, then late, the acknowledgement. */
static void take_bulk(struct link *l, struct count *c, void *arg)
{
	static unsigned char got[sizeof(bulk_data)];
	struct bulked *b = arg;
	char wrong[160] = "", byte;

	for (size_t i = 0; i < b->count; i++) {
		if (judge_recv(l, got, b->len, wrong, sizeof(wrong)) == -1) {
			snprintf(c->wrong, sizeof(c->wrong), "message %zu of %zu: %s", i, b->count,
				 wrong[0] ? wrong : errname(errno));
			return;
		}
		if (first_difference(got, bulk_data, b->len) != -1) {
			snprintf(c->wrong, sizeof(c->wrong), "message %zu of %zu came with other bytes "
				 "than buf's (from byte %ld on)", i, b->count,
				 first_difference(got, bulk_data, b->len));
			return;
		}
		c->rounds++;
	}
	judge_delay();
	if (judge_send(l, &b->ack, 1, 0) == -1)
		return;
	if (read(l->fd[0][0], &byte, 1) != 0)
		snprintf(c->wrong, sizeof(c->wrong), "after its %zu messages, more bytes came",
			 b->count);
}

struct bulk_result {
	int rc, err;
	uint64_t ns;
};

static int side0_bulk(struct link *l, size_t len, size_t count, struct bulk_result *r)
{
	r->rc = link_side(l, 0) == -1 ? -1 : bulk_send(l, bulk_data, len, count, &r->ns);
	r->err = errno;
	return r->rc;
}

GRADED_TEST(compare, bulk_send_moves_every_byte, .task = "3.4", .points = 6, .deadline = 5,
	    .desc = "bulk_send() sends count messages of len bytes, waits for the 'A' and times "
		    "it all; an acknowledgement other than 'A' fails with EPROTO",
	    .hint = "Handout 3.4: read the clock before the first link_send and after the "
		    "acknowledgement's link_recv.")
{
	static const struct bulked runs[] = {{1000, 300, 'A'}, {sizeof(bulk_data), 5, 'A'},
					     {64, 1, 'A'}, {100, 3, 'B'}};

	random_bytes(bulk_data, sizeof(bulk_data));
	for (int i = 0; i < 4; i++) {
		struct bulked b = runs[i];
		struct bulk_result r = {0, 0, 0};
		uint64_t start, elapsed;
		struct count c;
		struct link l;
		int answer;
		pid_t pid;

		pid = start_helper(&l, 1, &answer, take_bulk, &b);
		start = judge_now();
		SUBJECT(side0_bulk(&l, b.len, b.count, &r), OUT(r));
		elapsed = judge_now() - start;
		c = finish_helper(&l, pid, answer);
		expect(!c.wrong[0] && c.rounds == b.count, "bulk_send(l, buf, %zu, %zu, &ns): %s",
		       b.len, b.count, c.wrong[0] ? c.wrong : "fewer messages came");
		if (b.ack != 'A') {
			expect(r.rc == -1 && r.err == EPROTO, "bulk_send() answered with 'B': expected "
			       "-1 with errno EPROTO, got %s", result_text(r.rc, r.err));
			continue;
		}
		expect(r.rc == 0, "bulk_send(l, buf, %zu, %zu, &ns): expected 0, got %s", b.len,
		       b.count, result_text(r.rc, r.err));
		expect(r.ns >= DELAY_NS && r.ns <= elapsed, "bulk_send(l, buf, %zu, %zu, &ns): the "
		       "test acknowledged %llu ms after the last message, the call took %llu ns, and "
		       "*ns is %llu: expected the time from the first send to the acknowledgement",
		       b.len, b.count, DELAY_NS / 1000000, (unsigned long long)elapsed,
		       (unsigned long long)r.ns);
	}
}

/*
 * Side 0 against bulk_recv(): count messages in writes of 777 bytes, the
 * last one's bytes drawn now; then the acknowledgement must be 'A', and
 * nothing after it.
 */
static void give_bulk(struct link *l, struct count *c, void *arg)
{
	static unsigned char out[sizeof(bulk_data)];
	struct bulked *b = arg;
	char ack = 0, byte;

	memcpy(out, bulk_data, b->len);
	for (size_t i = 0; i < b->count; i++) {
		if (i == b->count - 1)
			random_bytes(out, b->len);
		if (judge_send(l, out, b->len, 777) == -1) {
			snprintf(c->wrong, sizeof(c->wrong), "message %zu of %zu could not be sent: %s",
				 i, b->count, errname(errno));
			return;
		}
		c->rounds++;
	}
	c->digest = fnv1a(out, b->len);
	if (read(l->fd[1][0], &ack, 1) != 1 || ack != 'A')
		snprintf(c->wrong, sizeof(c->wrong), "after %zu messages the acknowledgement was "
			 "%s; expected the byte 'A'", b->count, ack ? "another byte" : "missing");
	else if (read(l->fd[1][0], &byte, 1) != 0)
		snprintf(c->wrong, sizeof(c->wrong), "after the 'A', more bytes came");
}

static int side1_bulk(struct link *l, size_t len, size_t count, unsigned char *buf)
{
	return link_side(l, 1) == -1 ? -1 : bulk_recv(l, buf, len, count);
}

GRADED_TEST(compare, bulk_recv_takes_every_message, .task = "3.4", .points = 5, .deadline = 5,
	    .desc = "bulk_recv() receives count messages of len bytes and then sends the one "
		    "byte 'A'",
	    .hint = "Handout 3.4: count link_recv of len bytes, then link_send of the byte 'A'.")
{
	static const struct bulked runs[] = {{1000, 300, 'A'}, {sizeof(bulk_data), 5, 'A'},
					     {64, 1, 'A'}};
	static unsigned char buf[sizeof(bulk_data)];

	random_bytes(bulk_data, sizeof(bulk_data));
	for (int i = 0; i < 3; i++) {
		struct bulked b = runs[i];
		struct count c;
		struct link l;
		int answer, rc;
		pid_t pid;

		pid = start_helper(&l, 0, &answer, give_bulk, &b);
		rc = SUBJECT(side1_bulk(&l, b.len, b.count, buf), OUT(buf));
		c = finish_helper(&l, pid, answer);
		expect(rc == 0, "bulk_recv(l, buf, %zu, %zu): expected 0, got %s", b.len, b.count,
		       result_text(rc, errno));
		expect(!c.wrong[0], "bulk_recv(l, buf, %zu, %zu): %s", b.len, b.count, c.wrong);
		expect(fnv1a(buf, b.len) == c.digest, "after bulk_recv(l, buf, %zu, %zu) returned, "
		       "buf does not hold the last message", b.len, b.count);
	}
}
