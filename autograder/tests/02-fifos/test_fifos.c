/*
 * test_fifos.c - the graded tests of Lab 02 (FIFOs), 100 points.
 *
 * Each test checks one behaviour of fifos.h, in a sandbox of its own (see
 * grader.h) whose scratch directory, the cwd, holds the FIFOs. When a test
 * plays one side of the protocol itself (a client for the server tests, a
 * server for the client tests) it follows fifos.h's protocol to the letter,
 * so any correct implementation of the other side passes. Helper processes
 * report through their exit status, and a child that runs the code under
 * test also sends back what it received: status 0 alone would credit code
 * that calls exit(0). Nothing waits by sleeping: a helper that must act
 * while the code under test is blocked waits until /proc says it is asleep
 * in a system call.
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

/* Forks a client sending `text` (or `count` requests "TEXT #i"); returns its pid. */
static pid_t spawn_test_client(const char *text, enum client_kind kind, int count)
{
	char path[64];
	pid_t pid = ag_fork();

	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		name_process("client");
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
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "a client");
}

static void expect_served(struct fifo_server *server, int want, const char *context)
{
	int got = server_serve_one(server, echo_handler, NULL);

	expect(got == want, "%s: expected server_serve_one() to return %d, got %d (%s)%s", context,
	       want, got, got == -1 ? strerror(errno) : "-", got == -1 && errno == EIO ?
	       ": end of file on the request FIFO? it comes when no write end is left" : "");
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

GRADED_TEST(fifos, fifo_make_creates_fifo, .points = 3,
	    .desc = "fifo_make() creates a FIFO with the mode asked for",
	    .hint = "Handout 2.1 and 3.1: mkfifo(3) makes the special file (ls -l shows 'p').")
{
	struct stat st;
	int rc;

	umask(022);
	rc = fifo_make("made.fifo", 0640);
	expect(rc == 0, "fifo_make(\"made.fifo\", 0640) returned %d (%s), expected 0", rc,
	       strerror(errno));
	expect(stat("made.fifo", &st) == 0 && S_ISFIFO(st.st_mode),
	       "made.fifo is not a FIFO after fifo_make(): use mkfifo(3)");
	expect((st.st_mode & 07777) == 0640, "made.fifo has mode %04o, expected 0640",
	       (unsigned)(st.st_mode & 07777));
}

GRADED_TEST(fifos, fifo_make_keeps_existing, .points = 5,
	    .desc = "fifo_make() accepts an existing FIFO as it is and refuses any other file (EEXIST)",
	    .hint = "Handout 3.1: mkfifo fails with EEXIST whatever is there; stat(2) tells a "
		    "FIFO from a regular file.")
{
	struct stat before, after;
	char text[32] = "";
	int fd, rc;

	ag_setup(mkfifo("old.fifo", 0600) == 0 && stat("old.fifo", &before) == 0, "mkfifo");
	rc = fifo_make("old.fifo", 0600);
	expect(rc == 0, "a FIFO already exists at the path: expected fifo_make() to return 0, "
	       "got %d (%s)", rc, strerror(errno));
	expect(stat("old.fifo", &after) == 0 && S_ISFIFO(after.st_mode) &&
	       after.st_ino == before.st_ino,
	       "the existing FIFO was replaced by another file: a process may have it open; "
	       "leave it as it is");

	fd = open("plain.txt", O_WRONLY | O_CREAT | O_EXCL, 0600);
	ag_setup(fd != -1 && write(fd, "keep me", 7) == 7 && close(fd) == 0, "plain.txt");
	errno = 0;
	rc = fifo_make("plain.txt", 0600);
	expect(rc == -1 && errno == EEXIST, "a regular file is at the path: expected -1 with "
	       "EEXIST, got %d (%s)", rc, strerror(errno));
	ag_read_file("plain.txt", text, sizeof(text));
	expect(stat("plain.txt", &after) == 0 && S_ISREG(after.st_mode) &&
	       strcmp(text, "keep me") == 0,
	       "the regular file at the path was removed or changed: fifo_make() must not touch it");
}

GRADED_TEST(fifos, open_writer_waits_for_reader, .points = 5,
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
		fd = fifo_open_writer("wait.fifo", true);
		if (fd == -1)
			_exit(errno == ENXIO ? 2 : 1);
		_exit(write(fd, "hello", 5) == 5 ? 0 : 3);
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

GRADED_TEST(fifos, open_writer_nonblock_enxio, .points = 5,
	    .desc = "fifo_open_writer(path, false) fails at once with ENXIO when nobody reads, and "
		    "returns a blocking descriptor when someone does",
	    .hint = "Handout 2.3: O_WRONLY|O_NONBLOCK on a FIFO without a reader is ENXIO; clear "
		    "O_NONBLOCK with fcntl(F_SETFL) after the open.")
{
	struct ag_snapshot before;
	char got[8] = "";
	int fd, reader, flags;

	ag_setup(mkfifo("lonely.fifo", 0600) == 0, "mkfifo");
	ag_name_fifo("lonely.fifo", "the FIFO", "a reader");
	ag_snapshot_take(&before);
	errno = 0;
	fd = fifo_open_writer("lonely.fifo", false);
	expect(fd == -1 && errno == ENXIO, "no process reads the FIFO: expected -1 with ENXIO, "
	       "got %d (%s)", fd, strerror(errno));
	expect_no_leaks(&before, "fifo_open_writer failed");

	reader = open("lonely.fifo", O_RDONLY | O_NONBLOCK);
	ag_setup(reader != -1, "open for reading");
	fd = fifo_open_writer("lonely.fifo", false);
	expect(fd >= 0, "a reader has the FIFO open: expected a descriptor, got %d (%s)", fd,
	       strerror(errno));
	flags = fcntl(fd, F_GETFL);
	expect(flags != -1 && !(flags & O_NONBLOCK) && (flags & O_ACCMODE) == O_WRONLY,
	       "the descriptor returned has flags %#o: expected O_WRONLY without O_NONBLOCK "
	       "(writes to a full FIFO would fail with EAGAIN)", (unsigned)flags);
	expect(write(fd, "ok", 2) == 2, "write to the returned descriptor failed: %s",
	       strerror(errno));
	read_exactly(reader, got, 2);
	expect(strcmp(got, "ok") == 0, "the reader got \"%s\", expected \"ok\"", got);
	close(fd);
	close(reader);
}

/* then() of an interrupted fifo_open_writer(path, true): the reader it waits for comes. */
static void open_reader(void *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK);

	expect(fd != -1, "the test could not open %s for reading: %s", (char *)path,
	       strerror(errno));
}

GRADED_TEST(fifos, open_writer_survives_signals, .points = 4,
	    .desc = "fifo_open_writer(path, true) goes on waiting for a reader when signals "
		    "interrupt its open()",
	    .hint = "Handout 3 and 2.2: a signal makes a waiting open(2) fail with EINTR; a "
		    "blocking call that a signal interrupts is retried.")
{
	struct ag_snapshot before;
	int fd, saved_errno, signals;

	ag_setup(mkfifo("wait.fifo", 0600) == 0, "mkfifo");
	ag_name_fifo("wait.fifo", "the FIFO", "the test");
	ag_interrupt_start(2, open_reader, "wait.fifo");
	ag_snapshot_take(&before);
	errno = 0;
	fd = fifo_open_writer("wait.fifo", true);
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(fd >= 0, "%d signals interrupted fifo_open_writer(path, true) while it waited for "
	       "a reader; expected it to go on waiting and return a descriptor once the reader "
	       "came, got %d (%s)", signals, fd, strerror(saved_errno));
	close(fd);
	expect_no_leaks(&before, "fifo_open_writer returned");
}

/* ---- 3.2 the server ---- */

GRADED_TEST(fifos, server_open_does_not_wait, .points = 4,
	    .desc = "server_open() creates the request FIFO and returns at once, with no client",
	    .hint = "Handout 2.2 and 3.2: open(O_RDONLY) waits for a writer; open the read end "
		    "with O_NONBLOCK (or O_RDWR).")
{
	struct fifo_server server;
	struct stat st;

	name_process("server");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "a client");
	start_server(&server);
	expect(stat(FIFO_REQUEST_NAME, &st) == 0 && S_ISFIFO(st.st_mode),
	       "after server_open() there is no FIFO named \"" FIFO_REQUEST_NAME "\" in the "
	       "directory");
	expect(server_close(&server) == 0, "server_close() failed: %s", strerror(errno));
}

