/*
 * msgqueues.c - Lab 03: System V message queues. The functions declared in
 * msgqueues.h.
 *
 * Usage: `make` builds it with server.c and client.c into the demo programs
 * `server` and `client`; `ipclab test 03` grades it. Partners: server.c,
 * client.c. Handout: README.md, §3 (one subsection per group of functions).
 * The contracts in msgqueues.h are exactly what the tests check.
 */
#ifdef SOLUTION
/*
 * Reference edition, the worked answer of the course. Habits to copy: every
 * syscall's result is checked, a message's size never counts its mtype,
 * blocking calls are retried after EINTR, and the server never waits on its
 * own queue.
 */
#else
/*
 * Your edition: replace each TODO(lab03) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */
#endif

#define _GNU_SOURCE		/* MSG_EXCEPT */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>
#include <unistd.h>

#include "msgqueues.h"

/*
 * A message as msgsnd(2) and msgrcv(2) see it: a type, then the text. The
 * size those calls take is the size of the text alone, never sizeof(struct
 * message).
 */
struct message {
	long mtype;
	char mtext[MSGQ_MSG_MAX];
};
#ifdef SOLUTION

/* The size msgsnd(2) counts for a request carrying text of length len. */
#define REQUEST_SIZE(len) (sizeof(pid_t) + (len) + 1)

/*
 * Sends @p len bytes of @p data as a message of type @p type, with msgsnd
 * flags @p flags, retrying EINTR. Returns 0 or -1.
 */
