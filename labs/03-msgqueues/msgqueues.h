/**
 * @file msgqueues.h
 * @brief Lab 03: System V message queues. The functions you implement in
 *        msgqueues.c.
 *
 * One queue carries a whole request/reply service: clients send requests of
 * type MSGQ_REQUEST_TYPE, the server answers each one with a message whose
 * type is the client's pid, so every client receives only its own replies.
 *
 * Every function returns -1 and leaves errno set on failure, unless its
 * contract says otherwise; none of them prints or exits. Every descriptor a
 * function opens is closed before it returns, on every path, and only
 * msgq_create() creates a queue. A blocking call that a signal interrupts
 * (EINTR) is retried: the kernel never restarts msgsnd(2) or msgrcv(2) after
 * a signal handler, with or without SA_RESTART. In every call, a message's
 * size is the size of its text only: the `long mtype` in front of it does not
 * count.
 * The handout (README.md) explains each task; the tests (`ipclab test 03`)
 * check exactly what is written here.
 */
#ifndef MSGQUEUES_H
#define MSGQUEUES_H

#include <stddef.h>
#include <sys/types.h>

/** The largest message text, in bytes: the kernel's default msgmax. */
#define MSGQ_MSG_MAX 8192

/** The size of a request's and a reply's text buffer, the final '\0' included. */
#define MSGQ_TEXT_MAX 512

/** The type of every request a client sends to the server. */
#define MSGQ_REQUEST_TYPE 1L

/**
 * @brief A request as it travels in the queue.
 *
 * Its size, as msgsnd(2) counts it, is sizeof(pid_t) + strlen(text) + 1:
 * the client's pid, then the text and its '\0', and nothing more.
 */
struct msgq_request {
	long mtype;			/**< always MSGQ_REQUEST_TYPE */
	pid_t client;			/**< the sender's pid: the type of its reply */
	char text[MSGQ_TEXT_MAX];	/**< the request, '\0'-terminated */
};

/**
 * @brief A reply as it travels in the queue.
 *
 * Its size, as msgsnd(2) counts it, is strlen(text) + 1.
 */
struct msgq_reply {
	long mtype;			/**< the pid of the client it answers */
	char text[MSGQ_TEXT_MAX];	/**< the reply, '\0'-terminated */
};

/** @brief The state of a queue, as msgctl(IPC_STAT) reports it. */
struct msgq_state {
	unsigned long qnum;	/**< messages in the queue (msg_qnum) */
	unsigned long cbytes;	/**< bytes of text in the queue (msg_cbytes) */
	unsigned long qbytes;	/**< the most bytes the queue may hold (msg_qbytes) */
	pid_t lspid;		/**< pid of the last msgsnd(2), 0 if none (msg_lspid) */
	pid_t lrpid;		/**< pid of the last msgrcv(2), 0 if none (msg_lrpid) */
};

/**
 * @brief What the server runs for each request: writes, into @p reply, the
 *        reply to @p request.
 *
 * @param client  the pid of the client that sent the request
 * @param request the request text, '\0'-terminated
 * @param reply   where the handler writes the reply, '\0'-terminated (a reply
 *                that fills the whole buffer is cut to MSGQ_TEXT_MAX - 1 bytes)
 */
typedef void msgq_handler(pid_t client, const char *request, char reply[MSGQ_TEXT_MAX]);

/* ---- §3.1 Creating, finding and removing a queue ---------------------- */

/**
 * @brief Derives a queue's key from a file, as ftok(3) does, creating the
 *        file (empty, mode 0600) when it does not exist yet; an existing
 *        file is left as it is.
 *
 * ftok(3) needs an existing file: its key mixes the file's inode number,
 * its device number and the low 8 bits of @p proj.
 *
 * @param path the file the server and its clients agree on
 * @param proj the project id (only its low 8 bits count, and they must not be 0)
 * @return the key, or (key_t)-1 on error (errno from open(2) or ftok(3)).
 */
key_t msgq_key(const char *path, int proj);

