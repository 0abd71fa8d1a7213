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
