/*
 * test_msgqueues.c - the graded tests of Lab 03 (message queues), 100 points.
 *
 * Each test checks one behaviour of msgqueues.h, in a sandbox of its own (see
 * grader.h): a fresh IPC namespace, so every queue starts with the default
 * limits (msgmax 8192, msgmnb 16384). The tests build their queues and their
 * messages with raw msgget/msgsnd/msgrcv, so that each test depends on the
 * function it grades only. The graded functions run only through SUBJECT(),
 * each call in a subject process of its own; the test and its helpers judge
 * what comes back, and read the queues themselves. So the pid a client sends
 * (and the type of its reply) is its subject's, ag_subject_pid(helper).
 * Helper processes report through their exit status, and a helper that runs
 * the code under test also sends back what it got (status 0 alone would
 * credit code that calls exit(0)). Nothing waits by sleeping: a test that
 * must act while a process is blocked waits until /proc says it is.
 *
 * Handout: labs/03-msgqueues/README.md. Run one test: ipclab test 03 NAME.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "grader.h"
#include "msgqueues.h"

/* ---- helpers ---- */

struct raw_message {
	long mtype;
	char mtext[MSGQ_MSG_MAX];
};

/* A new queue with a fresh random key; the sandbox's namespace disappears with it. */
static int new_queue(key_t *key_out)
{
	key_t key = ag_key();
	int qid = msgget(key, IPC_CREAT | IPC_EXCL | 0600);

	ag_setup(qid != -1, "msgget");
	if (key_out)
		*key_out = key;
	return qid;
}

/*
 * Removes a queue the test made. In the sandbox its namespace would vanish
 * anyway; without namespaces (IPCLAB_SANDBOX=none, the valgrind runs) this is
 * what keeps the host clean.
 */
static void drop_queue(int qid)
{
	ag_setup(msgctl(qid, IPC_RMID, NULL) == 0, "msgctl IPC_RMID");
}

static void raw_send(int qid, long type, const void *data, size_t len)
{
	static struct raw_message msg;

	msg.mtype = type;
	memcpy(msg.mtext, data, len);
	ag_setup(msgsnd(qid, &msg, len, IPC_NOWAIT) == 0, "msgsnd");
}

/* msgrcv into msg, retrying EINTR; returns the text size or -1. */
static ssize_t raw_receive(int qid, long type, int flags, struct raw_message *msg)
{
	ssize_t n;

	do
		n = msgrcv(qid, msg, sizeof(msg->mtext), type, flags);
	while (n == -1 && errno == EINTR);
	return n;
}

static struct msqid_ds queue_state(int qid)
{
	struct msqid_ds ds;

	ag_setup(msgctl(qid, IPC_STAT, &ds) == 0, "msgctl IPC_STAT");
	return ds;
}

static void fill_pattern(char *buf, size_t len, char first)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(first + i % 23);
}

/* Fills the queue to exactly msg_qbytes bytes with messages of type 99. */
static void fill_queue(int qid)
{
	static char block[MSGQ_MSG_MAX];
	struct msqid_ds ds = queue_state(qid);

	fill_pattern(block, sizeof(block), 'a');
	while (ds.msg_cbytes < ds.msg_qbytes) {
		size_t room = ds.msg_qbytes - ds.msg_cbytes;

		raw_send(qid, 99, block, room < sizeof(block) ? room : sizeof(block));
		ds = queue_state(qid);
	}
}

/*
 * Waits for a message of type `type` while process `server` lives: returns
 * its size, or -1 once the server has exited without sending it.
 */
static ssize_t await_reply(int qid, long type, pid_t server, struct raw_message *msg)
{
	char path[64], text[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)server);
	for (;;) {
		ssize_t n = raw_receive(qid, type, IPC_NOWAIT, msg);

		if (n >= 0)
			return n;
		ag_setup(errno == ENOMSG, "msgrcv");
		if (ag_read_file(path, text, sizeof(text)) <= 0 || !strrchr(text, ')') ||
		    strrchr(text, ')')[2] == 'Z')
			return -1;
		usleep(200);
	}
}

/* Reply "<client pid>:<request in upper case>", for the server tests. */
static void tag_reply(pid_t client, const char *request, char reply[MSGQ_TEXT_MAX])
{
	int len = snprintf(reply, MSGQ_TEXT_MAX, "%d:", (int)client);

	for (const char *c = request; *c && len < MSGQ_TEXT_MAX - 1; c++)
		reply[len++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 'a' + 'A') : *c;
	reply[len] = '\0';
}

/* A process that stays alive (blocked in read) until the test closes *release. */
static pid_t start_idle_process(int *release)
{
	int fds[2];
	pid_t pid;
	char byte;

	ag_setup(pipe(fds) == 0, "pipe");
	pid = ag_fork();
	ag_setup(pid != -1, "fork");
	if (pid == 0) {
		close(fds[1]);
		_exit(read(fds[0], &byte, 1) == 0 ? 0 : 1);
	}
	close(fds[0]);
	*release = fds[1];
	return pid;
}

/* ---- 3.1 creating, finding and removing a queue ---- */

