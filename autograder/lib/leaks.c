/*
 * leaks.c - what the student's code left behind, named precisely.
 *
 * A snapshot before the call, a comparison after: descriptors opened and
 * not closed (or closed without being owned), children not reaped, System V
 * objects not removed, /dev/shm names not unlinked, SYSV segments still
 * attached, shared mappings and mapped files not unmapped. Runs inside the test process. And what a command the code
 * exec'd inherited: descriptors other than 0, 1 and 2 (ag_fd_probe).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/random.h>
#include <sys/wait.h>

#include "grader.h"
#include "sandbox.h"

/* How many lines of a file contain a word. */
static int count_lines(const char *path, const char *containing)
{
	char text[65536];
	int lines = 0;

	if (ag_read_file(path, text, sizeof(text)) <= 0)
		return 0;
	for (char *line = text, *next; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		lines += strstr(line, containing) != NULL;
	}
	return lines;
}

static const struct {
	const char *what, *fix;
} sysv_kinds[AG_SYSV_KINDS] = {
	{"System V message queue", "msgctl(IPC_RMID) each queue you create (see ipcs -q)"},
	{"System V semaphore set", "semctl(IPC_RMID) each set you create (see ipcs -s)"},
	{"System V shared memory segment",
	 "shmctl(IPC_RMID) each segment you create (see ipcs -m)"},
};

/*
 * Records one System V object created by this process's uid. Without
 * namespaces that leaves out other programs' objects (and, as root, other
 * tests', each of which has a uid of its own).
 */
static void note_sysv(int kind, long key, int id, long cuid, void *arg)
{
	struct ag_snapshot *snap = arg;
	int n = snap->nsysv[kind];

	if ((uid_t)cuid != geteuid())
		return;
	snap->sysv_total[kind]++;
	if (n >= AG_MAX_SYSV)
		return;
	snap->sysv_key[kind][n] = key;
	snap->sysv_id[kind][n] = id;
	snap->nsysv[kind] = n + 1;
}

/*
 * The /dev/shm entries this uid owns: made by the test, in the modes where
 * each test has a uid of its own. In mode none the uid is the grader's,
 * whose other programs (another grading, say) have names there too: only
 * the names ag_shm_name() gave out count then.
 */
static void list_dev_shm(struct ag_snapshot *snap)
{
	DIR *dir = opendir("/dev/shm");
	struct dirent *entry;
	struct stat st;

	snap->nshm = snap->shm_total = 0;
	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		int n = snap->nshm;

		if (entry->d_name[0] == '.' ||
		    fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    st.st_uid != geteuid() ||
		    (ag_mode == AG_MODE_NONE && !ag_shm_name_given(entry->d_name)))
			continue;
		snap->shm_total++;
		if (n >= AG_MAX_SHM)
			continue;
		snprintf(snap->shm_name[n], sizeof(snap->shm_name[n]), "%.63s", entry->d_name);
		snap->shm_size[n] = (long long)st.st_size;
		snap->nshm = n + 1;
	}
	closedir(dir);
}

/*
 * A mapping the leak check judges: any shared one (but SYSV segments,
 * counted apart) and a private one of a file outside the system's
 * libraries. Anonymous private memory is the heap's and malloc's.
 */
static bool judged_mapping(const char *perms, const char *path)
{
	if (strncmp(path, "/SYSV", 5) == 0)
		return false;
	if (perms[3] == 's')
		return true;
	return path[0] == '/' && strncmp(path, "/usr/", 5) != 0 &&
	       strncmp(path, "/lib", 4) != 0 && strncmp(path, "/etc/", 5) != 0;
}