static int send_message(int qid, long type, const void *data, size_t len, int flags)
{
	struct message msg;

	if (len > sizeof(msg.mtext)) {
		errno = EINVAL;		/* what msgsnd says above msgmax */
		return -1;
	}
	msg.mtype = type;
	memcpy(msg.mtext, data, len);
	while (msgsnd(qid, &msg, len, flags) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * Receives a message chosen by @p msgtyp and @p flags exactly as msgrcv(2)
 * does, into @p buf (at most @p cap bytes), retrying EINTR. Returns the
 * number of bytes stored, or -1.
 */
static ssize_t receive_message(int qid, long msgtyp, int flags, void *buf, size_t cap,
			       long *got_type)
{
	struct message msg;
	ssize_t len;

	if (cap > sizeof(msg.mtext))
		cap = sizeof(msg.mtext);
	while ((len = msgrcv(qid, &msg, cap, msgtyp, flags)) == -1)
		if (errno != EINTR)
			return -1;
	memcpy(buf, msg.mtext, (size_t)len);
	if (got_type != NULL)
		*got_type = msg.mtype;
	return len;
}
#endif

/* ---- §3.1: creating, finding and removing a queue ----------------------- */

key_t msgq_key(const char *path, int proj)
{
#ifdef SOLUTION
	/* O_CREAT without O_TRUNC: an existing key file is left as it is. */
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1)
		return (key_t)-1;
	close(fd);
	return ftok(path, proj);
#else
	/* TODO(lab03): make sure the file exists, then ask ftok(3). Handout §3.1. */
	(void)path;
	(void)proj;
	errno = ENOSYS;
	return (key_t)-1;
#endif
}

int msgq_create(key_t key)
{
#ifdef SOLUTION
	/* IPC_EXCL: a queue that already exists is someone else's (or a
	 * crashed server's) and its messages are not ours to mix with. */
	return msgget(key, IPC_CREAT | IPC_EXCL | 0600);
#else
	/* TODO(lab03): create a new queue, never reuse one. Handout §3.1. */
	(void)key;
	errno = ENOSYS;
	return -1;
#endif
}

int msgq_open(key_t key)
{
#ifdef SOLUTION
	return msgget(key, 0);
#else
	/* TODO(lab03): find the existing queue of key. Handout §3.1. */
	(void)key;
	errno = ENOSYS;
	return -1;
#endif
}

int msgq_remove(int qid)
{
#ifdef SOLUTION
	return msgctl(qid, IPC_RMID, NULL);
#else
	/* TODO(lab03): remove the queue. Handout §3.1. */
	(void)qid;
	errno = ENOSYS;
	return -1;
#endif
}

int msgq_stat(int qid, struct msgq_state *state)
{
#ifdef SOLUTION
	struct msqid_ds ds;

	if (msgctl(qid, IPC_STAT, &ds) == -1)
		return -1;
	state->qnum = ds.msg_qnum;
	state->cbytes = ds.__msg_cbytes;	/* glibc's name for msg_cbytes */
	state->qbytes = ds.msg_qbytes;
	state->lspid = ds.msg_lspid;
	state->lrpid = ds.msg_lrpid;
	return 0;
#else
	/* TODO(lab03): copy the fields of msgctl(IPC_STAT). Handout §3.1. */
	(void)qid;
	(void)state;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.2: sending and receiving ----------------------------------------- */

int msgq_send(int qid, long type, const void *data, size_t len)
{
#ifdef SOLUTION
	return send_message(qid, type, data, len, 0);
#else
	/* TODO(lab03): one msgsnd(2); its size counts the text only. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
#endif
}

int msgq_try_send(int qid, long type, const void *data, size_t len)
{
#ifdef SOLUTION
	return send_message(qid, type, data, len, IPC_NOWAIT);
#else
	/* TODO(lab03): like msgq_send(), without waiting. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t msgq_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
#ifdef SOLUTION
	return receive_message(qid, type, 0, buf, cap, got_type);
#else
	/* TODO(lab03): one msgrcv(2) into a struct with room for cap bytes of
	 * text. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t msgq_try_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
#ifdef SOLUTION
	return receive_message(qid, type, IPC_NOWAIT, buf, cap, got_type);
#else
	/* TODO(lab03): like msgq_receive(), without waiting. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t msgq_receive_truncated(int qid, long type, void *buf, size_t cap, long *got_type)
{
#ifdef SOLUTION
	return receive_message(qid, type, MSG_NOERROR, buf, cap, got_type);
#else
	/* TODO(lab03): like msgq_receive(), cutting long messages. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t msgq_receive_urgent(int qid, long max_type, void *buf, size_t cap, long *got_type)
{
#ifdef SOLUTION
	/* A negative msgtyp asks for the lowest type <= |msgtyp|. */
	return receive_message(qid, -max_type, 0, buf, cap, got_type);
#else
	/* TODO(lab03): msgrcv(2)'s msgtyp can say "lowest type up to N".
	 * Handout §3.2. */
	(void)qid;
	(void)max_type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
#endif
}

ssize_t msgq_receive_except(int qid, long type, void *buf, size_t cap, long *got_type)
{
#ifdef SOLUTION
	return receive_message(qid, type, MSG_EXCEPT, buf, cap, got_type);
#else
	/* TODO(lab03): msgrcv(2) has a flag for "any type but this one".
	 * Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.3: the client ------------------------------------------------------ */

int msgq_request(int qid, const char *request, char reply[MSGQ_TEXT_MAX])
{
#ifdef SOLUTION
	struct msgq_request req = {.mtype = MSGQ_REQUEST_TYPE, .client = getpid()};
	struct msgq_reply rep;
	size_t len = strlen(request);
	ssize_t got;

	if (len >= sizeof(req.text)) {
		errno = EMSGSIZE;
		return -1;
	}
	memcpy(req.text, request, len + 1);
	while (msgsnd(qid, &req, REQUEST_SIZE(len), 0) == -1)
		if (errno != EINTR)
			return -1;
	/* Only messages typed with our pid are ours: never msgtyp 0, which
	 * could take another client's reply or even our own request back. */
	while ((got = msgrcv(qid, &rep, sizeof(rep.text), req.client, 0)) == -1)
		if (errno != EINTR)
			return -1;
	if (got == 0) {
		errno = EBADMSG;
		return -1;
	}
	rep.text[got - 1] = '\0';	/* a reply is '\0'-terminated, even a bad one */
	memcpy(reply, rep.text, (size_t)got);
	return 0;
#else
	/* TODO(lab03): send a struct msgq_request, then wait for the message
	 * typed with your pid. Handout §3.3. */
	(void)qid;
	(void)request;
	(void)reply;
	errno = ENOSYS;
	return -1;
#endif
}

/* ---- §3.4: the server ------------------------------------------------------ */

int msgq_serve_one(int qid, msgq_handler *handler)
{
#ifdef SOLUTION
	struct msgq_request req;
	struct msgq_reply rep;
	ssize_t got;

	/* MSG_NOERROR: an oversized request is cut; left queued (E2BIG) it
	 * would come first again on every call and stop the service. */
	while ((got = msgrcv(qid, &req, REQUEST_SIZE(MSGQ_TEXT_MAX - 1),
			     MSGQ_REQUEST_TYPE, MSG_NOERROR)) == -1)
		if (errno != EINTR)
			return -1;
	if ((size_t)got < REQUEST_SIZE(0) || req.client <= 0) {
		errno = EBADMSG;	/* no pid to reply to */
		return -1;
	}
	/* got counts the pid too: the text ends at got - sizeof(pid_t). */
	req.text[got - sizeof(pid_t) - 1] = '\0';
	if (kill(req.client, 0) == -1 && errno == ESRCH)
		return 0;	/* the client died: a reply would sit there forever */
	rep.mtype = req.client;
	rep.text[0] = '\0';
	handler(req.client, req.text, rep.text);
	rep.text[sizeof(rep.text) - 1] = '\0';
	/* IPC_NOWAIT: if the queue is full, only this server could empty it. */
	while (msgsnd(qid, &rep, strlen(rep.text) + 1, IPC_NOWAIT) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
#else
	/* TODO(lab03): receive a request, run the handler, reply to the
	 * client's pid without ever waiting. Handout §3.4. */
	(void)qid;
	(void)handler;
	errno = ENOSYS;
	return -1;
#endif
}

int msgq_serve(int qid, msgq_handler *handler)
{
#ifdef SOLUTION
	for (;;) {
		if (msgq_serve_one(qid, handler) == 0)
			continue;
		if (errno == EIDRM || errno == EINVAL)
			return 0;	/* the queue was removed: a clean end */
		if (errno != EAGAIN && errno != EBADMSG)
			return -1;
	}
#else
	/* TODO(lab03): call msgq_serve_one() until the queue is removed.
	 * Handout §3.4. */
	(void)qid;
	(void)handler;
	errno = ENOSYS;
	return -1;
#endif
}
