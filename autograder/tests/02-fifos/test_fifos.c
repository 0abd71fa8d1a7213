/*
 * test_fifos.c - the graded tests of Lab 02 (FIFOs), 100 points.
 *
 * Each test checks one behaviour of fifos.h, in a sandbox of its own (see
 * grader.h) whose scratch directory, the cwd, holds the FIFOs. The graded
 * code runs only through SUBJECT(), in a process of its own; a sequence of
 * calls that share a server runs in one subject, and the test's clients are
 * started for it by a helper (the client agent), out of its reach, which
 * counts what they did for the test. When a test plays one side of the
 * protocol itself (a client for the server tests, a server for the client
 * tests) it follows fifos.h's protocol to the letter, so any correct
 * implementation of the other side passes.
 *
 * A subject's answer is data it can forge, and its silence proves nothing:
 * every check a passing test depends on is made in the judge (the body, or a
 * helper whose result the body checks), on the values handed back and on
 * what the judge sees itself: the bytes its own clients received, the files
 * on disk, its own count of clients that ran and succeeded, /proc. Checks in
 * the subject only add failure messages.
 * Helper processes report through their exit status, and a helper that runs
 * the code under test also sends back what it received. Nothing waits by
 * sleeping: a helper that must act while the code under test is blocked
 * waits until /proc says it is asleep in a system call.
 *
 * Processes are named "client" and "server" and the FIFOs are named with
 * ag_name_fifo(), so that a timeout reads, for instance, "client is waiting
 * for the server to open its reply FIFO".
 *
 * Handout: labs/02-fifos/README.md. Run one test: ipclab test 02 NAME.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "grader.h"
#include "fifos.h"

#define CLIENTS 8
#define REQUESTS_EACH 25	/* requests of each client in server_routes_concurrent_replies */

/* ---- helpers ---- */

static void name_process(const char *name)
{
	prctl(PR_SET_NAME, name);
}

static void reply_fifo_path(char *buf, size_t cap, pid_t pid)
{
	snprintf(buf, cap, FIFO_REPLY_PREFIX "%d", (int)pid);
}

/* What the tests' handler writes, and what their clients expect back. */
static void expected_reply(char *buf, size_t cap, pid_t pid, const char *text)
{
	snprintf(buf, cap, "reply to %d: %s", (int)pid, text);
}

/* The tests' handler: one write naming the client, so misrouted replies show. */
static int echo_handler(const struct fifo_request *request, int reply_fd, void *arg)
{
	char reply[FIFO_TEXT_MAX + 64];
	size_t len;

	(void)arg;
	expected_reply(reply, sizeof(reply), request->client_pid, request->text);
	len = strlen(reply);
	return write(reply_fd, reply, len) == (ssize_t)len ? 0 : -1;
}

static void set_blocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	ag_setup(flags != -1 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0, "fcntl");
}

/* The test's own server side: both ends of the request FIFO, as a server holds them. */
struct test_server {
	int read_fd, keepalive_fd;
};

static struct test_server start_test_server(void)
{
	struct test_server s;

	ag_setup(mkfifo(FIFO_REQUEST_NAME, 0600) == 0, "mkfifo");
	s.read_fd = open(FIFO_REQUEST_NAME, O_RDONLY | O_NONBLOCK);
	ag_setup(s.read_fd != -1, "open request FIFO");
	s.keepalive_fd = open(FIFO_REQUEST_NAME, O_WRONLY);
	ag_setup(s.keepalive_fd != -1, "open request FIFO");
	set_blocking(s.read_fd);
	return s;
}

static void read_exactly(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		ag_setup(n > 0 || (n == -1 && errno == EINTR), "read");
		if (n > 0)
			done += (size_t)n;
	}
}

/* Protocol step 3, by the test: opens the client's reply FIFO without waiting. */
static int open_reply_as_server(pid_t pid)
{
	char path[64];
	int fd;

	reply_fifo_path(path, sizeof(path), pid);
	fd = open(path, O_WRONLY | O_NONBLOCK);
	expect(fd != -1, "the server could not open %s for writing without waiting: %s. The "
	       "client must create its reply FIFO and open it for reading before it sends its "
	       "request (protocol step 1, handout 3.3)", path, strerror(errno));
	set_blocking(fd);
	return fd;
}

/* ---- the test's own client ---- */

enum client_kind {
	CLIENT_WAITS,	/* sends, reads the reply until EOF, checks it */
	CLIENT_LEAVES,	/* sends, then closes its reply FIFO and exits (a crash) */
	CLIENT_STAYS,	/* sends, then waits to be killed, reply FIFO open */
};

enum client_exit {
	CLIENT_OK, CLIENT_NO_SERVER = 10, CLIENT_BAD_REPLY, CLIENT_BROKEN,
};

/* When not -1, a CLIENT_STAYS client writes a byte here once its request is sent. */
static int stays_sent_fd = -1;

/* Runs in a child: one request, following protocol steps 1, 2 and 4. */
static int client_exchange(const char *text, enum client_kind kind)
{
	struct fifo_request request = {.client_pid = getpid()};
	char path[64], want[FIFO_TEXT_MAX + 64], got[FIFO_TEXT_MAX + 64];
	struct pollfd pfd = {.events = POLLIN};
	size_t len = 0;
	int request_fd, flags;
	ssize_t n;

	reply_fifo_path(path, sizeof(path), getpid());
	if (mkfifo(path, 0600) == -1 && errno != EEXIST)
		return CLIENT_BROKEN;
	pfd.fd = open(path, O_RDONLY | O_NONBLOCK);
	request_fd = open(FIFO_REQUEST_NAME, O_WRONLY | O_NONBLOCK);
	if (pfd.fd == -1)
		return CLIENT_BROKEN;
	if (request_fd == -1)
		return CLIENT_NO_SERVER;
	flags = fcntl(request_fd, F_GETFL);
	snprintf(request.text, sizeof(request.text), "%s", text);
	if (fcntl(request_fd, F_SETFL, flags & ~O_NONBLOCK) == -1 ||
	    write(request_fd, &request, sizeof(request)) != (ssize_t)sizeof(request))
		return CLIENT_BROKEN;
	close(request_fd);
	if (kind == CLIENT_LEAVES)
		return CLIENT_OK;	/* exits with its FIFO on disk, as a crash would */
	if (kind == CLIENT_STAYS && stays_sent_fd != -1)
		(void)!write(stays_sent_fd, "", 1);
	if (kind == CLIENT_STAYS)
		for (;;)
			pause();
	while (poll(&pfd, 1, -1) == -1)
		if (errno != EINTR)
			return CLIENT_BROKEN;
	flags = fcntl(pfd.fd, F_GETFL);
	if (fcntl(pfd.fd, F_SETFL, flags & ~O_NONBLOCK) == -1)
		return CLIENT_BROKEN;
	while (len < sizeof(got) - 1 && (n = read(pfd.fd, got + len, sizeof(got) - 1 - len)) != 0) {
		if (n == -1 && errno != EINTR)
			return CLIENT_BROKEN;
		if (n > 0)
			len += (size_t)n;
	}
	got[len] = '\0';
	close(pfd.fd);
	unlink(path);
	expected_reply(want, sizeof(want), getpid(), text);
	return strcmp(got, want) == 0 ? CLIENT_OK : CLIENT_BAD_REPLY;
}

/*
 * The client agent: a judge-side helper that starts, waits for and kills
 * the test's clients when a server sequence, running in a subject, asks it
 * to, and looks at the request FIFO when asked. The clients stay out of the
 * subject's reach and check their replies themselves; the agent counts what
 * they did (struct agent_tally) and hands that count to the test body, which
 * compares it with the test's plan (agent_stop). A subject that never asks
 * for the clients, or never serves them, fails there, whatever it answered.
 */
enum agent_op {
	AGENT_SPAWN,		/* start a client now */
	AGENT_SPAWN_LATER,	/* start one once the server waits for a request */
	AGENT_WAIT_ALL,		/* wait for every client started, and check it */
	AGENT_KILL_LAST,	/* kill the last client once it waits, and reap it */
	AGENT_CHECK_OPEN,	/* check that a server reads the request FIFO */
	AGENT_OPS
};

struct agent_order {
	enum agent_op op;
	enum client_kind kind;
	int count;
	char text[32];
};

/* What the test's clients did, as the agent saw it: the judge's evidence. */
struct agent_tally {
	int started;	/* clients started */
	int replied;	/* CLIENT_WAITS clients that got their own reply to every request */
	int left;	/* CLIENT_LEAVES clients that sent their request and exited */
	int killed;	/* CLIENT_STAYS clients killed once their request was sent */
	int checked;	/* AGENT_CHECK_OPEN: times a server was reading the request FIFO */
};

#define AGENT_MAX_CLIENTS (CLIENTS + 2)

/* The agent's own state. */
struct agent_run {
	struct {
		pid_t pid;
		enum client_kind kind;
	} clients[AGENT_MAX_CLIENTS];
	int n;
	int sent_fd;	/* a byte comes here once the CLIENT_STAYS client's request is out */
	struct agent_tally tally;
};

/* The agent's pipes: orders from the subject, acks to it, the tally to the judge. */
static struct {
	int orders[2], done[2], tally[2];
	pid_t pid;
	bool inside;		/* this process is the agent, or one of its clients */
} agent = {{-1, -1}, {-1, -1}, {-1, -1}, -1, false};

static pid_t spawn_test_client(const char *text, enum client_kind kind, int count);
static void expect_client_ok(pid_t client);

static void agent_forget(void)
{
	if (agent.inside) {
		close(agent.orders[0]);
		close(agent.done[1]);
		close(agent.tally[1]);
	}
}

/* The orders agent_do() gives; anything else was written by the code under test. */
static bool order_is_valid(const struct agent_order *order, const struct agent_run *run)
{
	if ((unsigned)order->op >= AGENT_OPS || (unsigned)order->kind > CLIENT_STAYS)
		return false;
	if (order->op == AGENT_SPAWN || order->op == AGENT_SPAWN_LATER)
		return run->n < AGENT_MAX_CLIENTS && order->count >= 1 &&
		       order->count <= REQUESTS_EACH;
	return order->op != AGENT_KILL_LAST ||
	       (run->n > 0 && run->clients[run->n - 1].kind == CLIENT_STAYS);
}

