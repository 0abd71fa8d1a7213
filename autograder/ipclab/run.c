/*
 * run.c - runs a lab's test runner and collects its records (see run.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>	/* isfinite */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "build.h"
#include "run.h"
#include "util.h"

#define TAIL_CAP (16 * 1024)	/* bytes of the runner's own output kept */
#define TAIL_LINES 40		/* of them shown when the runner failed */
#define RECORD_LINE_MAX (8 << 20)	/* a longer record line is dropped */
#define DRAIN_SECONDS 1.0	/* to read the output pipe's rest after the end */
#define RECORDS_TICK_MS 25	/* how often the records file is read during a run */
#define MAX_PROCS 4096

/* ---- selections and records files ---- */

bool selected(const struct selection *only, const char *name)
{
	if (only == NULL || only->n == 0)
		return true;
	for (int i = 0; i < only->n; i++)
		if (strcmp(only->names[i], name) == 0)
			return true;
	return false;
}

/*
 * Whether a record line is wanted: plan, result and end lines only for the
 * selected tests; with plan_only, only plan lines of tests that run does not
 * know yet. name receives the line's test name ("" for other kinds).
 */
static bool wanted(struct ag_run *run, const struct selection *only, const char *line,
		   bool plan_only, char *name, size_t name_cap)
{
	size_t kind_len = strcspn(line, "\t");
	bool per_test = strncmp(line, "plan\t", 5) == 0 ||
			strncmp(line, "result\t", 7) == 0 ||
			strncmp(line, "end\t", 4) == 0;

	name[0] = '\0';
	if (plan_only && strncmp(line, "plan\t", 5) != 0)
		return false;
	if (!per_test)
		return true;
	const char *suite = line + kind_len + 1;
	size_t suite_len = strcspn(suite, "\t");
	if (suite[suite_len] == '\0')
		return false;
	const char *start = suite + suite_len + 1;
	snprintf(name, name_cap, "%.*s", (int)strcspn(start, "\t"), start);
	if (!selected(only, name))
		return false;
	if (plan_only) {
		char *suite_name = xstrfmt("%.*s", (int)suite_len, suite);
		bool known = run_find_test(run, suite_name, name) != NULL;

		free(suite_name);
		return !known;
	}
	return true;
}

int records_load(struct ag_run *run, const char *path, const struct selection *only,
		 bool plan_only)
{
	char *text, *save = NULL, name[256];

	if (read_text(path, &text, 64 << 20) == -1)
		return -1;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (wanted(run, only, line, plan_only, name, sizeof(name)))
			rec_apply(run, line);	/* a malformed line is skipped */
	free(text);
	return 0;
}

static void put_record(FILE *out, const char *kind, int n, const char *const fields[])
{
	size_t len;
	char *line = rec_format(kind, n, fields, &len);

	if (line == NULL)
		die_errno("rec_format");
	fwrite(line, 1, len, out);
	free(line);
}

int records_save(const char *path, const struct ag_run *run)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	int rc;

	if (out == NULL)
		die_errno("open_memstream");
	if (run->mode) {
		const char *mode[] = {run->mode, run->mode_reason};
		put_record(out, "mode", 2, mode);
	}
	if (run->output && *run->output) {
		const char *output[] = {run->output};
		put_record(out, "output", 1, output);	/* the compiler's messages */
	}
	for (int i = 0; i < run->ntests; i++) {
		const struct ag_result *t = &run->tests[i];
		char score[AG_POINTS_LEN], max[16], deadline[16], ms[32];

		ag_points(score, t->score);
		snprintf(max, sizeof(max), "%d", t->max_score);
		snprintf(deadline, sizeof(deadline), "%d", t->deadline_ms);
		snprintf(ms, sizeof(ms), "%.0f",
			 isfinite(t->seconds) ? t->seconds * 1000 : 0);
		const char *plan[] = {t->suite, t->name, max, deadline, t->desc, t->hint,
				      t->hidden ? "hidden" : "visible", t->task};
		const char *result[] = {t->suite, t->name, score, max,
					ag_status_name(t->status), ms, t->message,
					t->hint, t->output};
		put_record(out, "plan", 8, plan);
		put_record(out, "result", 9, result);
	}
	if (fclose(out) != 0)
		die_errno("open_memstream");
	rc = write_whole_file(path, text, size);
	free(text);
	return rc;
}

