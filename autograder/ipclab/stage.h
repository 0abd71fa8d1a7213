/*
 * stage.h - taking a lab's source files out of one submission of a class,
 * for batch grading.
 *
 * A submission is a directory or an archive (.zip, .tar.gz, .tgz, .tar) as
 * course platforms export them. The lab's files may sit at its top or in a
 * subdirectory (a student who zipped a folder). Only those files are taken,
 * each a regular file of at most SOURCE_MAX bytes; nothing else is read or
 * written. A submission is refused, with a sentence that says why and what
 * to do, when it is empty, lacks a file, holds one twice, holds it as a
 * symbolic link, or (an archive) holds an entry that would land outside it
 * (an absolute path or "..") or an entry larger than STAGE_ENTRY_MAX.
 */
#ifndef IPCLAB_STAGE_H
#define IPCLAB_STAGE_H

#include <stdbool.h>
#include "labs.h"

#define STAGE_ENTRY_MAX (64 << 20)	/* bytes: a larger archive entry is refused */
#define STAGE_DEPTH 4			/* subdirectory levels searched for the files */

/* True when path names an archive by its extension. */
bool stage_is_archive(const char *path);

/*
 * The submission's name: the file name of path without an archive extension
 * ("subs/Zoë Ünal.zip" -> "Zoë Ünal"). Malloc'd.
 */
char *stage_name(const char *path);

/*
 * Writes the lab's sources found in the submission at path into dest, an
 * existing empty directory. Returns 0, or -1 with *problem (malloc'd) saying
 * why the submission cannot be graded.
 */
int stage_submission(const struct lab *lab, const char *path, const char *dest,
		     char **problem);

#endif
