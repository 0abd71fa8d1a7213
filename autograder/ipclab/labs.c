/*
 * labs.c - the lab table (see labs.h), read once from the manifests
 * labs/NN-topic/lab.mk: lines "key := value", comments after '#'.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "build.h"	/* SOURCE_MAX */
#include "labs.h"
#include "util.h"

static struct lab *table;
static int count = -1;

/* Splits value into at most LAB_MAX_FILES - 1 names; dies naming the manifest. */
static void split_files(const char *manifest, const char *key, char *value,
			const char **files)
{
	int n = 0;

	for (char *name = strtok(value, " \t"); name; name = strtok(NULL, " \t")) {
		if (n == LAB_MAX_FILES - 1)
			die("%s: %s names more than %d files", manifest, key,
			    LAB_MAX_FILES - 1);
		files[n++] = xstrdup(name);
	}
}

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Reads one manifest into lab; dies with what to fix when it is not right. */
static void read_manifest(const char *manifest, const char *dir, struct lab *lab)
{
	char *text, *line, *save;

	if (read_text(manifest, &text, 64 * 1024) == -1)
		die_errno("cannot read the lab manifest %s", manifest);
	lab->dir = xstrdup(dir);
	lab->topic = xstrdup(dir + 3);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *equals;

		if (hash)
			*hash = '\0';
		if (*trim(line) == '\0')
			continue;
		equals = strstr(line, ":=");
		if (equals == NULL)
			die("%s: '%s' is not a line \"key := value\"", manifest, trim(line));
		*equals = '\0';
		char *key = trim(line), *value = trim(equals + 2);

		if (strcmp(key, "number") == 0)
			lab->number = xstrdup(value);
		else if (strcmp(key, "title") == 0)
			lab->title = xstrdup(value);
		else if (strcmp(key, "sources") == 0)
			split_files(manifest, key, value, lab->sources);
		else if (strcmp(key, "headers") == 0)
			split_files(manifest, key, value, lab->headers);
		/* Other keys (demos) are for the Makefiles. */
	}
	free(text);
	if (lab->number == NULL || strlen(lab->number) != 2 ||
	    strncmp(lab->number, dir, 2) != 0)
		die("%s: its number must be the first two digits of its folder, %s",
		    manifest, dir);
	if (lab->sources[0] == NULL)
		die("%s: no \"sources := FILE...\" line (the files a student writes)", manifest);
	if (lab->title == NULL)
		lab->title = xstrfmt("Lab %s: %s", lab->number, lab->topic);
}

static void load(void)
{
	char *pattern = kit_path("labs/[0-9][0-9]-*/lab.mk");
	glob_t found;

	count = 0;
	if (glob(pattern, 0, NULL, &found) == 0) {	/* sorted: by number */
		table = xmalloc(found.gl_pathc * sizeof(*table));
		for (size_t i = 0; i < found.gl_pathc; i++) {
			char *dir = xstrdup(found.gl_pathv[i]);

			*strrchr(dir, '/') = '\0';
			memset(&table[count], 0, sizeof(table[count]));
			read_manifest(found.gl_pathv[i], strrchr(dir, '/') + 1, &table[count]);
			count++;
			free(dir);
		}
		globfree(&found);
	}
	free(pattern);
}

int lab_count(void)
{
	if (count == -1)
		load();
	return count;
}

const struct lab *lab_at(int i)
{
	return i >= 0 && i < lab_count() ? &table[i] : NULL;
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

const struct lab *lab_find(const char *name)
{
	for (int i = 0; i < lab_count(); i++) {
		const struct lab *lab = lab_at(i);

		if (strcmp(name, lab->dir) == 0 || strcmp(name, lab->topic) == 0)
			return lab;
		if (all_digits(name) && strlen(name) <= 3 &&
		    atoi(name) == atoi(lab->number))
			return lab;
	}
	return NULL;
}

enum lab_state lab_state(const struct lab *lab)
{
	char *built = kit_path("build/tests/%s", lab->dir);
	enum lab_state state = is_dir(built) ? LAB_READY : LAB_NOT_BUILT;

	free(built);
	return state;
}

static void list_labs(void)
{
	if (lab_count() == 0) {
		fprintf(stderr, "ipclab: no lab in %s (no labs/NN-topic/lab.mk)\n",
			kit_root());
		return;
	}
	fputs("ipclab: labs:", stderr);
	for (int i = 0; i < lab_count(); i++)
		fprintf(stderr, " %s %s%s", lab_at(i)->number, lab_at(i)->topic,
			i + 1 < lab_count() ? "," : "\n");
}

const struct lab *lab_lookup(const char *name)
{
	const struct lab *lab = lab_find(name);

	if (lab == NULL) {
		error_msg("no lab named '%s' (name one as 01, 1, 01-pipes or pipes)",
			  name);
		list_labs();
		return NULL;
	}
	if (lab_state(lab) == LAB_NOT_BUILT) {
		error_msg("lab %s is not built (build/tests/%s is missing): "
			  "run `make` in %s", lab->number, lab->dir, kit_root());
		return NULL;
	}
	return lab;
}

char *lab_plan_path(const struct lab *lab)
{
	return kit_path("build/tests/%s/plan.records", lab->dir);
}

char *lab_last_path(const struct lab *lab)
{
	return kit_path("build/last/%s.results", lab->dir);
}

/*
 * The anchor GitHub and GitLab give a heading: lower case, every character
 * but letters, digits, '_', '-' and spaces dropped, spaces made '-'.
 * "3.2 run_pipeline(): who closes what (30 points)" becomes
 * "32-run_pipeline-who-closes-what-30-points".
 */
static char *heading_anchor(const char *heading)
{
	char *anchor = xstrdup(heading), *out = anchor;

	for (const char *in = heading; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == ' ')
			*out++ = '-';
		else if (isalnum(c) || c == '_' || c == '-')
			*out++ = (char)tolower(c);
	}
	*out = '\0';
	return anchor;
}

