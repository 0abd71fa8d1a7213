/*
 * cmd_reset.c - `ipclab reset NN [--yes]`: puts the skeleton sources of
 * build/pristine/NN-topic/ back into labs/NN-topic/. Every file it replaces
 * is first copied into labs/NN-topic/.backup/YYYYmmdd-HHMMSS/: a student's
 * work is never lost. It asks first, on a terminal; elsewhere only --yes
 * makes it act.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ipclab.h"
#include "util.h"

/* labs/NN-topic/.backup/STAMP, with -2, -3... when that second is taken already. */
static char *pick_backup(const struct lab *lab)
{
	char stamp[32];
	time_t t = time(NULL);

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&t));
	for (int n = 1; ; n++) {
		char *rel = n == 1 ? xstrfmt("labs/%s/.backup/%s", lab->dir, stamp)
				   : xstrfmt("labs/%s/.backup/%s-%d", lab->dir, stamp, n);
		char *path = kit_path("%s", rel);
		bool taken = access(path, F_OK) == 0;

		free(path);
		if (!taken)
			return rel;
		free(rel);
	}
}

static bool confirmed(const char *files, const char *backup)
{
	char answer[64];

	fprintf(stderr, "Reset %s to the skeleton? "
		"Your current files are saved in %s/ [y/N] ", files, backup);
	fflush(stderr);
	if (fgets(answer, sizeof(answer), stdin) == NULL)
		return false;
	answer[strcspn(answer, "\r\n")] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

/* Backs up then replaces each source that differs from the skeleton. */
static int reset_files(const struct lab *lab, const bool *differs, const char *backup)
{
	char *backup_dir = kit_path("%s", backup);
	int rc = 0;

	if (mkdir_p(backup_dir) == -1)
		rc = error_errno("cannot create %s", backup);
	for (int i = 0; lab->sources[i] && rc == 0; i++) {
		const char *name = lab->sources[i];
		char *mine = kit_path("labs/%s/%s", lab->dir, name);
		char *saved = xstrfmt("%s/%s", backup_dir, name);
		char *skeleton = kit_path("build/pristine/%s/%s", lab->dir, name);

		if (differs[i] && access(mine, F_OK) == 0) {
			if (copy_file(mine, saved, 64 << 20, false) == -1)
				rc = error_errno("cannot back up labs/%s/%s: nothing "
						 "was reset", lab->dir, name);
			else
				printf("saved labs/%s/%s as %s/%s\n", lab->dir, name,
				       backup, name);
		}
		if (rc == 0 && differs[i]) {
			if (copy_file(skeleton, mine, 64 << 20, false) == -1)
				rc = error_errno("cannot reset labs/%s/%s", lab->dir,
						 name);
			else
				printf("reset labs/%s/%s to the skeleton\n", lab->dir,
				       name);
		}
		free(mine);
		free(saved);
		free(skeleton);
	}
	rmdir(backup_dir);	/* only when nothing was saved in it */
	free(backup_dir);
	return rc;
}

int cmd_reset(int argc, char **argv)
{
	static const struct option options[] = {
		{"yes", no_argument, NULL, 'y'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool yes = false, differs[LAB_MAX_FILES] = {false}, any = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, ":yh", options, NULL)) != -1) {
		if (c == 'y')
			yes = true;
		else if (c == 'h')
			return usage_of("reset");
		else
			return bad_option("reset", argv, c);
	}
	if (argc - optind != 1)
		return usage_error("reset", optind >= argc ?
				   "which lab? (ipclab reset 01)" : "resets one lab");
	const struct lab *lab = lab_find(argv[optind]);
	if (lab == NULL) {
		lab_lookup(argv[optind]);	/* says what is wrong */
		return EXIT_USAGE;
	}

	char *files = xstrdup("");
	for (int i = 0; lab->sources[i] && rc == 0; i++) {
		const char *name = lab->sources[i];
		char *skeleton = kit_path("build/pristine/%s/%s", lab->dir, name);
		char *mine = kit_path("labs/%s/%s", lab->dir, name);

		if (!is_file(skeleton))
			rc = error_msg("the skeleton build/pristine/%s/%s is missing: "
				       "run `make` in %s", lab->dir, name, kit_root());
		differs[i] = !same_content(skeleton, mine);
		if (differs[i]) {
			char *more = xstrfmt("%s%slabs/%s/%s", files, any ? ", " : "",
					     lab->dir, name);
			free(files);
			files = more;
			any = true;
		}
		free(skeleton);
		free(mine);
	}
	if (rc == 0 && !any) {
		printf("labs/%s/ already holds the skeleton: nothing to reset\n",
		       lab->dir);
	} else if (rc == 0) {
		char *backup = pick_backup(lab);

		if (!yes && !isatty(STDIN_FILENO)) {
			rc = error_msg("reset replaces %s: rerun with --yes to do it "
				       "without a question (your files are backed up "
				       "first)", files);
		} else if (!yes && !confirmed(files, backup)) {
			printf("nothing was changed\n");
			rc = 1;
		} else {
			rc = reset_files(lab, differs, backup);
		}
		free(backup);
	}
	free(files);
	return rc == 0 ? 0 : rc == 1 ? 1 : EXIT_USAGE;
}
