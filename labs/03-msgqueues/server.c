/*
 * server.c - Lab 03 demo: an upper-casing service on one message queue.
 *
 * Usage:   ./server KEYFILE &          (creates KEYFILE if needed)
 *          ./client KEYFILE hello      (prints "HELLO")
 *          kill %1                     (removes the queue, then exits)
 *
 * The server creates the queue of ftok(KEYFILE, 'Q') with msgq_create(),
 * answers every request with its text in upper case, and logs one line per
 * request on stderr. SIGINT or SIGTERM removes the queue (IPC_RMID): the
 * interrupted msgrcv fails with EINTR, its retry with EINVAL (the queue is
 * gone) and the serve loop ends; every waiting client wakes up with EIDRM,
 * and the queue never outlives the server. Exit status: 0 after a clean
 * shutdown, 1 on error (a queue already exists for the key, for instance),
 * 2 on bad usage.
 *
 * Who removes the queue: this program, which created it, and only it.
 * Partners: msgqueues.c, client.c. Handout: README.md §3.4.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msgqueues.h"

static const char usage[] = "usage: server KEYFILE\n";

/* The queue to remove on SIGINT or SIGTERM. */
static volatile sig_atomic_t queue_id = -1;

/*
 * Removes the queue. msgctl(2) is a plain system call, safe in a handler. The
 * main loop's msgrcv(2), interrupted, fails with EINTR and is called again:
 * on the removed queue it fails with EINVAL, and msgq_serve() returns 0.
 */
static void remove_queue(int sig)
{
	int saved_errno = errno;

	(void)sig;
	msgq_remove(queue_id);
	errno = saved_errno;
}

static void upper_case(pid_t client, const char *request, char reply[MSGQ_TEXT_MAX])
{
	size_t i;

	for (i = 0; request[i] != '\0' && i < MSGQ_TEXT_MAX - 1; i++)
		reply[i] = (char)toupper((unsigned char)request[i]);
	reply[i] = '\0';
	fprintf(stderr, "server: pid %d asked \"%s\"\n", (int)client, request);
}

static int catch_stop_signals(void)
{
	struct sigaction action = {.sa_handler = remove_queue};

	sigemptyset(&action.sa_mask);
	return sigaction(SIGINT, &action, NULL) == -1 ||
	       sigaction(SIGTERM, &action, NULL) == -1 ? -1 : 0;
}

int main(int argc, char *argv[])
{
	key_t key;
	int qid;

	if (argc != 2) {
		fputs(usage, stderr);
		return 2;
	}
	if ((key = msgq_key(argv[1], 'Q')) == (key_t)-1) {
		perror("server: msgq_key");
		return 1;
	}
	if ((qid = msgq_create(key)) == -1) {
		perror("server: msgq_create");
		if (errno == EEXIST)
			fprintf(stderr, "server: a queue with key 0x%08x exists: another server "
				"runs, or one crashed. Check with ipcs -q; remove it with "
				"ipcrm -Q 0x%08x\n", (unsigned)key, (unsigned)key);
		return 1;
	}
	queue_id = qid;
	if (catch_stop_signals() == -1) {
		perror("server: sigaction");
		msgq_remove(qid);
		return 1;
	}
	fprintf(stderr, "server: queue id %d, key 0x%08x; kill %d to stop\n", qid,
		(unsigned)key, (int)getpid());
	if (msgq_serve(qid, upper_case) == -1) {
		perror("server: msgq_serve");
		msgq_remove(qid);
		return 1;
	}
	fputs("server: queue removed, exiting\n", stderr);
	return 0;
}
