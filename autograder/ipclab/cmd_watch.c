/*
 * cmd_watch.c - `ipclab watch NN`: runs `ipclab test NN`, then again each
 * time a source file of labs/NN-topic/ is saved (inotify IN_CLOSE_WRITE or
 * IN_MOVED_TO, debounced). Where inotify cannot see changes (shared folders
 * of a VM, network and FUSE filesystems) it looks at the files' times once a
 * second, and says so. SIGINT or SIGTERM ends it with status 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "ipclab.h"
#include "util.h"

#define DEBOUNCE_MS 150		/* an editor's save is several events: wait for quiet */
#define POLL_MS 1000

/* Filesystems where inotify never hears of changes made on the other side. */
static const char *silent_filesystem(const char *dir)
{
	static const struct { long magic; const char *name; } silent[] = {
		{0x786f4256, "vboxsf"}, {0x01021997, "9p"}, {0x6969, "NFS"},
		{0x65735546, "FUSE"},
	};
	struct statfs fs;

	if (statfs(dir, &fs) == -1)
		return NULL;
	for (size_t i = 0; i < sizeof(silent) / sizeof(silent[0]); i++)
		if ((long)fs.f_type == silent[i].magic)
			return silent[i].name;
	return NULL;
}

static bool is_source(const struct lab *lab, const char *name)
{
	for (int i = 0; lab->sources[i]; i++)
		if (strcmp(lab->sources[i], name) == 0)
			return true;
	return false;
}

/* What the sources look like now: times, sizes and inodes mixed into one number. */
static unsigned long long sources_stamp(const struct lab *lab, const char *labdir)
{
	unsigned long long stamp = 1469598103934665603ULL;

	for (int i = 0; lab->sources[i]; i++) {
		char *path = xstrfmt("%s/%s", labdir, lab->sources[i]);
		struct stat st;
		unsigned long long parts[4] = {0};

		if (stat(path, &st) == 0) {
			parts[0] = (unsigned long long)st.st_mtim.tv_sec;
			parts[1] = (unsigned long long)st.st_mtim.tv_nsec;
			parts[2] = (unsigned long long)st.st_size;
			parts[3] = (unsigned long long)st.st_ino;
		}
		for (int p = 0; p < 4; p++)
			stamp = (stamp ^ parts[p]) * 1099511628211ULL;
		free(path);
	}
	return stamp;
}

/* Reads the queued events: true when a source was written. -1 when the watch is gone. */
static int read_events(int ifd, const struct lab *lab)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *event = (struct inotify_event *)p;

			if (event->mask & (IN_IGNORED | IN_Q_OVERFLOW))
				return event->mask & IN_IGNORED ? -1 : 1;
			if (event->len > 0 && is_source(lab, event->name))
				changed = 1;
			p += sizeof(*event) + event->len;
		}
	}
	return changed;
}

/* 1 after a change (and DEBOUNCE_MS of quiet), 0 on a signal, -1 when inotify fails. */
static int wait_inotify(int ifd, const struct lab *lab)
{
	bool changed = false;

	for (;;) {
		struct pollfd fds[] = {{.fd = ifd, .events = POLLIN},
				       {.fd = signal_fd(), .events = POLLIN}};
		int n = poll(fds, 2, changed ? DEBOUNCE_MS : -1);

		if (interrupted_by)
			return 0;
		if (n == 0)
			return 1;
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0 && fds[1].revents)
			signal_fd_drain();
		if (n > 0 && fds[0].revents) {
			int got = read_events(ifd, lab);
			if (got == -1)
				return -1;
			changed = changed || got;
		}
	}
}

/* 1 when the sources' stamp differs from stamp, 0 on a signal. */
static int wait_polling(const struct lab *lab, const char *labdir,
			unsigned long long stamp)
{
	for (;;) {
		struct pollfd fds[] = {{.fd = signal_fd(), .events = POLLIN}};

		poll(fds, 1, POLL_MS);
		if (interrupted_by)
			return 0;
		signal_fd_drain();
		if (sources_stamp(lab, labdir) != stamp)
			return 1;
	}
}

static void run_once(const struct lab *lab, const char *how)
{
	static const struct selection all = {NULL, 0};
	bool terminal = isatty(STDOUT_FILENO);

	if (terminal)
		fputs("\033[H\033[2J", stdout);	/* home, then clear the screen */
	test_lab(lab, &all, false);
	if (!interrupted_by)
		printf("\nwatching labs/%s/ %s; Ctrl-C stops\n", lab->dir, how);
	fflush(stdout);
}

static int open_inotify(const char *labdir, char *why, size_t cap)
{
	const char *fs = silent_filesystem(labdir);
	int ifd;

	if (fs) {
		snprintf(why, cap, "inotify does not see changes on %s", fs);
		return -1;
	}
	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd == -1 ||
	    inotify_add_watch(ifd, labdir, IN_CLOSE_WRITE | IN_MOVED_TO) == -1) {
		snprintf(why, cap, "inotify failed: %s", strerror(errno));
		if (ifd != -1)
			close(ifd);
		return -1;
	}
	return ifd;
}

int cmd_watch(int argc, char **argv)
{
	char why[160] = "", *how;
	int c, ifd, changed;

	if ((c = no_options("watch", argc, argv)) != -1)
		return c;
	if (argc - optind != 1)
		return usage_error("watch", optind >= argc ?
				   "which lab? (ipclab watch 01)" : "watches one lab");
	const struct lab *lab = lab_lookup(argv[optind]);
	if (lab == NULL)
		return EXIT_USAGE;

	char *labdir = kit_path("labs/%s", lab->dir);
	ifd = open_inotify(labdir, why, sizeof(why));
	how = ifd == -1 ? xstrfmt("by looking once a second (%s)", why)
			: xstrdup("for saved changes");
	do {
		unsigned long long stamp = sources_stamp(lab, labdir);

		run_once(lab, how);
		if (interrupted_by)
			break;
		changed = ifd == -1 ? wait_polling(lab, labdir, stamp) :
				      wait_inotify(ifd, lab);
		if (changed == -1) {	/* the directory went away or inotify broke */
			close(ifd);
			ifd = -1;
			free(how);
			how = xstrdup("by looking once a second "
				      "(inotify stopped working)");
			changed = 1;
		}
	} while (changed == 1 && !interrupted_by);
	if (ifd != -1)
		close(ifd);
	free(how);
	free(labdir);
	return 0;
}
