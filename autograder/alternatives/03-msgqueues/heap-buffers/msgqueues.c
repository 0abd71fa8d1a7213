/*
 * msgqueues.c - Lab 03, an alternative correct solution: every message
 * buffer is allocated to the size of the call (a flexible array member), the
 * server takes requests into a buffer of the largest message size, and the
 * client receives its reply with MSG_NOERROR.
 *
 * Written from msgqueues.h and the handout only. The self-check
 * (alternatives_full_marks) grades it: it must score what the reference does.
 */
#define _GNU_SOURCE		/* MSG_EXCEPT */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "msgqueues.h"

/* What msgsnd(2) and msgrcv(2) point at: a type, then the text. */
struct msg {
	long mtype;
	char mtext[];		/* allocated to the size of the call */
};

/* A message with room for @p size bytes of text, or NULL (ENOMEM). */
static struct msg *msg_alloc(size_t size)
{
	return malloc(offsetof(struct msg, mtext) + (size ? size : 1));
}

/* Frees @p m, keeping errno for the caller. */
static void msg_free(struct msg *m)
{
	int saved = errno;

	free(m);
	errno = saved;
}

/* ---- §3.1 ---- */

key_t msgq_key(const char *path, int proj)
{
	struct stat st;

	/* Create the file only when it is missing; O_EXCL so that a file
	 * another process made in between is left alone too. */
	if (stat(path, &st) == -1) {
		int fd;

		if (errno != ENOENT)
			return (key_t)-1;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
		if (fd == -1 && errno != EEXIST)
			return (key_t)-1;
		if (fd != -1 && close(fd) == -1)
			return (key_t)-1;
	}
	return ftok(path, proj);
}

int msgq_create(key_t key)
{
	return msgget(key, IPC_CREAT | IPC_EXCL | S_IRUSR | S_IWUSR);
}

int msgq_open(key_t key)
{
	return msgget(key, 0);
}

int msgq_remove(int qid)
{
	return msgctl(qid, IPC_RMID, NULL);
}

int msgq_stat(int qid, struct msgq_state *state)
{
	struct msqid_ds info;

	memset(&info, 0, sizeof info);
	if (msgctl(qid, IPC_STAT, &info) == -1)
		return -1;
	*state = (struct msgq_state){
		.qnum = info.msg_qnum,
		.cbytes = info.__msg_cbytes,
		.qbytes = info.msg_qbytes,
		.lspid = info.msg_lspid,
		.lrpid = info.msg_lrpid,
	};
	return 0;
}

/* ---- §3.2 ---- */

/* msgsnd(2) of @p len bytes, retrying EINTR; the size is the text's. */
static int put(int qid, long type, const void *data, size_t len, int flags)
{
	struct msg *m;
	int rc;

	if (len > MSGQ_MSG_MAX) {
		errno = EINVAL;
		return -1;
	}
	m = msg_alloc(len);
	if (m == NULL)
		return -1;
	m->mtype = type;
	memcpy(m->mtext, data, len);
	while ((rc = msgsnd(qid, m, len, flags)) == -1 && errno == EINTR)
		;
	msg_free(m);
	return rc;
}

/* msgrcv(2) into a buffer of exactly @p cap bytes of text, retrying EINTR. */
static ssize_t take(int qid, long msgtyp, int flags, void *buf, size_t cap, long *got_type)
{
	struct msg *m;
	ssize_t len;

	if (cap > MSGQ_MSG_MAX)
		cap = MSGQ_MSG_MAX;
	m = msg_alloc(cap);
	if (m == NULL)
		return -1;
	while ((len = msgrcv(qid, m, cap, msgtyp, flags)) == -1 && errno == EINTR)
		;
	if (len >= 0) {
		memcpy(buf, m->mtext, (size_t)len);
		if (got_type)
			*got_type = m->mtype;
	}
	msg_free(m);
	return len;
}

int msgq_send(int qid, long type, const void *data, size_t len)
{
	return put(qid, type, data, len, 0);
}

int msgq_try_send(int qid, long type, const void *data, size_t len)
{
	return put(qid, type, data, len, IPC_NOWAIT);
}

ssize_t msgq_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
	return take(qid, type, 0, buf, cap, got_type);
}

ssize_t msgq_try_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
	return take(qid, type, IPC_NOWAIT, buf, cap, got_type);
}

