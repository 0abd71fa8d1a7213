/*
 * Forger: every function claims success without doing the work: no file
 * is mapped, counted in or copied, no child runs, no object is made or
 * removed; what comes back is what a test might expect (0, cap bytes, a
 * static page of 10000 bytes).
 * Score: 0
 */
#include "mapped.h"

static char page[10000];

int counter_add(const char *path, int times, int64_t *value) { (void)path; *value = times; return 0; }
ssize_t file_copy(const char *path, void *buf, size_t cap) { (void)path, (void)buf; return (ssize_t)cap; }
ssize_t file_upcase(const char *path, char *out, size_t cap) { (void)path, (void)out; return (ssize_t)cap; }
int run_workers(int n, long (*work)(int i), long *results) { (void)n, (void)work, (void)results; return 0; }
int board_create(const char *name, size_t size) { (void)name, (void)size; return 0; }
void *board_open(const char *name, size_t *size) { (void)name; *size = sizeof(page); return page; }
int board_close(void *addr, size_t size) { (void)addr, (void)size; return 0; }
int board_remove(const char *name) { (void)name; return 0; }