static void agent_spawn(struct agent_run *run, const struct agent_order *order)
{
	int sent[2];

	if (order->kind == CLIENT_STAYS) {
		ag_setup(pipe2(sent, O_CLOEXEC) == 0, "pipe");
		if (run->sent_fd != -1)
			close(run->sent_fd);
		run->sent_fd = sent[0];
		stays_sent_fd = sent[1];
	}
	run->clients[run->n].pid = spawn_test_client(order->text, order->kind, order->count);
	run->clients[run->n++].kind = order->kind;
	run->tally.started++;
	if (stays_sent_fd != -1) {
		close(stays_sent_fd);
		stays_sent_fd = -1;
	}
}

static void agent_wait_all(struct agent_run *run)
{
	for (int i = 0; i < run->n; i++) {
		expect_client_ok(run->clients[i].pid);
		if (run->clients[i].kind == CLIENT_WAITS)
			run->tally.replied++;
		else
			run->tally.left++;
	}
	run->n = 0;
}

static void agent_kill_last(struct agent_run *run)
{
	pid_t last = run->clients[run->n - 1].pid;
	char byte;

	/* (A judge that runs no subject never counts as blocked.) */
	expect(run->sent_fd != -1 && read(run->sent_fd, &byte, 1) == 1,
	       "the test's client died before it sent its request");
	close(run->sent_fd);
	run->sent_fd = -1;
	kill(last, SIGKILL);
	ag_wait_exit(last);
	run->n--;
	run->tally.killed++;
}

static void agent_check_open(struct agent_run *run)
{
	struct stat st;
	int fd;

	expect(stat(FIFO_REQUEST_NAME, &st) == 0 && S_ISFIFO(st.st_mode), "after server_open() "
	       "returned 0 there was no FIFO named \"" FIFO_REQUEST_NAME "\" in the directory: "
	       "server_open() creates it");
	fd = open(FIFO_REQUEST_NAME, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	expect(fd != -1, "after server_open() returned 0, a client could not open the request "
	       "FIFO without waiting (%s): the server holds its read end open", strerror(errno));
	close(fd);
	run->tally.checked++;
}

/* No more orders: clients not waited for are stopped; the tally goes to the judge. */
static void __attribute__((noreturn)) agent_finish(struct agent_run *run)
{
	for (int i = 0; i < run->n; i++) {
		kill(run->clients[i].pid, SIGKILL);
		ag_wait_exit(run->clients[i].pid);
	}
	ag_setup(write(agent.tally[1], &run->tally, sizeof(run->tally)) ==
		 (ssize_t)sizeof(run->tally), "write");
	_exit(0);
}

static void __attribute__((noreturn)) agent_loop(void)
{
	struct agent_run run = {.n = 0, .sent_fd = -1};
	struct agent_order order;

	agent.inside = true;
	close(agent.orders[1]);
	close(agent.done[0]);
	close(agent.tally[0]);
	while (read(agent.orders[0], &order, sizeof(order)) == (ssize_t)sizeof(order)) {
		bool later = order.op == AGENT_SPAWN_LATER;

		order.text[sizeof(order.text) - 1] = '\0';
		expect(order_is_valid(&order, &run), "the test's helper that runs its clients got "
		       "an order the test never gives: the code under test wrote on the test's "
		       "own pipe");
		if (later) {	/* the server goes on once told, then waits */
			ag_setup(write(agent.done[1], "", 1) == 1, "write");
			expect(ag_wait_blocked(getppid()), "the server ended before it waited "
			       "for the next request");
		}
		if (order.op == AGENT_SPAWN || later)
			agent_spawn(&run, &order);
		else if (order.op == AGENT_WAIT_ALL)
			agent_wait_all(&run);
		else if (order.op == AGENT_KILL_LAST)
			agent_kill_last(&run);
		else
			agent_check_open(&run);
		if (!later)
			ag_setup(write(agent.done[1], "", 1) == 1, "write");
	}
	agent_finish(&run);
}

static void agent_start(void)
{
	ag_setup(pipe(agent.orders) == 0 && pipe(agent.done) == 0 &&
		 pipe2(agent.tally, O_CLOEXEC) == 0, "pipe");
	agent.pid = ag_fork();
	ag_setup(agent.pid != -1, "fork");
	if (agent.pid == 0)
		agent_loop();
	close(agent.orders[0]);
	close(agent.done[1]);
	close(agent.tally[1]);	/* only the agent writes the tally */
}

/* In the subject: has the agent do `op`, and waits until it has. */
static void agent_do(enum agent_op op, const char *text, enum client_kind kind, int count)
{
	struct agent_order order = {.op = op, .kind = kind, .count = count};
	char ack;

	snprintf(order.text, sizeof(order.text), "%s", text ? text : "");
	expect(write(agent.orders[1], &order, sizeof(order)) == (ssize_t)sizeof(order) &&
	       read(agent.done[0], &ack, 1) == 1, "the test's helper that runs its clients "
	       "failed (above)");
}

/* "2 client(s) started, 2 got every reply", naming only counts that are not 0. */
static void tally_text(char *buf, size_t cap, const struct agent_tally *t)
{
	const struct {
		int count;
		const char *what;
	} parts[] = {
		{t->started, "client(s) started"},
		{t->replied, "got every reply"},
		{t->left, "sent and left"},
		{t->killed, "sent and were killed"},
		{t->checked, "look(s) at the request FIFO found a server reading it"},
	};
	size_t len = 0;

	snprintf(buf, cap, "nothing");
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && len < cap; i++)
		if (parts[i].count != 0)
			len += (size_t)snprintf(buf + len, cap - len, "%s%d %s", len ? ", " : "",
						parts[i].count, parts[i].what);
}

/*
 * In the judge, once the subject has returned: exactly the clients the test
 * planned ran, and each did what it was there for.
 */
static void agent_stop(struct agent_tally plan)
{
	struct agent_tally got = {0};
	char want_text[256], got_text[256];
	int status;

	close(agent.orders[1]);
	close(agent.done[0]);
	status = ag_wait_exit(agent.pid);
	expect(status == 0 && read(agent.tally[0], &got, sizeof(got)) == (ssize_t)sizeof(got),
	       "the test's helper that runs its clients failed (above)");
	close(agent.tally[0]);
	tally_text(want_text, sizeof(want_text), &plan);
	tally_text(got_text, sizeof(got_text), &got);
	expect(memcmp(&got, &plan, sizeof(got)) == 0, "the server code returned, but the "
	       "test's own side did not see the work done: expected %s; got %s. Each server "
	       "call does its work and returns (never exits)", want_text, got_text);
}

/* Forks a client sending `text` (or `count` requests "TEXT #i"); returns its pid. */
static pid_t spawn_test_client(const char *text, enum client_kind kind, int count)
{
	char path[64];
	pid_t pid = ag_fork();

	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		name_process("client");
		agent_forget();
		for (int i = 0; i < count; i++) {
			char numbered[FIFO_TEXT_MAX];
			int code;

			snprintf(numbered, sizeof(numbered), "%s #%d", text, i);
			code = client_exchange(count > 1 ? numbered : text, kind);
			if (code != CLIENT_OK)
				_exit(code);
		}
		_exit(CLIENT_OK);
	}
	reply_fifo_path(path, sizeof(path), pid);
	if (kind == CLIENT_LEAVES)
		ag_name_fifo(path, "its reply FIFO", "the client, which has exited,");
	else
		ag_name_fifo(path, "its reply FIFO", "the server");
	return pid;
}

static const char *client_problem(int code)
{
	switch (code) {
	case CLIENT_OK:
		return "none";
	case CLIENT_NO_SERVER:
		return "it found no reader on the request FIFO (ENXIO): is the server's read end open?";
	case CLIENT_BAD_REPLY:
		return "its reply was not the one for its own request: replies went to the wrong "
		       "FIFO, or were cut short";
	case CLIENT_BROKEN:
		return "a system call failed in the test's client";
	default:
		return "it was killed or crashed";
	}
}

static void expect_client_ok(pid_t client)
{
	int code = ag_wait_exit(client);

	expect(code == CLIENT_OK, "a client (pid %d) ended with code %d: %s", (int)client, code,
	       client_problem(code));
}

static void start_server(struct fifo_server *server)
{
	int rc = server_open(server, ag_scratch());

	expect(rc == 0, "server_open(server, dir) returned %d (%s), expected 0", rc,
	       rc == -1 ? strerror(errno) : "-");
}

/* In the judge, before a subject starts a server: names its FIFO for the diagnosis. */
static void name_request_fifo(void)
{
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "a client");
}

/* What server_serve_one() returned in a subject; OUT(serve_log) hands it to the judge. */
static struct serve_log {
	int served, skipped, other;	/* returned 1, 0, anything else */
} serve_log;

static void expect_served(struct fifo_server *server, int want, const char *context)
{
	int got = server_serve_one(server, echo_handler, NULL);

	if (got == 1)
		serve_log.served++;
	else if (got == 0)
		serve_log.skipped++;
	else
		serve_log.other++;
	expect(got == want, "%s: expected server_serve_one() to return %d, got %d (%s)%s", context,
	       want, got, got == -1 ? strerror(errno) : "-", got == -1 && errno == EIO ?
	       ": end of file on the request FIFO? it comes when no write end is left" : "");
}

/* In the judge: the values the subject handed back are those the test's clients call for. */
static void expect_serve_log(const struct serve_log *log, int served, int skipped)
{
	expect(log->served == served && log->skipped == skipped && log->other == 0,
	       "expected server_serve_one() to return 1 (served) %d time(s) and 0 (client "
	       "gone) %d time(s); it returned 1 %d, 0 %d and something else %d time(s)",
	       served, skipped, log->served, log->skipped, log->other);
}

/* True when the scratch directory holds no reply FIFO. */
static bool no_reply_fifo_left(char *name, size_t cap)
{
	DIR *dir = opendir(".");
	struct dirent *entry;
	bool clean = true;

	ag_setup(dir != NULL, "opendir");
	while ((entry = readdir(dir)) != NULL)
		if (strncmp(entry->d_name, FIFO_REPLY_PREFIX, strlen(FIFO_REPLY_PREFIX)) == 0) {
			snprintf(name, cap, "%s", entry->d_name);
			clean = false;
		}
	closedir(dir);
	return clean;
}