GRADED_TEST(msgqueues, key_follows_ftok, .task = "3.1", .points = 3,
	    .desc = "msgq_key() creates a missing key file and returns ftok()'s key",
	    .hint = "Handout 3.1: ftok(3) fails on a file that does not exist; create it "
		    "(without truncating an existing one) first.")
{
	struct ag_snapshot before;
	char text[16] = "";
	key_t key;
	int fd;

	ag_snapshot_take(&before);
	key = SUBJECT(msgq_key("server.key", 'Q'));
	expect_no_leaks(&before, "msgq_key returned");
	expect(access("server.key", F_OK) == 0,
	       "msgq_key(\"server.key\", 'Q') did not create server.key (got key %d, errno %s)",
	       (int)key, key == -1 ? strerror(errno) : "-");
	expect(key == ftok("server.key", 'Q'), "expected ftok's key 0x%08x, got 0x%08x",
	       (unsigned)ftok("server.key", 'Q'), (unsigned)key);
	fd = open("existing.key", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ag_setup(fd != -1 && write(fd, "keep me", 7) == 7 && close(fd) == 0, "write existing.key");
	key = SUBJECT(msgq_key("existing.key", 'Q' + 256));
	expect(key == ftok("existing.key", 'Q'), "an existing file, proj 'Q' + 256: expected "
	       "0x%08x (only the low 8 bits of proj count), got 0x%08x",
	       (unsigned)ftok("existing.key", 'Q'), (unsigned)key);
	ag_read_file("existing.key", text, sizeof(text));
	expect(strcmp(text, "keep me") == 0, "msgq_key() changed an existing key file: it "
	       "held \"keep me\", now \"%s\" (O_TRUNC?)", text);
	key = SUBJECT(msgq_key("no/such/dir/server.key", 'Q'));
	expect(key == (key_t)-1, "a path in a missing directory: expected (key_t)-1, got 0x%08x",
	       (unsigned)key);
}

GRADED_TEST(msgqueues, create_and_remove_leave_nothing, .task = "3.1", .points = 4,
	    .desc = "msgq_create() makes a new 0600 queue for the key; msgq_remove() deletes it",
	    .hint = "Handout 3.1: msgget(key, IPC_CREAT | IPC_EXCL | 0600) creates; "
		    "msgctl(IPC_RMID) is the only thing that removes a queue.")
{
	struct ag_snapshot before;
	struct msqid_ds ds;
	key_t key = ag_key();
	int qid, rc;

	ag_snapshot_take(&before);
	qid = SUBJECT(msgq_create(key));
	expect(qid >= 0, "msgq_create(0x%08x) on a fresh key: expected a queue id, got %d (%s)",
	       (unsigned)key, qid, strerror(errno));
	expect(msgget(key, 0) == qid, "the queue of key 0x%08x has id %d, msgq_create said %d",
	       (unsigned)key, msgget(key, 0), qid);
	ds = queue_state(qid);
	expect((ds.msg_perm.mode & 0777) == 0600, "expected permissions 0600 (owner only), "
	       "got %03o (see ipcs -q)", ds.msg_perm.mode & 0777);
	rc = SUBJECT(msgq_remove(qid));
	expect(rc == 0, "msgq_remove(%d): expected 0, got %d (%s)", qid, rc, strerror(errno));
	expect(msgctl(qid, IPC_STAT, &ds) == -1, "msgq_remove(%d) returned 0 but the queue "
	       "is still there (%lu messages)", qid, (unsigned long)ds.msg_qnum);
	expect_no_leaks(&before, "msgq_create and msgq_remove returned");
}

GRADED_TEST(msgqueues, create_refuses_existing_queue, .task = "3.1", .points = 5,
	    .desc = "msgq_create() fails with EEXIST on a key in use and leaves that queue alone; "
		    "msgq_open() finds it and never creates",
	    .hint = "Handout 3.1: without IPC_EXCL, msgget(IPC_CREAT) quietly returns the queue "
		    "that exists; a client opens with flags 0.")
{
	struct ag_snapshot before;
	key_t key, unused_key = ag_key();
	int qid = new_queue(&key), got;

	raw_send(qid, 5, "still here", 10);
	ag_snapshot_take(&before);
	got = SUBJECT(msgq_create(key));
	expect(got == -1 && errno == EEXIST, "a queue (id %d) already has key 0x%08x: expected "
	       "msgq_create to fail with EEXIST, got %d (%s)", qid, (unsigned)key, got,
	       got == -1 ? strerror(errno) : "a queue id");
	expect(msgctl(qid, IPC_STAT, &(struct msqid_ds){0}) == 0 && queue_state(qid).msg_qnum == 1,
	       "the existing queue or its message is gone after msgq_create: it must be left "
	       "untouched");
	got = SUBJECT(msgq_open(key));
	expect(got == qid, "msgq_open(0x%08x): expected the existing queue's id %d, got %d (%s)",
	       (unsigned)key, qid, got, got == -1 ? strerror(errno) : "-");
	got = SUBJECT(msgq_open(unused_key));
	expect(got == -1 && errno == ENOENT, "msgq_open on a key with no queue: expected -1 with "
	       "ENOENT, got %d (%s)", got, got == -1 ? strerror(errno) : "a queue was created");
	expect_no_leaks(&before, "msgq_create and msgq_open returned");
	drop_queue(qid);
}

GRADED_TEST(msgqueues, remove_wakes_blocked_reader, .task = "3.1", .points = 4,
	    .desc = "msgq_remove() deletes the queue and a reader blocked in msgrcv wakes with EIDRM",
	    .hint = "Handout 3.1 and 2.6: msgctl(qid, IPC_RMID, NULL) removes at once; waiting "
		    "processes get EIDRM.")
{
	struct ag_snapshot before;
	struct raw_message msg;
	int qid = new_queue(NULL), rc, status;
	pid_t reader = ag_fork();

	ag_setup(reader != -1, "fork");
	/* The test's own reader, in a subject all the same: ag_wait_blocked() sees
	 * a helper block only in its subject. */
	if (reader == 0)
		_exit(SUBJECT(raw_receive(qid, 0, 0, &msg)) == -1 && errno == EIDRM ? 0 : 1);
	ag_setup(ag_wait_blocked(reader), "the reader did not block in msgrcv");
	ag_snapshot_take(&before);
	rc = SUBJECT(msgq_remove(qid));
	expect_no_leaks(&before, "msgq_remove returned");
	expect(rc == 0, "msgq_remove(%d): expected 0, got %d (%s)", qid, rc, strerror(errno));
	expect(msgctl(qid, IPC_STAT, &(struct msqid_ds){0}) == -1,
	       "msgq_remove returned 0 but queue %d still exists (ipcs -q would list it)", qid);
	status = ag_wait_exit(reader);
	expect(status == 0, "the reader blocked in msgrcv did not wake with EIDRM (its status %d)",
	       status);
	rc = SUBJECT(msgq_remove(qid));
	expect(rc == -1 && errno == EINVAL, "removing queue %d a second time: expected -1 with "
	       "EINVAL, got %d (%s)", qid, rc, strerror(errno));
}

/* ---- 3.2 sending and receiving ---- */

GRADED_TEST(msgqueues, send_counts_text_only, .task = "3.2", .points = 5,
	    .desc = "msgq_send() sends exactly len bytes of text (the mtype is not counted), "
		    "from 0 to 8192 bytes",
	    .hint = "Handout 3.2 and trap 1: msgsnd's size is the size of mtext, never "
		    "sizeof(struct) (that counts the long mtype too).")
{
	static char big[MSGQ_MSG_MAX];
	static struct raw_message msg;
	int qid = new_queue(NULL), rc;
	ssize_t n;

	rc = SUBJECT(msgq_send(qid, 7, "hello", 5));
	expect(rc == 0, "msgq_send(qid, 7, \"hello\", 5): expected 0, got %d (%s)", rc,
	       strerror(errno));
	n = raw_receive(qid, 0, IPC_NOWAIT, &msg);
	expect(n == 5, "msgq_send(qid, 7, \"hello\", 5) queued a message of %zd bytes, "
	       "expected 5%s", n, n == 5 + (ssize_t)sizeof(long) ? ": sizeof(long) too many" : "");
	expect(msg.mtype == 7 && memcmp(msg.mtext, "hello", 5) == 0,
	       "expected type 7 and \"hello\", got type %ld and \"%.5s\"", msg.mtype, msg.mtext);
	fill_pattern(big, sizeof(big), 'A');
	rc = SUBJECT(msgq_send(qid, 3, big, sizeof(big)));
	expect(rc == 0, "a message of %zu bytes (msgmax, the largest allowed): expected 0, got %d "
	       "(%s)", sizeof(big), rc, strerror(errno));
	n = raw_receive(qid, 0, IPC_NOWAIT, &msg);
	expect(n == (ssize_t)sizeof(big) && memcmp(msg.mtext, big, sizeof(big)) == 0,
	       "expected the %zu bytes back intact, got %zd bytes", sizeof(big), n);
	rc = SUBJECT(msgq_send(qid, 2, "", 0));
	n = raw_receive(qid, 0, IPC_NOWAIT, &msg);
	expect(rc == 0 && n == 0 && msg.mtype == 2, "an empty message of type 2: expected it "
	       "queued with 0 bytes, got rc %d and %zd bytes", rc, n);
	drop_queue(qid);
}

GRADED_TEST(msgqueues, receive_e2big_keeps_message, .task = "3.2", .points = 5,
	    .desc = "msgq_receive() fails with E2BIG on a message longer than cap, which stays "
		    "queued; with room enough it returns the text and type",
	    .hint = "Handout 3.2: msgrcv's size is the room for mtext; without MSG_NOERROR a "
		    "longer message is refused and left in the queue.")
{
	char text[100], buf[160];
	long type = 0;
	int qid = new_queue(NULL);
	ssize_t n;

	fill_pattern(text, sizeof(text), 'a');
	raw_send(qid, 4, text, sizeof(text));
	memset(buf, '#', sizeof(buf));
	n = SUBJECT(msgq_receive(qid, 0, buf, 99, &type), OUT(buf), OUT(type));
	expect(n == -1 && errno == E2BIG, "a 100-byte message, cap 99: expected -1 with E2BIG, "
	       "got %zd (%s)", n, n == -1 ? strerror(errno) : "bytes");
	for (size_t i = 0; i < sizeof(buf); i++)
		expect(buf[i] == '#', "after E2BIG, buf[%zu] was written: nothing may be stored", i);
	expect(queue_state(qid).msg_qnum == 1 && queue_state(qid).msg_cbytes == 100,
	       "after E2BIG the message must stay queued whole: msg_qnum is %lu, msg_cbytes %lu "
	       "(expected 1 and 100)", (unsigned long)queue_state(qid).msg_qnum,
	       (unsigned long)queue_state(qid).msg_cbytes);
	n = SUBJECT(msgq_receive(qid, 0, buf, 100, &type), OUT(buf), OUT(type));
	expect(n == 100 && type == 4 && memcmp(buf, text, 100) == 0, "cap 100: expected the "
	       "100 bytes and type 4, got %zd bytes, type %ld", n, type);
	expect(buf[100] == '#', "msgq_receive wrote past the 100 bytes of the message");
	raw_send(qid, 6, "six", 3);
	raw_send(qid, 8, "eight", 5);
	n = SUBJECT(msgq_receive(qid, 8, buf, sizeof(buf), NULL), OUT(buf));
	expect(n == 5 && memcmp(buf, "eight", 5) == 0, "types 6 and 8 queued, asked for type 8: "
	       "expected \"eight\", got %zd bytes \"%.*s\"", n, n > 0 ? (int)n : 0, buf);
	drop_queue(qid);
}

GRADED_TEST(msgqueues, receive_truncated_drops_rest, .task = "3.2", .points = 4,
	    .desc = "msgq_receive_truncated() cuts a long message to cap bytes and removes it",
	    .hint = "Handout 3.2: the flag is MSG_NOERROR (IPC_NOERROR does not exist); the cut "
		    "part is lost.")
{
	char text[100], buf[100];
	long type = 0;
	int qid = new_queue(NULL);
	ssize_t n;

	fill_pattern(text, sizeof(text), 'k');
	raw_send(qid, 3, text, sizeof(text));
	memset(buf, '#', sizeof(buf));
	n = SUBJECT(msgq_receive_truncated(qid, 0, buf, 40, &type), OUT(buf),
		    OUT(type));
	expect(n == 40, "a 100-byte message, cap 40: expected 40 bytes, got %zd (%s)", n,
	       n == -1 ? strerror(errno) : "-");
	expect(type == 3 && memcmp(buf, text, 40) == 0, "expected the first 40 bytes and type 3, "
	       "got type %ld", type);
	expect(buf[40] == '#', "msgq_receive_truncated wrote past cap (buf[40] changed)");
	expect(queue_state(qid).msg_qnum == 0, "the cut message is still queued (msg_qnum %lu): "
	       "a truncated message is removed", (unsigned long)queue_state(qid).msg_qnum);
	drop_queue(qid);
}

GRADED_TEST(msgqueues, try_receive_empty_gives_enomsg, .task = "3.2", .points = 4,
	    .desc = "msgq_try_receive() fails at once with ENOMSG when no message of the type is queued",
	    .hint = "Handout 3.2: IPC_NOWAIT turns msgrcv's wait into ENOMSG (msgsnd's into EAGAIN).")
{
	char buf[16] = "";
	long type = 0;
	int qid = new_queue(NULL);
	ssize_t n;

	n = SUBJECT(msgq_try_receive(qid, 0, buf, sizeof(buf), &type), OUT(buf),
		    OUT(type));
	expect(n == -1 && errno == ENOMSG, "an empty queue: expected -1 with ENOMSG, got %zd (%s)",
	       n, n == -1 ? strerror(errno) : "bytes");
	raw_send(qid, 2, "two", 3);
	n = SUBJECT(msgq_try_receive(qid, 5, buf, sizeof(buf), &type), OUT(buf),
		    OUT(type));
	expect(n == -1 && errno == ENOMSG, "only a type-2 message queued, asked for type 5: "
	       "expected -1 with ENOMSG, got %zd (%s)", n, n == -1 ? strerror(errno) : "bytes");
	n = SUBJECT(msgq_try_receive(qid, 2, buf, sizeof(buf), &type), OUT(buf),
		    OUT(type));
	expect(n == 3 && type == 2 && memcmp(buf, "two", 3) == 0, "asked for type 2: expected "
	       "\"two\", got %zd bytes, type %ld", n, type);
	drop_queue(qid);
}

GRADED_TEST(msgqueues, try_send_full_queue_gives_eagain, .task = "3.2", .points = 4,
	    .desc = "msgq_try_send() fails at once with EAGAIN on a full queue (16384 bytes)",
	    .hint = "Handout 3.2 and 2.3: msgsnd waits while the queue is full unless IPC_NOWAIT "
		    "is given.")
{
	struct raw_message msg;
	unsigned long count;
	int qid = new_queue(NULL), rc;

	fill_queue(qid);
	count = queue_state(qid).msg_qnum;
	rc = SUBJECT(msgq_try_send(qid, 1, "x", 1));
	expect(rc == -1 && errno == EAGAIN, "queue full (%lu bytes): expected -1 with EAGAIN, "
	       "got %d (%s)", (unsigned long)queue_state(qid).msg_qbytes, rc,
	       rc == -1 ? strerror(errno) : "-");
	expect(queue_state(qid).msg_qnum == count, "a message was queued anyway");
	ag_setup(raw_receive(qid, 0, IPC_NOWAIT, &msg) > 0, "msgrcv");
	rc = SUBJECT(msgq_try_send(qid, 1, "x", 1));
	expect(rc == 0, "with room again: expected 0, got %d (%s)", rc, strerror(errno));
	expect(raw_receive(qid, 1, IPC_NOWAIT, &msg) == 1 && msg.mtext[0] == 'x',
	       "with room again, msgq_try_send(qid, 1, \"x\", 1) returned 0 but queued no "
	       "1-byte message of type 1");
	drop_queue(qid);
}

GRADED_TEST(msgqueues, send_waits_while_queue_full, .task = "3.2", .points = 5,
	    .desc = "msgq_send() waits in msgsnd while the queue is full and completes once a "
		    "message is taken",
	    .hint = "Handout 3.2 and 2.3: a full queue makes msgsnd sleep (wchan do_msgsnd) "
		    "until there is room.")
{
	struct raw_message msg;
	int qid = new_queue(NULL), status;
	pid_t sender;

	fill_queue(qid);
	sender = ag_fork();
	ag_setup(sender != -1, "fork");
	if (sender == 0)
		_exit(SUBJECT(msgq_send(qid, 1, "late", 4)) == 0 ? 0 : 1);
	expect(ag_wait_blocked(sender), "the queue is full: expected msgq_send to wait "
	       "in msgsnd, it returned at once (exit status %d)", ag_wait_exit(sender));
	ag_setup(raw_receive(qid, 99, IPC_NOWAIT, &msg) > 0, "msgrcv");
	status = ag_wait_exit(sender);
	expect(status == 0, "after room was made, msgq_send failed (status %d)", status);
	expect(raw_receive(qid, 1, IPC_NOWAIT, &msg) == 4 && memcmp(msg.mtext, "late", 4) == 0,
	       "expected the waiting message \"late\" (type 1) in the queue");
	drop_queue(qid);
}

/* then() of an interrupted msgq_send(): makes room by taking one filler message. */
static void make_room(void *qid)
{
	static struct raw_message msg;

	expect(raw_receive(*(int *)qid, 99, IPC_NOWAIT, &msg) > 0, "the test could not take a "
	       "message out of the full queue: %s", strerror(errno));
}

GRADED_TEST(msgqueues, send_retries_after_signal, .task = "3.2", .points = 4,
	    .desc = "msgq_send() on a full queue goes on waiting when signals interrupt its "
		    "msgsnd, and sends once there is room",
	    .hint = "Handout 2.8 and trap 9: msgsnd is never restarted after a signal handler, "
		    "whatever SA_RESTART says; it fails with EINTR, and the call is retried.")
{
	struct raw_message msg;
	int qid = new_queue(NULL), rc, saved_errno, signals;

	fill_queue(qid);
	ag_interrupt_start(2, make_room, &qid);
	rc = SUBJECT(msgq_send(qid, 1, "late", 4));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0, "%d signals interrupted msgq_send() while it waited for room in the full "
	       "queue; expected it to go on waiting and return 0, got %d (%s)", signals, rc,
	       rc == -1 ? strerror(saved_errno) : "-");
	expect(raw_receive(qid, 1, IPC_NOWAIT, &msg) == 4 && memcmp(msg.mtext, "late", 4) == 0,
	       "expected the message \"late\" (type 1) in the queue after msgq_send() returned 0");
	drop_queue(qid);
}

