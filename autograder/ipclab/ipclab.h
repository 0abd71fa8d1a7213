/*
 * ipclab.h - the subcommands (one file each, cmd_*.c) and what main.c
 * gives them: the usage text, defined once in main.c's command table.
 */
#ifndef IPCLAB_H
#define IPCLAB_H

#include <stdbool.h>
#include "labs.h"
#include "run.h"

int cmd_progress(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_hint(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_scenario(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* "ipclab CMD: what was wrong" and CMD's usage line on stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* CMD's usage line on stdout (for -h); returns 0. */
int usage_of(const char *cmd);
/*
 * For getopt_long loops whose option string starts with ':': the usage error
 * for what getopt_long returned (':' a missing value, '?' an unknown option).
 */
int bad_option(const char *cmd, char **argv, int c);
/* For a command whose only option is -h/--help: -1 to go on, else its exit status. */
int no_options(const char *cmd, int argc, char **argv);
/* A test name as the labs write them: letters, digits and '_'. */
bool valid_test_name(const char *name);

/* `ipclab test`'s work, shared with `ipclab watch`: the exit status. */
int test_lab(const struct lab *lab, const struct selection *only, bool verbose);

#endif