/* Each name a test of the lab (when its plan is there to say). */
int check_test_names(const struct lab *lab, const struct selection *only)
{
	struct ag_run plan = {0};
	char *path = lab_plan_path(lab);
	int rc = 0;

	if (only->n > 0 && records_load(&plan, path, NULL, true) == 0) {
		for (int i = 0; i < only->n && rc == 0; i++) {
			bool found = false;

			for (int t = 0; t < plan.ntests && !found; t++)
				found = strcmp(plan.tests[t].name, only->names[i]) == 0;
			if (!found)
				rc = error_msg("lab %s has no test named '%s' "
					       "(`ipclab hint %s` lists them)",
					       lab->number, only->names[i], lab->number);
		}
	}
	run_free(&plan);
	free(path);
	return rc;
}

/* ---- descendants ---- */

/* The children of pid, from /proc/PID/task/TID/children; -1 when the kernel lacks it. */
static int children_listed(pid_t pid, pid_t *out, int n, int max)
{
	char path[64];
	DIR *tasks;
	struct dirent *task;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((tasks = opendir(path)) == NULL)
		return n;
	while ((task = readdir(tasks)) != NULL && n < max) {
		char file[400], *list, *at, *end;

		if (task->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/children", path, task->d_name);
		if (read_text(file, &list, 1 << 20) == -1) {
			if (errno == ENOENT && pid == getpid()) {
				closedir(tasks);
				return -1;	/* no CONFIG_PROC_CHILDREN */
			}
			continue;
		}
		for (at = list; n < max; at = end) {
			long child = strtol(at, &end, 10);
			if (end == at || child <= 0)
				break;
			out[n++] = (pid_t)child;
		}
		free(list);
	}
	closedir(tasks);
	return n;
}

/* Every descendant of self by scanning /proc/PID/stat for parent pids. */
static int descendants_scanned(pid_t *out, int max)
{
	int n = 0, before;

	out[n++] = getpid();
	do {
		DIR *proc = opendir("/proc");
		struct dirent *entry;

		before = n;
		if (proc == NULL)
			break;
		while ((entry = readdir(proc)) != NULL && n < max) {
			char path[300], *stat, *paren;
			int pid = atoi(entry->d_name), ppid;
			bool known = false;

			if (pid <= 0)
				continue;
			for (int i = 0; i < n && !known; i++)
				known = out[i] == pid;
			snprintf(path, sizeof(path), "/proc/%d/stat", pid);
			if (known || read_text(path, &stat, 4096) == -1)
				continue;
			paren = strrchr(stat, ')');
			if (paren && sscanf(paren + 1, " %*c %d", &ppid) == 1)
				for (int i = 0; i < n; i++)
					if (out[i] == ppid) {
						out[n++] = pid;
						break;
					}
			free(stat);
		}
		closedir(proc);
	} while (n > before && n < max);
	memmove(out, out + 1, (size_t)(n - 1) * sizeof(*out));
	return n - 1;
}

static int descendants(pid_t *out, int max)
{
	int n = children_listed(getpid(), out, 0, max);

	if (n == -1)
		return descendants_scanned(out, max);
	for (int i = 0; i < n && n < max; i++)	/* breadth first: out grows as we go */
		n = children_listed(out[i], out, n, max);
	return n;
}

void kill_descendants(void)
{
	static pid_t procs[MAX_PROCS];
	double give_up = now() + 5;
	int n;

	while ((n = descendants(procs, MAX_PROCS)) > 0) {
		for (int i = 0; i < n; i++)
			kill(procs[i], SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (now() > give_up) {
			error_msg("%d processes left by the tests could not be killed "
				  "(stuck in the kernel?); see `ps -ef`", n);
			return;
		}
		usleep(2000);	/* SIGKILL is delivered; give the dying a moment */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
}

/* ---- the runner's output and records ---- */

struct tail {
	char buf[2 * TAIL_CAP];
	size_t len;
};

static void tail_add(struct tail *t, const char *data, size_t n)
{
	if (n >= TAIL_CAP) {
		memcpy(t->buf, data + n - TAIL_CAP, TAIL_CAP);
		t->len = TAIL_CAP;
		return;
	}
	if (t->len + n > sizeof(t->buf)) {	/* then t->len > TAIL_CAP */
		memmove(t->buf, t->buf + t->len - TAIL_CAP, TAIL_CAP);
		t->len = TAIL_CAP;
	}
	memcpy(t->buf + t->len, data, n);
	t->len += n;
}

/* The last max_lines lines of the last TAIL_CAP bytes, without a final newline. */
static char *tail_lines(const struct tail *t, int max_lines)
{
	size_t len = t->len < TAIL_CAP ? t->len : TAIL_CAP;
	const char *start = t->buf + t->len - len, *end = t->buf + t->len;

	while (end > start && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	const char *p = end;
	for (int lines = 0; p > start; p--)
		if (p[-1] == '\n' && ++lines == max_lines)
			break;
	return xstrfmt("%.*s", (int)(end - p), p);
}

struct session {
	struct ag_run *run;
	const struct selection *only;
	struct tail *tail;
	int records_fd;		/* the records file, read as it grows */
	char *line;		/* a record line being received */
	size_t len, cap;
	bool dropping;		/* the line in progress is too long: skip to its end */
	bool progress, drawn;
	char last[128];		/* the test that ended last */
};

static void apply_record(struct session *s, char *line)
{
	char name[128];

	if (!wanted(s->run, s->only, line, false, name, sizeof(name)))
		return;
	bool ended = strncmp(line, "result\t", 7) == 0 || strncmp(line, "end\t", 4) == 0;
	if (rec_apply(s->run, line) && ended)
		snprintf(s->last, sizeof(s->last), "%s", name);
}

static void draw_progress(struct session *s)
{
	int planned = 0, ended = 0;

	for (int i = 0; i < s->run->ntests; i++) {
		planned += s->run->tests[i].planned;
		ended += s->run->tests[i].has_result || s->run->tests[i].has_end;
	}
	if (planned < s->only->n)
		planned = s->only->n;	/* a run per named test: plans come one by one */
	if (planned == 0)
		return;
	printf("\r\033[K[%d/%d] %.60s", ended, planned,
	       s->last[0] ? s->last : "starting");
	fflush(stdout);
	s->drawn = true;
}

static void feed_records(struct session *s, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			if (!s->dropping) {
				s->line[s->len] = '\0';
				apply_record(s, s->line);
			}
			s->len = 0;
			s->dropping = false;
			continue;
		}
		if (s->dropping)
			continue;
		if (s->len + 1 >= s->cap) {
			if (s->cap >= RECORD_LINE_MAX) {
				s->dropping = true;
				continue;
			}
			s->cap = s->cap ? 2 * s->cap : 4096;
			s->line = xrealloc(s->line, s->cap);
		}
		s->line[s->len++] = data[i];
	}
}

/* Reads what the records file gained since last time (a part line waits for its end). */
static void read_records(struct session *s)
{
	static char buf[65536];
	ssize_t n;
	bool any = false;

	while ((n = read(s->records_fd, buf, sizeof(buf))) > 0 ||
	       (n == -1 && errno == EINTR)) {
		if (n > 0)
			feed_records(s, buf, (size_t)n);
		any = any || n > 0;
	}
	if (any && s->progress)
		draw_progress(s);
}

/* Reads what the output pipe has; closes it (*fd = -1) at end of file. */
static void read_output(struct session *s, int *fd)
{
	static char buf[65536];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n > 0)
		tail_add(s->tail, buf, (size_t)n);
	else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
		close(*fd);
		*fd = -1;
	}
}