typedef ssize_t receive_fn(int qid, long type, void *buf, size_t cap, long *got_type);

/* What an interrupted receiver waits for: then() sends it. */
struct awaited {
	int qid;
	long type;
};

static void send_awaited(void *arg)
{
	struct awaited *awaited = arg;

	raw_send(awaited->qid, awaited->type, "wake up", 7);
}

GRADED_TEST(msgqueues, receive_retries_after_signal, .task = "3.2", .points = 5,
	    .desc = "msgq_receive(), _truncated(), _urgent() and _except() go on waiting when "
		    "signals interrupt their msgrcv",
	    .hint = "Handout 2.8 and trap 9: msgrcv is never restarted after a signal handler, "
		    "whatever SA_RESTART says; it fails with EINTR, and the call is retried.")
{
	static const struct {
		const char *name;
		receive_fn *receive;
		long type;	/* the argument: a type, a max_type, or the type to skip */
	} receivers[] = {
		{"msgq_receive", msgq_receive, 4},
		{"msgq_receive_truncated", msgq_receive_truncated, 4},
		{"msgq_receive_urgent", msgq_receive_urgent, 5},
		{"msgq_receive_except", msgq_receive_except, 5},
	};
	struct awaited awaited = {.qid = new_queue(NULL), .type = 4};

	for (size_t i = 0; i < sizeof(receivers) / sizeof(receivers[0]); i++) {
		char buf[64] = "";
		long type = 0;
		int saved_errno, signals;
		ssize_t n;

		ag_interrupt_start(2, send_awaited, &awaited);
		n = SUBJECT(receivers[i].receive(awaited.qid, receivers[i].type, buf, sizeof(buf),
						 &type), OUT(buf), OUT(type));
		saved_errno = errno;
		signals = ag_interrupt_stop();
		expect(n == 7 && type == 4 && memcmp(buf, "wake up", 7) == 0, "%d signals "
		       "interrupted %s(qid, %ld, ...) on an empty queue; expected it to go on "
		       "waiting and return the 7 bytes of the type-4 message sent then, got %zd "
		       "(%s), type %ld", signals, receivers[i].name, receivers[i].type, n,
		       n == -1 ? strerror(saved_errno) : "bytes", type);
	}
	drop_queue(awaited.qid);
}