/* "3.2 TITLE (N points)" or "(1 point)": the number and title; false for another heading. */
static bool task_heading(char *heading, char **number, char **title)
{
	size_t digits = strspn(heading, "0123456789.");
	char *points = strrchr(heading, '(');

	if (digits < 3 || heading[digits] != ' ' || memchr(heading, '.', digits) == NULL ||
	    points == NULL || points < heading + digits || !isdigit((unsigned char)points[1]))
		return false;
	char *end = points + 1 + strspn(points + 1, "0123456789");
	if (strcmp(end, " points)") != 0 && strcmp(end, " point)") != 0)
		return false;
	*number = xstrfmt("%.*s", (int)digits, heading);
	*title = xstrfmt("%.*s", (int)(points - heading - digits - 1), heading + digits + 1);
	trim(*title);	/* the space before "(N points)" */
	return true;
}

void lab_tasks(const struct lab *lab, struct ag_run *run)
{
	char *handout = xstrfmt("labs/%s/README.md", lab->dir);
	char *path = kit_path("%s", handout);
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	while (in && getline(&line, &cap, in) != -1) {
		char *number, *title;

		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "### ", 4) != 0 || !task_heading(line + 4, &number, &title))
			continue;
		char *anchor = heading_anchor(line + 4);
		run->tasks = xrealloc(run->tasks, (size_t)(run->ntasks + 1) * sizeof(*run->tasks));
		run->tasks[run->ntasks++] = (struct ag_task){
			.number = number, .title = title,
			.where = xstrfmt("%s#%s", handout, anchor)};
		free(anchor);
	}
	if (in)
		fclose(in);
	free(line);
	free(path);
	free(handout);
}

/* *trap, when there is one, as the last of the n traps; *trap is then NULL. */
static void keep_trap(char ***traps, int *n, char **trap)
{
	if (*trap == NULL)
		return;
	*traps = xrealloc(*traps, (size_t)(*n + 1) * sizeof(**traps));
	(*traps)[(*n)++] = *trap;
	*trap = NULL;
}

/* line without its "**" marks, appended to *text with a space between lines. */
static void append_plain(char **text, const char *line)
{
	char *plain = xstrfmt("%s%s%s", *text ? *text : "", *text ? " " : "", line);
	char *out = plain;

	for (const char *in = plain; *in; in++)
		if (!(in[0] == '*' && in[1] == '*') && !(in[0] == '*' && in > plain && in[-1] == '*'))
			*out++ = *in;
	*out = '\0';
	free(*text);
	*text = plain;
}

int lab_traps(const struct lab *lab, char ***traps)
{
	char *path = kit_path("labs/%s/README.md", lab->dir);
	FILE *in = fopen(path, "r");
	char *line = NULL, *trap = NULL;
	size_t cap = 0;
	bool inside = false;
	int n = 0;

	*traps = NULL;
	while (in && getline(&line, &cap, in) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "## ", 3) == 0)
			inside = strstr(line, " Common traps") != NULL;
		if (!inside || strncmp(line, "## ", 3) == 0)
			continue;
		if (strncmp(line, "**", 2) == 0 || *line == '\0')
			keep_trap(traps, &n, &trap);	/* a trap ends where the next begins */
		if (*line != '\0' && (trap || strncmp(line, "**", 2) == 0))
			append_plain(&trap, line);
	}
	keep_trap(traps, &n, &trap);
	if (in)
		fclose(in);
	free(line);
	free(path);
	return n;
}

/* The file's bytes without any '\r', or NULL when it cannot be read. */
static char *text_without_cr(const char *path)
{
	char *text;

	if (read_text(path, &text, SOURCE_MAX) == -1)
		return NULL;
	char *out = text;
	for (const char *p = text; *p; p++)
		if (*p != '\r')
			*out++ = *p;
	*out = '\0';
	return text;
}

bool lab_is_pristine(const struct lab *lab, const char *dir)
{
	bool same = lab->sources[0] != NULL;

	for (int i = 0; same && lab->sources[i]; i++) {
		char *mine = xstrfmt("%s/%s", dir, lab->sources[i]);
		char *kit = kit_path("build/pristine/%s/%s", lab->dir, lab->sources[i]);
		char *a = text_without_cr(mine), *b = text_without_cr(kit);

		same = a && b && strcmp(a, b) == 0;
		free(a);
		free(b);
		free(mine);
		free(kit);
	}
	return same;
}