ssize_t msgq_receive_truncated(int qid, long type, void *buf, size_t cap, long *got_type)
{
	return take(qid, type, MSG_NOERROR, buf, cap, got_type);
}

ssize_t msgq_receive_urgent(int qid, long max_type, void *buf, size_t cap, long *got_type)
{
	return take(qid, -max_type, 0, buf, cap, got_type);
}

ssize_t msgq_receive_except(int qid, long type, void *buf, size_t cap, long *got_type)
{
	return take(qid, type, MSG_EXCEPT, buf, cap, got_type);
}

/* ---- §3.3 ---- */

int msgq_request(int qid, const char *request, char reply[MSGQ_TEXT_MAX])
{
	struct msgq_request out;
	struct msgq_reply in;
	size_t len = strnlen(request, MSGQ_TEXT_MAX);
	ssize_t got;

	if (len == MSGQ_TEXT_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	out.mtype = MSGQ_REQUEST_TYPE;
	out.client = getpid();
	memcpy(out.text, request, len + 1);
	while (msgsnd(qid, &out, sizeof out.client + len + 1, 0) == -1)
		if (errno != EINTR)
			return -1;
	/* Typed with our pid: only our reply. MSG_NOERROR: a reply too long
	 * for the buffer is cut rather than left queued for ever. */
	while ((got = msgrcv(qid, &in, sizeof in.text - 1, out.client, MSG_NOERROR)) == -1)
		if (errno != EINTR)
			return -1;
	in.text[got] = '\0';
	memcpy(reply, in.text, (size_t)got + 1);
	return 0;
}

/* ---- §3.4 ---- */

/* Replies @p text to @p client without waiting; EINTR retried. */
static int reply_to(int qid, pid_t client, const char *text)
{
	struct msgq_reply out = { .mtype = client };
	size_t len = strnlen(text, MSGQ_TEXT_MAX - 1);

	memcpy(out.text, text, len);
	out.text[len] = '\0';
	while (msgsnd(qid, &out, len + 1, IPC_NOWAIT) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * Serves the request in @p m (@p got bytes of text: the pid, then the
 * request text). Returns 0 or -1 as msgq_serve_one().
 */
static int answer(int qid, struct msg *m, size_t got, msgq_handler *handler)
{
	char request[MSGQ_TEXT_MAX], reply[MSGQ_TEXT_MAX] = "";
	size_t text_len;
	pid_t client;

	if (got < sizeof client) {
		errno = EBADMSG;	/* no pid: nobody to answer */
		return -1;
	}
	memcpy(&client, m->mtext, sizeof client);
	if (client <= 0) {
		errno = EBADMSG;
		return -1;
	}
	/* Text up to the first '\0', the end of the message, or the room of
	 * a struct msgq_request, whichever comes first. */
	text_len = got - sizeof client;
	if (text_len > MSGQ_TEXT_MAX - 1)
		text_len = MSGQ_TEXT_MAX - 1;
	memcpy(request, m->mtext + sizeof client, text_len);
	request[text_len] = '\0';
	if (kill(client, 0) == -1 && errno == ESRCH)
		return 0;	/* nobody would ever receive the reply */
	handler(client, request, reply);
	reply[MSGQ_TEXT_MAX - 1] = '\0';
	return reply_to(qid, client, reply);
}

int msgq_serve_one(int qid, msgq_handler *handler)
{
	struct msg *m = msg_alloc(MSGQ_MSG_MAX);
	ssize_t got;
	int rc;

	if (m == NULL)
		return -1;
	/* Room for the largest message: any request fits, none stays stuck
	 * at the head of the queue with E2BIG. MSG_NOERROR covers a msgmax
	 * raised above that. */
	while ((got = msgrcv(qid, m, MSGQ_MSG_MAX, MSGQ_REQUEST_TYPE, MSG_NOERROR)) == -1 &&
	       errno == EINTR)
		;
	rc = got == -1 ? -1 : answer(qid, m, (size_t)got, handler);
	msg_free(m);
	return rc;
}

int msgq_serve(int qid, msgq_handler *handler)
{
	for (;;) {
		if (msgq_serve_one(qid, handler) == 0)
			continue;
		switch (errno) {
		case EAGAIN:	/* a reply dropped */
		case EBADMSG:	/* a request dropped */
			continue;
		case EIDRM:	/* removed while we waited */
		case EINVAL:	/* removed between two requests */
			return 0;
		default:
			return -1;
		}
	}
}
