/*
 * cmd_doctor.c - `ipclab doctor`: checks this machine for what the labs
 * need, one line each (ok, warn or FAIL, then the fix): where it runs (the
 * course VM, another VM, a container, WSL, bare metal), the kernel and its
 * features, namespaces, /dev/shm, filesystems, tools. The sandbox check
 * is a real probe: a child tries to unshare the namespaces the grader uses.
 * Doctor only looks: it never changes or removes anything.
 * Exit status: 0 when nothing FAILs, else 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ipclab.h"
#include "util.h"

enum level { OK, WARN, FAIL };

static bool colour;
static int failures;

static void say(enum level level, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(enum level level, const char *what, const char *fmt, ...)
{
	static const char *const tag[] = {"ok", "warn", "FAIL"};
	static const char *const paint[] = {"\033[32m", "\033[33m", "\033[31m"};
	va_list ap;

	failures += level == FAIL;
	printf("%s%-4s%s  %s: ", colour ? paint[level] : "", tag[level],
	       colour ? "\033[0m" : "", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A further line under the last one: "why: ...", "fix: ...". */
static void more(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void more(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("      %s: ", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A small /proc or /sys file up to the first of stop's characters, or "". */
static void read_until(const char *path, const char *stop, char *buf, size_t cap)
{
	char *text;

	buf[0] = '\0';
	if (read_text(path, &text, 4096) == -1)
		return;
	snprintf(buf, cap, "%.*s", (int)strcspn(text, stop), text);
	free(text);
}

/* The first word of a small /proc file, or "" when it is not there. */
static void read_word(const char *path, char *buf, size_t cap)
{
	read_until(path, " \t\n", buf, cap);
}

static void check_kernel(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) == -1) {
		say(WARN, "kernel", "uname: %s", strerror(errno));
		return;
	}
	sscanf(u.release, "%d.%d", &major, &minor);
	if (major < 5 || (major == 5 && minor < 3)) {
		say(WARN, "kernel", "Linux %s (%s) is older than 5.3: the course "
		    "measures 6.x", u.release, u.machine);
		more("fix", "use the course VM (vagrant up), or Debian 12 or newer");
	} else {
		say(OK, "kernel", "Linux %s (%s)", u.release, u.machine);
	}
}

static bool in_container(void)
{
	char *cgroup = NULL;
	bool container = access("/.dockerenv", F_OK) == 0 ||
			 access("/run/.containerenv", F_OK) == 0 || getenv("container");

	if (!container && read_text("/proc/1/cgroup", &cgroup, 65536) >= 0)
		container = strstr(cgroup, "docker") || strstr(cgroup, "containerd") ||
			    strstr(cgroup, "kubepods") || strstr(cgroup, "lxc");
	free(cgroup);
	return container;
}

/* The hypervisor's name from the firmware tables, "" on bare metal or when unknown. */
static const char *hypervisor_name(void)
{
	static const struct { const char *clue, *name; } known[] = {
		{"VirtualBox", "VirtualBox"}, {"innotek", "VirtualBox"}, {"QEMU", "QEMU/KVM"},
		{"KVM", "QEMU/KVM"}, {"VMware", "VMware"}, {"Parallels", "Parallels"},
		{"Microsoft", "Hyper-V"}, {"Xen", "Xen"}, {"Apple", "Apple Virtualization"},
		{"Amazon EC2", "Amazon EC2"}, {"Google", "Google Compute Engine"},
	};
	char vendor[128], product[128], both[260];

	read_until("/sys/class/dmi/id/sys_vendor", "\n", vendor, sizeof(vendor));
	read_until("/sys/class/dmi/id/product_name", "\n", product, sizeof(product));
	snprintf(both, sizeof(both), "%s %s", vendor, product);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(both, known[i].clue))
			return known[i].name;
	return "";
}

static bool cpu_flag(const char *flag)
{
	char *cpuinfo = NULL, *line, *save;
	bool found = false;

	if (read_text("/proc/cpuinfo", &cpuinfo, 1 << 20) >= 0 &&
	    (line = strstr(cpuinfo, "\nflags"))) {
		line[strcspn(line + 1, "\n") + 1] = '\0';
		for (char *word = strtok_r(line, " \t:", &save); word && !found;
		     word = strtok_r(NULL, " \t:", &save))
			found = strcmp(word, flag) == 0;
	}
	free(cpuinfo);
	return found;
}