/* Lists pid's judged mappings, each as "PATH (PERMS, N bytes at 0xADDR)". */
static void list_mappings(pid_t pid, struct ag_snapshot *snap)
{
	static char text[256 * 1024];
	char path[64];

	snap->nmaps = snap->maps_total = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0)
		return;
	for (char *line = text, *next; *line; line = next) {
		unsigned long start, end;
		char perms[8];
		int path_at = 0, n = snap->nmaps;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &path_at) < 3 ||
		    path_at == 0 || !judged_mapping(perms, line + path_at))
			continue;
		snap->maps_total++;
		if (n >= AG_MAX_MAPS)
			continue;
		snap->map_start[n] = start;
		snprintf(snap->map_what[n], sizeof(snap->map_what[n]), "%.100s (%s, %lu bytes at %#lx)",
			 line + path_at, perms, end - start, start);
		snap->nmaps = n + 1;
	}
}

/*
 * Under valgrind (mode none) each process valgrind follows across a fork
 * gets log files of its own: descriptors on regular files are not judged.
 */
static bool not_valgrind_log(pid_t pid, int fd)
{
	char path[64];
	struct stat st;

	if (ag_mode != AG_MODE_NONE)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	return stat(path, &st) != 0 || !S_ISREG(st.st_mode);
}

/*
 * Lists, from /proc, pid's descriptors but skip (and, in the caller itself,
 * this listing's own), each described, up to max; keep, when not NULL, leaves
 * out those it refuses. Returns how many, or -1 when pid's fd directory
 * cannot be read.
 */
static int list_fds(pid_t pid, int skip, bool (*keep)(pid_t pid, int fd), int *fds,
		    char (*what)[64], int max)
{
	char path[64];
	struct dirent *entry;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(dir = opendir(path)))
		return -1;
	while ((entry = readdir(dir)) && n < max) {
		int fd = atoi(entry->d_name);

		if (entry->d_name[0] == '.' || fd == skip ||
		    (pid == getpid() && fd == dirfd(dir)) || (keep && !keep(pid, fd)))
			continue;
		fds[n] = fd;
		ag_describe_fd(pid, fd, what[n], sizeof(what[n]));
		n++;
	}
	closedir(dir);
	return n;
}

