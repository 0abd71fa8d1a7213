/*
 * labs.h - the lab table: which labs the kit has, the files a student edits
 * in each, and where the kit keeps each lab's pieces. The table is read from
 * each lab's manifest, labs/NN-topic/lab.mk (its header says the keys), so a
 * lab is in the table exactly when its folder is in the kit.
 *
 *   labs/NN-topic/                   the student's working copy, and lab.mk
 *   build/pristine/NN-topic/         the skeleton sources and the lab's headers
 *   build/tests/NN-topic/            the lab's compiled tests (*.o), plan.records
 *   build/last/NN-topic.results      the records of the last `ipclab test NN`
 */
#ifndef IPCLAB_LABS_H
#define IPCLAB_LABS_H

#include <stdbool.h>
#include "records.h"

#define LAB_MAX_FILES 4		/* sources or headers of one lab, and a NULL */

struct lab {
	const char *number;			/* "01" */
	const char *dir;			/* "01-pipes" */
	const char *topic;			/* "pipes" */
	const char *title;			/* "Lab 01: pipes" */
	const char *sources[LAB_MAX_FILES];	/* a student edits; a submission holds */
	const char *headers[LAB_MAX_FILES];	/* the contract: always the kit's own */
};

/* How many labs the kit has, and the i-th, in the order of their numbers. */
int lab_count(void);
const struct lab *lab_at(int i);

enum lab_state {
	LAB_NOT_BUILT,		/* in the kit, but `make` has not built its tests */
	LAB_READY,
};

/* A lab named "01", "1", "01-pipes" or "pipes", or NULL. */
const struct lab *lab_find(const char *name);
enum lab_state lab_state(const struct lab *lab);
/*
 * The lab a user named, ready to grade; otherwise says what is wrong and what to
 * do, and returns NULL.
 */
const struct lab *lab_lookup(const char *name);

/*
 * The tasks of the lab's handout, labs/NN-topic/README.md, in its order, into
 * run->tasks: every heading "### 3.2 TITLE (N points)". None when the
 * handout is not there.
 */
void lab_tasks(const struct lab *lab, struct ag_run *run);

/*
 * The paragraphs of the handout's "Common traps" section ("**5.4 Partial
 * reads and writes.** One read ..."), each on one line without the **, in
 * *traps (malloc'd, as each of them). Returns how many.
 */
int lab_traps(const struct lab *lab, char ***traps);

/*
 * True when every source of the lab in dir is the skeleton's
 * (build/pristine/NN-topic/), carriage returns aside: a lab not started.
 */
bool lab_is_pristine(const struct lab *lab, const char *dir);

char *lab_plan_path(const struct lab *lab);	/* build/tests/NN-topic/plan.records */
char *lab_last_path(const struct lab *lab);	/* build/last/NN-topic.results */

#endif
