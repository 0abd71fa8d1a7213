/*
 * stubs.c - the rest of a lab 03 forger whose forge.c comes first: each
 * graded function calls forge() and then claims success.
 */
#include <string.h>
#include "msgqueues.h"

key_t msgq_key(const char *path, int proj) { forge(); (void)path; return (key_t)(0x1000 + proj); }
int msgq_create(key_t key) { forge(); (void)key; return 1; }
int msgq_open(key_t key) { forge(); (void)key; return 1; }
int msgq_remove(int qid) { forge(); (void)qid; return 0; }
int msgq_stat(int qid, struct msgq_state *state) { forge(); (void)qid; memset(state, 0, sizeof(*state)); return 0; }
int msgq_send(int qid, long type, const void *data, size_t len) { forge(); (void)qid, (void)type, (void)data, (void)len; return 0; }
int msgq_try_send(int qid, long type, const void *data, size_t len) { forge(); (void)qid, (void)type, (void)data, (void)len; return 0; }
ssize_t msgq_receive(int qid, long type, void *buf, size_t cap, long *got_type)
{
	forge();
	(void)qid, (void)buf;
	*got_type = type;
	return (ssize_t)cap;
}
ssize_t msgq_try_receive(int qid, long type, void *buf, size_t cap, long *got_type) { forge(); return msgq_receive(qid, type, buf, cap, got_type); }
ssize_t msgq_receive_truncated(int qid, long type, void *buf, size_t cap, long *got_type) { forge(); return msgq_receive(qid, type, buf, cap, got_type); }
ssize_t msgq_receive_urgent(int qid, long max_type, void *buf, size_t cap, long *got_type) { forge(); return msgq_receive(qid, max_type, buf, cap, got_type); }
ssize_t msgq_receive_except(int qid, long type, void *buf, size_t cap, long *got_type) { forge(); return msgq_receive(qid, type + 1, buf, cap, got_type); }
int msgq_request(int qid, const char *request, char reply[MSGQ_TEXT_MAX])
{
	forge();
	(void)qid;
	strncpy(reply, request, MSGQ_TEXT_MAX);
	return 0;
}
int msgq_serve_one(int qid, msgq_handler *handler) { forge(); (void)qid, (void)handler; return 0; }
int msgq_serve(int qid, msgq_handler *handler) { forge(); (void)qid, (void)handler; return 0; }