GRADED_TEST(fifos, server_survives_last_client_leaving, .points = 5,
	    .desc = "after the last client leaves, the server waits for the next request "
		    "instead of seeing end of file",
	    .hint = "Handout 2.4 and 3.2: read() on a FIFO returns 0 once no writer is left; the "
		    "server keeps a write end of its own (the keep-alive).")
{
	struct fifo_server server;
	pid_t first, second;

	name_process("server");
	start_server(&server);
	first = spawn_test_client("first", CLIENT_WAITS, 1);
	expect_served(&server, 1, "one client");
	expect_client_ok(first);
	/* No client at all now. The next one comes only once the server waits. */
	second = ag_fork();
	ag_setup(second != -1, "fork");
	if (second == 0) {
		name_process("client");
		if (!ag_wait_blocked(getppid()))
			_exit(CLIENT_BROKEN);
		_exit(client_exchange("second", CLIENT_WAITS));
	}
	expect_served(&server, 1, "the first client has gone and no other has come yet; the "
		      "server must wait for the next one (did read() see end of file?)");
	expect_client_ok(second);
	server_close(&server);
}

GRADED_TEST(fifos, server_restarts_after_crash, .points = 5,
	    .desc = "server_open() starts over the FIFO a killed server left, and refuses "
		    "to remove a file that is not a FIFO",
	    .hint = "Handout 3.2: a FIFO holds no data once nobody has it open, so a stale one "
		    "can be reused; mkfifo's EEXIST is not the end.")
{
	struct fifo_server server;
	struct stat st;
	char text[32] = "";
	pid_t crashed, client;
	int fd, rc, status;

	crashed = ag_fork();
	ag_setup(crashed != -1, "fork");
	if (crashed == 0) {
		name_process("server");
		if (server_open(&server, ag_scratch()) == -1)
			_exit(1);
		raise(SIGKILL);		/* a crash: no server_close() */
	}
	status = ag_wait_exit(crashed);
	expect(status == 128 + SIGKILL, "the first server's server_open() failed (exit %d)",
	       status);
	expect(stat(FIFO_REQUEST_NAME, &st) == 0 && S_ISFIFO(st.st_mode), "server_open() "
	       "returned 0 in the server that was then killed, yet no request FIFO \""
	       FIFO_REQUEST_NAME "\" is there: server_open() creates it");
	name_process("server");
	rc = server_open(&server, ag_scratch());
	expect(rc == 0, "a killed server left its request FIFO behind: expected the new "
	       "server_open() to return 0, got %d (%s)", rc, strerror(errno));
	client = spawn_test_client("after the crash", CLIENT_WAITS, 1);
	expect_served(&server, 1, "a client of the restarted server");
	expect_client_ok(client);
	expect(server_close(&server) == 0, "server_close() failed: %s", strerror(errno));

	fd = open(FIFO_REQUEST_NAME, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ag_setup(fd != -1 && write(fd, "not a FIFO", 10) == 10 && close(fd) == 0, "file");
	errno = 0;
	rc = server_open(&server, ag_scratch());
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

GRADED_TEST(fifos, server_open_fails_cleanly, .points = 3,
	    .desc = "server_open() that finds no descriptor free returns -1 (EMFILE), leaving "
		    "nothing open and no request FIFO",
	    .hint = "Handout 3.2: when the second open fails, close the first end and remove "
		    "the FIFO you made; keep errno from the call that failed.")
{
	struct fifo_server server;
	struct ag_snapshot before;
	struct rlimit saved, low;
	int rc, saved_errno;

	ag_snapshot_take(&before);
	ag_setup(getrlimit(RLIMIT_NOFILE, &saved) == 0, "getrlimit");
	/* With 0 descriptors free the first open fails; with 1, the second. */
	for (int spare = 0; spare <= 1; spare++) {
		low = saved;
		low.rlim_cur = (rlim_t)(lowest_free_fd() + spare);
		ag_setup(setrlimit(RLIMIT_NOFILE, &low) == 0, "setrlimit");
		errno = 0;
		rc = server_open(&server, ag_scratch());
		saved_errno = errno;
		ag_setup(setrlimit(RLIMIT_NOFILE, &saved) == 0, "setrlimit");
		if (rc == 0 && spare == 1) {
			server_close(&server);	/* one O_RDWR descriptor: it fits */
			continue;
		}
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

GRADED_TEST(fifos, server_routes_concurrent_replies, .points = 6,
	    .desc = "8 clients, 25 requests each, at the same time: every reply reaches the "
		    "client that asked",
	    .hint = "Handout 3.2: the reply goes to reply.PID, PID taken from the request; "
		    "read whole requests (sizeof(struct fifo_request)).", .deadline = 4)
{
	struct fifo_server server;
	pid_t clients[CLIENTS];

	name_process("server");
	start_server(&server);
	for (int c = 0; c < CLIENTS; c++) {
		char text[32];

		snprintf(text, sizeof(text), "client %c", 'A' + c);
		clients[c] = spawn_test_client(text, CLIENT_WAITS, 25);
	}
	for (int i = 0; i < CLIENTS * 25; i++)
		expect_served(&server, 1, "8 clients sending requests at once");
	for (int c = 0; c < CLIENTS; c++)
		expect_client_ok(clients[c]);
	server_close(&server);
}

GRADED_TEST(fifos, server_skips_vanished_client, .points = 5,
	    .desc = "a client that left before its reply costs one request: the server does "
		    "not wait for it and serves the next client",
	    .hint = "Handout 2.3 and 3.2: open the reply FIFO with O_WRONLY|O_NONBLOCK; ENXIO "
		    "(or ENOENT) means the client has gone.")
{
	struct fifo_server server;
	struct fifo_request ghost = {.client_pid = 999999, .text = "nobody home"};
	pid_t gone, next;
	int fd;

	name_process("server");
	start_server(&server);
	gone = spawn_test_client("leaving", CLIENT_LEAVES, 1);
	expect_client_ok(gone);
	expect_served(&server, 0, "the client closed its reply FIFO and exited before the "
		      "server read its request");

	fd = open(FIFO_REQUEST_NAME, O_WRONLY);
	ag_setup(fd != -1 && write(fd, &ghost, sizeof(ghost)) == sizeof(ghost), "ghost request");
	close(fd);
	expect_served(&server, 0, "a request from a client whose reply FIFO does not exist");

	next = spawn_test_client("next", CLIENT_WAITS, 1);
	expect_served(&server, 1, "the next client, after two that had gone");
	expect_client_ok(next);
	server_close(&server);
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
	pid_t client = *(pid_t *)arg;

	(void)request;
	if (kill(client, SIGKILL) == -1 || waitpid(client, NULL, 0) != client)
		_exit(4);
	/* No reader is left: SIGPIPE, or EPIPE once it is ignored. */
	return write(reply_fd, "too late", 8) == 8 ? 0 : -1;
}

GRADED_TEST(fifos, server_survives_sigpipe, .points = 5,
	    .desc = "a client that vanishes while its reply is written does not kill the server "
		    "(SIGPIPE), which goes on serving",
	    .hint = "Handout 2.4 and 3.2: writing to a FIFO nobody reads raises SIGPIPE, which "
		    "kills; ignore it in the server and take EPIPE as \"that client left\".")
{
	struct fifo_request served = {0};
	pid_t server_pid;
	int status, report[2];

	/* Non-blocking: a client the server left behind may hold the write end. */
	ag_setup(pipe2(report, O_NONBLOCK) == 0, "pipe");
	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		struct fifo_server server;
		pid_t doomed, next;
		int rc;

		close(report[0]);

		name_process("server");
		if (server_open(&server, ag_scratch()) == -1)
			_exit(1);
		doomed = spawn_test_client("doomed", CLIENT_STAYS, 1);
		rc = server_serve_one(&server, late_handler, &doomed);
		if (rc != 0)
			_exit(rc == -1 && errno == EPIPE ? 2 : 3);
		next = spawn_test_client("next", CLIENT_WAITS, 1);
		if (server_serve_one(&server, reporting_handler, &report[1]) != 1)
			_exit(5);
		_exit(ag_wait_exit(next) == CLIENT_OK ? 0 : 6);
	}
	close(report[1]);
	status = ag_wait_exit(server_pid);
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

GRADED_TEST(fifos, server_closes_reply_fds, .points = 4,
	    .desc = "server_serve_one() closes the client's reply FIFO every time",
	    .hint = "Handout 3.2: the reply ends at the client's end of file, which comes when "
		    "the server closes its write end; close on every path.")
{
	struct fifo_server server;
	struct ag_snapshot before;
	pid_t client;

	name_process("server");
	start_server(&server);
	ag_snapshot_take(&before);
	client = spawn_test_client("one", CLIENT_WAITS, 1);
	expect_served(&server, 1, "one client");
	expect_client_ok(client);
	expect_no_leaks(&before, "server_serve_one served a client");
	client = spawn_test_client("gone", CLIENT_STAYS, 1);
	expect(ag_wait_blocked(client), "the test's client died");
	kill(client, SIGKILL);
	ag_wait_exit(client);
	expect_served(&server, 0, "a client that was killed after sending its request");
	expect_no_leaks(&before, "server_serve_one skipped a vanished client");
	server_close(&server);
}

GRADED_TEST(fifos, server_close_removes_fifo, .points = 4,
	    .desc = "server_close() removes the request FIFO and closes both of the server's ends",
	    .hint = "Handout 3.2: a FIFO is a file: it stays until unlink(2); a client finding "
		    "it would wait for a server that is gone.")
{
	struct fifo_server server;
	struct ag_snapshot before;
	int rc;

	ag_snapshot_take(&before);
	start_server(&server);
	rc = server_close(&server);
	expect(rc == 0, "server_close() returned %d (%s)", rc, strerror(errno));
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

GRADED_TEST(fifos, server_survives_signals, .points = 5,
	    .desc = "server_serve_one() goes on waiting for a request when signals interrupt "
		    "its read(), and serves it",
	    .hint = "Handout 3 and 3.2: a signal makes a waiting read(2) fail with EINTR; a "
		    "blocking call that a signal interrupts is retried.")
{
	struct fifo_server server;
	int served, saved_errno, signals;

	name_process("server");
	start_server(&server);
	ag_interrupt_start(2, send_one_request, NULL);
	served = server_serve_one(&server, echo_handler, NULL);
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(served == 1, "%d signals interrupted server_serve_one() while it waited for a "
	       "request; expected it to go on waiting and return 1 once a client came, got %d "
	       "(%s)", signals, served, served == -1 ? strerror(saved_errno) : "-");
	server_close(&server);
}

GRADED_TEST(fifos, server_reply_waits_for_room, .points = 5,
	    .desc = "the reply to a client whose reply FIFO is full waits for room, and "
		    "reaches the client whole",
	    .hint = "Handout 3.2: the reply FIFO is opened with O_NONBLOCK, then put back in "
		    "blocking mode for the handler, so that its write waits for room.")
{
	static char filler[PIPE_BUF], got[PIPE_BUF + 512];
	struct fifo_request request = {.client_pid = getpid(), .text = "wait for room"};
	struct fifo_server server;
	char path[64], want[FIFO_TEXT_MAX + 64];
	int reply_fd, fill_fd, request_fd, code;
	size_t len = 0;
	pid_t server_pid;
	ssize_t n;

	start_server(&server);
	/* The test is the client: its reply FIFO holds one page, and that page is full. */
	reply_fifo_path(path, sizeof(path), getpid());
	ag_setup(mkfifo(path, 0600) == 0, "mkfifo");
	reply_fd = open(path, O_RDONLY | O_NONBLOCK);
	fill_fd = open(path, O_WRONLY | O_NONBLOCK);
	ag_setup(reply_fd != -1 && fill_fd != -1, "open reply FIFO");
	ag_setup(fcntl(reply_fd, F_SETPIPE_SZ, PIPE_BUF) == PIPE_BUF, "F_SETPIPE_SZ");
	memset(filler, 'f', sizeof(filler));
	ag_setup(write(fill_fd, filler, sizeof(filler)) == sizeof(filler), "fill");
	request_fd = open(FIFO_REQUEST_NAME, O_WRONLY);
	ag_setup(request_fd != -1 && write(request_fd, &request, sizeof(request)) ==
		 sizeof(request) && close(request_fd) == 0, "request");
	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		name_process("server");
		close(reply_fd);
		close(fill_fd);
		code = server_serve_one(&server, echo_handler, NULL);
		_exit(code == 1 ? 0 : code == 0 ? 2 : errno == EAGAIN ? 3 : 1);
	}
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
	server_close(&server);
}

/* ---- 3.3 the client ---- */

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
		char got[512], want[512];
		ssize_t len;

		name_process("client");
		close(report[0]);
		len = client_request(ag_scratch(), text, got, sizeof(got));
		if (len == -1)
			_exit(errno == ENXIO ? 2 : errno == EAGAIN ? 3 : 1);
		if (len > 0 && len < (ssize_t)sizeof(got) && write(report[1], got, (size_t)len) != len)
			_exit(1);
		expected_reply(want, sizeof(want), getpid(), text);
		_exit(len == (ssize_t)strlen(want) && strcmp(got, want) == 0 ? 0 : 4);
	}
	close(report[1]);
	student_reply_fd = report[0];
	reply_fifo_path(path, sizeof(path), pid);
	ag_name_fifo(path, "its reply FIFO", "the server");
	return pid;
}

static void expect_student_client_ok(pid_t client, const char *text)
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
	expected_reply(want, sizeof(want), client, text);
	expect(strcmp(got, want) == 0, "the client process ended with status 0, but what "
	       "client_request() returned (\"%s\") is not the reply \"%s\": did it exit "
	       "instead of returning?", got, want);
}

/* The test's server reads one request and checks it came from `client`. */
static void expect_request_from(struct test_server *s, pid_t client, const char *text)
{
	struct fifo_request request;
	int pidfd = (int)syscall(SYS_pidfd_open, client, 0);
	struct pollfd fds[2] = {{.fd = s->read_fd, .events = POLLIN},
				{.fd = pidfd, .events = POLLIN}};

	/* Waits for the request or the client's exit, whichever comes first. */
	while (poll(fds, 2, -1) == -1)
		ag_setup(errno == EINTR, "poll");
	if (!(fds[0].revents & POLLIN)) {
		int code = ag_wait_exit(client);

		expect(false, "the client exited (status %d) without sending a request%s", code,
		       code == 1 ? ": client_request() returned -1" : "");
	}
	if (pidfd != -1)
		close(pidfd);
	read_exactly(s->read_fd, &request, sizeof(request));
	expect(request.client_pid == client, "the request names pid %d, the client is pid %d",
	       (int)request.client_pid, (int)client);
	expect(memchr(request.text, '\0', sizeof(request.text)) && strcmp(request.text, text) == 0,
	       "the request's text is \"%.*s\", expected \"%s\"", FIFO_TEXT_MAX, request.text, text);
}

GRADED_TEST(fifos, client_gets_its_reply, .points = 4,
	    .desc = "client_request() sends its request and reads the whole reply, without "
		    "deadlocking with a server that opens the reply FIFO after the request",
	    .hint = "Handout 3.3: open your reply FIFO for reading with O_NONBLOCK before "
		    "sending, then wait for the reply (poll) and read until end of file.")
{
	static const char text[] = "hello server";
	struct test_server s = start_test_server();
	char reply[128];
	pid_t client;
	int fd;

	name_process("server");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the server");
	client = spawn_student_client(text);
	expect_request_from(&s, client, text);
	/* A slow server: the client must wait until the reply FIFO has a writer. */
	expect(ag_wait_blocked(client),
	       "the client did not wait for the server to open its reply FIFO (it ended with "
	       "code %d): read() on a FIFO that has no writer yet returns 0 at once; wait "
	       "with poll()", ag_wait_exit(client));
	fd = open_reply_as_server(client);
	expected_reply(reply, sizeof(reply), client, text);
	/* In two pieces, the second once the client waits: it must read until EOF. */
	ag_setup(write(fd, reply, 9) == 9, "write");
	expect(ag_wait_blocked(client),
	       "the client exited after the first 9 bytes of its reply (code %d): the reply "
	       "ends at end of file, not at the first read", ag_wait_exit(client));
	ag_setup(write(fd, reply + 9, strlen(reply) - 9) == (ssize_t)(strlen(reply) - 9), "write");
	close(fd);
	expect_student_client_ok(client, text);
}

GRADED_TEST(fifos, client_request_is_one_write, .points = 4,
	    .desc = "client_request() writes its request in a single write(2), so requests "
		    "never interleave",
	    .hint = "Handout 2.5 and 3.3: a write of at most PIPE_BUF bytes is atomic; the pid "
		    "and the text must go out in the same call.")
{
	static const char text[] = "atomic please";
	static char filler[PIPE_BUF - 8];
	struct test_server s = start_test_server();
	char reply[128];
	pid_t client;
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
	expect_request_from(&s, client, text);
	fd = open_reply_as_server(client);
	expected_reply(reply, sizeof(reply), client, text);
	ag_setup(write(fd, reply, strlen(reply)) == (ssize_t)strlen(reply), "write");
	close(fd);
	expect_student_client_ok(client, text);
}

GRADED_TEST(fifos, client_removes_reply_fifo, .points = 3,
	    .desc = "client_request() removes its reply FIFO and closes everything, after a "
		    "reply and when there is no server (ENOENT, ENXIO)",
	    .hint = "Handout 3.3: the client made the FIFO, so it unlinks it, on every path out; "
		    "ENXIO from the non-blocking open means no server.")
{
	struct ag_snapshot before;
	char reply[128] = "", want[128], left[256];
	pid_t server_pid;
	ssize_t len;
	int fd, keepalive;

	ag_snapshot_take(&before);
	errno = 0;
	len = client_request(ag_scratch(), "anyone?", reply, sizeof(reply));
	expect(len == -1 && errno == ENOENT, "no request FIFO at all: expected -1 with ENOENT, "
	       "got %zd (%s)", len, strerror(errno));
	expect(no_reply_fifo_left(left, sizeof(left)), "%s is still there after client_request() "
	       "failed", left);
	ag_setup(mkfifo(FIFO_REQUEST_NAME, 0600) == 0, "mkfifo");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "a server");
	errno = 0;
	len = client_request(ag_scratch(), "anyone?", reply, sizeof(reply));
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
	len = client_request(ag_scratch(), "with a server", reply, sizeof(reply));
	expected_reply(want, sizeof(want), getpid(), "with a server");
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

GRADED_TEST(fifos, client_fails_when_server_leaves, .points = 3,
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
	ag_setup(signal(SIGPIPE, SIG_IGN) != SIG_ERR, "signal");
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
	len = client_request(ag_scratch(), "nobody will read this", reply, sizeof(reply));
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
				size_t cap)
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
	len = client_request(ag_scratch(), text, reply, cap);
	saved_errno = errno;
	kill(server_pid, SIGKILL);
	ag_wait_exit(server_pid);
	errno = saved_errno;
	return len;
}

