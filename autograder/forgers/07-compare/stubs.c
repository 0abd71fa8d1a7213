/*
 * stubs.c - the rest of a lab 07 forger whose forge.c comes first: each
 * function of compare.h, the given ones too, calls forge() and then claims
 * success. It is the whole submission: the lab's other source file is
 * left empty.
 */
#include "compare.h"

const size_t suite_size[SUITE_SIZES] = {64, 1024, 64 * 1024, 1024 * 1024};

int summarize(const uint64_t *ns, size_t n, struct summary *s) { forge(); (void)ns, (void)n, (void)s; return 0; }
int link_open(struct link *l, enum mech m, const char *dir) { forge(); (void)l, (void)m, (void)dir; return 0; }
int link_side(struct link *l, int side) { forge(); (void)l, (void)side; return 0; }
int link_send(struct link *l, const void *buf, size_t len) { forge(); (void)l, (void)buf, (void)len; return 0; }
int link_recv(struct link *l, void *buf, size_t len) { forge(); (void)l, (void)buf, (void)len; return 0; }
int link_close(struct link *l, int remove) { forge(); (void)l, (void)remove; return 0; }
int ping(struct link *l, void *buf, size_t len, size_t warmup, size_t rounds, uint64_t *ns) { forge(); (void)l, (void)buf, (void)len, (void)warmup, (void)rounds, (void)ns; return 0; }
int pong(struct link *l, void *buf, size_t len, size_t count) { forge(); (void)l, (void)buf, (void)len, (void)count; return 0; }
int bulk_send(struct link *l, const void *buf, size_t len, size_t count, uint64_t *ns) { forge(); (void)l, (void)buf, (void)len, (void)count, (void)ns; return 0; }
int bulk_recv(struct link *l, void *buf, size_t len, size_t count) { forge(); (void)l, (void)buf, (void)len, (void)count; return 0; }
uint64_t now_ns(void) { forge(); return 0; }
uint64_t clock_step_ns(void) { forge(); return 1; }
int pin_to_cpu(int cpu) { forge(); (void)cpu; return 0; }
int run_suite(FILE *csv, const struct suite *plan) { forge(); (void)csv, (void)plan; return 0; }
const char *mech_name(enum mech m) { static const char *const names[] = {"pipe", "fifo", "unix", "msgq", "shm", "ring"}; return (unsigned)m < MECH_COUNT ? names[m] : "?"; }