/* Where the kit runs: the course VM, another VM, a container, WSL or bare metal. */
static void check_environment(void)
{
	const char *hypervisor = hypervisor_name();
	bool vm = *hypervisor || cpu_flag("hypervisor");
	char release[128];

	read_word("/proc/sys/kernel/osrelease", release, sizeof(release));
	if (strstr(release, "microsoft") || strstr(release, "WSL")) {
		say(OK, "environment", "WSL 2 (a Hyper-V virtual machine)");
		more("note", "keep the kit inside the Linux file system (~/), not under /mnt/c");
	} else if (in_container()) {
		say(OK, "environment", "a container%s%s%s", vm ? ", inside a virtual machine" : "",
		    *hypervisor ? " on " : "", hypervisor);
	} else if (vm) {
		say(OK, "environment", "a virtual machine (%s)%s", *hypervisor ? hypervisor :
		    "hypervisor unknown", access("/etc/ipclab-guest", F_OK) == 0 ?
		    ", provisioned as the course VM" : "");
	} else {
		say(OK, "environment", "bare metal (no hypervisor, no container)");
	}
}

/* Kernel features the labs and the grader use. */
static void check_kernel_features(void)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);

	if (access("/proc/sysvipc/msg", R_OK) != 0) {
		say(FAIL, "System V IPC", "/proc/sysvipc is missing: this kernel has no "
		    "System V IPC (CONFIG_SYSVIPC), which labs 03 to 05 use");
		more("fix", "use Debian's kernel, or the course VM (README: Running in the VM)");
	} else if (access("/proc/self/syscall", R_OK) != 0 || pidfd == -1) {
		say(WARN, "kernel features", "%s: timeout reports will say less",
		    pidfd == -1 ? "no pidfd_open (Linux < 5.3)" : "no /proc/PID/syscall");
		more("fix", "use Debian 12's kernel or newer");
	} else {
		say(OK, "kernel features", "System V IPC, pidfd_open and /proc/PID/syscall");
	}
	if (pidfd != -1)
		close(pidfd);
}

/* Forks a child that tries the grader's unshare(); returns 0 or the child's errno. */
static int probe_namespaces(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int flags = CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWPID;

		_exit(unshare(flags) == -1 ? errno : 0);
	}
	if (pid == -1)
		return errno;
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

static void explain_no_namespaces(void)
{
	char apparmor[16], userns_clone[16], max_userns[32];

	read_word("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", apparmor,
		  sizeof(apparmor));
	read_word("/proc/sys/kernel/unprivileged_userns_clone", userns_clone,
		  sizeof(userns_clone));
	read_word("/proc/sys/user/max_user_namespaces", max_userns, sizeof(max_userns));
	if (strcmp(apparmor, "1") == 0) {
		more("why", "kernel.apparmor_restrict_unprivileged_userns=1 "
		     "(Ubuntu 23.10 and later)");
		more("fix", "sudo sysctl -w "
		     "kernel.apparmor_restrict_unprivileged_userns=0");
	} else if (strcmp(userns_clone, "0") == 0) {
		more("why", "kernel.unprivileged_userns_clone=0: no user namespaces "
		     "without root");
		more("fix", "sudo sysctl -w kernel.unprivileged_userns_clone=1");
	} else if (strcmp(max_userns, "0") == 0) {
		more("why", "user.max_user_namespaces=0");
		more("fix", "sudo sysctl -w user.max_user_namespaces=15000");
	} else if (in_container()) {
		more("why", "this is a container (Docker?) whose seccomp profile "
		     "forbids unshare");
		more("fix", "docker run --privileged --ipc=private ... (or --cap-add "
		     "SYS_ADMIN --security-opt seccomp=unconfined "
		     "--security-opt apparmor=unconfined)");
	} else {
		more("why", "the kernel or a security module refuses user "
		     "namespaces here");
		more("fix", "use the course VM (vagrant up)");
	}
	more("meanwhile", "ipclab falls back to tests that are not isolated: "
	     "unique names per test, and a before/after check of IPC objects");
}