/* SigBlk, SigIgn and SigCgt of /proc/PID/status. */
static void read_signal_sets(pid_t pid, struct ag_snapshot *snap)
{
	char path[64], text[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (ag_read_file(path, text, sizeof(text)) <= 0)
		return;
	snap->sig_blocked = ag_signal_set(text, "SigBlk:");
	snap->sig_ignored = ag_signal_set(text, "SigIgn:");
	snap->sig_caught = ag_signal_set(text, "SigCgt:");
}

void ag_snapshot_of(pid_t pid, int skip_fd, struct ag_snapshot *snap)
{
	char path[64];

	memset(snap, 0, sizeof(*snap));
	snap->nfds = list_fds(pid, skip_fd, not_valgrind_log, snap->fds, snap->fd_what,
			      AG_MAX_FDS);
	ag_setup(snap->nfds >= 0, "opendir /proc/PID/fd");
	snap->nchildren = ag_children(pid, snap->children, AG_MAX_CHILDREN);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	snap->sysv_maps = count_lines(path, "/SYSV");
	list_mappings(pid, snap);
	read_signal_sets(pid, snap);
}

/* What is not any one process's: System V objects, /dev/shm names. */
static void snapshot_shared(struct ag_snapshot *snap)
{
	memset(snap->nsysv, 0, sizeof(snap->nsysv));
	memset(snap->sysv_total, 0, sizeof(snap->sysv_total));
	ag_each_sysv_object(note_sysv, snap);
	list_dev_shm(snap);
}

const struct ag_snapshot *ag_last_subject(void)
{
	return ag_subject_after();
}

bool ag_signal_sets_known(void)
{
	return ag_mode != AG_MODE_NONE;
}

void ag_snapshot_take(struct ag_snapshot *snap)
{
	ag_snapshot_of(getpid(), -1, snap);
	snapshot_shared(snap);
	snap->subject_seq = ag_subject_count();
}

static bool has_fd(const struct ag_snapshot *snap, int fd)
{
	for (int i = 0; i < snap->nfds; i++)
		if (snap->fds[i] == fd)
			return true;
	return false;
}

static bool has_child(const struct ag_snapshot *snap, pid_t pid)
{
	for (int i = 0; i < snap->nchildren; i++)
		if (snap->children[i] == pid)
			return true;
	return false;
}

static void leak(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void leak(const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ag_message_add("leak: %s", text);
	ag_shared->leaked = 1;
}

/* Descriptors: new ones leaked; vanished ones were closed by code that did not own them. */
static bool check_fds(const struct ag_snapshot *before, const struct ag_snapshot *now,
		      const char *after)
{
	bool clean = true;

	for (int i = 0; i < before->nfds; i++)
		if (!has_fd(now, before->fds[i]))
			ag_fail(__FILE__, __LINE__,
				"fd %d (%s) was closed by the code under test, which did not open "
				"it (checked after %s): close only the descriptors you created",
				before->fds[i], before->fd_what[i], after);
	for (int i = 0; i < now->nfds; i++) {
		if (has_fd(before, now->fds[i]))
			continue;
		leak("fd %d (%s) still open after %s", now->fds[i], now->fd_what[i], after);
		clean = false;
	}
	return clean;
}

static bool check_children(const struct ag_snapshot *before, const struct ag_snapshot *now,
			   const char *after)
{
	bool clean = true;

	for (int i = 0; i < now->nchildren; i++) {
		char path[64], stat[512], *paren;
		pid_t pid = now->children[i];

		if (has_child(before, pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if (ag_read_file(path, stat, sizeof(stat)) <= 0 || !(paren = strrchr(stat, ')')))
			continue;
		*paren = '\0';
		if (paren[2] == 'Z')
			leak("child pid %d (%s) exited but was never reaped (a zombie) after %s: "
			     "waitpid() every child", (int)ag_inner_pid(pid), strchr(stat, '(') + 1,
			     after);
		else
			leak("child pid %d (%s) still running after %s", (int)ag_inner_pid(pid),
			     strchr(stat, '(') + 1, after);
		clean = false;
	}
	return clean;
}

/* Each System V object that was not there before is named with its key and id. */
static bool check_sysv(const struct ag_snapshot *before, const struct ag_snapshot *now,
		       int kind, const char *after)
{
	bool clean = true;

	for (int i = 0; i < now->nsysv[kind]; i++) {
		bool old = false;

		for (int j = 0; j < before->nsysv[kind]; j++)
			old |= before->sysv_id[kind][j] == now->sysv_id[kind][i];
		if (old)
			continue;
		leak("%s (key 0x%08lx, id %d) left after %s: %s", sysv_kinds[kind].what,
		     (unsigned long)now->sysv_key[kind][i] & 0xffffffffUL, now->sysv_id[kind][i],
		     after, sysv_kinds[kind].fix);
		clean = false;
	}
	if (now->sysv_total[kind] > now->nsysv[kind] &&
	    now->sysv_total[kind] > before->sysv_total[kind])
		leak("%d %s(s) in all after %s, more than the grader names: %s",
		     now->sysv_total[kind] - before->sysv_total[kind], sysv_kinds[kind].what, after,
		     sysv_kinds[kind].fix);
	return clean;
}

static bool check_count(int before, int now, const char *what, const char *after,
			const char *fix)
{
	if (now <= before)
		return true;
	leak("%d %s left after %s: %s", now - before, what, after, fix);
	return false;
}

/* Each /dev/shm name that was not there before, with its size. */
static bool check_dev_shm(const struct ag_snapshot *before, const struct ag_snapshot *now,
			  const char *after)
{
	bool clean = true;

	for (int i = 0; i < now->nshm; i++) {
		const char *name = now->shm_name[i];
		bool old = false, sem = strncmp(name, "sem.", 4) == 0;

		for (int j = 0; j < before->nshm; j++)
			old |= strcmp(before->shm_name[j], name) == 0;
		if (old)
			continue;
		leak("/dev/shm/%s (%lld bytes) left after %s: %s(\"/%s\") removes it; unlink "
		     "each name you create once no process will open it again", name,
		     now->shm_size[i], after, sem ? "sem_unlink" : "shm_unlink", sem ? name + 4 : name);
		clean = false;
	}
	if (now->shm_total > now->nshm && now->shm_total > before->shm_total)
		leak("%d name(s) in /dev/shm in all after %s, more than the grader names: "
		     "shm_unlink() or sem_unlink() each name you create",
		     now->shm_total - before->shm_total, after);
	return clean;
}

/* Each judged mapping that was not there before (by address and what it maps). */
static bool check_mappings(const struct ag_snapshot *before, const struct ag_snapshot *now,
			   const char *after)
{
	bool clean = true;

	for (int i = 0; i < now->nmaps; i++) {
		bool old = false;

		for (int j = 0; j < before->nmaps; j++)
			old |= before->map_start[j] == now->map_start[i] &&
			       strcmp(before->map_what[j], now->map_what[i]) == 0;
		if (old)
			continue;
		leak("a mapping of %s still mapped after %s: munmap() each mapping when you are "
		     "done with it", now->map_what[i], after);
		clean = false;
	}
	if (now->maps_total > now->nmaps && now->maps_total > before->maps_total)
		leak("%d shared or file mapping(s) in all after %s, more than the grader names: "
		     "munmap() what you mmap()", now->maps_total - before->maps_total, after);
	return clean;
}

bool expect_no_leaks(const struct ag_snapshot *before, const char *after)
{
	struct ag_snapshot now;
	bool clean;

	/* Descriptors, children and attachments: the last subject's, when one ran since. */
	if (ag_subject_count() > before->subject_seq)
		now = *ag_subject_after();
	else
		ag_snapshot_take(&now);
	snapshot_shared(&now);
	clean = check_fds(before, &now, after);
	clean &= check_children(before, &now, after);
	for (int kind = 0; kind < AG_SYSV_KINDS; kind++)
		clean &= check_sysv(before, &now, kind, after);
	clean &= check_dev_shm(before, &now, after);
	clean &= check_mappings(before, &now, after);
	clean &= check_count(before->sysv_maps, now.sysv_maps,
			     "System V segment(s) still attached (SYSV in /proc/self/maps)", after,
			     "shmdt() every address shmat() returned");
	return clean;
}

/* ---- descriptors a command inherits (ag_fd_probe) ---- */

#define FD_PROBE_FLAG "--ag-fd-probe"
#define VALGRIND_FDS 1024	/* valgrind's own are above; no test's are */

/*
 * The probe is the test runner itself, started again with FD_PROBE_FLAG and
 * the name of a judge-side watcher's socket (a copy elsewhere would be
 * hidden from the sandbox with the kit). Before main it connects there,
 * says which descriptor that connection is, and waits while the watcher
 * lists its descriptors from /proc; then it becomes the real command (127
 * if that exec fails, like a shell). It opens nothing else.
 */
static void __attribute__((constructor)) fd_probe_main(int argc, char **argv)
{
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	int fd;
	char go;

	if (argc < 4 || strcmp(argv[1], FD_PROBE_FLAG) != 0)
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(address.sun_path + 1, sizeof(address.sun_path) - 1, "%s", argv[2]);
	if (fd != -1 && connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0 &&
	    write(fd, &fd, sizeof(fd)) == sizeof(fd))
		while (read(fd, &go, 1) == -1 && errno == EINTR)
			continue;
	if (fd != -1)
		close(fd);
	execvp(argv[3], argv + 3);
	_exit(127);
}

/* True when pid runs the probe: FD_PROBE_FLAG among its arguments (after valgrind's). */
static bool is_probe(pid_t pid)
{
	char path[64], cmdline[4096];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	len = ag_read_file(path, cmdline, sizeof(cmdline));
	for (char *arg = cmdline; len > 0 && arg < cmdline + len; arg += strlen(arg) + 1)
		if (strcmp(arg, FD_PROBE_FLAG) == 0)
			return true;
	return false;
}

/*
 * The watcher, a judge-side helper: lists, from /proc, the descriptors of
 * each probe that connects. What the probe says is only which descriptor
 * is its connection; the rest is the kernel's view.
 */
static void __attribute__((noreturn)) watch_probes(int listener, struct ag_probe *probe)
{
	for (;;) {
		struct ucred peer;
		socklen_t len = sizeof(peer);
		int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC), its_fd = -1;

		if (conn == -1)
			continue;
		if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 &&
		    read(conn, &its_fd, sizeof(its_fd)) == sizeof(its_fd) && is_probe(peer.pid)) {
			probe->nfds = list_fds(peer.pid, its_fd, NULL, probe->fds,
					       probe->fd_what, AG_MAX_PROBE_FDS);
			probe->seen = 1;
			(void)!write(conn, "g", 1);
		}
		close(conn);
	}
}

/* The watcher's socket, and the watcher, for one probe name. */
static const char *start_watcher(struct ag_probe *probe)
{
	static char names[AG_MAX_PROBES][64];
	struct sockaddr_un address = {.sun_family = AF_UNIX};
	char *name = names[probe - ag_shared->probes];
	unsigned long long token;
	int listener;
	pid_t watcher;

	ag_setup(getrandom(&token, sizeof(token), 0) == sizeof(token), "getrandom");
	snprintf(name, sizeof(names[0]), "ag-probe-%d-%llx", (int)getpid(), token);
	snprintf(address.sun_path + 1, sizeof(address.sun_path) - 1, "%s", name);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ag_setup(listener != -1, "socket");
	ag_setup(bind(listener, (struct sockaddr *)&address, sizeof(address)) == 0 &&
		 listen(listener, 8) == 0, "bind the probe's socket");
	watcher = ag_fork();
	ag_setup(watcher != -1, "fork");
	if (watcher == 0)
		watch_probes(listener, probe);
	close(listener);	/* the code under test gets none of it */
	return name;
}

static struct ag_probe *probe_named(const char *name, bool claim)
{
	for (int i = 0; i < AG_MAX_PROBES; i++) {
		struct ag_probe *probe = &ag_shared->probes[i];

		if (strcmp(probe->name, name) == 0)
			return probe;
		if (claim && probe->name[0] == '\0') {
			snprintf(probe->name, sizeof(probe->name), "%s", name);
			return probe;
		}
	}
	return NULL;
}

char **ag_fd_probe(const char *name, char *const argv[])
{
	static char self[4096];
	struct ag_probe *probe = probe_named(name, true);
	size_t argc = 0;
	char **args;
	ssize_t len;

	ag_setup(probe != NULL, "more than AG_MAX_PROBES probes");
	probe->seen = 0;
	while (argv[argc])
		argc++;
	args = calloc(argc + 4, sizeof(*args));
	ag_setup(args != NULL, "calloc");
	/* Its own path when the sandbox's user may run it (valgrind sees only
	 * that one); otherwise the kernel's link to the running program. */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[len > 0 ? len : 0] = '\0';
	args[0] = len > 0 && access(self, X_OK) == 0 ? self : "/proc/self/exe";
	args[1] = FD_PROBE_FLAG;
	args[2] = (char *)start_watcher(probe);
	memcpy(args + 3, argv, argc * sizeof(*argv));
	return args;
}

void expect_only_stdio_inherited(const char *name, const char *who, const char *fix)
{
	struct ag_probe *probe = probe_named(name, false);

	expect(probe && probe->seen, "%s never started: the descriptors it inherits could "
	       "not be checked", who);
	for (int i = 0; i < probe->nfds; i++) {
		int fd = probe->fds[i];
		const char *what = probe->fd_what[i];

		/* Under valgrind (mode none) the probe holds valgrind's log file, and
		 * valgrind's own descriptors at the top of the table. */
		if (ag_mode == AG_MODE_NONE && (what[0] == '/' || fd >= VALGRIND_FDS))
			continue;
		expect(fd <= 2, "fd %d (%s) was inherited by %s: %s", fd, what, who, fix);
	}
}