/* ---- 3.1 fifo_make and fifo_open_writer ---- */

GRADED_TEST(fifos, fifo_make_creates_fifo, .task = "3.1", .points = 3,
	    .desc = "fifo_make() creates a FIFO with the mode asked for",
	    .hint = "Handout 2.1 and 3.1: mkfifo(3) makes the special file (ls -l shows 'p').")
{
	struct stat st;
	int rc;

	umask(022);
	rc = SUBJECT(fifo_make("made.fifo", 0640));
	expect(rc == 0, "fifo_make(\"made.fifo\", 0640) returned %d (%s), expected 0", rc,
	       strerror(errno));
	expect(stat("made.fifo", &st) == 0 && S_ISFIFO(st.st_mode),
	       "made.fifo is not a FIFO after fifo_make(): use mkfifo(3)");
	expect((st.st_mode & 07777) == 0640, "made.fifo has mode %04o, expected 0640",
	       (unsigned)(st.st_mode & 07777));
}

GRADED_TEST(fifos, fifo_make_keeps_existing, .task = "3.1", .points = 5,
	    .desc = "fifo_make() accepts an existing FIFO as it is and refuses any other file (EEXIST)",
	    .hint = "Handout 3.1: mkfifo fails with EEXIST whatever is there; stat(2) tells a "
		    "FIFO from a regular file.")
{
	struct stat before, after;
	char text[32] = "";
	int fd, rc;

	ag_setup(mkfifo("old.fifo", 0600) == 0 && stat("old.fifo", &before) == 0, "mkfifo");
	rc = SUBJECT(fifo_make("old.fifo", 0600));
	expect(rc == 0, "a FIFO already exists at the path: expected fifo_make() to return 0, "
	       "got %d (%s)", rc, strerror(errno));
	expect(stat("old.fifo", &after) == 0 && S_ISFIFO(after.st_mode) &&
	       after.st_ino == before.st_ino,
	       "the existing FIFO was replaced by another file: a process may have it open; "
	       "leave it as it is");

	fd = open("plain.txt", O_WRONLY | O_CREAT | O_EXCL, 0600);
	ag_setup(fd != -1 && write(fd, "keep me", 7) == 7 && close(fd) == 0, "plain.txt");
	errno = 0;
	rc = SUBJECT(fifo_make("plain.txt", 0600));
	expect(rc == -1 && errno == EEXIST, "a regular file is at the path: expected -1 with "
	       "EEXIST, got %d (%s)", rc, strerror(errno));
	ag_read_file("plain.txt", text, sizeof(text));
	expect(stat("plain.txt", &after) == 0 && S_ISREG(after.st_mode) &&
	       strcmp(text, "keep me") == 0,
	       "the regular file at the path was removed or changed: fifo_make() must not touch it");
}

/* For open_writer_waits_for_reader, in the subject: 0 when "hello" went through. */
static int open_writer_and_send(const char *path)
{
	int fd = fifo_open_writer(path, true);

	if (fd == -1)
		return errno == ENXIO ? 2 : 1;
	return write(fd, "hello", 5) == 5 ? 0 : 3;
}

GRADED_TEST(fifos, open_writer_waits_for_reader, .task = "3.1", .points = 5,
	    .desc = "fifo_open_writer(path, true) sleeps in open() until a reader opens the FIFO",
	    .hint = "Handout 2.2: open(2) of a FIFO for writing waits for a reader, unless "
		    "O_NONBLOCK says otherwise.")
{
	char got[16] = "";
	pid_t writer;
	int fd, code;

	ag_setup(mkfifo("wait.fifo", 0600) == 0, "mkfifo");
	ag_name_fifo("wait.fifo", "the FIFO", "the test");
	writer = ag_fork();
	ag_setup(writer != -1, "fork");
	if (writer == 0) {
		name_process("writer");
		_exit(SUBJECT(open_writer_and_send("wait.fifo")));
	}
	if (!ag_wait_blocked(writer)) {
		code = ag_wait_exit(writer);
		expect(false, "fifo_open_writer(path, true) returned (exit code %d: %s) instead "
		       "of waiting in open() for a reader", code, code == 2 ?
		       "ENXIO, O_NONBLOCK was used" : "it did not wait");
	}
	fd = open("wait.fifo", O_RDONLY);
	ag_setup(fd != -1, "open for reading");
	read_exactly(fd, got, 5);
	expect(strcmp(got, "hello") == 0, "expected \"hello\" through the FIFO, got \"%s\"", got);
	close(fd);
	expect(ag_wait_exit(writer) == 0, "the writer process failed after the reader came");
}

/* For open_writer_nonblock_enxio, in the subject: what the returned descriptor is like. */
struct writer_check {
	int fd, err, flags;
	bool wrote;
};

static int open_writer_and_check(const char *path, struct writer_check *check)
{
	check->fd = fifo_open_writer(path, false);
	check->err = errno;
	check->flags = check->fd == -1 ? -1 : fcntl(check->fd, F_GETFL);
	check->wrote = check->fd != -1 && write(check->fd, "ok", 2) == 2;
	return check->fd;
}

GRADED_TEST(fifos, open_writer_nonblock_enxio, .task = "3.1", .points = 5,
	    .desc = "fifo_open_writer(path, false) fails at once with ENXIO when nobody reads, and "
		    "returns a blocking descriptor when someone does",
	    .hint = "Handout 2.3: O_WRONLY|O_NONBLOCK on a FIFO without a reader is ENXIO; clear "
		    "O_NONBLOCK with fcntl(F_SETFL) after the open.")
{
	struct ag_snapshot before;
	struct writer_check check;
	char got[8] = "";
	int fd, reader;

	ag_setup(mkfifo("lonely.fifo", 0600) == 0, "mkfifo");
	ag_name_fifo("lonely.fifo", "the FIFO", "a reader");
	ag_snapshot_take(&before);
	errno = 0;
	fd = SUBJECT(fifo_open_writer("lonely.fifo", false));
	expect(fd == -1 && errno == ENXIO, "no process reads the FIFO: expected -1 with ENXIO, "
	       "got %d (%s)", fd, strerror(errno));
	expect_no_leaks(&before, "fifo_open_writer failed");

	reader = open("lonely.fifo", O_RDONLY | O_NONBLOCK);
	ag_setup(reader != -1, "open for reading");
	memset(&check, 0, sizeof(check));	/* padding too: OUT() hands back every byte */
	fd = SUBJECT(open_writer_and_check("lonely.fifo", &check), OUT(check));
	expect(fd >= 0, "a reader has the FIFO open: expected a descriptor, got %d (%s)", fd,
	       strerror(check.err));
	expect(check.flags != -1 && !(check.flags & O_NONBLOCK) &&
	       (check.flags & O_ACCMODE) == O_WRONLY,
	       "the descriptor returned has flags %#o: expected O_WRONLY without O_NONBLOCK "
	       "(writes to a full FIFO would fail with EAGAIN)", (unsigned)check.flags);
	expect(check.wrote, "write to the returned descriptor failed");
	read_exactly(reader, got, 2);
	expect(strcmp(got, "ok") == 0, "the reader got \"%s\", expected \"ok\"", got);
	close(reader);
}

/* then() of an interrupted fifo_open_writer(path, true): the reader it waits for comes. */
static void open_reader(void *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	expect(fd != -1, "the test could not open %s for reading: %s", (char *)path,
	       strerror(errno));
}

/* For open_writer_survives_signals, in the subject: the descriptor, closed again. */
static int open_writer_then_close(const char *path)
{
	int fd = fifo_open_writer(path, true);
	int saved_errno = errno;

	if (fd >= 0)
		close(fd);
	errno = saved_errno;
	return fd;
}

GRADED_TEST(fifos, open_writer_survives_signals, .task = "3.1", .points = 4,
	    .desc = "fifo_open_writer(path, true) goes on waiting for a reader when signals "
		    "interrupt its open()",
	    .hint = "Handout 3 and 3.1: a signal caught by a handler without SA_RESTART makes a "
		    "waiting open(2) fail with EINTR; a call that was waiting is made again.")
{
	struct ag_snapshot before;
	int fd, saved_errno, signals;

	ag_setup(mkfifo("wait.fifo", 0600) == 0, "mkfifo");
	ag_name_fifo("wait.fifo", "the FIFO", "the test");
	ag_interrupt_start(2, open_reader, "wait.fifo");
	ag_snapshot_take(&before);
	errno = 0;
	fd = SUBJECT(open_writer_then_close("wait.fifo"));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(fd >= 0, "%d signal(s) interrupted fifo_open_writer(path, true) while it waited "
	       "for a reader; expected it to go on waiting and return a descriptor once the reader "
	       "came, got %d (%s)", signals, fd, strerror(saved_errno));
	expect(ag_interrupt_acted(), "fifo_open_writer(path, true) returned %d before any reader "
	       "had opened the FIFO: it must wait for one", fd);
	expect_no_leaks(&before, "fifo_open_writer returned");
}

/* ---- 3.2 the server ---- */

/*
 * For server_open_does_not_wait, in the subject: a server opened, looked at
 * by the agent (on the judge's side), closed.
 */
static int open_look_close(void)
{
	struct fifo_server server;

	start_server(&server);
	agent_do(AGENT_CHECK_OPEN, NULL, CLIENT_WAITS, 0);
	expect(server_close(&server) == 0, "server_close() failed: %s", strerror(errno));
	return 0;
}

GRADED_TEST(fifos, server_open_does_not_wait, .task = "3.2", .points = 4,
	    .desc = "server_open() creates the request FIFO and returns at once, with no client",
	    .hint = "Handout 2.2 and 3.2: open(O_RDONLY) waits for a writer; open the read end "
		    "with O_NONBLOCK (or O_RDWR).")
{
	name_process("server");
	name_request_fifo();
	agent_start();
	SUBJECT(open_look_close());
	agent_stop((struct agent_tally){.checked = 1});
}

