/*
 * client.c - Lab 03 demo: sends requests to ./server and prints the replies.
 *
 * Usage:   ./client KEYFILE TEXT...    one request per TEXT, one reply per line
 *          ./client -s KEYFILE         prints the queue's state (IPC_STAT)
 *
 * The client opens the server's queue (it never creates one) and waits for
 * each reply, which the server types with the client's pid. Exit status: 0,
 * 1 on error (no server, or the server removed the queue while we waited:
 * EIDRM), 2 on bad usage.
 *
 * Partners: msgqueues.c, server.c. Handout: README.md §3.3 and §2.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msgqueues.h"

static const char usage[] = "usage: client KEYFILE TEXT...\n       client -s KEYFILE\n";

/* Opens the queue of KEYFILE; prints why not and returns -1 on failure. */
static int open_queue(const char *path)
{
	key_t key = msgq_key(path, 'Q');
	int qid = key == (key_t)-1 ? -1 : msgq_open(key);

	if (qid == -1)
		perror("client: no queue for this key file (is the server running?)");
	return qid;
}

static int print_state(int qid)
{
	struct msgq_state state;

	if (msgq_stat(qid, &state) == -1) {
		perror("client: msgq_stat");
		return 1;
	}
	printf("messages %lu, bytes %lu of %lu, last send by pid %d, last receive by pid %d\n",
	       state.qnum, state.cbytes, state.qbytes, (int)state.lspid, (int)state.lrpid);
	return 0;
}

int main(int argc, char *argv[])
{
	char reply[MSGQ_TEXT_MAX];
	int qid;

	if (argc == 3 && strcmp(argv[1], "-s") == 0) {
		qid = open_queue(argv[2]);
		return qid == -1 ? 1 : print_state(qid);
	}
	if (argc < 3 || argv[1][0] == '-') {
		fputs(usage, stderr);
		return 2;
	}
	if ((qid = open_queue(argv[1])) == -1)
		return 1;
	for (int i = 2; i < argc; i++) {
		if (msgq_request(qid, argv[i], reply) == -1) {
			perror("client: msgq_request");
			return 1;
		}
		printf("%s\n", reply);
	}
	return 0;
}
