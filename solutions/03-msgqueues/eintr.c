/*
 * eintr.c - Lab 03 demo: what a signal handler does to a blocked msgrcv(2),
 * with and without SA_RESTART, next to what it does to a blocked read(2).
 *
 * Usage:   ./eintr                     (takes four seconds)
 *
 * Blocks four times, each time until SIGALRM comes one second later: in
 * msgrcv on an empty private queue, then in read on an empty pipe, once with
 * a handler installed without SA_RESTART and once with it. The handler
 * delivers what the blocked call waits for (a message, a byte), so a call
 * that the kernel restarts after the handler returns it, and a call that it
 * does not restart fails with EINTR. One line per case on stdout. Exit
 * status: 0, or 1 when a call fails in another way.
 *
 * Who removes the queue: this program, which created it (IPC_PRIVATE), before
 * it exits. Handout: README.md §2.8.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

struct message {
	long mtype;
	char mtext[1];
};

static int queue_id = -1;
static int pipe_ends[2];

/* What the handler delivers: 'q' a message to the queue, 'p' a byte to the pipe. */
static volatile sig_atomic_t deliver_to;

static void die(const char *what)
{
	perror(what);
	if (queue_id != -1)
		msgctl(queue_id, IPC_RMID, NULL);
	exit(1);
}

/* msgsnd(2) and write(2) are plain system calls: safe in a handler. */
static void deliver(int sig)
{
	struct message msg = {.mtype = 1, .mtext = {'m'}};
	int saved_errno = errno;

	(void)sig;
	if (deliver_to == 'q')
		msgsnd(queue_id, &msg, sizeof(msg.mtext), IPC_NOWAIT);
	else if (write(pipe_ends[1], "p", 1) != 1)
		_exit(1);
	errno = saved_errno;
}

/* Installs deliver() for SIGALRM with sa_flags @p flags; SIGALRM comes in one second. */
static void alarm_in_one_second(int flags, char target)
{
	struct sigaction action = {.sa_handler = deliver, .sa_flags = flags};

	sigemptyset(&action.sa_mask);
	deliver_to = target;
	if (sigaction(SIGALRM, &action, NULL) == -1)
		die("eintr: sigaction");
	alarm(1);
}

static const char *handler_kind(int flags)
{
	return flags & SA_RESTART ? "with SA_RESTART:   " : "without SA_RESTART:";
}

static void block_in_msgrcv(int flags)
{
	struct message msg;

	alarm_in_one_second(flags, 'q');
	if (msgrcv(queue_id, &msg, sizeof(msg.mtext), 0, 0) != -1) {
		printf("handler %s msgrcv restarted, and returned the handler's message\n",
		       handler_kind(flags));
		return;
	}
	if (errno != EINTR)
		die("eintr: msgrcv");
	/* The message came, but the interrupted call does not take it. */
	if (msgrcv(queue_id, &msg, sizeof(msg.mtext), 0, IPC_NOWAIT) == -1)
		die("eintr: msgrcv IPC_NOWAIT");
	printf("handler %s msgrcv failed with EINTR; the handler's message stayed queued\n",
	       handler_kind(flags));
}

static void block_in_read(int flags)
{
	char byte;

	alarm_in_one_second(flags, 'p');
	if (read(pipe_ends[0], &byte, 1) == 1) {
		printf("handler %s read   restarted, and returned the handler's byte\n",
		       handler_kind(flags));
		return;
	}
	if (errno != EINTR)
		die("eintr: read");
	if (read(pipe_ends[0], &byte, 1) != 1)
		die("eintr: read again");
	printf("handler %s read   failed with EINTR; the handler's byte stayed in the pipe\n",
	       handler_kind(flags));
}

int main(void)
{
	queue_id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (queue_id == -1)
		die("eintr: msgget");
	if (pipe(pipe_ends) == -1)
		die("eintr: pipe");
	setvbuf(stdout, NULL, _IOLBF, 0);	/* a line per case, as it happens */
	block_in_msgrcv(0);
	block_in_msgrcv(SA_RESTART);
	block_in_read(0);
	block_in_read(SA_RESTART);
	if (msgctl(queue_id, IPC_RMID, NULL) == -1)
		die("eintr: msgctl IPC_RMID");
	return 0;
}
