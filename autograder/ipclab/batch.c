/*
 * batch.c - grades a whole class (see batch.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "batch.h"
#include "gradebook.h"
#include "report.h"
#include "run.h"
#include "stage.h"
#include "util.h"

struct batch {
	const struct lab *lab;
	const struct batch_opts *opts;
	char *out;
	struct submission *subs;
	int n, jobs;
	int done, running, not_graded;
	double start;
	bool tty;
};

/* ---- finding the submissions ---- */

/* An entry of a directory of submissions that is one: a directory or an archive. */
static bool is_submission(const char *dir, const char *name)
{
	char *entry = xstrfmt("%s/%s", dir, name);
	bool yes = name[0] != '.' && (is_dir(entry) || stage_is_archive(entry));

	free(entry);
	return yes;
}

bool batch_is_class_dir(const struct lab *lab, const char *path)
{
	DIR *dir;
	struct dirent *d;
	bool found = false;

	for (int i = 0; lab->sources[i]; i++) {
		char *source = xstrfmt("%s/%s", path, lab->sources[i]);
		bool there = access(source, F_OK) == 0;

		free(source);
		if (there)
			return false;
	}
	if ((dir = opendir(path)) == NULL)
		return false;
	while (!found && (d = readdir(dir)))
		found = is_submission(path, d->d_name);
	closedir(dir);
	return found;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void add_submission(struct batch *b, const char *path)
{
	b->subs = xrealloc(b->subs, (size_t)(b->n + 1) * sizeof(*b->subs));
	b->subs[b->n++] = (struct submission){.path = xstrdup(path), .name = stage_name(path)};
}

/* The entries of a directory of submissions; loose files are skipped, and said so. */
static int add_class_dir(struct batch *b, const char *path)
{
	struct dirent **names;
	int count = scandir(path, &names, NULL, by_name);

	if (count == -1)
		return error_errno("cannot read the directory %s", path);
	for (int i = 0; i < count; i++) {
		char *entry = xstrfmt("%s/%s", path, names[i]->d_name);

		if (is_submission(path, names[i]->d_name))
			add_submission(b, entry);
		else if (names[i]->d_name[0] != '.')
			printf("skipped %s: not a directory or a .zip/.tar.gz archive\n",
			       entry);
		free(entry);
		free(names[i]);
	}
	free(names);
	return 0;
}

/* ---- where each submission's files go ---- */

static unsigned fnv1a(const char *s)
{
	unsigned hash = 2166136261u;

	for (; *s; s++)
		hash = (hash ^ (unsigned char)*s) * 16777619u;
	return hash;
}

/*
 * A directory name for the submission: its name in safe characters, and a
 * hash of the whole name, so that "Zoë" and "Zo?" do not meet.
 */
static char *make_slug(const struct submission *s)
{
	char safe[41];
	size_t len = 0;

	for (const char *p = s->name; *p && len < sizeof(safe) - 1; p++)
		safe[len++] = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789._-", *p) ? *p : '_';
	safe[len] = '\0';
	if (safe[0] == '.' || len == 0)
		safe[0] = '_', safe[len ? len : 1] = '\0';
	return xstrfmt("%s-%08x", safe, fnv1a(s->name));
}

static void name_dirs(struct batch *b)
{
	for (int i = 0; i < b->n; i++) {
		char *slug = make_slug(&b->subs[i]);
		int copies = 0;

		for (int j = 0; j < i; j++)
			copies += strncmp(b->subs[j].slug, slug, strlen(slug)) == 0;
		b->subs[i].slug = copies ? xstrfmt("%s-%d", slug, copies + 1) : xstrdup(slug);
		b->subs[i].dir = xstrfmt("%s/%s", b->out, b->subs[i].slug);
		free(slug);
	}
}

static char *sub_file(const struct submission *s, const char *file)
{
	return xstrfmt("%s/%s", s->dir, file);
}

static void remove_file(const struct submission *s, const char *file)
{
	char *path = sub_file(s, file);

	unlink(path);
	free(path);
}

/* What a grading writes in OUT/SLUG (records last). */
static const char *const results_files[] = {"records", "results.json", "junit.xml",
					     "report.txt"};

/* True when the staged files in new are those graded last time, in submission/. */
static bool unchanged(const struct lab *lab, const struct submission *s)
{
	char *records = sub_file(s, "records");
	bool same = is_file(records);

	for (int i = 0; same && lab->sources[i]; i++) {
		char *a = xstrfmt("%s/new/%s", s->dir, lab->sources[i]);
		char *b = xstrfmt("%s/submission/%s", s->dir, lab->sources[i]);

		same = same_content(a, b);
		free(a);
		free(b);
	}
	free(records);
	return same;
}

/*
 * Stages the submission into OUT/SLUG/submission; sets problem when it cannot
 * be graded, resumed when it was graded already with these files.
 */
static int prepare(struct batch *b, struct submission *s)
{
	char *fresh = sub_file(s, "new"), *staged = sub_file(s, "submission");
	int rc = -1;

	if ((mkdir(s->dir, 0700) == -1 && errno != EEXIST) ||
	    remove_tree(fresh) == -1 || mkdir(fresh, 0700) == -1) {
		error_errno("cannot make %s", fresh);
		goto out;
	}
	if (stage_submission(b->lab, s->path, fresh, &s->problem) == 0 &&
	    !b->opts->regrade && unchanged(b->lab, s)) {
		s->resumed = true;
	} else if (!s->problem) {
		if (remove_tree(staged) == -1 || rename(fresh, staged) == -1) {
			error_errno("cannot make %s", staged);
			goto out;
		}
	}
	if (!s->resumed)
		for (size_t i = 0; i < sizeof(results_files) / sizeof(*results_files); i++)
			remove_file(s, results_files[i]);
	rc = remove_tree(fresh);
	if (rc == -1)
		error_errno("cannot remove %s", fresh);
out:
	free(fresh);
	free(staged);
	return rc;
}

/* ---- grading, jobs at a time ---- */

static void start_grading(struct batch *b, struct submission *s)
{
	char *report = sub_file(s, "report.txt");
	char *argv[16], deadline[32];
	int argc = 0;

	argv[argc++] = "ipclab";
	argv[argc++] = "grade";
	argv[argc++] = (char *)b->lab->number;
	argv[argc++] = xstrfmt("%s/submission", s->dir);
	argv[argc++] = "--results";
	argv[argc++] = sub_file(s, "results.json");
	argv[argc++] = "--junit";
	argv[argc++] = sub_file(s, "junit.xml");
	argv[argc++] = "--records";
	argv[argc++] = sub_file(s, "records");
	if (b->opts->deadline > 0) {
		snprintf(deadline, sizeof(deadline), "%g", b->opts->deadline);
		argv[argc++] = "--deadline";
		argv[argc++] = deadline;
	}
	if (b->opts->limits) {
		argv[argc++] = "--limits";
		argv[argc++] = (char *)b->opts->limits;
	}
	argv[argc] = NULL;
	fflush(stdout);
	s->started = now();
	s->pid = fork();
	if (s->pid == -1)
		die_errno("fork");
	if (s->pid == 0) {
		int fd = open(report, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (fd == -1 || null == -1 || dup2(null, 0) == -1 || dup2(fd, 1) == -1 ||
		    dup2(fd, 2) == -1)
			_exit(EXIT_USAGE);
		signals_default();
		setenv("NO_COLOR", "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	for (int i = 3; i < 10; i += 2)
		free(argv[i]);
	free(report);
	b->running++;
}

/* "[#######.............] 37/200" and what just happened, redrawn or one line each. */
static void progress(struct batch *b, const struct submission *s, const char *what)
{
	if (!b->tty) {
		printf("[%d/%d] %s: %s\n", b->done, b->n, s->name, what);
		return;
	}
	char bar[31];
	int filled = b->n ? 30 * b->done / b->n : 30;

	memset(bar, '#', 30);
	memset(bar + filled, '.', 30 - filled);
	bar[30] = '\0';
	printf("\r\033[K[%s] %d/%d, %d running  %.30s: %s", bar, b->done, b->n, b->running,
	       s->name, what);
	fflush(stdout);
}

/* Its results, from OUT/SLUG/records: 0, or -1 when there are none. */
static int load_records(struct submission *s)
{
	char *records = sub_file(s, "records");
	int rc;

	run_free(&s->run);
	rc = records_load(&s->run, records, NULL, false);
	free(records);
	return rc;
}

static void graded(struct batch *b, struct submission *s, int status)
{
	char what[96], score[AG_POINTS_LEN];

	b->running--;
	b->done++;
	s->pid = 0;
	if (load_records(s) == -1) {
		s->problem = xstrfmt("the grader stopped before writing its results "
				     "(exit status %d): see %s/report.txt",
				     WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
				     WTERMSIG(status), s->slug);
		snprintf(what, sizeof(what), "not graded");
	} else {
		s->finished = true;
		snprintf(what, sizeof(what), "%s/%d (%.1f s)",
			 ag_points(score, run_score(&s->run)), run_max_score(&s->run),
			 now() - s->started);
	}
	progress(b, s, what);
}

static struct submission *find_pid(struct batch *b, pid_t pid)
{
	for (int i = 0; i < b->n; i++)
		if (b->subs[i].pid == pid)
			return &b->subs[i];
	return NULL;
}

/* Reaps what ended; on an interrupt, stops every grading still running. */
static void reap(struct batch *b)
{
	struct pollfd pfd = {.fd = signal_fd(), .events = POLLIN};
	pid_t pid;
	int status;

	poll(&pfd, 1, 200);
	signal_fd_drain();
	if (interrupted_by)
		for (int i = 0; i < b->n; i++)
			if (b->subs[i].pid > 0)
				kill(b->subs[i].pid, SIGTERM);
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct submission *s = find_pid(b, pid);

		if (s)
			graded(b, s, status);
	}
}

static void grade_all(struct batch *b)
{
	int next = 0;

	while (!interrupted_by && (next < b->n || b->running > 0)) {
		while (next < b->n && b->running < b->jobs) {
			struct submission *s = &b->subs[next++];

			if (s->resumed || s->problem) {
				s->finished = s->resumed;
				b->done++;
				progress(b, s, s->problem ? "not graded" :
					 "graded before, same files (--regrade to redo)");
			} else {
				start_grading(b, s);
			}
		}
		reap(b);
	}
	while (b->running > 0)
		reap(b);
	if (b->tty)
		printf("\n");
}

/* ---- the results ---- */

/* A submission that could not be graded: every test failed, and its reports say why. */
static void write_not_graded(struct batch *b, struct submission *s)
{
	char *json = sub_file(s, "results.json"), *report = sub_file(s, "report.txt");
	FILE *out;

	run_free(&s->run);
	run_not_graded(b->lab, NULL, s->problem, AG_FAILED, &s->run);
	if (report_json(json, &s->run) == -1)
		error_errno("cannot write %s", json);
	if ((out = fopen(report, "w")) == NULL) {
		error_errno("cannot write %s", report);
	} else {
		report_terminal(out, &s->run, &(struct report_style){0});
		fclose(out);
	}
	free(json);
	free(report);
}

static int count_finished(const struct batch *b)
{
	int n = 0;

	for (int i = 0; i < b->n; i++)
		n += b->subs[i].finished;
	return n;
}

int grade_batch(const struct lab *lab, char *const paths[], int npaths,
		const struct batch_opts *opts)
{
	struct batch b = {.lab = lab, .opts = opts, .start = now(),
			  .tty = isatty(STDOUT_FILENO)};
	int lock, rc = 0;

	b.out = opts->out ? xstrdup(opts->out) : xstrfmt("ipclab-grades/%s", lab->dir);
	if (npaths == 1 && batch_is_class_dir(lab, paths[0])) {
		if (add_class_dir(&b, paths[0]) == -1)
			return EXIT_USAGE;
	} else {
		for (int i = 0; i < npaths; i++)
			add_submission(&b, paths[i]);
	}
	if (b.n == 0)
		return error_msg("no submissions in %s: it holds no directories and no "
				 ".zip/.tar.gz archives", paths[0]), EXIT_USAGE;
	if (mkdir_p(b.out) == -1)
		return error_errno("cannot create %s", b.out), EXIT_USAGE;
	char *lock_path = xstrfmt("%s/.lock", b.out);
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(lock_path);
	if (lock == -1 || flock(lock, LOCK_EX | LOCK_NB) == -1)
		return error_msg("another `ipclab grade` is writing to %s: wait for it, or "
				 "choose another --out", b.out), EXIT_USAGE;
	hide_from_tests(b.out);
	name_dirs(&b);
	b.jobs = opts->jobs > 0 ? opts->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
	printf("grading %d submission%s of %s, %d at a time, into %s/\n", b.n,
	       b.n == 1 ? "" : "s", lab->title, b.jobs, b.out);
	for (int i = 0; i < b.n; i++)
		if (prepare(&b, &b.subs[i]) == -1)
			rc = EXIT_USAGE;
	if (rc == 0)
		grade_all(&b);
	for (int i = 0; i < b.n && rc == 0; i++) {
		struct submission *s = &b.subs[i];

		if (s->resumed && load_records(s) == -1)
			s->problem = xstrdup("its earlier results are unreadable: grade it "
					     "again with --regrade");
		if (s->problem) {
			write_not_graded(&b, s);
			b.not_graded++;
		} else {
			submission_judge(lab, s);
		}
	}
	if (rc == 0 && interrupted_by)
		printf("interrupted: %d of %d graded, no gradebook written; the same "
		       "command goes on from there\n", count_finished(&b), b.n);
	else if (rc == 0)
		rc = gradebook_write(lab, b.out, b.subs, b.n, now() - b.start);
	if (rc == 0)
		rc = b.not_graded ? 1 : 0;
	for (int i = 0; i < b.n; i++)
		submission_free(&b.subs[i]);
	free(b.subs);
	free(b.out);
	close(lock);
	return rc;
}