static void check_sandbox(void)
{
	const char *forced = getenv("IPCLAB_SANDBOX");
	int err = probe_namespaces();

	if (err == 0)
		say(OK, "sandbox", "user, IPC, mount and pid namespaces can be created: "
		    "each test runs isolated");
	else {
		say(WARN, "sandbox", "cannot create user, IPC, mount and pid namespaces "
		    "(unshare: %s)", strerror(err));
		explain_no_namespaces();
	}
	if (forced && *forced)
		more("note", "IPCLAB_SANDBOX=%s is set: the grader uses that mode",
		     forced);
}

static void check_dev_shm(void)
{
	struct statfs fs;

	if (statfs("/dev/shm", &fs) == -1) {
		say(FAIL, "/dev/shm", "%s: POSIX shared memory and semaphores need it",
		    strerror(errno));
		more("fix", "sudo mount -t tmpfs -o size=512m tmpfs /dev/shm");
		return;
	}
	unsigned long long mib = (unsigned long long)fs.f_blocks * fs.f_bsize >> 20;
	unsigned long long free_mib = (unsigned long long)fs.f_bavail * fs.f_bsize >> 20;
	if (fs.f_type != 0x01021994) {	/* TMPFS_MAGIC */
		say(WARN, "/dev/shm", "is not a tmpfs (filesystem type %#lx)",
		    (long)fs.f_type);
		more("fix", "sudo mount -t tmpfs -o size=512m tmpfs /dev/shm");
	} else if (mib < 128) {
		say(WARN, "/dev/shm", "tmpfs of %llu MiB (%llu MiB free): too small "
		    "for labs 05 and 06 (a full tmpfs gives SIGBUS)", mib, free_mib);
		more("fix", "docker run --shm-size=512m ..., or "
		     "sudo mount -o remount,size=512m /dev/shm");
	} else {
		say(OK, "/dev/shm", "tmpfs of %llu MiB (%llu MiB free)", mib, free_mib);
	}
}

static void check_pipe_max(void)
{
	char value[32];

	read_word("/proc/sys/fs/pipe-max-size", value, sizeof(value));
	if (*value == '\0')
		say(WARN, "pipe-max-size", "/proc/sys/fs/pipe-max-size cannot be read");
	else if (atol(value) < 1048576) {
		say(WARN, "pipe-max-size", "%s bytes: lab 01 expects 1048576 "
		    "(1 MiB, the default)", value);
		more("fix", "sudo sysctl -w fs.pipe-max-size=1048576");
	} else {
		say(OK, "pipe-max-size", "%s bytes (F_SETPIPE_SZ up to this without "
		    "privileges)", value);
	}
}

static const char *filesystem_name(long type, bool *bad)
{
	static const struct { long magic; const char *name; bool bad; } known[] = {
		{0xEF53, "ext4", false}, {0x01021994, "tmpfs", false},
		{0x58465342, "xfs", false}, {(long)0x9123683E, "btrfs", false},
		{0x794c7630, "overlayfs", false}, {0x2fc12fc1, "zfs", false},
		{0x786f4256, "vboxsf", true}, {0x01021997, "9p", true},
		{0x6969, "NFS", true}, {0x65735546, "FUSE", true},
		{(long)0xFF534D42, "CIFS", true}, {(long)0xFE534D42, "SMB2", true},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (type == known[i].magic) {
			*bad = known[i].bad;
			return known[i].name;
		}
	}
	*bad = false;
	return NULL;
}

static void check_filesystem(const char *what, const char *path)
{
	struct statfs fs;
	bool bad;
	const char *name;

	if (statfs(path, &fs) == -1) {
		say(WARN, what, "%s: %s", path, strerror(errno));
		return;
	}
	name = filesystem_name((long)fs.f_type, &bad);
	if (bad) {
		say(WARN, what, "%s is on %s: FIFOs, MAP_SHARED and inotify break "
		    "there", path, name);
		more("fix", "copy the kit to a path inside the VM "
		     "(rsync -a /vagrant/ ~/ipc-labs/) and work there");
	} else if (name) {
		say(OK, what, "%s is on %s", path, name);
	} else {
		say(OK, what, "%s (filesystem type %#lx)", path, (long)fs.f_type);
	}
}