/**
 * @brief Creates a new queue for @p key, readable and writable by its owner
 *        only (mode 0600).
 *
 * Never reuses a queue: when one already exists for @p key (another server
 * runs, or a crashed one left it), it fails with EEXIST and leaves that queue
 * and its messages untouched. The caller decides what to do then (the demo
 * server tells the user how to remove it).
 *
 * @param key the queue's key (from msgq_key(), or any key other than IPC_PRIVATE)
 * @return the new queue's id, or -1 (EEXIST: a queue exists for @p key).
 */
int msgq_create(key_t key);

/**
 * @brief Opens the existing queue of @p key, as a client does; never creates one.
 *
 * @param key the queue's key
 * @return the queue's id, or -1 (ENOENT: no queue has that key).
 */
int msgq_open(key_t key);

/**
 * @brief Removes queue @p qid at once with msgctl(IPC_RMID).
 *
 * Its messages are discarded, and every process blocked in msgsnd(2) or
 * msgrcv(2) on it wakes up with EIDRM. Whoever created a queue removes it.
 *
 * @param qid the queue's id
 * @return 0, or -1 (EINVAL: no such queue; EPERM: not the owner).
 */
int msgq_remove(int qid);

/**
 * @brief Reports a queue's state with msgctl(IPC_STAT).
 *
 * @param qid   the queue's id
 * @param state filled with the queue's counters and pids
 * @return 0, or -1 (EINVAL: no such queue).
 */
int msgq_stat(int qid, struct msgq_state *state);

/* ---- §3.2 Sending and receiving --------------------------------------- */

/**
 * @brief Sends @p len bytes of @p data as one message of type @p type,
 *        waiting while the queue is full.
 *
 * @param qid  the queue's id
 * @param type the message's type, > 0
 * @param data the message text (any bytes)
 * @param len  its size, 0 to MSGQ_MSG_MAX
 * @return 0, or -1 (EINVAL: bad type or size; EIDRM: the queue was removed
 *         while waiting).
 */
int msgq_send(int qid, long type, const void *data, size_t len);

/**
 * @brief Like msgq_send(), but never waits: fails when the queue is full.
 *
 * @param qid  the queue's id
 * @param type the message's type, > 0
 * @param data the message text
 * @param len  its size, 0 to MSGQ_MSG_MAX
 * @return 0, or -1 (EAGAIN: the queue is full, nothing was sent).
 */
int msgq_try_send(int qid, long type, const void *data, size_t len);

/**
 * @brief Receives the first message of type @p type (any type when
 *        @p type is 0), waiting until there is one.
 *
 * A message longer than @p cap is not received: the call fails with E2BIG,
 * stores nothing in @p buf, and the message stays in the queue, whole, for a
 * caller with a bigger buffer.
 *
 * @param qid      the queue's id
 * @param type     0 for the first message of any type, > 0 for that type only
 * @param buf      where the message text goes
 * @param cap      the size of @p buf, at most MSGQ_MSG_MAX
 * @param got_type set to the message's type, unless NULL
 * @return the size of the message text, or -1 (E2BIG: longer than @p cap;
 *         EIDRM: the queue was removed while waiting).
 */
ssize_t msgq_receive(int qid, long type, void *buf, size_t cap, long *got_type);

/**
 * @brief Like msgq_receive(), but never waits: fails when no message of
 *        type @p type is queued.
 *
 * @param qid      the queue's id
 * @param type     0 for any type, > 0 for that type only
 * @param buf      where the message text goes
 * @param cap      the size of @p buf, at most MSGQ_MSG_MAX
 * @param got_type set to the message's type, unless NULL
 * @return the size of the message text, or -1 (ENOMSG: no such message;
 *         E2BIG as msgq_receive()).
 */
ssize_t msgq_try_receive(int qid, long type, void *buf, size_t cap, long *got_type);

/**
 * @brief Like msgq_receive(), but a message longer than @p cap is cut to
 *        @p cap bytes and removed from the queue (the rest is lost).
 *
 * @param qid      the queue's id
 * @param type     0 for any type, > 0 for that type only
 * @param buf      where the (possibly cut) message text goes
 * @param cap      the size of @p buf, at most MSGQ_MSG_MAX
 * @param got_type set to the message's type, unless NULL
 * @return the number of bytes stored in @p buf (at most @p cap), or -1.
 */
ssize_t msgq_receive_truncated(int qid, long type, void *buf, size_t cap, long *got_type);