GRADED_TEST(msgqueues, receive_urgent_lowest_type_first, .task = "3.2", .points = 5,
	    .desc = "msgq_receive_urgent(max) takes the lowest type <= max, oldest first among equals",
	    .hint = "Handout 3.2: a negative msgtyp -N asks for the lowest type up to N; a "
		    "positive one asks for type N only.")
{
	static const struct { long type; const char *text; } queued[] = {
		{5, "five"}, {3, "three-a"}, {9, "nine"}, {1, "one"}, {3, "three-b"}},
		expected[] = {{1, "one"}, {3, "three-a"}, {3, "three-b"}, {5, "five"}, {9, "nine"}};
	static const long max_types[] = {3, 3, 3, 9, 9};
	char buf[32] = "";
	int qid = new_queue(NULL);

	for (size_t i = 0; i < 5; i++)
		raw_send(qid, queued[i].type, queued[i].text, strlen(queued[i].text) + 1);
	for (size_t i = 0; i < 5; i++) {
		long type = 0;
		ssize_t n = SUBJECT(msgq_receive_urgent(qid, max_types[i], buf, sizeof(buf), &type),
				    OUT(buf), OUT(type));

		expect(n > 0 && type == expected[i].type && strcmp(buf, expected[i].text) == 0,
		       "types 5 3 9 1 3 queued; call %zu, max_type %ld: expected type %ld \"%s\", "
		       "got %zd bytes, type %ld \"%s\"", i + 1, max_types[i], expected[i].type,
		       expected[i].text, n, type, n > 0 ? buf : "");
	}
	drop_queue(qid);
}

GRADED_TEST(msgqueues, receive_except_skips_type, .task = "3.2", .points = 4,
	    .desc = "msgq_receive_except(t) takes the first message whose type is not t",
	    .hint = "Handout 3.2: the flag is MSG_EXCEPT (needs _GNU_SOURCE; IPC_EXCEPT does not "
		    "exist).")
{
	char buf[8] = "";
	long type = 0;
	int qid = new_queue(NULL);
	ssize_t n;

	raw_send(qid, 1, "a1", 3);
	raw_send(qid, 1, "a2", 3);
	raw_send(qid, 2, "b", 2);
	raw_send(qid, 3, "c", 2);
	n = SUBJECT(msgq_receive_except(qid, 1, buf, sizeof(buf), &type), OUT(buf),
		    OUT(type));
	expect(n == 2 && type == 2 && strcmp(buf, "b") == 0, "types 1 1 2 3 queued, all but "
	       "type 1: expected type 2 \"b\", got %zd bytes, type %ld", n, type);
	n = SUBJECT(msgq_receive_except(qid, 1, buf, sizeof(buf), &type), OUT(buf),
		    OUT(type));
	expect(n == 2 && type == 3, "next, all but type 1: expected type 3, got type %ld", type);
	n = SUBJECT(msgq_receive_except(qid, 2, buf, sizeof(buf), &type), OUT(buf),
		    OUT(type));
	expect(n == 3 && type == 1 && strcmp(buf, "a1") == 0, "all but type 2: expected the "
	       "first type-1 message \"a1\", got %zd bytes, type %ld", n, type);
	expect(queue_state(qid).msg_qnum == 1, "expected 1 message left, found %lu",
	       (unsigned long)queue_state(qid).msg_qnum);
	drop_queue(qid);
}

