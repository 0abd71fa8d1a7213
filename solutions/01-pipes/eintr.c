/*
 * eintr.c - Lab 01 demo: what a signal handler does to a blocked read(2),
 * waitpid(2) and poll(2), with and without SA_RESTART.
 *
 * Usage:   ./eintr
 *
 * For each call and each way of installing a SIGALRM handler (sigaction with
 * SA_RESTART, sigaction without it, and glibc's signal(), which sets
 * SA_RESTART), the program blocks in the call; a helper process waits until
 * /proc says the program sleeps, then sends SIGALRM. The handler makes the
 * call's event happen (it writes 5 bytes into the pipe read(2) and poll(2)
 * wait on, or kills the child waitpid(2) waits for), so a call that the
 * kernel restarts returns at once with it. One line per case says what the
 * call returned. Exits 1 with a message when a setup call fails.
 *
 * Partner: none (it uses no function of pipes.c). Handout: README.md §2.7.
 */
#define _GNU_SOURCE		/* the BSD semantics of signal(): SA_RESTART */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum call { READ, WAITPID, POLL };
enum install { WITH_RESTART, WITHOUT_RESTART, WITH_SIGNAL };

static const char *const call_names[] = { "read", "waitpid", "poll" };
static const char *const install_names[] = {
	"with SA_RESTART", "without SA_RESTART", "with signal()",
};

/* What the handler acts on: the pipe's write end, or the child to kill. */
static int event_pipe[2];
static pid_t sleeper;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Makes the awaited event happen; write(2) and kill(2) are async-signal-safe. */
static void on_alarm(int sig)
{
	int saved_errno = errno;

	(void)sig;
	if (sleeper > 0)
		kill(sleeper, SIGKILL);
	else if (write(event_pipe[1], "hello", 5) != 5)
		_exit(2);
	errno = saved_errno;
}

static void install_handler(enum install how)
{
	struct sigaction action = { .sa_handler = on_alarm };

	if (how == WITH_SIGNAL) {
		if (signal(SIGALRM, on_alarm) == SIG_ERR)
			die("signal");
		return;
	}
	sigemptyset(&action.sa_mask);
	action.sa_flags = how == WITH_RESTART ? SA_RESTART : 0;
	if (sigaction(SIGALRM, &action, NULL) == -1)
		die("sigaction");
}

/* True when process pid sleeps (state S in /proc/PID/stat). */
static int is_sleeping(pid_t pid)
{
	char path[64], stat[256];
	FILE *file;
	char *end;
	size_t len;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	file = fopen(path, "r");
	if (file == NULL)
		return 0;
	len = fread(stat, 1, sizeof stat - 1, file);
	fclose(file);
	stat[len] = '\0';
	end = strrchr(stat, ')');	/* the state follows "(comm) " */
	return end != NULL && end[1] == ' ' && end[2] == 'S';
}

/*
 * Forks a helper that sends SIGALRM to us once we sleep: waiting on that
 * event, not on a timer, so the signal cannot come before the call blocks.
 */
static pid_t signal_when_blocked(void)
{
	pid_t caller = getpid();
	pid_t helper = fork();

	if (helper == -1)
		die("fork");
	if (helper == 0) {
		while (!is_sleeping(caller))
			usleep(1000);
		_exit(kill(caller, SIGALRM) == 0 ? 0 : 1);
	}
	return helper;
}

/* Blocks in @p call until the handler acts; prints what the call returned. */
static void try_call(enum call call, enum install how)
{
	struct pollfd wanted;
	char buf[16], label[32];
	pid_t helper;
	long got;
	int got_errno;

	if (pipe(event_pipe) == -1)
		die("pipe");
	sleeper = 0;
	if (call == WAITPID) {
		sleeper = fork();
		if (sleeper == -1)
			die("fork");
		if (sleeper == 0) {
			pause();	/* until the handler kills it */
			_exit(0);
		}
	}
	install_handler(how);
	helper = signal_when_blocked();
	switch (call) {
	case READ:
		got = read(event_pipe[0], buf, sizeof buf);
		break;
	case WAITPID:
		got = waitpid(sleeper, NULL, 0);
		break;
	default:
		wanted = (struct pollfd){ .fd = event_pipe[0], .events = POLLIN };
		got = poll(&wanted, 1, -1);
		break;
	}
	got_errno = errno;
	snprintf(label, sizeof label, "%s:", install_names[how]);
	printf("%-7s %-20s ", call_names[call], label);
	if (got == -1)
		printf("-1 %s\n", got_errno == EINTR ? "EINTR" : strerror(got_errno));
	else if (call == WAITPID)
		printf("restarted, returned the child's pid\n");
	else
		printf("%s, returned %ld\n", call == POLL ? "went on" : "restarted", got);
	if (waitpid(helper, NULL, 0) == -1 || (got == -1 && call == WAITPID &&
					       waitpid(sleeper, NULL, 0) == -1))
		die("waitpid");
	close(event_pipe[0]);
	close(event_pipe[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (enum call call = READ; call <= POLL; call++)
		for (enum install how = WITH_RESTART; how <= WITH_SIGNAL; how++)
			try_call(call, how);
	return 0;
}