/**
 * @brief Receives the most urgent message: the one with the lowest type
 *        that is at most @p max_type (the oldest of them when several share
 *        it), waiting until there is one.
 *
 * Lower types are more urgent: with messages of types 5, 3, 1 and 3 queued,
 * max_type 4 receives the 1, then the first 3, then the second 3.
 *
 * @param qid      the queue's id
 * @param max_type the least urgent type accepted, > 0
 * @param buf      where the message text goes
 * @param cap      the size of @p buf, at most MSGQ_MSG_MAX
 * @param got_type set to the message's type, unless NULL
 * @return the size of the message text, or -1 (E2BIG as msgq_receive()).
 */
ssize_t msgq_receive_urgent(int qid, long max_type, void *buf, size_t cap, long *got_type);

/**
 * @brief Receives the first message whose type is anything but @p type,
 *        waiting until there is one.
 *
 * @param qid      the queue's id
 * @param type     the type to skip, > 0
 * @param buf      where the message text goes
 * @param cap      the size of @p buf, at most MSGQ_MSG_MAX
 * @param got_type set to the message's type, unless NULL
 * @return the size of the message text, or -1 (E2BIG as msgq_receive()).
 */
ssize_t msgq_receive_except(int qid, long type, void *buf, size_t cap, long *got_type);

/* ---- §3.3 The client ---------------------------------------------------- */

/**
 * @brief Sends @p request to the server of queue @p qid, waiting while the
 *        queue is full, then waits for the reply addressed to this process.
 *
 * The request goes out as a struct msgq_request of type MSGQ_REQUEST_TYPE
 * carrying the caller's pid; the reply is the first message whose type is
 * that pid. Messages for other clients, and other requests, are left alone.
 *
 * @param qid     the queue's id
 * @param request the request text, shorter than MSGQ_TEXT_MAX
 * @param reply   where the reply text goes, '\0'-terminated
 * @return 0, or -1 (EMSGSIZE: @p request too long, nothing sent; EIDRM: the
 *         server removed the queue before replying).
 */
int msgq_request(int qid, const char *request, char reply[MSGQ_TEXT_MAX]);

/* ---- §3.4 The server ---------------------------------------------------- */

/**
 * @brief Serves one request: receives the oldest request (waiting for one),
 *        runs @p handler on it, and sends the reply, typed with the
 *        requesting client's pid.
 *
 * The server must never block on its own queue: a reply is sent without
 * waiting (IPC_NOWAIT), because if the queue is full only the server could
 * make room. A client that no longer exists (kill(pid, 0) fails with ESRCH)
 * gets no reply: nobody would ever receive it, and it would sit in the
 * queue until the queue is removed. A request longer than a struct
 * msgq_request never stays in the queue, where it would come first again on
 * every call and stop the service: either it is cut to its first
 * MSGQ_TEXT_MAX - 1 bytes of text (MSG_NOERROR) and served, or it is dropped
 * with EBADMSG and gets no reply. A request whose client is 0 or negative
 * names no process to reply to: it is dropped with EBADMSG. (kill(0, 0)
 * succeeds, since it asks about the caller's own process group, and
 * msgsnd(2) refuses a reply of type 0 or less with EINVAL, which
 * msgq_serve() would take for the removal of the queue.)
 *
 * @param qid     the queue's id
 * @param handler computes the reply
 * @return 0 when the request was served (replied to, or its client was
 *         gone), -1 on error: EAGAIN when the queue was too full for the
 *         reply (it is dropped), EBADMSG for a request that is not a
 *         struct msgq_request or names no client (dropped), EIDRM or
 *         EINVAL once the queue is removed.
 */
int msgq_serve_one(int qid, msgq_handler *handler);

/**
 * @brief Serves requests with msgq_serve_one() until the queue is removed.
 *
 * A dropped reply (EAGAIN) or request (EBADMSG) does not stop the loop.
 *
 * @param qid     the queue's id
 * @param handler computes each reply
 * @return 0 when the loop ended because the queue was removed (msgrcv(2)
 *         failed with EIDRM, or with EINVAL when the removal came between
 *         two requests); -1 on any other error.
 */
int msgq_serve(int qid, msgq_handler *handler);

#endif