GRADED_TEST(msgqueues, stat_reports_queue_state, .task = "3.1", .points = 4,
	    .desc = "msgq_stat() reports msg_qnum, msg_cbytes, msg_qbytes, msg_lspid and msg_lrpid",
	    .hint = "Handout 3.1 and 2.2: msgctl(IPC_STAT) fills a struct msqid_ds; ipcs -q -i ID "
		    "shows the same fields.")
{
	struct msgq_state state = {0};
	struct raw_message msg;
	int qid = new_queue(NULL), rc;
	pid_t sender;

	rc = SUBJECT(msgq_stat(qid, &state), OUT(state));
	expect(rc == 0, "msgq_stat on a new queue: expected 0, got %d (%s)", rc, strerror(errno));
	expect(state.qnum == 0 && state.cbytes == 0 && state.lspid == 0 && state.lrpid == 0 &&
	       state.qbytes == queue_state(qid).msg_qbytes,
	       "a new queue: expected qnum 0, cbytes 0, qbytes %lu, lspid 0, lrpid 0; got "
	       "%lu, %lu, %lu, %d, %d", (unsigned long)queue_state(qid).msg_qbytes, state.qnum,
	       state.cbytes, state.qbytes, (int)state.lspid, (int)state.lrpid);
	sender = ag_fork();
	ag_setup(sender != -1, "fork");
	if (sender == 0) {
		raw_send(qid, 1, "0123456789", 10);
		raw_send(qid, 2, "01234567890123456789", 20);
		_exit(0);
	}
	ag_setup(ag_wait_exit(sender) == 0, "sender");
	ag_setup(raw_receive(qid, 1, IPC_NOWAIT, &msg) == 10, "msgrcv");
	rc = SUBJECT(msgq_stat(qid, &state), OUT(state));
	expect(rc == 0 && state.qnum == 1 && state.cbytes == 20,
	       "pid %d sent 10 and 20 bytes, pid %d received the 10: expected qnum 1, cbytes 20; "
	       "got %lu, %lu", (int)sender, (int)getpid(), state.qnum, state.cbytes);
	expect(state.lspid == sender && state.lrpid == getpid(), "expected lspid %d (the sender) "
	       "and lrpid %d (the receiver), got %d and %d", (int)sender, (int)getpid(),
	       (int)state.lspid, (int)state.lrpid);
	drop_queue(qid);
	rc = SUBJECT(msgq_stat(qid, &state), OUT(state));
	expect(rc == -1, "msgq_stat on a removed queue: expected -1, got %d", rc);
}

/* ---- 3.3 the client ---- */

GRADED_TEST(msgqueues, request_waits_for_own_reply, .task = "3.3", .points = 5,
	    .desc = "msgq_request() sends {pid, text} as a type-1 request of the right size and "
		    "takes only the reply typed with its pid",
	    .hint = "Handout 3.3: the request's size is sizeof(pid_t) + strlen + 1; receive with "
		    "msgtyp = getpid(), never 0.")
{
	struct msgq_request req;
	struct msgq_reply rep = {0};
	int qid = new_queue(NULL), status;
	pid_t client, caller;
	ssize_t n;

	/* Someone else's reply, queued first: a client receiving type 0 takes it. */
	raw_send(qid, getpid(), "NOT YOURS", 10);
	client = ag_fork();
	ag_setup(client != -1, "fork");
	if (client == 0) {
		char reply[MSGQ_TEXT_MAX] = "";

		if (SUBJECT(msgq_request(qid, "ping", reply), OUT(reply)) == -1)
			_exit(2);
		_exit(strcmp(reply, "PONG") == 0 ? 0 : 3);
	}
	expect(ag_wait_blocked(client), "msgq_request returned before any reply was sent "
	       "(exit status %d): it must wait for the message typed with its pid",
	       ag_wait_exit(client));
	/* The pid that msgq_request sends and waits for: its process's, not the helper's. */
	caller = ag_subject_pid(client);
	ag_setup(caller > 0, "the client's process");
	do
		n = msgrcv(qid, &req, sizeof(req) - sizeof(long), MSGQ_REQUEST_TYPE,
			   IPC_NOWAIT | MSG_NOERROR);
	while (n == -1 && errno == EINTR);
	expect(n != -1, "no request of type %ld in the queue (%s)", MSGQ_REQUEST_TYPE,
	       strerror(errno));
	expect(n == (ssize_t)(sizeof(pid_t) + 5), "the request \"ping\" is %zd bytes, expected "
	       "%zu (sizeof(pid_t) + 4 + 1)", n, sizeof(pid_t) + 5);
	expect(req.client == caller && strcmp(req.text, "ping") == 0, "expected the request "
	       "{client %d, \"ping\"}, got {client %d, \"%.*s\"}", (int)caller, (int)req.client,
	       (int)(n - (ssize_t)sizeof(pid_t)), req.text);
	rep.mtype = caller;
	strcpy(rep.text, "PONG");
	ag_setup(msgsnd(qid, &rep, 5, 0) == 0, "msgsnd");
	status = ag_wait_exit(client);
	expect(status == 0, "the client %s", status == 3 ? "took a reply that was not typed "
	       "with its pid" : "failed after the reply was sent");
	expect(queue_state(qid).msg_qnum == 1, "the other client's reply must stay queued");
	drop_queue(qid);
}

/*
 * then() of an interrupted msgq_request(): the server answers the waiting
 * client. The reply goes out first, so that the client returns even when its
 * request is missing and the test can say so.
 */
static void answer_request(void *qid)
{
	pid_t client = ag_subject_pid(getppid());	/* the process that runs msgq_request */
	struct msgq_request req;
	struct msgq_reply rep = {.mtype = client, .text = "PONG"};
	ssize_t n;

	do
		n = msgrcv(*(int *)qid, &req, sizeof(req) - sizeof(long), MSGQ_REQUEST_TYPE,
			   IPC_NOWAIT | MSG_NOERROR);
	while (n == -1 && errno == EINTR);
	expect(msgsnd(*(int *)qid, &rep, 5, IPC_NOWAIT) == 0, "the test could not send the "
	       "reply: %s", strerror(errno));
	expect(n != -1 && req.client == client, "the client waits for its reply, but no "
	       "request from it (pid %d) is in the queue (%s): did it give up sending after "
	       "EINTR?", (int)client, n == -1 ? strerror(errno) : "another pid");
}

/*
 * then() of a msgq_request() interrupted on a full queue: makes room, waits
 * until the client sleeps again (it has sent its request, and waits for the
 * reply), then answers it.
 */
static void make_room_and_answer(void *qid)
{
	make_room(qid);
	expect(ag_wait_blocked(getppid()), "msgq_request() returned once there was room for "
	       "its request, before any reply was sent");
	answer_request(qid);
}

GRADED_TEST(msgqueues, request_retries_after_signal, .task = "3.3", .points = 4,
	    .desc = "msgq_request() goes on when signals interrupt its msgsnd on a full queue "
		    "and its msgrcv of the reply",
	    .hint = "Handout 2.8 and 3.3: msgsnd and msgrcv are never restarted after a signal "
		    "handler, whatever SA_RESTART says; they fail with EINTR, and each call is "
		    "retried.")
{
	char reply[MSGQ_TEXT_MAX] = "";
	int qid = new_queue(NULL), rc, saved_errno, signals;

	ag_interrupt_start(2, answer_request, &qid);
	rc = SUBJECT(msgq_request(qid, "ping", reply), OUT(reply));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0 && strcmp(reply, "PONG") == 0, "%d signals interrupted msgq_request() "
	       "while it waited for its reply; expected it to go on waiting and return 0 with "
	       "\"PONG\", got %d (%s)", signals, rc, rc == -1 ? strerror(saved_errno) : reply);
	expect(ag_interrupt_acted(), "msgq_request() returned \"%s\" before the test had "
	       "answered its request: it never waited for the reply", reply);

	fill_queue(qid);
	strcpy(reply, "");
	ag_interrupt_start(2, make_room_and_answer, &qid);
	rc = SUBJECT(msgq_request(qid, "ping", reply), OUT(reply));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0 && strcmp(reply, "PONG") == 0, "%d signals interrupted msgq_request() "
	       "while the queue was too full for its request; expected it to go on waiting, "
	       "send it once there was room and return 0 with \"PONG\", got %d (%s)", signals,
	       rc, rc == -1 ? strerror(saved_errno) : reply);
	expect(ag_interrupt_acted(), "msgq_request() returned \"%s\" before the test had made "
	       "room for its request and answered it", reply);
	drop_queue(qid);
}

