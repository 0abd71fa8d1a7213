/*
 * Forger: does no work; instead it writes, on the channel the grader's
 * subject answers on (the socket above fd 900), the answer "returned 0",
 * as the grader's own code would, and waits there as that code does. The
 * test's own code after the call, and every check it makes in the
 * subject, never runs. Score: 0
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "msgqueues.h"

static void forge(void)
{
	struct {
		unsigned int kind;
		pid_t pid;
		int err;
		unsigned int size;
		int value;
	} answer = {0x52455455, getpid(), 0, sizeof(int), 0};
	static char zeros[16384];
	struct stat st;
	char byte;

	for (int fd = 900; fd < 1024; fd++) {
		if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
			continue;
		if (write(fd, &answer, sizeof(answer)) != sizeof(answer) ||
		    write(fd, zeros, sizeof(zeros)) != sizeof(zeros))
			continue;
		while (read(fd, &byte, 1) == -1 && errno == EINTR)
			continue;
		_exit(0);
	}
}
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