/* ---- the runner ---- */

/* In the child: fd 0 /dev/null, 1 and 2 the output pipe; records go to a file. */
static void exec_runner(const char *runner, const char *cwd, const char *records,
			char *const argv[], int out_w, pid_t parent)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	signals_default();
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* if ipclab is killed, so is it */
	if (getppid() != parent)
		_exit(127);	/* it was, before the line above */
	if (null == -1 || chdir(cwd) == -1 || dup2(null, 0) == -1 ||
	    dup2(out_w, 1) == -1 || dup2(out_w, 2) == -1)
		goto fail;
	close_range(3, ~0U, 0);
	setenv("IPCLAB_RECORDS", records, 1);
	unsetenv("IPCLAB_PLAN_ONLY");
	execv(runner, argv);
fail:
	dprintf(out_w, "ipclab: cannot run the test runner %s: %s\n", runner,
		strerror(errno));
	_exit(127);
}

/* Tests run side by side, one per processor (IPCLAB_JOBS overrides), at most 8. */
static int jobs(void)
{
	const char *forced = getenv("IPCLAB_JOBS");
	long n = forced && *forced ? atol(forced) : sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (int)n;
}

/* Starts `RUNNER -jN [--filter=*` `/NAME]` in a process group of its own. */
static pid_t start_runner(const char *runner, const char *cwd, const char *records,
			  const char *name, int *out_r)
{
	int out[2];
	char *filter = name ? xstrfmt("--filter=*/%s", name) : NULL;
	char *parallel = xstrfmt("-j%d", jobs());
	char *argv[] = {(char *)runner, parallel, filter, NULL};
	pid_t pid, parent = getpid();

	if (pipe2(out, O_CLOEXEC) == -1)
		die_errno("pipe");
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_runner(runner, cwd, records, argv, out[1], parent);
	if (pid == -1)
		error_errno("fork");
	else
		setpgid(pid, pid);	/* also here: no race with a kill of the group */
	close(out[1]);
	*out_r = out[0];
	free(filter);
	free(parallel);
	return pid;
}