GRADED_TEST(fifos, client_reply_respects_cap, .points = 3,
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
	len = request_with_cap(&s, REPLY, reply, REPLY + 1);
	expect(len == REPLY && reply[REPLY] == '\0' && strspn(reply, "r") == REPLY,
	       "a reply of %d bytes with cap %d: expected %d and the reply, got %zd (%s)", REPLY,
	       REPLY + 1, REPLY, len, len == -1 ? strerror(errno) : "a wrong reply");
	expect(reply[REPLY + 1] == '#', "with cap %d, client_request() wrote reply[%d]", REPLY + 1,
	       REPLY + 1);

	memset(reply, '#', sizeof(reply));
	errno = 0;
	len = request_with_cap(&s, REPLY, reply, REPLY);
	expect(len == -1 && errno == ENOBUFS, "a reply of %d bytes with cap %d (no room for its "
	       "NUL): expected -1 with ENOBUFS, got %zd (%s)", REPLY, REPLY, len,
	       len == -1 ? strerror(errno) : "no room was left for the NUL");
	expect(reply[REPLY] == '#', "with cap %d, client_request() wrote reply[%d]", REPLY, REPLY);

	memset(reply, '#', sizeof(reply));
	errno = 0;
	len = request_with_cap(&s, 0, reply, 0);
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
};