/* ---- 3.4 the server ---- */

GRADED_TEST(msgqueues, serve_one_replies_to_client_pid, .task = "3.4", .points = 4,
	    .desc = "msgq_serve_one() runs the handler and sends its reply typed with the "
		    "client's pid, strlen + 1 bytes, for any request text, \"\" too",
	    .hint = "Handout 3.4: the reply's mtype is req.client (not the server's pid, not "
		    "msg_lspid); its size is the reply text and its '\\0'.")
{
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE};
	struct raw_message msg;
	char expected[MSGQ_TEXT_MAX];
	int qid = new_queue(NULL), release, rc;
	pid_t client = start_idle_process(&release);
	ssize_t n;

	req.client = client;
	strcpy(req.text, "abc");
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 4, 0) == 0, "msgsnd");
	rc = SUBJECT(msgq_serve_one(qid, tag_reply));
	expect(rc == 0, "one request {client %d, \"abc\"} queued: expected msgq_serve_one to "
	       "return 0, got %d (%s)", (int)client, rc, strerror(errno));
	n = raw_receive(qid, client, IPC_NOWAIT, &msg);
	expect(n != -1, "no reply of type %d (the client's pid) in the queue: %lu message(s) "
	       "there", (int)client, (unsigned long)queue_state(qid).msg_qnum);
	tag_reply(client, "abc", expected);
	expect(n == (ssize_t)strlen(expected) + 1 && strcmp(msg.mtext, expected) == 0,
	       "expected the reply \"%s\" (%zu bytes with its '\\0'), got %zd bytes \"%.*s\"",
	       expected, strlen(expected) + 1, n, (int)n, msg.mtext);
	strcpy(req.text, "");
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 1, 0) == 0, "msgsnd");
	rc = SUBJECT(msgq_serve_one(qid, tag_reply));
	expect(rc == 0, "an empty request {client %d, \"\"} (%zu bytes: the pid and the "
	       "'\\0'): expected msgq_serve_one to serve it and return 0, got %d (%s)",
	       (int)client, sizeof(pid_t) + 1, rc, strerror(errno));
	n = raw_receive(qid, client, IPC_NOWAIT, &msg);
	tag_reply(client, "", expected);
	expect(n == (ssize_t)strlen(expected) + 1 && strcmp(msg.mtext, expected) == 0,
	       "the empty request: expected the reply \"%s\", got %zd bytes", expected, n);
	close(release);
	ag_setup(ag_wait_exit(client) == 0, "idle process");
	drop_queue(qid);
}

/* Reply "<length of the request> bytes, last <its last character>", for the cut request. */
static void length_reply(pid_t client, const char *request, char reply[MSGQ_TEXT_MAX])
{
	size_t length = strlen(request);

	(void)client;
	snprintf(reply, MSGQ_TEXT_MAX, "%zu bytes, last %c", length,
		 length ? request[length - 1] : '-');
}

GRADED_TEST(msgqueues, oversized_request_does_not_stop_service, .task = "3.4",
	    .points = 2,
	    .desc = "msgq_serve_one() takes a request longer than a struct msgq_request off "
		    "the queue (cut to its first 511 bytes of text and served, or dropped with "
		    "EBADMSG and no reply); the next call serves the next request",
	    .hint = "Handout 3.4 and 2.5: msgrcv refuses a message longer than its buffer "
		    "with E2BIG and leaves it first in the queue, for every later call too; "
		    "its size counts the pid and the text, not the mtype.")
{
	static char oversized[sizeof(pid_t) + MSGQ_TEXT_MAX + 100];
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE, .client = getpid(),
				   .text = "next"};
	struct raw_message msg;
	char expected[MSGQ_TEXT_MAX];
	const char *cut_text = oversized + sizeof(pid_t);
	int qid = new_queue(NULL), release, rc;
	pid_t client = start_idle_process(&release);
	ssize_t n;

	/* A live client's pid, then more text than a struct msgq_request holds. */
	memcpy(oversized, &client, sizeof(client));
	fill_pattern(oversized + sizeof(client), sizeof(oversized) - sizeof(client), 'a');
	raw_send(qid, MSGQ_REQUEST_TYPE, oversized, sizeof(oversized));
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 5, 0) == 0, "msgsnd");
	rc = SUBJECT(msgq_serve_one(qid, length_reply));
	expect(rc == 0 || (rc == -1 && errno == EBADMSG), "a %zu-byte request (a struct "
	       "msgq_request holds %zu): expected msgq_serve_one to cut and serve it (0) or "
	       "to drop it (-1 with EBADMSG), got %d (%s)", sizeof(oversized),
	       sizeof(pid_t) + MSGQ_TEXT_MAX, rc, rc == -1 ? strerror(errno) : "-");
	n = raw_receive(qid, client, IPC_NOWAIT, &msg);
	if (rc == 0) {
		snprintf(expected, sizeof(expected), "%d bytes, last %c", MSGQ_TEXT_MAX - 1,
			 cut_text[MSGQ_TEXT_MAX - 2]);
		expect(n == (ssize_t)strlen(expected) + 1 && strcmp(msg.mtext, expected) == 0,
		       "the oversized request was served (0): expected the handler to get its "
		       "first %d bytes of text and the reply \"%s\", got %zd bytes \"%.*s\"",
		       MSGQ_TEXT_MAX - 1, expected, n, n > 0 ? (int)n : 0, msg.mtext);
	} else {
		expect(n == -1, "the oversized request was dropped (EBADMSG), yet a reply of "
		       "%zd bytes was sent to its client %d", n, (int)client);
	}
	rc = SUBJECT(msgq_serve_one(qid, length_reply));
	expect(rc == 0, "after the oversized request, a good one {client %d, \"next\"}: "
	       "expected msgq_serve_one to serve it and return 0, got %d (%s)", (int)getpid(),
	       rc, strerror(errno));
	n = raw_receive(qid, getpid(), IPC_NOWAIT, &msg);
	length_reply(getpid(), "next", expected);
	expect(n == (ssize_t)strlen(expected) + 1 && strcmp(msg.mtext, expected) == 0,
	       "after the oversized request: expected the reply \"%s\" to the next one, got "
	       "%zd bytes", expected, n);
	close(release);
	ag_setup(ag_wait_exit(client) == 0, "idle process");
	drop_queue(qid);
}