/* For server_survives_last_client_leaving, in the subject. */
static int serve_after_last_client_left(void)
{
	struct fifo_server server;

	start_server(&server);
	agent_do(AGENT_SPAWN, "first", CLIENT_WAITS, 1);
	expect_served(&server, 1, "one client");
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	/* No client at all now. The next one comes only once the server waits. */
	agent_do(AGENT_SPAWN_LATER, "second", CLIENT_WAITS, 1);
	expect_served(&server, 1, "the first client has gone and no other has come yet; the "
		      "server must wait for the next one (did read() see end of file?)");
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	server_close(&server);
	return 0;
}

GRADED_TEST(fifos, server_survives_last_client_leaving, .task = "3.2", .points = 5,
	    .desc = "after the last client leaves, the server waits for the next request "
		    "instead of seeing end of file",
	    .hint = "Handout 2.4 and 3.2: read() on a FIFO returns 0 once no writer is left; the "
		    "server keeps a write end of its own (the keep-alive).")
{
	name_process("server");
	name_request_fifo();
	agent_start();
	SUBJECT(serve_after_last_client_left(), OUT(serve_log));
	agent_stop((struct agent_tally){.started = 2, .replied = 2});
	expect_serve_log(&serve_log, 2, 0);
}

/* For server_restarts_after_crash, in the subject: how a server that crashed ended. */
static int crash_a_server(void)
{
	struct fifo_server server;
	pid_t crashed = fork();
	int status;

	ag_setup(crashed != -1, "fork");
	if (crashed == 0) {
		if (server_open(&server, ag_scratch()) == -1)
			_exit(1);
		raise(SIGKILL);		/* a crash: no server_close() */
	}
	ag_setup(waitpid(crashed, &status, 0) == crashed, "waitpid");
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* For server_restarts_after_crash, in the subject: the new server serves a client. */
static int restart_and_serve(void)
{
	struct fifo_server server;
	int rc = server_open(&server, ag_scratch());

	expect(rc == 0, "a killed server left its request FIFO behind: expected the new "
	       "server_open() to return 0, got %d (%s)", rc, strerror(errno));
	agent_do(AGENT_SPAWN, "after the crash", CLIENT_WAITS, 1);
	expect_served(&server, 1, "a client of the restarted server");
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	expect(server_close(&server) == 0, "server_close() failed: %s", strerror(errno));
	return 0;
}

GRADED_TEST(fifos, server_restarts_after_crash, .task = "3.2", .points = 4,
	    .desc = "server_open() starts over the FIFO a killed server left, and refuses "
		    "to remove a file that is not a FIFO",
	    .hint = "Handout 3.2: a FIFO holds no data once nobody has it open, so a stale one "
		    "can be reused; mkfifo's EEXIST is not the end.")
{
	struct fifo_server server;
	struct stat st;
	char text[32] = "";
	int fd, rc, status;

	name_process("server");
	name_request_fifo();
	status = SUBJECT(crash_a_server());
	expect(status == 128 + SIGKILL, "the first server's server_open() failed (exit %d)",
	       status);
	expect(stat(FIFO_REQUEST_NAME, &st) == 0 && S_ISFIFO(st.st_mode), "server_open() "
	       "returned 0 in the server that was then killed, yet no request FIFO \""
	       FIFO_REQUEST_NAME "\" is there: server_open() creates it");
	agent_start();
	SUBJECT(restart_and_serve(), OUT(serve_log));
	agent_stop((struct agent_tally){.started = 1, .replied = 1});
	expect_serve_log(&serve_log, 1, 0);

	fd = open(FIFO_REQUEST_NAME, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ag_setup(fd != -1 && write(fd, "not a FIFO", 10) == 10 && close(fd) == 0, "file");
	errno = 0;
	rc = SUBJECT(server_open(&server, ag_scratch()));
	expect(rc == -1 && errno == EEXIST, "a regular file sits where the request FIFO goes: "
	       "expected -1 with EEXIST, got %d (%s)", rc, strerror(errno));
	ag_read_file(FIFO_REQUEST_NAME, text, sizeof(text));
	expect(strcmp(text, "not a FIFO") == 0, "the regular file was removed or changed: a "
	       "server must not delete a file it did not create");
}

/* The lowest descriptor number that is free: the next open(2) gets it. */
static int lowest_free_fd(void)
{
	int fd = fcntl(0, F_DUPFD, 0);

	ag_setup(fd != -1 && close(fd) == 0, "F_DUPFD");
	return fd;
}

/*
 * For server_open_fails_cleanly, in the subject: server_open() with `spare`
 * descriptors free; *err is its errno. A server that did open is closed.
 */
static int open_with_spare_fds(int spare, int *err)
{
	struct fifo_server server;
	struct rlimit saved, low;
	int rc;

	ag_setup(getrlimit(RLIMIT_NOFILE, &saved) == 0, "getrlimit");
	low = saved;
	low.rlim_cur = (rlim_t)(lowest_free_fd() + spare);
	ag_setup(setrlimit(RLIMIT_NOFILE, &low) == 0, "setrlimit");
	errno = 0;
	rc = server_open(&server, ag_scratch());
	*err = errno;
	ag_setup(setrlimit(RLIMIT_NOFILE, &saved) == 0, "setrlimit");
	if (rc == 0)
		server_close(&server);
	return rc;
}

GRADED_TEST(fifos, server_open_fails_cleanly, .task = "3.2", .points = 3,
	    .desc = "server_open() that finds no descriptor free returns -1 (EMFILE), leaving "
		    "nothing open and no request FIFO",
	    .hint = "Handout 3.2: when the second open fails, close the first end and remove "
		    "the FIFO you made; keep errno from the call that failed.")
{
	struct ag_snapshot before;
	int rc, saved_errno = 0;

	ag_snapshot_take(&before);
	/* With 0 descriptors free the first open fails; with 1, the second. */
	for (int spare = 0; spare <= 1; spare++) {
		rc = SUBJECT(open_with_spare_fds(spare, &saved_errno), OUT(saved_errno));
		if (rc == 0 && spare == 1)
			continue;	/* one O_RDWR descriptor: it fits */
		expect(rc == -1 && saved_errno == EMFILE, "%d descriptor(s) free: expected "
		       "server_open() to fail with EMFILE, got %d (%s)", spare, rc,
		       rc == -1 ? strerror(saved_errno) : "it succeeded");
		expect(access(FIFO_REQUEST_NAME, F_OK) == -1 && errno == ENOENT, "server_open() "
		       "failed with %d descriptor(s) free, yet the request FIFO it made is still "
		       "there: remove it on the way out", spare);
		if (!expect_no_leaks(&before, spare ? "server_open failed at its second open" :
				     "server_open failed at its first open"))
			break;
	}
}

/* For server_routes_concurrent_replies, in the subject. */
static int serve_many_clients(void)
{
	struct fifo_server server;

	start_server(&server);
	for (int c = 0; c < CLIENTS; c++) {
		char text[32];

		snprintf(text, sizeof(text), "client %c", 'A' + c);
		agent_do(AGENT_SPAWN, text, CLIENT_WAITS, REQUESTS_EACH);
	}
	for (int i = 0; i < CLIENTS * REQUESTS_EACH; i++)
		expect_served(&server, 1, "8 clients sending requests at once");
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	server_close(&server);
	return 0;
}

GRADED_TEST(fifos, server_routes_concurrent_replies, .task = "3.2", .points = 5,
	    .desc = "8 clients, 25 requests each, at the same time: every reply reaches the "
		    "client that asked",
	    .hint = "Handout 3.2: the reply goes to reply.PID, PID taken from the request; "
		    "read whole requests (sizeof(struct fifo_request)).", .deadline = 4)
{
	name_process("server");
	name_request_fifo();
	agent_start();
	SUBJECT(serve_many_clients(), OUT(serve_log));
	agent_stop((struct agent_tally){.started = CLIENTS, .replied = CLIENTS});
	expect_serve_log(&serve_log, CLIENTS * REQUESTS_EACH, 0);
}

/* For server_skips_vanished_client, in the subject. */
static int serve_past_vanished_clients(void)
{
	struct fifo_server server;
	struct fifo_request ghost = {.client_pid = 999999, .text = "nobody home"};
	int fd;

	start_server(&server);
	agent_do(AGENT_SPAWN, "leaving", CLIENT_LEAVES, 1);
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	expect_served(&server, 0, "the client closed its reply FIFO and exited before the "
		      "server read its request");

	fd = open(FIFO_REQUEST_NAME, O_WRONLY);
	ag_setup(fd != -1 && write(fd, &ghost, sizeof(ghost)) == sizeof(ghost), "ghost request");
	close(fd);
	expect_served(&server, 0, "a request from a client whose reply FIFO does not exist");

	agent_do(AGENT_SPAWN, "next", CLIENT_WAITS, 1);
	expect_served(&server, 1, "the next client, after two that had gone");
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	server_close(&server);
	return 0;
}

GRADED_TEST(fifos, server_skips_vanished_client, .task = "3.2", .points = 5,
	    .desc = "a client that left before its reply costs one request: the server does "
		    "not wait for it and serves the next client",
	    .hint = "Handout 2.3 and 3.2: open the reply FIFO with O_WRONLY|O_NONBLOCK; ENXIO "
		    "(or ENOENT) means the client has gone.")
{
	name_process("server");
	name_request_fifo();
	agent_start();
	SUBJECT(serve_past_vanished_clients(), OUT(serve_log));
	agent_stop((struct agent_tally){.started = 2, .left = 1, .replied = 1});
	expect_serve_log(&serve_log, 1, 2);
}

/* For server_survives_sigpipe: echo_handler that also sends the request to the test. */
static int reporting_handler(const struct fifo_request *request, int reply_fd, void *arg)
{
	if (write(*(int *)arg, request, sizeof(*request)) != (ssize_t)sizeof(*request))
		return -1;
	return echo_handler(request, reply_fd, NULL);
}

/* For server_survives_sigpipe: makes the client vanish, then writes its reply. */
static int late_handler(const struct fifo_request *request, int reply_fd, void *arg)
{
	(void)request;
	(void)arg;
	agent_do(AGENT_KILL_LAST, NULL, CLIENT_STAYS, 0);
	/* No reader is left: SIGPIPE, or EPIPE once it is ignored. */
	return write(reply_fd, "too late", 8) == 8 ? 0 : -1;
}

/* For server_survives_sigpipe, in a child of the subject: its exit code. */
static int serve_vanishing_client(int report_fd)
{
	struct fifo_server server;
	int rc;

	if (server_open(&server, ag_scratch()) == -1)
		return 1;
	agent_do(AGENT_SPAWN, "doomed", CLIENT_STAYS, 1);
	rc = server_serve_one(&server, late_handler, NULL);
	if (rc != 0)
		return rc == -1 && errno == EPIPE ? 2 : 3;
	agent_do(AGENT_SPAWN, "next", CLIENT_WAITS, 1);
	if (server_serve_one(&server, reporting_handler, &report_fd) != 1)
		return 5;
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	return 0;
}

/* In the subject: how a server process that met a vanishing client ended. */
static int server_status(int report_fd)
{
	pid_t server_pid = fork();
	int status;

	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0)
		_exit(serve_vanishing_client(report_fd));
	ag_setup(waitpid(server_pid, &status, 0) == server_pid, "waitpid");
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

GRADED_TEST(fifos, server_survives_sigpipe, .task = "3.2", .points = 4,
	    .desc = "a client that vanishes while its reply is written does not kill the server "
		    "(SIGPIPE), which goes on serving",
	    .hint = "Handout 2.4 and 3.2: writing to a FIFO nobody reads raises SIGPIPE, which "
		    "kills; ignore it in the server and take EPIPE as \"that client left\".")
{
	struct fifo_request served = {0};
	int status, report[2];

	name_process("server");
	name_request_fifo();
	agent_start();
	/* Non-blocking: a client the server left behind may hold the write end. */
	ag_setup(pipe2(report, O_NONBLOCK) == 0, "pipe");
	status = SUBJECT(server_status(report[1]));
	close(report[1]);
	agent_stop((struct agent_tally){.started = 2, .killed = 1, .replied = 1});
	expect(status != 128 + SIGPIPE, "the server was killed by SIGPIPE when it wrote the reply "
	       "of a client that had gone");
	expect(status != 1, "server_open() failed in the server process");
	expect(status != 2, "the handler failed with EPIPE (the client had gone): expected "
	       "server_serve_one() to return 0 and go on, it returned -1 (EPIPE)");
	expect(status != 3, "the handler failed with EPIPE (the client had gone): expected "
	       "server_serve_one() to return 0");
	expect(status != 5 && status != 6, "after a client vanished, the server did not serve "
	       "the next one (exit %d)", status);
	expect(status == 0, "the server process ended with status %d", status);
	expect(read(report[0], &served, sizeof(served)) == (ssize_t)sizeof(served) &&
	       strcmp(served.text, "next") == 0, "the server process ended with status 0, yet "
	       "it never served the next client's request: did it exit instead of returning?");
	close(report[0]);
}

/* For server_closes_reply_fds, in the subject: one client served, one skipped. */
static int serve_then_skip(void)
{
	struct fifo_server server;

	start_server(&server);
	agent_do(AGENT_SPAWN, "one", CLIENT_WAITS, 1);
	expect_served(&server, 1, "one client");
	agent_do(AGENT_WAIT_ALL, NULL, CLIENT_WAITS, 0);
	agent_do(AGENT_SPAWN, "gone", CLIENT_STAYS, 1);
	agent_do(AGENT_KILL_LAST, NULL, CLIENT_STAYS, 0);
	expect_served(&server, 0, "a client that was killed after sending its request");
	server_close(&server);
	return 0;
}

GRADED_TEST(fifos, server_closes_reply_fds, .task = "3.2", .points = 4,
	    .desc = "server_serve_one() closes the client's reply FIFO every time",
	    .hint = "Handout 3.2: the reply ends at the client's end of file, which comes when "
		    "the server closes its write end; close on every path.")
{
	struct ag_snapshot before;

	name_process("server");
	name_request_fifo();
	agent_start();
	ag_snapshot_take(&before);
	SUBJECT(serve_then_skip(), OUT(serve_log));
	agent_stop((struct agent_tally){.started = 2, .replied = 1, .killed = 1});
	expect_serve_log(&serve_log, 1, 1);
	expect_no_leaks(&before, "server_serve_one served a client, skipped a vanished one, "
			"and server_close returned");
}

/*
 * For server_close_removes_fifo, in the subject: server_close()'s value, *err
 * its errno. Before the close, the agent sees the request FIFO being read.
 */
static int open_then_close(int *err)
{
	struct fifo_server server;
	int rc;

	start_server(&server);
	agent_do(AGENT_CHECK_OPEN, NULL, CLIENT_WAITS, 0);
	rc = server_close(&server);
	*err = errno;
	return rc;
}

GRADED_TEST(fifos, server_close_removes_fifo, .task = "3.2", .points = 4,
	    .desc = "server_close() removes the request FIFO and closes both of the server's ends",
	    .hint = "Handout 3.2: a FIFO is a file: it stays until unlink(2); a client finding "
		    "it would wait for a server that is gone.")
{
	struct ag_snapshot before;
	int rc, err = 0;

	name_request_fifo();
	agent_start();
	ag_snapshot_take(&before);
	rc = SUBJECT(open_then_close(&err), OUT(err));
	agent_stop((struct agent_tally){.checked = 1});
	expect(rc == 0, "server_close() returned %d (%s)", rc, strerror(err));
	expect(access(FIFO_REQUEST_NAME, F_OK) == -1 && errno == ENOENT,
	       "the request FIFO \"" FIFO_REQUEST_NAME "\" is still there after server_close()");
	expect_no_leaks(&before, "server_close returned");
}

/* then() of an interrupted server_serve_one(): a client comes with its request. */
static void send_one_request(void *arg)
{
	(void)arg;
	expect_client_ok(spawn_test_client("after the signals", CLIENT_WAITS, 1));
}

/* In the subject: a server that serves one request with @handler, then
 * closes; server_serve_one()'s value, and in *err its errno. */
static int serve_once_with(fifo_handler handler, int *err)
{
	struct fifo_server server;
	int served;

	start_server(&server);
	served = server_serve_one(&server, handler, NULL);
	*err = errno;
	server_close(&server);
	return served;
}

GRADED_TEST(fifos, server_survives_signals, .task = "3.2", .points = 5,
	    .desc = "server_serve_one() goes on waiting for a request when signals interrupt "
		    "its read(), and serves it",
	    .hint = "Handout 3 and 3.2: a handler without SA_RESTART makes a waiting read(2) "
		    "fail with EINTR (poll, select, epoll_wait: with or without it); a call "
		    "that was waiting is made again.")
{
	int served, saved_errno = 0, signals;

	name_process("server");
	name_request_fifo();
	ag_interrupt_start(2, send_one_request, NULL);
	served = SUBJECT(serve_once_with(echo_handler, &saved_errno), OUT(saved_errno));
	signals = ag_interrupt_stop();
	expect(served == 1, "%d signal(s) interrupted server_serve_one() while it waited for a "
	       "request; expected it to go on waiting and return 1 once a client came, got %d "
	       "(%s)", signals, served, served == -1 ? strerror(saved_errno) : "-");
	/* The helper's client checked its reply: the judge's own evidence. */
	expect(ag_interrupt_acted(), "server_serve_one() returned %d before the test's client "
	       "had sent a request: it must wait for one (%d signal(s) came first)", served,
	       signals);
}

/* For server_reply_waits_for_room, in the subject: 0 when the reply was written. */
static int serve_one_and_close(void)
{
	struct fifo_server server;
	int code;

	start_server(&server);
	code = server_serve_one(&server, echo_handler, NULL);
	code = code == 1 ? 0 : code == 0 ? 2 : errno == EAGAIN ? 3 : 1;
	server_close(&server);
	return code;
}

GRADED_TEST(fifos, server_reply_waits_for_room, .task = "3.2", .points = 4,
	    .desc = "the reply to a client whose reply FIFO is full waits for room, and "
		    "reaches the client whole",
	    .hint = "Handout 3.2: the reply FIFO is opened with O_NONBLOCK, then put back in "
		    "blocking mode for the handler, so that its write waits for room.")
{
	static char filler[PIPE_BUF], got[PIPE_BUF + 512];
	struct fifo_request request = {.client_pid = getpid(), .text = "wait for room"};
	char path[64], want[FIFO_TEXT_MAX + 64];
	int reply_fd, fill_fd, request_fd, code;
	size_t len = 0;
	pid_t server_pid;
	ssize_t n;

	/* The test is the client: its reply FIFO holds one page, and that page is full. */
	reply_fifo_path(path, sizeof(path), getpid());
	ag_setup(mkfifo(path, 0600) == 0, "mkfifo");
	reply_fd = open(path, O_RDONLY | O_NONBLOCK);
	fill_fd = open(path, O_WRONLY | O_NONBLOCK);
	ag_setup(reply_fd != -1 && fill_fd != -1, "open reply FIFO");
	ag_setup(fcntl(reply_fd, F_SETPIPE_SZ, PIPE_BUF) == PIPE_BUF, "F_SETPIPE_SZ");
	memset(filler, 'f', sizeof(filler));
	ag_setup(write(fill_fd, filler, sizeof(filler)) == sizeof(filler), "fill");
	name_request_fifo();
	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		name_process("server");
		close(reply_fd);
		close(fill_fd);
		_exit(SUBJECT(serve_one_and_close()));
	}
	/* The request goes out once the server waits for it. */
	expect(ag_wait_blocked(server_pid), "the server process ended (code %d) before "
	       "waiting for a request", ag_wait_exit(server_pid));
	request_fd = open(FIFO_REQUEST_NAME, O_WRONLY);
	ag_setup(request_fd != -1 && write(request_fd, &request, sizeof(request)) ==
		 sizeof(request) && close(request_fd) == 0, "request");
	ag_name_fifo(path, "its reply FIFO", "the test's client");
	if (!ag_wait_blocked(server_pid)) {
		code = ag_wait_exit(server_pid);
		expect(false, "the client's reply FIFO was full: expected server_serve_one() to "
		       "wait until the client read, it returned (exit code %d: %s)", code,
		       code == 3 ? "the handler's write failed with EAGAIN, the reply FIFO was "
		       "left in non-blocking mode" : code == 2 ? "it returned 0, as if the "
		       "client had gone" : "it failed");
	}
	/* Now the client reads: the page of filler, then the reply, until end of file. */
	close(fill_fd);
	set_blocking(reply_fd);
	while ((n = read(reply_fd, got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	close(reply_fd);
	code = ag_wait_exit(server_pid);
	expect(code == 0, "once the client read, server_serve_one() should return 1; its "
	       "process ended with code %d", code);
	expected_reply(want, sizeof(want), getpid(), request.text);
	expect(len == sizeof(filler) + strlen(want) && strcmp(got + sizeof(filler), want) == 0,
	       "expected the client to read %zu bytes of filler and then \"%s\", it read %zu "
	       "bytes", sizeof(filler), want, len);
	unlink(path);
}

/* For server_close_keeps_sigpipe_ignored, in the subject: SIGPIPE's action at the end. */
static int open_close_and_look(void (**sigpipe)(int))
{
	struct fifo_server server;
	struct sigaction now;

	ag_setup(signal(SIGPIPE, SIG_DFL) != SIG_ERR, "signal");	/* as a new program has it */
	start_server(&server);
	expect(server_close(&server) == 0, "server_close() failed: %s", strerror(errno));
	ag_setup(sigaction(SIGPIPE, NULL, &now) == 0, "sigaction");
	*sigpipe = now.sa_handler;
	return 0;
}

GRADED_TEST(fifos, server_close_keeps_sigpipe_ignored, .task = "3.2", .points = 2,
	    .desc = "SIGPIPE, ignored from server_open() on, is still ignored after server_close()",
	    .hint = "Handout 3.2: server_close() changes no signal disposition; SIGPIPE stays "
		    "ignored, as server_open() left it.")
{
	void (*sigpipe)(int) = SIG_ERR;
	const struct ag_snapshot *after;
	bool ignored;

	name_process("server");
	name_request_fifo();
	SUBJECT(open_close_and_look(&sigpipe), OUT(sigpipe));
	after = ag_last_subject();
	ignored = !ag_signal_sets_known() || AG_SIG_IN(after->sig_ignored, SIGPIPE);
	expect(sigpipe == SIG_IGN && ignored, "SIGPIPE was SIG_DFL before server_open(); after "
	       "server_open() and server_close() it is %s, expected SIG_IGN: server_close() "
	       "leaves it ignored", sigpipe == SIG_DFL ? "SIG_DFL again" : sigpipe == SIG_IGN ?
	       "not ignored in the kernel's view" : "caught by a handler");
}

/* For server_returns_handler_error, in the subject: how many times the handler ran. */
static int handler_calls;

/*
 * For server_returns_handler_error: a handler whose second write(2) a signal
 * interrupted. The first call writes part of the reply and fails with EINTR;
 * a second call, which must not come, would write the rest.
 */
static int interrupted_handler(const struct fifo_request *request, int reply_fd, void *arg)
{
	(void)request;
	(void)arg;
	if (handler_calls++ > 0)
		return write(reply_fd, " again", 6) == 6 ? 0 : -1;
	if (write(reply_fd, "part", 4) != 4)
		return -1;
	errno = EINTR;
	return -1;
}

GRADED_TEST(fifos, server_returns_handler_error, .task = "3.2", .points = 2,
	    .desc = "a handler that fails with EINTR is called once: server_serve_one() returns "
		    "-1 with EINTR and closes the reply FIFO",
	    .hint = "Handout 3 and 3.2: only a call that waits (for a request) is made again "
		    "after EINTR; the handler's failure is passed on, once.")
{
	struct fifo_request request = {.client_pid = getpid(), .text = "fail half way"};
	struct pollfd pfd = {.events = POLLIN};
	char path[64], got[64] = "";
	int request_fd, code;
	size_t len = 0;
	pid_t server_pid;
	ssize_t n;

	/* The test is the client (protocol steps 1, 2 and 4). */
	reply_fifo_path(path, sizeof(path), getpid());
	ag_setup(mkfifo(path, 0600) == 0, "mkfifo");
	pfd.fd = open(path, O_RDONLY | O_NONBLOCK);
	ag_setup(pfd.fd != -1, "open reply FIFO");
	name_request_fifo();
	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		int served, err = 0;

		name_process("server");
		close(pfd.fd);
		served = SUBJECT(serve_once_with(interrupted_handler, &err), OUT(err));
		_exit(served == -1 ? (err == EINTR ? 0 : 1) : served == 0 ? 2 : 3);
	}
	expect(ag_wait_blocked(server_pid), "the server process ended (code %d) before "
	       "waiting for a request", ag_wait_exit(server_pid));
	request_fd = open(FIFO_REQUEST_NAME, O_WRONLY);
	ag_setup(request_fd != -1 && write(request_fd, &request, sizeof(request)) ==
		 sizeof(request) && close(request_fd) == 0, "request");
	ag_name_fifo(path, "its reply FIFO", "the test's client");
	while (poll(&pfd, 1, -1) == -1)
		ag_setup(errno == EINTR, "poll");
	set_blocking(pfd.fd);
	while (len < sizeof(got) - 1 && (n = read(pfd.fd, got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	close(pfd.fd);
	unlink(path);
	code = ag_wait_exit(server_pid);
	expect(strcmp(got, "part") == 0, "the handler wrote \"part\" and failed with EINTR; the "
	       "client read \"%s\" before end of file, expected \"part\"%s", got,
	       strstr(got, "again") ? ": the handler was called a second time" : "");
	expect(code != 1, "the handler failed with EINTR: expected server_serve_one() to return "
	       "-1 with EINTR, it returned -1 with another errno");
	expect(code != 2, "the handler failed with EINTR: expected server_serve_one() to return "
	       "-1 with EINTR, it returned 0, as if the client had gone");
	expect(code != 3, "the handler failed with EINTR: expected server_serve_one() to return "
	       "-1 with EINTR, it returned 1, as if the reply had been written");
	expect(code == 0, "the server process ended with code %d", code);
}

/* ---- 3.3 the client ---- */

/*
 * In the subject: client_request() as a client that records its pid (its
 * reply FIFO's name). With `reuse`, the FIFO there becomes its reply FIFO
 * first, as one an earlier process with the same pid left.
 */
static ssize_t request_as_client(const char *reuse, const char *text, char *reply, size_t cap,
				 pid_t *pid)
{
	char path[64];

	*pid = getpid();
	reply_fifo_path(path, sizeof(path), *pid);
	ag_setup(!reuse || rename(reuse, path) == 0, "rename");
	return client_request(ag_scratch(), text, reply, cap);
}

/* The parent of pid, from /proc; -1 when pid is gone. */
static pid_t parent_of(pid_t pid)
{
	char path[64], text[512], *paren;
	int ppid = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) > 0 && (paren = strrchr(text, ')')))
		sscanf(paren + 2, "%*c %d", &ppid);
	return ppid;
}

/* The pipe on which the last spawn_student_client() child sends back its reply. */
static int student_reply_fd = -1;

/*
 * Runs client_request in a child named "client"; exit 0 when the reply is
 * right. The child also sends the reply back, once client_request returned.
 */
static pid_t spawn_student_client(const char *text)
{
	char path[64];
	int report[2];
	pid_t pid;

	ag_setup(pipe(report) == 0, "pipe");
	pid = ag_fork();
	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		char got[512] = "", want[512];
		ssize_t len;
		pid_t self;

		name_process("client");
		close(report[0]);
		len = SUBJECT(request_as_client(NULL, text, got, sizeof(got), &self), OUT(got),
			      OUT(self));
		if (len == -1)
			_exit(errno == ENXIO ? 2 : errno == EAGAIN ? 3 : 1);
		if (len > 0 && len < (ssize_t)sizeof(got) && write(report[1], got, (size_t)len) != len)
			_exit(1);
		expected_reply(want, sizeof(want), self, text);
		_exit(len == (ssize_t)strlen(want) && strcmp(got, want) == 0 ? 0 : 4);
	}
	close(report[1]);
	student_reply_fd = report[0];
	reply_fifo_path(path, sizeof(path), pid);
	ag_name_fifo(path, "its reply FIFO", "the server");
	return pid;
}

/* client: the helper spawn_student_client() returned; pid: the process that sent. */
static void expect_student_client_ok(pid_t client, pid_t pid, const char *text)
{
	char got[512] = "", want[512];
	size_t len = 0;
	ssize_t n;
	int code = ag_wait_exit(client);

	expect(code != 1, "client_request() returned -1 with an error");
	expect(code != 2, "client_request() returned -1 with ENXIO, yet the server holds the "
	       "request FIFO open for reading");
	expect(code != 3, "client_request() returned -1 with EAGAIN: the request FIFO was full "
	       "and the write did not wait (O_NONBLOCK left set?)");
	expect(code != 4, "client_request() returned a reply other than the server's (it reads "
	       "until end of file: the server may write in several pieces)");
	expect(code == 0, "the client process ended with status %d", code);
	while (len < sizeof(got) - 1 &&
	       (n = read(student_reply_fd, got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	close(student_reply_fd);
	expected_reply(want, sizeof(want), pid, text);
	expect(strcmp(got, want) == 0, "the client process ended with status 0, but what "
	       "client_request() returned (\"%s\") is not the reply \"%s\": did it exit "
	       "instead of returning?", got, want);
}

/*
 * The test's server reads one request and checks it came from the subject
 * of judge `client` (a child of it); returns the pid the request names.
 */
static pid_t expect_request_from(struct test_server *s, pid_t client, const char *text)
{
	struct fifo_request request;
	int pidfd = (int)syscall(SYS_pidfd_open, client, 0);
	struct pollfd fds[2] = {{.fd = s->read_fd, .events = POLLIN},
				{.fd = pidfd, .events = POLLIN}};

	/* Waits for the request or the client's exit, whichever comes first. */
	while (poll(fds, 2, -1) == -1)
		ag_setup(errno == EINTR, "poll");
	if (!(fds[0].revents & POLLIN)) {
		int code = client == getppid() ? -1 : ag_wait_exit(client);

		expect(false, "the client exited (status %d) without sending a request%s", code,
		       code == 1 ? ": client_request() returned -1" : "");
	}
	if (pidfd != -1)
		close(pidfd);
	read_exactly(s->read_fd, &request, sizeof(request));
	expect(parent_of(request.client_pid) == client, "the request names pid %d, the client "
	       "is a child of pid %d", (int)request.client_pid, (int)client);
	expect(memchr(request.text, '\0', sizeof(request.text)) && strcmp(request.text, text) == 0,
	       "the request's text is \"%.*s\", expected \"%s\"", FIFO_TEXT_MAX, request.text, text);
	return request.client_pid;
}

GRADED_TEST(fifos, client_gets_its_reply, .task = "3.3", .points = 4,
	    .desc = "client_request() sends its request and reads the whole reply, without "
		    "deadlocking with a server that opens the reply FIFO after the request",
	    .hint = "Handout 3.3: open your reply FIFO for reading with O_NONBLOCK before "
		    "sending, then wait for the reply (poll) and read until end of file.")
{
	static const char text[] = "hello server";
	struct test_server s = start_test_server();
	char reply[128];
	pid_t client, pid;
	int fd;

	name_process("server");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the server");
	client = spawn_student_client(text);
	pid = expect_request_from(&s, client, text);
	/* A slow server: the client must wait until the reply FIFO has a writer. */
	expect(ag_wait_blocked(client),
	       "the client did not wait for the server to open its reply FIFO (it ended with "
	       "code %d): read() on a FIFO that has no writer yet returns 0 at once; wait "
	       "with poll()", ag_wait_exit(client));
	fd = open_reply_as_server(pid);
	expected_reply(reply, sizeof(reply), pid, text);
	/* In two pieces, the second once the client waits: it must read until EOF. */
	ag_setup(write(fd, reply, 9) == 9, "write");
	expect(ag_wait_blocked(client),
	       "the client exited after the first 9 bytes of its reply (code %d): the reply "
	       "ends at end of file, not at the first read", ag_wait_exit(client));
	ag_setup(write(fd, reply + 9, strlen(reply) - 9) == (ssize_t)(strlen(reply) - 9), "write");
	close(fd);
	expect_student_client_ok(client, pid, text);
}

GRADED_TEST(fifos, client_request_is_one_write, .task = "3.3", .points = 4,
	    .desc = "client_request() writes its request in a single write(2), so requests "
		    "never interleave",
	    .hint = "Handout 2.5 and 3.3: a write of at most PIPE_BUF bytes is atomic; the pid "
		    "and the text must go out in the same call.")
{
	static const char text[] = "atomic please";
	static char filler[PIPE_BUF - 8];
	struct test_server s = start_test_server();
	char reply[128];
	pid_t client, pid;
	int queued = -1, fd;

	name_process("server");
	/* One page of room, all but 8 bytes taken: a whole request waits for
	 * room, while a first piece of a split one slips into those 8 bytes. */
	ag_setup(fcntl(s.read_fd, F_SETPIPE_SZ, PIPE_BUF) == PIPE_BUF, "F_SETPIPE_SZ");
	ag_setup(write(s.keepalive_fd, filler, sizeof(filler)) == sizeof(filler), "fill");
	client = spawn_student_client(text);
	expect(ag_wait_blocked(client),
	       "the client did not wait in write(2) on a full request FIFO (exit code %d): "
	       "the write must block until the whole request fits", ag_wait_exit(client));
	ag_setup(ioctl(s.read_fd, FIONREAD, &queued) == 0, "FIONREAD");
	expect(queued == (int)sizeof(filler), "%d bytes of the request went into the FIFO while "
	       "the rest waited for room: it was written in more than one write(2)",
	       queued - (int)sizeof(filler));
	read_exactly(s.read_fd, filler, sizeof(filler));
	pid = expect_request_from(&s, client, text);
	fd = open_reply_as_server(pid);
	expected_reply(reply, sizeof(reply), pid, text);
	ag_setup(write(fd, reply, strlen(reply)) == (ssize_t)strlen(reply), "write");
	close(fd);
	expect_student_client_ok(client, pid, text);
}

GRADED_TEST(fifos, client_removes_reply_fifo, .task = "3.3", .points = 3,
	    .desc = "client_request() removes its reply FIFO and closes everything, after a "
		    "reply and when there is no server (ENOENT, ENXIO)",
	    .hint = "Handout 3.3: the client made the FIFO, so it unlinks it, on every path out; "
		    "ENXIO from the non-blocking open means no server.")
{
	struct ag_snapshot before;
	char reply[128] = "", want[128], left[256];
	pid_t server_pid, self = 0;
	ssize_t len;
	int fd, keepalive;

	ag_snapshot_take(&before);
	errno = 0;
	len = SUBJECT(client_request(ag_scratch(), "anyone?", reply, sizeof(reply)), OUT(reply));
	expect(len == -1 && errno == ENOENT, "no request FIFO at all: expected -1 with ENOENT, "
	       "got %zd (%s)", len, strerror(errno));
	expect(no_reply_fifo_left(left, sizeof(left)), "%s is still there after client_request() "
	       "failed", left);
	ag_setup(mkfifo(FIFO_REQUEST_NAME, 0600) == 0, "mkfifo");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "a server");
	errno = 0;
	len = SUBJECT(client_request(ag_scratch(), "anyone?", reply, sizeof(reply)), OUT(reply));
	expect(len == -1 && errno == ENXIO, "a request FIFO that no server reads: expected -1 "
	       "with ENXIO at once, got %zd (%s)", len, strerror(errno));
	expect(no_reply_fifo_left(left, sizeof(left)), "%s is still there after client_request() "
	       "failed with ENXIO", left);
	expect_no_leaks(&before, "client_request failed");

	fd = open(FIFO_REQUEST_NAME, O_RDONLY | O_NONBLOCK);
	keepalive = open(FIFO_REQUEST_NAME, O_WRONLY);	/* no EOF before the request */
	ag_setup(fd != -1 && keepalive != -1, "open");
	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		struct fifo_request request;
		char path[64];
		int reply_fd;

		name_process("server");
		set_blocking(fd);
		if (read(fd, &request, sizeof(request)) != sizeof(request))
			_exit(1);
		reply_fifo_path(path, sizeof(path), request.client_pid);
		reply_fd = open(path, O_WRONLY | O_NONBLOCK);
		_exit(reply_fd == -1 ? 2 : echo_handler(&request, reply_fd, NULL) == 0 ? 0 : 3);
	}
	close(fd);
	close(keepalive);
	len = SUBJECT(request_as_client(NULL, "with a server", reply, sizeof(reply), &self),
		      OUT(reply), OUT(self));
	expected_reply(want, sizeof(want), self, "with a server");
	expect(len == (ssize_t)strlen(want) && strcmp(reply, want) == 0, "client_request() with a "
	       "server: expected %zu and the reply \"%s\", got %zd (%s) and \"%.*s\"",
	       strlen(want), want, len, len == -1 ? strerror(errno) : "-", (int)sizeof(reply),
	       reply);
	expect(ag_wait_exit(server_pid) == 0, "the test's server could not open the reply "
	       "FIFO without waiting: open it for reading before sending (protocol step 1)");
	expect(no_reply_fifo_left(left, sizeof(left)), "%s is still there after client_request() "
	       "returned its reply", left);
	expect_no_leaks(&before, "client_request returned");
}

GRADED_TEST(fifos, client_fails_when_server_leaves, .task = "3.3", .points = 3,
	    .desc = "client_request() whose server closes the full request FIFO returns -1 "
		    "(EPIPE), leaving nothing open and no reply FIFO",
	    .hint = "Handout 2.4 and 3.3: a write(2) waiting for room fails with EPIPE when the "
		    "last reader leaves; close the request FIFO on that path too.")
{
	static char filler[PIPE_BUF];
	struct test_server s = start_test_server();
	struct ag_snapshot before;
	char reply[128], left[256];
	pid_t server_pid;
	ssize_t len;
	int saved_errno;

	name_process("client");
	ag_setup(fcntl(s.read_fd, F_SETPIPE_SZ, PIPE_BUF) == PIPE_BUF, "F_SETPIPE_SZ");
	ag_setup(write(s.keepalive_fd, filler, sizeof(filler)) == sizeof(filler), "fill");
	/* The test's server holds the only read end, and drops it once the client waits. */
	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		name_process("server");
		_exit(ag_wait_blocked(getppid()) && close(s.read_fd) == 0 ? 0 : 1);
	}
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the test's server");
	close(s.read_fd);
	ag_snapshot_take(&before);
	errno = 0;
	len = SUBJECT((signal(SIGPIPE, SIG_IGN),
		       client_request(ag_scratch(), "nobody will read this", reply, sizeof(reply))));
	saved_errno = errno;
	expect(len == -1 && saved_errno == EPIPE, "the server closed the request FIFO while the "
	       "request waited for room: expected -1 with EPIPE, got %zd (%s)", len,
	       len == -1 ? strerror(saved_errno) : "a reply");
	expect(no_reply_fifo_left(left, sizeof(left)), "%s is still there after client_request() "
	       "failed with EPIPE", left);
	expect_no_leaks(&before, "client_request failed with EPIPE");
	ag_setup(ag_wait_exit(server_pid) == 0, "the test's server");
}

/*
 * For client_reply_respects_cap: client_request(text, reply, cap) in the test
 * process, against a helper server whose reply is `reply_len` bytes. Returns
 * what client_request returned; errno is its errno. Once the client returns
 * the helper has nothing left to do (or waits for a request that never
 * came): it is killed.
 */
static ssize_t request_with_cap(struct test_server *s, size_t reply_len, char *reply,
				size_t size, size_t cap)
{
	static const char text[] = "how long?";
	ssize_t len;
	pid_t server_pid = ag_fork();
	int saved_errno;

	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		struct fifo_request request;
		char path[64], answer[64];
		int fd;

		name_process("server");
		memset(answer, 'r', sizeof(answer));
		read_exactly(s->read_fd, &request, sizeof(request));
		reply_fifo_path(path, sizeof(path), request.client_pid);
		fd = open(path, O_WRONLY | O_NONBLOCK);
		/* One write that fits in the FIFO: whole before the client reads. */
		_exit(fd != -1 && write(fd, answer, reply_len) == (ssize_t)reply_len ? 0 : 1);
	}
	len = SUBJECT(client_request(ag_scratch(), text, reply, cap), OUT_BYTES(reply, size));
	saved_errno = errno;
	kill(server_pid, SIGKILL);
	ag_wait_exit(server_pid);
	errno = saved_errno;
	return len;
}

GRADED_TEST(fifos, client_reply_respects_cap, .task = "3.3", .points = 3,
	    .desc = "client_request() returns a reply that fills its buffer exactly, fails with "
		    "ENOBUFS when one byte more comes, and never writes past reply[cap - 1]",
	    .hint = "Handout 3.3: cap counts the NUL; read at most cap - 1 bytes, then one more "
		    "to tell end of file from a reply that is too long.")
{
	enum { REPLY = 20 };
	struct test_server s = start_test_server();
	char reply[64], left[256];
	ssize_t len;

	name_process("client");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the test's server");
	memset(reply, '#', sizeof(reply));
	len = request_with_cap(&s, REPLY, reply, sizeof(reply), REPLY + 1);
	expect(len == REPLY && reply[REPLY] == '\0' && strspn(reply, "r") == REPLY,
	       "a reply of %d bytes with cap %d: expected %d and the reply, got %zd (%s)", REPLY,
	       REPLY + 1, REPLY, len, len == -1 ? strerror(errno) : "a wrong reply");
	expect(reply[REPLY + 1] == '#', "with cap %d, client_request() wrote reply[%d]", REPLY + 1,
	       REPLY + 1);

	memset(reply, '#', sizeof(reply));
	errno = 0;
	len = request_with_cap(&s, REPLY, reply, sizeof(reply), REPLY);
	expect(len == -1 && errno == ENOBUFS, "a reply of %d bytes with cap %d (no room for its "
	       "NUL): expected -1 with ENOBUFS, got %zd (%s)", REPLY, REPLY, len,
	       len == -1 ? strerror(errno) : "no room was left for the NUL");
	expect(reply[REPLY] == '#', "with cap %d, client_request() wrote reply[%d]", REPLY, REPLY);

	memset(reply, '#', sizeof(reply));
	errno = 0;
	len = request_with_cap(&s, 0, reply, sizeof(reply), 0);
	expect(len == 0 || (len == -1 && errno == ENOBUFS), "an empty reply with cap 0: expected "
	       "0, or -1 with ENOBUFS, got %zd (%s)", len, len == -1 ? strerror(errno) : "-");
	expect(reply[0] == '#', "with cap 0, client_request() wrote reply[0]: nothing may be "
	       "written at or past reply[cap]");
	expect(no_reply_fifo_left(left, sizeof(left)), "%s is still there after client_request() "
	       "returned", left);
}

static const char signalled_text[] = "through signals";

/*
 * then() of the interrupted client tests, run by the test's server once the
 * client (the helper's parent) waits: reads its request and writes the
 * reply, or the part of it that `sent` bytes do not cover yet.
 */
struct late_server {
	struct test_server *server;
	size_t filler, sent;	/* bytes of filler to drain; reply bytes already written */
	int reply_fd;		/* the reply FIFO's write end when `sent` > 0, else -1 */
	const char *reuse;	/* the FIFO of reply_fd, for the client to take over */
};

static void serve_late(void *arg)
{
	static char drained[PIPE_BUF];
	struct late_server *late = arg;
	pid_t client;
	char reply[FIFO_TEXT_MAX + 64];
	size_t len;
	int fd;

	read_exactly(late->server->read_fd, drained, late->filler);
	client = expect_request_from(late->server, getppid(), signalled_text);
	fd = late->reply_fd != -1 ? late->reply_fd : open_reply_as_server(client);
	expected_reply(reply, sizeof(reply), client, signalled_text);
	len = strlen(reply) - late->sent;
	expect(write(fd, reply + late->sent, len) == (ssize_t)len, "the test's server could not "
	       "write the reply: %s", strerror(errno));
	close(fd);
}

/* Runs client_request() interrupted by two signals; expects the whole reply. */
static void expect_reply_after_signals(struct late_server *late, const char *where)
{
	char got[128] = "", want[FIFO_TEXT_MAX + 64];
	int saved_errno, signals;
	pid_t self = 0;
	ssize_t len;

	ag_interrupt_start(2, serve_late, late);
	if (late->reply_fd != -1)
		close(late->reply_fd);	/* the helper's copy ends the reply */
	len = SUBJECT(request_as_client(late->reuse, signalled_text, got, sizeof(got), &self),
		      OUT(got), OUT(self));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expected_reply(want, sizeof(want), self, signalled_text);
	expect(len == (ssize_t)strlen(want) && strcmp(got, want) == 0, "%d signal(s) interrupted "
	       "client_request() while %s; expected it to go on and return the %zu bytes of the "
	       "reply, got %zd (%s)", signals, where, strlen(want), len,
	       len == -1 ? strerror(saved_errno) : "a wrong reply");
	expect(ag_interrupt_acted(), "client_request() returned the reply before the test's "
	       "server had sent it: it never waited for it");
}

GRADED_TEST(fifos, client_write_survives_signals, .task = "3.3", .points = 3,
	    .desc = "client_request() goes on waiting for room in a full request FIFO when "
		    "signals interrupt its write()",
	    .hint = "Handout 3 and 3.3: a write(2) that waits for room fails with EINTR, having "
		    "written nothing, when a handler without SA_RESTART runs; a call that was "
		    "waiting is made again.")
{
	static char filler[PIPE_BUF];
	struct test_server s = start_test_server();
	struct late_server late = {.server = &s, .filler = sizeof(filler), .reply_fd = -1};

	name_process("client");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the test's server");
	ag_setup(fcntl(s.read_fd, F_SETPIPE_SZ, PIPE_BUF) == PIPE_BUF, "F_SETPIPE_SZ");
	ag_setup(write(s.keepalive_fd, filler, sizeof(filler)) == sizeof(filler), "fill");
	expect_reply_after_signals(&late, "its request waited for room in the full request FIFO");
}

GRADED_TEST(fifos, client_reply_survives_signals, .task = "3.3", .points = 4,
	    .desc = "client_request() goes on waiting for its reply, and reading it, when "
		    "signals interrupt its poll() or read()",
	    .hint = "Handout 3 and 3.3: poll(2) fails with EINTR when a handler runs, "
		    "SA_RESTART or not; read(2) when it has no SA_RESTART. A call that was "
		    "waiting is made again.")
{
	struct test_server s = start_test_server();
	struct late_server late = {.server = &s, .reply_fd = -1};
	char reply[FIFO_TEXT_MAX + 64];
	int reader;

	name_process("client");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the test's server");
	expect_reply_after_signals(&late, "it waited for the server to open its reply FIFO");

	/* A quick server has written the first 9 bytes: the signals come while the client
	 * waits in read() for the rest. The client reuses the FIFO (fifos.h): it is
	 * made under another name, which the subject renames to its reply.PID. */
	ag_setup(mkfifo("early.reply", 0600) == 0, "mkfifo");
	reader = open("early.reply", O_RDONLY | O_NONBLOCK);
	late.reply_fd = open("early.reply", O_WRONLY);
	late.reuse = "early.reply";
	expected_reply(reply, sizeof(reply), 0, signalled_text);	/* "reply to ": any pid */
	ag_setup(reader != -1 && late.reply_fd != -1 && write(late.reply_fd, reply, 9) == 9,
		 "reply FIFO");
	late.sent = 9;
	expect_reply_after_signals(&late, "it read the rest of a reply whose first 9 bytes had "
				   "come");
	close(reader);
}

/* For server_and_clients_end_to_end, in the subject: 0 once all were served. */
static int serve_everyone(int requests)
{
	struct fifo_server server;

	if (server_open(&server, ag_scratch()) == -1)
		return 1;
	for (int i = 0; i < requests; i++)
		if (server_serve_one(&server, echo_handler, NULL) != 1)
			return 2;
	return server_close(&server) == 0 ? 0 : 3;
}

GRADED_TEST(fifos, server_and_clients_end_to_end, .task = "3.4", .points = 3,
	    .desc = "your server and 8 of your clients at once: every client gets its own replies",
	    .hint = "Handout 3.4: run ./server and several ./client; the tests above point at "
		    "the side that fails.", .deadline = 4)
{
	enum { EACH = 5 };
	pid_t server_pid, clients[CLIENTS];

	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		name_process("server");
		_exit(SUBJECT(serve_everyone(CLIENTS * EACH)));
	}
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "a client");
	/* The clients start once the server waits for requests (a client that
	 * finds no server fails at once, with ENXIO). */
	expect(ag_wait_blocked(server_pid),
	       "the server process ended (code %d) before waiting for a request",
	       ag_wait_exit(server_pid));
	for (int c = 0; c < CLIENTS; c++) {
		clients[c] = ag_fork();
		ag_setup(clients[c] != -1, "fork");
		if (clients[c] == 0) {
			name_process("client");
			for (int i = 0; i < EACH; i++) {
				char text[32], got[128] = "", want[128];
				pid_t self = 0;

				snprintf(text, sizeof(text), "client %c #%d", 'A' + c, i);
				if (SUBJECT(request_as_client(NULL, text, got, sizeof(got), &self),
					    OUT(got), OUT(self)) == -1)
					_exit(1);
				expected_reply(want, sizeof(want), self, text);
				if (strcmp(got, want) != 0)
					_exit(4);
			}
			_exit(0);
		}
	}
	for (int c = 0; c < CLIENTS; c++) {
		int code = ag_wait_exit(clients[c]);

		expect(code == 0, "client %c ended with code %d: %s", 'A' + c, code,
		       code == 1 ? "client_request() failed" : code == 4 ?
		       "it got a reply meant for another client" : "it crashed");
	}
	expect(ag_wait_exit(server_pid) == 0, "the server failed");
	expect(access(FIFO_REQUEST_NAME, F_OK) == -1 && errno == ENOENT, "the server process "
	       "ended with status 0, yet the request FIFO \"" FIFO_REQUEST_NAME "\" is still "
	       "there: server_close() removes it");
}
