/*
 * stubs.c - the rest of a lab 06 forger whose forge.c comes first: each
 * graded function calls forge() and then claims success.
 */
#include "mapped.h"

static char page[4096];

int counter_add(const char *path, int times, int64_t *value) { forge(); (void)path; *value = times; return 0; }
ssize_t file_copy(const char *path, void *buf, size_t cap) { forge(); (void)path, (void)buf; return (ssize_t)cap; }
ssize_t file_upcase(const char *path, char *out, size_t cap) { forge(); (void)path, (void)out; return (ssize_t)cap; }
int run_workers(int n, long (*work)(int i), long *results) { forge(); (void)n, (void)work, (void)results; return 0; }
int board_create(const char *name, size_t size) { forge(); (void)name, (void)size; return 0; }
void *board_open(const char *name, size_t *size) { forge(); (void)name; *size = sizeof(page); return page; }
int board_close(void *addr, size_t size) { forge(); (void)addr, (void)size; return 0; }
int board_remove(const char *name) { forge(); (void)name; return 0; }