GRADED_TEST(msgqueues, serve_drops_request_without_client, .task = "3.4", .points = 2,
	    .desc = "msgq_serve_one() drops a request whose client is 0 or negative with "
		    "EBADMSG; msgq_serve() goes on serving after it",
	    .hint = "Handout 3.4 and trap 10: kill(0, 0) succeeds (it asks about your own "
		    "process group) and msgsnd refuses a reply of type 0 with EINVAL, which "
		    "looks like the removal of the queue. Check the pid before anything else.")
{
	static const pid_t no_clients[] = {0, -1};
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE, .text = "who?"};
	struct raw_message msg;
	int qid = new_queue(NULL), rc, status;
	pid_t server;
	ssize_t n;

	for (size_t i = 0; i < sizeof(no_clients) / sizeof(no_clients[0]); i++) {
		req.client = no_clients[i];
		ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 5, 0) == 0, "msgsnd");
		rc = SUBJECT(msgq_serve_one(qid, tag_reply));
		expect(rc == -1 && errno == EBADMSG, "a request {client %d, \"who?\"}: expected "
		       "msgq_serve_one to drop it with EBADMSG, got %d (%s)", (int)req.client, rc,
		       rc == -1 ? strerror(errno) : "served");
		expect(queue_state(qid).msg_qnum == 0, "after the request {client %d}: expected "
		       "an empty queue (the request taken, no reply), found %lu message(s)",
		       (int)req.client, (unsigned long)queue_state(qid).msg_qnum);
	}
	server = ag_fork();
	ag_setup(server != -1, "fork");
	if (server == 0)
		_exit(SUBJECT(msgq_serve(qid, tag_reply)) == 0 ? 0 : 1);
	req.client = 0;
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 5, 0) == 0, "msgsnd");
	req.client = getpid();
	strcpy(req.text, "hi");
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 3, 0) == 0, "msgsnd");
	n = await_reply(qid, getpid(), server, &msg);
	expect(n > 0, "a request {client 0}, then {client %d, \"hi\"}: msgq_serve returned "
	       "(status %d) without answering the second; the queue is still there",
	       (int)getpid(), ag_wait_exit(server));
	expect(ag_wait_blocked(server), "after a request {client 0}, msgq_serve stopped "
	       "(status %d) instead of waiting for the next", ag_wait_exit(server));
	ag_setup(msgctl(qid, IPC_RMID, NULL) == 0, "msgctl IPC_RMID");
	status = ag_wait_exit(server);
	expect(status == 0, "msgq_serve did not return 0 after the queue was removed "
	       "(status %d)", status);
}

GRADED_TEST(msgqueues, serve_loop_ends_on_removal, .task = "3.4", .points = 4,
	    .desc = "msgq_serve() serves requests and returns 0 when the queue is removed (EIDRM)",
	    .hint = "Handout 3.4: EIDRM is how a server learns of the shutdown: it is the "
		    "loop's normal end, not an error.")
{
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE, .client = getpid()};
	struct raw_message msg;
	int qid = new_queue(NULL), status, returned = -2, report[2];
	pid_t server;
	ssize_t n;

	ag_setup(pipe(report) == 0, "pipe");
	server = ag_fork();
	ag_setup(server != -1, "fork");
	if (server == 0) {
		int rc = SUBJECT(msgq_serve(qid, tag_reply));

		/* The return value itself, for the test: exit(0) inside must not pass. */
		_exit(write(report[1], &rc, sizeof(rc)) == sizeof(rc) && rc == 0 ? 0 : 1);
	}
	close(report[1]);
	expect(ag_wait_blocked(server), "on an empty queue msgq_serve returned (status %d) "
	       "instead of waiting for a request", ag_wait_exit(server));
	strcpy(req.text, "hi");
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 3, 0) == 0, "msgsnd");
	n = await_reply(qid, getpid(), server, &msg);
	expect(n > 0, "no reply from msgq_serve, which returned (status %d)", ag_wait_exit(server));
	expect(ag_wait_blocked(server), "after one request, msgq_serve stopped (status %d) "
	       "instead of waiting for the next", ag_wait_exit(server));
	ag_setup(msgctl(qid, IPC_RMID, NULL) == 0, "msgctl IPC_RMID");
	status = ag_wait_exit(server);
	expect(status == 0, "the queue was removed while msgq_serve waited: expected it to "
	       "return 0, it returned -1 (or crashed: status %d)", status);
	expect(read(report[0], &returned, sizeof(returned)) == sizeof(returned) && returned == 0,
	       "the queue was removed while msgq_serve waited: expected it to return 0, but "
	       "it never returned: it ended the process (a library function never exits)");
	close(report[0]);
}

/* then() of an interrupted msgq_serve_one(): a request from the test's pid, alive. */
static void send_request(void *qid)
{
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE, .client = getppid(),
				   .text = "abc"};

	expect(msgsnd(*(int *)qid, &req, sizeof(pid_t) + 4, IPC_NOWAIT) == 0, "the test could "
	       "not send a request: %s", strerror(errno));
}

/* then() of an interrupted msgq_serve(): the shutdown. */
static void remove_queue(void *qid)
{
	expect(msgctl(*(int *)qid, IPC_RMID, NULL) == 0, "the test could not remove the "
	       "queue: %s", strerror(errno));
}

GRADED_TEST(msgqueues, serve_retries_after_signal, .task = "3.4", .points = 4,
	    .desc = "msgq_serve_one() and msgq_serve() go on waiting for a request when signals "
		    "interrupt their msgrcv",
	    .hint = "Handout 2.8 and 3.4: msgrcv is never restarted after a signal handler, "
		    "whatever SA_RESTART says; it fails with EINTR, and the call is retried. "
		    "EINTR is not the end of the "
		    "service.")
{
	struct raw_message msg;
	char expected[MSGQ_TEXT_MAX];
	int qid = new_queue(NULL), rc, saved_errno, signals;
	ssize_t n;

	ag_interrupt_start(2, send_request, &qid);
	rc = SUBJECT(msgq_serve_one(qid, tag_reply));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0, "%d signals interrupted msgq_serve_one() while it waited for a request; "
	       "expected it to go on waiting and return 0 once one came, got %d (%s)", signals,
	       rc, strerror(saved_errno));
	n = raw_receive(qid, getpid(), IPC_NOWAIT, &msg);
	tag_reply(getpid(), "abc", expected);
	expect(n == (ssize_t)strlen(expected) + 1 && strcmp(msg.mtext, expected) == 0,
	       "msgq_serve_one() returned 0, but the reply \"%s\" is not in the queue", expected);

	ag_interrupt_start(2, remove_queue, &qid);
	rc = SUBJECT(msgq_serve(qid, tag_reply));
	saved_errno = errno;
	signals = ag_interrupt_stop();
	expect(rc == 0, "%d signals interrupted msgq_serve() while it waited for a request, then "
	       "the queue was removed; expected it to go on waiting and return 0 at the removal, "
	       "got %d (%s)", signals, rc, strerror(saved_errno));
}

/* The handler of serve_one_full_queue_gives_eagain: a reply longer than its request. */
static void long_reply(pid_t client, const char *request, char reply[MSGQ_TEXT_MAX])
{
	(void)client;
	(void)request;
	memset(reply, 'r', 100);
	reply[100] = '\0';
}

GRADED_TEST(msgqueues, serve_one_full_queue_gives_eagain, .task = "3.4", .points = 3,
	    .desc = "msgq_serve_one() on a queue too full for the reply fails at once with "
		    "EAGAIN and drops the reply, instead of waiting",
	    .hint = "Handout 3.4: the server never waits on its own queue: the reply goes out "
		    "with IPC_NOWAIT, because only the server could make room.")
{
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE, .client = getpid(), .text = "x"};
	struct raw_message msg;
	unsigned long count;
	int qid = new_queue(NULL), code;
	pid_t server;

	/* A 6-byte request, then filler up to the brim: its 6 bytes cannot hold the reply. */
	ag_setup(msgsnd(qid, &req, sizeof(pid_t) + 2, IPC_NOWAIT) == 0, "msgsnd");
	fill_queue(qid);
	count = queue_state(qid).msg_qnum;
	server = ag_fork();
	ag_setup(server != -1, "fork");
	if (server == 0) {
		code = SUBJECT(msgq_serve_one(qid, long_reply));
		_exit(code == -1 && errno == EAGAIN ? 0 : code == 0 ? 2 : 1);
	}
	if (ag_wait_blocked(server)) {
		pid_t stuck = ag_subject_pid(server);

		kill(server, SIGKILL);	/* the helper first: it would report the subject's end */
		if (stuck > 0)
			kill(stuck, SIGKILL);
		ag_wait_exit(server);
		expect(false, "the queue was too full for the reply, and msgq_serve_one() waited "
		       "(in msgsnd?) instead of failing with EAGAIN");
	}
	code = ag_wait_exit(server);
	expect(code == 0, "the queue was too full for the reply: expected msgq_serve_one() to "
	       "return -1 with EAGAIN, %s", code == 2 ? "it returned 0" :
	       "it failed with another error");
	expect(queue_state(qid).msg_qnum == count - 1 &&
	       raw_receive(qid, getpid(), IPC_NOWAIT, &msg) == -1,
	       "expected the request taken and the filler left alone (%lu messages), found %lu",
	       count - 1, (unsigned long)queue_state(qid).msg_qnum);
	drop_queue(qid);
}