static void serve_late(void *arg)
{
	static char drained[PIPE_BUF];
	struct late_server *late = arg;
	pid_t client = getppid();
	char reply[FIFO_TEXT_MAX + 64];
	size_t len;
	int fd;

	read_exactly(late->server->read_fd, drained, late->filler);
	expect_request_from(late->server, client, signalled_text);
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
	char got[128], want[FIFO_TEXT_MAX + 64];
	int saved_errno, signals;
	ssize_t len;

	ag_interrupt_start(2, serve_late, late);
	if (late->reply_fd != -1)
		close(late->reply_fd);	/* the helper's copy ends the reply */
	len = client_request(ag_scratch(), signalled_text, got, sizeof(got));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expected_reply(want, sizeof(want), getpid(), signalled_text);
	expect(len == (ssize_t)strlen(want) && strcmp(got, want) == 0, "%d signals interrupted "
	       "client_request() while %s; expected it to go on and return the %zu bytes of the "
	       "reply, got %zd (%s)", signals, where, strlen(want), len,
	       len == -1 ? strerror(saved_errno) : "a wrong reply");
}

GRADED_TEST(fifos, client_write_survives_signals, .points = 3,
	    .desc = "client_request() goes on waiting for room in a full request FIFO when "
		    "signals interrupt its write()",
	    .hint = "Handout 3 and 3.3: a write(2) that waits for room fails with EINTR when a "
		    "signal comes, having written nothing; a blocking call that a signal "
		    "interrupts is retried.")
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