static double global_deadline(const struct ag_run *run, double user)
{
	double sum = DEADLINE_SLACK;

	if (user > 0)
		return user;
	for (int i = 0; i < run->ntests; i++)
		if (run->tests[i].planned)
			sum += run->tests[i].deadline_ms / 1000.0;
	return sum;
}

static int pidfd_for(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

enum ending { ENDED, DEADLINE, INTERRUPTED, NOT_STARTED };

struct runner_state {
	pid_t pid;
	int out_fd, pidfd;
	bool reaped;
	int status;
	double deadline;	/* the global deadline that applied, in seconds */
};

/* Waits for the runner to end while reading what it writes; says why the wait ended. */
static enum ending wait_runner(struct session *s, struct runner_state *r,
			       double user_deadline, double start)
{
	while (!r->reaped) {
		struct pollfd fds[3];
		int nfds = 0;

		read_records(s);
		r->deadline = global_deadline(s->run, user_deadline);
		double left = start + r->deadline - now();
		if (interrupted_by)
			return INTERRUPTED;
		if (left <= 0)
			return DEADLINE;
		/* a regular file always polls ready: read the records every tick */
		int timeout = left * 1000 < RECORDS_TICK_MS ? (int)(left * 1000) + 1
							    : RECORDS_TICK_MS;
		if (r->out_fd != -1)
			fds[nfds++] = (struct pollfd){.fd = r->out_fd, .events = POLLIN};
		if (r->pidfd != -1)
			fds[nfds++] = (struct pollfd){.fd = r->pidfd, .events = POLLIN};
		fds[nfds++] = (struct pollfd){.fd = signal_fd(), .events = POLLIN};
		if (poll(fds, (nfds_t)nfds, timeout) == -1 && errno != EINTR)
			die_errno("poll");
		for (int i = 0; i < nfds; i++) {
			if (fds[i].revents && fds[i].fd == r->out_fd)
				read_output(s, &r->out_fd);
			else if (fds[i].revents && fds[i].fd == signal_fd())
				signal_fd_drain();
		}
		if (waitpid(r->pid, &r->status, WNOHANG) == r->pid)
			r->reaped = true;
	}
	return ENDED;
}

/* After the end: the rest of the output (its writers are dead now) and of the records. */
static void drain(struct session *s, struct runner_state *r)
{
	double until = now() + DRAIN_SECONDS;

	while (r->out_fd != -1 && now() < until) {
		struct pollfd fds[] = {{.fd = r->out_fd, .events = POLLIN}};

		if (poll(fds, 1, (int)(DRAIN_SECONDS * 1000)) <= 0)
			break;
		read_output(s, &r->out_fd);
	}
	if (r->out_fd != -1)
		close(r->out_fd);
	if (r->pidfd != -1)
		close(r->pidfd);
	read_records(s);
}

static bool every_test_reported(const struct ag_run *run)
{
	for (int i = 0; i < run->ntests; i++)
		if (!run->tests[i].has_result && !run->tests[i].has_end)
			return false;
	return true;
}

/* Why the runner failed, in words; NULL when it did not fail. */
static char *runner_failure(enum ending ending, const struct runner_state *r,
			    const struct ag_run *run)
{
	switch (ending) {
	case INTERRUPTED:
		return xstrfmt("ipclab was interrupted (SIG%s)",
			       sigabbrev_np(interrupted_by));
	case DEADLINE:
		return xstrfmt("the grader's global deadline (%g s) passed",
			       r->deadline);
	case NOT_STARTED:
		return xstrfmt("the test runner could not be started");
	case ENDED:
		break;
	}
	if (WIFSIGNALED(r->status))
		return xstrfmt("the test runner crashed (signal %d, %s)",
			       WTERMSIG(r->status), sigdescr_np(WTERMSIG(r->status)));
	int code = WEXITSTATUS(r->status);
	if (code > 1)
		return xstrfmt("the test runner failed (exit status %d)", code);
	if (run->ntests == 0)
		return xstrfmt("the test runner ran no test (exit status %d)", code);
	if (!every_test_reported(run))
		return xstrfmt("the test runner ended early (exit status %d)", code);
	return NULL;
}

/* Puts the failure and the runner's last output above the tests; returns the reason. */
static char *explain_failure(struct ag_run *run, const char *failure,
			     const struct tail *tail)
{
	char *lines = tail_lines(tail, TAIL_LINES);
	char *last = strrchr(lines, '\n') ? strrchr(lines, '\n') + 1 : lines;
	char *shown = *lines ? xstrfmt("; the test runner's last output:\n%s", lines)
			     : xstrdup("; the test runner printed nothing");
	char *output = xstrfmt("%s%s%s%s\n", run->output ? run->output : "",
			       run->output ? "\n" : "", failure, shown);
	char *reason = *last ? xstrfmt("not run: %s; the test runner's last output: "
				       "%.200s", failure, last)
			     : xstrfmt("not run: %s", failure);

	free(run->output);
	run->output = output;
	free(shown);
	free(lines);
	return reason;
}

/* One run of the runner; returns why it ended, and the failure (if any) in *failure. */
static enum ending run_once(struct session *s, const char *runner, const char *cwd,
			    const char *records, const char *name,
			    const struct grade_opts *opts, double start, char **failure)
{
	struct runner_state r = {.pidfd = -1, .out_fd = -1};
	enum ending ending = NOT_STARTED;

	r.pid = start_runner(runner, cwd, records, name, &r.out_fd);
	if (r.pid != -1) {
		r.pidfd = pidfd_for(r.pid);
		ending = wait_runner(s, &r, opts->deadline, start);
		if (!r.reaped)
			kill(-r.pid, SIGKILL);
		kill_descendants();	/* the runner's leftovers, or its whole tree */
	}
	drain(s, &r);
	if (*failure == NULL)
		*failure = runner_failure(ending, &r, s->run);
	return ending;
}

/*
 * Runs the runner (once per named test, or once for all) and fills run from
 * its records; every planned test ends with a status.
 */
static void run_runner(const struct lab *lab, const char *runner, const char *cwd,
		       const struct grade_opts *opts, struct ag_run *run)
{
	struct tail *tail = xmalloc(sizeof(*tail));
	struct session s = {.run = run, .only = &opts->only, .tail = tail,
			    .progress = opts->progress};
	char *records = xstrfmt("%s/records", cwd), *failure = NULL;
	int runs = opts->only.n > 0 ? opts->only.n : 1;
	double start = now();
	enum ending ending = ENDED;

	tail->len = 0;
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* orphans of the tests come back to us */
	unlink(records);
	s.records_fd = open(records, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (s.records_fd == -1)
		die_errno("cannot create %s", records);
	for (int i = 0; i < runs && (ending == ENDED || ending == NOT_STARTED); i++) {
		const char *name = opts->only.n ? opts->only.names[i] : NULL;

		ending = run_once(&s, runner, cwd, records, name, opts, start, &failure);
	}
	close(s.records_fd);
	if (s.drawn) {
		fputs("\r\033[K", stdout);
		fflush(stdout);
	}
	char *plan = lab_plan_path(lab);
	records_load(run, plan, &opts->only, true);	/* the tests no run announced */
	free(plan);
	char *reason = failure ? explain_failure(run, failure, tail) :
		       xstrdup("not run: the test runner did not run this test");
	rec_finish(run, reason);
	free(reason);
	free(failure);
	free(records);
	free(s.line);
	free(tail);
}

/* ---- grading a work directory ---- */

void fail_all(const struct lab *lab, const struct selection *only, const char *reason,
	      enum ag_status status, struct ag_run *run)
{
	char *plan = lab_plan_path(lab);

	if (records_load(run, plan, only, true) == -1) {
		char *output = xstrfmt("%s%s(the lab's test list build/tests/%s/"
				       "plan.records is missing: run `make` in %s)\n",
				       run->output ? run->output : "",
				       run->output ? "\n" : "", lab->dir, kit_root());
		free(run->output);
		run->output = output;
	}
	rec_finish(run, reason);
	for (int i = 0; i < run->ntests; i++)
		if (run->tests[i].status == AG_NOTRUN)
			run->tests[i].status = status;
	free(plan);
}

void run_not_graded(const struct lab *lab, const struct selection *only,
		    const char *problem, enum ag_status status, struct ag_run *run)
{
	char *reason = xstrfmt("not graded: %s", problem);

	run->lab = xstrdup(lab->dir);
	run->title = xstrdup(lab->title);
	run->output = xstrfmt("%s\n", problem);
	fail_all(lab, only, reason, status, run);
	free(reason);
}

int grade_workdir(const struct lab *lab, const char *workdir,
		  const struct grade_opts *opts, struct ag_run *run)
{
	double start = now();
	struct build b;

	free(run->lab);
	free(run->title);
	run->lab = xstrdup(lab->dir);
	run->title = xstrdup(lab->title);
	if (build_lab(lab, workdir, &b) == -1) {
		build_free(&b);
		return -1;
	}
	run->output = b.messages;
	b.messages = NULL;
	if (interrupted_by) {
		char *reason = xstrfmt("not run: ipclab was interrupted (SIG%s)",
				       sigabbrev_np(interrupted_by));
		fail_all(lab, &opts->only, reason, AG_NOTRUN, run);
		free(reason);
	} else if (b.failed) {
		/* No "above": each report puts the messages where its readers look. */
		char *reason = b.problem ? xstrfmt("did not compile: %s", b.problem) :
			xstrdup(b.link_failed ? "did not link: see the linker's messages" :
				"did not compile: see the compiler's messages");

		run->not_built = true;
		fail_all(lab, &opts->only, reason, AG_FAILED, run);
		free(reason);
	} else {
		run_runner(lab, b.runner, workdir, opts, run);
	}
	run->seconds = now() - start;
	build_free(&b);
	return 0;
}

int run_exit_status(const struct ag_run *run)
{
	if (run->ntests == 0)
		return 1;
	for (int i = 0; i < run->ntests; i++)
		if (run->tests[i].status != AG_PASSED)
			return 1;
	return 0;
}