static void check_filesystems(void)
{
	char *cwd = getcwd(NULL, 0);
	const char *tmp = getenv("TMPDIR");

	if (cwd)
		check_filesystem("working directory", cwd);
	if (!cwd || strcmp(cwd, kit_root()) != 0)
		check_filesystem("kit", kit_root());
	check_filesystem("temporary files", tmp && *tmp ? tmp : "/tmp");
	free(cwd);
}

/* The first line a command prints, or NULL when it does not run. */
static char *first_line_of(char *const argv[])
{
	char *output = NULL;
	int status = spawn_capture(argv, NULL, &output);

	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(output);
		return NULL;
	}
	output[strcspn(output, "\n")] = '\0';
	return output;
}

static void check_compiler(void)
{
	char *version = first_line_of((char *[]){"cc", "--version", NULL});

	if (version)
		say(OK, "compiler", "cc: %s", version);
	else {
		say(FAIL, "compiler", "cc not found: the labs and the grader compile C");
		more("fix", "sudo apt-get install build-essential");
	}
	free(version);
}

static void check_criterion(void)
{
	char *argv[] = {"pkg-config", "--modversion", "criterion", NULL};
	char *version = first_line_of(argv);

	if (version)
		say(OK, "Criterion", "version %s (pkg-config)", version);
	else if (is_file("/usr/include/criterion/criterion.h"))
		say(OK, "Criterion", "/usr/include/criterion/criterion.h");
	else {
		say(FAIL, "Criterion", "not found: the lab's tests are Criterion tests");
		more("fix", "sudo apt-get install libcriterion-dev pkg-config");
	}
	free(version);
}

static void check_valgrind(void)
{
	char *path = find_in_path("valgrind");

	if (path)
		say(OK, "valgrind", "%s", path);
	else {
		say(WARN, "valgrind", "not found: only needed for memcheck passes");
		more("fix", "sudo apt-get install valgrind");
	}
	free(path);
}

/* Lines of /proc/sysvipc/NAME after its header, or -1. */
static int count_sysv(const char *name)
{
	char *path = xstrfmt("/proc/sysvipc/%s", name), *text;
	int lines = -1;

	if (read_text(path, &text, 16 << 20) >= 0) {
		lines = 0;
		for (char *p = text; *p; p++)
			lines += *p == '\n';
		lines = lines > 0 ? lines - 1 : 0;
		free(text);
	}
	free(path);
	return lines;
}

static void check_sysv(void)
{
	int msg = count_sysv("msg"), sem = count_sysv("sem"), shm = count_sysv("shm");

	if (msg < 0 || sem < 0 || shm < 0) {
		say(WARN, "System V IPC", "/proc/sysvipc cannot be read");
		return;
	}
	if (msg + sem + shm == 0)
		say(OK, "System V IPC", "no message queue, semaphore set or shared "
		    "memory segment in this IPC namespace");
	else {
		say(WARN, "System V IPC", "%d message queue(s), %d semaphore set(s), "
		    "%d shared memory segment(s) in this IPC namespace", msg, sem, shm);
		more("note", "doctor never removes anything: look with `ipcs` "
		     "(`ipcs -p` for pids), and remove only your own with `ipcrm`");
	}
}

static void check_kit(void)
{
	char *library = kit_path("build/lib/libgrader.a");

	if (is_file(library))
		say(OK, "kit", "%s (built)", kit_root());
	else {
		say(WARN, "kit", "%s is not built: `ipclab test` needs build/",
		    kit_root());
		more("fix", "cd %s && make", kit_root());
	}
	free(library);
}

int cmd_doctor(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return usage_of("doctor");
	if (argc > 1)
		return usage_error("doctor", "takes no arguments");
	colour = use_colour(STDOUT_FILENO);
	check_environment();
	check_kernel();
	check_kernel_features();
	check_sandbox();
	check_dev_shm();
	check_pipe_max();
	check_filesystems();
	check_compiler();
	check_criterion();
	check_valgrind();
	check_sysv();
	check_kit();
	return failures ? EXIT_USAGE : 0;
}
