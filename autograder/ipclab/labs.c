/*
 * labs.c - the lab table (see labs.h). A future lab becomes available by
 * giving its row its sources and headers, and building its tests.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "labs.h"
#include "util.h"

const struct lab lab_table[] = {
	{"01", "01-pipes", "pipes", "Lab 01: pipes", {"pipes.c"}, {"pipes.h"}},
	{"02", "02-fifos", "fifos", "Lab 02: FIFOs", {"fifos.c"}, {"fifos.h"}},
	{"03", "03-msgqueues", "msgqueues", "Lab 03: message queues", {"msgqueues.c"}, {"msgqueues.h"}},
	{"04", "04-semaphores", "semaphores", "Lab 04: semaphores", {NULL}, {NULL}},
	{"05", "05-shm", "shm", "Lab 05: shared memory", {NULL}, {NULL}},
	{"06", "06-mmap", "mmap", "Lab 06: mmap", {NULL}, {NULL}},
	{"07", "07-compare", "compare", "Lab 07: comparing IPC", {NULL}, {NULL}},
};
const int lab_count = sizeof(lab_table) / sizeof(lab_table[0]);

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
	for (int i = 0; i < lab_count; i++) {
		const struct lab *lab = &lab_table[i];

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
	if (lab->sources[0] == NULL)
		return LAB_COMING;
	char *built = kit_path("build/tests/%s", lab->dir);
	char *source = kit_path("autograder/tests/%s", lab->dir);
	enum lab_state state = is_dir(built) ? LAB_READY : LAB_NOT_BUILT;

	if (state == LAB_NOT_BUILT && !is_dir(source))
		state = LAB_COMING;
	free(built);
	free(source);
	return state;
}

static void list_labs(void)
{
	fputs("ipclab: labs:", stderr);
	for (int i = 0; i < lab_count; i++)
		fprintf(stderr, " %s %s%s", lab_table[i].number, lab_table[i].topic,
			i + 1 < lab_count ? "," : "\n");
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
	switch (lab_state(lab)) {
	case LAB_COMING:
		error_msg("lab %s (%s) is not in this kit yet: it is coming", lab->number,
			  lab->topic);
		return NULL;
	case LAB_NOT_BUILT:
		error_msg("lab %s is not built (build/tests/%s is missing): "
			  "run `make` in %s", lab->number, lab->dir, kit_root());
		return NULL;
	case LAB_READY:
		break;
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
