/*
 * msgqueues.c - Lab 03: System V message queues. The functions declared in
 * msgqueues.h.
 *
 * Usage: `make` builds it with server.c and client.c into the demo programs
 * `server` and `client`; `ipclab test 03` grades it. Partners: server.c,
 * client.c. Handout: README.md, §3 (one subsection per group of functions).
 * The contracts in msgqueues.h are exactly what the tests check.
 */
/*
 * Your edition: replace each TODO(lab03) block with your code. Until you do,
 * each function fails with errno ENOSYS ("Function not implemented").
 */

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

/* ---- §3.1: creating, finding and removing a queue ----------------------- */

key_t msgq_key(const char *path, int proj)
{
	/* TODO(lab03): make sure the file exists, then ask ftok(3). Handout §3.1. */
	(void)path;
	(void)proj;
	errno = ENOSYS;
	return (key_t)-1;
}

int msgq_create(key_t key)
{
	/* TODO(lab03): create a new queue, never reuse one. Handout §3.1. */
	(void)key;
	errno = ENOSYS;
	return -1;
}

int msgq_open(key_t key)
{
	/* TODO(lab03): find the existing queue of key. Handout §3.1. */
	(void)key;
	errno = ENOSYS;
	return -1;
}

int msgq_remove(int qid)
{
	/* TODO(lab03): remove the queue. Handout §3.1. */
	(void)qid;
	errno = ENOSYS;
	return -1;
}

int msgq_stat(int qid, struct msgq_state *state)
{
	/* TODO(lab03): copy the fields of msgctl(IPC_STAT). Handout §3.1. */
	(void)qid;
	(void)state;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.2: sending and receiving ----------------------------------------- */

int msgq_send(int qid, long type, const void *data, size_t len)
{
	/* TODO(lab03): one msgsnd(2); its size counts the text only. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
}

int msgq_try_send(int qid, long type, const void *data, size_t len)
{
	/* TODO(lab03): like msgq_send(), without waiting. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)data;
	(void)len;
	errno = ENOSYS;
	return -1;
}

ssize_t msgq_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
	/* TODO(lab03): one msgrcv(2) into a struct with room for cap bytes of
	 * text. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
}

ssize_t msgq_try_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
	/* TODO(lab03): like msgq_receive(), without waiting. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
}

ssize_t msgq_receive_truncated(int qid, long type, void *buf, size_t cap, long *got_type)
{
	/* TODO(lab03): like msgq_receive(), cutting long messages. Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
}

ssize_t msgq_receive_urgent(int qid, long max_type, void *buf, size_t cap, long *got_type)
{
	/* TODO(lab03): msgrcv(2)'s msgtyp can say "lowest type up to N".
	 * Handout §3.2. */
	(void)qid;
	(void)max_type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
}

ssize_t msgq_receive_except(int qid, long type, void *buf, size_t cap, long *got_type)
{
	/* TODO(lab03): msgrcv(2) has a flag for "any type but this one".
	 * Handout §3.2. */
	(void)qid;
	(void)type;
	(void)buf;
	(void)cap;
	(void)got_type;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.3: the client ------------------------------------------------------ */

int msgq_request(int qid, const char *request, char reply[MSGQ_TEXT_MAX])
{
	/* TODO(lab03): send a struct msgq_request, then wait for the message
	 * typed with your pid. Handout §3.3. */
	(void)qid;
	(void)request;
	(void)reply;
	errno = ENOSYS;
	return -1;
}

/* ---- §3.4: the server ------------------------------------------------------ */

int msgq_serve_one(int qid, msgq_handler *handler)
{
	/* TODO(lab03): receive a request, run the handler, reply to the
	 * client's pid without ever waiting. Handout §3.4. */
	(void)qid;
	(void)handler;
	errno = ENOSYS;
	return -1;
}

int msgq_serve(int qid, msgq_handler *handler)
{
	/* TODO(lab03): call msgq_serve_one() until the queue is removed.
	 * Handout §3.4. */
	(void)qid;
	(void)handler;
	errno = ENOSYS;
	return -1;
}