#define CLIENTS 6
#define REQUESTS 25

/* What a client of converse() sends back to the test: one write, atomic. */
struct last_reply {
	int client;			/* the client's number */
	pid_t pid;			/* the process that sent the requests */
	char reply[MSGQ_TEXT_MAX];	/* its last reply */
};

/*
 * In the subject: REQUESTS requests, each reply checked against this
 * process's pid (the one msgq_request sends). Returns 0, or converse()'s
 * exit status for the failure.
 */
static int request_all(int qid, struct last_reply *last)
{
	char request[64], expected[MSGQ_TEXT_MAX];

	last->pid = getpid();
	for (int i = 0; i < REQUESTS; i++) {
		snprintf(request, sizeof(request), "client %d request %d", last->client, i);
		if (msgq_request(qid, request, last->reply) == -1)
			return 2;
		tag_reply(getpid(), request, expected);
		if (strcmp(last->reply, expected) != 0)
			return 3;
	}
	return 0;
}

/*
 * A client's conversation, in one subject. The last reply goes back to the
 * test on `report`.
 */
static void converse(int qid, int client, int report)
{
	struct last_reply last = {.client = client};
	int code = SUBJECT(request_all(qid, &last), OUT(last));

	if (code != 0)
		_exit(code);
	_exit(write(report, &last, sizeof(last)) == sizeof(last) ? 0 : 4);
}

GRADED_TEST(msgqueues, concurrent_clients_get_own_replies, .task = "3.4",
	    .points = 4, .deadline = 4,
	    .desc = "6 clients, 25 requests each, one server: every reply reaches its own client",
	    .hint = "Handout 3.3 and 3.4: the server types each reply with the requester's pid "
		    "and each client receives only that type.")
{
	pid_t server, clients[CLIENTS];
	struct last_reply last;
	int qid = new_queue(NULL), status, report[2];

	server = ag_fork();
	ag_setup(server != -1, "fork");
	if (server == 0)
		_exit(SUBJECT(msgq_serve(qid, tag_reply)) == 0 ? 0 : 1);
	ag_setup(pipe2(report, O_NONBLOCK) == 0, "pipe");
	for (int c = 0; c < CLIENTS; c++) {
		clients[c] = ag_fork();
		ag_setup(clients[c] != -1, "fork");
		if (clients[c] == 0)
			converse(qid, c, report[1]);
	}
	close(report[1]);
	for (int c = 0; c < CLIENTS; c++) {
		status = ag_wait_exit(clients[c]);
		expect(status == 0, "client %d (pid %d) %s", c, (int)clients[c],
		       status == 3 ? "received a reply meant for another client" :
		       "failed: msgq_request returned -1");
	}
	for (int c = 0; c < CLIENTS; c++) {
		char request[64], expected[MSGQ_TEXT_MAX];

		expect(read(report[0], &last, sizeof(last)) == sizeof(last) && last.client >= 0 &&
		       last.client < CLIENTS, "every client ended with status 0, yet only %d of "
		       "them got back from their %d msgq_request() calls: did it exit instead of "
		       "returning?", c, REQUESTS);
		snprintf(request, sizeof(request), "client %d request %d", last.client, REQUESTS - 1);
		tag_reply(last.pid, request, expected);
		expect(strcmp(last.reply, expected) == 0, "client %d's last reply is \"%s\", "
		       "expected \"%s\"", last.client, last.reply, expected);
	}
	close(report[0]);
	expect(ag_wait_blocked(server), "the server stopped (status %d) while clients "
	       "were talking to it", ag_wait_exit(server));
	ag_setup(msgctl(qid, IPC_RMID, NULL) == 0, "msgctl IPC_RMID");
	expect(ag_wait_exit(server) == 0, "msgq_serve did not return 0 after the queue was removed");
}

/* In the subject: 0 when msgq_request got this process's own reply, 2 or 3 when not. */
static int request_own_reply(int qid, const char *request)
{
	char reply[MSGQ_TEXT_MAX], expected[MSGQ_TEXT_MAX];

	if (msgq_request(qid, request, reply) == -1)
		return 2;
	tag_reply(getpid(), request, expected);
	return strcmp(reply, expected) == 0 ? 0 : 3;
}

GRADED_TEST(msgqueues, dead_client_gets_no_reply, .task = "3.4", .points = 3,
	    .desc = "a client killed mid-conversation: the server skips its reply and goes on "
		    "serving the others",
	    .hint = "Handout 3.4 and trap 5: a reply nobody will receive sits in the queue until "
		    "it is removed; check the client with kill(pid, 0) first.")
{
	struct msqid_ds ds;
	pid_t dead, dead_pid, alive;
	int qid = new_queue(NULL), rc;

	dead = ag_fork();
	ag_setup(dead != -1, "fork");
	if (dead == 0) {
		char reply[MSGQ_TEXT_MAX];

		_exit(SUBJECT(msgq_request(qid, "from a doomed client", reply)) == 0 ? 0 : 1);
	}
	expect(ag_wait_blocked(dead), "a client's msgq_request returned (status %d) "
	       "before the server replied", ag_wait_exit(dead));
	/* The client is the process that sent the request: the helper's subject. The
	 * helper goes first (it would report its subject's end); the subject is then
	 * the test's child (a subreaper), reaped so that its pid is gone. */
	dead_pid = ag_subject_pid(dead);
	ag_setup(dead_pid > 0 && kill(dead, SIGKILL) == 0 && ag_wait_exit(dead) == 128 + SIGKILL &&
		 kill(dead_pid, SIGKILL) == 0 && ag_wait_exit(dead_pid) == 128 + SIGKILL, "kill");
	alive = ag_fork();
	ag_setup(alive != -1, "fork");
	if (alive == 0)
		_exit(SUBJECT(request_own_reply(qid, "still here")));
	expect(ag_wait_blocked(alive), "a client's msgq_request returned (status %d) "
	       "before the server replied", ag_wait_exit(alive));
	rc = SUBJECT(msgq_serve_one(qid, tag_reply));
	expect(rc == 0, "serving the request of killed client %d: expected 0, got %d (%s)",
	       (int)dead_pid, rc, strerror(errno));
	rc = SUBJECT(msgq_serve_one(qid, tag_reply));
	expect(rc == 0, "serving the live client after the killed one: expected 0, got %d (%s)",
	       rc, strerror(errno));
	expect(ag_wait_exit(alive) == 0, "the live client did not get its own reply");
	ds = queue_state(qid);
	expect(ds.msg_qnum == 0, "%lu message(s) left in the queue (%lu bytes): the reply to "
	       "killed client %d will never be received", (unsigned long)ds.msg_qnum,
	       (unsigned long)ds.msg_cbytes, (int)dead_pid);
	drop_queue(qid);
}
