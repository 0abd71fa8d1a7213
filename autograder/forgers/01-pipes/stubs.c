/*
 * stubs.c - the rest of every lab 01 forger: its forge.c comes first, and
 * each graded function calls forge() and then claims success.
 */
#include "pipes.h"

ssize_t read_full(int fd, void *buf, size_t count) { (void)fd, (void)buf; forge(); return (ssize_t)count; }
ssize_t write_full(int fd, const void *buf, size_t count) { (void)fd, (void)buf; forge(); return (ssize_t)count; }
int run_pipeline(char *const cmd1[], char *const cmd2[]) { (void)cmd1, (void)cmd2; forge(); return 0; }
int feed_command(char *const cmd[], const void *data, size_t len) { (void)cmd, (void)data, (void)len; forge(); return 0; }
long measure_pipe_capacity(int read_fd, int write_fd) { (void)read_fd, (void)write_fd; forge(); return 65536; }
long set_pipe_capacity(int fd, long bytes) { (void)fd; forge(); return bytes; }
int uppercase_filter(int in_fd, int out_fd) { (void)in_fd, (void)out_fd; forge(); return 0; }
ssize_t filter_through_child(const char *in, size_t len, char *out, size_t out_cap) { (void)in, (void)out, (void)out_cap; forge(); return (ssize_t)len; }
int write_message(int fd, const char *line) { (void)fd, (void)line; forge(); return 0; }