GRADED_TEST(fifos, client_reply_survives_signals, .points = 4,
	    .desc = "client_request() goes on waiting for its reply, and reading it, when "
		    "signals interrupt its poll() or read()",
	    .hint = "Handout 3 and 3.3: poll(2) and read(2) fail with EINTR when a signal "
		    "comes; a blocking call that a signal interrupts is retried.")
{
	struct test_server s = start_test_server();
	struct late_server late = {.server = &s, .reply_fd = -1};
	char path[64], reply[FIFO_TEXT_MAX + 64];
	int reader;

	name_process("client");
	ag_name_fifo(FIFO_REQUEST_NAME, "the request FIFO", "the test's server");
	expect_reply_after_signals(&late, "it waited for the server to open its reply FIFO");

	/* A quick server has written the first 9 bytes: the signals come while the client
	 * waits in read() for the rest. The client reuses the FIFO (fifos.h). */
	reply_fifo_path(path, sizeof(path), getpid());
	ag_setup(mkfifo(path, 0600) == 0, "mkfifo");
	reader = open(path, O_RDONLY | O_NONBLOCK);
	late.reply_fd = open(path, O_WRONLY);
	expected_reply(reply, sizeof(reply), getpid(), signalled_text);
	ag_setup(reader != -1 && late.reply_fd != -1 && write(late.reply_fd, reply, 9) == 9,
		 "reply FIFO");
	late.sent = 9;
	expect_reply_after_signals(&late, "it read the rest of a reply whose first 9 bytes had "
				   "come");
	close(reader);
}

GRADED_TEST(fifos, server_and_clients_end_to_end, .points = 3,
	    .desc = "your server and 8 of your clients at once: every client gets its own replies",
	    .hint = "Handout 3.4: run ./server and several ./client; the tests above point at "
		    "the side that fails.", .deadline = 4)
{
	enum { EACH = 5 };
	pid_t server_pid, clients[CLIENTS];

	server_pid = ag_fork();
	ag_setup(server_pid != -1, "fork");
	if (server_pid == 0) {
		struct fifo_server server;

		name_process("server");
		if (server_open(&server, ag_scratch()) == -1)
			_exit(1);
		for (int i = 0; i < CLIENTS * EACH; i++)
			if (server_serve_one(&server, echo_handler, NULL) != 1)
				_exit(2);
		_exit(server_close(&server) == 0 ? 0 : 3);
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
				char text[32], got[128], want[128];

				snprintf(text, sizeof(text), "client %c #%d", 'A' + c, i);
				if (client_request(ag_scratch(), text, got, sizeof(got)) == -1)
					_exit(1);
				expected_reply(want, sizeof(want), getpid(), text);
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
